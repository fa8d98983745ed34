// Package chiroute finds the chi route pattern of a request for bulwark's
// middleware, before the handler runs (Before) and after it (After). It is
// a package of its own so that a plain net/http service does not link chi.
//
//	r := chi.NewRouter()
//	mw, err := middleware.New(guard, middleware.Config{Pattern: chiroute.Before(r), PatternAfter: chiroute.After})
//	r.Use(mw.Handler)
package chiroute

import (
	"hash/maphash"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/go-chi/chi/v5"
)

// Before returns a middleware.Config.Pattern function that finds the chi
// route pattern of a request ("/users/{id}") before the handler runs, so
// that per-route policies (bulwark.Config.Routes) apply even though chi
// runs Use middleware before routing. Pass the router the middleware is mounted on; it must be fully
// built before the first request. Unmatched requests get "". Patterns of
// recent method and path pairs are remembered (a bounded, lock-free table),
// so a path requested again is not routed twice.
func Before(routes chi.Routes) func(*http.Request) string {
	pool := sync.Pool{New: func() any { return chi.NewRouteContext() }}
	c := &routeCache{seed: maphash.MakeSeed()}
	return func(r *http.Request) string {
		path := r.URL.RawPath
		if path == "" {
			path = r.URL.Path
		}
		if path == "" {
			path = "/"
		}
		method := r.Method
		if method == "" {
			method = http.MethodGet // as net/http reads an empty method
		}
		slot := c.slot(method, path)
		if e := slot.Load(); e != nil && e.path == path && e.method == method {
			return e.pattern
		}
		rctx := pool.Get().(*chi.Context)
		rctx.Reset()
		pattern := routes.Find(rctx, method, path)
		pool.Put(rctx)
		if len(path) <= maxCachedPath {
			slot.Store(&routeEntry{method: method, path: path, pattern: pattern})
		}
		return pattern
	}
}

const (
	routeSlots    = 1024
	maxCachedPath = 256 // longer paths are routed every time
)

// routeCache is a direct-mapped table of immutable entries swapped
// atomically: a collision only evicts, and memory stays under
// routeSlots × maxCachedPath bytes.
type routeCache struct {
	seed  maphash.Seed
	slots [routeSlots]atomic.Pointer[routeEntry]
}

type routeEntry struct{ method, path, pattern string }

func (c *routeCache) slot(method, path string) *atomic.Pointer[routeEntry] {
	h := maphash.String(c.seed, path) ^ uint64(len(method))<<56 ^ uint64(method[0])<<48
	return &c.slots[h%routeSlots]
}

// After returns the route pattern chi recorded while routing r, or ""
// outside chi. chi completes the pattern only once the handler has run:
// it is a middleware.Config.PatternAfter function, which labels the
// feedback of requests whose pattern Before did not know.
func After(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil {
		return rctx.RoutePattern()
	}
	return ""
}
