package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bulwarkhq/bulwark/internal/forecast"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/series"
)

// The forecast of the fleet's total traffic (issue 16's first view): the
// hourly request counts of the last twelve weeks, from the per-minute
// aggregates, forecast 24 to 72 hours ahead with 80% and 95% intervals.
// Only complete hours are read; hours before the first aggregate are
// unknown, and hours after it without one count as no traffic.

const (
	forecastHistory = 12 * 7 * 24 // hours read
	forecastShown   = 7 * 24      // hours of history the dashboard plots
	maxHorizon      = 72
)

var forecaster = func() *forecast.Forecaster {
	f, err := forecast.New(forecast.Config{})
	if err != nil {
		panic(err) // the zero Config is valid
	}
	return f
}()

// seriesForecast is a forecast of one hourly series.
type seriesForecast struct {
	Series   string      `json:"series"`       // "total" or "route=/login", ...
	Start    time.Time   `json:"start"`        // the first forecast hour
	History  floats      `json:"history"`      // null for unknown hours
	HistFrom time.Time   `json:"history_from"` // the hour of History[0]
	Point    floats      `json:"point"`
	Lower80  floats      `json:"lower80"`
	Upper80  floats      `json:"upper80"`
	Lower95  floats      `json:"lower95"`
	Upper95  floats      `json:"upper95"`
	Method   string      `json:"method"`
	Reason   string      `json:"reason,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
	Critical []critical  `json:"critical,omitempty"`
	Backtest jsonFloat64 `json:"backtest_mae"`
}

// critical is an hour run whose 95% upper bound reaches the threshold.
type critical struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Peak float64   `json:"peak"`
	At   time.Time `json:"peak_at"`
}

// floats encodes NaN and infinities as null (encoding/json refuses them).
type floats []float64

func (fs floats) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b, _ = appendFloat(b, f)
	}
	return append(b, ']'), nil
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...), nil
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), nil
}

// jsonFloat64 encodes NaN as null.
type jsonFloat64 float64

func (f jsonFloat64) MarshalJSON() ([]byte, error) {
	return appendFloat(nil, float64(f))
}

// seriesKey selects one hourly series: the total (By ""), or one value of
// a dimension (By history.ByRoute, ByFamily, ByOutcome or ByLevel).
// Threats keeps only requests above threat level none (always so by
// family).
type seriesKey struct {
	By, Key string
	Threats bool
}

func (k seriesKey) String() string {
	s := "total"
	if k.By != "" {
		s = k.By + "=" + k.Key
	}
	if k.Threats && k.By != history.ByFamily {
		s = "threats " + s
	}
	return s
}

// seriesParam reads by and key: by=total (the default) or one of the
// dimensions with a key.
func seriesParam(r *http.Request) (seriesKey, error) {
	q := r.URL.Query()
	by, key := q.Get("by"), q.Get("key")
	switch by {
	case "", "total":
		if key != "" {
			return seriesKey{}, bad("key %q: only with by=route, family, outcome or level", key)
		}
		return seriesKey{}, nil
	case history.ByRoute, history.ByFamily, history.ByOutcome, history.ByLevel:
		if key == "" || len(key) > 256 {
			return seriesKey{}, bad("by=%s needs a key of 1 to 256 bytes", by)
		}
		return seriesKey{By: by, Key: key}, nil
	}
	return seriesKey{}, bad("by %q: want total, route, family, outcome or level", by)
}

// hourly reads the series k hour by hour over the forecastHistory hours
// before to (the last complete hour's end): NaN before its first count,
// 0 for later hours without one.
func (s *Server) hourly(ctx context.Context, k seriesKey, to time.Time) ([]float64, error) {
	from := to.Add(-forecastHistory * time.Hour)
	q := history.SeriesQuery{Range: history.Range{Tenant: s.cfg.Tenant, From: from, To: to}, Step: time.Hour, By: history.ByOutcome}
	if k.By != "" {
		q.By = k.By
	}
	q.Threats = k.Threats || k.By == history.ByFamily
	pts, err := s.Store.Series(ctx, q)
	if err != nil {
		return nil, err
	}
	y := make([]float64, forecastHistory)
	first := len(y)
	for _, p := range pts {
		if k.By != "" && p.Key != k.Key {
			continue
		}
		if i := int(p.Time.Sub(from) / time.Hour); i >= 0 && i < len(y) {
			y[i] += float64(p.Count)
			first = min(first, i)
		}
	}
	for i := range first {
		y[i] = math.NaN() // before the first count: unknown, not zero
	}
	return y, nil
}

// forecastSeries forecasts h hours of series k after the last complete
// hour before now; threshold > 0 also finds the critical windows.
func (s *Server) forecastSeries(ctx context.Context, k seriesKey, now time.Time, h int, threshold float64) (*seriesForecast, error) {
	to := now.UTC().Truncate(time.Hour)
	y, err := s.hourly(ctx, k, to)
	if err != nil {
		return nil, err
	}
	first := 0
	for first < len(y) && math.IsNaN(y[first]) {
		first++
	}
	out := &seriesForecast{Series: k.String(), Start: to, HistFrom: to.Add(-forecastShown * time.Hour)}
	out.History = y[len(y)-forecastShown:]
	if first == len(y) {
		out.Method = "none"
		out.Reason = "no count of this series in the last twelve weeks"
		out.Backtest = jsonFloat64(math.NaN())
		return out, nil
	}
	res, err := forecaster.Forecast(y, h)
	if err != nil {
		return nil, err
	}
	out.Point, out.Method, out.Reason, out.Notes = res.Point, string(res.Method), res.Reason, res.Notes
	out.Backtest = jsonFloat64(res.BacktestMAE)
	if iv, ok := res.Interval(0.8); ok {
		out.Lower80, out.Upper80 = iv.Lower, iv.Upper
	}
	if iv, ok := res.Interval(0.95); ok {
		out.Lower95, out.Upper95 = iv.Lower, iv.Upper
	}
	if threshold > 0 {
		for _, w := range forecast.CriticalWindows(res, 0.95, threshold) {
			out.Critical = append(out.Critical, critical{From: to.Add(time.Duration(w.Start) * time.Hour),
				To: to.Add(time.Duration(w.End) * time.Hour), Peak: w.Peak, At: to.Add(time.Duration(w.PeakAt) * time.Hour)})
		}
	}
	return out, nil
}

// apiForecast answers GET /api/v1/forecast?by=&key=&horizon=72&threshold=N.
func (s *Server) apiForecast(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h := maxHorizon
	if v := q.Get("horizon"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxHorizon {
			s.fail(w, r, bad("horizon %q: hours, 1 to %d", v, maxHorizon))
			return
		}
		h = n
	}
	var threshold float64
	if v := q.Get("threshold"); v != "" {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || !(t > 0) || math.IsInf(t, 0) {
			s.fail(w, r, bad("threshold %q: a positive number of requests an hour", v))
			return
		}
		threshold = t
	}
	k, err := seriesParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	f, err := s.forecastSeries(ctx, k, s.cfg.Now(), h, threshold)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// forecastChart is the dashboard's plot of a seriesForecast: the last week
// as a line, the forecast as a line in its 95% and 80% bands.
type forecastChart struct {
	W, H, PlotX, PlotY, PlotW, PlotH int
	Bottom                           int    // PlotY + PlotH
	History, Point                   string // SVG polyline points
	Band95, Band80                   string // SVG polygon points
	SplitX                           float64
	YTicks, XTicks                   []tick
	Points                           int // history hours with data plus forecast hours
	Alarms                           []alarmDot
	Method, Reason                   string
	Horizon                          int
}

// alarmDot marks an anomaly on the history line.
type alarmDot struct {
	X, Y  float64
	Title string
}

func buildForecastChart(f *seriesForecast, alarms []anomaly) forecastChart {
	c := forecastChart{W: 900, H: 300, PlotX: 70, PlotY: 20, Method: f.Method, Reason: f.Reason, Horizon: len(f.Point)}
	c.PlotW, c.PlotH = c.W-c.PlotX-20, c.H-c.PlotY-50
	c.Bottom = c.PlotY + c.PlotH
	n := len(f.History) + len(f.Point)
	if n == 0 {
		return c
	}
	top := 0.0
	for _, v := range f.History {
		if !math.IsNaN(v) {
			top = math.Max(top, v)
			c.Points++
		}
	}
	c.Points += len(f.Point)
	for _, v := range f.Upper95 {
		top = math.Max(top, v)
	}
	topN := niceMax(int64(math.Ceil(top)))
	x := func(i int) float64 { return float64(c.PlotX) + float64(c.PlotW)*float64(i)/float64(n-1) }
	y := func(v float64) float64 { return float64(c.PlotY+c.PlotH) - float64(c.PlotH)*math.Min(v, topN)/topN }
	pts := func(off int, vs []float64) string {
		var b []byte
		for i, v := range vs {
			if math.IsNaN(v) {
				continue
			}
			b = fmt.Appendf(b, "%.1f,%.1f ", x(off+i), y(v))
		}
		return string(b)
	}
	band := func(lo, hi []float64) string {
		if len(lo) == 0 {
			return ""
		}
		s := pts(len(f.History), hi)
		rev := make([]float64, len(lo))
		for i, v := range lo {
			rev[len(lo)-1-i] = v
		}
		var b []byte
		for i, v := range rev {
			b = fmt.Appendf(b, "%.1f,%.1f ", x(len(f.History)+len(lo)-1-i), y(v))
		}
		return s + string(b)
	}
	for _, a := range alarms {
		i := int(a.Hour.Sub(f.HistFrom) / time.Hour)
		if i < 0 || i >= len(f.History) {
			continue
		}
		c.Alarms = append(c.Alarms, alarmDot{x(i), y(a.Value), fmt.Sprintf("%s: %s, %.0f requests where %.0f were expected",
			a.Hour.Format("Jan 2 15:04"), a.Kind, a.Value, a.Expected)})
	}
	c.History = pts(0, f.History)
	c.Point = pts(len(f.History), f.Point)
	c.Band95 = band(f.Lower95, f.Upper95)
	c.Band80 = band(f.Lower80, f.Upper80)
	c.SplitX = x(len(f.History))
	c.YTicks = valueTicks(topN, c.PlotY, c.PlotH)
	for i := 0; i < n; i += 24 {
		c.XTicks = append(c.XTicks, tick{x(i), f.HistFrom.Add(time.Duration(i) * time.Hour).Format("Jan 2 15:04")})
	}
	return c
}

// anomaly is an hour the online detector flagged.
type anomaly struct {
	Hour     time.Time `json:"hour"`
	Value    float64   `json:"value"`
	Expected float64   `json:"expected"`
	Score    float64   `json:"score"`
	Kind     string    `json:"kind"` // spike, dip, level up, level down
}

// anomalies runs the online detector (internal/series: a learned daily
// baseline, no look-ahead) over the twelve weeks of series k before the
// last complete hour, and returns the alarms of the last week.
func (s *Server) anomalies(ctx context.Context, k seriesKey, now time.Time) ([]anomaly, error) {
	to := now.UTC().Truncate(time.Hour)
	y, err := s.hourly(ctx, k, to)
	if err != nil {
		return nil, err
	}
	d, err := series.New(series.Config{})
	if err != nil {
		return nil, err
	}
	from := to.Add(-forecastHistory * time.Hour)
	shown := to.Add(-forecastShown * time.Hour)
	out := []anomaly{}
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		at := from.Add(time.Duration(i) * time.Hour)
		if rd := d.Observe(at, v); rd.Alarm && !at.Before(shown) {
			out = append(out, anomaly{Hour: at, Value: v, Expected: rd.Expected, Score: rd.Score, Kind: rd.Kind.String()})
		}
	}
	return out, nil
}

// apiAnomalies answers GET /api/v1/anomalies?by=&key=.
func (s *Server) apiAnomalies(w http.ResponseWriter, r *http.Request) {
	k, err := seriesParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	as, err := s.anomalies(ctx, k, s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"series": k.String(), "items": as})
}
