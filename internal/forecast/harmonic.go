package forecast

import (
	"errors"
	"math"

	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// harmonic is a regression of the (log) series on a piecewise-linear trend
// and Fourier terms of the day and the week, with an autoregression on its
// residuals (after Prophet's trend and seasonality, Taylor and Letham 2018,
// and regression with ARMA errors, Hyndman and Athanasopoulos, FPP3 §10).
//
// The trend may bend at changepoints three seasons apart in the first 80%
// of the window fitted (none later: a bend in the last days is not told
// apart from noise). Each bend has a Gaussian prior of 0.05 log-units a
// week, so the ridge penalty is σ²/0.05², with σ² the residuals' long-run
// variance (their variance times (1+ρ)/(1−ρ), ρ their lag-one
// autocorrelation): hourly residuals are far from independent, and the
// penalty counts that.
type harmonic struct {
	*design
	beta   []float64
	lags   []int
	phi    []float64
	resid  []float64 // residuals of steps lo to n, NaN where missing
	daily  []float64 // the daily terms by step of the day
	weekly []float64 // the weekly terms by step of the week
	lo, n  int
}

// design holds the regressors of a window of the history and their
// cross-products, kept a row at a time, so the rolling-origin backtest
// moves the window from one origin to the next by adding and removing the
// rows between them instead of starting over.
type design struct {
	m, week int
	kd, kw  int
	cps     []float64 // changepoints, in weeks from the start of the history
	p       int
	xtx     []float64 // p×p, upper triangle filled
	xty     []float64
	lo, hi  int // the window: steps [lo, hi) of the history
	obs     int // known steps in the window
	x       []float64
	trig    []float64 // sin and cos of the daily terms by step of the day, then of the weekly ones by step of the week
}

const (
	dailyOrder  = 6
	weeklyOrder = 3
	bendPrior   = 0.05
)

var errSingular = errors.New("forecast: singular regression")

// newDesign lays out the regressors for a history of n steps and season m.
// Changepoints are three seasons apart over the whole history; a fit uses
// those in the first 80% of its window (the others are held at zero by a
// prohibitive penalty), and the weekly terms once the window spans two
// weeks.
func newDesign(m, n int) *design {
	d := &design{m: m, week: 7 * m}
	if m >= 3 {
		d.kd = min(dailyOrder, (m-1)/2)
	}
	if n >= 2*d.week {
		d.kw = weeklyOrder
	}
	spacing := float64(3*m) / float64(d.week)
	for tau := spacing; tau < float64(n)/float64(d.week); tau += spacing {
		d.cps = append(d.cps, tau)
	}
	d.p = 2 + len(d.cps) + 2*d.kd + 2*d.kw
	d.xtx = make([]float64, d.p*d.p)
	d.xty = make([]float64, d.p)
	d.x = make([]float64, d.p)
	d.trig = make([]float64, 2*d.kd*m+2*d.kw*d.week)
	j := 0
	for s := range m {
		for k := 1; k <= d.kd; k++ {
			a := 2 * math.Pi * float64(k*s) / float64(m)
			d.trig[j], d.trig[j+1] = math.Sin(a), math.Cos(a)
			j += 2
		}
	}
	for s := range d.week {
		for k := 1; k <= d.kw; k++ {
			a := 2 * math.Pi * float64(k*s) / float64(d.week)
			d.trig[j], d.trig[j+1] = math.Sin(a), math.Cos(a)
			j += 2
		}
	}
	return d
}

// row writes the regressors of step t into x.
func (d *design) row(t int, x []float64) {
	tw := float64(t) / float64(d.week)
	x[0] = 1
	x[1] = tw
	j := 2
	for _, c := range d.cps {
		x[j] = max(0, tw-c)
		j++
	}
	j += copy(x[j:], d.trig[2*d.kd*(t%d.m):2*d.kd*(t%d.m+1)])
	off := 2 * d.kd * d.m
	copy(x[j:], d.trig[off+2*d.kw*(t%d.week):off+2*d.kw*(t%d.week+1)])
}

// add adds (sign 1) or removes (sign −1) step t's row.
func (d *design) add(z []float64, t int, sign float64) {
	v := z[t]
	if math.IsNaN(v) {
		return
	}
	d.obs += int(sign)
	d.row(t, d.x)
	p := d.p
	for i, xi := range d.x {
		if xi == 0 {
			continue
		}
		xi *= sign
		d.xty[i] += xi * v
		r := d.xtx[i*p : (i+1)*p]
		for j := i; j < p; j++ {
			r[j] += xi * d.x[j]
		}
	}
}

// slide moves the window to [lo, hi); neither end may move back.
func (d *design) slide(z []float64, lo, hi int) {
	if d.hi < lo { // the windows do not overlap: skip the rows between
		d.lo, d.hi = lo, lo
	}
	for ; d.hi < hi; d.hi++ {
		d.add(z, d.hi, 1)
	}
	for ; d.lo < lo; d.lo++ {
		d.add(z, d.lo, -1)
	}
}

// fit fits the regression and its residual autoregression to the window.
func (d *design) fit(z []float64) (*harmonic, error) {
	if d.obs < 2*d.p {
		return nil, errSingular
	}
	hm := &harmonic{design: d, lo: d.lo, n: d.hi}
	// First without bends, for the residual variance the prior is set by.
	beta, err := hm.solve(1e9)
	if err != nil {
		return nil, err
	}
	hm.beta = beta
	hm.residuals(z)
	s2, rho := residualStats(hm.resid)
	rho = math.Min(math.Max(rho, 0), 0.99)
	lambda := s2 * (1 + rho) / (1 - rho) / (bendPrior * bendPrior)
	if beta, err = hm.solve(math.Max(lambda, 1e-6)); err != nil {
		return nil, err
	}
	hm.beta = beta
	hm.residuals(z)
	hm.fitAR()
	return hm, nil
}

// solve solves the penalised normal equations: changepoints outside the
// first 80% of the window, or at its start or before, and weekly terms in a
// window under two weeks get a prohibitive penalty; the other changepoints
// lambda.
func (hm *harmonic) solve(lambda float64) ([]float64, error) {
	p := hm.p
	a := make([]float64, p*p)
	copy(a, hm.xtx)
	var tr float64
	for i := range p {
		tr += a[i*p+i]
	}
	w := float64(hm.week)
	first, limit := float64(hm.lo)/w, (float64(hm.lo)+0.8*float64(hm.n-hm.lo))/w
	weekly := p - 2*hm.kw
	short := hm.n-hm.lo < 2*hm.week
	for i := range p {
		d := 1e-10 * tr / float64(p)
		switch {
		case i >= 2 && i < 2+len(hm.cps):
			if c := hm.cps[i-2]; c <= first || c >= limit {
				d += 1e12
			} else {
				d += lambda
			}
		case i >= weekly && short:
			d += 1e12
		}
		a[i*p+i] += d
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{N: p, Stride: p, Data: a, Uplo: blas.Upper})
	if !ok {
		return nil, errSingular
	}
	beta := slices.Clone(hm.xty)
	lapack64.Potrs(t, blas64.General{Rows: p, Cols: 1, Stride: 1, Data: beta})
	hm.tables(beta)
	return beta, nil
}

// tables sets the daily and weekly profiles of beta, so a step's fitted
// value is a few additions.
func (hm *harmonic) tables(beta []float64) {
	hm.daily = slices.Grow(hm.daily[:0], hm.m)[:hm.m]
	hm.weekly = slices.Grow(hm.weekly[:0], hm.week)[:hm.week]
	off := 2 + len(hm.cps)
	for s := range hm.m {
		var v float64
		for j, c := range hm.trig[2*hm.kd*s : 2*hm.kd*(s+1)] {
			v += c * beta[off+j]
		}
		hm.daily[s] = v
	}
	off += 2 * hm.kd
	base := 2 * hm.kd * hm.m
	for s := range hm.week {
		var v float64
		for j, c := range hm.trig[base+2*hm.kw*s : base+2*hm.kw*(s+1)] {
			v += c * beta[off+j]
		}
		hm.weekly[s] = v
	}
}

// det is the regression's value at step t.
func (hm *harmonic) det(t int) float64 {
	tw := float64(t) / float64(hm.week)
	v := hm.beta[0] + hm.beta[1]*tw + hm.daily[t%hm.m] + hm.weekly[t%hm.week]
	for j, c := range hm.cps {
		if tw <= c {
			break
		}
		v += hm.beta[2+j] * (tw - c)
	}
	return v
}

func (hm *harmonic) residuals(z []float64) {
	hm.resid = hm.resid[:0]
	for t := hm.lo; t < hm.n; t++ {
		hm.resid = append(hm.resid, z[t]-hm.det(t))
	}
}

func residualStats(r []float64) (variance, rho float64) {
	var s, ss, c float64
	for _, v := range r {
		if !math.IsNaN(v) {
			s += v
			ss += v * v
			c++
		}
	}
	if c < 3 {
		return 0, 0
	}
	mean := s / c
	variance = ss/c - mean*mean
	var cov, cc float64
	for i := 1; i < len(r); i++ {
		if !math.IsNaN(r[i]) && !math.IsNaN(r[i-1]) {
			cov += (r[i] - mean) * (r[i-1] - mean)
			cc++
		}
	}
	if variance <= 0 || cc == 0 {
		return variance, 0
	}
	return variance, cov / cc / variance
}

// fitAR fits the residual autoregression on lags 1, 2, 3, the season and,
// with three weeks of history, the week: short-run persistence plus "this
// hour yesterday and last week ran high". Least squares over the steps
// whose lags are all known; an unstable fit is shrunk until its impulse
// response decays.
func (hm *harmonic) fitAR() {
	lags := []int{1, 2, 3}
	if hm.m > 3 {
		lags = append(lags, hm.m)
	}
	if len(hm.resid) >= 3*hm.week {
		lags = append(lags, hm.week)
	}
	for len(lags) > 0 {
		if phi, ok := ols(hm.resid, lags); ok {
			hm.lags, hm.phi = lags, phi
			hm.stabilise()
			return
		}
		lags = lags[:len(lags)-1]
	}
}

func ols(r []float64, lags []int) ([]float64, bool) {
	p := len(lags)
	maxLag := lags[p-1]
	a := mat.NewSymDense(p, nil)
	b := mat.NewVecDense(p, nil)
	x := make([]float64, p)
	rows := 0
next:
	for t := maxLag; t < len(r); t++ {
		if math.IsNaN(r[t]) {
			continue
		}
		for i, l := range lags {
			x[i] = r[t-l]
			if math.IsNaN(x[i]) {
				continue next
			}
		}
		rows++
		for i := range p {
			b.SetVec(i, b.AtVec(i)+x[i]*r[t])
			for j := i; j < p; j++ {
				a.SetSym(i, j, a.At(i, j)+x[i]*x[j])
			}
		}
	}
	if rows < 20*p {
		return nil, false
	}
	for i := range p {
		a.SetSym(i, i, a.At(i, i)*(1+1e-6)+1e-12)
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, false
	}
	phi := mat.NewVecDense(p, nil)
	if err := ch.SolveVecTo(phi, b); err != nil {
		return nil, false
	}
	return phi.RawVector().Data, true
}

// stabilise shrinks the AR coefficients until the impulse response has
// decayed over three times the longest lag.
func (hm *harmonic) stabilise() {
	maxLag := hm.lags[len(hm.lags)-1]
	n := 3*maxLag + 50
	psi := make([]float64, n)
	for range 60 {
		psi[0] = 1
		for j := 1; j < n; j++ {
			var s float64
			for i, l := range hm.lags {
				if j >= l {
					s += hm.phi[i] * psi[j-l]
				}
			}
			psi[j] = s
		}
		var tail float64
		for j := n - maxLag; j < n; j++ {
			tail = math.Max(tail, math.Abs(psi[j]))
		}
		if tail < 0.5 {
			return
		}
		for i := range hm.phi {
			hm.phi[i] *= 0.9
		}
	}
}

// forecast writes h steps ahead of the history into dst.
func (hm *harmonic) forecast(h int, dst []float64) []float64 {
	dst = dst[:0]
	n := len(hm.resid)
	r := make([]float64, n+h)
	for i, v := range hm.resid {
		if !math.IsNaN(v) {
			r[i] = v
		}
	}
	for k := range h {
		var ar float64
		for i, l := range hm.lags {
			if n+k-l >= 0 {
				ar += hm.phi[i] * r[n+k-l]
			}
		}
		r[n+k] = ar
		dst = append(dst, hm.det(hm.n+k)+ar)
	}
	return dst
}
