package middleware

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
)

// recorder is an Events that keeps the events of what it is given, as
// storage/fleet's Exporter makes them.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Record(v *bulwark.Verdict, route string) [16]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := event.FromVerdict(v, route)
	e.ID = event.MakeID(e.Time, 1, uint64(len(r.events)+1))
	r.events = append(r.events, e)
	return e.ID
}

func TestEvents(t *testing.T) {
	rec := &recorder{}
	r := chi.NewRouter()
	m := newMW(t, bulwark.Config{}, Config{Events: rec, Pattern: chiroute.Before(r), PatternAfter: chiroute.After, Skip: []string{"/healthz"}})
	r.Use(m.Handler)
	r.Get("/items/{id}", func(w http.ResponseWriter, _ *http.Request) {})
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {})
	serve := func(target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = "203.0.113.5:1000"
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	serve("/items/7")
	serve("/healthz")
	blocked := serve("/items/1%27%20OR%201=1--")
	serve("/items/1%27%20OR%202=2--")
	serve("/items/1%27%20OR%203=3--") // three refusals put the client in the penalty box
	banned := serve("/items/8")

	if len(rec.events) != 5 {
		t.Fatalf("%d events, want 5 (the skipped request has none): %+v", len(rec.events), rec.events)
	}
	ok, blk, ban := rec.events[0], rec.events[1], rec.events[4]
	if ok.Outcome != event.OutcomeAllowed || ok.Route != "/items/{id}" || ok.Method != "GET" || ok.Client != "203.0.113.5" ||
		ok.Level != "none" || ok.Limiter != "allow" || ok.Time.IsZero() {
		t.Errorf("allowed event %+v", ok)
	}
	if blk.Outcome != event.OutcomeBlocked || !blk.Scored() || blk.Reasons[0] == "" || blk.Family == "" || blk.Score < 0.9 {
		t.Errorf("blocked event %+v", blk)
	}
	if ban.Outcome != event.OutcomeBanned || ban.Limiter != "banned" {
		t.Errorf("banned event %+v", ban)
	}
	for i, w := range []*httptest.ResponseRecorder{blocked, banned} {
		var p struct{ Instance string }
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		ev := []event.Event{blk, ban}[i]
		want := "urn:bulwark:event:" + ev.ID.String()
		if p.Instance != want {
			t.Errorf("problem instance %q, want %q", p.Instance, want)
		}
		id, err := event.ParseID(strings.TrimPrefix(p.Instance, "urn:bulwark:event:"))
		if err != nil || id != ev.ID {
			t.Errorf("instance does not parse back: %v", err)
		}
	}
}

func TestNoEventsNoInstance(t *testing.T) {
	m := newMW(t, bulwark.Config{}, Config{})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/?q=1%27%20OR%201=1--", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "instance") {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
