package anomaly

import (
	"encoding/json"
	"fmt"

	"github.com/bulwarkhq/bulwark/internal/forest"
	"github.com/bulwarkhq/bulwark/threat"
)

// Model is an isolation forest trained on benign clients' feature vectors,
// with the robust statistics of its training data: a versioned, immutable
// artefact, encoded as JSON. ParseModel reads one, DefaultModel is the
// embedded one, and threat/anomaly/cmd/train trains them. A Holder of
// *Model swaps and rolls them back at run time (Detector.Models).
type Model struct{ f *forest.Model }

// ParseModel decodes and validates a model from its JSON encoding; errors
// wrap threat.ErrBadModel. A bad or truncated artefact is an error, never
// a panic.
func ParseModel(b []byte) (*Model, error) {
	f, err := forest.Parse(b)
	if err != nil {
		return nil, err
	}
	return &Model{f}, nil
}

// Version names the model (set when it was trained).
func (m *Model) Version() string { return m.f.Version }

// Score returns the isolation-forest anomaly score of a feature vector in
// (0,1]: close to 1 for outliers, well under 0.5 for inliers. The Detector
// signals a client whose score passes the model's threshold, a high
// quantile of its training scores. x must have one entry a feature of
// the model; Score returns 0 otherwise. It allocates nothing.
func (m *Model) Score(x []float64) float64 { return m.f.Score(x) }

// Hash returns the SHA-256 of the model's JSON encoding, hex-encoded: the
// name of its content, whatever its Version says.
func (m *Model) Hash() string { return m.f.Hash() }

// Validate checks the structure of m: every tree index in range, acyclic,
// finite values. ParseModel has checked it already; a Holder checks again.
func (m *Model) Validate() error {
	if m == nil || m.f == nil {
		return fmt.Errorf("%w: nil", threat.ErrBadModel)
	}
	return m.f.Validate()
}

// MarshalJSON returns the model's artefact, which ParseModel reads back.
func (m *Model) MarshalJSON() ([]byte, error) { return json.Marshal(m.f) }
