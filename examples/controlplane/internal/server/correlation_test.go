package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// TestCorrelationOfThreatsAndRefusals seeds a day in which the limiter's
// refusals on /login follow its attack bursts by one 15-minute step, and a
// route whose refusals come and go on their own; the view must find the
// lag on the first, call it significant, find that threats help forecast
// refusals, and not call the second coupled.
func TestCorrelationOfThreatsAndRefusals(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	tok := mintAt(t, s, now, "read")

	to := now.Truncate(time.Hour).Add(time.Hour) // the 24h range's end
	from := to.Add(-24 * time.Hour)
	const step = 15 * time.Minute
	n := int(to.Sub(from) / step)
	rng := rand.New(rand.NewPCG(7, 7))
	burst := make([]uint64, n)
	for i := range burst {
		if rng.IntN(4) == 0 {
			burst[i] = uint64(20 + rng.IntN(200))
		}
	}
	r := &event.Report{Region: "local", Instance: "seed", Boot: "b", Seq: 1, Time: to.Add(-time.Minute), Version: "test", Breaker: "none"}
	for i := range n {
		m := from.Add(time.Duration(i) * step).Unix()
		r.Counts = append(r.Counts, event.Count{Minute: m, Route: "/api", Outcome: "allowed", Level: "none", N: 500})
		if burst[i] > 0 {
			r.Counts = append(r.Counts, event.Count{Minute: m, Route: "/login", Outcome: "blocked", Family: "sqli", Level: "high", N: burst[i]})
		}
		if i > 0 && burst[i-1] > 0 { // the penalty box catches up a step later
			r.Counts = append(r.Counts, event.Count{Minute: m, Route: "/login", Outcome: "banned", Level: "none", N: burst[i-1] / 2})
		}
		// /search: threats and refusals drawn independently
		if rng.IntN(3) == 0 {
			r.Counts = append(r.Counts, event.Count{Minute: m, Route: "/search", Outcome: "blocked", Family: "xss", Level: "medium", N: uint64(5 + rng.IntN(50))})
		}
		if rng.IntN(3) == 0 {
			r.Counts = append(r.Counts, event.Count{Minute: m, Route: "/search", Outcome: "limited", Level: "none", N: uint64(5 + rng.IntN(50))})
		}
	}
	if _, err := s.Store.Ingest(context.Background(), nil, []*event.Report{r}); err != nil {
		t.Fatal(err)
	}

	code, login := api(t, s, tok, "GET", "/api/v1/correlation?range=24h&route=/login", nil)
	if code != http.StatusOK {
		t.Fatalf("correlation: %d %v", code, login)
	}
	if th := floats(t, login, "threats"); len(th) != n {
		t.Fatalf("%d threat steps, want %d", len(th), n)
	}
	lag, _ := login["lagged"].(map[string]any)
	if lag == nil || lag["lag"] != 1.0 || lag["lag_seconds"] != 900.0 || lag["significant"] != true || lag["r"].(float64) < 0.9 {
		t.Fatalf("/login: refusals follow threats by one step, got %v (notes %v)", login["lagged"], login["notes"])
	}
	if g, _ := login["granger"].(map[string]any); g == nil || g["helps"] != true {
		t.Fatalf("/login: threats help forecast refusals, got %v (notes %v)", login["granger"], login["notes"])
	}

	_, search := api(t, s, tok, "GET", "/api/v1/correlation?range=24h&route=/search", nil)
	if lag, _ := search["lagged"].(map[string]any); lag == nil || lag["significant"] != false {
		t.Fatalf("/search: independent series called coupled: %v", search["lagged"])
	}

	// the total, and each attacked route beside it
	_, total := api(t, s, tok, "GET", "/api/v1/correlation?range=24h", nil)
	routes, _ := total["routes"].([]any)
	got := map[string]bool{}
	for _, x := range routes {
		rc := x.(map[string]any)
		l, _ := rc["lagged"].(map[string]any)
		got[rc["route"].(string)] = l != nil && l["significant"] == true
	}
	if len(got) != 2 || !got["/login"] || got["/search"] {
		t.Fatalf("per route: %v, want /login coupled and /search not", routes)
	}

	// a range without threats says why instead of failing
	_, empty := api(t, s, tok, "GET", "/api/v1/correlation?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&step=1h", nil)
	if empty["lagged"] != nil || empty["notes"] == nil {
		t.Fatalf("an empty range: %v", empty)
	}
	for _, q := range []string{"range=2d", "route=" + strings.Repeat("r", 300), "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=1m"} {
		if code, _ := api(t, s, tok, "GET", "/api/v1/correlation?"+q, nil); code != http.StatusBadRequest {
			t.Errorf("correlation?%s: %d, want 400", q, code)
		}
	}

	// the dashboard shows both lines and the tests in words
	_, page := dashboardPage(t, s, tok, "range=24h")
	for _, want := range []string{`data-testid="correlation-threats"`, `data-testid="correlation-refusals"`, "Refusals follow threats by 15m", "Threat volume improves the one-step forecast"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// TestCorrelationByCohort seeds a day of offences from two client
// cohorts: five returning attackers (they offended two hours before the
// range too) whose bursts the penalty box bans a 15-minute step later,
// and a stream of new clients, each seen once, whose threats and rate
// limit refusals come and go independently. The cohort split must find
// the returning clients' lag, call it significant, and not call the new
// clients coupled; the dashboard shows both cohorts and plots one.
func TestCorrelationByCohort(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	tok := mintAt(t, s, now, "read")

	to := now.Truncate(time.Hour).Add(time.Hour)
	from := to.Add(-24 * time.Hour)
	const step = 15 * time.Minute
	n := int(to.Sub(from) / step)
	rng := rand.New(rand.NewPCG(11, 3))
	b := &event.Batch{Tenant: "default", Region: "local", Instance: "seed", KeyID: "k1"}
	var seq uint64
	add := func(at time.Time, ps, route, outcome, level string, k int) {
		for j := range k {
			seq++
			e := event.Event{ID: event.MakeID(at, 7, seq), Time: at.Add(time.Duration(j) * time.Millisecond), Pseudonym: ps,
				Route: route, Method: "POST", Outcome: outcome, Level: level}
			if level != "none" {
				e.Score, e.Family = 0.9, "sqli"
			}
			b.Events = append(b.Events, e)
		}
	}
	returning := []string{"a1", "a2", "a3", "a4", "a5"}
	for _, ps := range returning {
		add(from.Add(-2*time.Hour), ps, "/login", event.OutcomeBlocked, "high", 1)
	}
	burst := make([]int, n)
	var wantThreats, wantRefusals int
	for i := range n {
		at := from.Add(time.Duration(i) * step)
		if rng.IntN(4) == 0 {
			burst[i] = 20 + rng.IntN(100)
			wantThreats += burst[i]
			for j, ps := range returning {
				add(at.Add(time.Duration(j)*time.Second), ps, "/login", event.OutcomeBlocked, "high", burst[i]/5+btoi(j < burst[i]%5))
			}
		}
		if i > 0 && burst[i-1] > 0 { // the penalty box bans them a step later
			wantRefusals += burst[i-1] / 2
			for j, ps := range returning {
				add(at.Add(time.Duration(j)*time.Second), ps, "/login", event.OutcomeBanned, "none", burst[i-1]/2/5+btoi(j < burst[i-1]/2%5))
			}
		}
		// new clients, each seen once: threats and refusals drawn apart
		if rng.IntN(3) == 0 {
			add(at.Add(time.Minute), fmt.Sprintf("n%dt", i), "/search", event.OutcomeBlocked, "medium", 5+rng.IntN(40))
		}
		if rng.IntN(3) == 0 {
			add(at.Add(2*time.Minute), fmt.Sprintf("n%dr", i), "/search", event.OutcomeLimited, "none", 5+rng.IntN(40))
		}
	}
	if _, err := s.Store.Ingest(context.Background(), []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}

	_, all := api(t, s, tok, "GET", "/api/v1/correlation?range=24h", nil)
	cohorts, _ := all["cohorts"].([]any)
	got := map[string]map[string]any{}
	for _, x := range cohorts {
		c := x.(map[string]any)
		got[c["cohort"].(string)] = c
	}
	ret, nw := got["returning"], got["new"]
	if ret == nil || nw == nil || len(got) != 2 {
		t.Fatalf("cohorts %v, want new and returning", cohorts)
	}
	if ret["threats"] != float64(wantThreats) || ret["refusals"] != float64(wantRefusals) {
		t.Errorf("returning: %v threats and %v refusals, want %d and %d", ret["threats"], ret["refusals"], wantThreats, wantRefusals)
	}
	if l, _ := ret["lagged"].(map[string]any); l == nil || l["lag"] != 1.0 || l["significant"] != true {
		t.Errorf("returning clients: refusals follow threats by one step, got %v (%v)", ret["lagged"], ret["note"])
	}
	if l, _ := nw["lagged"].(map[string]any); l == nil || l["significant"] != false {
		t.Errorf("new clients: independent series called coupled: %v (%v)", nw["lagged"], nw["note"])
	}

	code, one := api(t, s, tok, "GET", "/api/v1/correlation?range=24h&cohort=returning", nil)
	if code != http.StatusOK || one["cohort"] != "returning" || one["cohorts"] != nil || one["routes"] != nil {
		t.Fatalf("cohort=returning: %d %v", code, one)
	}
	th, rf := floats(t, one, "threats"), floats(t, one, "refusals")
	if len(th) != n || int(sumf(th)) != wantThreats || int(sumf(rf)) != wantRefusals {
		t.Fatalf("cohort=returning: %d steps, %v threats, %v refusals; want %d, %d, %d", len(th), sumf(th), sumf(rf), n, wantThreats, wantRefusals)
	}
	for i := range n {
		if int(th[i]) != burst[i] {
			t.Fatalf("step %d: %v threats, want %d", i, th[i], burst[i])
		}
	}
	if l, _ := one["lagged"].(map[string]any); l == nil || l["lag"] != 1.0 || l["significant"] != true {
		t.Errorf("cohort=returning: %v", one["lagged"])
	}
	// a cohort on one route: the new clients attack /search only
	_, login := api(t, s, tok, "GET", "/api/v1/correlation?range=24h&route=/login&cohort=new", nil)
	if login["lagged"] != nil || sumf(floats(t, login, "threats")) != 0 {
		t.Errorf("new clients on /login: %v", login)
	}
	if code, _ := api(t, s, tok, "GET", "/api/v1/correlation?range=24h&cohort=vip", nil); code != http.StatusBadRequest {
		t.Errorf("cohort=vip: %d, want 400", code)
	}

	_, page := dashboardPage(t, s, tok, "range=24h")
	for _, want := range []string{`data-testid="correlation-cohorts"`, `data-testid="correlation-cohort"`, "<td>returning</td>", "<td>new</td>", "cohort=returning"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	_, page = dashboardPage(t, s, tok, "range=24h&cohort=returning")
	for _, want := range []string{`data-cohort="returning"`, "of returning clients", "Refusals follow threats by 15m"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard of returning clients lacks %q", want)
		}
	}
	if code, _ := dashboardPage(t, s, tok, "range=24h&cohort=vip"); code != http.StatusBadRequest {
		t.Errorf("dashboard cohort=vip: %d, want 400", code)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sumf(xs []float64) (t float64) {
	for _, x := range xs {
		t += x
	}
	return t
}
