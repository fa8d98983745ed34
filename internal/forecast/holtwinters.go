package forecast

import "math"

// holtWinters is additive Holt-Winters with a damped trend (ETS(A,Ad,A) in
// error-correction form, Hyndman et al. 2008) on the (log) series. Its
// parameters minimise the squared errors of forecasts 1 to h steps ahead (Nelder-Mead, 200
// evaluations at most), within the
// usual region 0<α<1, 0<β<α, 0<γ<1−α, 0.8≤φ≤0.98: damping keeps a trend
// from running away over a three-day horizon (Gardner and McKenzie 1985).
type holtWinters struct {
	m                       int
	alpha, beta, gamma, phi float64
	level, trend            float64
	season                  []float64 // the last m seasonal states, oldest first
}

// hwParams maps unconstrained x onto the parameter region.
func hwParams(x []float64) (alpha, beta, gamma, phi float64) {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	alpha = 0.001 + 0.998*sig(x[0])
	beta = alpha * 0.999 * sig(x[1])
	gamma = (1 - alpha) * 0.999 * sig(x[2])
	phi = 0.8 + 0.18*sig(x[3])
	return
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// init sets the states from the first seasons: the level is the mean of the
// first season, the trend the change between the first two, the seasonal
// states the first seasons' average deviations from their own means.
func (hw *holtWinters) init(z []float64) bool {
	m := hw.m
	seasons := min(len(z)/m, 4)
	if seasons < 2 {
		return false
	}
	means := make([]float64, seasons)
	for s := range seasons {
		var sum, c float64
		for i := s * m; i < (s+1)*m; i++ {
			if !math.IsNaN(z[i]) {
				sum += z[i]
				c++
			}
		}
		if c == 0 {
			return false
		}
		means[s] = sum / c
	}
	hw.level = means[0]
	hw.trend = (means[seasons-1] - means[0]) / float64((seasons-1)*m)
	hw.season = make([]float64, m)
	for j := range m {
		var sum, c float64
		for s := range seasons {
			if v := z[s*m+j]; !math.IsNaN(v) {
				sum += v - means[s]
				c++
			}
		}
		if c > 0 {
			hw.season[j] = sum / c
		}
	}
	return true
}

// run filters z, whose first value is step t0 of the history, from the
// current states.
func (hw *holtWinters) run(z []float64, t0 int) {
	m := hw.m
	for i, v := range z {
		t := t0 + i
		s := hw.season[t%m]
		e := 0.0
		if !math.IsNaN(v) {
			e = v - (hw.level + hw.phi*hw.trend + s)
		}
		hw.level += hw.phi*hw.trend + hw.alpha*e
		hw.trend = hw.phi*hw.trend + hw.beta*e
		hw.season[t%m] = s + hw.gamma*e
	}
}

// multiStepSSE filters z and returns the squared errors of the forecasts
// made from every step for each of the horizons ks, summed. pred is
// scratch space of len(ks)·len(z).
func (hw *holtWinters) multiStepSSE(z []float64, ks []int, pred []float64) float64 {
	m, n := hw.m, len(z)
	var damp [16]float64
	for j, k := range ks {
		p := 1.0
		for range k {
			p *= hw.phi
			damp[j] += p
		}
	}
	var sse float64
	for t, v := range z {
		known := !math.IsNaN(v)
		for j, k := range ks {
			row := pred[j*n : (j+1)*n]
			if f := t + k - 1; f < n {
				row[f] = hw.level + damp[j]*hw.trend + hw.season[f%m]
			}
			if t >= k-1 && known {
				e := v - row[t]
				sse += e * e
			}
		}
		s := hw.season[t%m]
		e := 0.0
		if known {
			e = v - (hw.level + hw.phi*hw.trend + s)
		}
		hw.level += hw.phi*hw.trend + hw.alpha*e
		hw.trend = hw.phi*hw.trend + hw.beta*e
		hw.season[t%m] = s + hw.gamma*e
	}
	return sse
}

// forecastFrom writes h steps from the current states, where n is the
// index of the first step forecast.
func (hw *holtWinters) forecastFrom(n, h int, dst []float64) []float64 {
	dst = dst[:0]
	damp := 0.0
	p := 1.0
	for k := range h {
		p *= hw.phi
		damp += p
		dst = append(dst, hw.level+damp*hw.trend+hw.season[(n+k)%hw.m])
	}
	return dst
}

// horizons are the steps ahead whose errors the parameters minimise: one,
// and every half season up to h. Fitted on one-step errors alone, hourly
// traffic drives α towards 1 (a random walk, the best guess of the next
// hour), which is a poor guess of the same hour tomorrow; the multi-step
// criterion fits the horizon the forecast is for (Xia and Tong 2011).
func horizons(m, h int) []int {
	ks := []int{1}
	step := max(1, m/2, h/15)
	for k := step; k <= h && len(ks) < 16; k += step {
		if k > 1 {
			ks = append(ks, k)
		}
	}
	return ks
}

func fitHoltWinters(z []float64, m, h int) (*holtWinters, bool) {
	hw := &holtWinters{m: m}
	if !hw.init(z) {
		return nil, false
	}
	l0, b0 := hw.level, hw.trend
	s0 := append([]float64(nil), hw.season...)
	ks := horizons(m, h)
	pred := make([]float64, len(ks)*len(z))
	reset := func() {
		hw.level, hw.trend = l0, b0
		copy(hw.season, s0)
	}
	obj := func(x []float64) float64 {
		hw.alpha, hw.beta, hw.gamma, hw.phi = hwParams(x)
		reset()
		sse := hw.multiStepSSE(z, ks, pred)
		if math.IsNaN(sse) || math.IsInf(sse, 0) {
			return math.MaxFloat64
		}
		return sse
	}
	x0 := []float64{logit(0.2 / 0.998), logit(0.05), logit(0.1 / 0.8 / 0.999), logit(0.9)}
	x := nelderMead(obj, x0, 1, 200)
	hw.alpha, hw.beta, hw.gamma, hw.phi = hwParams(x)
	reset()
	return hw, true
}
