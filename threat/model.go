package threat

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrBadModel is returned when a combiner model fails validation.
var ErrBadModel = errors.New("threat: invalid model")

// Model holds the parameters of the Bayesian combiner: a prior, one log
// likelihood ratio per rule learned from labelled data, and the thresholds
// that turn a probability into a level and a verdict. It is a small,
// versioned artefact (JSON) that can be swapped at run time.
//
// The combiner treats each rule as evidence. A rule the model has learned
// contributes its learned log likelihood ratio (LLR); an unknown rule
// contributes the logit of the detector's own confidence, scaled by
// UnknownWeight, so new detectors work before they are trained: a
// confidence c counts as -ln(1-c) (0.5 -> 0.7, 0.9 -> 2.3, 0.99 -> 4.6), so a
// weak hint adds a little and never counts against the request. Within one
// family the strongest rule counts fully and the others are damped by
// FamilyDamping (rules of one family are correlated, naive Bayes would
// count them twice); families that agree add Consensus.
type Model struct {
	Version        string             `json:"version"`
	Prior          float64            `json:"prior"`           // prior log odds of an attack
	LLR            map[string]float64 `json:"llr"`             // rule id -> log likelihood ratio
	UnknownWeight  float64            `json:"unknown_weight"`  // scale of logit(confidence) for unknown rules
	FamilyDamping  float64            `json:"family_damping"`  // weight of the non-strongest rules of a family
	Consensus      float64            `json:"consensus"`       // log odds added per extra agreeing family
	BlockThreshold float64            `json:"block_threshold"` // score at or above which the default verdict blocks
	Levels         [4]float64         `json:"levels"`          // score thresholds of low, medium, high, critical
	TrainedOn      string             `json:"trained_on,omitempty"`
	Metrics        map[string]float64 `json:"metrics,omitempty"` // figures measured at training time
}

// Validate reports whether m can be used.
func (m *Model) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil", ErrBadModel)
	}
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s is not finite", ErrBadModel, name)
		}
		return nil
	}
	for name, v := range map[string]float64{"prior": m.Prior, "unknown_weight": m.UnknownWeight,
		"family_damping": m.FamilyDamping, "consensus": m.Consensus} {
		if err := finite(name, v); err != nil {
			return err
		}
	}
	if !(m.BlockThreshold > 0 && m.BlockThreshold <= 1) {
		return fmt.Errorf("%w: block_threshold %v not in (0,1]", ErrBadModel, m.BlockThreshold)
	}
	prev := 0.0
	for i, l := range m.Levels {
		if !(l > prev && l <= 1) {
			return fmt.Errorf("%w: levels[%d] = %v must increase within (0,1]", ErrBadModel, i, l)
		}
		prev = l
	}
	for rule, v := range m.LLR {
		if err := finite("llr["+rule+"]", v); err != nil {
			return err
		}
	}
	return nil
}

// ParseModel decodes and validates a JSON model.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// NeutralModel is the combiner used when no trained model is configured:
// every rule is weighed by its detector's confidence.
func NeutralModel() *Model {
	return &Model{
		Version:        "neutral",
		Prior:          -3,
		UnknownWeight:  1,
		FamilyDamping:  0.3,
		Consensus:      1,
		BlockThreshold: 0.8,
		Levels:         [4]float64{0.2, 0.5, 0.8, 0.95},
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Evidence is the contribution of one signal to the combined log odds.
func (m *Model) Evidence(s Signal) float64 {
	if v, ok := m.LLR[s.Rule]; ok {
		return v
	}
	c := math.Min(math.Max(s.Confidence, 0), 1-1e-4)
	return -m.UnknownWeight * math.Log1p(-c)
}

// level maps a score to a Level.
func (m *Model) level(score float64) Level {
	switch {
	case score >= m.Levels[3]:
		return LevelCritical
	case score >= m.Levels[2]:
		return LevelHigh
	case score >= m.Levels[1]:
		return LevelMedium
	case score >= m.Levels[0]:
		return LevelLow
	}
	return LevelNone
}
