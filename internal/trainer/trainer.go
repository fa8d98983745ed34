// Package trainer fits the combiner model (threat.Model) from labelled
// examples, tunes its hyperparameters within a time budget, and reports a
// candidate against the current model on the same held-back window
// (issue 15). threat/standard/train uses it for the embedded model; the
// control plane's retrain (examples/controlplane/internal/server,
// retrain.go) uses it on the events its operators labelled.
//
// Fitting. For each rule r, the log likelihood ratio is estimated with
// add-one smoothing from the training attacks and benign examples it
// fired on, then shrunk toward the rule's confidence-based prior evidence
// in proportion to how little support it has (support examples give the
// data half the say), and clipped to [MinLLR, MaxLLR]. The prior then
// moves so that Block (the default strictness's block score) lets at most
// TargetFPR of the training benign examples through.
//
// Validation is on time, never at random: the newest HoldOut share of the
// examples (by Example.Time) is held back, the rest trains. Random search
// draws hyperparameters (support, MaxLLR, TargetFPR) until the budget is
// spent and keeps the candidate with the best held-back TPR among those
// whose held-back FPR is no worse than the current model's (or the
// lowest FPR if none is).
package trainer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/bulwarkhq/bulwark/internal/combiner"
	"github.com/bulwarkhq/bulwark/threat"
)

// Example is one labelled request: the signals the detectors gave it.
type Example struct {
	Time     time.Time
	Signals  []threat.Signal
	Attack   bool
	Category string // the family (attacks) or the source (benign), for the report
	Held     bool   // set by Split, or by the caller (held-out examples never train)
}

// Hyper are the fitting's hyperparameters.
type Hyper struct {
	Support   float64 // examples at which the data gets half the say (default 200)
	MaxLLR    float64 // clip (default 8)
	MinLLR    float64 // clip (default −3)
	TargetFPR float64 // on the training benign examples (default 0.0003)
	Block     float64 // the score that refuses (default 0.8, bulwark.DefaultStrictness)
}

// Defaults are the hyperparameters of the embedded model.
var Defaults = Hyper{Support: 200, MaxLLR: 8, MinLLR: -3, TargetFPR: 0.0003, Block: 0.8}

// Fit fits the combiner's parameters on the examples not Held, from base
// (its levels, unknown weight, damping and consensus are kept).
func Fit(examples []Example, base combiner.Params, h Hyper) (combiner.Params, error) {
	m := base
	m.LLR = map[string]float64{}
	m.Metrics = nil
	var nA, nB float64
	fireA, fireB, conf := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for i := range examples {
		s := &examples[i]
		if s.Held {
			continue
		}
		if s.Attack {
			nA++
		} else {
			nB++
		}
		seen := map[string]bool{}
		for _, sig := range s.Signals {
			if seen[sig.Rule] {
				continue
			}
			seen[sig.Rule] = true
			if s.Attack {
				fireA[sig.Rule]++
			} else {
				fireB[sig.Rule]++
			}
			conf[sig.Rule] += sig.Confidence
		}
	}
	if nA == 0 || nB == 0 {
		return m, errors.New("trainer: need attacks and benign examples to train on")
	}
	rules := map[string]bool{}
	for r := range fireA {
		rules[r] = true
	}
	for r := range fireB {
		rules[r] = true
	}
	for r := range rules {
		a, b := fireA[r], fireB[r]
		n := a + b
		data := math.Log((a+1)/(nA+2)) - math.Log((b+1)/(nB+2))
		c := math.Min(conf[r]/n, 1-1e-4)
		prior := -m.UnknownWeight * math.Log1p(-c)
		w := n / (n + h.Support)
		m.LLR[r] = math.Max(h.MinLLR, math.Min(h.MaxLLR, w*data+(1-w)*prior))
	}
	// The lowest threshold that keeps the training benign examples under
	// TargetFPR, never below Block: when it is above, the prior moves down
	// by the difference in log-odds, so that Block refuses what that
	// threshold would.
	model, err := Model(m)
	if err != nil {
		return m, err
	}
	var benign []float64
	for i := range examples {
		if s := &examples[i]; !s.Held && !s.Attack {
			benign = append(benign, model.Combine(s.Signals).Score)
		}
	}
	slices.Sort(benign)
	allowed := int(h.TargetFPR * float64(len(benign)))
	th := math.Min(0.99, benign[len(benign)-1-allowed]+1e-9)
	if th > h.Block {
		m.Prior -= logit(th) - logit(h.Block)
	}
	return m, nil
}

// Model is the validated model of parameters p.
func Model(p combiner.Params) (*threat.Model, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return threat.ParseModel(b)
}

// Params are the parameters of m.
func Params(m *threat.Model) (combiner.Params, error) {
	var p combiner.Params
	b, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	return p, err
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// Split marks the newest share of the examples (by Time) Held.
func Split(examples []Example, share float64) {
	if len(examples) == 0 {
		return
	}
	times := make([]time.Time, len(examples))
	for i := range examples {
		times[i] = examples[i].Time
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	cut := times[min(len(times)-1, int(float64(len(times))*(1-share)))]
	for i := range examples {
		examples[i].Held = !examples[i].Time.Before(cut)
	}
}

// Eval is a model's record on the held-back examples at a block score.
type Eval struct {
	TPR, FPR  float64
	Attacks   int
	Benign    int
	PerFamily map[string]float64 // share refused per Example.Category
	// ECE is the expected calibration error over ten score bins: how far
	// the scores are from the attack frequencies they claim. Brier is the
	// mean squared error of the score as a probability.
	ECE, Brier float64
	// MeanNs is the mean time of one Combine, in nanoseconds.
	MeanNs float64
}

// Evaluate measures m on the Held examples.
func Evaluate(m *threat.Model, examples []Example, block float64) Eval {
	e := Eval{PerFamily: map[string]float64{}}
	var tp, fp float64
	var bins [10][2]float64 // per score bin: examples, attacks
	var binScore [10]float64
	cat := map[string][2]float64{}
	start := time.Now()
	n := 0
	for i := range examples {
		s := &examples[i]
		if !s.Held {
			continue
		}
		n++
		score := m.Combine(s.Signals).Score
		refused := score >= block
		if s.Attack {
			e.Attacks++
			if refused {
				tp++
			}
		} else {
			e.Benign++
			if refused {
				fp++
			}
		}
		c := cat[s.Category]
		c[0]++
		if refused {
			c[1]++
		}
		cat[s.Category] = c
		b := min(int(score*10), 9)
		bins[b][0]++
		binScore[b] += score
		y := 0.0
		if s.Attack {
			y = 1
			bins[b][1]++
		}
		e.Brier += (score - y) * (score - y)
	}
	if n == 0 {
		return e
	}
	e.MeanNs = float64(time.Since(start).Nanoseconds()) / float64(n)
	e.TPR = tp / math.Max(1, float64(e.Attacks))
	e.FPR = fp / math.Max(1, float64(e.Benign))
	e.Brier /= float64(n)
	for b := range bins {
		if bins[b][0] > 0 {
			e.ECE += bins[b][0] / float64(n) * math.Abs(binScore[b]/bins[b][0]-bins[b][1]/bins[b][0])
		}
	}
	for k, c := range cat {
		e.PerFamily[k] = c[1] / c[0]
	}
	return e
}

// Config bounds a tuning run.
type Config struct {
	Budget  time.Duration // default 30s
	HoldOut float64       // the newest share held back, default 0.2 (ignored when examples are already marked Held)
	Seed    uint64
	Version string // of the candidate; default "trained-<date>"
}

// Report is a tuning run's outcome: the candidate, and both models on the
// same held-back window.
type Report struct {
	Candidate *threat.Model
	Hyper     Hyper
	Cand, Cur Eval
	Tried     int
	Elapsed   time.Duration
	// NotWorse is whether the candidate's held-back FPR is no higher than
	// the current model's and its TPR no lower (the promotion rule's
	// precondition; the lifecycle decides the rest on live traffic).
	NotWorse bool
}

// Tune fits candidates by random search over the hyperparameters within
// cfg.Budget (Defaults first) and reports the best against current.
func Tune(ctx context.Context, examples []Example, current *threat.Model, cfg Config) (*Report, error) {
	if cfg.Budget <= 0 {
		cfg.Budget = 30 * time.Second
	}
	if cfg.HoldOut <= 0 || cfg.HoldOut >= 1 {
		cfg.HoldOut = 0.2
	}
	if cfg.Version == "" {
		cfg.Version = "trained-" + time.Now().UTC().Format("20060102")
	}
	if !slices.ContainsFunc(examples, func(e Example) bool { return e.Held }) {
		Split(examples, cfg.HoldOut)
	}
	cp, err := Params(current)
	if err != nil {
		return nil, err
	}
	// fit from the neutral parameters with the current model's levels, as
	// threat/standard/train does: nothing of the current model's prior or
	// weights carries over
	base := combiner.Neutral()
	base.Version, base.Levels = cfg.Version, cp.Levels
	r := &Report{Cur: Evaluate(current, examples, Defaults.Block)}
	if r.Cur.Attacks == 0 || r.Cur.Benign == 0 {
		return nil, errors.New("trainer: the held-back window needs attacks and benign examples")
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7a1))
	deadline := time.Now().Add(cfg.Budget)
	start := time.Now()
	var best *threat.Model
	var bestEval Eval
	better := func(e Eval) bool {
		if best == nil {
			return true
		}
		okE, okB := e.FPR <= r.Cur.FPR, bestEval.FPR <= r.Cur.FPR
		switch {
		case okE != okB:
			return okE
		case okE:
			return e.TPR > bestEval.TPR || e.TPR == bestEval.TPR && e.FPR < bestEval.FPR
		default:
			return e.FPR < bestEval.FPR
		}
	}
	for h := Defaults; ; h = draw(rng) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := Fit(examples, base, h)
		if err != nil {
			return nil, err
		}
		m, err := Model(p)
		if err != nil {
			return nil, fmt.Errorf("trainer: candidate %+v: %w", h, err)
		}
		e := Evaluate(m, examples, h.Block)
		r.Tried++
		if better(e) {
			best, bestEval, r.Hyper = m, e, h
		}
		if time.Now().After(deadline) {
			break
		}
	}
	r.Candidate, r.Cand, r.Elapsed = best, bestEval, time.Since(start)
	r.NotWorse = r.Cand.FPR <= r.Cur.FPR && r.Cand.TPR >= r.Cur.TPR
	return r, nil
}

// draw samples hyperparameters: support log-uniform in [20, 2000], MaxLLR
// in [4, 12], TargetFPR log-uniform in [1e-4, 3e-3].
func draw(rng *rand.Rand) Hyper {
	h := Defaults
	h.Support = 20 * math.Pow(100, rng.Float64())
	h.MaxLLR = 4 + 8*rng.Float64()
	h.TargetFPR = 1e-4 * math.Pow(30, rng.Float64())
	return h
}
