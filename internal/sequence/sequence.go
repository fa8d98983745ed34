// Package sequence is the route-sequence model of threat/behavior in the
// form it is trained and stored in: a first-order Markov model over path
// shapes, Train, and the scoring the behaviour detector runs.
// threat/behavior wraps a Model; the training command
// (threat/anomaly/cmd/train) builds one.
package sequence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/bulwarkhq/bulwark/threat"
)

// MaxClasses bounds the vocabulary of a Model, "other" included.
const MaxClasses = 255

// maxModelBytes bounds a serialised Model.
const maxModelBytes = 4 << 20

// errBadModel is threat.ErrBadModel, which an invalid or truncated
// sequence model wraps.
var errBadModel = threat.ErrBadModel

// Model is a first-order Markov model over path shapes (see Shape),
// trained from benign request sequences. Class 0 is "other": every shape
// outside the trained vocabulary. It is an immutable, serialisable artefact.
type Model struct {
	Version   string    `json:"version"`
	TrainedAt time.Time `json:"trained_at"`
	Classes   []string  `json:"classes"`  // shapes; Classes[0] == "other"
	LogProb   []float64 `json:"log_prob"` // row-major K×K: log P(next | prev)
	// Threshold is the mean negative log-likelihood over a client's recent
	// transitions above which the sequence is unlikely (a high quantile of
	// the training sessions' scores).
	Threshold float64 `json:"threshold"`

	index map[uint64]uint8
}

// Config tunes Train. Its zero value is usable.
type Config struct {
	Version     string  // default "seq-" + training time
	MaxClasses  int     // default and cap MaxClasses
	Alpha       float64 // additive smoothing, default 0.5
	Quantile    float64 // threshold quantile of session scores, default 0.99
	MinSessions int     // default 1
}

// Train trains a Model from sessions of request paths, in order. The most
// frequent shapes form the vocabulary.
func Train(sessions [][]string, cfg Config) (*Model, error) {
	if cfg.MaxClasses <= 1 || cfg.MaxClasses > MaxClasses {
		cfg.MaxClasses = MaxClasses
	}
	if cfg.Alpha <= 0 {
		cfg.Alpha = 0.5
	}
	if cfg.Quantile <= 0 || cfg.Quantile >= 1 {
		cfg.Quantile = 0.99
	}
	freq := map[string]int{}
	shaped := make([][]string, 0, len(sessions))
	transitions := 0
	for _, s := range sessions {
		sh := make([]string, len(s))
		for i, p := range s {
			sh[i] = Shape(p)
			freq[sh[i]]++
		}
		if len(sh) > 1 {
			transitions += len(sh) - 1
			shaped = append(shaped, sh)
		}
	}
	if len(shaped) < max(cfg.MinSessions, 1) || transitions == 0 {
		return nil, errors.New("sequence: no transitions to train on")
	}
	names := make([]string, 0, len(freq))
	for k := range freq {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if freq[names[i]] != freq[names[j]] {
			return freq[names[i]] > freq[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > cfg.MaxClasses-1 {
		names = names[:cfg.MaxClasses-1]
	}
	now := time.Now().UTC()
	m := &Model{Version: cfg.Version, TrainedAt: now, Classes: append([]string{"other"}, names...)}
	if m.Version == "" {
		m.Version = "seq-" + now.Format("20060102T150405Z")
	}
	m.build()
	k := len(m.Classes)
	counts := make([]float64, k*k)
	for _, s := range shaped {
		for i := 1; i < len(s); i++ {
			counts[int(m.classOfShape(s[i-1]))*k+int(m.classOfShape(s[i]))]++
		}
	}
	m.LogProb = make([]float64, k*k)
	for a := 0; a < k; a++ {
		row := counts[a*k : (a+1)*k]
		total := 0.0
		for _, c := range row {
			total += c
		}
		for b := range row {
			m.LogProb[a*k+b] = math.Log((row[b] + cfg.Alpha) / (total + cfg.Alpha*float64(k)))
		}
	}
	scores := make([]float64, 0, len(shaped))
	var cls []uint8
	for _, s := range shaped {
		cls = cls[:0]
		for _, p := range s {
			cls = append(cls, m.classOfShape(p))
		}
		if v, n := m.ScoreClasses(cls); n > 0 {
			scores = append(scores, v)
		}
	}
	if len(scores) == 0 {
		return nil, errors.New("sequence: no scorable session")
	}
	sort.Float64s(scores)
	m.Threshold = stat.Quantile(cfg.Quantile, stat.Empirical, scores, nil) + 0.5
	return m, nil
}

func (m *Model) build() {
	m.index = make(map[uint64]uint8, len(m.Classes))
	for i, c := range m.Classes {
		if i == 0 {
			continue
		}
		m.index[fnv64([]byte(c))] = uint8(i)
	}
}

func (m *Model) classOfShape(shape string) uint8 { return m.index[fnv64([]byte(shape))] }

// Class returns the class index of a request path (0 for "other").
func (m *Model) Class(path string) uint8 { return m.index[ShapeHash(path)] }

// ScoreClasses returns the mean negative log-likelihood of the transitions
// of cls that touch at least one known class, and how many were scored.
func (m *Model) ScoreClasses(cls []uint8) (float64, int) {
	k := len(m.Classes)
	sum, n := 0.0, 0
	for i := 1; i < len(cls); i++ {
		a, b := int(cls[i-1]), int(cls[i])
		if a == 0 && b == 0 || a >= k || b >= k {
			continue
		}
		sum -= m.LogProb[a*k+b]
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// Score returns the mean negative log-likelihood of a sequence of paths and
// the number of transitions scored (transitions between two unknown shapes
// carry no evidence and are skipped).
func (m *Model) Score(paths []string) (float64, int) {
	cls := make([]uint8, len(paths))
	for i, p := range paths {
		cls[i] = m.Class(p)
	}
	return m.ScoreClasses(cls)
}

// Parse decodes a model from its JSON encoding (json.Marshal of a Model)
// and validates it; a bad or truncated artefact is an error wrapping
// threat.ErrBadModel.
func Parse(b []byte) (*Model, error) {
	if len(b) > maxModelBytes {
		return nil, fmt.Errorf("%w: %d bytes", errBadModel, len(b))
	}
	m := new(Model)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadModel, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.build()
	return m, nil
}

// Hash returns the SHA-256 of the model's JSON encoding, hex-encoded: the
// name of its content, whatever its Version says.
func (m *Model) Hash() string {
	b, _ := json.Marshal(m) // a Model always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Validate checks m's structure (classes, log-probabilities, threshold);
// errors wrap threat.ErrBadModel.
func (m *Model) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil sequence model", errBadModel)
	}
	k := len(m.Classes)
	switch {
	case m.Version == "":
		return fmt.Errorf("%w: no version", errBadModel)
	case k < 2 || k > MaxClasses || m.Classes[0] != "other":
		return fmt.Errorf("%w: %d classes", errBadModel, k)
	case len(m.LogProb) != k*k:
		return fmt.Errorf("%w: %d log-probabilities for %d classes", errBadModel, len(m.LogProb), k)
	case math.IsNaN(m.Threshold) || m.Threshold <= 0 || m.Threshold > 1e3:
		return fmt.Errorf("%w: threshold %v", errBadModel, m.Threshold)
	}
	seen := make(map[string]bool, k)
	for _, c := range m.Classes {
		if seen[c] {
			return fmt.Errorf("%w: duplicate class %q", errBadModel, c)
		}
		seen[c] = true
	}
	for _, p := range m.LogProb {
		if math.IsNaN(p) || p > 0 || p < -1e3 {
			return fmt.Errorf("%w: log-probability %v", errBadModel, p)
		}
	}
	return nil
}
