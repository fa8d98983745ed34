// Package storagetest is the conformance suite every storage.Store backend
// runs: storagetest.Run(t, newStore).
package storagetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
)

// Run runs the conformance suite. newStore returns a fresh, empty store for
// each subtest; client keys are unique per subtest anyway. Windows are
// short (real Redis TTLs), and now is the real time.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t.Run("CountsInWindow", func(t *testing.T) {
		s := newStore(t)
		h := storage.Hit{Client: "10.0.0.1", Bucket: "api", Window: time.Minute}
		for want := int64(1); want <= 5; want++ {
			now := time.Now()
			c, err := s.Hit(ctx, h, now)
			if err != nil {
				t.Fatal(err)
			}
			if c.N != want {
				t.Fatalf("hit %d: count %d", want, c.N)
			}
			if c.Reset.Before(now) || c.Reset.After(now.Add(time.Minute+time.Second)) {
				t.Fatalf("reset %v not within the window from %v", c.Reset, now)
			}
			if c.Decision.Kind != storage.KindNone {
				t.Fatalf("unexpected decision %+v", c.Decision)
			}
		}
	})
	t.Run("BucketsAndClientsApart", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		for _, h := range []storage.Hit{
			{Client: "a", Bucket: "x", Window: time.Minute},
			{Client: "a", Bucket: "y", Window: time.Minute},
			{Client: "b", Bucket: "x", Window: time.Minute},
		} {
			c, err := s.Hit(ctx, h, now)
			if err != nil {
				t.Fatal(err)
			}
			if c.N != 1 {
				t.Fatalf("%+v: count %d, want 1", h, c.N)
			}
		}
	})
	t.Run("WindowExpires", func(t *testing.T) {
		s := newStore(t)
		h := storage.Hit{Client: "c", Bucket: "x", Window: 100 * time.Millisecond}
		if _, err := s.Hit(ctx, h, time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond) // real TTL on Redis
		c, err := s.Hit(ctx, h, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c.N != 1 {
			t.Fatalf("after the window: count %d, want 1", c.N)
		}
	})
	t.Run("DecisionRoundTrip", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		d := storage.Decision{Kind: storage.KindBan, Reason: "threat | score", Expires: now.Add(time.Minute)}
		if err := s.SetDecision(ctx, "d", d, now); err != nil {
			t.Fatal(err)
		}
		got, err := s.Decision(ctx, "d", now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != d.Kind || got.Reason != d.Reason || !got.Active(now) || got.Expires.After(d.Expires.Add(time.Second)) {
			t.Fatalf("decision %+v, want %+v", got, d)
		}
		c, err := s.Hit(ctx, storage.Hit{Client: "d", Bucket: "x", Window: time.Minute}, now)
		if err != nil {
			t.Fatal(err)
		}
		if c.Decision.Kind != storage.KindBan || c.Decision.Reason != d.Reason {
			t.Fatalf("hit decision %+v, want the ban", c.Decision)
		}
		if err := s.DeleteDecision(ctx, "d"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Decision(ctx, "d", now); got.Kind != storage.KindNone {
			t.Fatalf("after delete: %+v", got)
		}
	})
	t.Run("DecisionExpires", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		d := storage.Decision{Kind: storage.KindThrottle, Factor: 0.5, Reason: "r", Expires: now.Add(100 * time.Millisecond)}
		if err := s.SetDecision(ctx, "e", d, now); err != nil {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
		got, err := s.Decision(ctx, "e", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got.Active(time.Now()) {
			t.Fatalf("expired decision still active: %+v", got)
		}
	})
	t.Run("StrikesWritePenalty", func(t *testing.T) {
		s := newStore(t)
		h := storage.Hit{
			Client: "f", Bucket: "x", Window: time.Minute, Limit: 2,
			StrikeLimit: 3, StrikeWindow: time.Minute,
			Penalty:    storage.Decision{Kind: storage.KindThrottle, Factor: 0.25, Reason: "repeated limit hits"},
			PenaltyTTL: time.Minute,
		}
		var last storage.Count
		for i := 1; i <= 5; i++ { // hits 3, 4, 5 are over the limit: 3 strikes
			var err error
			if last, err = s.Hit(ctx, h, time.Now()); err != nil {
				t.Fatal(err)
			}
			if i < 5 && last.Decision.Kind != storage.KindNone {
				t.Fatalf("hit %d: penalty too early: %+v", i, last.Decision)
			}
		}
		if last.Decision.Kind != storage.KindThrottle || last.Decision.Factor != 0.25 || !last.Decision.Active(time.Now()) {
			t.Fatalf("after 3 strikes: decision %+v, want the throttle", last.Decision)
		}
	})
	t.Run("Profiles", func(t *testing.T) {
		s := newStore(t)
		ps, ok := s.(storage.Profiles)
		if !ok {
			t.Skip("backend stores no profiles")
		}
		if p, err := ps.GetProfile(ctx, "p"); err != nil || p != nil {
			t.Fatalf("missing profile: %q %v", p, err)
		}
		want := []byte("profile \x00 bytes")
		if err := ps.PutProfile(ctx, "p", want, time.Minute, time.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := ps.GetProfile(ctx, "p")
		if err != nil || string(got) != string(want) {
			t.Fatalf("profile %q %v, want %q", got, err, want)
		}
		if err := ps.PutProfile(ctx, "p", make([]byte, storage.MaxProfileLen+1), time.Minute, time.Now()); !errors.Is(err, storage.ErrTooLarge) {
			t.Fatalf("oversized profile: %v, want ErrTooLarge", err)
		}
	})
	t.Run("LongKeysBounded", func(t *testing.T) {
		s := newStore(t)
		long1 := strings.Repeat("k", 10_000) + "1"
		long2 := strings.Repeat("k", 10_000) + "2"
		now := time.Now()
		for _, k := range []string{long1, long2} {
			c, err := s.Hit(ctx, storage.Hit{Client: k, Bucket: k, Window: time.Minute}, now)
			if err != nil {
				t.Fatal(err)
			}
			if c.N != 1 {
				t.Fatalf("distinct long keys share a counter: count %d", c.N)
			}
		}
	})
}
