package bulwark_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/threat"
)

func newGuard(t *testing.T, cfg bulwark.Config) *bulwark.Guard {
	t.Helper()
	g, err := standard.New(standard.Config{Guard: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

var (
	t0     = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	attack = "/search?q=" + url.QueryEscape("1' UNION SELECT password FROM users--")
)

func TestConfigErrorsNameTheField(t *testing.T) {
	eng, lim := newGuard(t, bulwark.Config{}).Engine(), newGuard(t, bulwark.Config{}).Limiter()
	for _, tc := range []struct {
		cfg   bulwark.Config
		field string
	}{
		{bulwark.Config{Limiter: lim}, "Config.Engine"},
		{bulwark.Config{Engine: eng}, "Config.Limiter"},
		{bulwark.Config{Engine: eng, Limiter: lim, Strictness: bulwark.Strictness{Block: 1.5}}, "Config.Strictness.Block"},
		{bulwark.Config{Engine: eng, Limiter: lim, Routes: map[string]bulwark.Route{"/x": {Strictness: &bulwark.Strictness{Ban: -1}}}}, `Config.Routes["/x"].Strictness.Ban`},
		{bulwark.Config{Engine: eng, Limiter: lim, Routes: map[string]bulwark.Route{"": {}}}, "Config.Routes"},
		{bulwark.Config{Engine: eng, Limiter: lim, Uninspected: 7}, "Config.Uninspected"},
	} {
		_, err := bulwark.New(tc.cfg)
		if !errors.Is(err, bulwark.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: err = %v", tc.field, err)
		}
	}
}

// The zero Strictness is DefaultStrictness; a route's replaces it there.
func TestStrictnessPresets(t *testing.T) {
	g := newGuard(t, bulwark.Config{Routes: map[string]bulwark.Route{"/admin": {Strictness: &bulwark.Strict}, "/notes": {Strictness: &bulwark.Relaxed}}})
	if s := bulwark.StrictnessOf(g, ""); s != bulwark.DefaultStrictness {
		t.Fatalf("zero strictness = %+v, want DefaultStrictness", s)
	}
	if s := bulwark.StrictnessOf(g, "/admin"); s != bulwark.Strict {
		t.Fatalf("/admin strictness = %+v", s)
	}
	if !(bulwark.Relaxed.Block > bulwark.DefaultStrictness.Block && bulwark.DefaultStrictness.Block > bulwark.Strict.Block) ||
		!(bulwark.Relaxed.BanAfter > bulwark.DefaultStrictness.BanAfter && bulwark.DefaultStrictness.BanAfter > bulwark.Strict.BanAfter) {
		t.Fatal("presets are not ordered from relaxed to strict")
	}
	// a score between Strict's and the default's block is refused on the
	// strict route only
	eng := &scoreEngine{score: 0.7}
	g2, err := bulwark.New(bulwark.Config{Engine: eng, Limiter: g.Limiter(), Routes: map[string]bulwark.Route{"/admin": {Strictness: &bulwark.Strict}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := g2.CheckHTTP(httptest.NewRequest("GET", "/x", nil), "198.51.100.1", "/x", t0); v.Refused() {
		t.Fatalf("0.7 refused under the default strictness: %+v", v)
	}
	if v := g2.CheckHTTP(httptest.NewRequest("GET", "/admin", nil), "198.51.100.2", "/admin", t0); !v.Refused() || v.Outcome != bulwark.Blocked || v.Status != 403 {
		t.Fatalf("0.7 on the strict route: %+v", v)
	}
}

// scoreEngine gives every request one score.
type scoreEngine struct{ score float64 }

func (e *scoreEngine) Parse(r *http.Request, client, route string, now time.Time, lim threat.Limits) *threat.Request {
	return &threat.Request{Client: client, Route: route, Time: now}
}
func (e *scoreEngine) Assess(context.Context, *threat.Request) threat.Assessment {
	return threat.Assessment{Score: e.score, Level: threat.LevelHigh}
}
func (e *scoreEngine) Release(*threat.Request)                {}
func (e *scoreEngine) Observe(string, string, int, time.Time) {}

// A transport that is not net/http checks a view of its own.
func TestCheckAView(t *testing.T) {
	g := newGuard(t, bulwark.Config{})
	req := &threat.Request{Method: "Call", Path: "/orders.Service/Get", Client: "svc:42", Time: t0,
		Params: []threat.Param{{Source: threat.SourceJSON, Name: "id", Value: "1' UNION SELECT password FROM users--"}}}
	v := g.Check(context.Background(), req)
	if v.Outcome != bulwark.Blocked || !v.Refused() || v.Client != "svc:42" || len(v.Assessment.Signals) == 0 {
		t.Fatalf("an injection in a view: %+v", v)
	}
	req.Params[0].Value = "42"
	if v := g.Check(context.Background(), req); v.Refused() {
		t.Fatalf("a clean view refused: %+v", v)
	}
}

// One refusal does not ban; the third within the window does, on every
// route; a near-certain score bans at once.
func TestBanPolicy(t *testing.T) {
	g := newGuard(t, bulwark.Config{})
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		v := g.CheckHTTP(httptest.NewRequest("GET", attack, nil), "198.51.100.7", "", t0.Add(time.Duration(i)*time.Minute))
		if v.Outcome != bulwark.Blocked {
			t.Fatalf("attack %d: %v (score %.3f)", i, v.Outcome, v.Assessment.Score)
		}
		if v.Assessment.Score >= bulwark.DefaultStrictness.Ban {
			t.Fatalf("this payload scores %.3f, near-certain: pick one that is not (TestNearCertainBans covers those)", v.Assessment.Score)
		}
		banned := v.Limit.Penalty == storage.ActionBan
		if banned != (i == 3) {
			t.Fatalf("attack %d: banned %v", i, banned)
		}
	}
	v := g.CheckHTTP(httptest.NewRequest("GET", "/search?q=boots", nil), "198.51.100.7", "", t0.Add(4*time.Minute))
	if v.Outcome != bulwark.Banned || v.Status != 403 || v.RetryAfter <= 0 {
		t.Fatalf("after three attacks a clean request: %+v", v)
	}
	if err := g.Unban(ctx, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if v := g.CheckHTTP(httptest.NewRequest("GET", "/search?q=boots", nil), "198.51.100.7", "", t0.Add(5*time.Minute)); v.Refused() {
		t.Fatalf("after Unban: %+v", v)
	}
}

func TestNearCertainBans(t *testing.T) {
	eng := &scoreEngine{score: 0.99}
	lim := newGuard(t, bulwark.Config{}).Limiter()
	g, err := bulwark.New(bulwark.Config{Engine: eng, Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	v := g.CheckHTTP(httptest.NewRequest("GET", "/", nil), "198.51.100.8", "", t0)
	if v.Outcome != bulwark.Blocked || v.Limit.Penalty != storage.ActionBan {
		t.Fatalf("a near-certain score: %+v", v)
	}
	eng.score = 0
	if v := g.CheckHTTP(httptest.NewRequest("GET", "/", nil), "198.51.100.8", "", t0.Add(time.Second)); v.Outcome != bulwark.Banned {
		t.Fatalf("after a near-certain score: %+v", v)
	}
}

// Operators ban, unban and change rates through the Guard.
func TestOperatorHandles(t *testing.T) {
	g := newGuard(t, bulwark.Config{})
	ctx := context.Background()
	if err := g.Ban(ctx, "203.0.113.9", time.Hour, "operator"); err != nil {
		t.Fatal(err)
	}
	if v := g.CheckHTTP(httptest.NewRequest("GET", "/", nil), "203.0.113.9", "", time.Now()); v.Outcome != bulwark.Banned {
		t.Fatalf("after Ban: %+v", v)
	}
	if err := g.Ban(ctx, "", time.Hour, "x"); err == nil {
		t.Fatal("a ban of no key accepted")
	}
	if err := g.SetRate("", "1-M"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	g.CheckHTTP(httptest.NewRequest("GET", "/", nil), "203.0.113.10", "", now)
	if v := g.CheckHTTP(httptest.NewRequest("GET", "/", nil), "203.0.113.10", "", now); v.Outcome != bulwark.Limited {
		t.Fatalf("second request at 1-M: %+v", v)
	}
	if s := g.BreakerState(); s != "none" {
		t.Fatalf("breaker state without a shared store: %q", s)
	}
	if _, ok := g.Engine().(*threat.Engine); !ok {
		t.Fatal("the standard engine is not reachable for its models")
	}
}

func TestOutcomeLabels(t *testing.T) {
	for o, want := range map[bulwark.Outcome]string{bulwark.Allowed: "allowed", bulwark.Blocked: "blocked", bulwark.Uninspected: "uninspected", 99: "unknown"} {
		if o.String() != want {
			t.Errorf("%d: %q, want %q", o, o.String(), want)
		}
	}
	v := bulwark.Verdict{Outcome: bulwark.Blocked, Shadow: true}
	if v.Label() != "shadow_refused" || v.Refused() {
		t.Fatalf("shadowed block: %q refused %v", v.Label(), v.Refused())
	}
}
