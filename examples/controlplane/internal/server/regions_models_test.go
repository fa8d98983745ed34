package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/decision"
)

// keyring is a model signing key a region, made before the regions
// start so that each can be told the others' public keys.
type keyring map[string]*artefact.Signer

func regionSigners(t *testing.T, names []string) keyring {
	t.Helper()
	k := keyring{}
	for _, n := range names {
		s, err := artefact.LoadOrCreateSigner(filepath.Join(t.TempDir(), "k"), "cp-"+n)
		if err != nil {
			t.Fatal(err)
		}
		k[n] = s
	}
	return k
}

// configure gives region n its key and trusts every other region's.
func (k keyring) configure(n string, c *server.Config) {
	c.ModelKey = artefact.EncodeSigner(k[n])
	var others []string
	for o, s := range k {
		if o != n {
			others = append(others, artefact.EncodePublic(s))
		}
	}
	slices.Sort(others)
	c.RegionModelKeys = strings.Join(others, ",")
}

// stagesOf returns region s's model stage pointers, by "kind.stage".
func stagesOf(t *testing.T, s controlPlane, tok string) map[string]map[string]any {
	t.Helper()
	code, body := api(t, s, tok, "GET", "/api/v1/models", nil)
	if code != http.StatusOK {
		t.Fatalf("models: %d %v", code, body)
	}
	out := map[string]map[string]any{}
	stages, _ := body["stages"].(map[string]any)
	for k, v := range stages {
		out[k], _ = v.(map[string]any)
	}
	return out
}

// auditHas says region s's audit log holds action on target.
func auditHas(t *testing.T, s controlPlane, tok, action, target string) bool {
	t.Helper()
	_, audit := api(t, s, tok, "GET", "/api/v1/audit?limit=1000", nil)
	items, _ := audit["items"].([]any)
	for _, x := range items {
		if row := x.(map[string]any); row["action"] == action && row["target"] == target {
			return true
		}
	}
	return false
}

// TestRegionsModelPointersReplicate: model stage pointers replicate
// between regions, each signing with its own key and trusting the others'
// (REGION_MODEL_KEYS). A model published in the hub becomes both spokes'
// active model, re-signed by each, and an SDK instance that trusts only
// its region's key swaps it in; two spokes that set the canary at once
// end, with the hub, on the same one (last writer wins by hybrid logical
// clock); a promotion in a spoke reaches every region; a pointer signed
// by a key no region trusts is refused by every other region, each
// raising a model.refused incident and keeping its own.
func TestRegionsModelPointersReplicate(t *testing.T) {
	names := []string{"eu", "us", "ap"}
	signers := regionSigners(t, names)
	dirs := map[string]string{}
	rs := startRegionSet(t, names, func(n string, c *server.Config) {
		signers.configure(n, c)
		dirs[n] = c.DataDir
	})
	admin := map[string]string{}
	for _, n := range names {
		admin[n] = mint(t, rs.cps[n], server.ScopeAdmin)
	}
	publish := func(n, version, stage string) {
		t.Helper()
		code, body := api(t, rs.cps[n], admin[n], "POST", "/api/v1/models",
			map[string]any{"kind": "combiner", "version": version, "stage": stage, "model": combinerJSON(t, version, -3.4)})
		if code != http.StatusCreated {
			t.Errorf("%s: publish %s as %s: %d %v", n, version, stage, code, body)
		}
	}
	inAP := newInstance(t, rs.server("ap").SDKURL(), "ap-1", instanceOpts{region: "ap", modelKeys: rs.server("ap").ModelKeys()})

	// a publish in the hub: both spokes adopt it, re-signed with their key
	start := time.Now()
	publish("eu", "v2", "active")
	euActive := stagesOf(t, rs.cps["eu"], admin["eu"])["combiner.active"]
	for _, n := range []string{"us", "ap"} {
		eventually(t, 15*time.Second, n+" adopts eu's active v2", func() bool {
			m := stagesOf(t, rs.cps[n], admin[n])["combiner.active"]
			return m != nil && m["version"] == "v2"
		})
		m := stagesOf(t, rs.cps[n], admin[n])["combiner.active"]
		t.Logf("figures: %s points combiner.active at eu's v2 %v after the publish", n, time.Since(start).Round(time.Millisecond))
		if m["sha256"] != euActive["sha256"] || m["key_id"] != "cp-"+n {
			t.Errorf("%s: active %v, want eu's payload %v signed by cp-%s", n, m, euActive["sha256"], n)
		}
		if p, _ := m["pointed"].(map[string]any); p == nil || p["region"] != "eu" || !jsonEqual(p, euActive["pointed"]) {
			t.Errorf("%s: pointed %v, want eu's %v unchanged", n, m["pointed"], euActive["pointed"])
		}
		// the audit row follows the pointer's write, so it may land a
		// moment after the pointer is seen
		eventually(t, 5*time.Second, n+": model.replicate in the audit log", func() bool {
			return auditHas(t, rs.cps[n], admin[n], "model.replicate", "combiner.active")
		})
	}
	eventually(t, 10*time.Second, "ap's instance (it trusts ap's key only) runs v2", func() bool { return activeModel(inAP).Version() == "v2" })
	for _, n := range []string{"us", "ap"} {
		// every region follows the other two: a spoke may adopt eu's
		// pointer from the other spoke, which adopted it first (and then
		// finds its own as new as eu's), so the adoption is counted on
		// whichever row brought it
		rows := regionRows(t, rs.cps[n], rs.toks[n])
		adopted := 0.0
		for _, r := range rows {
			if m, _ := r["models"].(map[string]any); m != nil {
				adopted += m["adopted"].(float64)
			}
		}
		m, _ := rows["eu"]["models"].(map[string]any)
		if m == nil || m["polled"] == nil || m["error"] != "" || adopted < 1 {
			t.Errorf("%s: GET /api/v1/regions shows eu's model follow as %v and %v adopted in all, want a poll, no error, one adopted at least", n, m, adopted)
		}
	}

	// two spokes set the canary at once: every region ends on one of them
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); publish("us", "v3", "canary") }()
	go func() { defer wg.Done(); publish("ap", "v4", "canary") }()
	wg.Wait()
	var winner map[string]any
	eventually(t, 20*time.Second, "every region on the same canary", func() bool {
		var first map[string]any
		for _, n := range names {
			m := stagesOf(t, rs.cps[n], admin[n])["combiner.canary"]
			if m == nil {
				return false
			}
			if first == nil {
				first = m
				continue
			}
			if m["sha256"] != first["sha256"] || !jsonEqual(m["pointed"], first["pointed"]) {
				return false
			}
		}
		winner = first
		return true
	})
	wp := winner["pointed"].(map[string]any)
	t.Logf("concurrent canaries: %v (pointed by %v) holds everywhere", winner["version"], wp["region"])
	if want := map[string]string{"us": "v3", "ap": "v4"}[wp["region"].(string)]; winner["version"] != want {
		t.Errorf("canary %v pointed by %v, want that region's own %s", winner["version"], wp["region"], want)
	}

	// a promotion in a spoke reaches every region
	if code, body := api(t, rs.cps["us"], admin["us"], "POST", "/api/v1/models/combiner/promote", map[string]any{"from": "canary", "to": "active"}); code != http.StatusOK {
		t.Fatalf("us: promote: %d %v", code, body)
	}
	for _, n := range names {
		eventually(t, 15*time.Second, n+" runs the promoted canary", func() bool {
			m := stagesOf(t, rs.cps[n], admin[n])["combiner.active"]
			return m != nil && m["version"] == winner["version"]
		})
	}
	eventually(t, 10*time.Second, "ap's instance runs the promoted canary", func() bool { return activeModel(inAP).Version() == winner["version"] })

	// a pointer in ap signed by a key nobody trusts, stamped after all
	// the others: eu and us refuse it, raise an incident, keep theirs
	rogue, err := artefact.LoadOrCreateSigner(filepath.Join(t.TempDir(), "k"), "rogue")
	if err != nil {
		t.Fatal(err)
	}
	payload := combinerJSON(t, "v9", 9.5) // blocks everything
	ctx := context.Background()
	js := controlPlaneJS(t, rs.cps["ap"], dirs["ap"])
	m, err := artefact.Publish(ctx, js, rogue, "combiner", "v9", payload, "candidate")
	if err != nil {
		t.Fatal(err)
	}
	m.Pointed = &artefact.Pointed{Stamp: decision.Stamp{Wall: time.Now().Add(time.Minute).UnixNano()}, Region: "ap"}
	kv, err := js.KeyValue(ctx, artefact.PointerBucket)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	if _, err := kv.Put(ctx, artefact.PointerKey("combiner", "shadow"), b); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"eu", "us"} {
		eventually(t, 15*time.Second, n+" raises model.refused for ap's rogue shadow", func() bool {
			return auditHas(t, rs.cps[n], admin[n], "model.refused", "region:ap")
		})
	}
	time.Sleep(2 * time.Second) // more polls: still refused, and once
	for _, n := range []string{"eu", "us"} {
		if m := stagesOf(t, rs.cps[n], admin[n])["combiner.shadow"]; m != nil {
			t.Errorf("%s adopted a pointer signed by an untrusted key: %v", n, m)
		}
		_, audit := api(t, rs.cps[n], admin[n], "GET", "/api/v1/audit?limit=1000", nil)
		count := 0
		for _, x := range audit["items"].([]any) {
			if row := x.(map[string]any); row["action"] == "model.refused" && row["target"] == "region:ap" {
				count++
			}
		}
		if count != 1 {
			t.Errorf("%s: %d model.refused incidents for one rogue pointer, want 1", n, count)
		}
		if m, _ := regionRows(t, rs.cps[n], rs.toks[n])["ap"]["models"].(map[string]any); m == nil || m["refused"] != float64(1) {
			t.Errorf("%s: GET /api/v1/regions shows ap's model follow as %v, want one refused", n, m)
		}
	}
}

// jsonEqual compares two decoded JSON values.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
