package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/correlate"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// The threat/limit correlation view (issue 16): over a dashboard range,
// does the volume of the limiter's refusals follow the volume of threats,
// at which lag, and does the threat volume improve the forecast of the
// limiter's load beyond that load's own history? Both series come from
// the per-minute (or hourly) aggregates: threats are requests above threat
// level none, refusals are the limiter's outcomes (limited, throttled,
// banned). The lag's significance is a circular block permutation
// (internal/correlate), valid for autocorrelated series where the textbook
// test of r is not; the forecast question is a Granger F test.

// refusalOutcomes are the limiter's refusals: over the rate, over the
// penalty box's reduced rate, in the penalty box.
var refusalOutcomes = map[string]bool{"limited": true, "throttled": true, "banned": true}

const (
	correlationPermutations = 999
	correlationRoutes       = 5 // top routes correlated beside the total
	significance            = 0.05
)

// lagJSON is the lag of strongest coupling between the two series.
type lagJSON struct {
	Lag          int         `json:"lag"`         // refusals follow threats by Lag steps (negative: they lead)
	LagSeconds   int64       `json:"lag_seconds"` // Lag in seconds
	R            jsonFloat64 `json:"r"`           // Pearson correlation at Lag
	P            float64     `json:"p"`           // permutation p-value of max |r| over every lag tried
	MaxLag       int         `json:"max_lag"`
	Block        int         `json:"block"` // permutation block length, steps
	Permutations int         `json:"permutations"`
	Significant  bool        `json:"significant"` // P < 0.05
}

// grangerJSON says whether threat volume helps forecast refusals.
type grangerJSON struct {
	Lags  int         `json:"lags"` // chosen by AIC on the refusals' own regression
	F     jsonFloat64 `json:"f"`
	DF1   int         `json:"df1"`
	DF2   int         `json:"df2"`
	P     float64     `json:"p"`
	Helps bool        `json:"helps"` // P < 0.05: threats improve the forecast
}

// routeCorrelation is one route's lag of strongest coupling.
type routeCorrelation struct {
	Route    string   `json:"route"`
	Threats  int64    `json:"threats"`
	Refusals int64    `json:"refusals"`
	Lagged   *lagJSON `json:"lagged"`
	Note     string   `json:"note,omitempty"`
}

// cohortCorrelation is one client cohort's lag of strongest coupling.
type cohortCorrelation struct {
	Cohort   string   `json:"cohort"`
	Threats  int64    `json:"threats"`
	Refusals int64    `json:"refusals"`
	Lagged   *lagJSON `json:"lagged"`
	Note     string   `json:"note,omitempty"`
}

// correlation is the answer of GET /api/v1/correlation.
type correlation struct {
	Route    string             `json:"route,omitempty"`
	Cohort   string             `json:"cohort,omitempty"`
	From     time.Time          `json:"from"`
	To       time.Time          `json:"to"`
	Step     string             `json:"step"`
	Threats  floats             `json:"threats"`
	Refusals floats             `json:"refusals"`
	Lagged   *lagJSON           `json:"lagged"`
	Granger  *grangerJSON       `json:"granger"`
	Notes    []string           `json:"notes,omitempty"`
	Routes   []routeCorrelation `json:"routes,omitempty"`
	// Cohorts splits the offences by client cohort (history.Cohorts),
	// without a cohort parameter.
	Cohorts []cohortCorrelation `json:"cohorts,omitempty"`
	step    time.Duration
}

// threatRefusalSeries reads the threat and refusal counts of route ("" for
// every route) and client cohort ("" for every client) in win, one value a
// step.
func (s *Server) threatRefusalSeries(ctx context.Context, win window, route, cohort string) (threats, refusals []float64, err error) {
	n := int(win.To.Sub(win.From) / win.Step)
	threats, refusals = make([]float64, n), make([]float64, n)
	rng := s.rng(win)
	lv, err := s.Store.Series(ctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByLevel, Threats: true, Route: route, Cohort: cohort})
	if err != nil {
		return nil, nil, err
	}
	oc, err := s.Store.Series(ctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByOutcome, Route: route, Cohort: cohort})
	if err != nil {
		return nil, nil, err
	}
	at := func(t time.Time) int { return int(t.Sub(win.From) / win.Step) }
	for _, p := range lv {
		if i := at(p.Time); i >= 0 && i < n {
			threats[i] += float64(p.Count)
		}
	}
	for _, p := range oc {
		if i := at(p.Time); i >= 0 && i < n && refusalOutcomes[p.Key] {
			refusals[i] += float64(p.Count)
		}
	}
	return threats, refusals, nil
}

func sum(xs []float64) (t float64) {
	for _, x := range xs {
		t += x
	}
	return t
}

// lagged runs the permutation test on two series of one range, or says
// why it cannot.
func lagged(threats, refusals []float64, step time.Duration) (*lagJSON, string) {
	if sum(threats) == 0 || sum(refusals) == 0 {
		return nil, "no threats or no refusals in this range: nothing to correlate"
	}
	maxLag := min(24, (len(threats)-8)/4)
	if maxLag < 1 {
		return nil, fmt.Sprintf("%d steps are too few for a lag test", len(threats))
	}
	lc, err := correlate.Lagged(threats, refusals, correlate.LagConfig{MaxLag: maxLag, Permutations: correlationPermutations, Seed: 1})
	if err != nil {
		return nil, err.Error()
	}
	return &lagJSON{Lag: lc.Lag, LagSeconds: int64(time.Duration(lc.Lag) * step / time.Second), R: jsonFloat64(lc.R), P: lc.P,
		MaxLag: maxLag, Block: lc.Block, Permutations: correlationPermutations, Significant: lc.P < significance}, ""
}

// correlation relates threats and refusals in win, on route ("" for every
// route) and cohort ("" for every client). Without a cohort it adds each
// cohort's lag test, and without a route too each top route's.
func (s *Server) correlation(ctx context.Context, win window, route, cohort string) (*correlation, error) {
	c := &correlation{Route: route, Cohort: cohort, From: win.From, To: win.To, Step: win.Step.String(), step: win.Step}
	threats, refusals, err := s.threatRefusalSeries(ctx, win, route, cohort)
	if err != nil {
		return nil, err
	}
	c.Threats, c.Refusals = threats, refusals
	var note string
	if c.Lagged, note = lagged(threats, refusals, win.Step); note != "" {
		c.Notes = append(c.Notes, note)
	} else {
		g, err := correlate.Granger(refusals, threats, 0)
		switch {
		case err != nil:
			// ErrShort, or a singular regression: series flat over most steps
			c.Notes = append(c.Notes, "no Granger test: the series are too short or too flat to fit lagged regressions ("+err.Error()+")")
		default:
			c.Granger = &grangerJSON{Lags: g.Lags, F: jsonFloat64(g.F), DF1: g.DF1, DF2: g.DF2, P: g.P, Helps: g.P < significance}
		}
	}
	if cohort == "" {
		for _, co := range history.Cohorts {
			th, rf, err := s.threatRefusalSeries(ctx, win, route, co)
			if err != nil {
				return nil, err
			}
			cc := cohortCorrelation{Cohort: co, Threats: int64(sum(th)), Refusals: int64(sum(rf))}
			cc.Lagged, cc.Note = lagged(th, rf, win.Step)
			c.Cohorts = append(c.Cohorts, cc)
		}
	}
	if route != "" || cohort != "" {
		return c, nil
	}
	top, err := s.Store.TopRoutes(ctx, s.rng(win), correlationRoutes)
	if err != nil {
		return nil, err
	}
	for _, tr := range top {
		if tr.Threats == 0 {
			continue
		}
		th, rf, err := s.threatRefusalSeries(ctx, win, tr.Route, "")
		if err != nil {
			return nil, err
		}
		rc := routeCorrelation{Route: tr.Route, Threats: int64(sum(th)), Refusals: int64(sum(rf))}
		rc.Lagged, rc.Note = lagged(th, rf, win.Step)
		c.Routes = append(c.Routes, rc)
	}
	return c, nil
}

// apiCorrelation answers GET /api/v1/correlation?range=1h|24h|7d (or
// from, to and step) [&route=PATTERN][&cohort=new|returning].
func (s *Server) apiCorrelation(w http.ResponseWriter, r *http.Request) {
	win, err := s.window(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if n := win.To.Sub(win.From) / win.Step; n > 10_000 {
		s.fail(w, r, bad("%d steps: at most 10,000", n))
		return
	}
	route := r.URL.Query().Get("route")
	if len(route) > 256 {
		s.fail(w, r, bad("route: at most 256 bytes"))
		return
	}
	cohort, err := cohortParam(r.URL.Query().Get("cohort"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	c, err := s.correlation(ctx, win, route, cohort)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// cohortParam checks a cohort parameter: "" (every client) or one of
// history.Cohorts.
func cohortParam(v string) (string, error) {
	if v == "" || slices.Contains(history.Cohorts, v) {
		return v, nil
	}
	return "", bad("cohort %q: want %s", v, strings.Join(history.Cohorts, " or "))
}

// correlationView is the dashboard's correlation section: both series as
// lines, the tests in words, and the top routes.
type correlationView struct {
	W, H, PlotX, PlotY, PlotW, PlotH int
	Threats, Refusals                string // SVG polyline points
	YTicks, XTicks                   []tick
	Points                           int // steps with a threat or a refusal
	Summary                          []string
	Routes                           []routeCorrelation
	Cohorts                          []cohortCorrelation
	Cohort                           string         // the plot's cohort, "" for every client
	CohortOpt                        []seriesOption // links to the plot of every client and of each cohort
	StepLabel                        string
}

// duration writes a lag of steps as a duration ("45m", "2h").
func duration(steps int, step time.Duration) string {
	d := time.Duration(steps) * step
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

// lagWords says what a lag test found, in a sentence.
func lagWords(l *lagJSON, step time.Duration) string {
	var when string
	switch {
	case l.Lag > 0:
		when = "follow threats by " + duration(l.Lag, step)
	case l.Lag < 0:
		when = "lead threats by " + duration(-l.Lag, step)
	default:
		when = "move with threats in the same step"
	}
	verdict := "significant at 5%"
	if !l.Significant {
		verdict = "not significant at 5%"
	}
	return fmt.Sprintf("Refusals %s (r = %.2f, p = %.3f over %d circular block permutations, blocks of %d steps: %s).",
		when, float64(l.R), l.P, l.Permutations, l.Block, verdict)
}

func buildCorrelationView(c *correlation, stepLabel, rangeName string) correlationView {
	v := correlationView{W: 900, H: 260, PlotX: 70, PlotY: 20, StepLabel: stepLabel, Routes: c.Routes, Cohorts: c.Cohorts, Cohort: c.Cohort}
	for _, co := range append([]string{""}, history.Cohorts...) {
		q := url.Values{"range": {rangeName}}
		label := "every client"
		if co != "" {
			q.Set("cohort", co)
			label = co + " clients"
		}
		v.CohortOpt = append(v.CohortOpt, seriesOption{Label: label, Href: "/dashboard?" + q.Encode() + "#correlation", On: co == c.Cohort})
	}
	v.PlotW, v.PlotH = v.W-v.PlotX-20, v.H-v.PlotY-50
	n := len(c.Threats)
	top := 0.0
	for i := range n {
		top = math.Max(top, math.Max(c.Threats[i], c.Refusals[i]))
		if c.Threats[i] > 0 || c.Refusals[i] > 0 {
			v.Points++
		}
	}
	topN := niceMax(int64(math.Ceil(top)))
	x := func(i int) float64 { return float64(v.PlotX) + float64(v.PlotW)*(float64(i)+0.5)/float64(max(n, 1)) }
	y := func(val float64) float64 { return float64(v.PlotY+v.PlotH) - float64(v.PlotH)*val/topN }
	line := func(vs []float64) string {
		var b []byte
		for i, val := range vs {
			b = fmt.Appendf(b, "%.1f,%.1f ", x(i), y(val))
		}
		return string(b)
	}
	v.Threats, v.Refusals = line(c.Threats), line(c.Refusals)
	v.YTicks = valueTicks(topN, v.PlotY, v.PlotH)
	v.XTicks = timeTicks(c.From, c.To, v.PlotX, v.PlotW)
	if c.Lagged != nil {
		v.Summary = append(v.Summary, lagWords(c.Lagged, c.step))
	}
	if g := c.Granger; g != nil {
		does := "improves"
		if !g.Helps {
			does = "does not improve"
		}
		v.Summary = append(v.Summary, fmt.Sprintf("Threat volume %s the one-step forecast of refusals beyond their own history (Granger, %d lags: F(%d, %d) = %.2f, p = %.3f).",
			does, g.Lags, g.DF1, g.DF2, float64(g.F), g.P))
	}
	v.Summary = append(v.Summary, c.Notes...)
	return v
}
