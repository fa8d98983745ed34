package threat

import (
	"net/http"
	"time"
)

// CONTRACT STUB: the threat owner replaces this file with the real Engine.
// The exported signatures below are what the middleware and examples use.

// Config configures an Engine. Its zero value is safe.
type Config struct {
	Detectors []Detector
	Shadow    bool
}

// Engine scores requests.
type Engine struct{ cfg Config }

// New returns an Engine.
func New(cfg Config) (*Engine, error) { return &Engine{cfg: cfg}, nil }

// Assess builds the request view of r and scores it. client is the client
// key; route is the route pattern or group if known ("" otherwise). The body
// of r stays fully readable by the handler.
func (e *Engine) Assess(r *http.Request, client, route string) Assessment { return Assessment{} }

// Observe feeds the outcome of a request (its response status) back to the
// detectors that learn from it.
func (e *Engine) Observe(client, route string, status int, at time.Time) {}

// Close stops background work of the engine's detectors.
func (e *Engine) Close() error { return nil }
