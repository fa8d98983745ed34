package drift

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// scores draws n scores from a Beta-like shape: most near 0 (benign
// traffic), a share near 1 (attacks).
func scores(rng *rand.Rand, n int, attackShare float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		if rng.Float64() < attackShare {
			out[i] = 0.8 + 0.2*rng.Float64()
		} else {
			out[i] = math.Pow(rng.Float64(), 4) * 0.5
		}
	}
	return out
}

func TestSameDistributionIsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alarms := 0
	for range 200 {
		r, err := Compare(scores(rng, 2000, 0.02), scores(rng, 500, 0.02))
		if err != nil {
			t.Fatal(err)
		}
		if r.Drift {
			alarms++
		}
	}
	if alarms > 2 { // the stated false-alarm rate is at most 1%
		t.Errorf("%d of 200 comparisons of one distribution drifted", alarms)
	}
}

func TestShiftDrifts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := scores(rng, 2000, 0.02)
	// an attack campaign: 30% of the route's requests now score high
	r, err := Compare(base, scores(rng, 500, 0.30))
	if err != nil || !r.Drift || r.PSI < PSIThreshold || r.P >= KSAlpha {
		t.Fatalf("a campaign: %+v %v, want drift", r, err)
	}
	// a model that scores everything a little higher
	shifted := scores(rng, 500, 0.02)
	for i := range shifted {
		shifted[i] = math.Min(1, shifted[i]+0.25)
	}
	if r, _ := Compare(base, shifted); !r.Drift {
		t.Fatalf("a shifted model: %+v, want drift", r)
	}
}

func TestFewSamplesAndBadInput(t *testing.T) {
	if _, err := Compare(make([]float64, 99), make([]float64, 500)); !errors.Is(err, ErrFewSamples) {
		t.Fatalf("99 baseline scores: %v", err)
	}
	xs := make([]float64, 200)
	for i := range xs {
		xs[i] = []float64{math.NaN(), -1, 2, math.Inf(1), 0.5}[i%5]
	}
	r, err := Compare(xs, xs)
	if err != nil || r.Drift || r.PSI != 0 || r.KS != 0 {
		t.Fatalf("identical odd inputs: %+v %v", r, err)
	}
}

func TestKSPValue(t *testing.T) {
	// D = 0.1 with n = m = 500: λ ≈ 1.58, p ≈ 0.013 (tables of Kolmogorov's distribution)
	if p := ksP(0.1, 500, 500); math.Abs(p-0.013) > 0.003 {
		t.Errorf("p(0.1, 500, 500) = %v, want about 0.013", p)
	}
	if p := ksP(0, 100, 100); p != 1 {
		t.Errorf("p(0) = %v, want 1", p)
	}
}
