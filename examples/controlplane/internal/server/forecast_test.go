package server_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// hourly is the seeded traffic: a daily cycle peaking at 12:00 UTC and a
// quieter weekend, as a real API's.
func hourly(t time.Time) int {
	v := 1000 + 800*math.Sin(2*math.Pi*float64(t.Hour()-6)/24)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		v *= 0.7
	}
	return int(math.Round(v))
}

// seed stores the per-minute aggregates of hours of traffic before now,
// the way instance's reports carry them (one report a day, dated at its
// last hour: an older report never overwrites a live instance's health).
func seed(t *testing.T, s *server.Server, now time.Time, hours int, instance string) {
	t.Helper()
	seedWith(t, s, now, hours, instance, hourly)
}

// daily is hourly without the weekend: the online detector's baseline is
// a daily one (see TestForecastPerSeriesAndAnomalies).
func daily(t time.Time) int {
	return int(math.Round(1000 + 800*math.Sin(2*math.Pi*float64(t.Hour()-6)/24)))
}

func seedWith(t *testing.T, s *server.Server, now time.Time, hours int, instance string, hourly func(time.Time) int) {
	t.Helper()
	start := now.Truncate(time.Hour).Add(-time.Duration(hours) * time.Hour)
	var seq uint64
	var rs []*event.Report
	for h := 0; h < hours; h += 24 {
		seq++
		r := &event.Report{Tenant: "", Region: "local", Instance: instance, Boot: "seed", Seq: seq, Version: "test", Breaker: "none"}
		for k := h; k < min(h+24, hours); k++ {
			at := start.Add(time.Duration(k) * time.Hour)
			r.Counts = append(r.Counts, event.Count{Minute: at.Unix(), Route: "/api/items/{id}", Outcome: "allowed", N: uint64(hourly(at))})
			r.Time = at
		}
		rs = append(rs, r)
	}
	// one transaction: the anomaly watch sees all of it or none
	if _, err := s.Store.Ingest(context.Background(), nil, rs); err != nil {
		t.Fatal(err)
	}
}

// mintAt mints a token valid at now, the control plane's clock here.
func mintAt(t *testing.T, s *server.Server, now time.Time, scopes ...string) string {
	t.Helper()
	tok, err := server.Mint(s.Key(), "tester", "", scopes, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func floats(t *testing.T, body map[string]any, key string) []float64 {
	t.Helper()
	raw, _ := body[key].([]any)
	out := make([]float64, len(raw))
	for i, v := range raw {
		f, ok := v.(float64)
		if !ok {
			out[i] = math.NaN()
			continue
		}
		out[i] = f
	}
	return out
}

func TestForecastOfTotalTraffic(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC) // a Monday
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	tok := mintAt(t, s, now, "read")
	seed(t, s, now, 35*24, "seed")

	code, body := api(t, s, tok, "GET", "/api/v1/forecast?horizon=48&threshold=1700", nil)
	if code != http.StatusOK {
		t.Fatalf("forecast: %d %v", code, body)
	}
	if m, _ := body["method"].(string); m == "naive" || m == "seasonal-naive" || m == "none" {
		t.Fatalf("35 days of history fell back to %q: %v", m, body["reason"])
	}
	point, lo80, hi80 := floats(t, body, "point"), floats(t, body, "lower80"), floats(t, body, "upper80")
	lo95, hi95 := floats(t, body, "lower95"), floats(t, body, "upper95")
	if len(point) != 48 || len(lo80) != 48 || len(hi95) != 48 {
		t.Fatalf("want 48 forecast hours with intervals, got %d, %d, %d", len(point), len(lo80), len(hi95))
	}
	if h := floats(t, body, "history"); len(h) != 7*24 || h[len(h)-1] != float64(hourly(now.Truncate(time.Hour).Add(-time.Hour))) {
		t.Fatalf("history: %d hours, last %v; want 168 ending with the last complete hour's %d", len(h), h[len(h)-1], hourly(now.Truncate(time.Hour).Add(-time.Hour)))
	}
	first := now.Truncate(time.Hour)
	var ape float64
	for k := range point {
		if !(lo95[k] <= lo80[k] && lo80[k] <= point[k] && point[k] <= hi80[k] && hi80[k] <= hi95[k]) {
			t.Fatalf("hour %d: intervals not nested around the forecast: 95%% [%v, %v], 80%% [%v, %v], point %v", k, lo95[k], hi95[k], lo80[k], hi80[k], point[k])
		}
		want := float64(hourly(first.Add(time.Duration(k) * time.Hour)))
		ape += math.Abs(point[k]-want) / want
	}
	if mape := ape / float64(len(point)); mape > 0.10 {
		t.Fatalf("forecast of a regular daily cycle off by %.1f%% on average", 100*mape)
	}
	// the 95% upper bound crosses 1,700 in the daytime of both weekdays
	// ahead, never at night (the cycle's trough is 200 an hour)
	crit, _ := body["critical"].([]any)
	days := map[int]bool{}
	for _, c := range crit {
		w := c.(map[string]any)
		from, _ := time.Parse(time.RFC3339, w["from"].(string))
		to, _ := time.Parse(time.RFC3339, w["to"].(string))
		for h := from; h.Before(to); h = h.Add(time.Hour) {
			if h.Hour() < 6 || h.Hour() > 18 {
				t.Fatalf("critical window %v to %v covers %v, at night", from, to, h)
			}
		}
		days[from.YearDay()] = true
	}
	if !days[now.YearDay()+1] || len(crit) < 2 {
		t.Fatalf("want critical windows on the days ahead, around noon; got %v", crit)
	}

	for _, q := range []string{"horizon=0", "horizon=73", "horizon=x", "threshold=-1", "threshold=NaN", "threshold=Inf"} {
		if code, _ := api(t, s, tok, "GET", "/api/v1/forecast?"+q, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	if code, _ := api(t, s, "", "GET", "/api/v1/forecast", nil); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}

	// the dashboard plots the history, the forecast and its bands
	code, page := dashboardPage(t, s, tok, "range=24h")
	for _, want := range []string{`data-testid="chart-forecast"`, `data-testid="forecast-history"`, `data-testid="forecast-point"`, `<polygon points="`} {
		if !strings.Contains(page, want) {
			i := strings.Index(page, "chart-forecast")
			t.Fatalf("dashboard (%d) lacks %s: %.1500s", code, want, page[max(i, 0):])
		}
	}
}

func TestForecastOfShortHistoryFallsBackAndSaysWhy(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	tok := mintAt(t, s, now, "read")

	code, body := api(t, s, tok, "GET", "/api/v1/forecast", nil)
	if code != http.StatusOK || body["method"] != "none" || body["reason"] == "" {
		t.Fatalf("no history: %d %v", code, body)
	}
	seed(t, s, now, 30, "seed")
	code, body = api(t, s, tok, "GET", "/api/v1/forecast?horizon=24", nil)
	if code != http.StatusOK {
		t.Fatalf("short history: %d %v", code, body)
	}
	if m, _ := body["method"].(string); m != "naive" {
		t.Fatalf("30 hours of history: method %q, want naive", m)
	}
	if r, _ := body["reason"].(string); !strings.Contains(r, "under two seasons") {
		t.Fatalf("reason %q does not say why", r)
	}
	if p := floats(t, body, "point"); len(p) != 24 {
		t.Fatalf("%d forecast hours, want 24", len(p))
	}
}

func TestForecastPerSeriesAndAnomalies(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	tok := mintAt(t, s, now, "read")
	// The detector learns a daily baseline: on the weekly cycle of hourly()
	// it flags each Saturday's drop and Monday's return (a known limit,
	// see the README); this test runs it on a daily cycle.
	seedWith(t, s, now, 35*24, "seed", daily)

	_, total := api(t, s, tok, "GET", "/api/v1/forecast?horizon=24", nil)
	code, route := api(t, s, tok, "GET", "/api/v1/forecast?horizon=24&by=route&key=/api/items/{id}", nil)
	if code != http.StatusOK || route["series"] != "route=/api/items/{id}" {
		t.Fatalf("route forecast: %d %v", code, route)
	}
	// all the seeded traffic is on that route: its series is the total
	th, rh := floats(t, total, "history"), floats(t, route, "history")
	for i := range th {
		if th[i] != rh[i] {
			t.Fatalf("hour %d: route %v, total %v", i, rh[i], th[i])
		}
	}
	if _, other := api(t, s, tok, "GET", "/api/v1/forecast?by=route&key=/login", nil); other["method"] != "none" {
		t.Fatalf("a route without traffic: %v", other)
	}
	for _, q := range []string{"by=route", "by=nope&key=x", "key=x", "by=family&key=" + strings.Repeat("a", 300)} {
		if code, _ := api(t, s, tok, "GET", "/api/v1/forecast?"+q, nil); code != http.StatusBadRequest {
			t.Errorf("forecast?%s: %d, want 400", q, code)
		}
		if code, _ := api(t, s, tok, "GET", "/api/v1/anomalies?"+q, nil); code != http.StatusBadRequest {
			t.Errorf("anomalies?%s: %d, want 400", q, code)
		}
	}

	_, clean := api(t, s, tok, "GET", "/api/v1/anomalies", nil)
	if items, _ := clean["items"].([]any); len(items) != 0 {
		t.Fatalf("a regular cycle raised alarms: %v", items)
	}
	// a flood: five times the usual traffic for one hour yesterday
	spike := now.Truncate(time.Hour).Add(-30 * time.Hour)
	r := &event.Report{Region: "local", Instance: "flood", Boot: "b", Seq: 1, Time: spike, Version: "test", Breaker: "none",
		Counts: []event.Count{{Minute: spike.Unix(), Route: "/login", Outcome: "limited", N: uint64(4 * daily(spike))}}}
	if _, err := s.Store.Ingest(context.Background(), nil, []*event.Report{r}); err != nil {
		t.Fatal(err)
	}
	_, body := api(t, s, tok, "GET", "/api/v1/anomalies", nil)
	items, _ := body["items"].([]any)
	found := false
	for _, it := range items {
		a := it.(map[string]any)
		at, _ := time.Parse(time.RFC3339, a["hour"].(string))
		if at.Equal(spike) {
			found = a["kind"] == "spike"
			if !found {
				t.Fatalf("the flood hour is flagged as %v, want spike", a["kind"])
			}
		} else if at.Before(spike) {
			t.Fatalf("an alarm before the flood: %v", a)
		}
	}
	if !found {
		t.Fatalf("the flood hour %v is not flagged: %v", spike, items)
	}
	// the dashboard marks it on the week's history
	_, page := dashboardPage(t, s, tok, "range=24h")
	if n := strings.Count(page, `data-testid="forecast-alarm"`); n != len(items) {
		t.Fatalf("dashboard marks %d anomalies, the API lists %d", n, len(items))
	}
	// /login has one hour of history: the detector is still learning its
	// baseline and raises nothing
	_, login := api(t, s, tok, "GET", "/api/v1/anomalies?by=route&key=/login", nil)
	if items, _ := login["items"].([]any); login["series"] != "route=/login" || len(items) != 0 {
		t.Fatalf("a series of one point: %v", login)
	}
}
