package middleware

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/standard"
)

// newMW builds a middleware over a Guard of gc; a Guard without an engine
// or a limiter gets the standard ones.
func newMW(t testing.TB, gc bulwark.Config, cfg Config) *Middleware {
	t.Helper()
	g, err := standard.New(standard.Config{Guard: gc, MeterProvider: gc.MeterProvider})
	if err != nil {
		t.Fatalf("standard.New: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	m, err := New(g, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func TestHandlerSeesClientKey(t *testing.T) {
	m := newMW(t, bulwark.Config{}, Config{TrustedProxies: []string{"10.0.0.0/8"}})
	var gotKey string
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey = ClientKey(r.Context())
		w.WriteHeader(http.StatusTeapot)
	}))
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	r.RemoteAddr = "10.1.1.1:1234"
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.9")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusTeapot {
		t.Errorf("status = %d, want the handler's 418", rec.Code)
	}
	if gotKey != "203.0.113.9" {
		t.Errorf("ClientKey = %q, want 203.0.113.9", gotKey)
	}
}

func TestKeyFunc(t *testing.T) {
	m := newMW(t, bulwark.Config{}, Config{KeyFunc: func(r *http.Request) string {
		if k := r.Header.Get("X-Api-Key"); k != "" {
			return "apikey:" + k
		}
		return ""
	}})
	var got []string
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, ClientKey(r.Context()))
	}))
	for _, key := range []string{"abc", ""} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "203.0.113.1:1"
		if key != "" {
			r.Header.Set("X-Api-Key", key)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if len(got) != 2 || got[0] != "apikey:abc" || got[1] != "203.0.113.1" {
		t.Errorf("keys = %q, want [apikey:abc 203.0.113.1]", got)
	}
}

func TestSkip(t *testing.T) {
	r := chi.NewRouter()
	eng := &fakeEngine{}
	m := newMW(t, bulwark.Config{Engine: eng, Limiter: &fakeLimiter{allow: allowed(5, 4)},
		Routes: map[string]bulwark.Route{"/metrics": {Skip: true}}},
		Config{Skip: []string{"/healthz", "/static/"}, Pattern: chiroute.Before(r)})
	r.Use(m.Handler)
	called := false
	ok := func(w http.ResponseWriter, r *http.Request) { called = true }
	r.Get("/healthz", ok)
	r.Get("/static/*", ok)
	r.Get("/metrics", ok)
	r.Get("/api", ok)
	r.Get("/healthzx", ok)
	tests := []struct {
		path    string
		skipped bool
	}{
		{"/healthz", true},
		{"/static/app.js", true},
		{"/metrics", true}, // a skipped route
		{"/api", false},
		{"/healthzx", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			called = false
			before := len(eng.assessed)
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.RemoteAddr = "203.0.113.1:1"
			r.ServeHTTP(httptest.NewRecorder(), req)
			if !called {
				t.Fatal("handler not called")
			}
			if skipped := len(eng.assessed) == before; skipped != tt.skipped {
				t.Errorf("skipped = %v, want %v", skipped, tt.skipped)
			}
		})
	}
}

func TestServeMuxPattern(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
	route := ServeMuxPattern(mux)
	if got := route(httptest.NewRequest(http.MethodPost, "/login", nil)); got != "POST /login" {
		t.Errorf("route = %q, want POST /login", got)
	}
	if got := route(httptest.NewRequest(http.MethodGet, "/items/3", nil)); got != "GET /items/{id}" {
		t.Errorf("route = %q, want GET /items/{id}", got)
	}
}

func TestWriteProblem(t *testing.T) {
	tests := []struct {
		name   string
		p      problem
		retry  time.Duration
		status int
		after  string
	}{
		{"blocked", problemBlocked, 0, 403, ""},
		{"limited rounds up", problemRateLimited, 1500 * time.Millisecond, 429, "2"},
		{"banned", problemBanned, 10 * time.Minute, 403, "600"},
		{"throttled sub-second is 1", problemThrottled, time.Millisecond, 429, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeProblem(rec, tt.p, tt.retry)
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != problemContentType {
				t.Errorf("Content-Type = %q", ct)
			}
			if ra := rec.Header().Get("Retry-After"); ra != tt.after {
				t.Errorf("Retry-After = %q, want %q", ra, tt.after)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q is not JSON: %v", rec.Body, err)
			}
			if body["type"] != tt.p.typ || body["status"] != float64(tt.status) || body["title"] == "" || body["detail"] == "" {
				t.Errorf("body = %v", body)
			}
		})
	}
}

func TestStatusWriter(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    int
	}{
		{"explicit", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) }, 404},
		{"implicit 200 on write", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }, 200},
		{"informational then final", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(103); w.WriteHeader(502) }, 502},
		{"nothing written", func(http.ResponseWriter, *http.Request) {}, 0},
		{"flush via ResponseController", func(w http.ResponseWriter, _ *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush through Unwrap: %v", err)
			}
		}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			sw, ww := wrap(rec)
			tt.handler(ww, httptest.NewRequest(http.MethodGet, "/", nil))
			if sw.Status() != tt.want {
				t.Errorf("status = %d, want %d", sw.Status(), tt.want)
			}
			if u, ok := ww.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != rec {
				t.Error("Unwrap does not return the original writer")
			}
			release(sw, ww)
		})
	}
}
