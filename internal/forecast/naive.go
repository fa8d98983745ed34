package forecast

import "math"

// seasonalNaive forecasts h steps of z: each step repeats the last known
// value of the same slot of the season (a missing value looks one season
// further back). With period 1 it is the naive forecast.
func seasonalNaive(z []float64, m, h int, dst []float64) []float64 {
	dst = dst[:0]
	n := len(z)
	for k := range h {
		v := math.NaN()
		for i := n - m + k%m; i >= 0; i -= m {
			if i < n && !math.IsNaN(z[i]) {
				v = z[i]
				break
			}
		}
		if math.IsNaN(v) {
			v = lastKnown(z)
		}
		dst = append(dst, v)
	}
	return dst
}

func lastKnown(z []float64) float64 {
	for i := len(z) - 1; i >= 0; i-- {
		if !math.IsNaN(z[i]) {
			return z[i]
		}
	}
	return math.NaN()
}

// naiveSigma is the standard deviation of the season-apart differences of
// z: the one-season-ahead error of the seasonal naive forecast.
func naiveSigma(z []float64, m int) float64 {
	var s, c float64
	for i := m; i < len(z); i++ {
		if d := z[i] - z[i-m]; !math.IsNaN(d) {
			s += d * d
			c++
		}
	}
	if c < 2 {
		return math.NaN()
	}
	return math.Sqrt(s / c)
}
