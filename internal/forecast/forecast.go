package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Method names what produced a forecast.
type Method string

// The methods, from the strongest to the floor.
const (
	// Ensemble is the weighted mean, on the log scale, of the models below
	// but Naive, weighed by their backtest errors.
	Ensemble      Method = "ensemble"
	Harmonic      Method = "harmonic"
	HoltWinters   Method = "holt-winters"
	SeasonalNaive Method = "seasonal-naive"
	// WeeklyNaive is seasonal naive a week (seven seasons) back.
	WeeklyNaive Method = "weekly-naive"
	// Naive repeats the last value: a history shorter than two seasons.
	Naive Method = "naive"
)

var (
	// ErrNoData is returned for a history with no finite value.
	ErrNoData = errors.New("forecast: no data")
	// ErrHorizon is returned for a horizon under one step.
	ErrHorizon = errors.New("forecast: horizon must be at least 1")
)

// Config configures a Forecaster. The zero value forecasts hourly series
// with a daily season, 80% and 95% intervals.
type Config struct {
	// Season is the number of steps in a season (the day): 24 by default.
	// The week is taken as seven seasons.
	Season int
	// Levels are the coverages of the prediction intervals, each in (0, 1):
	// 0.8 and 0.95 by default.
	Levels []float64
	// Origins is the number of rolling origins, one season apart, of the
	// backtest run inside every forecast: 28 by default. The last seven
	// weigh the models; they and every other older one calibrate the
	// intervals. At least 3
	// must fit in the history (each with four seasons of training before
	// it) for the ensemble to be used; otherwise the forecast falls back to
	// seasonal naive.
	Origins int
	// MaxHistory caps the steps of history used, the most recent kept:
	// twelve weeks by default. Older traffic says little about the next days.
	MaxHistory int
}

// Forecaster forecasts series with a validated Config. It is safe for
// concurrent use.
type Forecaster struct {
	cfg Config
}

const (
	minOrigins   = 3
	trainSeasons = 4
)

// New validates cfg and fills its defaults.
func New(cfg Config) (*Forecaster, error) {
	if cfg.Season == 0 {
		cfg.Season = 24
	}
	if cfg.Season < 1 {
		return nil, fmt.Errorf("forecast: Season %d < 1", cfg.Season)
	}
	if cfg.Levels == nil {
		cfg.Levels = []float64{0.8, 0.95}
	}
	cfg.Levels = slices.Clone(cfg.Levels)
	for _, l := range cfg.Levels {
		if !(l > 0 && l < 1) {
			return nil, fmt.Errorf("forecast: interval level %v outside (0, 1)", l)
		}
	}
	if cfg.Origins == 0 {
		cfg.Origins = 28
	}
	if cfg.Origins < minOrigins {
		return nil, fmt.Errorf("forecast: Origins %d < %d", cfg.Origins, minOrigins)
	}
	if cfg.MaxHistory == 0 {
		cfg.MaxHistory = 12 * 7 * cfg.Season
	}
	if cfg.MaxHistory < 2*cfg.Season {
		return nil, fmt.Errorf("forecast: MaxHistory %d under two seasons", cfg.MaxHistory)
	}
	return &Forecaster{cfg: cfg}, nil
}

// Interval is a prediction interval: the future value falls in
// [Lower[k], Upper[k]] with probability Level.
type Interval struct {
	Level        float64
	Lower, Upper []float64
}

// Result is a forecast of the steps after the history.
type Result struct {
	// Point is the forecast: the median on the original scale.
	Point []float64
	// Intervals has one interval per configured level, in the order given.
	Intervals []Interval
	// Method is what produced Point, and Reason says why it, and not the
	// full ensemble, was used.
	Method Method
	Reason string
	// Notes says what was done to the history: gaps and outages left out.
	Notes []string
	// Weights are the weights of the models in the ensemble, summing to 1.
	Weights map[Method]float64
	// BacktestMAE is the mean absolute error of Method in the rolling-origin
	// backtest that chose it and calibrated the intervals; NaN when the
	// history was too short for one.
	BacktestMAE float64
}

// Interval returns the interval of the given level, if it was configured.
func (r *Result) Interval(level float64) (Interval, bool) {
	for _, iv := range r.Intervals {
		if iv.Level == level {
			return iv, true
		}
	}
	return Interval{}, false
}

// Forecast forecasts h steps after history, whose NaN values are missing
// steps. Gaps, outages and short histories do not fail: the Result says
// which method was used and why.
func (f *Forecaster) Forecast(history []float64, h int) (*Result, error) {
	if h < 1 {
		return nil, ErrHorizon
	}
	y := history
	if len(y) > f.cfg.MaxHistory {
		y = y[len(y)-f.cfg.MaxHistory:]
	}
	for len(y) > 0 && !finite(y[0]) {
		y = y[1:]
	}
	if len(y) == 0 {
		return nil, ErrNoData
	}
	m := f.cfg.Season
	p := prepare(y, m)
	res := &Result{Notes: p.notes, BacktestMAE: math.NaN()}
	n := len(p.z)

	origins := min(f.cfg.Origins, (n-h-trainSeasons*m)/m+1)
	if origins >= minOrigins {
		if f.backtested(p, h, origins, res) {
			return res, nil
		}
	}
	known := 0
	for _, v := range p.z {
		if !math.IsNaN(v) {
			known++
		}
	}
	need := trainSeasons*m + h + (minOrigins-1)*m
	switch {
	case known >= 2*m && m > 1:
		res.Method = SeasonalNaive
		res.Reason = fmt.Sprintf("history of %d steps is too short to validate the ensemble by backtest (it needs %d)", n, need)
		f.gaussian(p, res, seasonalNaive(p.z, m, h, nil), naiveSigma(p.z, m), m)
	default:
		res.Method = Naive
		res.Reason = fmt.Sprintf("history of %d known steps is under two seasons (%d): the last value is repeated", known, 2*m)
		f.gaussian(p, res, seasonalNaive(p.z, 1, h, nil), naiveSigma(p.z, 1), 1)
	}
	return res, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// ensemble fits the models to growing prefixes of one history: the
// regression refitted at every origin from cross-products grown row by row,
// Holt-Winters filtered with parameters fitted once, on the history before
// the first origin: the backtest then measures the forecast as it is made,
// and one Nelder-Mead search a series keeps a thousand series within
// seconds.
type ensemble struct {
	m, h   int
	z      []float64
	design *design
	hw     *holtWinters
	hwAt   int // steps of z the Holt-Winters states have filtered
}

// recentWeeks is how much recent history the regression and the
// Holt-Winters parameters are fitted on: the Holt-Winters states are
// filtered over all of it. Traffic changes shape (a new client, a moved
// batch job, a time-zone change in the logs) and four weeks is enough for
// the weekly terms.
const recentWeeks = 4

func newEnsemble(z []float64, m, h int) *ensemble {
	return &ensemble{m: m, h: h, z: z, design: newDesign(m, len(z))}
}

// fitHW fits the Holt-Winters parameters to the last recentWeeks weeks
// before step n and starts the filter from the start of the history.
func (e *ensemble) fitHW(n int) {
	e.hw = nil
	from := max(0, n-recentWeeks*7*e.m)
	fit, ok := fitHoltWinters(e.z[from:n], e.m, e.h)
	if !ok {
		return
	}
	hw := &holtWinters{m: e.m, alpha: fit.alpha, beta: fit.beta, gamma: fit.gamma, phi: fit.phi}
	if !hw.init(e.z) {
		return
	}
	e.hw, e.hwAt = hw, 0
}

// component is one model's forecast on the model scale.
type component struct {
	method Method
	z      []float64
}

// forecastAt forecasts h steps after z[:n] with every model that can be
// fitted; n never decreases between calls.
func (e *ensemble) forecastAt(n int) []component {
	var out []component
	e.design.slide(e.z, max(0, n-recentWeeks*7*e.m), n)
	if hm, err := e.design.fit(e.z); err == nil {
		out = append(out, component{Harmonic, hm.forecast(e.h, nil)})
	}
	if e.hw != nil {
		e.hw.run(e.z[e.hwAt:n], e.hwAt)
		e.hwAt = n
		out = append(out, component{HoltWinters, e.hw.forecastFrom(n, e.h, nil)})
	}
	out = append(out, component{SeasonalNaive, seasonalNaive(e.z[:n], e.m, e.h, nil)})
	if n >= 2*7*e.m {
		out = append(out, component{WeeklyNaive, seasonalNaive(e.z[:n], 7*e.m, e.h, nil)})
	}
	return out
}

// weightOrigins is how many of the most recent backtest origins weigh the
// models: which model suits a series now is told by the last week; how far
// off the forecast can be is told by all the origins.
const weightOrigins = 7

// backtested forecasts with every model from rolling origins one season
// apart, the last h steps before the end. It weighs the models by the
// inverse of their mean squared error (on the model scale; Bates and
// Granger 1969) over the last weightOrigins origins, and calibrates the
// intervals of the weighted combination from its errors at all of them.
// Holt-Winters' parameters are fitted once, on the history before the first
// weighing origin, and filtered from the start of the history: the older
// origins, which only calibrate, see parameters fitted on what followed
// them, four numbers, for a search a series fewer. It reports false if the
// backtest compared nothing.
func (f *Forecaster) backtested(p *prepared, h, origins int, res *Result) bool {
	m := f.cfg.Season
	n := len(p.z)
	ens := newEnsemble(p.z, m, h)
	ens.fitHW(n - h - (min(origins, weightOrigins)-1)*m)
	type bt struct {
		o     int
		comps []component
	}
	var runs []bt
	sse := map[Method]float64{}
	cnt := map[Method]float64{}
	weighing := min(origins, weightOrigins)
	for r := origins - 1; r >= 0; r-- {
		if r >= weighing && (r-weighing)%2 == 1 {
			// Older origins, which only calibrate, every other season:
			// neighbours' errors overlap for most of the horizon.
			continue
		}
		o := n - h - r*m
		comps := ens.forecastAt(o)
		if r < weighing {
			for _, c := range comps {
				for k := range h {
					if e := p.z[o+k] - c.z[k]; !math.IsNaN(e) {
						sse[c.method] += e * e
						cnt[c.method]++
					}
				}
			}
		}
		runs = append(runs, bt{o, comps})
	}
	final := ens.forecastAt(n)
	// A model is weighed only if it forecast from every origin and now.
	weights := map[Method]float64{}
	var total float64
	for _, c := range final {
		if cnt[c.method] == 0 || slices.ContainsFunc(runs, func(r bt) bool { return !hasMethod(r.comps, c.method) }) {
			continue
		}
		w := 1 / math.Max(sse[c.method]/cnt[c.method], 1e-12)
		weights[c.method] = w
		total += w
	}
	if total == 0 {
		return false
	}
	for k := range weights {
		weights[k] /= total
	}
	combine := func(comps []component) []float64 {
		out := make([]float64, h)
		for _, c := range comps {
			if w := weights[c.method]; w > 0 {
				for k := range out {
					out[k] += w * c.z[k]
				}
			}
		}
		return out
	}
	errs := make([][]float64, 0, len(runs))
	var mae, c float64
	for i, r := range runs {
		fc := combine(r.comps)
		e := make([]float64, h)
		for k := range h {
			a := p.z[r.o+k]
			e[k] = a - fc[k]
			if !math.IsNaN(a) && i >= len(runs)-weighing {
				mae += math.Abs(p.back(a) - p.back(fc[k]))
				c++
			}
		}
		errs = append(errs, e)
	}
	res.Method = Ensemble
	res.Weights = weights
	res.BacktestMAE = mae / c
	if len(weights) < len(final) {
		res.Reason = "a model left out: it could not be fitted at every backtest origin"
	}
	f.conformal(p, res, combine(final), errs)
	return true
}

func hasMethod(comps []component, m Method) bool {
	for _, c := range comps {
		if c.method == m {
			return true
		}
	}
	return false
}

// conformal sets the point forecast and the intervals from backtest errors
// on the model scale. The errors of step k are scaled by s(k), with s² = a +
// b·k fitted to their mean square (errors that grow like a random walk's
// once the model's persistence is spent), and the intervals are the
// empirical quantiles of the scaled errors, pooled over all steps and
// origins, with the split-conformal rank ⌈(N+1)q⌉ (Lei et al. 2018). The
// two tails are taken apart: traffic errors are skewed.
func (f *Forecaster) conformal(p *prepared, res *Result, point []float64, errs [][]float64) {
	h := len(point)
	ms := make([]float64, h)
	var xs, ys []float64
	for k := range h {
		var s, c float64
		for _, e := range errs {
			if !math.IsNaN(e[k]) {
				s += e[k] * e[k]
				c++
			}
		}
		if c > 0 {
			ms[k] = s / c
			xs = append(xs, float64(k+1))
			ys = append(ys, ms[k])
		}
	}
	a, b := varianceLine(xs, ys)
	scale := make([]float64, h)
	var u []float64
	for k := range h {
		scale[k] = math.Sqrt(a + b*float64(k+1))
		for _, e := range errs {
			if !math.IsNaN(e[k]) && scale[k] > 0 {
				u = append(u, e[k]/scale[k])
			}
		}
	}
	slices.Sort(u)
	res.Point = backAll(p, point)
	for _, level := range f.cfg.Levels {
		lo, hi := conformalQuantiles(u, level)
		iv := Interval{Level: level, Lower: make([]float64, h), Upper: make([]float64, h)}
		for k := range h {
			iv.Lower[k] = p.back(point[k] + lo*scale[k])
			iv.Upper[k] = p.back(point[k] + hi*scale[k])
		}
		res.Intervals = append(res.Intervals, iv)
	}
}

// varianceLine fits y = a + b·x by least squares with a > 0 and b ≥ 0.
func varianceLine(xs, ys []float64) (a, b float64) {
	n := float64(len(xs))
	if n == 0 {
		return 0, 0
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	if d := n*sxx - sx*sx; d > 0 {
		b = (n*sxy - sx*sy) / d
		a = (sy - b*sx) / n
	}
	if b <= 0 {
		return sy / n, 0
	}
	if a <= 0 {
		return 0, sxy / sxx
	}
	return a, b
}

// conformalQuantiles returns the lower and upper quantiles of sorted u for
// a central interval of the given level, never excluding zero (an interval
// holds its point forecast).
func conformalQuantiles(u []float64, level float64) (lo, hi float64) {
	n := len(u)
	if n == 0 {
		return 0, 0
	}
	tail := (1 - level) / 2
	iu := int(math.Ceil(float64(n+1)*(1-tail))) - 1
	il := int(math.Floor(float64(n+1)*tail)) - 1
	iu = min(max(iu, 0), n-1)
	il = min(max(il, 0), n-1)
	return math.Min(u[il], 0), math.Max(u[iu], 0)
}

// gaussian sets the point forecast and normal intervals for the fallbacks,
// whose error grows with the square root of the seasons ahead.
func (f *Forecaster) gaussian(p *prepared, res *Result, point []float64, sigma float64, period int) {
	h := len(point)
	if math.IsNaN(sigma) {
		sigma = 1 // nothing to go by: a factor of e either way a step
		res.Notes = append(res.Notes, "too few steps to measure the spread: intervals assume a log-scale deviation of 1")
	}
	res.Point = backAll(p, point)
	for _, level := range f.cfg.Levels {
		q := normalQuantile(1 - (1-level)/2)
		iv := Interval{Level: level, Lower: make([]float64, h), Upper: make([]float64, h)}
		for k := range h {
			s := sigma * math.Sqrt(float64(k/period+1))
			iv.Lower[k] = p.back(point[k] - q*s)
			iv.Upper[k] = p.back(point[k] + q*s)
		}
		res.Intervals = append(res.Intervals, iv)
	}
}

func backAll(p *prepared, z []float64) []float64 {
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = p.back(v)
	}
	return out
}

// normalQuantile is the standard normal quantile function.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// ForecastAll forecasts every history h steps ahead on GOMAXPROCS
// goroutines. A history that cannot be forecast (no data) has a nil Result
// and its error joined into the returned error.
func (f *Forecaster) ForecastAll(ctx context.Context, histories [][]float64, h int) ([]*Result, error) {
	out := make([]*Result, len(histories))
	errs := make([]error, len(histories))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(histories)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = f.Forecast(histories[i], h)
				if errs[i] != nil {
					errs[i] = fmt.Errorf("series %d: %w", i, errs[i])
				}
			}
		})
	}
	var err error
feed:
	for i := range histories {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out, errors.Join(append(errs, err)...)
}
