// Package drift tells whether a distribution of threat scores has moved
// from its baseline (issue 15): a route whose scores shift has changed
// traffic, a changed application, or a model that no longer fits it, and
// a retrain may be due.
//
// Two statistics, over scores in [0, 1]:
//
//   - PSI, the population stability index over ten equal-width bins,
//     Σ (c−b)·ln(c/b) with each bin's share floored at 1e-4. The usual
//     reading, kept here: under 0.1 stable, 0.1 to 0.25 a moderate shift,
//     0.25 and over a significant one (Siddiqi 2006). Drift is PSI ≥ 0.25.
//   - The two-sample Kolmogorov–Smirnov statistic D with its asymptotic
//     p-value, for a test whose false-alarm rate is stated: Drift also
//     needs p < 0.01, so that a large PSI from a handful of scores does
//     not raise an incident.
//
// Both need at least MinSamples scores on each side.
//
//	r, _ := drift.Compare(baseline, current)
//	if r.Drift { ... raise an incident, schedule a retrain ... }
package drift

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Thresholds of Compare.
const (
	PSIThreshold = 0.25
	KSAlpha      = 0.01
	MinSamples   = 100
	bins         = 10
	floor        = 1e-4
)

// ErrFewSamples is returned when a side has fewer than MinSamples scores.
var ErrFewSamples = errors.New("drift: too few scores")

// Report is the comparison of a current distribution with its baseline.
type Report struct {
	PSI   float64
	KS    float64 // the KS statistic D
	P     float64 // its asymptotic p-value
	Drift bool    // PSI ≥ PSIThreshold and P < KSAlpha
	// Baseline and Current are each side's share per bin of 0.1.
	Baseline, Current [bins]float64
	N, M              int
}

// Compare compares current with baseline. Scores outside [0,1] and NaN
// are clamped or dropped.
func Compare(baseline, current []float64) (Report, error) {
	b, c := clean(baseline), clean(current)
	r := Report{N: len(b), M: len(c)}
	if len(b) < MinSamples || len(c) < MinSamples {
		return r, fmt.Errorf("%w: %d baseline and %d current, want %d each", ErrFewSamples, len(b), len(c), MinSamples)
	}
	r.Baseline, r.Current = shares(b), shares(c)
	for i := range bins {
		bs, cs := math.Max(r.Baseline[i], floor), math.Max(r.Current[i], floor)
		r.PSI += (cs - bs) * math.Log(cs/bs)
	}
	r.KS = ks(b, c)
	r.P = ksP(r.KS, len(b), len(c))
	r.Drift = r.PSI >= PSIThreshold && r.P < KSAlpha
	return r, nil
}

// clean drops NaN, clamps to [0,1] and sorts a copy.
func clean(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, math.Max(0, math.Min(1, x)))
		}
	}
	slices.Sort(out)
	return out
}

func shares(xs []float64) (s [bins]float64) {
	for _, x := range xs {
		s[min(int(x*bins), bins-1)]++
	}
	for i := range s {
		s[i] /= float64(len(xs))
	}
	return s
}

// ks is the largest gap between the two empirical CDFs (both sorted).
func ks(a, b []float64) float64 {
	i, j, d := 0, 0, 0.0
	for i < len(a) && j < len(b) {
		x := math.Min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return d
}

// ksP is the asymptotic p-value of D for samples of n and m (Kolmogorov's
// distribution with Stephens' small-sample correction).
func ksP(d float64, n, m int) float64 {
	ne := float64(n) * float64(m) / float64(n+m)
	sq := math.Sqrt(ne)
	lambda := (sq + 0.12 + 0.11/sq) * d
	if lambda < 1e-3 {
		return 1
	}
	p := 0.0
	for k := 1; k <= 100; k++ {
		term := 2 * math.Pow(-1, float64(k-1)) * math.Exp(-2*float64(k*k)*lambda*lambda)
		p += term
		if math.Abs(term) < 1e-12 {
			break
		}
	}
	return math.Max(0, math.Min(1, p))
}
