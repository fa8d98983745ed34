package server_test

import (
	"context"
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
