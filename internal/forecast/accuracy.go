package forecast

import "math"

// MASE is the mean absolute error of fc against actual, scaled by the mean
// absolute error of the seasonal naive forecast (period m) within history:
// the M4 competition's definition (Hyndman and Koehler 2006). NaN steps are
// skipped; it is NaN when nothing is left to compare or the scale is 0.
// Over several series, average the per-series values, as M4 does.
func MASE(history, actual, fc []float64, m int) float64 {
	var s, c float64
	for i := m; i < len(history); i++ {
		if d := history[i] - history[i-m]; !math.IsNaN(d) {
			s += math.Abs(d)
			c++
		}
	}
	if c == 0 || s == 0 {
		return math.NaN()
	}
	return meanAbs(actual, fc) / (s / c)
}

func meanAbs(actual, fc []float64) float64 {
	var s, c float64
	for i := range min(len(actual), len(fc)) {
		if d := actual[i] - fc[i]; !math.IsNaN(d) {
			s += math.Abs(d)
			c++
		}
	}
	if c == 0 {
		return math.NaN()
	}
	return s / c
}

// SMAPE is the symmetric mean absolute percentage error in percent, as M4
// computes it: the mean of 200·|y−f|/(|y|+|f|), a step with y = f = 0
// counting as 0.
func SMAPE(actual, fc []float64) float64 {
	var s, c float64
	for i := range min(len(actual), len(fc)) {
		y, f := actual[i], fc[i]
		if math.IsNaN(y) || math.IsNaN(f) {
			continue
		}
		if d := math.Abs(y) + math.Abs(f); d > 0 {
			s += 200 * math.Abs(y-f) / d
		}
		c++
	}
	if c == 0 {
		return math.NaN()
	}
	return s / c
}

// Covered counts the steps of actual inside the interval, and the steps
// compared (NaN steps are skipped).
func Covered(actual []float64, iv Interval) (in, n int) {
	for i := range min(len(actual), len(iv.Lower)) {
		if math.IsNaN(actual[i]) {
			continue
		}
		n++
		if actual[i] >= iv.Lower[i] && actual[i] <= iv.Upper[i] {
			in++
		}
	}
	return in, n
}
