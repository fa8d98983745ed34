package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/threat"
)

// seedLabelled stores, over the two days before now, attacks (sqli and
// xss, both with two reasons) and false positives (prose that tripped
// xss.event_handler alone) in turn as the order says ('a' an attack, 'f' a
// false positive), with unlabelled benign traffic between them, and
// labels the attacks and false positives through the API.
func seedLabelled(t *testing.T, s *server.Server, tok string, order string) {
	t.Helper()
	now := time.Now().UTC()
	start := now.Add(-48 * time.Hour)
	step := 47 * time.Hour / time.Duration(len(order))
	b := &event.Batch{Tenant: "default", Region: "local", Instance: "retrain-1", KeyID: "k1"}
	type lab struct {
		id    event.ID
		label string
	}
	var labels []lab
	for i, c := range order {
		at := start.Add(time.Duration(i) * step)
		e := event.Event{ID: event.MakeID(at, 9, uint64(2*i)), Time: at, Pseudonym: "0a0b0c", Route: "/search", Method: "GET",
			Outcome: event.OutcomeBlocked, Level: "high"}
		switch {
		case c == 'a' && i%4 < 2:
			e.Score, e.Family, e.Reasons = 0.99, "sqli", [event.MaxReasons]string{"sqli.libinjection", "sqli.tautology"}
		case c == 'a':
			e.Score, e.Family, e.Reasons = 0.97, "xss", [event.MaxReasons]string{"xss.libinjection", "xss.event_handler"}
		default:
			e.Score, e.Family, e.Reasons = 0.9, "xss", [event.MaxReasons]string{"xss.event_handler"}
		}
		label := map[byte]string{'a': "attack", 'f': "benign"}[byte(c)]
		labels = append(labels, lab{e.ID, label})
		// unlabelled benign traffic, which the retrain leaves out
		quiet := event.Event{ID: event.MakeID(at.Add(time.Second), 9, uint64(2*i+1)), Time: at.Add(time.Second), Pseudonym: "0d0e0f",
			Route: "/search", Method: "GET", Outcome: event.OutcomeAllowed, Score: 0.05, Level: "none"}
		b.Events = append(b.Events, e, quiet)
	}
	if _, err := s.Store.Ingest(context.Background(), []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if code, body := api(t, s, tok, "POST", "/api/v1/events/"+l.id.String()+"/label", map[string]any{"label": l.label, "suppress": "none"}); code != http.StatusOK {
			t.Fatalf("label %s: %d %v", l.id, code, body)
		}
	}
}

// interleaved is n attacks and n false positives in turn.
func interleaved(n int) string { return strings.Repeat("af", n) }

// TestRetrainOnDemand: a retrain from labelled history publishes a signed
// candidate whose report measures it and the current (embedded) model on
// the newest fifth of the labelled events, after those it trained on; the
// candidate refuses fewer of the held-back false positives and as many of
// the attacks. Its report is retrievable and the retrain is audited.
func TestRetrainOnDemand(t *testing.T) {
	s := startCP(t, server.Config{})
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	seedLabelled(t, s, admin, interleaved(40))

	code, rep := api(t, s, admin, "POST", "/api/v1/models/combiner/retrain", map[string]any{"budget": "1s", "seed": 7})
	if code != http.StatusCreated {
		t.Fatalf("retrain: %d %v", code, rep)
	}
	train, held := rep["train"].(map[string]any), rep["held_back"].(map[string]any)
	trainTo, _ := time.Parse(time.RFC3339Nano, train["to"].(string))
	heldFrom, _ := time.Parse(time.RFC3339Nano, held["from"].(string))
	if !heldFrom.After(trainTo) {
		t.Errorf("held back from %v, trained up to %v: the evaluation window is not the newer one", heldFrom, trainTo)
	}
	if a, b := held["attacks"].(float64), held["benign"].(float64); a < 5 || b < 5 || a+b > 20 {
		t.Errorf("held back %v attacks and %v benign, want about a fifth of 80 with both", a, b)
	}
	if l := rep["labelled"].(map[string]any); l["attack"] != 40.0 || l["benign"] != 40.0 {
		t.Errorf("labelled %v: want 40 of each (the unlabelled traffic left out)", l)
	}
	cand, cur := rep["candidate"].(map[string]any), rep["current"].(map[string]any)
	if cur["attacks"] != held["attacks"] || cand["benign"] != held["benign"] {
		t.Errorf("the models were not measured on the held-back window: %v %v %v", cand, cur, held)
	}
	if rep["current_model"].(map[string]any)["source"] != "embedded" {
		t.Errorf("current model %v, want the embedded one (none published)", rep["current_model"])
	}
	t.Logf("figures: held back tpr %v fpr %v (current %v, %v), ece %v, %v candidates in %v", cand["tpr"], cand["fpr"], cur["tpr"], cur["fpr"],
		cand["ece"], rep["candidates_tried"], rep["elapsed"])
	if cur["fpr"].(float64) < 0.99 || cand["fpr"].(float64) > 0.5 || cand["tpr"].(float64) < 0.95 || rep["not_worse"] != true {
		t.Errorf("candidate tpr %v fpr %v, current tpr %v fpr %v, not worse %v: want the false positives mostly let through, the attacks still refused",
			cand["tpr"], cand["fpr"], cur["tpr"], cur["fpr"], rep["not_worse"])
	}
	for _, f := range []string{"sqli", "xss"} {
		if _, ok := cand["tpr_by_family"].(map[string]any)[f]; !ok {
			t.Errorf("no held-back TPR for %s: %v", f, cand["tpr_by_family"])
		}
	}
	if _, ok := cand["fpr_by_family"].(map[string]any)["xss"]; !ok {
		t.Errorf("no held-back FPR for xss: %v", cand["fpr_by_family"])
	}

	// the candidate is a signed artefact in stage candidate, as instances fetch it
	sum := rep["sha256"].(string)
	_, models := api(t, s, admin, "GET", "/api/v1/models", nil)
	if m := models["stages"].(map[string]any)["combiner.candidate"]; m == nil || m.(map[string]any)["sha256"] != sum {
		t.Fatalf("combiner.candidate %v, want %s", m, sum)
	}
	if models["stages"].(map[string]any)["combiner.active"] != nil {
		t.Error("a retrain moved the active stage")
	}
	nc, err := nats.Connect(s.SDKURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	keys, err := artefact.ParsePublic(s.ModelKeys())
	if err != nil {
		t.Fatal(err)
	}
	m, payload, err := artefact.Fetch(context.Background(), js, artefact.NewVerifier(keys), "combiner", "candidate")
	if err != nil {
		t.Fatal(err)
	}
	model, err := threat.ParseModel(payload)
	if err != nil || model.Version() != rep["version"] || m.SHA256 != sum {
		t.Fatalf("the candidate artefact: %v %v %v", m, model, err)
	}

	// its report, by hash and in the list
	read := mint(t, s, server.ScopeRead)
	if code, got := api(t, s, read, "GET", "/api/v1/models/combiner/reports/"+sum, nil); code != http.StatusOK || got["version"] != rep["version"] {
		t.Errorf("report by hash: %d %v", code, got)
	}
	if code, got := api(t, s, read, "GET", "/api/v1/models/combiner/reports", nil); code != http.StatusOK || len(got["items"].([]any)) != 1 {
		t.Errorf("reports: %d %v", code, got)
	}
	if code, _ := api(t, s, read, "GET", "/api/v1/models/combiner/reports/"+strings.Repeat("0", 64), nil); code != http.StatusNotFound {
		t.Errorf("an unknown report: %d, want 404", code)
	}
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	n := 0
	for _, it := range audit["items"].([]any) {
		if a := it.(map[string]any); a["action"] == "model.retrain" && a["target"] == "combiner.candidate" && a["actor"] == "tester" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d model.retrain audit entries, want 1", n)
	}

	// refusals
	for _, c := range []struct {
		tok, path string
		body      map[string]any
		want      int
	}{
		{read, "/api/v1/models/combiner/retrain", nil, http.StatusForbidden},
		{admin, "/api/v1/models/sequence/retrain", nil, http.StatusBadRequest},
		{admin, "/api/v1/models/combiner/retrain", map[string]any{"budget": "5m"}, http.StatusBadRequest},
		{admin, "/api/v1/models/combiner/retrain", map[string]any{"hold_out": 0.9}, http.StatusBadRequest},
		{admin, "/api/v1/models/combiner/retrain", map[string]any{"epochs": 3}, http.StatusBadRequest},
	} {
		if code, body := api(t, s, c.tok, "POST", c.path, c.body); code != c.want {
			t.Errorf("POST %s %v: %d %v, want %d", c.path, c.body, code, body, c.want)
		}
	}
}

// TestRetrainTooFewLabels: a retrain is refused (409, and why) with fewer
// than server.MinRetrainLabels labels of a kind, or when the time split
// leaves the held-back window without one kind; nothing is published.
func TestRetrainTooFewLabels(t *testing.T) {
	for name, order := range map[string]string{
		"few attacks": strings.Repeat("af", 10) + strings.Repeat("f", 20),
		// every false positive newer than every attack
		"split": strings.Repeat("a", 30) + strings.Repeat("f", 30),
	} {
		t.Run(name, func(t *testing.T) {
			s := startCP(t, server.Config{})
			admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
			seedLabelled(t, s, admin, order)
			code, body := api(t, s, admin, "POST", "/api/v1/models/combiner/retrain", nil)
			detail, _ := body["detail"].(string)
			if code != http.StatusConflict || body["type"] != "urn:bulwark:problem:too-few-labels" || !strings.Contains(detail, "at least") {
				t.Fatalf("retrain: %d %v, want 409 too-few-labels", code, body)
			}
			t.Logf("refused: %s", detail)
			if _, models := api(t, s, admin, "GET", "/api/v1/models", nil); len(models["stages"].(map[string]any)) != 0 {
				t.Errorf("a refused retrain published %v", models["stages"])
			}
		})
	}
}

// TestRetrainSchedule: with RetrainEvery set, the control plane retrains
// by itself once there are enough labels, audited as the schedule's, and
// not again while the labels stay the same.
func TestRetrainSchedule(t *testing.T) {
	s := startCP(t, server.Config{RetrainEvery: 200 * time.Millisecond, RetrainBudget: 200 * time.Millisecond})
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	retrains := func() (n int) {
		_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
		for _, it := range audit["items"].([]any) {
			if a := it.(map[string]any); a["action"] == "model.retrain" && a["actor"] == "retrain-schedule" {
				n++
			}
		}
		return n
	}
	time.Sleep(time.Second) // ticks with no labels publish nothing
	if n := retrains(); n != 0 {
		t.Fatalf("%d retrains without labels", n)
	}
	seedLabelled(t, s, admin, interleaved(30))
	took := eventually(t, 20*time.Second, "a scheduled retrain", func() bool { return retrains() >= 1 })
	t.Logf("figures: the scheduled retrain published its candidate %v after the labels", took.Round(time.Millisecond))
	// a tick while the labels were being made may have retrained on part
	// of them, and the next on all; then the retrains stop
	time.Sleep(time.Second)
	n := retrains()
	time.Sleep(time.Second) // five more ticks, the same labels
	if m := retrains(); m != n || n > 2 {
		t.Errorf("%d, then %d scheduled retrains on unchanged labels: want them to stop", n, m)
	}
	_, list := api(t, s, admin, "GET", "/api/v1/models/combiner/reports", nil)
	items := list["items"].([]any)
	if len(items) != n {
		t.Fatalf("%d reports, want %d", len(items), n)
	}
	last := items[0].(map[string]any)
	if l := last["labelled"].(map[string]any); last["trigger"] != "schedule" || l["attack"] != 30.0 || l["benign"] != 30.0 {
		t.Errorf("the last scheduled retrain: trigger %v, labelled %v; want the schedule's, on every label", last["trigger"], l)
	}
	_, models := api(t, s, admin, "GET", "/api/v1/models", nil)
	if c := models["stages"].(map[string]any)["combiner.candidate"]; c == nil || c.(map[string]any)["sha256"] != last["sha256"] {
		t.Errorf("combiner.candidate %v, want the last report's %v", c, last["sha256"])
	}
}

// TestRetrainOnDrift: with RetrainOnDrift, a drift incident retrains the
// combiner into a candidate, audited as the drift's.
func TestRetrainOnDrift(t *testing.T) {
	s := startCP(t, server.Config{RetrainOnDrift: true, RetrainBudget: 200 * time.Millisecond})
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	seedLabelled(t, s, admin, interleaved(30)) // straight into the store: the drift watch does not see them
	raiseDriftIncident(t, s)
	eventually(t, 20*time.Second, "a retrain on the drift", func() bool {
		_, list := api(t, s, admin, "GET", "/api/v1/models/combiner/reports", nil)
		items := list["items"].([]any)
		return len(items) == 1 && items[0].(map[string]any)["trigger"] == "drift:/search" && items[0].(map[string]any)["actor"] == "retrain-drift"
	})
}

// TestRetrainForest: the isolation forest is refitted on the behavioural
// vectors the events carry (normal traffic: allowed at threat level none,
// or labelled benign), held back by time, and measured against the
// current forest on the held-back normal vectors and on the vectors of
// the events labelled attack (never trained on); the candidate is
// published in the forest's candidate stage with its report. Too little
// normal traffic is refused, and the sequence model is not retrained.
func TestRetrainForest(t *testing.T) {
	s := startCP(t, server.Config{})
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	if code, body := api(t, s, admin, "POST", "/api/v1/models/forest/retrain", map[string]any{"seed": 3}); code != http.StatusConflict {
		t.Fatalf("forest retrain with no traffic: %d %v, want 409", code, body)
	}
	if code, body := api(t, s, admin, "POST", "/api/v1/models/sequence/retrain", nil); code != http.StatusBadRequest {
		t.Fatalf("sequence retrain: %d %v, want 400", code, body)
	}
	now := time.Now().UTC()
	start := now.Add(-48 * time.Hour)
	rng := rand.New(rand.NewPCG(1, 2))
	b := &event.Batch{Tenant: "default", Region: "local", Instance: "forest-1", KeyID: "k1"}
	var attacks []event.ID
	const normal, nattacks = 1500, 40
	for i := range normal + nattacks {
		at := start.Add(time.Duration(i) * 47 * time.Hour / (normal + nattacks))
		e := event.Event{ID: event.MakeID(at, 11, uint64(i)), Time: at, Pseudonym: fmt.Sprintf("%06x", i%300), Route: "/search", Method: "GET",
			Outcome: event.OutcomeAllowed, Score: 0.02, Level: "none"}
		// a browsing client: a request every few seconds, few errors,
		// varied paths, irregular gaps, one user agent
		f := []float32{float32(0.2 + 0.3*rng.Float64()), float32(0.05 * rng.Float64()), 0, float32(0.03 * rng.Float64()), 0,
			float32(0.4 + 0.4*rng.Float64()), float32(0.8 + 0.6*rng.Float64()), 1, 1, float32(1.5 + rng.Float64()), float32(0.05 * rng.Float64()), 0}
		if i%((normal+nattacks)/nattacks) == 0 && len(attacks) < nattacks {
			// a scanner: fast, machine-regular, mostly 404, many header sets
			e.Pseudonym, e.Outcome, e.Score, e.Level, e.Family = fmt.Sprintf("a%05x", i), event.OutcomeBlocked, 0.95, "high", "anomaly"
			f = []float32{float32(20 + 10*rng.Float64()), 0.9, 0.1, 0.8, 0, 0.95, 0.05, 3, 6, 6, 0, 0.9}
			attacks = append(attacks, e.ID)
		}
		e.Features = f
		b.Events = append(b.Events, e)
	}
	if _, err := s.Store.Ingest(context.Background(), []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range attacks {
		if code, body := api(t, s, admin, "POST", "/api/v1/events/"+id.String()+"/label", map[string]any{"label": "attack"}); code != http.StatusOK {
			t.Fatalf("label %s: %d %v", id, code, body)
		}
	}
	code, rep := api(t, s, admin, "POST", "/api/v1/models/forest/retrain", map[string]any{"seed": 3})
	if code != http.StatusCreated {
		t.Fatalf("forest retrain: %d %v", code, rep)
	}
	cand, cur := rep["candidate"].(map[string]any), rep["current"].(map[string]any)
	train, held := rep["train"].(map[string]any), rep["held_back"].(map[string]any)
	t.Logf("figures: candidate tpr %v fpr %v, current (%v) tpr %v fpr %v; trained on %v normal, held back %v from %v",
		cand["tpr"], cand["fpr"], rep["current_model"].(map[string]any)["source"], cur["tpr"], cur["fpr"], train["benign"], held["benign"], held["from"])
	if rep["kind"] != "forest" || rep["stage"] != "candidate" || cand["attacks"] != float64(nattacks) || cur["attacks"] != float64(nattacks) {
		t.Errorf("report %v", rep)
	}
	trainTo, _ := time.Parse(time.RFC3339Nano, train["to"].(string))
	heldFrom, _ := time.Parse(time.RFC3339Nano, held["from"].(string))
	if tb, hb := train["benign"].(float64), held["benign"].(float64); heldFrom.Before(trainTo) || hb < 100 || tb+hb != normal {
		t.Errorf("split: trained on %v up to %v, held back %v from %v", tb, trainTo, hb, heldFrom)
	}
	if cand["tpr"].(float64) < 0.9 || cand["fpr"].(float64) > 0.05 {
		t.Errorf("the candidate does not separate the scanners from the browsing clients: %v", cand)
	}
	_, models := api(t, s, admin, "GET", "/api/v1/models", nil)
	ptr, _ := models["stages"].(map[string]any)["forest.candidate"].(map[string]any)
	if ptr == nil || ptr["version"] != rep["version"] || ptr["sha256"] != rep["sha256"] {
		t.Errorf("forest candidate pointer %v, report %v %v", ptr, rep["version"], rep["sha256"])
	}
	_, reps := api(t, s, admin, "GET", "/api/v1/models/forest/reports", nil)
	if items, _ := reps["items"].([]any); len(items) != 1 || items[0].(map[string]any)["sha256"] != rep["sha256"] {
		t.Errorf("forest reports %v", reps)
	}
}
