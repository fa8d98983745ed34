package series

import (
	"math"
	"slices"
)

// tail estimates how rare a non-negative statistic is among its recent
// values: below their 98th percentile by its rank, above it by a
// generalised Pareto distribution fitted to the excesses (peaks over
// threshold, Pickands 1975; streaming, as in SPOT, Siffer et al. 2017),
// with the moment estimators of Hosking and Wallis (1987), the shape held
// at zero or above. A series whose
// deviations have heavy tails then needs a larger deviation for the same
// rarity, so one threshold on rarity serves every series.
type tail struct {
	ring   []float64
	next   int
	stale  int // values added since the last fit
	sorted []float64

	// The fit.
	n       int
	u       float64 // the 98th percentile
	above   float64 // share of values above u
	xi, sig float64
	ok      bool
}

const (
	tailSize  = 2048 // recent values kept
	tailRefit = 64   // values between fits
	tailMin   = 100  // values before any fit
	tailQ     = 0.98
)

func (t *tail) add(x float64) {
	if t.ring == nil {
		t.ring = make([]float64, 0, tailSize)
	}
	if len(t.ring) < tailSize {
		t.ring = append(t.ring, x)
	} else {
		t.ring[t.next] = x
		t.next = (t.next + 1) % tailSize
	}
	t.stale++
	if len(t.ring) >= tailMin && (t.stale >= tailRefit || t.n == 0) {
		t.fit()
	}
}

// restart forgets the values kept; the current fit answers until the next.
func (t *tail) restart() {
	t.ring = t.ring[:0]
	t.next, t.stale = 0, 0
}

func (t *tail) fit() {
	t.stale = 0
	t.sorted = append(t.sorted[:0], t.ring...)
	slices.Sort(t.sorted)
	t.n = len(t.sorted)
	k := int(tailQ * float64(t.n))
	t.u = t.sorted[k]
	var s, ss, c float64
	for _, v := range t.sorted[k+1:] {
		y := v - t.u
		s += y
		ss += y * y
		c++
	}
	t.above = c / float64(t.n)
	t.ok = false
	if c < 5 {
		return
	}
	mean := s / c
	v := ss/c - mean*mean
	if mean <= 0 || v <= 0 {
		return
	}
	r := mean * mean / v
	t.xi = 0.5 * (1 - r)
	t.sig = 0.5 * mean * (1 + r)
	if t.xi < 0 {
		// A bounded tail, from a few hundred values, is not to be believed:
		// take the exponential tail of the same mean.
		t.xi, t.sig = 0, mean
	}
	t.ok = true
}

// p returns the estimated probability of a value at least x, or NaN before
// the first fit.
func (t *tail) p(x float64) float64 {
	if t.n == 0 {
		return math.NaN()
	}
	if x <= t.u || !t.ok {
		i, _ := slices.BinarySearch(t.sorted, x)
		return float64(t.n-i+1) / float64(t.n+1)
	}
	y := x - t.u
	if math.Abs(t.xi) < 1e-9 {
		return t.above * math.Exp(-y/t.sig)
	}
	return t.above * math.Pow(1+t.xi*y/t.sig, -1/t.xi)
}
