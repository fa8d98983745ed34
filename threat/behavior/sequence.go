package behavior

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/bulwarkhq/bulwark/internal/sequence"
	"github.com/bulwarkhq/bulwark/threat"
)

// SequenceModel is a first-order Markov model over the shapes of request
// paths ("/users/{n}/orders"), trained from benign sessions: how likely
// each route is to follow the one before. It is an immutable, versioned
// artefact, encoded as JSON. ParseSequenceModel reads one,
// DefaultSequenceModel is the embedded one, and threat/anomaly/cmd/train
// trains them. A Holder of *SequenceModel swaps and rolls them back at run
// time (Detector.Sequences).
type SequenceModel struct{ m *sequence.Model }

// ParseSequenceModel decodes and validates a model from its JSON encoding;
// a bad or truncated artefact is an error wrapping threat.ErrBadModel.
func ParseSequenceModel(b []byte) (*SequenceModel, error) {
	m, err := sequence.Parse(b)
	if err != nil {
		return nil, err
	}
	return &SequenceModel{m}, nil
}

// Version names the model (set when it was trained).
func (m *SequenceModel) Version() string { return m.m.Version }

// Score returns the mean negative log-likelihood of a sequence of request
// paths and the number of transitions scored (transitions between two
// shapes the model does not know carry no evidence and are skipped). The
// Detector signals a client whose recent transitions score above the
// model's threshold, a high quantile of its training sessions' scores.
func (m *SequenceModel) Score(paths []string) (float64, int) { return m.m.Score(paths) }

// Hash returns the SHA-256 of the model's JSON encoding, hex-encoded: the
// name of its content, whatever its Version says.
func (m *SequenceModel) Hash() string { return m.m.Hash() }

// Validate checks m's structure (classes, log-probabilities, threshold);
// errors wrap threat.ErrBadModel. ParseSequenceModel has checked it
// already; a Holder checks again.
func (m *SequenceModel) Validate() error {
	if m == nil || m.m == nil {
		return fmt.Errorf("%w: nil sequence model", threat.ErrBadModel)
	}
	return m.m.Validate()
}

// MarshalJSON returns the model's artefact, which ParseSequenceModel reads
// back.
func (m *SequenceModel) MarshalJSON() ([]byte, error) { return json.Marshal(m.m) }

//go:embed sequence_default.json
var defaultSequence []byte

// DefaultSequenceModel decodes the embedded sequence model trained on the
// CSIC 2010 normal traffic (a fresh copy each call). It is tested: an error
// is a defect of the build.
func DefaultSequenceModel() (*SequenceModel, error) {
	return ParseSequenceModel(defaultSequence)
}
