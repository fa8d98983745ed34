package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// combinerJSON is the embedded combiner model renamed to version.
func combinerJSON(t *testing.T, version string, prior float64) json.RawMessage {
	t.Helper()
	m, err := standard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["version"], p["prior"] = version, prior
	out, _ := json.Marshal(p)
	return out
}

func activeModel(in *instance) *threat.Model {
	return in.guard.Engine().(*threat.Engine).Models().Active()
}

// TestModelDistribution: a combiner model published through the API is
// verified and swapped in by every instance that trusts the control
// plane's key, promoted from canary to active, rolled back; an instance
// that trusts another key refuses all of it and keeps its model.
func TestModelDistribution(t *testing.T) {
	s := startCP(t, server.Config{})
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys()})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys()})
	other := artefactKey(t)
	c := newInstance(t, s.SDKURL(), "api-3", instanceOpts{modelKeys: other})
	admin := mint(t, s, server.ScopeAdmin)
	start := activeModel(c).Version()

	published := time.Now()
	code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": "v2", "stage": "active", "model": combinerJSON(t, "v2", -3.5)})
	if code != http.StatusCreated || body["sha256"] == nil {
		t.Fatalf("publish: %d %v", code, body)
	}
	for _, in := range []*instance{a, b} {
		eventually(t, 5*time.Second, in.name+" swaps in v2", func() bool { return activeModel(in).Version() == "v2" })
		t.Logf("figures: %s runs v2 %v after the publish", in.name, time.Since(published).Round(time.Millisecond))
	}
	// canary, then promoted
	if code, _ := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": "v3", "stage": "canary", "model": combinerJSON(t, "v3", -3.2)}); code != http.StatusCreated {
		t.Fatalf("publish canary: %d", code)
	}
	eventually(t, 5*time.Second, "v3 as canary", func() bool {
		m, frac, ok := a.guard.Engine().(*threat.Engine).Models().Canary()
		return ok && m.Version() == "v3" && frac == 0.1
	})
	if activeModel(a).Version() != "v2" {
		t.Fatal("a canary replaced the active model")
	}
	if code, _ := api(t, s, admin, "POST", "/api/v1/models/combiner/promote", map[string]any{"from": "canary", "to": "active"}); code != http.StatusOK {
		t.Fatalf("promote: %d", code)
	}
	eventually(t, 5*time.Second, "v3 promoted", func() bool { return activeModel(a).Version() == "v3" && activeModel(b).Version() == "v3" })
	if code, _ := api(t, s, admin, "POST", "/api/v1/models/combiner/rollback", nil); code != http.StatusOK {
		t.Fatalf("rollback: %d", code)
	}
	eventually(t, 5*time.Second, "rolled back to v2", func() bool { return activeModel(a).Version() == "v2" && activeModel(b).Version() == "v2" })

	// the instance that trusts another key refused every one of them
	eventually(t, 5*time.Second, "api-3 refusals counted", func() bool { return c.watch.Stats().ModelsRefused >= 4 })
	if v := activeModel(c).Version(); v != start || c.watch.Stats().ModelsApplied != 0 {
		t.Fatalf("api-3 runs %q (applied %d), want its own %q", v, c.watch.Stats().ModelsApplied, start)
	}
	// bad requests
	for _, bad := range []map[string]any{
		{"kind": "combiner", "version": "v9", "stage": "active", "model": json.RawMessage(`{"prior":"x"}`)},
		{"kind": "nope", "version": "v9", "stage": "active", "model": combinerJSON(t, "v9", -3)},
		{"kind": "combiner", "version": "v9", "stage": "retired", "model": combinerJSON(t, "v9", -3)},
	} {
		if code, _ := api(t, s, admin, "POST", "/api/v1/models", bad); code != http.StatusBadRequest {
			t.Errorf("publish %v: %d, want 400", bad["kind"], code)
		}
	}
	read := mint(t, s, server.ScopeRead)
	if code, _ := api(t, s, read, "POST", "/api/v1/models", map[string]any{}); code != http.StatusForbidden {
		t.Errorf("publish with a read token: %d, want 403", code)
	}
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	seen := map[string]int{}
	for _, it := range audit["items"].([]any) {
		seen[it.(map[string]any)["action"].(string)]++
	}
	if seen["model.publish"] != 2 || seen["model.promote"] != 1 || seen["model.rollback"] != 1 {
		t.Errorf("audit %v: want 2 publishes, a promotion and a rollback", seen)
	}
}

// TestTamperedArtefactRefused: someone with write access to the model
// buckets swaps the bytes of the active combiner for others of the same
// size and re-announces the pointer. Every instance refuses the artefact
// (its SHA-256 no longer matches the signed manifest), keeps the model it
// runs and goes on serving; each counts the refusal and reports it, and
// the control plane raises one model.refused incident per instance.
func TestTamperedArtefactRefused(t *testing.T) {
	dir := t.TempDir()
	s := startCP(t, server.Config{DataDir: dir})
	ins := []*instance{
		newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys()}),
		newInstance(t, s.SDKURL(), "api-2", instanceOpts{modelKeys: s.ModelKeys()}),
	}
	admin := mint(t, s, server.ScopeAdmin)
	if code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": "v2", "stage": "active", "model": combinerJSON(t, "v2", -3.5)}); code != http.StatusCreated {
		t.Fatalf("publish: %d %v", code, body)
	}
	for _, in := range ins {
		eventually(t, 5*time.Second, in.name+" swaps in v2", func() bool { return activeModel(in).Version() == "v2" })
	}
	hash := activeModel(ins[0]).Hash()

	// the tamperer: the control plane's own NATS credentials
	js := controlPlaneJS(t, s, dir)
	ctx := context.Background()
	obs, err := js.ObjectStore(ctx, artefact.ObjectBucket)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, artefact.PointerBucket)
	if err != nil {
		t.Fatal(err)
	}
	ptr, err := kv.Get(ctx, artefact.PointerKey(artefact.KindCombiner, "active"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := artefact.ParseManifest(ptr.Value())
	if err != nil {
		t.Fatal(err)
	}
	payload, err := obs.GetBytes(ctx, m.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(payload, []byte(`"prior":-3.5`), []byte(`"prior":+9.5`), 1) // blocks everything; same size
	if bytes.Equal(forged, payload) || len(forged) != len(payload) {
		t.Fatalf("the forgery did not change the payload in place")
	}
	if _, err := obs.PutBytes(ctx, m.SHA256, forged); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, artefact.PointerKey(artefact.KindCombiner, "active"), ptr.Value()); err != nil {
		t.Fatal(err)
	}

	for _, in := range ins {
		eventually(t, 5*time.Second, in.name+" refuses the forged artefact", func() bool { return in.watch.Stats().ModelsRefused >= 1 })
		if got := activeModel(in); got.Version() != "v2" || got.Hash() != hash {
			t.Errorf("%s runs %s %s after the forgery, want v2 %s", in.name, got.Version(), got.Hash(), hash)
		}
		if code := in.serve("GET", "/search?q=boots", "198.51.100.7"); code != http.StatusOK {
			t.Errorf("%s answered a benign request %d after refusing the forgery", in.name, code)
		}
	}
	eventually(t, 10*time.Second, "a model.refused incident for each instance", func() bool {
		_, audit := api(t, s, admin, "GET", "/api/v1/audit?limit=1000", nil)
		seen := map[string]bool{}
		items, _ := audit["items"].([]any)
		for _, x := range items {
			if row := x.(map[string]any); row["action"] == "model.refused" {
				seen[row["target"].(string)] = true
			}
		}
		return seen["instance:api-1"] && seen["instance:api-2"]
	})
}

// TestModelSwapUnderLoad: while an instance answers a request every 4 ms
// over HTTP (benign searches, and an SQL injection from a fresh client
// in one of four), the control plane publishes, promotes and rolls back
// combiner models in every stage again and again: the instance swaps
// them all in, answers every request, each as it should, and races with
// nothing (go test -race).
func TestModelSwapUnderLoad(t *testing.T) {
	s := startCP(t, server.Config{CanaryCheckEvery: -1})
	in := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys(), canary: 0.5})
	admin := mint(t, s, server.ScopeAdmin)
	const attack = "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--"
	counts, stopLoad := steadyLoad(t, in.handler, func(i int) (string, string, int) {
		if i%4 == 0 {
			return fmt.Sprintf("203.0.%d.%d", i/1000%250, i%250+1), attack, http.StatusForbidden
		}
		return fmt.Sprintf("198.51.100.%d", i%50+1), "/search?q=boots", http.StatusOK
	})
	const rounds = 8
	for r := range rounds {
		for _, st := range []struct {
			stage string
			prior float64
		}{{"active", -3.5}, {"shadow", -3.0}, {"canary", -3.2}} {
			v := fmt.Sprintf("%s-%d", st.stage, r)
			if code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": v, "stage": st.stage,
				"model": combinerJSON(t, v, st.prior)}); code != http.StatusCreated {
				t.Fatalf("publish %s: %d %v", v, code, body)
			}
		}
		if code, body := api(t, s, admin, "POST", "/api/v1/models/combiner/promote", map[string]any{"from": "canary", "to": "active"}); code != http.StatusOK {
			t.Fatalf("promote: %d %v", code, body)
		}
		if code, body := api(t, s, admin, "POST", "/api/v1/models/combiner/rollback", nil); code != http.StatusOK {
			t.Fatalf("rollback: %d %v", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	last := fmt.Sprintf("active-%d", rounds-1)
	eventually(t, 10*time.Second, "the instance runs the last active model", func() bool { return activeModel(in).Version() == last })
	stopLoad()
	applied := in.watch.Stats().ModelsApplied
	t.Logf("figures: %d models applied; load: %d served, %d refused (attacks), %d failed",
		applied, counts.ok.Load(), counts.refused.Load(), counts.failed.Load())
	if applied < rounds*3 {
		t.Errorf("%d models applied, want at least %d", applied, rounds*3)
	}
	if n := counts.failed.Load(); n != 0 {
		t.Errorf("%d requests failed or were answered wrongly, e.g. %v", n, counts.failures)
	}
	if counts.ok.Load() < 100 || counts.refused.Load() < 30 {
		t.Errorf("the load stalled: %d served, %d refused", counts.ok.Load(), counts.refused.Load())
	}
	if n := in.watch.Stats().ModelsRefused; n != 0 {
		t.Errorf("%d models refused", n)
	}
}

// artefactKey returns the public line of a fresh signing key.
func artefactKey(t *testing.T) string {
	t.Helper()
	s, err := artefact.LoadOrCreateSigner(t.TempDir()+"/k", "other")
	if err != nil {
		t.Fatal(err)
	}
	return artefact.EncodePublic(s)
}

// modelJSON returns the embedded model b (JSON) renamed to version, with
// its list field grown to copies times its length (a larger artefact).
func modelJSON(t *testing.T, b []byte, version, list string, copies int) json.RawMessage {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["version"] = version
	if list != "" {
		l := p[list].([]any)
		for range copies - 1 {
			p[list] = append(p[list].([]any), l...)
		}
	}
	out, _ := json.Marshal(p)
	return out
}

// TestForestAndSequenceDistribution: an isolation forest larger than the
// API's default body limit and a sequence model, published through the
// API, are verified and swapped into the instances' anomaly and behaviour
// detectors; shadow and canary stages, which those detectors do not
// apply, are refused.
func TestForestAndSequenceDistribution(t *testing.T) {
	s := startCP(t, server.Config{})
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: s.ModelKeys()})
	admin := mint(t, s, server.ScopeAdmin)
	eng := a.guard.Engine().(*threat.Engine)
	an := eng.Detector("anomaly").(*anomaly.Detector)
	be := eng.Detector("behavior").(*behavior.Detector)

	fm, err := anomaly.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := json.Marshal(fm)
	forest := modelJSON(t, fb, "f2", "trees", 4)
	if len(forest) <= 1<<20 {
		t.Fatalf("the forest is %d bytes; the test wants one past 1 MiB", len(forest))
	}
	code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "forest", "version": "f2", "stage": "active", "model": forest})
	if code != http.StatusCreated {
		t.Fatalf("publish a %d-byte forest: %d %v", len(forest), code, body)
	}
	sm, err := behavior.DefaultSequenceModel()
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := json.Marshal(sm)
	if code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "sequence", "version": "s2", "stage": "active", "model": modelJSON(t, sb, "s2", "", 0)}); code != http.StatusCreated {
		t.Fatalf("publish a sequence model: %d %v", code, body)
	}
	eventually(t, 5*time.Second, "the forest and the sequence model swapped in", func() bool {
		f, q := an.Models().Active(), be.Sequences().Active()
		return f != nil && f.Version() == "f2" && q != nil && q.Version() == "s2"
	})
	if n := len(an.Models().Active().Hash()); n == 0 {
		t.Fatal("the swapped forest has no hash")
	}
	for _, req := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/models", map[string]any{"kind": "forest", "version": "f3", "stage": "canary", "model": modelJSON(t, fb, "f3", "", 0)}},
		{"/api/v1/models", map[string]any{"kind": "sequence", "version": "s3", "stage": "shadow", "model": modelJSON(t, sb, "s3", "", 0)}},
		{"/api/v1/models/forest/promote", map[string]any{"from": "active", "to": "canary"}},
	} {
		if code, _ := api(t, s, admin, "POST", req.path, req.body); code != http.StatusBadRequest {
			t.Errorf("POST %s %v: %d, want 400", req.path, req.body["stage"], code)
		}
	}
	if v := an.Models().Active().Version(); v != "f2" {
		t.Fatalf("after refused stages the forest is %q, want f2", v)
	}
}

// TestSlowIncidentSinkDoesNotStallIngest: a model.refused incident's alert
// goes to a sink that takes its full five seconds to fail; meanwhile the
// control plane goes on storing the instance's events. (The incident once
// ran on the ingest worker itself, which then stored nothing until the
// sink gave up.)
func TestSlowIncidentSinkDoesNotStallIngest(t *testing.T) {
	called := make(chan struct{}, 16)
	sink := alerting.SinkFunc(func(ctx context.Context, _ alerting.Alert) error {
		called <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	})
	s := startCP(t, server.Config{Alerts: sink, IngestWorkers: 1})
	in := newInstance(t, s.SDKURL(), "api-1", instanceOpts{modelKeys: artefactKey(t)}) // trusts another key
	admin := mint(t, s, server.ScopeAdmin)
	if code, body := api(t, s, admin, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": "v2", "stage": "active", "model": combinerJSON(t, "v2", -3.5)}); code != http.StatusCreated {
		t.Fatalf("publish: %d %v", code, body)
	}
	eventually(t, 5*time.Second, "the instance refuses v2", func() bool { return in.watch.Stats().ModelsRefused >= 1 })
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("no model.refused alert reached the sink")
	}
	// the sink holds its call for five seconds from now
	before := stored(t, s.Store, "api-1")
	in.traffic(40, "")
	took := eventually(t, 4*time.Second, "events stored while the sink hangs", func() bool { return stored(t, s.Store, "api-1") >= before+40 })
	t.Logf("40 events stored %v after they were sent, the incident's sink still waiting", took.Round(time.Millisecond))
}
