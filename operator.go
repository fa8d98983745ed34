package bulwark

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnsupported is returned by an operator handle the Guard's Engine,
// Limiter or Alerts does not offer (a custom one without the method).
var ErrUnsupported = errors.New("bulwark: not supported by this engine, limiter or publisher")

// Engine returns the Guard's engine; a *threat.Engine gives its models
// (Models: swap, roll back, shadow and canary slots) and its detectors'
// (Detector("anomaly"), Detector("behavior")).
func (g *Guard) Engine() Engine { return g.cfg.Engine }

// Limiter returns the Guard's limiter; a *ratelimit.Adaptive gives its
// breaker state (BreakerState) and its operator rules.
func (g *Guard) Limiter() Limiter { return g.cfg.Limiter }

// Alerts returns the Guard's alert publisher (nil without one); an
// *alerting.Dispatcher gives its Stats and takes silences.
func (g *Guard) Alerts() Publisher { return g.cfg.Alerts }

// Ban puts key in the penalty box for d, from now: every instance that
// shares the limiter's store refuses it.
func (g *Guard) Ban(ctx context.Context, key string, d time.Duration, reason string) error {
	if key == "" || d <= 0 {
		return fmt.Errorf("bulwark: Ban(%q, %v): a key and a positive duration are needed", key, d)
	}
	_, err := g.cfg.Limiter.Ban(ctx, key, d, reason, time.Now())
	return err
}

// Unban lifts key's penalty-box decision (ban or throttle).
func (g *Guard) Unban(ctx context.Context, key string) error {
	u, ok := g.cfg.Limiter.(interface {
		Unban(ctx context.Context, key string) error
	})
	if !ok {
		return ErrUnsupported
	}
	return u.Unban(ctx, key)
}

// SetRate changes a route group's rate at run time ("" for the base rate;
// the format is the limiter's, "100-M").
func (g *Guard) SetRate(group, rate string) error {
	s, ok := g.cfg.Limiter.(interface {
		SetRate(route, rate string) error
	})
	if !ok {
		return ErrUnsupported
	}
	return s.SetRate(group, rate)
}

// BreakerState returns the state of the limiter's store breakers
// ("closed", "half-open", "open", or "none" without a shared store).
func (g *Guard) BreakerState() string {
	if b, ok := g.cfg.Limiter.(interface{ BreakerState() string }); ok {
		return b.BreakerState()
	}
	return "none"
}
