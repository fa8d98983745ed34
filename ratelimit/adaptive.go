package ratelimit

import (
	"context"
	"time"
)

// CONTRACT STUB: the ratelimit owner replaces this file with the real
// Adaptive. The exported signatures below are what the middleware uses.

// Config configures an Adaptive limiter. Its zero value is safe: 100-M per
// client in memory.
type Config struct {
	Rate      string            // base rate, limiter format "100-M"
	Routes    map[string]string // route pattern or group -> base rate
	AllowList []string          // addresses and CIDRs that are never limited
}

// Adaptive is a threat-aware rate limiter.
type Adaptive struct{ cfg Config }

// New returns an Adaptive limiter.
func New(cfg Config) (*Adaptive, error) { return &Adaptive{cfg: cfg}, nil }

// Cached answers from the in-process decision cache only (no I/O): an
// active ban or throttle, or an allow-list entry, for key. ok is false when
// the cache knows nothing and Allow must be called.
func (a *Adaptive) Cached(key string, now time.Time) (r Result, ok bool) { return Result{}, false }

// Allow counts one request of key on route with the given threat score and
// answers. It makes at most one store round trip. Store errors never deny a
// request by themselves: the breaker falls back to local limits (or refuses
// when configured fail-closed); the error is returned for telemetry only.
func (a *Adaptive) Allow(ctx context.Context, key, route string, score float64) (Result, error) {
	return Result{Outcome: OutcomeAllow}, nil
}

// Close stops background work.
func (a *Adaptive) Close() error { return nil }
