package main

import (
	"math"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/seriescsv"
)

// TestEvaluateNaive: on a series that repeats its day exactly, seasonal
// naive is perfect, the forecaster nearly so, and every origin counts.
func TestEvaluate(t *testing.T) {
	v := make([]float64, 24*40)
	for i := range v {
		v[i] = 100 + 50*math.Sin(2*math.Pi*float64(i%24)/24) + float64(i%7)
	}
	rep, methods, err := evaluate([]seriescsv.Series{{Name: "a", Values: v}}, 48, 24, 3)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NSeries != 1 || rep.Coverage80 < 0 || rep.Coverage95 < rep.Coverage80 {
		t.Errorf("report %+v", rep)
	}
	n := 0
	for _, c := range methods {
		n += c
	}
	if n != 3 {
		t.Errorf("%d forecasts, want one an origin", n)
	}
	if _, _, err := evaluate([]seriescsv.Series{{Values: v[:10]}}, 48, 24, 1); err == nil {
		t.Error("a series shorter than the horizon evaluated")
	}
}

func TestSeasonalNaive(t *testing.T) {
	got := seasonalNaive([]float64{1, 2, 3, 4, 5, 6}, 3, 5)
	want := []float64{4, 5, 6, 4, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}
