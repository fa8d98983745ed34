// Package correlate relates two series on the same hourly grid, such as
// threat volume and rate-limiter refusals: the lag at which they move
// together most, with a significance that holds for autocorrelated series,
// and whether one helps forecast the other.
//
//	lc, _ := correlate.Lagged(threats, refusals, correlate.LagConfig{MaxLag: 24})
//	fmt.Println(lc.Lag, lc.R, lc.P)
//	g, _ := correlate.Granger(refusals, threats, 0)
//	fmt.Println(g.F, g.P)
package correlate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// ErrShort is returned for series too short for the lags asked.
var ErrShort = errors.New("correlate: series too short")

// CrossCorrelation returns the Pearson correlation of x[t] and y[t+lag] for
// lag in [−maxLag, maxLag], index lag+maxLag: a positive lag is y following
// x. Steps where either is NaN are skipped.
func CrossCorrelation(x, y []float64, maxLag int) []float64 {
	out := make([]float64, 2*maxLag+1)
	for lag := -maxLag; lag <= maxLag; lag++ {
		out[lag+maxLag] = corrAt(x, y, lag)
	}
	return out
}

func corrAt(x, y []float64, lag int) float64 {
	var sx, sy, sxx, syy, sxy, n float64
	for t := range x {
		u := t + lag
		if u < 0 || u >= len(y) || math.IsNaN(x[t]) || math.IsNaN(y[u]) {
			continue
		}
		a, b := x[t], y[u]
		sx += a
		sy += b
		sxx += a * a
		syy += b * b
		sxy += a * b
		n++
	}
	if n < 3 {
		return math.NaN()
	}
	cov := sxy/n - sx/n*sy/n
	vx, vy := sxx/n-sx/n*sx/n, syy/n-sy/n*sy/n
	if vx <= 0 || vy <= 0 {
		return 0
	}
	return cov / math.Sqrt(vx*vy)
}

// LagConfig configures Lagged.
type LagConfig struct {
	// MaxLag is the largest lag tried, either way: 24 by default.
	MaxLag int
	// Block is the block length of the permutation: by default the first
	// lag at which either series' autocorrelation falls under 1/e, at least
	// 1 and at most a tenth of the series.
	Block int
	// Permutations is the number of permutations: 999 by default.
	Permutations int
	// Seed seeds the permutations, so a result can be reproduced.
	Seed uint64
}

// LagResult is the lag of strongest coupling.
type LagResult struct {
	Lag int     // y follows x by Lag steps (negative: y leads)
	R   float64 // the correlation at Lag
	// P is the permutation p-value of max |r| over all lags: the share of
	// block-permuted series whose strongest |r| at any lag reaches R's.
	// Taking the maximum over lags in each permutation accounts for the
	// search over lags.
	P     float64
	Block int
}

// Lagged finds the lag of strongest coupling, |r| largest, and its
// significance by a circular block permutation: y is cut into blocks of
// Block steps from a random start, wrapping around, and the blocks are
// shuffled, which keeps the autocorrelation within blocks that makes a
// naive test of r far too ready to call a coupling significant.
func Lagged(x, y []float64, cfg LagConfig) (LagResult, error) {
	if cfg.MaxLag == 0 {
		cfg.MaxLag = 24
	}
	if cfg.Permutations == 0 {
		cfg.Permutations = 999
	}
	n := min(len(x), len(y))
	if cfg.MaxLag < 0 || n < 4*cfg.MaxLag+8 {
		return LagResult{}, fmt.Errorf("%w: %d steps for lags up to %d", ErrShort, n, cfg.MaxLag)
	}
	x, y = x[:n], y[:n]
	if cfg.Block == 0 {
		cfg.Block = max(decorrelation(x), decorrelation(y))
	}
	cfg.Block = max(1, min(cfg.Block, n/10))
	best := func(y []float64) (int, float64) {
		lag, r := 0, 0.0
		for l := -cfg.MaxLag; l <= cfg.MaxLag; l++ {
			if c := corrAt(x, y, l); !math.IsNaN(c) && math.Abs(c) > math.Abs(r) {
				lag, r = l, c
			}
		}
		return lag, r
	}
	lag, r := best(y)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	blocks := (n + cfg.Block - 1) / cfg.Block
	order := make([]int, blocks)
	py := make([]float64, n)
	hits := 0
	for range cfg.Permutations {
		start := rng.IntN(n)
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		k := 0
		for _, b := range order {
			for j := 0; j < cfg.Block && k < n; j++ {
				py[k] = y[(start+b*cfg.Block+j)%n]
				k++
			}
		}
		if _, pr := best(py); math.Abs(pr) >= math.Abs(r) {
			hits++
		}
	}
	return LagResult{Lag: lag, R: r, P: float64(hits+1) / float64(cfg.Permutations+1), Block: cfg.Block}, nil
}

// decorrelation is the first lag at which x's autocorrelation is under 1/e.
func decorrelation(x []float64) int {
	for l := 1; l < len(x)/2; l++ {
		if c := corrAt(x, x, l); math.IsNaN(c) || c < 1/math.E {
			return l
		}
	}
	return len(x) / 2
}

// GrangerResult is the outcome of a Granger test.
type GrangerResult struct {
	Lags   int     // lags of each series in the regressions
	F      float64 // the F statistic
	DF1    int
	DF2    int
	P      float64 // P(F(DF1, DF2) ≥ F)
	RSSOwn float64 // residual sum of squares, y on its own lags
	RSSAll float64 // y on its own lags and x's
}

// Granger tests whether x's past improves the one-step forecast of y
// beyond y's own past (Granger 1969): y[t] is regressed by least squares on
// a constant and y[t−1..t−p], then also on x[t−1..t−p], and the F test of
// the p added coefficients is reported. With lags 0, p is chosen by AIC
// over 1 to 24 for y's own regression. Steps with a NaN in them are left
// out. The test assumes both series stationary: difference trending series
// first.
func Granger(y, x []float64, lags int) (GrangerResult, error) {
	n := min(len(x), len(y))
	y, x = y[:n], x[:n]
	if lags == 0 {
		bestAIC := math.Inf(1)
		for p := 1; p <= 24 && n > 6*p+10; p++ {
			rss, m, _, err := ols(y, x, p, false)
			if err != nil {
				break
			}
			if aic := float64(m)*math.Log(rss/float64(m)) + 2*float64(p+1); aic < bestAIC {
				bestAIC, lags = aic, p
			}
		}
	}
	if lags < 1 || n < 6*lags+10 {
		return GrangerResult{}, fmt.Errorf("%w: %d steps for %d lags", ErrShort, n, lags)
	}
	own, m, rankOwn, err := ols(y, x, lags, false)
	if err != nil {
		return GrangerResult{}, err
	}
	all, _, rankAll, err := ols(y, x, lags, true)
	if err != nil {
		return GrangerResult{}, err
	}
	g := GrangerResult{Lags: lags, DF1: rankAll - rankOwn, DF2: m - rankAll, RSSOwn: own, RSSAll: all}
	if g.DF1 <= 0 {
		// x's lags are linear in y's own: they cannot improve the fit
		g.F, g.P = 0, 1
		return g, nil
	}
	if own <= 1e-12 {
		// y's own past predicts it exactly: nothing left to improve
		g.F, g.P = 0, 1
		return g, nil
	}
	if all <= 1e-12*own {
		g.F, g.P = math.Inf(1), 0
		return g, nil
	}
	g.F = (own - all) / float64(g.DF1) / (all / float64(g.DF2))
	g.P = distuv.F{D1: float64(g.DF1), D2: float64(g.DF2)}.Survival(g.F)
	return g, nil
}

// ols regresses y[t] on a constant, y's p lags and, if withX, x's p lags,
// over the steps with everything known (the same steps either way), and
// returns the residual sum of squares, the rows used and the rank of the
// regressors.
func ols(y, x []float64, p int, withX bool) (float64, int, int, error) {
	k := 1 + p
	if withX {
		k += p
	}
	var rows [][]float64
	var ys []float64
next:
	for t := p; t < len(y); t++ {
		if math.IsNaN(y[t]) {
			continue
		}
		row := make([]float64, 0, k)
		row = append(row, 1)
		for l := 1; l <= p; l++ {
			if math.IsNaN(y[t-l]) || math.IsNaN(x[t-l]) {
				continue next
			}
			row = append(row, y[t-l])
		}
		if withX {
			for l := 1; l <= p; l++ {
				row = append(row, x[t-l])
			}
		}
		rows = append(rows, row)
		ys = append(ys, y[t])
	}
	m := len(rows)
	if m <= k+1 {
		return 0, m, 0, ErrShort
	}
	a := mat.NewDense(m, k, nil)
	for i, r := range rows {
		a.SetRow(i, r)
	}
	b := mat.NewVecDense(m, ys)
	// least squares by SVD: collinear regressors (refusals exactly twice
	// the threats, a lag that is always zero) have a minimum-norm solution
	// instead of a singular matrix; rank counts the columns that carry
	// information, which the F test's degrees of freedom need
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return 0, m, 0, errors.New("correlate: regression: the SVD did not converge")
	}
	rank := svd.Rank(1e-10)
	var beta mat.VecDense
	svd.SolveVecTo(&beta, b, rank)
	var fit mat.VecDense
	fit.MulVec(a, &beta)
	var rss float64
	for i := range ys {
		e := ys[i] - fit.AtVec(i)
		rss += e * e
	}
	return rss, m, rank, nil
}
