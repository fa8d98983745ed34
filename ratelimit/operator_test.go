package ratelimit

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

func TestOperatorRules(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := newLimiter(withLocal(Config{Rate: "10-M"}), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	hour := now.Add(time.Hour)

	must := func(id string, r OperatorRule) {
		t.Helper()
		if err := a.SetOperatorRule(id, r); err != nil {
			t.Fatal(err)
		}
	}
	must("ban-key", OperatorRule{Key: "apikey:evil", Action: storage.ActionBan, Reason: "abuse", Expires: hour})
	must("ban-net", OperatorRule{Prefix: netip.MustParsePrefix("198.51.100.0/24"), Action: storage.ActionBan, Reason: "botnet", Expires: hour})
	must("ban-v6", OperatorRule{Prefix: netip.MustParsePrefix("2001:db8::1/128"), Action: storage.ActionBan, Reason: "one address", Expires: hour})
	must("allow", OperatorRule{Prefix: netip.MustParsePrefix("198.51.100.7/32"), Allow: true})
	must("slow", OperatorRule{Key: "203.0.113.9", Action: storage.ActionThrottle, Factor: 0.2, Reason: "scraping", Expires: hour})

	cases := []struct {
		key  string
		want string
		ok   bool
	}{
		{"apikey:evil", "banned", true},
		{"198.51.100.8", "banned", true},
		{"198.51.100.7", "allow_listed", true}, // allow beats ban
		{"2001:db8::/64", "banned", true},      // the client's /64 holds the banned address
		{"2001:db9::/64", "", false},
		{"203.0.113.9", "", false}, // a throttle is counted by AllowAt
		{"192.0.2.1", "", false},
	}
	for _, c := range cases {
		r, ok := a.Cached(c.key, now)
		if ok != c.ok || (ok && r.label() != c.want) {
			t.Errorf("Cached(%q) = %v %v, want %v %v", c.key, r.label(), ok, c.want, c.ok)
		}
		if c.ok {
			r, err := a.AllowAt(ctx, c.key, "", 0, now)
			if err != nil || r.label() != c.want {
				t.Errorf("AllowAt(%q) = %v %v", c.key, r.label(), err)
			}
		}
	}
	// The throttle leaves 2 of 10 a minute, then refuses as a throttle.
	var last Result
	for i := 0; i < 3; i++ {
		last, _ = a.AllowAt(ctx, "203.0.113.9", "", 0, now)
	}
	if last.Penalty != storage.ActionThrottle || last.Limit != 2 || last.Reason != "operator: scraping" {
		t.Errorf("throttled client: %+v", last)
	}
	if r, ok := a.Cached("198.51.100.8", now.Add(2*time.Hour)); ok {
		t.Errorf("expired ban still answers: %+v", r)
	}
	if !a.RemoveOperatorRule("ban-key") || a.RemoveOperatorRule("ban-key") {
		t.Error("remove")
	}
	if _, ok := a.Cached("apikey:evil", now); ok {
		t.Error("removed ban still answers")
	}
	if n := len(a.operatorRules()); n != 4 {
		t.Errorf("%d rules left", n)
	}
}

func TestOperatorRuleInvalid(t *testing.T) {
	a, err := New(withLocal(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	exp := time.Now().Add(time.Hour)
	bad := []OperatorRule{
		{},
		{Key: "k", Prefix: netip.MustParsePrefix("10.0.0.0/8"), Action: storage.ActionBan, Expires: exp},
		{Key: "k", Action: storage.ActionNone, Expires: exp},
		{Key: "k", Action: storage.ActionThrottle, Factor: 1, Expires: exp},
		{Key: "k", Action: storage.ActionBan},
	}
	for i, r := range bad {
		if err := a.SetOperatorRule("x", r); !errors.Is(err, ErrBadRule) {
			t.Errorf("%d: %v", i, err)
		}
	}
	if err := a.SetOperatorRule("", OperatorRule{Key: "k", Allow: true}); !errors.Is(err, ErrBadRule) {
		t.Errorf("empty id: %v", err)
	}
}

// TestRouteThrottle: an operator throttle of a route group tightens that
// group's rate for every client from its start to its expiry, and leaves
// other routes alone.
func TestRouteThrottle(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := newLimiter(withLocal(Config{Rate: "10-M"}), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	start, end := now.Add(time.Hour), now.Add(3*time.Hour)
	if err := a.SetOperatorRule("route", OperatorRule{Route: "/login", Action: storage.ActionThrottle, Factor: 0.3,
		Reason: "predicted attack window", Starts: start, Expires: end}); err != nil {
		t.Fatal(err)
	}
	// allowed requests of a fresh client within one minute at `at`, and
	// its first refusal
	allowed := func(client, route string, at time.Time) (n int, last Result) {
		for range 12 {
			r, err := a.AllowAt(ctx, client, route, 0, at)
			if err != nil {
				t.Fatal(err)
			}
			if r.Allowed {
				n++
			} else if last.Reason == "" {
				last = r // the first refusal (later ones may be the penalty box's)
			}
		}
		return n, last
	}
	if n, _ := allowed("192.0.2.1", "/login", now); n != 10 {
		t.Errorf("before the window: %d of 12 allowed, want 10", n)
	}
	n, last := allowed("192.0.2.2", "/login", start.Add(time.Minute))
	if n != 3 || last.Penalty != storage.ActionNone || last.Reason != "rate limit (route tightened by operator: predicted attack window)" {
		t.Errorf("in the window: %d of 12 allowed (want 3), refusal %+v", n, last)
	}
	if n, _ := allowed("192.0.2.3", "/search", start.Add(time.Minute)); n != 10 {
		t.Errorf("another route in the window: %d of 12 allowed, want 10", n)
	}
	if n, _ := allowed("192.0.2.4", "/login", end); n != 10 {
		t.Errorf("after the window: %d of 12 allowed, want 10", n)
	}
	for name, r := range map[string]OperatorRule{
		"a route ban":       {Route: "/login", Action: storage.ActionBan, Expires: end},
		"a route allow":     {Route: "/login", Allow: true},
		"route and key":     {Route: "/login", Key: "k", Action: storage.ActionThrottle, Factor: 0.5, Expires: end},
		"starts after ends": {Route: "/login", Action: storage.ActionThrottle, Factor: 0.5, Starts: end, Expires: start},
	} {
		if err := a.SetOperatorRule("bad", r); !errors.Is(err, ErrBadRule) {
			t.Errorf("%s: %v, want ErrBadRule", name, err)
		}
	}
}

// TestRemoveOperatorRuleForgetsCachedBan: a ban the instance learnt from
// the shared store (a control plane's write-through) and holds as an
// operator rule is gone at once when the rule is removed and the store
// cleared, though the cached copy had not expired.
func TestRemoveOperatorRuleForgetsCachedBan(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := memory.New(memory.Config{JanitorInterval: -1})
	defer shared.Close()
	a, err := newLimiter(withLocal(Config{Rate: "100-M", Store: shared}), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	const client = "203.0.113.50"
	ban := storage.Decision{Action: storage.ActionBan, Reason: "operator: abuse", Expires: now.Add(time.Hour)}
	if err := shared.SetDecision(ctx, client, ban, now); err != nil {
		t.Fatal(err)
	}
	if r, err := a.AllowAt(ctx, client, "", 0, now); err != nil || r.Allowed || r.Penalty != storage.ActionBan {
		t.Fatalf("the stored ban: %+v %v", r, err)
	}
	if _, ok := a.Cached(client, now); !ok {
		t.Fatal("the ban read from the store is not cached")
	}
	if err := a.SetOperatorRule("deny.addr.x", OperatorRule{Key: client, Action: storage.ActionBan, Reason: "abuse", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// the control plane lifts the ban: the store copy goes, then the rule
	if err := shared.DeleteDecision(ctx, client); err != nil {
		t.Fatal(err)
	}
	if !a.RemoveOperatorRule("deny.addr.x") {
		t.Fatal("no rule removed")
	}
	if r, ok := a.Cached(client, now); ok {
		t.Fatalf("the lifted ban still answers from the cache: %+v", r)
	}
	if r, err := a.AllowAt(ctx, client, "", 0, now); err != nil || !r.Allowed {
		t.Fatalf("after the unban: %+v %v", r, err)
	}
}
