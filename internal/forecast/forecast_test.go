package forecast

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestForecastFallbacks(t *testing.T) {
	f, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	long := synthetic(1, 6*7*24)
	cases := []struct {
		name   string
		y      []float64
		h      int
		method Method
		reason string // a word the reason must carry
	}{
		{"six weeks", long, 72, Ensemble, ""},
		{"three days", long[:72], 48, SeasonalNaive, "too short"},
		{"ten hours", long[:10], 24, Naive, "under two seasons"},
		{"one point", long[:1], 5, Naive, "under two seasons"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := f.Forecast(c.y, c.h)
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != c.method {
				t.Errorf("method %s (%s), want %s", r.Method, r.Reason, c.method)
			}
			if c.reason != "" && !strings.Contains(r.Reason, c.reason) {
				t.Errorf("reason %q lacks %q", r.Reason, c.reason)
			}
			checkResult(t, r, c.h)
		})
	}
}

// checkResult checks what every forecast owes: h finite non-negative
// points inside nested intervals.
func checkResult(t *testing.T, r *Result, h int) {
	t.Helper()
	if len(r.Point) != h || len(r.Intervals) != 2 {
		t.Fatalf("%d points and %d intervals, want %d and 2", len(r.Point), len(r.Intervals), h)
	}
	i80, i95 := r.Intervals[0], r.Intervals[1]
	for k, p := range r.Point {
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			t.Fatalf("point %d = %v", k, p)
		}
		if !(i95.Lower[k] <= i80.Lower[k] && i80.Lower[k] <= p && p <= i80.Upper[k] && i80.Upper[k] <= i95.Upper[k]) {
			t.Fatalf("step %d: 95%% [%v, %v] 80%% [%v, %v] point %v not nested", k, i95.Lower[k], i95.Upper[k], i80.Lower[k], i80.Upper[k], p)
		}
	}
}

// TestOutageAndGaps: an outage (a day of zeros) and missing hours in the
// history do not fail the forecast, are reported in Notes, and do not drag
// the forecast down.
func TestOutageAndGaps(t *testing.T) {
	f, _ := New(Config{})
	y := synthetic(2, 5*7*24)
	clean, _ := f.Forecast(y, 48)
	for i := 400; i < 430; i++ {
		y[i] = 0
	}
	for i := 600; i < 620; i++ {
		y[i] = math.NaN()
	}
	r, err := f.Forecast(y, 48)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, 48)
	notes := strings.Join(r.Notes, "; ")
	if !strings.Contains(notes, "outage") || !strings.Contains(notes, "missing") {
		t.Errorf("notes %q do not mention the outage and the gap", notes)
	}
	var a, b float64
	for k := range r.Point {
		a += r.Point[k]
		b += clean.Point[k]
	}
	if a < 0.9*b {
		t.Errorf("forecast total %.0f against %.0f without the outage", a, b)
	}
}

// TestOutageAtEndIsKept: zeros up to the last step are the present, kept.
func TestOutageAtEndIsKept(t *testing.T) {
	y := synthetic(3, 3*7*24)
	for i := len(y) - 5; i < len(y); i++ {
		y[i] = 0
	}
	p := prepare(y, 24)
	for i := len(y) - 5; i < len(y); i++ {
		if math.IsNaN(p.z[i]) {
			t.Fatalf("step %d of a trailing outage dropped", i)
		}
	}
	if !strings.Contains(strings.Join(p.notes, ";"), "kept") {
		t.Errorf("notes %q", p.notes)
	}
}

func TestForecastErrors(t *testing.T) {
	f, _ := New(Config{})
	if _, err := f.Forecast([]float64{1, 2}, 0); !errors.Is(err, ErrHorizon) {
		t.Errorf("horizon 0: %v", err)
	}
	if _, err := f.Forecast([]float64{math.NaN(), math.NaN()}, 3); !errors.Is(err, ErrNoData) {
		t.Errorf("all NaN: %v", err)
	}
	for _, cfg := range []Config{{Season: -1}, {Levels: []float64{1.2}}, {Origins: 2}, {MaxHistory: 10}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// TestNegativeValues: a series with negative values is modelled as is.
func TestNegativeValues(t *testing.T) {
	f, _ := New(Config{})
	y := make([]float64, 4*7*24)
	for i := range y {
		y[i] = 10*math.Sin(2*math.Pi*float64(i)/24) - 3
	}
	r, err := f.Forecast(y, 24)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range r.Point {
		want := 10*math.Sin(2*math.Pi*float64(len(y)+k)/24) - 3
		if math.Abs(p-want) > 0.5 {
			t.Fatalf("step %d: %v, want %v", k, p, want)
		}
	}
}

// TestBeatsSeasonalNaiveOnWeeklyPattern: with a strong weekday/weekend
// pattern, the ensemble beats seasonal naive on MASE, as the weekly terms
// and the weekly naive are there for.
func TestBeatsSeasonalNaiveOnWeeklyPattern(t *testing.T) {
	f, _ := New(Config{})
	var ours, naive float64
	for s := range 10 {
		y := synthetic(uint64(10+s), 6*7*24+48)
		hist, actual := y[:len(y)-48], y[len(y)-48:]
		r, err := f.Forecast(hist, 48)
		if err != nil {
			t.Fatal(err)
		}
		sn := make([]float64, 48)
		for k := range sn {
			sn[k] = hist[len(hist)-24+k%24]
		}
		ours += MASE(hist, actual, r.Point, 24)
		naive += MASE(hist, actual, sn, 24)
	}
	if ours > 0.85*naive {
		t.Errorf("mean MASE %.3f against seasonal naive %.3f", ours/10, naive/10)
	}
}

func TestForecastAll(t *testing.T) {
	f, _ := New(Config{})
	hs := [][]float64{synthetic(4, 500), {math.NaN()}, synthetic(5, 30)}
	out, err := f.ForecastAll(context.Background(), hs, 24)
	if !errors.Is(err, ErrNoData) {
		t.Errorf("err %v, want ErrNoData for the empty series", err)
	}
	if out[0] == nil || out[1] != nil || out[2] == nil {
		t.Errorf("results %v", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.ForecastAll(ctx, hs, 24); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCriticalWindows(t *testing.T) {
	r := &Result{Intervals: []Interval{{Level: 0.95, Upper: []float64{1, 5, 7, 2, 9, 9, 1}}}}
	cases := []struct {
		name      string
		level     float64
		threshold float64
		want      []Window
	}{
		{"two runs", 0.95, 5, []Window{{1, 3, 7, 2}, {4, 6, 9, 4}}},
		{"none", 0.95, 10, nil},
		{"all", 0.95, 0, []Window{{0, 7, 9, 4}}},
		{"level not forecast", 0.8, 5, nil},
	}
	for _, c := range cases {
		got := CriticalWindows(r, c.level, c.threshold)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestAccuracy(t *testing.T) {
	hist := []float64{1, 2, 3, 2, 3, 4} // season 3: diffs 1,1,1
	if got := MASE(hist, []float64{4, 5}, []float64{5, 5}, 3); got != 0.5 {
		t.Errorf("MASE = %v, want 0.5", got)
	}
	if got := MASE([]float64{1, 1, 1, 1}, []float64{1}, []float64{2}, 1); !math.IsNaN(got) {
		t.Errorf("MASE with a zero scale = %v, want NaN", got)
	}
	if got := SMAPE([]float64{100, 0}, []float64{50, 0}); math.Abs(got-100.0/3) > 1e-12 {
		t.Errorf("SMAPE = %v, want 33.3", got)
	}
	in, n := Covered([]float64{1, 5, math.NaN()}, Interval{Lower: []float64{0, 0, 0}, Upper: []float64{2, 2, 2}})
	if in != 1 || n != 2 {
		t.Errorf("Covered = %d/%d, want 1/2", in, n)
	}
}

func TestNelderMead(t *testing.T) {
	rosen := func(x []float64) float64 { return 100*math.Pow(x[1]-x[0]*x[0], 2) + math.Pow(1-x[0], 2) }
	x := nelderMead(rosen, []float64{-1.2, 1}, 0.5, 2000)
	if math.Abs(x[0]-1) > 1e-3 || math.Abs(x[1]-1) > 1e-3 {
		t.Errorf("minimum at %v, want (1, 1)", x)
	}
}
