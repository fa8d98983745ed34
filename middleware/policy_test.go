package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/threat"
)

// fakeEngine returns a fixed assessment and records what it was told.
type fakeEngine struct {
	mu       sync.Mutex
	a        threat.Assessment
	assessed []string // client|route
	observed []string // client|route|status
	times    []time.Time
}

func (e *fakeEngine) Parse(r *http.Request, client, route string, now time.Time, _ threat.Limits) *threat.Request {
	return threat.NewRequest(r, client, route, threat.Limits{})
}

func (e *fakeEngine) Assess(_ context.Context, req *threat.Request) threat.Assessment {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.assessed = append(e.assessed, req.Client+"|"+req.Route)
	e.times = append(e.times, req.Time)
	return e.a
}

func (e *fakeEngine) Release(*threat.Request) {}

func (e *fakeEngine) Observe(client, route string, status int, _ time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observed = append(e.observed, client+"|"+route+"|"+http.StatusText(status))
}

// fakeLimiter answers from fixed results.
type fakeLimiter struct {
	cached   *ratelimit.Result
	allow    ratelimit.Result
	routes   []string
	scores   []float64
	times    []time.Time
	allowErr error
	keys     []string
	bans     []string
	strikes  []string
}

func (l *fakeLimiter) Cached(string, time.Time) (ratelimit.Result, bool) {
	if l.cached == nil {
		return ratelimit.Result{}, false
	}
	return *l.cached, true
}

func (l *fakeLimiter) AllowAt(_ context.Context, key string, route string, score float64, now time.Time) (ratelimit.Result, error) {
	l.routes = append(l.routes, route)
	l.keys = append(l.keys, key)
	l.times = append(l.times, now)
	l.scores = append(l.scores, score)
	return l.allow, l.allowErr
}

func (l *fakeLimiter) Ban(_ context.Context, key string, d time.Duration, reason string, now time.Time) (ratelimit.Result, error) {
	l.bans = append(l.bans, key)
	return ratelimit.Result{Penalty: storage.ActionBan, RetryAfter: d, Reason: "penalty box: " + reason}, nil
}

func (l *fakeLimiter) Strike(_ context.Context, key string, after int, window, d time.Duration, now time.Time) (ratelimit.Result, error) {
	l.strikes = append(l.strikes, key)
	return ratelimit.Result{Allowed: true}, nil
}

type fakeAlerts struct{ events []alerting.Event }

func (a *fakeAlerts) Publish(e alerting.Event) bool { a.events = append(a.events, e); return true }

var t0 = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

func allowed(limit, remaining int64) ratelimit.Result {
	return ratelimit.Result{Allowed: true, Limit: limit, Remaining: remaining, Reset: t0.Add(42 * time.Second)}
}

func TestPolicy(t *testing.T) {
	sqli := threat.Assessment{Score: 0.97, Level: threat.LevelCritical,
		Signals: []threat.Signal{{Detector: "sqli", Rule: "sqli.libinjection", Evidence: "s&1c"}}}
	suspicious := threat.Assessment{Score: 0.7, Level: threat.LevelHigh}
	banned := ratelimit.Result{Penalty: storage.ActionBan, RetryAfter: 10 * time.Minute, Reason: "penalty box"}
	allowListed := ratelimit.Result{Allowed: true, AllowListed: true}
	limited := ratelimit.Result{Limit: 5, Remaining: 0, Reset: t0.Add(30 * time.Second), RetryAfter: 30 * time.Second, Reason: "rate limit"}
	throttled := limited
	throttled.Penalty = storage.ActionThrottle

	tests := []struct {
		name        string
		shadow      bool
		assess      threat.Assessment
		cached      *ratelimit.Result
		allow       ratelimit.Result
		path        string
		wantStatus  int
		wantType    string
		wantRetry   string
		wantLimit   string
		wantAssess  bool
		wantHandler bool
		wantAlerts  []alerting.Kind
	}{
		{name: "benign passes with headers", assess: threat.Assessment{Score: 0.01}, allow: allowed(600, 599),
			wantStatus: 200, wantLimit: "600", wantAssess: true, wantHandler: true},
		{name: "injection is blocked", assess: sqli, allow: allowed(600, 598),
			wantStatus: 403, wantType: typeBlocked, wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "over the limit", assess: threat.Assessment{Score: 0.1}, allow: limited,
			wantStatus: 429, wantType: typeRateLimited, wantRetry: "30", wantLimit: "5", wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindRateLimit}},
		{name: "throttled", assess: threat.Assessment{Score: 0.1}, allow: throttled,
			wantStatus: 429, wantType: typeThrottled, wantRetry: "30", wantLimit: "5", wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindPenalty}},
		{name: "suspicious but allowed is alerted", assess: suspicious, allow: allowed(100, 50),
			wantStatus: 200, wantLimit: "100", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "banned in cache answered before scoring", assess: sqli, cached: &banned,
			wantStatus: 403, wantType: typeBanned, wantRetry: "600", wantAlerts: []alerting.Kind{alerting.KindPenalty}},
		{name: "allow-listed in cache passes unscored", assess: sqli, cached: &allowListed,
			wantStatus: 200, wantHandler: true},
		{name: "shadow lets an injection through", shadow: true, assess: sqli, allow: allowed(600, 598),
			wantStatus: 200, wantLimit: "600", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "shadow lets a limited client through", shadow: true, assess: threat.Assessment{}, allow: limited,
			wantStatus: 200, wantLimit: "5", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindRateLimit}},
		{name: "shadow route override", path: "/preview", assess: sqli, allow: allowed(600, 598),
			wantStatus: 200, wantLimit: "600", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{a: tt.assess}
			lim := &fakeLimiter{cached: tt.cached, allow: tt.allow}
			al := &fakeAlerts{}
			r := chi.NewRouter()
			m := newMW(t, bulwark.Config{
				Engine: eng, Limiter: lim, Alerts: al, Shadow: tt.shadow,
				Routes: map[string]bulwark.Route{"/preview": {Shadow: true}},
			}, Config{
				Now:     func() time.Time { return t0 },
				Pattern: chiroute.Before(r),
			})
			r.Use(m.Handler)
			called := false
			h := func(w http.ResponseWriter, _ *http.Request) { called = true; w.WriteHeader(200) }
			r.Get("/search", h)
			r.Get("/preview", h)
			path := tt.path
			if path == "" {
				path = "/search"
			}
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = "203.0.113.5:1000"
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if called != tt.wantHandler {
				t.Errorf("handler called = %v, want %v", called, tt.wantHandler)
			}
			if got := len(eng.assessed) > 0; got != tt.wantAssess {
				t.Errorf("assessed = %v, want %v", got, tt.wantAssess)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.wantRetry {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantRetry)
			}
			if got := rec.Header().Get("RateLimit-Limit"); got != tt.wantLimit {
				t.Errorf("RateLimit-Limit = %q, want %q", got, tt.wantLimit)
			}
			if tt.wantLimit != "" {
				if rec.Header().Get("RateLimit-Reset") != strconv.Itoa(int(tt.allow.Reset.Sub(t0)/time.Second)) || rec.Header().Get("RateLimit-Remaining") == "" {
					t.Errorf("RateLimit-Reset/Remaining missing: %v", rec.Header())
				}
			}
			if tt.wantType != "" {
				var p struct{ Type, Title, Detail string }
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Type != tt.wantType {
					t.Errorf("problem = %+v (%v), want type %s", p, err, tt.wantType)
				}
				for _, leak := range []string{"sqli", "libinjection", "s&1c"} {
					if strings.Contains(rec.Body.String(), leak) {
						t.Errorf("problem body leaks %q: %s", leak, rec.Body)
					}
				}
			}
			var kinds []alerting.Kind
			for _, e := range al.events {
				kinds = append(kinds, e.Kind)
				if e.Client != "203.0.113.5" {
					t.Errorf("alert client = %q", e.Client)
				}
			}
			if len(kinds) != len(tt.wantAlerts) {
				t.Fatalf("alerts = %v, want %v", kinds, tt.wantAlerts)
			}
			for i := range kinds {
				if kinds[i] != tt.wantAlerts[i] {
					t.Errorf("alerts = %v, want %v", kinds, tt.wantAlerts)
				}
			}
		})
	}
}

func TestRouteGroupsAndFeedback(t *testing.T) {
	eng := &fakeEngine{}
	lim := &fakeLimiter{allow: allowed(5, 4)}
	r := chi.NewRouter()
	m := newMW(t, bulwark.Config{
		Engine: eng, Limiter: lim,
		Routes: map[string]bulwark.Route{"/login": {Group: "login"}},
	}, Config{Pattern: chiroute.Before(r)})
	r.Use(m.Handler)
	r.Post("/login", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	r.Get("/users/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })

	for _, c := range []struct{ method, path string }{{"POST", "/login"}, {"GET", "/users/7"}} {
		req := httptest.NewRequest(c.method, c.path, nil)
		req.RemoteAddr = "198.51.100.9:1"
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	wantRoutes := []string{"login", "/users/{id}"}
	if len(lim.routes) != 2 || lim.routes[0] != wantRoutes[0] || lim.routes[1] != wantRoutes[1] {
		t.Errorf("limiter routes = %q, want %q", lim.routes, wantRoutes)
	}
	wantObserved := []string{"198.51.100.9|login|Unauthorized", "198.51.100.9|/users/{id}|Not Found"}
	if len(eng.observed) != 2 || eng.observed[0] != wantObserved[0] || eng.observed[1] != wantObserved[1] {
		t.Errorf("observed = %q, want %q", eng.observed, wantObserved)
	}
}

func TestFeedbackUsesChiPatternWithoutRouteFunc(t *testing.T) {
	eng := &fakeEngine{}
	m := newMW(t, bulwark.Config{Engine: eng, Limiter: &fakeLimiter{allow: allowed(5, 4)}}, Config{PatternAfter: chiroute.After})
	r := chi.NewRouter()
	r.Use(m.Handler)
	r.Get("/items/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) })
	req := httptest.NewRequest("GET", "/items/3", nil)
	req.RemoteAddr = "198.51.100.9:1"
	r.ServeHTTP(httptest.NewRecorder(), req)
	if len(eng.assessed) != 1 || eng.assessed[0] != "198.51.100.9|" {
		t.Errorf("assessed = %q, want one with no route before routing", eng.assessed)
	}
	if len(eng.observed) != 1 || eng.observed[0] != "198.51.100.9|/items/{id}|OK" {
		t.Errorf("observed = %q, want the chi pattern after the handler", eng.observed)
	}
}

func TestLimiterErrorNeverFails(t *testing.T) {
	lim := &fakeLimiter{allow: ratelimit.Result{Allowed: true, Degraded: true}, allowErr: context.DeadlineExceeded}
	m := newMW(t, bulwark.Config{Engine: &fakeEngine{}, Limiter: lim}, Config{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 204 {
		t.Errorf("status = %d, want the handler's 204 despite the store error", rec.Code)
	}
}

func TestTypedNilCoreIsRefused(t *testing.T) {
	var g *bulwark.Guard
	if _, err := New(g, Config{}); !errors.Is(err, bulwark.ErrInvalidConfig) {
		t.Fatalf("New with a typed nil core: %v", err)
	}
	var eng *threat.Engine
	if _, err := bulwark.New(bulwark.Config{Engine: eng, Limiter: &fakeLimiter{}}); !errors.Is(err, bulwark.ErrInvalidConfig) {
		t.Fatalf("bulwark.New with a typed nil engine: %v", err)
	}
}

// One blocked request does not ban its client: it is a strike; a score
// at Strictness.Ban bans at once. Refusing the request stays immediate.
func TestBlockStrikesAndNearCertainBans(t *testing.T) {
	for _, tc := range []struct {
		score               float64
		wantBans, wantStrik int
	}{{0.85, 0, 1}, {0.99, 1, 0}, {0.5, 0, 0}} {
		lim := &fakeLimiter{allow: allowed(600, 599)}
		m := newMW(t, bulwark.Config{Engine: &fakeEngine{a: threat.Assessment{Score: tc.score, Level: threat.LevelCritical}}, Limiter: lim}, Config{})
		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if len(lim.bans) != tc.wantBans || len(lim.strikes) != tc.wantStrik {
			t.Errorf("score %v: %d bans, %d strikes; want %d, %d", tc.score, len(lim.bans), len(lim.strikes), tc.wantBans, tc.wantStrik)
		}
		if wantRefused := tc.score >= 0.8; (rec.Code == http.StatusForbidden) != wantRefused {
			t.Errorf("score %v: status %d", tc.score, rec.Code)
		}
	}
}

// A route with CountBy counts the request by the client and by the named
// parameter's value; the second key's refusal is the request's.
func TestSecondKey(t *testing.T) {
	lim := &fakeLimiter{allow: allowed(5, 4)}
	m := newMW(t, bulwark.Config{Engine: &fakeEngine{}, Limiter: lim,
		Routes: map[string]bulwark.Route{"/login": {Group: "login", CountBy: "user"}}}, Config{Pattern: func(r *http.Request) string { return r.URL.Path }})
	got := ""
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostFormValue("user")
	}))
	req := httptest.NewRequest("POST", "/login", strings.NewReader("user=alice&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "alice" {
		t.Fatalf("the handler read %q from the body, want alice (the body must stay whole)", got)
	}
	if len(lim.keys) != 2 || lim.keys[1] != "param:user:alice" || lim.routes[1] != "login#user" {
		t.Fatalf("limiter keys %q routes %q, want the client then param:user:alice on login#user", lim.keys, lim.routes)
	}
	lim.allow = ratelimit.Result{Limit: 5, RetryAfter: time.Minute}
	req = httptest.NewRequest("POST", "/login", strings.NewReader("user=alice&password=y"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("second key over its limit: %d", rec.Code)
	}
}

// The middleware reads its clock once on the way in and gives that reading
// to the engine and the limiter; a later reading is only for the overhead
// histogram.
func TestOneClockReadingPerRequest(t *testing.T) {
	var ticks int
	clock := func() time.Time { ticks++; return t0.Add(time.Duration(ticks) * time.Second) }
	eng := &fakeEngine{}
	lim := &fakeLimiter{allow: allowed(600, 599)}
	m := newMW(t, bulwark.Config{Engine: eng, Limiter: lim}, Config{Now: clock})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/a", nil))
	}
	if len(eng.times) != 2 || len(lim.times) != 2 {
		t.Fatalf("engine told %d times, limiter %d, want 2 each", len(eng.times), len(lim.times))
	}
	for i := range 2 {
		if !eng.times[i].Equal(lim.times[i]) {
			t.Errorf("request %d: engine at %v, limiter at %v; want one reading", i, eng.times[i], lim.times[i])
		}
	}
	if !eng.times[1].After(eng.times[0]) {
		t.Errorf("second request at %v, not after the first at %v", eng.times[1], eng.times[0])
	}
	if ticks != 4 {
		t.Errorf("clock read %d times for 2 requests, want 4 (arrival and overhead)", ticks)
	}
}
