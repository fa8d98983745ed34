package middleware

import (
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"
)

// ChiRoute returns a Config.Route function that finds the chi route
// pattern of a request ("/users/{id}") before the handler runs, so that
// per-route overrides apply even though chi runs Use middleware before
// routing. Pass the router the middleware is mounted on; it must be fully
// built before the first request. Unmatched requests get "".
func ChiRoute(routes chi.Routes) func(*http.Request) string {
	pool := sync.Pool{New: func() any { return chi.NewRouteContext() }}
	return func(r *http.Request) string {
		rctx := pool.Get().(*chi.Context)
		rctx.Reset()
		path := r.URL.RawPath
		if path == "" {
			path = r.URL.Path
		}
		if path == "" {
			path = "/"
		}
		pattern := routes.Find(rctx, r.Method, path)
		pool.Put(rctx)
		return pattern
	}
}

// ServeMuxRoute returns a Config.Route function that finds the
// http.ServeMux pattern of a request ("POST /login", "/api/") before the
// handler runs. Unmatched requests get "".
func ServeMuxRoute(mux *http.ServeMux) func(*http.Request) string {
	return func(r *http.Request) string {
		_, pattern := mux.Handler(r)
		return pattern
	}
}

// routeAfter returns the route pattern chi recorded while routing r, or ""
// outside chi. chi completes the pattern only once the handler has run.
func routeAfter(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil {
		return rctx.RoutePattern()
	}
	return ""
}
