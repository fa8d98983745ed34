// Package combiner holds the parameters of threat's Bayesian combiner in
// the form they are trained and stored in (JSON): threat.Model wraps them,
// and the training command (threat/standard/train) sets them.
package combiner

// Params are the combiner's parameters: a prior, one log likelihood ratio
// per rule learned from labelled data, how unknown rules and rules of one
// family count, and the score thresholds of the levels.
type Params struct {
	Version       string             `json:"version"`
	Prior         float64            `json:"prior"`          // prior log odds of an attack
	LLR           map[string]float64 `json:"llr"`            // rule id -> log likelihood ratio
	UnknownWeight float64            `json:"unknown_weight"` // scale of logit(confidence) for unknown rules
	FamilyDamping float64            `json:"family_damping"` // weight of the non-strongest rules of a family
	Consensus     float64            `json:"consensus"`      // log odds added per extra agreeing family
	Levels        [4]float64         `json:"levels"`         // score thresholds of low, medium, high, critical
	TrainedOn     string             `json:"trained_on,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"` // figures measured at training time
}

// Neutral are the parameters used when no trained model is configured:
// every rule is weighed by its detector's confidence.
func Neutral() Params {
	return Params{
		Version:       "neutral",
		Prior:         -3,
		UnknownWeight: 1,
		FamilyDamping: 0.3,
		Consensus:     1,
		Levels:        [4]float64{0.2, 0.5, 0.8, 0.95},
	}
}
