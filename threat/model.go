package threat

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/bulwarkhq/bulwark/internal/combiner"
)

// Model holds the parameters of the Bayesian combiner: a prior, one log
// likelihood ratio per rule learned from labelled data, and the thresholds
// that turn a probability into a level. It is a small, versioned artefact,
// encoded as JSON (ParseModel reads one, Hash names its content,
// threat/standard/train trains them) that an Engine's Holder swaps at run
// time. Which
// score refuses a request is not the model's to say: that is the
// caller's strictness (bulwark.Strictness).
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
type Model struct{ p combiner.Params }

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
	for name, v := range map[string]float64{"prior": m.p.Prior, "unknown_weight": m.p.UnknownWeight,
		"family_damping": m.p.FamilyDamping, "consensus": m.p.Consensus} {
		if err := finite(name, v); err != nil {
			return err
		}
	}
	prev := 0.0
	for i, l := range m.p.Levels {
		if !(l > prev && l <= 1) {
			return fmt.Errorf("%w: levels[%d] = %v must increase within (0,1]", ErrBadModel, i, l)
		}
		prev = l
	}
	for rule, v := range m.p.LLR {
		if err := finite("llr["+rule+"]", v); err != nil {
			return err
		}
	}
	return nil
}

// ParseModel decodes and validates a JSON model; errors wrap ErrBadModel.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m.p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// neutralModel is the combiner used when no trained model is configured:
// every rule is weighed by its detector's confidence.
func neutralModel() *Model { return &Model{combiner.Neutral()} }

// Version names the model (set when it was trained; "neutral" for the
// model of an Engine configured without one).
func (m *Model) Version() string { return m.p.Version }

// MarshalJSON returns the model's artefact, which ParseModel reads back.
func (m *Model) MarshalJSON() ([]byte, error) { return json.Marshal(m.p) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// evidence is the contribution of one signal to the combined log odds.
func (m *Model) evidence(s Signal) float64 {
	if v, ok := m.p.LLR[s.Rule]; ok {
		return v
	}
	c := math.Min(math.Max(s.Confidence, 0), 1-1e-4)
	return -m.p.UnknownWeight * math.Log1p(-c)
}

// level maps a score to a Level.
func (m *Model) level(score float64) Level {
	switch {
	case score >= m.p.Levels[3]:
		return LevelCritical
	case score >= m.p.Levels[2]:
		return LevelHigh
	case score >= m.p.Levels[1]:
		return LevelMedium
	case score >= m.p.Levels[0]:
		return LevelLow
	}
	return LevelNone
}

// Hash returns the SHA-256 of the model's JSON encoding, hex-encoded: the
// name of its content, whatever its Version says.
func (m *Model) Hash() string {
	b, _ := json.Marshal(m.p) // a Model always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Combine turns signals into an Assessment with m and no weights, as an
// Engine would (training and callers that run detectors themselves use
// it); the five strongest reasons are kept.
func (m *Model) Combine(sigs []Signal) Assessment {
	return m.combine(sigs, nil, 5)
}

// combine is Combine with per-detector weights and a reason cap.
func (m *Model) combine(sigs []Signal, weights map[string]float64, maxReasons int) Assessment {
	if len(sigs) == 0 {
		return Assessment{Score: sigmoid(m.p.Prior), Level: m.level(sigmoid(m.p.Prior))}
	}
	type fam struct {
		name      string
		max, rest float64
	}
	var fams [8]fam
	nf := 0
	// evidence and order live on the stack for the usual handful of
	// signals; only the returned reasons are allocated
	var evBuf [32]float64
	var idxBuf [32]int
	ev := evBuf[:0]
	if len(sigs) > len(evBuf) {
		ev = make([]float64, 0, len(sigs))
	}
	ev = ev[:len(sigs)]
	for i, s := range sigs {
		ev[i] = m.evidence(s)
		if len(weights) > 0 {
			if w, ok := weights[s.Detector]; ok {
				ev[i] *= w
			}
		}
		// One rule counts once however many locations it fired at.
		for j := 0; j < i; j++ {
			if sigs[j].Rule == s.Rule && ev[j] != 0 {
				ev[j] = max(ev[j], ev[i])
				ev[i] = 0
				break
			}
		}
	}
	for i, s := range sigs {
		if ev[i] == 0 {
			continue
		}
		k := 0
		for k < nf && fams[k].name != s.Family {
			k++
		}
		if k == nf {
			if nf == len(fams) {
				k = nf - 1
			} else {
				fams[k] = fam{name: s.Family, max: ev[i]}
				nf++
				continue
			}
		}
		f := &fams[k]
		if ev[i] > f.max {
			f.rest += f.max
			f.max = ev[i]
		} else {
			f.rest += ev[i]
		}
	}
	logOdds := m.p.Prior
	agree := 0
	for _, f := range fams[:nf] {
		v := f.max + m.p.FamilyDamping*f.rest
		logOdds += v
		if v > 0 {
			agree++
		}
	}
	if agree > 1 {
		logOdds += m.p.Consensus * float64(agree-1)
	}
	score := sigmoid(logOdds)
	a := Assessment{Score: score, Level: m.level(score)}

	idx := idxBuf[:0]
	if len(sigs) > len(idxBuf) {
		idx = make([]int, 0, len(sigs))
	}
	for i := range sigs {
		if ev[i] != 0 {
			idx = append(idx, i)
		}
	}
	// stable, strongest evidence first
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(ev[y], ev[x]) })
	if len(idx) > maxReasons {
		idx = idx[:maxReasons]
	}
	a.Signals = make([]Signal, len(idx))
	for k, i := range idx {
		a.Signals[k] = sigs[i]
	}
	return a
}
