package forecast

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// harmonic is a regression of the (log) series on a piecewise-linear trend
// and Fourier terms of the day and the week, with an autoregression on its
// residuals (after Prophet's trend and seasonality, Taylor and Letham 2018,
// and regression with ARMA errors, Hyndman and Athanasopoulos, FPP3 §10).
//
// The trend may bend at changepoints spaced at least three seasons apart in
// the first 80% of the history (none later: a bend in the last days is not
// told apart from noise). Each bend has a Gaussian prior of 0.05 log-units a
// week, so the ridge penalty is σ²/0.05², with σ² the residuals' long-run
// variance (their variance times (1+ρ)/(1−ρ), ρ their lag-one
// autocorrelation): hourly residuals are far from independent, and the
// penalty counts that.
type harmonic struct {
	m, week int
	kd, kw  int
	cps     []float64 // changepoints, in weeks from the start
	beta    []float64
	lags    []int
	phi     []float64
	resid   []float64 // residuals of the history, NaN where missing
	n       int
}

const (
	dailyOrder  = 6
	weeklyOrder = 3
	bendPrior   = 0.05
)

var errSingular = errors.New("forecast: singular regression")

func (hm *harmonic) cols() int { return 2 + len(hm.cps) + 2*hm.kd + 2*hm.kw }

// row writes the regressors of step t into x.
func (hm *harmonic) row(t int, x []float64) {
	tw := float64(t) / float64(hm.week)
	x[0] = 1
	x[1] = tw
	j := 2
	for _, c := range hm.cps {
		x[j] = max(0, tw-c)
		j++
	}
	for k := 1; k <= hm.kd; k++ {
		a := 2 * math.Pi * float64(k*(t%hm.m)) / float64(hm.m)
		x[j], x[j+1] = math.Sin(a), math.Cos(a)
		j += 2
	}
	for k := 1; k <= hm.kw; k++ {
		a := 2 * math.Pi * float64(k*(t%hm.week)) / float64(hm.week)
		x[j], x[j+1] = math.Sin(a), math.Cos(a)
		j += 2
	}
}

func fitHarmonic(z []float64, m int) (*harmonic, error) {
	n := len(z)
	hm := &harmonic{m: m, week: 7 * m, n: n}
	if m >= 2 {
		hm.kd = min(dailyOrder, (m-1)/2)
	}
	if n >= 2*hm.week {
		hm.kw = weeklyOrder
	}
	spacing := 3 * m
	if c := int(0.8*float64(n)) / spacing; c > 1 {
		c = min(c-1, 25)
		for j := 1; j <= c; j++ {
			hm.cps = append(hm.cps, 0.8*float64(n)*float64(j)/float64(c+1)/float64(hm.week))
		}
	}
	p := hm.cols()
	xtx := mat.NewSymDense(p, nil)
	xty := mat.NewVecDense(p, nil)
	x := make([]float64, p)
	obs := 0
	for t, v := range z {
		if math.IsNaN(v) {
			continue
		}
		obs++
		hm.row(t, x)
		for i := range p {
			if x[i] == 0 {
				continue
			}
			xty.SetVec(i, xty.AtVec(i)+x[i]*v)
			for j := i; j < p; j++ {
				xtx.SetSym(i, j, xtx.At(i, j)+x[i]*x[j])
			}
		}
	}
	if obs < 2*p {
		return nil, errSingular
	}
	// First without bends, for the residual variance the prior is set by.
	beta, err := hm.solve(xtx, xty, 1e9)
	if err != nil {
		return nil, err
	}
	hm.beta = beta
	hm.residuals(z)
	if len(hm.cps) > 0 {
		s2, rho := residualStats(hm.resid)
		rho = math.Min(math.Max(rho, 0), 0.99)
		lambda := s2 * (1 + rho) / (1 - rho) / (bendPrior * bendPrior)
		beta, err := hm.solve(xtx, xty, math.Max(lambda, 1e-6))
		if err != nil {
			return nil, err
		}
		hm.beta = beta
		hm.residuals(z)
	}
	hm.fitAR()
	return hm, nil
}

func (hm *harmonic) solve(xtx *mat.SymDense, xty *mat.VecDense, lambda float64) ([]float64, error) {
	p := hm.cols()
	a := mat.NewSymDense(p, nil)
	a.CopySym(xtx)
	var tr float64
	for i := range p {
		tr += a.At(i, i)
	}
	for i := range p {
		d := a.At(i, i) + 1e-10*tr/float64(p)
		if i >= 2 && i < 2+len(hm.cps) {
			d += lambda
		}
		a.SetSym(i, i, d)
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, errSingular
	}
	b := mat.NewVecDense(p, nil)
	if err := ch.SolveVecTo(b, xty); err != nil {
		return nil, errSingular
	}
	return b.RawVector().Data, nil
}

func (hm *harmonic) det(t int, x []float64) float64 {
	hm.row(t, x)
	var s float64
	for i, b := range hm.beta {
		s += b * x[i]
	}
	return s
}

func (hm *harmonic) residuals(z []float64) {
	x := make([]float64, hm.cols())
	hm.resid = hm.resid[:0]
	for t, v := range z {
		hm.resid = append(hm.resid, v-hm.det(t, x))
	}
}

// residualStats returns the variance and lag-one autocorrelation of r,
// skipping NaN.
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
	if hm.n >= 3*hm.week {
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
	x := make([]float64, hm.cols())
	r := make([]float64, hm.n+h)
	for i, v := range hm.resid {
		if !math.IsNaN(v) {
			r[i] = v
		}
	}
	for k := range h {
		t := hm.n + k
		var ar float64
		for i, l := range hm.lags {
			if t-l >= 0 {
				ar += hm.phi[i] * r[t-l]
			}
		}
		r[t] = ar
		dst = append(dst, hm.det(t, x)+ar)
	}
	return dst
}
