package server

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/event"
)

// driftBatch returns n events of route in the hour from h, scored by
// score.
func driftBatch(route string, h time.Time, n int, score func() float64) *event.Batch {
	b := &event.Batch{Tenant: "default", Instance: "i1"}
	for i := range n {
		b.Events = append(b.Events, event.Event{Route: route, Time: h.Add(time.Duration(i) * (time.Hour / time.Duration(n))), Score: score()})
	}
	return b
}

// TestDriftWatch: a route is compared once its baseline holds enough
// scores; an hour like the baseline raises nothing, a shifted one raises
// one incident naming the route, the next shifted hour none (cooldown),
// and another route's traffic is its own.
func TestDriftWatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	calm := func() float64 { // mostly clean, a tail of weak signals
		if rng.Float64() < 0.9 {
			return 0
		}
		return 0.05 + 0.25*rng.Float64()
	}
	shifted := func() float64 { // a new client mix: many medium scores
		if rng.Float64() < 0.5 {
			return calm()
		}
		return 0.3 + 0.3*rng.Float64()
	}
	w := newDriftWatch()
	h0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	hour := func(i int) time.Time { return h0.Add(time.Duration(i) * time.Hour) }
	for i := range 3 { // 3 calm hours: the third is compared, and is calm
		w.observe([]*event.Batch{driftBatch("/search", hour(i), 300, calm), driftBatch("/login", hour(i), 300, calm)}, hour(i))
	}
	if len(w.raised) != 0 {
		t.Fatalf("calm hours raised %v", w.raised)
	}
	w.observe([]*event.Batch{driftBatch("/search", hour(3), 300, shifted), driftBatch("/login", hour(3), 300, calm)}, hour(3))
	if len(w.raised) != 0 {
		t.Fatal("an hour was compared before it closed")
	}
	// the first events of hour 4 close hour 3
	w.observe([]*event.Batch{driftBatch("/search", hour(4), 300, shifted), driftBatch("/login", hour(4), 300, calm)}, hour(4))
	if len(w.raised) != 1 || w.raised[0].Route != "/search" || !w.raised[0].Hour.Equal(hour(3)) {
		t.Fatalf("raised %+v, want one incident for /search at %v", w.raised, hour(3))
	}
	in := w.raised[0]
	if in.PSI < 0.25 || in.P >= 0.01 || in.Current != 300 || in.Baseline < driftBaseline {
		t.Fatalf("incident %+v: want PSI ≥ 0.25, p < 0.01, 300 current scores, a full baseline", in)
	}
	select {
	case got := <-w.out:
		if got.Route != "/search" {
			t.Fatalf("queued %+v", got)
		}
	default:
		t.Fatal("the incident was not queued for raising")
	}
	// hour 4, still shifted, closes within the cooldown: nothing new
	w.observe([]*event.Batch{driftBatch("/search", hour(5), 10, shifted)}, hour(5))
	if len(w.raised) != 1 {
		t.Fatalf("the cooldown let %d incidents through", len(w.raised))
	}
	// a late event of a closed hour joins the baseline, not the hour
	rd := w.routes["/login"]
	before, cur := rd.baseN, rd.curN
	w.observe([]*event.Batch{driftBatch("/login", hour(1), 1, calm)}, hour(5))
	if rd.baseN != before+1 || rd.curN != cur {
		t.Fatalf("a late event: baseline %d→%d, current %d→%d", before, rd.baseN, cur, rd.curN)
	}
}

// TestDriftSampleBounded: however busy an hour, a route keeps at most
// driftSample scores a side.
func TestDriftSampleBounded(t *testing.T) {
	w := newDriftWatch()
	h0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		w.observe([]*event.Batch{driftBatch("/x", h0.Add(time.Duration(i)*time.Hour), 3*driftSample, func() float64 { return 0.1 })}, h0)
	}
	rd := w.routes["/x"]
	if len(rd.cur) != driftSample || len(rd.base) != driftSample || rd.curN != 3*driftSample {
		t.Fatalf("kept %d current (of %d) and %d baseline scores, want %d each", len(rd.cur), rd.curN, len(rd.base), driftSample)
	}
}
