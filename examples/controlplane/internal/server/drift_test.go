package server_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/stream"
)

// TestDriftIncident: event batches published on the stream, as instances
// publish them, whose scores on one route shift in the last hour, raise
// one drift incident for that route: in the audit log and in GET
// /api/v1/drift.
func TestDriftIncident(t *testing.T) {
	s := startCP(t, server.Config{})
	raiseDriftIncident(t, s)
	read := mint(t, s, server.ScopeRead)
	code, body := api(t, s, read, "GET", "/api/v1/drift", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/drift: %d", code)
	}
	incidents := body["incidents"].([]any)
	if len(incidents) != 1 || incidents[0].(map[string]any)["route"] != "/search" || incidents[0].(map[string]any)["psi"].(float64) < 0.25 {
		t.Fatalf("drift incidents %v", incidents)
	}
	if code, _ := api(t, s, "", "GET", "/api/v1/drift", nil); code != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/drift without a token: %d, want 401", code)
	}
}

// raiseDriftIncident publishes event batches on the stream, as instances
// publish them, whose scores on /search shift in the last hour, and
// waits for the drift incident in the audit log.
func raiseDriftIncident(t *testing.T, s *server.Server) {
	t.Helper()
	nc, err := nats.Connect(s.SDKURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(3, 4))
	calm := func() float64 {
		if rng.Float64() < 0.9 {
			return 0
		}
		return 0.05 + 0.25*rng.Float64()
	}
	shifted := func() float64 {
		if rng.Float64() < 0.5 {
			return calm()
		}
		return 0.3 + 0.3*rng.Float64()
	}
	now := time.Now().UTC().Truncate(time.Hour)
	var seq uint64
	publish := func(route string, h time.Time, n int, score func() float64) {
		b := &event.Batch{Tenant: "default", Instance: "drift-1", KeyID: "k1"}
		for i := range n {
			seq++
			at := h.Add(time.Duration(i) * (time.Hour / time.Duration(n)))
			b.Events = append(b.Events, event.Event{ID: event.MakeID(at, 7, seq), Time: at, Pseudonym: "p1", Route: route,
				Method: "GET", Outcome: event.OutcomeAllowed, Score: score(), Level: "none"})
		}
		if _, err := js.Publish(ctx, stream.BatchSubject("default", "drift-1"), b.Append(nil)); err != nil {
			t.Fatal(err)
		}
	}
	admin := mint(t, s, server.ScopeAdmin)
	read := mint(t, s, server.ScopeRead)
	// the watch reads batches in the order they commit; with several
	// ingest workers (PostgreSQL's default) batches published together may
	// commit in any order, so each hour is published once the one before
	// is read
	published := func(h time.Time, n int) {
		t.Helper()
		eventually(t, 10*time.Second, "the watch reads the hour from "+h.Format("15:04"), func() bool {
			_, body := api(t, s, read, "GET", "/api/v1/drift", nil)
			for _, r := range body["routes"].([]any) {
				r := r.(map[string]any)
				if r["route"] == "/search" {
					at, _ := time.Parse(time.RFC3339, r["hour"].(string))
					return at.Equal(h) && r["current_n"].(float64) == float64(n)
				}
			}
			return false
		})
	}
	for i := 4; i >= 1; i-- {
		h, score := now.Add(-time.Duration(i)*time.Hour), calm
		if i == 1 {
			score = shifted
		}
		publish("/search", h, 300, score)
		published(h, 300)
	}
	publish("/search", now, 10, shifted) // closes the shifted hour

	eventually(t, 10*time.Second, "a drift incident in the audit log", func() bool {
		_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
		n := 0
		for _, it := range audit["items"].([]any) {
			a := it.(map[string]any)
			if a["action"] == "drift.detected" && a["target"] == "route:/search" {
				n++
			}
		}
		return n == 1
	})
}
