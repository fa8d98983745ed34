package chiroute_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark/middleware/chiroute"
)

// Before finds a request's route pattern from the router before the
// handler runs, which is what the middleware keys its per-route policies
// by; After reads the pattern chi recorded while routing.
func Example() {
	r := chi.NewRouter()
	before := chiroute.Before(r)
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			fmt.Println("before:", before(req))
			next.ServeHTTP(w, req)
			fmt.Println("after:", chiroute.After(req))
		})
	})
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {})

	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/42", nil))
	// Output:
	// before: /users/{id}
	// after: /users/{id}
}
