package ratelimit

import (
	"context"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a manual clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTest(t *testing.T, cfg Config) (*Adaptive, *clock) {
	t.Helper()
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	a, err := newLimiter(withLocal(cfg), c.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a, c
}

// allowNow is AllowAt at the limiter's clock: the tests' manual clock.
func (a *Adaptive) allowNow(ctx context.Context, key, route string, score float64) (Result, error) {
	return a.AllowAt(ctx, key, route, score, a.clock())
}

// withLocal gives cfg a memory store as Local when it has none.
func withLocal(cfg Config) Config {
	if cfg.Local == nil {
		cfg.Local = memory.New(memory.Config{JanitorInterval: -1})
	}
	return cfg
}

// allowed counts how many of n requests pass.
func allowed(t *testing.T, a *Adaptive, key, route string, score float64, n int) (int, Result) {
	t.Helper()
	ok := 0
	var last Result
	for i := 0; i < n; i++ {
		r, err := a.allowNow(context.Background(), key, route, score)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			ok++
		}
		last = r
	}
	return ok, last
}

func TestCleanClientAtBaseRate(t *testing.T) {
	a, c := newTest(t, Config{Rate: "10-M", Groups: map[string]string{"login": "3-M"}, Policy: Policy{StrikeLimit: -1}})
	cases := []struct {
		name  string
		route string
		want  int
	}{
		{"default rate", "api", 10},
		{"route rate", "login", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, last := allowed(t, a, "10.0.0.1", tc.route, 0.1, 20)
			if n != tc.want {
				t.Fatalf("%d allowed, want %d", n, tc.want)
			}
			if (last.Allowed || last.Penalty != storage.ActionNone) || last.Limit != int64(tc.want) || last.Remaining != 0 || last.RetryAfter <= 0 || last.Reason == "" {
				t.Fatalf("last answer %+v", last)
			}
		})
	}
	c.advance(time.Minute + time.Second)
	if n, _ := allowed(t, a, "10.0.0.1", "api", 0.1, 10); n != 10 {
		t.Fatalf("next window: %d allowed, want 10", n)
	}
}

func TestScoreSlowsThenBoxes(t *testing.T) {
	a, c := newTest(t, Config{Rate: "100-M", Policy: Policy{StrikeLimit: -1}})
	cases := []struct {
		name  string
		score float64
		want  int
	}{
		{"clean", 0.2, 100},
		{"suspicious", 0.55, 55}, // halfway from 0.3 to 0.8: 1 - 0.5*0.9
		{"bad", 0.85, 10},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "10.0.1." + string(rune('1'+i))
			n, _ := allowed(t, a, key, "api", tc.score, 200)
			if n != tc.want {
				t.Fatalf("%d allowed, want %d", n, tc.want)
			}
		})
	}
	key := "10.0.2.1"
	r, _ := a.Ban(context.Background(), key, 15*time.Minute, "threat score", c.now())
	if r.Penalty != storage.ActionBan || !strings.Contains(r.Reason, "threat score") || r.RetryAfter != 15*time.Minute {
		t.Fatalf("ban: %+v, want a 15m ban", r)
	}
	// Banned even with a clean score now, and Cached knows it without I/O.
	if r, _ := a.allowNow(context.Background(), key, "api", 0); r.Penalty != storage.ActionBan {
		t.Fatalf("after the ban: %+v", r)
	}
	if r, ok := a.Cached(key, c.now()); !ok || r.Penalty != storage.ActionBan {
		t.Fatalf("Cached: %+v %v", r, ok)
	}
	c.advance(15*time.Minute + time.Second)
	if _, ok := a.Cached(key, c.now()); ok {
		t.Fatal("Cached still answers after the ban's TTL")
	}
	if r, _ := a.allowNow(context.Background(), key, "api", 0); !(r.Allowed && !r.AllowListed) {
		t.Fatalf("after the TTL: %+v, want freed", r)
	}
}

func TestStrikesThrottle(t *testing.T) {
	a, c := newTest(t, Config{Rate: "20-M", Policy: Policy{StrikeLimit: 3, ThrottleFactor: 0.25, ThrottleTTL: 2 * time.Minute}})
	key := "10.0.3.1"
	n, last := allowed(t, a, key, "api", 0, 23) // 3 over the limit: 3 strikes
	if n != 20 || last.Penalty != storage.ActionThrottle || !strings.Contains(last.Reason, "repeated limit hits") {
		t.Fatalf("%d allowed, last %+v", n, last)
	}
	c.advance(time.Minute + time.Second) // new window, still throttled: 20*0.25
	if n, _ := allowed(t, a, key, "api", 0, 20); n != 5 {
		t.Fatalf("throttled window: %d allowed, want 5", n)
	}
	c.advance(2 * time.Minute)
	if n, _ := allowed(t, a, key, "api", 0, 30); n != 20 {
		t.Fatalf("after the throttle: %d allowed, want 20", n)
	}
}

func TestAllowListWins(t *testing.T) {
	a, c := newTest(t, Config{Rate: "1-M", AllowList: []string{"192.0.2.0/24", "2001:db8::1", "::ffff:198.51.100.7"}})
	cases := []struct {
		name string
		key  string
		want string
	}{
		{"in CIDR", "192.0.2.55", "allow_listed"},
		{"with port", "192.0.2.55:443", "allow_listed"},
		{"IPv4-mapped key", "::ffff:192.0.2.9", "allow_listed"},
		{"mapped entry", "198.51.100.7", "allow_listed"},
		{"IPv6", "2001:db8::1", "allow_listed"},
		{"outside", "192.0.3.1", "banned"},
		{"not an address", "user:42", "banned"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A ban and the worst score, many requests: the allow-list
			// still wins.
			if _, err := a.Ban(context.Background(), tc.key, 15*time.Minute, "threat score", c.now()); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				r, _ := a.allowNow(context.Background(), tc.key, "api", 1)
				if i > 0 && r.label() != tc.want {
					t.Fatalf("request %d: %v, want %v", i, r.label(), tc.want)
				}
			}
			if r, ok := a.Cached(tc.key, c.now()); !ok || r.label() != tc.want {
				t.Fatalf("Cached: %v %v, want %v", r.label(), ok, tc.want)
			}
		})
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"rate", Config{Rate: "ten-per-minute"}, "Config.Rate"},
		{"zero rate", Config{Rate: "0-M"}, "Config.Rate"},
		{"route rate", Config{Groups: map[string]string{"login": "5-X"}}, `Config.Groups["login"]`},
		{"allow-list", Config{AllowList: []string{"10.0.0.0/33"}}, "Config.AllowList[0]"},
		{"clean below", Config{Policy: Policy{CleanBelow: 1.5}}, "Policy.CleanBelow"},
		{"floor at", Config{Policy: Policy{CleanBelow: 0.5, FloorAt: 0.4}}, "Policy.FloorAt"},
		{"floor factor", Config{Policy: Policy{FloorFactor: 2}}, "Policy.FloorFactor"},
		{"throttle factor", Config{Policy: Policy{ThrottleFactor: -1}}, "Policy.ThrottleFactor"},
		{"store timeout", Config{StoreTimeout: -1}, "Config.StoreTimeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(withLocal(tc.cfg))
			if err == nil {
				_ = a.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestOversizedKeyBounded(t *testing.T) {
	a, _ := newTest(t, Config{Rate: "2-M"})
	k1 := strings.Repeat("x", 1<<20) + "1"
	k2 := strings.Repeat("x", 1<<20) + "2"
	if n, _ := allowed(t, a, k1, "api", 0, 3); n != 2 {
		t.Fatalf("long key 1: %d allowed, want 2", n)
	}
	if n, _ := allowed(t, a, k2, "api", 0, 3); n != 2 {
		t.Fatalf("long key 2: %d allowed, want 2 (distinct from key 1)", n)
	}
}

func TestMultiplier(t *testing.T) {
	p := Policy{}.withDefaults()
	cases := []struct {
		score, want float64
	}{
		{0, 1}, {0.29, 1}, {0.3, 1}, {0.55, 0.55}, {0.8, 0.1}, {1, 0.1},
	}
	for _, tc := range cases {
		if got := p.multiplier(tc.score); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("multiplier(%v) = %v, want %v", tc.score, got, tc.want)
		}
	}
}

func FuzzAllowKey(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "[2001:db8::1]:80", "::ffff:10.0.0.1", "user:42", "", strings.Repeat("9", 300)} {
		f.Add(s, 0.5)
	}
	a, err := New(withLocal(Config{Rate: "5-S", AllowList: []string{"10.0.0.0/8"}}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.Close() })
	f.Fuzz(func(t *testing.T, key string, score float64) {
		r, err := a.allowNow(context.Background(), key, "api", score)
		if err != nil {
			t.Fatal(err)
		}
		if r.outcome() >= numOut || r.Remaining < 0 || r.Remaining > r.Limit {
			t.Fatalf("Allow(%q, %v) = %+v", key, score, r)
		}
	})
}

func TestConcurrentCountsExactly(t *testing.T) {
	a, _ := newTest(t, Config{Rate: "100-M", Policy: Policy{StrikeLimit: -1}})
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if r, _ := a.allowNow(context.Background(), "10.0.4.1", "api", 0); r.Allowed {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 100 {
		t.Fatalf("%d of 400 concurrent requests allowed, want exactly 100", ok.Load())
	}
}

func TestNaNScoreNeverBans(t *testing.T) {
	a, _ := newTest(t, Config{Rate: "100-M"})
	r, _ := a.allowNow(context.Background(), "10.0.5.1", "api", math.NaN())
	if !(r.Allowed && !r.AllowListed) || r.Limit != 10 {
		t.Fatalf("NaN score: %+v, want allowed at the floor rate (10)", r)
	}
}

// The decision cache answers from its entry count while empty, and the
// count follows every put, expiry, eviction and delete, so no decision is
// ever missed behind a stale zero.
func TestDecisionCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := decisionCache{max: 2}
	if _, ok := c.get("a", now); ok {
		t.Fatal("empty cache answered")
	}
	ban := storage.Decision{Action: storage.ActionBan, Reason: "x", Expires: now.Add(time.Minute)}
	c.put("a", ban, now)
	if d, ok := c.get("a", now); !ok || d.Action != storage.ActionBan {
		t.Fatalf("stored ban not found: %+v %v", d, ok)
	}
	if _, ok := c.get("b", now); ok {
		t.Fatal("unknown key answered")
	}
	short := ban
	short.Expires = now.Add(time.Second)
	c.put("b", short, now)
	c.put("c", ban, now) // over max: one of a, b evicted
	if got := c.n.Load(); got != 2 {
		t.Fatalf("count %d after eviction, want 2", got)
	}
	if _, ok := c.get("c", now); !ok {
		t.Fatal("newest entry evicted")
	}
	later := now.Add(2 * time.Second)
	_, okA := c.get("a", later)
	_, okB := c.get("b", later) // expired if still there: removed
	if okB || c.n.Load() != int64(len(c.m)) {
		t.Fatalf("expired entry answered (%v) or count %d != %d", okB, c.n.Load(), len(c.m))
	}
	c.delete("c")
	if okA {
		c.delete("a")
	}
	if c.n.Load() != 0 || len(c.m) != 0 {
		t.Fatalf("count %d, len %d after deleting all", c.n.Load(), len(c.m))
	}
	if _, ok := c.get("c", now); ok {
		t.Fatal("deleted entry answered")
	}
	c.put("d", ban, now)
	if _, ok := c.get("d", now); !ok {
		t.Fatal("entry stored after the cache emptied not found")
	}
}

// AllowAt counts and bans at the time it is given, not at the limiter's clock.
func TestAllowAtUsesTheCallersTime(t *testing.T) {
	a, c := newTest(t, Config{Rate: "2-M"})
	at := c.now().Add(-time.Hour) // the limiter's clock is an hour ahead of the caller's
	for i := range 2 {
		r, err := a.AllowAt(context.Background(), "10.0.7.1", "api", 0, at)
		if err != nil || !(r.Allowed && !r.AllowListed) {
			t.Fatalf("request %d: %v, %v; want allowed", i, r.label(), err)
		}
		if got := r.Reset.Sub(at); got != time.Minute {
			t.Fatalf("request %d: reset %v after the given time, want 1m", i, got)
		}
	}
	if r, _ := a.AllowAt(context.Background(), "10.0.7.1", "api", 0, at.Add(30*time.Second)); (r.Allowed || r.Penalty != storage.ActionNone) || r.RetryAfter != 30*time.Second {
		t.Fatalf("third request in the window: %v retry %v, want limited, retry 30s", r.label(), r.RetryAfter)
	}
	r, _ := a.Ban(context.Background(), "10.0.7.2", 15*time.Minute, "threat score", at)
	if r.Penalty != storage.ActionBan || !r.Reset.Equal(at.Add(15*time.Minute)) {
		t.Fatalf("ban: %v until %v, want banned until %v", r.label(), r.Reset, at.Add(15*time.Minute))
	}
	if res, ok := a.Cached("10.0.7.2", at.Add(14*time.Minute)); !ok || res.Penalty != storage.ActionBan {
		t.Fatalf("Cached 14m after the ban = %v, %v; want banned", res.label(), ok)
	}
}

// Strike bans a client at its after-th refused request within the window,
// not before, and not when the refusals are spread wider than the window.
func TestStrikeBansAfterRepeatedRefusals(t *testing.T) {
	a, c := newTest(t, Config{})
	ctx := context.Background()
	now := c.now()
	for i := 1; i <= 2; i++ {
		r, err := a.Strike(ctx, "10.0.9.1", 3, 10*time.Minute, 15*time.Minute, now.Add(time.Duration(i)*time.Minute))
		if err != nil || r.Penalty == storage.ActionBan || r.Remaining != int64(3-i) {
			t.Fatalf("refusal %d: %+v %v, want no ban, %d left", i, r, err, 3-i)
		}
	}
	if r, ok := a.Cached("10.0.9.1", now.Add(3*time.Minute)); ok {
		t.Fatalf("banned before the third refusal: %+v", r)
	}
	r, err := a.Strike(ctx, "10.0.9.1", 3, 10*time.Minute, 15*time.Minute, now.Add(3*time.Minute))
	if err != nil || r.Penalty != storage.ActionBan || !r.Reset.Equal(now.Add(18*time.Minute)) {
		t.Fatalf("third refusal: %+v %v, want banned for 15m", r, err)
	}
	if r, ok := a.Cached("10.0.9.1", now.Add(4*time.Minute)); !ok || r.Penalty != storage.ActionBan {
		t.Fatalf("Cached after the ban: %+v %v", r, ok)
	}
	// refusals twenty minutes apart never add up
	for i := 0; i < 5; i++ {
		if r, _ := a.Strike(ctx, "10.0.9.2", 3, 10*time.Minute, 15*time.Minute, now.Add(time.Duration(i)*20*time.Minute)); r.Penalty == storage.ActionBan {
			t.Fatalf("refusal %d, twenty minutes apart: banned", i)
		}
	}
	if _, err := a.Strike(ctx, "10.0.9.3", 0, time.Minute, time.Minute, now); err == nil {
		t.Fatal("a strike limit of 0 accepted")
	}
}

// SetRate changes a route's rate, and the base rate, for the requests that
// follow.
func TestSetRate(t *testing.T) {
	a, _ := newTest(t, Config{Rate: "100-M", Groups: map[string]string{"login": "5-M"}})
	if err := a.SetRate("login", "2-M"); err != nil {
		t.Fatal(err)
	}
	if n, _ := allowed(t, a, "10.0.10.1", "login", 0, 10); n != 2 {
		t.Fatalf("login after SetRate 2-M: %d allowed", n)
	}
	if err := a.SetRate("", "3-M"); err != nil {
		t.Fatal(err)
	}
	if n, _ := allowed(t, a, "10.0.10.2", "search", 0, 10); n != 3 {
		t.Fatalf("a route on the base rate after SetRate(\"\", 3-M): %d allowed", n)
	}
	if r := a.rateFor("login"); r.Limit != 2 {
		t.Fatalf("login's rate %d after the base changed", r.Limit)
	}
	if err := a.SetRate("login", "lots"); err == nil {
		t.Fatal("a malformed rate accepted")
	}
}
