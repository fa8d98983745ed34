package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/internal/backend"
	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		c, prefix := redistest.Client(t)
		s, err := New(c, Config{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestKeysShareSlotAndPrefix(t *testing.T) {
	c, prefix := redistest.Client(t)
	s, _ := New(c, Config{Prefix: prefix})
	ctx := context.Background()
	if _, err := s.Hit(ctx, storage.Hit{Client: "10.1.2.3", Bucket: "api", Window: time.Minute}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d := storage.Decision{Action: storage.ActionBan, Reason: "x", Expires: time.Now().Add(time.Minute)}
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
	if _, err := New(nil, Config{}); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"2|0|threat score", "1|0.1|repeated limit hits", "", "x|y|z", "9|1|r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decode(s, time.Unix(0, 0))
		if err == nil && d.Action > storage.ActionBan {
			t.Fatalf("decode(%q) kind %d", s, d.Action)
		}
	})
}

// TestConformanceCluster runs the suite on the Redis Cluster at
// REDIS_CLUSTER_ADDRS (bash .ci/run starts one).
func TestConformanceCluster(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		c, prefix := redistest.ClusterClient(t)
		s, err := New(c, Config{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// Every key of a client, whatever its bytes, is in one slot, and Shard
// names the master that serves it.
func TestClusterSlotsAndShards(t *testing.T) {
	c, prefix := redistest.ClusterClient(t)
	s, _ := New(c, Config{Prefix: prefix})
	defer s.Close()
	ctx := context.Background()
	keys := []string{"", "}", "}x", "{", "{}", "%", "10.0.0.1", "apikey:}{", strings.Repeat("}", 4096)}
	for _, k := range keys {
		var slots []int64
		for _, kind := range []string{"d", "c:api", "w:api", "s", "p"} {
			full := s.key(k, kind)
			slot, err := c.ClusterKeySlot(ctx, full).Result()
			if err != nil {
				t.Fatal(err)
			}
			slots = append(slots, slot)
			if int64(slotOf(tag(backend.BoundKey(k)))) != slot {
				t.Fatalf("key %.10q: slotOf %d, server says %d", k, slotOf(tag(backend.BoundKey(k))), slot)
			}
		}
		for _, sl := range slots[1:] {
			if sl != slots[0] {
				t.Fatalf("key %.10q: its keys span slots %v", k, slots)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Shard("10.0.0.1") == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, k := range keys {
		m, err := c.MasterForKey(ctx, s.key(k, "d"))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Shard(k); got != m.Options().Addr {
			t.Fatalf("Shard(%.10q) = %q, go-redis routes it to %q", k, got, m.Options().Addr)
		}
	}
}

func TestTagEscapes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"10.0.0.1", "10.0.0.1"},
		{"", "%"},
		{"}", "%7D"},
		{"}x", "%7Dx"},
		{"%", "%25"},
		{"%7D", "%257D"},
		{"{", "{"},
		{"a}b%c", "a%7Db%25c"},
	}
	for _, tc := range cases {
		if got := tag(tc.in); got != tc.want {
			t.Errorf("tag(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if _, err := New(libredis.NewClient(&libredis.Options{}), Config{Prefix: "app{1}:"}); err == nil {
		t.Error("a prefix with braces was accepted")
	}
}

// slotOf agrees with Redis's published examples.
func TestSlotOf(t *testing.T) {
	for k, want := range map[string]int{"123456789": 0x31C3 % 16384, "foo": 12182, "bar": 5061, "": 0} {
		if got := slotOf(k); got != want {
			t.Errorf("slotOf(%q) = %d, want %d", k, got, want)
		}
	}
}
