package chiroute_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark/middleware/chiroute"
)

func TestBefore(t *testing.T) {
	r := chi.NewRouter()
	r.Get("/users/{id}", func(http.ResponseWriter, *http.Request) {})
	r.Route("/api", func(r chi.Router) {
		r.Post("/login", func(http.ResponseWriter, *http.Request) {})
	})
	route := chiroute.Before(r)
	tests := []struct{ method, path, want string }{
		{http.MethodGet, "/users/42", "/users/{id}"},
		{http.MethodPost, "/api/login", "/api/login"},
		{http.MethodGet, "/api/login", ""},
		{http.MethodGet, "/nope", ""},
	}
	// three passes: routed, then answered from the remembered patterns,
	// which must keep methods and paths apart
	for pass := range 3 {
		for _, tt := range tests {
			if got := route(httptest.NewRequest(tt.method, tt.path, nil)); got != tt.want {
				t.Errorf("pass %d: %s %s: route = %q, want %q", pass, tt.method, tt.path, got, tt.want)
			}
		}
	}
	empty := httptest.NewRequest(http.MethodGet, "/users/7", nil)
	empty.Method = ""
	if got := route(empty); got != "/users/{id}" {
		t.Errorf("empty method: route = %q, want /users/{id}", got)
	}
	long := "/users/" + strings.Repeat("x", 300)
	for range 2 {
		if got := route(httptest.NewRequest(http.MethodGet, long, nil)); got != "/users/{id}" {
			t.Errorf("long path: route = %q", got)
		}
	}
}

func TestAfter(t *testing.T) {
	r := chi.NewRouter()
	var got string
	r.Get("/items/{id}", func(_ http.ResponseWriter, req *http.Request) { got = chiroute.After(req) })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/items/3", nil))
	if got != "/items/{id}" {
		t.Fatalf("After = %q", got)
	}
	if p := chiroute.After(httptest.NewRequest("GET", "/x", nil)); p != "" {
		t.Fatalf("After outside chi = %q", p)
	}
}
