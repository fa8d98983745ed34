package redisclaim_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/redisclaim"
	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestClaimOnce(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	c := redisclaim.New(rdb, prefix)
	ctx := context.Background()
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := c.Claim(ctx, "fp:1:sink", time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d winners, want 1", wins)
	}
	if ttl := rdb.PTTL(ctx, prefix+"fp:1:sink").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v", ttl)
	}
	if ok, _ := c.Claim(ctx, "fp:2:sink", time.Minute); !ok {
		t.Fatal("another key not claimable")
	}
}

type recorder struct {
	mu     sync.Mutex
	alerts []alerting.Alert
}

func (r *recorder) Send(_ context.Context, a alerting.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return nil
}

// TestTwoReplicasNotifyOnce: two dispatchers sharing a Redis and a secret
// see the same attackers; each incident is notified once in all.
func TestTwoReplicasNotifyOnce(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	rec := &recorder{}
	clients := []string{"203.0.113.1", "203.0.113.2", "2001:db8::/64"}
	var ds []*alerting.Dispatcher
	for range 2 {
		d, err := alerting.New(alerting.Config{
			Secret:       []byte("shared-secret"),
			Claimer:      redisclaim.New(rdb, prefix),
			TickInterval: -1,
			Sinks:        []alerting.SinkConfig{{Name: "hook", Sink: rec}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
		for i, c := range clients {
			for range 50 {
				kind := alerting.KindThreat
				if i%2 == 1 {
					kind = alerting.KindRateLimit
				}
				d.Publish(alerting.Event{Client: c, Kind: kind, Level: threat.LevelHigh})
			}
		}
	}
	// Both replicas flush and deliver at once, racing for the claims.
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Close(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var dups uint64
	for _, d := range ds {
		st := d.Stats()
		dups += totals(st).Duplicates
		if totals(st).ClaimErrors != 0 {
			t.Fatalf("claim errors: %+v", st)
		}
	}
	perFP := map[string]int{}
	for _, a := range rec.alerts {
		perFP[a.Fingerprint]++
	}
	if len(perFP) != len(clients) || dups != uint64(len(clients)) {
		t.Fatalf("notifications per incident %v, duplicates skipped %d", perFP, dups)
	}
	for fp, n := range perFP {
		if n != 1 {
			t.Fatalf("incident %s notified %d times", fp, n)
		}
		if ttl := rdb.PTTL(context.Background(), prefix+fp+":1:hook").Val(); ttl <= 0 {
			t.Fatalf("claim of %s: ttl %v", fp, ttl)
		}
	}
}

func TestClaimErrorIsReported(t *testing.T) {
	rdb, prefix := redistest.Client(t)
	c := redisclaim.New(rdb, prefix)
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := c.Claim(cctx, "k", time.Second); err == nil || ok {
		t.Fatalf("claim with a dead context: %v %v", ok, err)
	}
}

// totals adds up the sinks' counters.
func totals(st alerting.Stats) alerting.SinkStats {
	var t alerting.SinkStats
	for _, s := range st.Sinks {
		t.Delivered += s.Delivered
		t.Failed += s.Failed
		t.Dropped += s.Dropped
		t.Throttled += s.Throttled
		t.Retries += s.Retries
		t.Duplicates += s.Duplicates
		t.ClaimErrors += s.ClaimErrors
	}
	return t
}
