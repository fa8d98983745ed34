// Package standard assembles bulwark's default threat engine: every
// signature, behaviour and anomaly detector, combined by the embedded,
// trained combiner model (model.json).
//
//	engine, err := standard.New(standard.Config{})
//	req := engine.Parse(r, clientKey, "", time.Now(), threat.Limits{})
//	a := engine.Assess(ctx, req)
//	engine.Release(req)
//
// The combiner model is trained on the labelled data of ../shared/data with
// one command, run from the repository root:
//
//	go run ./threat/standard/train -data ../shared/data -out threat/standard/model.json
//
// It learns one log likelihood ratio per rule from the training split
// (rows whose id hash falls outside the held-out fifth), picks the block
// threshold on that split and reports detection figures on the held-out
// rows. Evaluate any labelled set with the engine's default configuration:
//
//	go run ./examples/evaluate -data ../shared/data/requests-dev.jsonl.gz
package standard

import (
	_ "embed"
	"fmt"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

//go:embed model.json
var defaultModel []byte

// DefaultModel decodes the embedded combiner model (a fresh copy each
// call). It is tested: an error is a defect of the build, and New returns
// it rather than starting without a model.
func DefaultModel() (*threat.Model, error) {
	m, err := threat.ParseModel(defaultModel)
	if err != nil {
		return nil, fmt.Errorf("standard: embedded combiner model: %w", err)
	}
	return m, nil
}

// Config tunes the default engine. Its zero value is the default the
// middleware and examples/evaluate use.
type Config struct {
	// Model replaces the embedded combiner model.
	Model *threat.Model
	// Behavior configures the behavioural detector.
	Behavior behavior.Config
	// Engine carries the remaining engine settings (limits, weights,
	// disabled detectors, meter provider); its Detectors and Model fields
	// are set by New.
	Engine threat.Config
}

// Detectors returns the default detectors, in the order the engine runs
// them: signatures, then behaviour, then anomaly (which reads the
// behavioural profile the behaviour detector has just updated).
func Detectors(cfg Config) ([]threat.Detector, error) {
	sigs, err := signatureDetectors()
	if err != nil {
		return nil, err
	}
	b, err := behavior.New(cfg.Behavior)
	if err != nil {
		return nil, fmt.Errorf("standard: behavior: %w", err)
	}
	a, err := anomaly.New(anomaly.Config{Source: b})
	if err != nil {
		return nil, fmt.Errorf("standard: anomaly: %w", err)
	}
	return append(sigs, b, a), nil
}

// New returns the default Engine.
func New(cfg Config) (*threat.Engine, error) {
	dets, err := Detectors(cfg)
	if err != nil {
		return nil, err
	}
	ec := cfg.Engine
	ec.Detectors = dets
	ec.Model = cfg.Model
	if ec.Model == nil {
		if ec.Model, err = DefaultModel(); err != nil {
			return nil, err
		}
	}
	return threat.New(ec)
}
