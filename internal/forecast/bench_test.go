package forecast

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic returns n hourly counts with a daily and weekly shape, a slow
// trend and log-normal noise, seeded.
func synthetic(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	level := 50 + rng.Float64()*5000
	amp := 0.3 + rng.Float64()
	trend := (rng.Float64() - 0.5) * 0.002
	y := make([]float64, n)
	for t := range y {
		day := amp * math.Sin(2*math.Pi*float64(t%24)/24)
		week := 0.0
		if d := (t / 24) % 7; d >= 5 {
			week = -0.3
		}
		y[t] = math.Round(level * math.Exp(day+week+trend*float64(t)+0.15*rng.NormFloat64()))
	}
	return y
}

// BenchmarkForecastAll forecasts 1,000 series of eight weeks 72 hours
// ahead, the speed goal (≤ 10 s on the project's 2-core machine);
// BenchmarkSeasonalNaiveAll is the floor's cost for the same series.
func BenchmarkForecastAll(b *testing.B) {
	f, _ := New(Config{})
	hs := make([][]float64, 1000)
	for i := range hs {
		hs[i] = synthetic(uint64(i), 8*7*24)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.ForecastAll(context.Background(), hs, 72); err != nil {
			b.Fatal(err)
		}
	}
}
