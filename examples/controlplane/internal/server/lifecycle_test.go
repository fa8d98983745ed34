package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/threat"
)

// lifecycleConfig checks often, on samples a test labels in seconds: a
// margin of 0.1 needs n > z²(1−m)/m ≈ 24.4 labelled events a class and
// model to promote.
var lifecycleConfig = server.Config{CanaryCheckEvery: 150 * time.Millisecond, CanaryMargin: 0.1, CanaryMinSample: 30, CanaryChecks: 3}

func canaryModel(in *instance) string {
	m, _, ok := in.guard.Engine().(*threat.Engine).Models().Canary()
	if !ok {
		return ""
	}
	return m.Version()
}

// publishStage publishes a combiner model of prior as version in stage
// and waits for every instance to load it there.
func publishStage(t *testing.T, s *server.Server, admin, stage, version string, prior float64, ins ...*instance) {
	t.Helper()
	if code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": version, "stage": stage,
		"model": combinerJSON(t, version, prior)}); code != http.StatusCreated {
		t.Fatalf("publish %s as %s: %d %v", version, stage, code, body)
	}
	eng := func(in *instance) *threat.Holder[*threat.Model] { return in.guard.Engine().(*threat.Engine).Models() }
	for _, in := range ins {
		eventually(t, 5*time.Second, in.name+" loads "+version+" as "+stage, func() bool {
			switch stage {
			case "active":
				return activeModel(in).Version() == version
			case "canary":
				return canaryModel(in) == version
			}
			m, ok := eng(in).Challenger()
			return ok && m.Version() == version
		})
	}
}

// labelAll sends n requests to target, each from its own fresh client,
// across the instances, waits for their events, and labels each scored
// one as label through the API, as an operator would. It returns the
// events labelled by the model that scored them.
func labelAll(t *testing.T, s *server.Server, tok string, ins []*instance, n int, target, prefix, label string) map[string]int {
	t.Helper()
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		ip := fmt.Sprintf("%s.%d.%d", prefix, i/200, i%200+1)
		ins[i%len(ins)].serve("GET", target, ip)
		want[ins[0].names.Of(ip)] = true
	}
	var evs []history.Event
	eventually(t, 10*time.Second, fmt.Sprintf("the %d events of %s stored", n, prefix), func() bool {
		evs = evs[:0]
		days, _ := s.Store.Days(context.Background())
		for _, d := range days {
			_ = s.Store.ScanDay(context.Background(), d, func(e *history.Event) error {
				if want[e.Pseudonym] {
					evs = append(evs, *e)
				}
				return nil
			})
		}
		return len(evs) == n
	})
	by := map[string]int{}
	for _, e := range evs {
		if e.Model == "" {
			t.Fatalf("event %s of a scored request names no model", e.ID)
		}
		body := map[string]any{"label": label}
		if label == "benign" {
			body["suppress"] = "none" // a suppression would hide what the models do
		}
		if code, resp := api(t, s, tok, "POST", "/api/v1/events/"+e.ID.String()+"/label", body); code != http.StatusOK {
			t.Fatalf("label %s: %d %v", e.ID, code, resp)
		}
		by[e.Model]++
	}
	return by
}

// wantStages waits for the stage pointers to name the versions in want
// (the watch moves one pointer after the other).
func wantStages(t *testing.T, s *server.Server, admin string, want map[string]string) {
	t.Helper()
	got := map[string]any{}
	eventually(t, 5*time.Second, fmt.Sprintf("stages %v", want), func() bool {
		_, body := api(t, s, admin, "GET", "/api/v1/models", nil)
		stages, _ := body["stages"].(map[string]any)
		for stage, v := range want {
			m, _ := stages[stage].(map[string]any)
			got[stage] = m["version"]
			if got[stage] != v {
				return false
			}
		}
		return true
	})
}

// auditActions returns every audit row's action, with the rows of the
// actions in keep.
func auditActions(t *testing.T, s *server.Server, admin string, keep ...string) (map[string]int, []map[string]any) {
	t.Helper()
	seen := map[string]int{}
	var rows []map[string]any
	after := 0.0
	for {
		_, page := api(t, s, admin, "GET", fmt.Sprintf("/api/v1/audit?after=%d&limit=1000", int64(after)), nil)
		items, _ := page["items"].([]any)
		if len(items) == 0 {
			return seen, rows
		}
		for _, it := range items {
			row := it.(map[string]any)
			a := row["action"].(string)
			seen[a]++
			for _, k := range keep {
				if a == k {
					rows = append(rows, row)
				}
			}
			after = row["seq"].(float64)
		}
	}
}

// TestCanaryRolledBack is the degradation test: a deliberately worse
// combiner (it blocks every request) reaches canary on two instances; the
// benign requests it refused are labelled benign, and the canary watch
// rolls it back after CanaryChecks worse checks in a row, while the
// active model never changes. Every transition is in the audit log.
func TestCanaryRolledBack(t *testing.T) {
	s := startCP(t, lifecycleConfig)
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	ins := []*instance{a, b}
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	publishStage(t, s, admin, "active", "v2", -3.5, a, b)
	publishStage(t, s, admin, "canary", "bad", 4, a, b) // scores every request 0.98

	stop := make(chan struct{})
	changed := make(chan string, 1)
	go func() { // the active model never changes
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			for _, in := range ins {
				if v := activeModel(in).Version(); v != "v2" {
					select {
					case changed <- in.name + " runs " + v:
					default:
					}
				}
			}
		}
	}()
	defer close(stop)

	by := labelAll(t, s, admin, ins, 120, "/api/items/7", "10.1", "benign")
	if by["bad"] < 30 || by["v2"] < 30 {
		t.Fatalf("labelled events by model %v: want at least the minimum sample, 30, of each", by)
	}
	eventually(t, 15*time.Second, "the canary rolled back", func() bool {
		return canaryModel(a) == "v2" && canaryModel(b) == "v2"
	})
	select {
	case what := <-changed:
		t.Fatalf("the active model changed: %s", what)
	default:
	}
	wantStages(t, s, admin, map[string]string{"combiner.active": "v2", "combiner.canary": "v2", "combiner.retired": "bad"})
	var seen map[string]int
	var rows []map[string]any
	eventually(t, 5*time.Second, "the retirement audited", func() bool {
		seen, rows = auditActions(t, s, admin, "model.auto_rollback", "model.retire")
		return seen["model.retire"] > 0
	})
	if seen["model.publish"] != 2 || seen["model.auto_rollback"] != 1 || seen["model.retire"] != 1 ||
		seen["model.auto_promote"] != 0 || seen["model.promote"] != 0 || seen["model.rollback"] != 0 || seen["event.label"] != 120 {
		t.Fatalf("audit %v", seen)
	}
	d := rows[0]["detail"].(map[string]any)
	t.Logf("figures: rollback after %v checks: canary FPR %v, active FPR %v, difference %v", d["checks"], d["fpr_canary"], d["fpr_active"], d["fpr_diff"])
	if d["checks_in_a_row"] != float64(3) || d["version"] != "bad" || d["to"] != "v2" ||
		d["fpr_diff"].(map[string]any)["low"].(float64) <= 0.1 || d["fpr_canary"].(map[string]any)["rate"].(float64) < 0.9 {
		t.Errorf("rollback audit detail %v", d)
	}
	if d := rows[1]["detail"].(map[string]any); d["from"] != "canary" || d["version"] != "bad" {
		t.Errorf("retire audit detail %v", d)
	}
	// with the canary back on the active model, the watch has nothing to compare
	_, cmp := api(t, s, admin, "GET", "/api/v1/models/combiner/compare", nil)
	if cmp["canary"] != nil {
		t.Errorf("compare after the rollback: %v", cmp["canary"])
	}
}

// TestCanaryRolledBackOnRecall: a canary that lets attacks through (a
// prior so low that nothing reaches the block score) is rolled back
// automatically on its lower TPR, labelled attacks alone, within the
// stated number of checks; the active model never changes.
func TestCanaryRolledBackOnRecall(t *testing.T) {
	s := startCP(t, lifecycleConfig)
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	ins := []*instance{a, b}
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	publishStage(t, s, admin, "active", "v2", -3.5, a, b)
	publishStage(t, s, admin, "canary", "blind", -60, a, b)

	by := labelAll(t, s, admin, ins, 120, "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--", "10.3", "attack")
	if by["blind"] < 30 || by["v2"] < 30 {
		t.Fatalf("labelled attacks by model %v: want at least the minimum sample, 30, of each", by)
	}
	eventually(t, 15*time.Second, "the canary rolled back", func() bool {
		return canaryModel(a) == "v2" && canaryModel(b) == "v2"
	})
	for _, in := range ins {
		if v := activeModel(in).Version(); v != "v2" {
			t.Errorf("%s runs %s active, want v2", in.name, v)
		}
	}
	wantStages(t, s, admin, map[string]string{"combiner.active": "v2", "combiner.canary": "v2", "combiner.retired": "blind"})
	seen, rows := auditActions(t, s, admin, "model.auto_rollback")
	if seen["model.auto_rollback"] != 1 || seen["model.auto_promote"] != 0 {
		t.Fatalf("audit %v", seen)
	}
	d := rows[0]["detail"].(map[string]any)
	t.Logf("figures: rollback after %v checks: TPR difference %v", d["checks"], d["tpr_diff"])
	if d["checks_in_a_row"] != float64(3) || d["version"] != "blind" || d["tpr_diff"].(map[string]any)["low"].(float64) <= 0.1 {
		t.Errorf("rollback audit detail %v", d)
	}
}

// TestShadowBecomesCanary: with no canary apart from the active model, a
// shadow shown not worse on labelled benign requests and attacks scored
// beside the active model becomes the canary by itself (audited
// model.auto_canary); the instances then score the canary's clients with
// it, and the active model has not changed.
func TestShadowBecomesCanary(t *testing.T) {
	s := startCP(t, lifecycleConfig)
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	ins := []*instance{a, b}
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	publishStage(t, s, admin, "active", "v2", -3.5, a, b)
	publishStage(t, s, admin, "shadow", "next", -3.4, a, b)

	labelAll(t, s, admin, ins, 60, "/api/items/7", "10.4", "benign")
	labelAll(t, s, admin, ins, 60, "/search?q=1%27%20OR%201=1--", "10.5", "attack")
	eventually(t, 15*time.Second, "the shadow made the canary", func() bool {
		return canaryModel(a) == "next" && canaryModel(b) == "next"
	})
	for _, in := range ins {
		if v := activeModel(in).Version(); v != "v2" {
			t.Errorf("%s runs %s active, want v2", in.name, v)
		}
	}
	seen, rows := auditActions(t, s, admin, "model.auto_canary")
	if seen["model.auto_canary"] != 1 || seen["model.auto_promote"] != 0 {
		t.Fatalf("audit %v", seen)
	}
	d := rows[0]["detail"].(map[string]any)
	t.Logf("figures: shadow to canary: FPR difference %v, TPR difference %v", d["fpr_diff"], d["tpr_diff"])
	if d["version"] != "next" || d["active"] != "v2" || d["fpr_diff"].(map[string]any)["high"].(float64) >= 0.1 ||
		d["fpr_shadow"].(map[string]any)["n"].(float64) < 30 {
		t.Errorf("auto_canary audit detail %v", d)
	}
}

// TestCanaryPromoted: a canary no worse than the active model, on
// labelled benign requests and attacks, is promoted automatically and
// the model it replaces retired; a stricter shadow's disagreements with
// the active model are reported by the compare API.
func TestCanaryPromoted(t *testing.T) {
	s := startCP(t, lifecycleConfig)
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	ins := []*instance{a, b}
	admin := mint(t, s, server.ScopeAdmin, server.ScopeDecisions)
	publishStage(t, s, admin, "active", "v2", -3.5, a, b)
	publishStage(t, s, admin, "shadow", "strict", 2, a, b) // scores every request 0.88: would refuse all
	publishStage(t, s, admin, "canary", "good", -3.4, a, b)

	benign := labelAll(t, s, admin, ins, 100, "/api/items/7", "10.2", "benign")
	attacks := labelAll(t, s, admin, ins, 100, "/search?q=1%27%20OR%201=1--", "10.3", "attack")
	if benign["good"]+benign["v2"] != 100 || attacks["good"]+attacks["v2"] != 100 {
		t.Fatalf("labelled events by model: benign %v, attacks %v", benign, attacks)
	}
	_, cmp := api(t, s, admin, "GET", "/api/v1/models/combiner/compare", nil)
	sh, _ := cmp["shadow"].(map[string]any)
	if sh == nil || sh["version"] != "strict" || sh["shadow_only"].(float64) < 90 || sh["active_only"].(float64) != 0 ||
		sh["shadow_fpr"].(map[string]any)["rate"].(float64) < 0.9 || sh["active_fpr"].(map[string]any)["rate"].(float64) > 0.1 ||
		sh["shadow_tpr"].(map[string]any)["n"].(float64) != 100 {
		t.Errorf("shadow comparison %v", sh)
	}
	eventually(t, 15*time.Second, "the canary promoted", func() bool {
		return activeModel(a).Version() == "good" && activeModel(b).Version() == "good"
	})
	wantStages(t, s, admin, map[string]string{"combiner.active": "good", "combiner.retired": "v2"})
	var seen map[string]int
	var rows []map[string]any
	eventually(t, 5*time.Second, "the retirement audited", func() bool {
		seen, rows = auditActions(t, s, admin, "model.auto_promote", "model.retire")
		return seen["model.retire"] > 0
	})
	if seen["model.publish"] != 3 || seen["model.auto_promote"] != 1 || seen["model.retire"] != 1 || seen["model.auto_rollback"] != 0 {
		t.Fatalf("audit %v", seen)
	}
	d := rows[0]["detail"].(map[string]any)
	t.Logf("figures: promotion after %v checks: canary FPR %v, active FPR %v, FPR difference %v, TPR difference %v",
		d["checks"], d["fpr_canary"], d["fpr_active"], d["fpr_diff"], d["tpr_diff"])
	if d["version"] != "good" || d["active"] != "v2" || d["fpr_diff"].(map[string]any)["high"].(float64) >= 0.1 ||
		d["fpr_canary"].(map[string]any)["n"].(float64) < 30 {
		t.Errorf("promotion audit detail %v", d)
	}
	if d := rows[1]["detail"].(map[string]any); d["from"] != "active" || d["version"] != "v2" {
		t.Errorf("retire audit detail %v", d)
	}
}
