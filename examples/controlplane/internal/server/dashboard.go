package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// palette colours series in a fixed order, readable on white.
var palette = []string{"#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"}

// outcomeColours keep an outcome's colour the same across ranges.
var outcomeColours = map[string]string{
	"allowed": "#2ca02c", "allow_listed": "#17becf", "blocked": "#d62728", "banned": "#7f0000",
	"limited": "#ff7f0e", "throttled": "#bcbd22", "shadow_refused": "#9467bd",
}

// chart is a stacked bar chart drawn as SVG.
type chart struct {
	ID, Title, Unit string
	W, H            int
	Bars            []bar
	Legend          []legendItem
	YTicks          []tick
	XTicks          []tick
	Points          int // buckets with data
	PlotX, PlotY    int
	PlotW, PlotH    int
}

type bar struct {
	X, W     float64
	Segments []segment
}

type segment struct {
	Y, H   float64
	Colour string
	Title  string
}

type legendItem struct {
	Label, Colour string
	Total         int64
}

type tick struct {
	Pos   float64
	Label string
}

// buildChart stacks pts (bucketed at step from from to to) by key.
func buildChart(id, title, unit string, pts []history.Point, from, to time.Time, step time.Duration, colours map[string]string) chart {
	c := chart{ID: id, Title: title, Unit: unit, W: 900, H: 300, PlotX: 70, PlotY: 20}
	c.PlotW, c.PlotH = c.W-c.PlotX-20, c.H-c.PlotY-50
	n := int(to.Sub(from) / step)
	if n <= 0 {
		return c
	}
	totals := map[string]int64{}
	buckets := make([]map[string]int64, n)
	for _, p := range pts {
		i := int(p.Time.Sub(from) / step)
		if i < 0 || i >= n {
			continue
		}
		if buckets[i] == nil {
			buckets[i] = map[string]int64{}
		}
		key := p.Key
		if key == "" {
			key = "(none)"
		}
		buckets[i][key] += p.Count
		totals[key] += p.Count
	}
	keys := make([]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return totals[keys[i]] > totals[keys[j]] || totals[keys[i]] == totals[keys[j]] && keys[i] < keys[j]
	})
	colour := map[string]string{}
	for i, k := range keys {
		col := colours[k]
		if col == "" {
			col = palette[i%len(palette)]
		}
		colour[k] = col
		c.Legend = append(c.Legend, legendItem{k, col, totals[k]})
	}
	var maxSum int64
	for _, b := range buckets {
		var s int64
		for _, v := range b {
			s += v
		}
		maxSum = max(maxSum, s)
		if s > 0 {
			c.Points++
		}
	}
	top := niceMax(maxSum)
	c.YTicks = valueTicks(top, c.PlotY, c.PlotH)
	bw := float64(c.PlotW) / float64(n)
	for i, b := range buckets {
		if len(b) == 0 {
			continue
		}
		x := float64(c.PlotX) + float64(i)*bw
		y := float64(c.PlotY + c.PlotH)
		br := bar{X: x + bw*0.1, W: math.Max(bw*0.8, 1)}
		t := from.Add(time.Duration(i) * step)
		for _, k := range keys {
			v := b[k]
			if v == 0 {
				continue
			}
			h := float64(c.PlotH) * float64(v) / top
			y -= h
			br.Segments = append(br.Segments, segment{y, h, colour[k], fmt.Sprintf("%s %s: %d %s", t.Format("Jan 2 15:04"), k, v, unit)})
		}
		c.Bars = append(c.Bars, br)
	}
	c.XTicks = timeTicks(from, to, c.PlotX, c.PlotW)
	return c
}

// valueTicks are five ticks from 0 to top on a plot PlotY..PlotY+h high.
func valueTicks(top float64, plotY, h int) []tick {
	ts := make([]tick, 0, 5)
	for i := 0; i <= 4; i++ {
		ts = append(ts, tick{float64(plotY+h) - float64(h)*float64(i)/4, humanCount(top * float64(i) / 4)})
	}
	return ts
}

// timeTicks are seven time labels from from to to across a plot
// plotX..plotX+w wide.
func timeTicks(from, to time.Time, plotX, w int) []tick {
	const labels = 6
	f := "15:04"
	if to.Sub(from) > 24*time.Hour {
		f = "Jan 2 15:04"
	}
	ts := make([]tick, 0, labels+1)
	for i := 0; i <= labels; i++ {
		t := from.Add(time.Duration(float64(to.Sub(from)) * float64(i) / float64(labels)))
		ts = append(ts, tick{float64(plotX) + float64(w)*float64(i)/float64(labels), t.Format(f)})
	}
	return ts
}

func niceMax(v int64) float64 {
	if v <= 4 {
		return 4 // whole numbers on every tick
	}
	exp := math.Pow(10, math.Floor(math.Log10(float64(v))))
	for _, m := range []float64{1, 2, 4, 8, 10} { // quarters of these are round
		if m*exp >= float64(v) {
			return m * exp
		}
	}
	return 10 * exp
}

func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}

// modelRow is a model stage pointer, with the stage a click promotes it
// to ("" for none).
type modelRow struct {
	Kind, Stage, Version, SHA, Next string
	Created                         time.Time
	// PointedBy and PointedAt say which region set the stage, and when
	// (several regions keep the latest pointer set in any of them)
	PointedBy string
	PointedAt time.Time
}

// nextStage is the stage the dashboard promotes a model of kind in stage
// to: the combiner's candidate, shadow and canary one step on; the other
// kinds' candidate to active (instances run them active only).
func nextStage(kind, stage string) string {
	if kind != artefact.KindCombiner {
		if stage == "candidate" {
			return "active"
		}
		return ""
	}
	switch stage {
	case "candidate":
		return "shadow"
	case "shadow":
		return "canary"
	case "canary":
		return "active"
	}
	return ""
}

// recentRow is an offending request the dashboard offers to label.
type recentRow struct {
	ID                             string
	Time                           time.Time
	Pseudonym, Route, Family, Rule string
	Outcome, Label                 string
	Score                          float64
}

// recentOffences returns the latest scored requests (a threat level above
// none) of the top offending clients, up to three each and 15 in all,
// newest first: the detections an operator labels from the dashboard.
func (s *Server) recentOffences(ctx context.Context, q history.Range, clients []history.TopClient) ([]recentRow, error) {
	var rows []recentRow
	for _, c := range clients[:min(len(clients), 8)] {
		es, _, err := s.Store.Timeline(ctx, q.Tenant, c.Pseudonym, q, history.Page{Limit: 50})
		if err != nil {
			return nil, err
		}
		n := 0
		for i := range es {
			e := &es[i]
			if n == 3 {
				break
			}
			if ev := (event.Event{Level: e.Level}); !ev.Scored() {
				continue // a refusal by the limiter or a ban: no detection to label
			}
			n++
			r := recentRow{ID: e.ID.String(), Time: e.Time, Pseudonym: e.Pseudonym, Route: e.Route, Family: e.Family,
				Outcome: e.Outcome, Label: e.Label, Score: e.Score}
			if len(e.Reasons) > 0 {
				r.Rule = e.Reasons[0]
			}
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, func(a, b recentRow) int { return b.Time.Compare(a.Time) })
	return rows[:min(len(rows), 15)], nil
}

type dashData struct {
	Range     string
	Ranges    []string
	Now       time.Time
	From, To  time.Time
	StepLabel string
	Traffic   chart
	Threats   chart
	Forecast  forecastChart
	Series    string         // the forecast's series ("total", "route=/login")
	SeriesOpt []seriesOption // the series the forecast plot can show
	Correl    correlationView
	Alarms    []raisedAlarm // raised by the anomaly watch, newest first
	Through   time.Time     // the hour the watch reached
	Suggest   []suggestion
	Playbooks []playbookRow
	PBOn      bool
	Routes    []history.TopRoute
	Clients   []history.TopClient
	Recent    []recentRow    // the top clients' latest scored requests, to label
	Models    []modelRow     // every model stage pointer
	Canary    *CanaryCheck   // the combiner's canary against active, if any
	Shadow    *ShadowFigures // the combiner's shadow against active, if any
	Incidents []history.Incident
	Decisions []map[string]any
	Instances []map[string]any
	Multi     bool             // one of several regions: the Regions table
	Region    string           // this region
	Regions   []map[string]any // the sources of the region's aggregate
	Direct    bool             // REGION_PEERS: the direct links' column
	CanWrite  bool
	CanAdmin  bool // models: promote, roll back
	Subject   string
}

// seriesOption is a link to the dashboard with another forecast series.
type seriesOption struct {
	Label, Href string
	On          bool
}

// seriesOptions offers the total, the top routes and the families seen in
// the range as forecast series.
func seriesOptions(rangeName string, cur seriesKey, routes []history.TopRoute, threats []history.Point) []seriesOption {
	mk := func(k seriesKey) seriesOption {
		v := url.Values{"range": {rangeName}}
		if k.By != "" {
			v.Set("fby", k.By)
			v.Set("fkey", k.Key)
		}
		return seriesOption{Label: k.String(), Href: "/dashboard?" + v.Encode(), On: k == cur}
	}
	opts := []seriesOption{mk(seriesKey{})}
	seen := map[seriesKey]bool{{}: true}
	add := func(k seriesKey) {
		if !seen[k] && len(opts) < 12 {
			seen[k] = true
			opts = append(opts, mk(k))
		}
	}
	for _, r := range routes {
		add(seriesKey{By: history.ByRoute, Key: r.Route})
	}
	for _, p := range threats {
		if p.Key != "" {
			add(seriesKey{By: history.ByFamily, Key: p.Key})
		}
	}
	if !seen[cur] {
		opts = append(opts, mk(cur))
	}
	return opts
}

func stepLabel(d time.Duration) string {
	switch d {
	case time.Minute:
		return "minute"
	case 15 * time.Minute:
		return "15 minutes"
	case time.Hour:
		return "hour"
	}
	return d.String()
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	win, err := rangeWindow(r.URL.Query().Get("range"), s.cfg.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// the forecast plot's series: total, or ?fby=route|family|outcome|level&fkey=…
	fk := seriesKey{}
	if q := r.URL.Query(); q.Get("fby") != "" {
		pr := r.Clone(r.Context())
		pr.URL.RawQuery = url.Values{"by": {q.Get("fby")}, "key": {q.Get("fkey")}}.Encode()
		if fk, err = seriesParam(pr); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	// the correlation plot's client cohort: every client, or ?cohort=new|returning
	cohort, err := cohortParam(r.URL.Query().Get("cohort"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	rng := s.rng(win)
	d := dashData{Range: win.Name, Ranges: Ranges, Now: s.cfg.Now().UTC(), From: win.From, To: win.To, StepLabel: stepLabel(win.Step)}
	c := claimsOf(r)
	d.CanWrite, d.CanAdmin, d.Subject = c.Has(ScopeDecisions), c.Has(ScopeAdmin), c.Subject
	var traffic, threats []history.Point
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		traffic, err = s.Store.Series(gctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByOutcome})
		return err
	})
	g.Go(func() (err error) {
		threats, err = s.Store.Series(gctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByFamily, Threats: true})
		return err
	})
	var fc *seriesForecast
	var alarms []anomaly
	g.Go(func() (err error) {
		alarms, err = s.anomalies(gctx, fk, s.cfg.Now())
		return err
	})
	g.Go(func() (err error) {
		fc, err = s.forecastSeries(gctx, fk, s.cfg.Now(), maxHorizon, 0)
		return err
	})
	g.Go(func() (err error) {
		d.Suggest, err = s.suggestions(gctx, s.cfg.Now(), suggestParams{Horizon: 24, Factor: 0.5})
		return err
	})
	var corr *correlation
	g.Go(func() (err error) {
		corr, err = s.correlation(gctx, win, "", cohort)
		return err
	})
	g.Go(func() (err error) { d.Routes, err = s.Store.TopRoutes(gctx, rng, 10); return err })
	g.Go(func() (err error) {
		cw := s.rng(clientWindow(win))
		if d.Clients, err = s.Store.TopClients(gctx, cw, 10); err != nil {
			return err
		}
		d.Recent, err = s.recentOffences(gctx, cw, d.Clients)
		return err
	})
	g.Go(func() (err error) {
		now := s.cfg.Now()
		d.Incidents, _, err = s.Store.Incidents(gctx, history.Range{Tenant: s.cfg.Tenant, From: now.Add(-time.Hour), To: now.Add(time.Minute)}, history.Page{Limit: 20})
		return err
	})
	g.Go(func() (err error) {
		now := s.cfg.Now()
		if d.Canary, _, _, err = s.compareCanary(gctx, now); err != nil {
			return err
		}
		d.Shadow, err = s.compareShadow(gctx, now)
		return err
	})
	g.Go(func() error {
		return eachPointer(gctx, s.pointers, func(kind, stage string, m *artefact.Manifest) {
			row := modelRow{Kind: kind, Stage: stage, Version: m.Version, SHA: m.SHA256[:min(12, len(m.SHA256))],
				Created: m.Created, Next: nextStage(kind, stage)}
			if m.Pointed != nil {
				row.PointedBy, row.PointedAt = m.Pointed.Region, time.Unix(0, m.Pointed.Stamp.Wall).UTC()
			}
			d.Models = append(d.Models, row)
		})
	})
	g.Go(func() error {
		ds, err := s.Store.Decisions(gctx, s.cfg.Tenant, false)
		now := s.cfg.Now()
		for _, x := range ds {
			if m := decisionJSON(x, now); m["pending"].(bool) {
				d.Decisions = append(d.Decisions, m)
			}
		}
		return err
	})
	g.Go(func() error {
		ins, err := s.Store.Instances(gctx, s.cfg.Tenant)
		now := s.cfg.Now()
		for _, in := range ins {
			d.Instances = append(d.Instances, map[string]any{"Name": in.Name, "Region": in.Region, "Version": in.Version,
				"LastSeen": in.LastSeen, "Ago": now.Sub(in.LastSeen).Round(time.Second).String(), "Live": now.Sub(in.LastSeen) < 15*time.Second,
				"Dropped": in.Dropped, "Queued": in.Queued, "Published": in.Published, "Breaker": in.Breaker})
		}
		return err
	})
	if err := g.Wait(); err != nil {
		s.fail(w, r, err)
		return
	}
	unit := "requests / " + d.StepLabel
	d.Traffic = buildChart("traffic", "Traffic by outcome", unit, traffic, win.From, win.To, win.Step, outcomeColours)
	d.Forecast = buildForecastChart(fc, alarms)
	d.Series, d.SeriesOpt = fk.String(), seriesOptions(win.Name, fk, d.Routes, threats)
	d.Correl = buildCorrelationView(corr, d.StepLabel, win.Name)
	d.Playbooks, d.PBOn = s.playbookRows(), s.playbooks != nil
	d.Alarms, d.Through = s.watch.raised()
	d.Alarms = d.Alarms[:min(len(d.Alarms), 20)]
	if d.Multi, d.Region = s.cfg.multiRegion(), s.cfg.Region; d.Multi {
		d.Direct = len(s.cfg.RegionPeers) > 0
		d.Regions, _, _ = s.regionRows()
	}
	d.Threats = buildChart("threats", "Threats by attack family", "threats / "+d.StepLabel, threats, win.From, win.To, win.Step, nil)
	var page bytes.Buffer
	if err := dashTmpl.Execute(&page, d); err != nil {
		// a half page would read as a complete one: answer 500 instead
		s.cfg.Logger.Error("controlplane: dashboard", "err", err)
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = page.WriteTo(w)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginTmpl.Execute(w, nil)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		writeProblem(w, http.StatusBadRequest, probBadRequest, "bad form")
		return
	}
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	c, err := parseToken(s.key, tok, s.cfg.Now)
	if err != nil || !c.Has(ScopeRead) {
		writeProblem(w, http.StatusUnauthorized, probUnauthorized, "invalid or expired token, or no read scope")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, Expires: c.ExpiresAt.Time})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

var funcs = template.FuncMap{
	"f1": func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f2": func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"f3": func(v float64) string { return fmt.Sprintf("%.3f", v) },
	// rate is k/n with the rate and its one-sided 95% Wilson bounds
	"rate": func(r Rate) string {
		if r.N == 0 {
			return "no sample"
		}
		return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", r.K, r.N, r.Rate, r.Low, r.High)
	},
	"ts":    func(t time.Time) string { return t.UTC().Format("Jan 2 15:04:05") },
	"hum":   func(v int64) string { return humanCount(float64(v)) },
	"str":   func(v any) string { return fmt.Sprint(v) },
	"float": func(v jsonFloat64) float64 { return float64(v) },
	"tm": func(v any) string {
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format("Jan 2 15:04")
		}
		return "never"
	},
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bulwark control plane: sign in</title>
<style>body{font:16px system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222}textarea{width:100%;height:6em}</style></head>
<body><h1>bulwark control plane</h1>
<p>Paste an API token with the <code>read</code> scope (add <code>decisions:write</code> to ban from the dashboard).
Make one with <code>go run ./examples/controlplane token -scope read,decisions:write</code>.</p>
<form method="post" action="/login" id="f"><textarea name="token" id="token" aria-label="token"></textarea><p><button type="submit">Sign in</button></p></form>
<script>
// /login#token=… signs in at once: a fragment never reaches a server log.
const m = location.hash.match(/token=([^&]+)/);
if (m) { document.getElementById('token').value = decodeURIComponent(m[1]); history.replaceState(null, '', '/login'); document.getElementById('f').submit(); }
</script></body></html>`))

var dashTmpl = template.Must(template.New("dash").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bulwark control plane</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1d2733;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header h1{font-size:1.2em;margin:0}
nav.legend a{margin-right:.6em}nav.legend a.on{font-weight:bold;color:#222;text-decoration:none}
header a{color:#cfe3ff;margin-right:.8em}header a.on{color:#fff;font-weight:bold;text-decoration:none;border-bottom:2px solid #fff}
main{padding:1em 1.2em;display:grid;grid-template-columns:repeat(auto-fit,minmax(620px,1fr));gap:1em}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.8em 1em;overflow-x:auto}
section.wide{grid-column:1/-1}
h2{font-size:1.05em;margin:.2em 0 .6em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;font-variant-numeric:tabular-nums}
th{font-weight:600;color:#444}td.n{text-align:right}td{white-space:nowrap}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px}
.axis{font-size:11px;fill:#444}.unit{font-size:12px;fill:#222}
button{font:inherit;padding:.15em .7em;cursor:pointer}.ok{color:#2a7a2a}.bad{color:#b00020}.empty{color:#777}
td.empty,td.wrap{white-space:normal}
code{font-size:12px}
</style></head>
<body>
<header><h1>bulwark control plane</h1>
<nav aria-label="time range">Range: {{range .Ranges}}<a href="/dashboard?range={{.}}" {{if eq . $.Range}}class="on" aria-current="page"{{end}}>{{.}}</a>{{end}}</nav>
<span>{{ts .From}} – {{ts .To}} UTC, one bar per {{.StepLabel}}</span>
<span style="margin-left:auto">signed in as {{.Subject}} <form method="post" action="/logout" style="display:inline"><button>Sign out</button></form></span>
</header>
<main>
{{define "chart"}}
<section><h2>{{.Title}}</h2>
<svg id="chart-{{.ID}}" data-testid="chart-{{.ID}}" data-points="{{.Points}}" width="100%" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}, {{.Unit}}">
<rect x="{{.PlotX}}" y="{{.PlotY}}" width="{{.PlotW}}" height="{{.PlotH}}" fill="#fcfcfd" stroke="#ccc"/>
{{range .YTicks}}<line x1="{{$.PlotX}}" x2="{{$.PlotX}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}" stroke="#888"/><line x1="{{$.PlotX}}" x2="{{$.W}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}" stroke="#eee"/><text class="axis" x="{{$.PlotX}}" dx="-6" y="{{f1 .Pos}}" dy="4" text-anchor="end">{{.Label}}</text>{{end}}
{{range .Bars}}{{$b := .}}{{range .Segments}}<rect x="{{f1 $b.X}}" y="{{f2 .Y}}" width="{{f2 $b.W}}" height="{{f2 .H}}" fill="{{.Colour}}"><title>{{.Title}}</title></rect>{{end}}{{end}}
{{range .XTicks}}<line x1="{{f1 .Pos}}" x2="{{f1 .Pos}}" y1="{{$.PlotY}}" y2="{{$.PlotY}}" stroke="#888"/><text class="axis" x="{{f1 .Pos}}" y="{{$.H}}" dy="-30" text-anchor="middle">{{.Label}}</text>{{end}}
<text class="unit" x="{{$.PlotX}}" y="{{$.H}}" dy="-8">time (UTC) →</text>
<text class="unit" transform="translate(14 {{$.PlotY}}) rotate(90)" >{{.Unit}}</text>
{{if eq .Points 0}}<text class="axis" x="{{$.PlotX}}" dx="20" y="{{$.PlotY}}" dy="30">no data in this range</text>{{end}}
</svg>
<div class="legend" data-testid="legend-{{.ID}}">{{range .Legend}}<span><i style="background:{{.Colour}}"></i>{{.Label}} ({{hum .Total}})</span>{{end}}</div>
</section>
{{end}}
{{template "chart" .Traffic}}
{{template "chart" .Threats}}
{{with .Forecast}}{{$f := .}}<section><h2>Requests per hour ({{$.Series}}): the last 7 days and the next {{.Horizon}} hours</h2>
<nav class="legend" data-testid="forecast-series" aria-label="forecast series">Series: {{range $.SeriesOpt}}<a href="{{.Href}}" {{if .On}}class="on" aria-current="true"{{end}}>{{.Label}}</a> {{end}}</nav>
<svg id="chart-forecast" data-testid="chart-forecast" data-series="{{$.Series}}" data-points="{{.Points}}" data-method="{{.Method}}" width="100%" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="requests per hour, history and forecast with 80% and 95% intervals">
<rect x="{{.PlotX}}" y="{{.PlotY}}" width="{{.PlotW}}" height="{{.PlotH}}" fill="#fcfcfd" stroke="#ccc"/>
{{range .YTicks}}<line x1="{{$f.PlotX}}" x2="{{$f.W}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}" stroke="#eee"/><text class="axis" x="{{$f.PlotX}}" dx="-6" y="{{f1 .Pos}}" dy="4" text-anchor="end">{{.Label}}</text>{{end}}
{{if .Band95}}<polygon points="{{.Band95}}" fill="#1f77b4" fill-opacity="0.15"/>{{end}}
{{if .Band80}}<polygon points="{{.Band80}}" fill="#1f77b4" fill-opacity="0.3"/>{{end}}
{{if .History}}<polyline data-testid="forecast-history" points="{{.History}}" fill="none" stroke="#222" stroke-width="1.2"/>{{end}}
{{if .Point}}<polyline data-testid="forecast-point" points="{{.Point}}" fill="none" stroke="#1f77b4" stroke-width="1.8"/><line x1="{{f1 .SplitX}}" x2="{{f1 .SplitX}}" y1="{{.PlotY}}" y2="{{.Bottom}}" stroke="#888" stroke-dasharray="4 3"/><text class="axis" x="{{f1 .SplitX}}" dx="4" y="{{.PlotY}}" dy="12">now</text>{{end}}
{{range .Alarms}}<circle data-testid="forecast-alarm" cx="{{f1 .X}}" cy="{{f1 .Y}}" r="4" fill="#d62728"><title>{{.Title}}</title></circle>{{end}}
{{range .XTicks}}<text class="axis" x="{{f1 .Pos}}" y="{{$f.H}}" dy="-30" text-anchor="middle">{{.Label}}</text>{{end}}
<text class="unit" x="{{.PlotX}}" y="{{.H}}" dy="-8">time (UTC) →</text>
<text class="unit" transform="translate(14 {{.PlotY}}) rotate(90)">{{if eq $.Series "total"}}requests{{else}}{{$.Series}}{{end}} / hour</text>
</svg>
<div class="legend" data-testid="legend-forecast"><span><i style="background:#222"></i>history</span><span><i style="background:#1f77b4"></i>forecast ({{.Method}})</span><span><i style="background:#1f77b4;opacity:.45"></i>80% interval</span><span><i style="background:#1f77b4;opacity:.2"></i>95% interval</span><span><i style="background:#d62728;border-radius:50%"></i>anomaly ({{len .Alarms}} this week)</span></div>
{{if .Reason}}<p class="empty" data-testid="forecast-reason">{{.Reason}}</p>{{end}}
</section>{{end}}
{{with .Correl}}{{$c := .}}<section id="correlation"><h2>Threats and limiter refusals{{if .Cohort}} of {{.Cohort}} clients{{end}}</h2>
<nav class="legend" data-testid="correlation-cohort" aria-label="client cohort">Clients: {{range .CohortOpt}}<a href="{{.Href}}" {{if .On}}class="on" aria-current="true"{{end}}>{{.Label}}</a> {{end}}</nav>
<svg id="chart-correlation" data-testid="chart-correlation" data-cohort="{{.Cohort}}" data-points="{{.Points}}" width="100%" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="threats and limiter refusals per {{.StepLabel}}">
<rect x="{{.PlotX}}" y="{{.PlotY}}" width="{{.PlotW}}" height="{{.PlotH}}" fill="#fcfcfd" stroke="#ccc"/>
{{range .YTicks}}<line x1="{{$c.PlotX}}" x2="{{$c.W}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}" stroke="#eee"/><text class="axis" x="{{$c.PlotX}}" dx="-6" y="{{f1 .Pos}}" dy="4" text-anchor="end">{{.Label}}</text>{{end}}
{{if .Points}}<polyline data-testid="correlation-threats" points="{{.Threats}}" fill="none" stroke="#d62728" stroke-width="1.6"/>
<polyline data-testid="correlation-refusals" points="{{.Refusals}}" fill="none" stroke="#ff7f0e" stroke-width="1.6" stroke-dasharray="5 3"/>{{else}}<text class="axis" x="{{.PlotX}}" dx="20" y="{{.PlotY}}" dy="30">no threats nor refusals in this range</text>{{end}}
{{range .XTicks}}<text class="axis" x="{{f1 .Pos}}" y="{{$c.H}}" dy="-30" text-anchor="middle">{{.Label}}</text>{{end}}
<text class="unit" x="{{.PlotX}}" y="{{.H}}" dy="-8">time (UTC) →</text>
<text class="unit" transform="translate(14 {{.PlotY}}) rotate(90)">requests / {{.StepLabel}}</text>
</svg>
<div class="legend"><span><i style="background:#d62728"></i>threats (above level none)</span><span><i style="background:#ff7f0e"></i>limiter refusals (limited, throttled, banned)</span></div>
<div data-testid="correlation-summary">{{range .Summary}}<p>{{.}}</p>{{end}}</div>
{{if .Routes}}<table data-testid="correlation-routes"><tr><th>route</th><th class="n">threats</th><th class="n">refusals</th><th class="n">lag ({{$c.StepLabel}}s)</th><th class="n">r</th><th class="n">p</th></tr>
{{range .Routes}}<tr><td><code>{{.Route}}</code></td><td class="n">{{hum .Threats}}</td><td class="n">{{hum .Refusals}}</td>{{with .Lagged}}<td class="n">{{.Lag}}</td><td class="n">{{f2 (float .R)}}</td><td class="n {{if .Significant}}ok{{end}}">{{printf "%.3f" .P}}</td>{{else}}<td colspan="3" class="empty">{{.Note}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{if .Cohorts}}<table data-testid="correlation-cohorts"><tr><th>client cohort</th><th class="n">threats</th><th class="n">refusals</th><th class="n">lag ({{$c.StepLabel}}s)</th><th class="n">r</th><th class="n">p</th></tr>
{{range .Cohorts}}<tr><td>{{.Cohort}}</td><td class="n">{{hum .Threats}}</td><td class="n">{{hum .Refusals}}</td>{{with .Lagged}}<td class="n">{{.Lag}}</td><td class="n">{{f2 (float .R)}}</td><td class="n {{if .Significant}}ok{{end}}">{{printf "%.3f" .P}}</td>{{else}}<td colspan="3" class="empty">{{.Note}}</td>{{end}}</tr>
{{end}}</table>
<p class="empty">A client is <em>new</em> in its first hour of offences (scored or refused requests) in seven days, and <em>returning</em> in a later hour; cohorts count offences from the stored events.</p>{{end}}
</section>{{end}}
<section><h2>Anomaly alarms</h2>
<table data-testid="anomaly-alarms"><tr><th>hour (UTC)</th><th>series</th><th>what moved</th><th class="n">value</th><th class="n">expected</th><th class="n">score</th><th>raised</th></tr>
{{range .Alarms}}<tr><td>{{tm .Hour}}</td><td><code>{{.Series}}</code></td><td>{{.Kind}}</td><td class="n">{{printf "%.0f" .Value}}</td><td class="n">{{printf "%.0f" .Expected}}</td><td class="n">{{f2 .Score}}</td><td>{{ts .Raised}}</td></tr>
{{else}}<tr><td colspan="7" class="empty">no alarm raised yet</td></tr>{{end}}</table>
<p class="empty">As each hour closes, the online detector scores the total, each route, each attack family and each outcome against the hours before it; an alarm is logged, audited (<code>anomaly.*</code>) and listed here (<code>GET /api/v1/alarms</code>){{if not .Through.IsZero}}; hours before {{tm .Through}} observed{{end}}.</p></section>
<section><h2>Suggested limit changes (next 24 hours)</h2>
<table data-testid="suggestions"><tr><th>route</th><th>forecast</th><th>window (UTC)</th><th class="n">peak / threshold</th><th>throttle</th><th></th></tr>
{{range .Suggest}}<tr><td><code>{{.Route}}</code></td><td>{{.Kind}}</td><td>{{tm .From}} – {{tm .To}}</td><td class="n">{{printf "%.0f" .Peak}} / {{printf "%.0f" .Threshold}}</td>
<td class="wrap">rate × {{.Factor}} from {{tm .Starts}}</td>
<td>{{if .Applied}}<span class="ok">applied</span>{{else if $.CanWrite}}<button data-testid="accept-{{.ID}}" onclick="accept('{{.ID}}')">Accept</button>{{end}}</td></tr>
{{else}}<tr><td colspan="6" class="empty">no route's forecast crosses its threshold in the next 24 hours</td></tr>{{end}}</table>
<p class="empty">A route whose forecast threats (95% bound) reach three times its median hour (at least 20) is throttled from an hour before the window to its end; <code>GET /api/v1/suggestions</code> takes other thresholds and a capacity.</p></section>
<section><h2>Playbooks</h2>
{{if .PBOn}}<table data-testid="playbooks"><tr><th>family</th><th>response</th><th class="n">responses</th><th class="n">no recurrence</th><th class="n">mean reward</th><th class="n">awaiting outcome</th></tr>
{{range .Playbooks}}<tr><td>{{if .First}}{{.Family}}{{end}}</td><td>{{.Arm}}</td><td class="n">{{.Pulls}}</td><td class="n">{{if ge .SuccessRate 0.0}}{{f2 .SuccessRate}}{{else}}–{{end}}</td><td class="n">{{if ge .Mean 0.0}}{{f2 .Mean}}{{else}}–{{end}}</td><td class="n">{{if .First}}{{.Pending}}{{end}}</td></tr>
{{else}}<tr><td colspan="6" class="empty">no incident answered yet</td></tr>{{end}}</table>
<p class="empty">Each new incident gets the response a Thompson-sampling bandit draws for its family; reward = no recurrence within the window − 0.3·length/day − P(legitimate)·length/day (<code>GET /api/v1/playbooks</code>, with <code>family</code>, <code>a</code>, <code>b</code> for an A/B comparison).</p>
{{else}}<p class="empty" data-testid="playbooks-off">Off: start the control plane with PLAYBOOKS=1 to answer incidents automatically.</p>{{end}}</section>
<section><h2>Top attacked routes</h2>
<table data-testid="top-routes"><tr><th>route</th><th class="n">requests</th><th class="n">threats</th><th class="n">refused</th></tr>
{{range .Routes}}<tr><td><code>{{.Route}}</code></td><td class="n">{{hum .Requests}}</td><td class="n">{{hum .Threats}}</td><td class="n">{{hum .Refused}}</td></tr>
{{else}}<tr><td colspan="4" class="empty">no traffic in this range</td></tr>{{end}}</table></section>
<section><h2>Top offending clients (pseudonyms)</h2>
<table data-testid="top-clients"><tr><th>pseudonym</th><th class="n">offences</th><th class="n">refused</th><th class="n">max score</th><th>family</th><th>last seen</th><th></th></tr>
{{range .Clients}}<tr><td><code>{{.Pseudonym}}</code></td><td class="n">{{hum .Offences}}</td><td class="n">{{hum .Refused}}</td><td class="n">{{f2 .MaxScore}}</td><td>{{.Family}}</td><td>{{ts .LastSeen}}</td>
<td>{{if $.CanWrite}}<button data-testid="ban-{{.Pseudonym}}" onclick="ban('{{.Pseudonym}}')">Ban 1 h</button>{{end}}</td></tr>
{{else}}<tr><td colspan="7" class="empty">no offending client in this range</td></tr>{{end}}</table></section>
<section><h2>Models</h2>
<table data-testid="models"><tr><th>kind</th><th>stage</th><th>version</th><th>sha256</th><th>published</th><th>set by</th><th></th></tr>
{{range .Models}}<tr data-model="{{.Kind}}.{{.Stage}}"><td>{{.Kind}}</td><td>{{.Stage}}</td><td><code>{{.Version}}</code></td><td><code>{{.SHA}}</code></td><td>{{ts .Created}}</td>
<td>{{if .PointedBy}}<span data-testid="pointed-{{.Kind}}.{{.Stage}}">{{.PointedBy}}</span>, {{ts .PointedAt}}{{end}}</td>
<td>{{if $.CanAdmin}}{{if .Next}}<button data-testid="promote-{{.Kind}}-{{.Stage}}" onclick="promote('{{.Kind}}','{{.Stage}}','{{.Next}}')">Promote to {{.Next}}</button>{{end}}{{if eq .Stage "active"}}<button data-testid="rollback-{{.Kind}}" onclick="rollback('{{.Kind}}')">Roll back</button>{{end}}{{end}}</td></tr>
{{else}}<tr><td colspan="7" class="empty">no model published: instances run their embedded models</td></tr>{{end}}</table>
{{with .Canary}}<table data-testid="canary-compare"><tr><th>combiner</th><th>version</th><th class="n">FPR (labelled benign)</th><th class="n">TPR (labelled attacks)</th></tr>
<tr><td>canary</td><td><code>{{.Canary.Version}}</code></td><td class="n">{{rate .Canary.FPR}}</td><td class="n">{{rate .Canary.TPR}}</td></tr>
<tr><td>active</td><td><code>{{.Active.Version}}</code></td><td class="n">{{rate .Active.FPR}}</td><td class="n">{{rate .Active.TPR}}</td></tr></table>
<p data-testid="canary-decision">Canary check: <strong>{{with .Decision}}{{.}}{{else}}not checked yet{{end}}</strong> ({{.Streak}} worse in a row, {{.Checks}} checks); FPR difference {{f3 .FPRDiff.Diff}} [{{f3 .FPRDiff.Low}}, {{f3 .FPRDiff.High}}].</p>{{end}}
{{with .Shadow}}<p data-testid="shadow-compare">Shadow <code>{{.Version}}</code> beside active on {{.Events}} events: active refused {{.ActiveRefused}}, shadow would have refused {{.ShadowRefused}}; only the shadow {{.ShadowOnly}}, only active {{.ActiveOnly}}. On labelled events, FPR shadow {{rate .ShadowFPR}} vs active {{rate .ActiveFPR}}; TPR shadow {{rate .ShadowTPR}} vs active {{rate .ActiveTPR}}.</p>{{end}}
{{if $.CanAdmin}}<p><button data-testid="retrain-combiner" onclick="retrain(this)">Retrain combiner</button> <span data-testid="retrain-result"></span></p>{{end}}
<p class="empty">Signed artefacts by stage; instances verify and swap them without a restart. <em>Promote</em> points the next stage at the model, <em>Roll back</em> points active at the one before; both audited. The canary watch also promotes a combiner canary that is not worse and rolls back a worse one (<code>GET /api/v1/models/combiner/compare</code>). <em>Set by</em> is the region that last pointed the stage: with several regions, every region follows the latest pointer set in any of them.</p></section>
<section class="wide"><h2>Recent detections</h2>
<table data-testid="recent"><tr><th>time</th><th>client</th><th>route</th><th>family</th><th>top rule</th><th class="n">score</th><th>outcome</th><th>label</th></tr>
{{range .Recent}}<tr data-event="{{.ID}}"><td>{{ts .Time}}</td><td><code>{{.Pseudonym}}</code></td><td><code>{{.Route}}</code></td><td>{{.Family}}</td><td><code>{{.Rule}}</code></td><td class="n">{{f2 .Score}}</td><td>{{.Outcome}}</td>
<td>{{if .Label}}<span data-testid="label-{{.ID}}">{{.Label}}</span>{{else if $.CanWrite}}<button data-testid="fp-{{.ID}}" onclick="label('{{.ID}}','benign')">False positive</button> <button data-testid="attack-{{.ID}}" onclick="label('{{.ID}}','attack')">Attack</button>{{end}}</td></tr>
{{else}}<tr><td colspan="8" class="empty">no scored request in this range</td></tr>{{end}}</table>
<p class="empty"><em>False positive</em> labels the request benign and, at once, suppresses its family (its top rule when the family is a whole detector) on its route, in the parameter it was found in, on every instance for 7 days, listed under Active decisions; <em>Attack</em> confirms it. Both are audited and kept, with the request's features, for training (<code>POST /api/v1/events/{id}/label</code>).</p></section>
<section><h2>Live incidents (last hour)</h2>
<table data-testid="incidents"><tr><th>client</th><th>hour</th><th class="n">offences</th><th class="n">refused</th><th class="n">max score</th><th>family</th><th>route</th><th>last</th></tr>
{{range .Incidents}}<tr><td><code>{{.Pseudonym}}</code></td><td>{{tm .Hour}}</td><td class="n">{{.Offences}}</td><td class="n">{{.Refused}}</td><td class="n">{{f2 .MaxScore}}</td><td>{{.Family}}</td><td><code>{{.Route}}</code></td><td>{{ts .Last}}</td></tr>
{{else}}<tr><td colspan="8" class="empty">none</td></tr>{{end}}</table></section>
<section><h2>Active decisions</h2>
<table data-testid="decisions"><tr><th>target</th><th>action</th><th>reason</th><th>by</th><th>expires</th><th>in bucket</th><th></th></tr>
{{range .Decisions}}<tr data-key="{{index . "key"}}"><td><code>{{str (index . "target")}}</code></td><td>{{index . "action"}}</td><td class="wrap">{{index . "reason"}}</td><td>{{index . "actor"}}</td><td class="wrap">{{with index . "starts"}}from {{tm .}} to {{end}}{{tm (index . "expires")}}</td><td>{{if index . "published"}}yes{{else}}<span class="bad">pending</span>{{end}}</td>
<td>{{if $.CanWrite}}<button data-testid="remove-{{index . "key"}}" onclick="removeDecision('{{index . "key"}}','{{index . "action"}}')">{{if or (eq (str (index . "action")) "allow") (eq (str (index . "action")) "suppress")}}Remove{{else}}Unban{{end}}</button>{{end}}</td></tr>
{{else}}<tr><td colspan="7" class="empty">none</td></tr>{{end}}</table></section>
{{if .Multi}}<section><h2>Regions</h2>
<table data-testid="regions"><tr><th>region</th><th class="n">lag (writes)</th><th>link</th>{{if .Direct}}<th>direct link</th>{{end}}<th>last progress</th><th>error</th></tr>
{{range .Regions}}<tr><td>{{index . "region"}}{{if index . "local"}} (this region){{end}}</td><td class="n">{{index . "lag"}}</td><td class="{{if and (index . "reachable") (index . "linked") (not (index . "stalled"))}}ok{{else}}bad{{end}}">{{if index . "stalled"}}stalled{{else if not (index . "reachable")}}unreachable{{else if index . "linked"}}up{{else}}reconnecting{{end}}</td>{{if $.Direct}}{{$d := index . "direct"}}<td data-testid="direct-{{index . "region"}}"{{if eq (printf "%v" $d) "true"}} class="ok">up{{else if eq (printf "%v" $d) "false"}} class="bad">down{{else}}>{{if index . "local"}}&mdash;{{else}}none{{end}}{{end}}</td>{{end}}<td>{{ts (index . "last_progress")}}</td><td class="wrap">{{index . "error"}}</td></tr>
{{else}}<tr><td colspan="6" class="empty">not checked yet</td></tr>{{end}}</table>
<p class="empty">Region {{.Region}} sources every region's decisions; lag is the writes of a region not yet here{{if .Direct}}; the direct link is the fast path to that region's NATS (<code>REGION_PEERS</code>){{end}} (<code>GET /api/v1/regions</code>).</p></section>
{{end}}<section><h2>Instances</h2>
<table data-testid="instances"><tr><th>instance</th><th>region</th><th>version</th><th>last seen</th><th class="n">published</th><th class="n">dropped</th><th class="n">queued</th><th>store breaker</th></tr>
{{range .Instances}}<tr><td>{{.Name}}</td><td>{{.Region}}</td><td>{{.Version}}</td><td class="{{if .Live}}ok{{else}}bad{{end}}">{{.Ago}} ago</td><td class="n">{{.Published}}</td><td class="n {{if .Dropped}}bad{{end}}">{{.Dropped}}</td><td class="n">{{.Queued}}</td><td>{{.Breaker}}</td></tr>
{{else}}<tr><td colspan="8" class="empty">no instance has reported</td></tr>{{end}}</table></section>
</main>
<p id="status" role="status" style="padding:0 1.2em"></p>
<script>
async function call(method, path, body) {
  const r = await fetch(path, {method, credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-Bulwark-Request': 'dashboard'}, body: body ? JSON.stringify(body) : undefined});
  if (!r.ok) { const p = await r.json().catch(() => ({})); document.getElementById('status').textContent = 'Refused: ' + (p.detail || r.status); return false; }
  return r;
}
async function ban(p) {
  if (await call('POST', '/api/v1/decisions', {target: {type: 'pseudonym', value: p}, action: 'ban', ttl: '1h', reason: 'banned from the dashboard'})) location.reload();
}
async function label(id, l) {
  if (await call('POST', '/api/v1/events/' + encodeURIComponent(id) + '/label', {label: l})) location.reload();
}
async function promote(kind, from, to) {
  if (await call('POST', '/api/v1/models/' + encodeURIComponent(kind) + '/promote', {from, to})) location.reload();
}
async function retrain(btn) {
  btn.disabled = true;
  const out = document.querySelector('[data-testid="retrain-result"]');
  out.textContent = 'retraining from the labelled events…';
  const r = await call('POST', '/api/v1/models/combiner/retrain', {});
  btn.disabled = false;
  if (!r) { out.textContent = ''; return; }
  const rep = await r.json();
  out.textContent = 'candidate ' + rep.version + (rep.not_worse ? ', not worse than ' : ', worse than ') + rep.current_model.version + ' on the held-back window';
}
async function rollback(kind) {
  if (await call('POST', '/api/v1/models/' + encodeURIComponent(kind) + '/rollback')) location.reload();
}
async function accept(id) {
  if (await call('POST', '/api/v1/suggestions/' + encodeURIComponent(id) + '/accept')) location.reload();
}
async function removeDecision(key, action) {
  const path = action === 'allow' ? '/api/v1/allowlist/' : '/api/v1/decisions/';
  if (await call('DELETE', path + encodeURIComponent(key))) location.reload();
}
</script>
</body></html>`))
