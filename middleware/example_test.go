package middleware_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/standard"
)

func Example() {
	guard, err := standard.New(standard.Config{}) // the standard engine, an in-memory limiter
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()
	mw, err := middleware.New(guard, middleware.Config{
		TrustedProxies: []string{"10.0.0.0/8"}, // the load balancer
		Skip:           []string{"/healthz"},
	})
	if err != nil {
		log.Fatal(err)
	}

	r := chi.NewRouter()
	r.Use(mw.Handler)
	r.Get("/whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, middleware.ClientKey(r.Context()))
	})

	req := httptest.NewRequest(http.MethodGet, "/whoami", nil)
	req.RemoteAddr = "10.0.3.4:51000"                              // the load balancer
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 2001:db8:1:2::77") // a client prepended 6.6.6.6
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output: 200 2001:db8:1:2::/64
}

// Per-route policies are the Guard's; the middleware finds the route.
func Example_routes() {
	guard, err := standard.New(standard.Config{Guard: bulwark.Config{
		Routes: map[string]bulwark.Route{
			"/login":       {Group: "login", CountBy: "user", Strictness: &bulwark.Strict}, // the limiter's rate for "login" applies
			"/users/{id}":  {Shadow: true},                                                 // score and alert, never refuse
			"/metrics":     {Skip: true},
			"/admin/debug": {Group: "login"},
		},
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()
	r := chi.NewRouter()
	mw, err := middleware.New(guard, middleware.Config{Pattern: chiroute.Before(r), PatternAfter: chiroute.After})
	if err != nil {
		log.Fatal(err)
	}
	r.Use(mw.Handler)
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {})
	fmt.Println("ok")
	// Output: ok
}
