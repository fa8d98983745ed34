package server_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/series"
)

// alertLog is an alerting.Sink that keeps what it is sent.
type alertLog struct {
	mu     sync.Mutex
	alerts []alerting.Alert
}

func (l *alertLog) Send(_ context.Context, a alerting.Alert) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.alerts = append(l.alerts, a)
	return nil
}

func (l *alertLog) of(series, kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.alerts {
		if a.Labels["series"] == series && a.Labels["kind"] == kind {
			n++
		}
	}
	return n
}

// TestAnomalyAlarmRaisedOnceAsHourCloses: two weeks of daily traffic,
// then a spike in hour H0 and a larger one in the hour after, both stored
// before H0 closes. Once H0 closes the watch raises the spike of H0 once:
// logged, audited, alerted, listed; its expected value and score are those
// of a detector that saw only the hours before H0 (no look-ahead: the next
// hour, already stored, changes nothing). Later hours and a restart do not
// raise it again.
func TestAnomalyAlarmRaisedOnceAsHourCloses(t *testing.T) {
	h0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	const days = 14
	// the clock starts before the history: the watch, which reads each
	// dimension's series in its own query, must not warm up in the middle
	// of the seed's commit (the total read before it, the routes after)
	clock := &testClock{t: h0.Add(-(days + 1) * 24 * time.Hour)}
	sink := &alertLog{}
	cfg := server.Config{DataDir: t.TempDir(), Now: clock.Now, AnomalyInterval: 20 * time.Millisecond, AnomalyDelay: time.Minute, Alerts: sink}
	s := startCP(t, cfg)
	read := func(s *server.Server) string { return mintAt(t, s, clock.Now(), "read") }
	through := func(s *server.Server) time.Time {
		_, body := api(t, s, read(s), "GET", "/api/v1/alarms", nil)
		at, _ := time.Parse(time.RFC3339, str(body["through"]))
		return at
	}

	seedWith(t, s, h0, days*24, "api-1", daily)
	clock.Set(h0.Add(10 * time.Minute))
	eventually(t, 10*time.Second, "the watch reaches H0", func() bool { return through(s).Equal(h0) })
	if _, body := api(t, s, read(s), "GET", "/api/v1/alarms", nil); len(body["items"].([]any)) != 0 {
		t.Fatalf("alarms on plain daily traffic: %v", body["items"])
	}

	spike := float64(8 * daily(h0))
	r := &event.Report{Region: "local", Instance: "api-1", Boot: "live", Seq: 1, Time: h0.Add(61 * time.Minute), Version: "test", Breaker: "none",
		Counts: []event.Count{
			{Minute: h0.Add(30 * time.Minute).Unix(), Route: "/api/items/{id}", Outcome: "allowed", N: uint64(spike)},
			{Minute: h0.Add(time.Hour).Unix(), Route: "/api/items/{id}", Outcome: "allowed", N: uint64(50 * daily(h0.Add(time.Hour)))},
		}}
	if _, err := s.Store.Ingest(context.Background(), nil, []*event.Report{r}); err != nil {
		t.Fatal(err)
	}
	// what a detector fed only the hours before H0 makes of H0
	d, _ := series.New(series.Config{})
	start := h0.Add(-days * 24 * time.Hour)
	for at := start; at.Before(h0); at = at.Add(time.Hour) {
		d.Observe(at, float64(daily(at)))
	}
	want := d.Observe(h0, spike)
	if !want.Alarm || want.Kind != series.Spike {
		t.Fatalf("the reference detector does not flag the spike: %+v", want)
	}

	clock.Set(h0.Add(time.Hour + 90*time.Second)) // H0 closed a minute and a half ago
	eventually(t, 10*time.Second, "the watch reaches H0+1h", func() bool { return through(s).Equal(h0.Add(time.Hour)) })
	_, body := api(t, s, read(s), "GET", "/api/v1/alarms", nil)
	items, _ := body["items"].([]any)
	var total map[string]any
	for _, x := range items {
		a := x.(map[string]any)
		if a["hour"] != h0.Format(time.RFC3339) {
			t.Errorf("an alarm for another hour than H0: %v", a)
		}
		if a["series"] == "total" {
			total = a
		}
	}
	if total == nil {
		t.Fatalf("no alarm on the total at H0: %v", items)
	}
	if total["kind"] != "spike" || total["value"] != spike || math.Abs(total["expected"].(float64)-want.Expected) > 1e-6*want.Expected ||
		math.Abs(total["score"].(float64)-want.Score) > 1e-9 {
		t.Errorf("the total's alarm %v, want a spike of %v against %v expected, score %v", total, spike, want.Expected, want.Score)
	}
	flagged := map[string]bool{}
	for _, x := range items {
		flagged[x.(map[string]any)["series"].(string)] = true
	}
	for _, want := range []string{"total", "route=/api/items/{id}", "outcome=allowed"} {
		if !flagged[want] {
			t.Errorf("no alarm on %s: %v", want, items)
		}
	}
	if n := sink.of("total", "spike"); n != 1 {
		t.Errorf("%d alerts on the total's spike, want 1", n)
	}
	if n := auditedSpikes(t, s, clock.Now(), h0); n != 1 {
		t.Errorf("%d audit rows for the total's spike at H0, want 1", n)
	}
	_, page := dashboardPage(t, s, read(s), "range=24h")
	if !strings.Contains(page, `data-testid="anomaly-alarms"`) || !strings.Contains(page, "<code>total</code></td><td>spike</td>") {
		t.Error("the dashboard does not list the total's spike")
	}

	// the next hour closes: its own alarm, not H0's again
	clock.Set(h0.Add(2*time.Hour + 90*time.Second))
	eventually(t, 10*time.Second, "the watch reaches H0+2h", func() bool { return through(s).Equal(h0.Add(2 * time.Hour)) })
	if n := auditedSpikes(t, s, clock.Now(), h0); n != 1 {
		t.Errorf("after another hour, %d audit rows for the spike at H0, want 1", n)
	}
	if n := auditedSpikes(t, s, clock.Now(), h0.Add(time.Hour)); n != 1 {
		t.Errorf("%d audit rows for the spike at H0+1h, want 1", n)
	}

	// a restart relearns the history and goes on from where it was
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Set(h0.Add(3*time.Hour + 90*time.Second))
	s2 := startCP(t, cfg)
	eventually(t, 10*time.Second, "the restarted watch reaches H0+3h", func() bool { return through(s2).Equal(h0.Add(3 * time.Hour)) })
	if n := auditedSpikes(t, s2, clock.Now(), h0); n != 1 {
		t.Errorf("after a restart, %d audit rows for the spike at H0, want 1", n)
	}
	if n := sink.of("total", "spike"); n != 2 {
		t.Errorf("%d alerts on the total's spikes (H0, H0+1h), want 2", n)
	}
	if code, _ := api(t, s2, "", "GET", "/api/v1/alarms", nil); code != http.StatusUnauthorized {
		t.Errorf("alarms without a token: %d", code)
	}
}

// auditedSpikes counts the audit rows of a spike of the total at hour.
func auditedSpikes(t *testing.T, s *server.Server, now, hour time.Time) int {
	t.Helper()
	_, body := api(t, s, mintAt(t, s, now, "admin"), "GET", "/api/v1/audit?limit=1000", nil)
	n := 0
	for _, x := range body["items"].([]any) {
		row := x.(map[string]any)
		if row["action"] != "anomaly.spike" || row["target"] != "series:total" || row["actor"] != "controlplane" {
			continue
		}
		var detail struct {
			Hour     time.Time `json:"hour"`
			Value    float64   `json:"value"`
			Expected float64   `json:"expected"`
		}
		b, _ := json.Marshal(row["detail"])
		if err := json.Unmarshal(b, &detail); err != nil {
			t.Fatal(err)
		}
		if detail.Hour.Equal(hour) && detail.Value > 0 && detail.Expected > 0 {
			n++
		}
	}
	return n
}

func str(v any) string { s, _ := v.(string); return s }
