package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/storagetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := New(Config{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestCapEvicts(t *testing.T) {
	s := New(Config{shards: 4, MaxEntries: 100, JanitorInterval: -1})
	defer s.Close()
	now := time.Now()
	for i := 0; i < 1000; i++ {
		if _, err := s.Hit(context.Background(), storage.Hit{Client: fmt.Sprint(i), Window: time.Minute}, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.entries(); n > 100 {
		t.Fatalf("%d entries, cap 100", n)
	}
}

// TestEvictionPrefersExpired: a full shard evicts an expired entry when
// the few it reads hold one, never the one live client among expired
// ones, however many new clients come (each new one expired by the next).
func TestEvictionPrefersExpired(t *testing.T) {
	s := New(Config{shards: 1, MaxEntries: 100, JanitorInterval: -1})
	defer s.Close()
	ctx, t0 := context.Background(), time.Unix(1000, 0)
	hit := func(client string, w time.Duration, now time.Time) int64 {
		t.Helper()
		c, err := s.Hit(ctx, storage.Hit{Client: client, Window: w}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c.N
	}
	hit("live", time.Hour, t0)
	for i := range 99 {
		hit(fmt.Sprint("old-", i), time.Second, t0)
	}
	for i := range 800 { // within the live client's window (it ends at 3600 s)
		hit(fmt.Sprint("new-", i), time.Second, t0.Add(time.Minute+time.Duration(2*i)*time.Second))
	}
	if n := hit("live", time.Hour, t0.Add(30*time.Minute)); n != 2 {
		t.Fatalf("the live client's count is %d after the flood, want 2: it was evicted", n)
	}
	if n := s.entries(); n > 100 {
		t.Fatalf("%d entries, cap 100", n)
	}
}

func TestSweepAndJanitor(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newStore(Config{JanitorInterval: time.Millisecond}, func() time.Time { return now.Add(time.Hour) })
	for i := 0; i < 10; i++ {
		_, _ = s.Hit(context.Background(), storage.Hit{Client: fmt.Sprint(i), Window: time.Minute}, now)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.entries() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.entries(); n != 0 {
		t.Fatalf("janitor left %d expired entries", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
}

// Each shard counts its decision keys, so that Hit skips the decision
// lookup in a shard without any. Every way a key comes and goes (put,
// overwrite, expiry on lookup, eviction, strikes turning into a penalty,
// delete, sweep) must keep the count right, and a decision must still be
// seen by Hit.
func TestDecisionCount(t *testing.T) {
	s := New(Config{shards: 2, MaxEntries: 40, JanitorInterval: -1})
	defer s.Close()
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	check := func(step int) {
		t.Helper()
		for i := range s.shards {
			sh := &s.shards[i]
			n := 0
			for k := range sh.m {
				if k[0] == kindDecision {
					n++
				}
			}
			if n != sh.decisions {
				t.Fatalf("step %d: shard %d holds %d decisions, counts %d", step, i, n, sh.decisions)
			}
		}
	}
	ban := storage.Decision{Action: storage.ActionBan, Reason: "test"}
	for step := range 5000 {
		client := fmt.Sprint("c", step*7919%37)
		switch step % 7 {
		case 0, 1:
			d := ban
			d.Expires = now.Add(time.Duration(step%5) * time.Second)
			if err := s.SetDecision(ctx, client, d, now); err != nil {
				t.Fatal(err)
			}
			if d.Active(now) {
				c, _ := s.Hit(ctx, storage.Hit{Client: client, Bucket: "api", Window: time.Minute, Limit: 100}, now)
				if c.Decision.Action != storage.ActionBan {
					t.Fatalf("step %d: Hit misses the ban just set on %s", step, client)
				}
			}
		case 2:
			_ = s.DeleteDecision(ctx, client)
		case 3:
			s.sweep(now)
		default:
			// over the limit: strikes become a throttle decision
			_, _ = s.Hit(ctx, storage.Hit{Client: client, Bucket: fmt.Sprint(step % 3), Window: time.Minute, Limit: 1,
				StrikeLimit: 2, StrikeWindow: time.Minute, Penalty: storage.Decision{Action: storage.ActionThrottle, Factor: 0.5},
				PenaltyTTL: 3 * time.Second}, now)
		}
		now = now.Add(300 * time.Millisecond)
		check(step)
	}
}
