package ratelimit

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// roundTrips counts the commands and pipelines a client sends: each is one
// round trip.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next libredis.DialHook) libredis.DialHook { return next }
func (h *roundTrips) ProcessHook(next libredis.ProcessHook) libredis.ProcessHook {
	return func(ctx context.Context, cmd libredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *roundTrips) ProcessPipelineHook(next libredis.ProcessPipelineHook) libredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []libredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

func newRedisLimiter(t *testing.T, c libredis.UniversalClient, prefix string, cfg Config) *Adaptive {
	t.Helper()
	s, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg.Store = s
	a, err := New(withLocal(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func TestRedisOneRoundTripPerRequest(t *testing.T) {
	c, prefix := redistest.Client(t)
	rt := &roundTrips{}
	c.AddHook(rt)
	a := newRedisLimiter(t, c, prefix, Config{Rate: "1000-M"})
	ctx := context.Background()
	// Warm up: the first call may load the script (EVALSHA, NOSCRIPT, EVAL).
	if _, err := a.allowNow(ctx, "10.9.0.1", "api", 0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		key   string
		score float64
	}{
		{"clean", "10.9.0.2", 0.1},
		{"suspicious", "10.9.0.3", 0.6},
		{"ban", "10.9.0.4", 0.95},
		{"long key", strings.Repeat("k", 5000), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 5; i++ {
				before := rt.n.Load()
				r, err := a.allowNow(ctx, tc.key, "api", tc.score)
				if err != nil || r.Degraded {
					t.Fatalf("Allow: %+v %v", r, err)
				}
				if got := rt.n.Load() - before; got > 1 {
					t.Fatalf("request %d: %d round trips, want at most 1", i, got)
				}
				if i == 0 && tc.score < 0.9 && rt.n.Load()-before != 1 {
					t.Fatal("first request made no round trip")
				}
			}
		})
	}
}

func TestRedisTwoInstancesShare(t *testing.T) {
	c, prefix := redistest.Client(t)
	cfg := Config{Rate: "10-M", Policy: Policy{StrikeLimit: -1}}
	a1 := newRedisLimiter(t, c, prefix, cfg)
	a2 := newRedisLimiter(t, c, prefix, cfg)
	ctx := context.Background()
	n := 0
	for i := 0; i < 20; i++ {
		a := a1
		if i%2 == 1 {
			a = a2
		}
		r, err := a.allowNow(ctx, "10.8.0.1", "api", 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("%d allowed across two instances, want 10 (shared count)", n)
	}
	// A ban made by one instance is seen by the other.
	if r, _ := a1.Ban(ctx, "10.8.0.2", 15*time.Minute, "threat score", time.Now()); r.Penalty != storage.ActionBan {
		t.Fatalf("a1: %+v", r)
	}
	if r, _ := a2.allowNow(ctx, "10.8.0.2", "api", 0); r.Penalty != storage.ActionBan {
		t.Fatalf("a2 does not see a1's ban: %+v", r)
	}
	if _, ok := a2.Cached("10.8.0.2", time.Now()); !ok {
		t.Fatal("a2 did not cache the ban it learnt")
	}
}

func TestRedisAllowListBeatsStoredBan(t *testing.T) {
	c, prefix := redistest.Client(t)
	s, _ := redisstore.New(c, redisstore.Config{Prefix: prefix})
	now := time.Now()
	if err := s.SetDecision(context.Background(), "203.0.113.5", storage.Decision{Action: storage.ActionBan, Reason: "scenario", Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	a := newRedisLimiter(t, c, prefix, Config{AllowList: []string{"203.0.113.0/24"}})
	if r, _ := a.allowNow(context.Background(), "203.0.113.5", "api", 1); !r.AllowListed {
		t.Fatalf("allow-listed client with a stored ban: %+v", r)
	}
}

// TestRedisFailover cuts the connection to Redis (through a proxy: the shared
// server keeps running) while requests flow, then restores it.
func TestRedisFailover(t *testing.T) {
	opt := redistest.Options(t)
	prefix := redistest.Prefix(t, opt)
	proxy := redistest.NewProxy(t, opt.Addr)
	popt := *opt
	popt.Addr = proxy.Addr()
	popt.MaxRetries = -1
	popt.DialTimeout = 100 * time.Millisecond
	popt.ReadTimeout = 100 * time.Millisecond
	popt.WriteTimeout = 100 * time.Millisecond
	c := libredis.NewClient(&popt)
	t.Cleanup(func() { _ = c.Close() })
	direct := libredis.NewClient(opt)
	t.Cleanup(func() { _ = direct.Close() })

	a := newRedisLimiter(t, c, prefix, Config{Rate: "1000000-M", BreakerTimeout: 300 * time.Millisecond})
	ctx := context.Background()
	const key = "10.7.0.1"
	counterKey := prefix + "{" + key + "}:c:api"
	served, degraded := 0, 0
	req := func() {
		t.Helper()
		r, _ := a.allowNow(ctx, key, "api", 0.1)
		if !r.Allowed {
			t.Fatalf("request refused during the fault: %+v", r)
		}
		served++
		if r.Degraded {
			degraded++
		}
	}
	until := func(what string, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("%s: not within 10s (breaker %s)", what, a.BreakerState())
			}
			req()
			time.Sleep(2 * time.Millisecond)
		}
		return time.Since(start)
	}

	for i := 0; i < 50; i++ {
		req()
	}
	if degraded != 0 || a.BreakerState() != "closed" {
		t.Fatalf("before the fault: %d degraded, breaker %s", degraded, a.BreakerState())
	}
	proxy.Cut()
	failover := until("breaker opens", func() bool { return a.BreakerState() == "open" })
	for i := 0; i < 50; i++ {
		req()
	}
	proxy.Restore()
	recovery := until("breaker closes", func() bool { return a.BreakerState() == "closed" })
	before, err := direct.Get(ctx, counterKey).Int64()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		req()
	}
	after, err := direct.Get(ctx, counterKey).Int64()
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 10 {
		t.Fatalf("counts after recovery: %d -> %d, want +10 in Redis", before, after)
	}
	if degraded == 0 {
		t.Fatal("no request was answered by the local fallback")
	}
	t.Logf("served %d requests, none refused, %d by the local fallback; fail-over (cut -> breaker open) %v, recovery (restore -> breaker closed) %v",
		served, degraded, failover.Round(time.Millisecond), recovery.Round(time.Millisecond))
}

func TestRedisFailClosed(t *testing.T) {
	opt := redistest.Options(t)
	prefix := redistest.Prefix(t, opt)
	proxy := redistest.NewProxy(t, opt.Addr)
	popt := *opt
	popt.Addr = proxy.Addr()
	popt.MaxRetries = -1
	c := libredis.NewClient(&popt)
	t.Cleanup(func() { _ = c.Close() })
	a := newRedisLimiter(t, c, prefix, Config{FailClosed: true})
	proxy.Cut()
	r, err := a.allowNow(context.Background(), "10.6.0.1", "api", 0)
	if err == nil || r.Allowed || !r.Degraded {
		t.Fatalf("fail-closed with Redis down: %+v %v", r, err)
	}
}

// TestRedisScoreRisesThenFreed: on the shared store, a client whose score
// rises is slowed, then banned, and freed when the ban's (real, short) TTL
// passes.
func TestRedisScoreRisesThenFreed(t *testing.T) {
	c, prefix := redistest.Client(t)
	a := newRedisLimiter(t, c, prefix, Config{Rate: "20-M", Policy: Policy{StrikeLimit: -1}})
	ctx := context.Background()
	const key = "10.5.0.1"
	count := func(score float64, n int) int {
		ok := 0
		for i := 0; i < n; i++ {
			r, err := a.allowNow(ctx, key, "api", score)
			if err != nil {
				t.Fatal(err)
			}
			if r.Allowed {
				ok++
			}
		}
		return ok
	}
	if n := count(0.1, 10); n != 10 {
		t.Fatalf("clean: %d of 10 allowed", n)
	}
	// Score 0.8: limit 2 a minute, already 10 used in this window.
	if n := count(0.8, 5); n != 0 {
		t.Fatalf("slowed: %d allowed, want 0", n)
	}
	r, _ := a.Ban(ctx, key, time.Second, "threat score", time.Now())
	if r.Penalty != storage.ActionBan {
		t.Fatalf("ban: %+v", r)
	}
	ttl, err := c.PTTL(ctx, prefix+"{"+key+"}:d").Result()
	if err != nil || ttl <= 0 || ttl > time.Second {
		t.Fatalf("ban key TTL %v %v", ttl, err)
	}
	time.Sleep(1100 * time.Millisecond) // real Redis TTL
	if r, _ := a.allowNow(ctx, key, "other", 0); !(r.Allowed && !r.AllowListed) {
		t.Fatalf("after the ban's TTL: %+v, want freed", r)
	}
}

func TestRedisUnban(t *testing.T) {
	c, prefix := redistest.Client(t)
	a := newRedisLimiter(t, c, prefix, Config{})
	ctx := context.Background()
	if r, _ := a.Ban(ctx, "10.4.0.1", 15*time.Minute, "threat score", time.Now()); r.Penalty != storage.ActionBan {
		t.Fatalf("%+v", r)
	}
	if err := a.Unban(ctx, "10.4.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Cached("10.4.0.1", time.Now()); ok {
		t.Fatal("still cached after Unban")
	}
	if n, _ := c.Exists(ctx, prefix+"{10.4.0.1}:d").Result(); n != 0 {
		t.Fatal("decision still in Redis after Unban")
	}
	if r, _ := a.allowNow(ctx, "10.4.0.1", "api", 0); !(r.Allowed && !r.AllowListed) {
		t.Fatalf("after Unban: %+v", r)
	}
}
