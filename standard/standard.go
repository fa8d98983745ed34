// Package standard builds bulwark's defaults: a bulwark.Guard with the
// standard threat engine (threat/standard: every signature, behaviour and
// anomaly detector and the embedded combiner model) and an adaptive limiter
// on an in-memory store (ratelimit/standard), or on a shared store given.
// It is a package of its own so that a program that brings its own engine
// or limiter links neither.
//
//	guard, err := standard.New(standard.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer guard.Close()
//	mw, err := middleware.New(guard, middleware.Config{})
package standard

import (
	"errors"

	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	threatstandard "github.com/bulwarkhq/bulwark/threat/standard"
)

// Config configures the defaults. Its zero value is the default Guard.
type Config struct {
	// Guard configures the Guard itself (strictness, mode, routes, alerts);
	// its Engine and Limiter are filled here unless set.
	Guard bulwark.Config
	// Engine configures the standard engine (model, limits, weights,
	// disabled detectors).
	Engine threatstandard.Config
	// Limiter configures the limiter (rates, routes, allow-list, a shared
	// Store, the in-memory store's bounds).
	Limiter ratestandard.Config
	// MeterProvider, when set, receives the metrics of the Guard, the
	// engine and the limiter that have none of their own.
	MeterProvider metric.MeterProvider
}

// New returns a Guard with the standard engine and limiter, which its
// Close closes.
func New(cfg Config) (*bulwark.Guard, error) {
	gc := cfg.Guard
	if cfg.MeterProvider != nil {
		if gc.MeterProvider == nil {
			gc.MeterProvider = cfg.MeterProvider
		}
		if cfg.Engine.Engine.MeterProvider == nil {
			cfg.Engine.Engine.MeterProvider = cfg.MeterProvider
		}
		if cfg.Limiter.Limiter.MeterProvider == nil {
			cfg.Limiter.Limiter.MeterProvider = cfg.MeterProvider
		}
	}
	if gc.Engine == nil {
		e, err := threatstandard.New(cfg.Engine)
		if err != nil {
			return nil, err
		}
		gc.Engine = e
	}
	if gc.Limiter == nil {
		l, err := ratestandard.New(cfg.Limiter)
		if err != nil {
			return nil, errors.Join(err, closeIf(gc.Engine))
		}
		gc.Limiter = l
	}
	g, err := bulwark.New(gc)
	if err != nil {
		return nil, errors.Join(err, closeIf(gc.Engine), closeIf(gc.Limiter))
	}
	return g, nil
}

func closeIf(v any) error {
	if c, ok := v.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
