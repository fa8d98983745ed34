package server

import (
	"math"
	"testing"
)

// TestNewcombe checks the interval against Newcombe (1998), table II:
// 56/70 − 48/80 has the 95% hybrid score interval (0.0524, 0.3339), and
// the one-sided bounds the canary watch decides on.
func TestNewcombe(t *testing.T) {
	rate := func(k, n int64, z float64) Rate {
		r := Rate{K: k, N: n, Rate: float64(k) / float64(n)}
		r.Low, r.High = wilson(k, n, z)
		return r
	}
	d := newcombe(rate(56, 70, 1.959964), rate(48, 80, 1.959964))
	if math.Abs(d.Diff-0.2) > 1e-9 || math.Abs(d.Low-0.0524) > 5e-4 || math.Abs(d.High-0.3339) > 5e-4 {
		t.Errorf("56/70 − 48/80: %+v, want 0.2 (0.0524, 0.3339)", d)
	}
	// no false positive on either side: the upper bound is z²/(n+z²)
	// (the minimum sample of a promotion), the lower one −z²/(n+z²)
	zero := newcombe(rateOf(0, 60), rateOf(0, 60))
	want := canaryZ * canaryZ / (60 + canaryZ*canaryZ)
	if math.Abs(zero.High-want) > 1e-9 || math.Abs(zero.Low+want) > 1e-9 || want >= DefaultCanaryMargin {
		t.Errorf("0/60 − 0/60: %+v, want ±%v under the default margin", zero, want)
	}
	// a canary that refuses every benign event is worse beyond any margin
	if bad := newcombe(rateOf(30, 30), rateOf(0, 30)); bad.Low < 0.8 {
		t.Errorf("30/30 − 0/30: %+v", bad)
	}
	if r := rateOf(0, 0); r.Low != 0 || r.High != 1 {
		t.Errorf("no sample: %+v", r)
	}
}
