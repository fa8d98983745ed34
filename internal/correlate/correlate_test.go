package correlate

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// ar1 returns n steps of x[t] = phi·x[t−1] + noise.
func ar1(rng *rand.Rand, n int, phi float64) []float64 {
	x := make([]float64, n)
	for t := 1; t < n; t++ {
		x[t] = phi*x[t-1] + rng.NormFloat64()
	}
	return x
}

func TestLaggedFindsTheLag(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := ar1(rng, 600, 0.7)
	y := make([]float64, len(x))
	for t := range y {
		if t >= 3 {
			y[t] = 0.8*x[t-3] + 0.5*rng.NormFloat64()
		}
	}
	r, err := Lagged(x, y, LagConfig{MaxLag: 12, Permutations: 199, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if r.Lag != 3 || r.R < 0.5 || r.P > 0.01 {
		t.Errorf("Lagged = %+v, want lag 3, strong r, p ≤ 0.01", r)
	}
}

// TestLaggedIndependentAutocorrelated checks the point of the block
// permutation: two independent, strongly autocorrelated series often have a
// large |r| at some lag, which a naive test calls significant; the
// permutation p-value must be rejected at 5% about 5% of the time.
func TestLaggedIndependentAutocorrelated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const trials = 40
	rejected, naive := 0, 0
	for i := range trials {
		x, y := ar1(rng, 400, 0.95), ar1(rng, 400, 0.95)
		r, err := Lagged(x, y, LagConfig{MaxLag: 12, Permutations: 199, Seed: uint64(i)})
		if err != nil {
			t.Fatal(err)
		}
		if r.P <= 0.05 {
			rejected++
		}
		// The naive test: |r| over 1.96/√n.
		if math.Abs(r.R) > 1.96/math.Sqrt(400) {
			naive++
		}
	}
	if rejected > 6 {
		t.Errorf("block permutation rejected %d of %d independent pairs at 5%%", rejected, trials)
	}
	if naive < trials/2 {
		t.Logf("naive test rejected only %d of %d (expected most)", naive, trials)
	}
}

func TestGranger(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 500
	x := ar1(rng, n, 0.5)
	y := make([]float64, n)
	for t := 2; t < n; t++ {
		y[t] = 0.3*y[t-1] + 0.6*x[t-2] + rng.NormFloat64()
	}
	g, err := Granger(y, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.P > 1e-6 {
		t.Errorf("x drives y: Granger p = %g (%+v)", g.P, g)
	}
	// The other way round x is its own process.
	back, err := Granger(x, y, 2)
	if err != nil {
		t.Fatal(err)
	}
	if back.P < 0.001 {
		t.Errorf("y does not drive x: Granger p = %g", back.P)
	}
}

func TestShort(t *testing.T) {
	if _, err := Lagged(make([]float64, 10), make([]float64, 10), LagConfig{MaxLag: 24}); !errors.Is(err, ErrShort) {
		t.Errorf("Lagged on 10 steps: %v", err)
	}
	if _, err := Granger(make([]float64, 10), make([]float64, 10), 3); !errors.Is(err, ErrShort) {
		t.Errorf("Granger on 10 steps: %v", err)
	}
}

func TestCrossCorrelationSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x, y := ar1(rng, 200, 0.5), ar1(rng, 200, 0.5)
	a, b := CrossCorrelation(x, y, 5), CrossCorrelation(y, x, 5)
	for lag := -5; lag <= 5; lag++ {
		if d := a[lag+5] - b[-lag+5]; math.Abs(d) > 1e-12 {
			t.Errorf("r_xy(%d) = %v but r_yx(%d) = %v", lag, a[lag+5], -lag, b[-lag+5])
		}
	}
}

// TestGrangerCollinear: refusals that are exactly twice the threats (the
// penalty box answering in the same step, as the attack replay records)
// make the regressors collinear; the test answers instead of failing on a
// singular matrix: threats' past adds nothing to refusals' own past. When
// refusals follow threats by a step, threats' past is new information.
func TestGrangerCollinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float64, 240)
	for i := range x {
		if rng.IntN(4) == 0 {
			x[i] = float64(4 * (1 + rng.IntN(6)))
		}
	}
	same := make([]float64, len(x))
	next := make([]float64, len(x))
	for i := range x {
		same[i] = 2 * x[i]
		if i > 0 {
			next[i] = 2 * x[i-1]
		}
	}
	g, err := Granger(same, x, 3)
	if err != nil || g.P < 0.05 {
		t.Fatalf("same step: %+v %v, want no improvement (p ≥ 0.05)", g, err)
	}
	g, err = Granger(next, x, 3)
	if err != nil || g.P > 1e-6 {
		t.Fatalf("one step later: %+v %v, want threats to help (p ≈ 0)", g, err)
	}
}
