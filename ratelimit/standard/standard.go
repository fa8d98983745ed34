// Package standard assembles bulwark's default rate limiter: a
// ratelimit.Adaptive whose local store (the only store, or the fallback of
// a shared one) is a storage/memory store that the limiter owns and closes.
// Package ratelimit itself sees storage interfaces only.
//
//	lim, err := standard.New(standard.Config{Limiter: ratelimit.Config{Rate: "100-M"}})
//	defer lim.Close()
//	r, err := lim.AllowAt(ctx, clientKey, group, score, time.Now())
package standard

import (
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

// Config configures the default limiter. Its zero value is the limiter the
// middleware makes by default: 100-M per client, in memory.
type Config struct {
	// Limiter is the limiter's configuration. New sets its Local when nil.
	Limiter ratelimit.Config
	// Memory configures the local store (entry cap, shards, janitor).
	Memory memory.Config
}

// New returns a ratelimit.Adaptive on a new storage/memory store, or on
// cfg.Limiter.Local when set.
func New(cfg Config) (*ratelimit.Adaptive, error) {
	if cfg.Limiter.Local != nil {
		return ratelimit.New(cfg.Limiter)
	}
	local := memory.New(cfg.Memory)
	cfg.Limiter.Local = local
	a, err := ratelimit.New(cfg.Limiter)
	if err != nil {
		_ = local.Close()
		return nil, err
	}
	return a, nil
}
