// Package storagetest is the conformance suite every storage.Store backend
// runs: storagetest.Run(t, newStore).
package storagetest

import (
	"context"
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
			if c.Decision.Action != storage.ActionNone {
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
		d := storage.Decision{Action: storage.ActionBan, Reason: "threat | score", Expires: now.Add(time.Minute)}
		if err := s.SetDecision(ctx, "d", d, now); err != nil {
			t.Fatal(err)
		}
		got, err := s.Decision(ctx, "d", now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Action != d.Action || got.Reason != d.Reason || !got.Active(now) || got.Expires.After(d.Expires.Add(time.Second)) {
			t.Fatalf("decision %+v, want %+v", got, d)
		}
		c, err := s.Hit(ctx, storage.Hit{Client: "d", Bucket: "x", Window: time.Minute}, now)
		if err != nil {
			t.Fatal(err)
		}
		if c.Decision.Action != storage.ActionBan || c.Decision.Reason != d.Reason {
			t.Fatalf("hit decision %+v, want the ban", c.Decision)
		}
		if err := s.DeleteDecision(ctx, "d"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Decision(ctx, "d", now); got.Action != storage.ActionNone {
			t.Fatalf("after delete: %+v", got)
		}
	})
	t.Run("DecisionExpires", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		d := storage.Decision{Action: storage.ActionThrottle, Factor: 0.5, Reason: "r", Expires: now.Add(100 * time.Millisecond)}
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
			Penalty:    storage.Decision{Action: storage.ActionThrottle, Factor: 0.25, Reason: "repeated limit hits"},
			PenaltyTTL: time.Minute,
		}
		var last storage.Count
		for i := 1; i <= 5; i++ { // hits 3, 4, 5 are over the limit: 3 strikes
			var err error
			if last, err = s.Hit(ctx, h, time.Now()); err != nil {
				t.Fatal(err)
			}
			if i < 5 && last.Decision.Action != storage.ActionNone {
				t.Fatalf("hit %d: penalty too early: %+v", i, last.Decision)
			}
		}
		if last.Decision.Action != storage.ActionThrottle || last.Decision.Factor != 0.25 || !last.Decision.Active(time.Now()) {
			t.Fatalf("after 3 strikes: decision %+v, want the throttle", last.Decision)
		}
	})
	t.Run("SlidingWindowAtTheBoundary", func(t *testing.T) {
		// A fixed window admits 2×limit across the end of a window; a
		// sliding one admits about limit in any span of one window. The
		// times are passed to Hit (windows are aligned on multiples of
		// the window since the epoch), so this runs without sleeping.
		s := newStore(t)
		const limit = 10
		w := time.Minute
		t0 := time.Now().Truncate(w).Add(-10 * w) // a window start
		h := storage.Hit{Client: "sliding", Bucket: "api", Window: w, Algorithm: storage.SlidingWindow, Limit: limit}
		admit := func(at time.Time, n int) (ok int, last storage.Count) {
			t.Helper()
			for range n {
				c, err := s.Hit(ctx, h, at)
				if err != nil {
					t.Fatal(err)
				}
				if c.N <= limit {
					ok++
				}
				last = c
			}
			return ok, last
		}
		if ok, c := admit(t0.Add(w-time.Second), limit+3); ok != limit || c.N != limit+1 {
			t.Fatalf("end of the first window: %d admitted (last count %d), want %d (count %d)", ok, c.N, limit, limit+1)
		} else if want := t0.Add(w); !c.Reset.Equal(want.Add(w - (limit-1)*w/limit)) {
			// in the next window the previous 10 weigh 9 at 1/10 of it
			t.Fatalf("reset of a refused request %v, want %v", c.Reset, want.Add(w-(limit-1)*w/limit))
		}
		ok, c := admit(t0.Add(w+time.Second), limit)
		if ok != 0 {
			t.Fatalf("start of the next window: %d admitted, want 0 (the previous window still weighs 59/60)", ok)
		}
		if c.Reset.Before(t0.Add(w+time.Second)) || c.Reset.After(t0.Add(2*w)) {
			t.Fatalf("reset %v not within the window", c.Reset)
		}
		// Half-way through, the previous window weighs half: 5 more.
		if ok, _ := admit(t0.Add(w+w/2), limit); ok != limit/2 {
			t.Fatalf("half-way through the next window: %d admitted, want %d", ok, limit/2)
		}
		// Two windows later nothing remains.
		if ok, c := admit(t0.Add(3*w), 1); ok != 1 || c.N != 1 {
			t.Fatalf("two windows later: %d admitted, count %d, want 1, 1", ok, c.N)
		}
		// Without a limit every hit counts.
		h.Client, h.Limit = "sliding-unlimited", 0
		for want := int64(1); want <= 3; want++ {
			if c, err := s.Hit(ctx, h, t0); err != nil || c.N != want {
				t.Fatalf("unlimited: count %d %v, want %d", c.N, err, want)
			}
		}
	})
	t.Run("SlidingWindowStrikes", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		h := storage.Hit{
			Client: "sliding-strikes", Bucket: "x", Window: time.Minute, Algorithm: storage.SlidingWindow, Limit: 2,
			StrikeLimit: 2, StrikeWindow: time.Minute,
			Penalty:    storage.Decision{Action: storage.ActionThrottle, Factor: 0.5, Reason: "strikes"},
			PenaltyTTL: time.Minute,
		}
		var last storage.Count
		for range 4 { // hits 3 and 4 are over: 2 strikes
			var err error
			if last, err = s.Hit(ctx, h, now); err != nil {
				t.Fatal(err)
			}
		}
		if last.Decision.Action != storage.ActionThrottle || !last.Decision.Active(now) {
			t.Fatalf("after 2 strikes: decision %+v, want the throttle", last.Decision)
		}
	})
	t.Run("HostileKeys", func(t *testing.T) {
		// Any bytes are a client key: each keeps its own counters and
		// decision, and none is an error (on a Redis Cluster, a key that
		// broke the hash tag would spread a script's keys over slots).
		s := newStore(t)
		now := time.Now()
		keys := []string{"", "}", "}x", "{", "{}", "%", "%7D", "a}b{c", "\x00\xff", strings.Repeat("}", 4096), strings.Repeat("k", 4096)}
		for _, alg := range []storage.Algorithm{storage.FixedWindow, storage.SlidingWindow} {
			for i, k := range keys {
				for want := int64(1); want <= 2; want++ {
					c, err := s.Hit(ctx, storage.Hit{Client: k, Bucket: "api", Window: time.Minute, Algorithm: alg, Limit: 100}, now)
					if err != nil {
						t.Fatalf("%v key %d (%.10q): %v", alg, i, k, err)
					}
					if c.N != want {
						t.Fatalf("%v key %d (%.10q): count %d, want %d (keys share a counter)", alg, i, k, c.N, want)
					}
				}
			}
		}
		for i, k := range keys {
			d := storage.Decision{Action: storage.ActionBan, Reason: "key " + string(rune('a'+i)), Expires: now.Add(time.Minute)}
			if err := s.SetDecision(ctx, k, d, now); err != nil {
				t.Fatalf("key %d: set decision: %v", i, err)
			}
		}
		for i, k := range keys {
			got, err := s.Decision(ctx, k, now)
			if err != nil || got.Reason != "key "+string(rune('a'+i)) {
				t.Fatalf("key %d: decision %+v %v", i, got, err)
			}
			c, err := s.Hit(ctx, storage.Hit{Client: k, Bucket: "other", Window: time.Minute}, now)
			if err != nil || c.Decision.Action != storage.ActionBan {
				t.Fatalf("key %d: hit %+v %v, want the ban", i, c, err)
			}
			if err := s.DeleteDecision(ctx, k); err != nil {
				t.Fatalf("key %d: delete: %v", i, err)
			}
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
