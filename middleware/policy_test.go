package middleware

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
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

func (e *fakeEngine) AssessAt(r *http.Request, client, route string, now time.Time) threat.Assessment {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.assessed = append(e.assessed, client+"|"+route)
	e.times = append(e.times, now)
	return e.a
}

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
}

func (l *fakeLimiter) Cached(string, time.Time) (ratelimit.Result, bool) {
	if l.cached == nil {
		return ratelimit.Result{}, false
	}
	return *l.cached, true
}

func (l *fakeLimiter) AllowAt(_ context.Context, _ string, route string, score float64, now time.Time) (ratelimit.Result, error) {
	l.routes = append(l.routes, route)
	l.times = append(l.times, now)
	l.scores = append(l.scores, score)
	return l.allow, l.allowErr
}

type fakeAlerts struct{ events []alerting.Event }

func (a *fakeAlerts) Publish(e alerting.Event) bool { a.events = append(a.events, e); return true }

var t0 = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

func allowed(limit, remaining int64) ratelimit.Result {
	return ratelimit.Result{Outcome: ratelimit.OutcomeAllow, Limit: limit, Remaining: remaining, Reset: t0.Add(42 * time.Second)}
}

func TestPolicy(t *testing.T) {
	sqli := threat.Assessment{Score: 0.97, Level: threat.LevelCritical, Block: true,
		Reasons: []threat.Reason{{Detector: "sqli", Rule: "sqli.libinjection", Evidence: "s&1c"}}}
	suspicious := threat.Assessment{Score: 0.7, Level: threat.LevelHigh}
	banned := ratelimit.Result{Outcome: ratelimit.OutcomeBanned, RetryAfter: 10 * time.Minute, Reason: "penalty box"}
	allowListed := ratelimit.Result{Outcome: ratelimit.OutcomeAllowListed}
	limited := ratelimit.Result{Outcome: ratelimit.OutcomeLimited, Limit: 5, Remaining: 0, Reset: t0.Add(30 * time.Second), RetryAfter: 30 * time.Second, Reason: "rate limit"}
	throttled := limited
	throttled.Outcome = ratelimit.OutcomeThrottled

	tests := []struct {
		name        string
		mode        Mode
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
			wantStatus: 403, wantType: ProblemBlocked, wantLimit: "600", wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "over the limit", assess: threat.Assessment{Score: 0.1}, allow: limited,
			wantStatus: 429, wantType: ProblemRateLimited, wantRetry: "30", wantLimit: "5", wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindRateLimit}},
		{name: "throttled", assess: threat.Assessment{Score: 0.1}, allow: throttled,
			wantStatus: 429, wantType: ProblemThrottled, wantRetry: "30", wantLimit: "5", wantAssess: true, wantAlerts: []alerting.Kind{alerting.KindPenalty}},
		{name: "suspicious but allowed is alerted", assess: suspicious, allow: allowed(100, 50),
			wantStatus: 200, wantLimit: "100", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "banned in cache answered before scoring", assess: sqli, cached: &banned,
			wantStatus: 403, wantType: ProblemBanned, wantRetry: "600", wantAlerts: []alerting.Kind{alerting.KindPenalty}},
		{name: "allow-listed in cache passes unscored", assess: sqli, cached: &allowListed,
			wantStatus: 200, wantHandler: true},
		{name: "shadow lets an injection through", mode: ModeShadow, assess: sqli, allow: allowed(600, 598),
			wantStatus: 200, wantLimit: "600", wantAssess: true, wantHandler: true, wantAlerts: []alerting.Kind{alerting.KindThreat}},
		{name: "shadow lets a limited client through", mode: ModeShadow, assess: threat.Assessment{}, allow: limited,
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
			m := newMW(t, Config{
				Engine: eng, Limiter: lim, Alerts: al, Mode: tt.mode,
				Now:    func() time.Time { return t0 },
				Route:  ChiRoute(r),
				Routes: map[string]Route{"/preview": {Shadow: true}},
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
	m := newMW(t, Config{
		Engine: eng, Limiter: lim,
		Route:  ChiRoute(r),
		Routes: map[string]Route{"/login": {Group: "login"}},
	})
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
	m := newMW(t, Config{Engine: eng, Limiter: &fakeLimiter{allow: allowed(5, 4)}})
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
	lim := &fakeLimiter{allow: ratelimit.Result{Outcome: ratelimit.OutcomeAllow, Degraded: true}, allowErr: context.DeadlineExceeded}
	m := newMW(t, Config{Engine: &fakeEngine{}, Limiter: lim})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 204 {
		t.Errorf("status = %d, want the handler's 204 despite the store error", rec.Code)
	}
}

func TestTypedNilDependenciesAreDefaults(t *testing.T) {
	var eng *threat.Engine
	var disp *alerting.Dispatcher
	m := newMW(t, Config{Engine: eng, Alerts: disp})
	if m.ownEngine == nil || m.alerts != nil {
		t.Errorf("typed nil Engine/Alerts not treated as unset")
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
	m := newMW(t, Config{Engine: eng, Limiter: lim, Now: clock})
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
