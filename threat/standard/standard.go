// Package standard assembles bulwark's default threat engine: every
// signature, behaviour and anomaly detector with the embedded default model.
package standard

import "github.com/bulwarkhq/bulwark/threat"

// CONTRACT STUB: the threat owner replaces this with the real default set.

// Config tunes the default engine. Its zero value is the default the
// middleware and examples/evaluate use.
type Config struct {
	Shadow bool
}

// New returns the default Engine.
func New(cfg Config) (*threat.Engine, error) { return threat.New(threat.Config{Shadow: cfg.Shadow}) }
