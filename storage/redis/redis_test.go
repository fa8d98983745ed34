package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		c, prefix := redistest.Client(t)
		s, err := New(c, Options{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestKeysShareSlotAndPrefix(t *testing.T) {
	c, prefix := redistest.Client(t)
	s, _ := New(c, Options{Prefix: prefix})
	ctx := context.Background()
	if _, err := s.Hit(ctx, storage.Hit{Client: "10.1.2.3", Bucket: "api", Window: time.Minute}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d := storage.Decision{Kind: storage.KindBan, Reason: "x", Expires: time.Now().Add(time.Minute)}
	if err := s.SetDecision(ctx, "10.1.2.3", d, time.Now()); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %v, want counter and decision", keys)
	}
	for _, k := range keys {
		// The slot is computed from the first {...}: the client's hash tag.
		if !strings.HasPrefix(k, prefix+"{10.1.2.3}:") {
			t.Fatalf("key %q lacks the prefix and the client's hash tag", k)
		}
	}
}

func TestNilClient(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"2|0|threat score", "1|0.1|repeated limit hits", "", "x|y|z", "9|1|r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decode(s, time.Unix(0, 0))
		if err == nil && d.Kind > storage.KindBan {
			t.Fatalf("decode(%q) kind %d", s, d.Kind)
		}
	})
}
