package server_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
)

// TestPrivateExport: offences per family leave the tenant clamped per
// client and noised; every release is charged and audited, and the
// release that would pass the budget is refused with nothing released.
func TestPrivateExport(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	clock := &testClock{t: now}
	s := startCP(t, server.Config{Now: clock.Now, PrivacyBudget: "12"})
	admin := mintAt(t, s, now, "admin")
	read := mintAt(t, s, now, "read")
	// one heavy client (100 offences) and five light ones (4 each), all sqli
	hostile(t, s, "cc01", now.Add(-30*time.Minute), 100)
	for _, p := range []string{"dd01", "dd02", "dd03", "dd04", "dd05"} {
		hostile(t, s, p, now.Add(-20*time.Minute), 4)
	}
	const q = "/api/v1/export/threats?recipient=partner-a&range=24h&bound=10&epsilon="
	if code, _ := api(t, s, read, "GET", q+"5", nil); code != http.StatusForbidden {
		t.Fatalf("export with a read token: %d, want 403", code)
	}
	code, body := api(t, s, admin, "GET", q+"5", nil)
	if code != http.StatusOK {
		t.Fatalf("export: %d %v", code, body)
	}
	var sqli, other float64
	for _, c := range body["counts"].([]any) {
		cm := c.(map[string]any)
		switch cm["family"] {
		case "sqli":
			sqli = cm["offences"].(float64)
		case "xss":
			other = cm["offences"].(float64)
		}
	}
	// the heavy client counts 10, the light ones 20: 30, plus noise of
	// scale 2 (|noise| > 40 has a chance of about e^-20)
	if math.Abs(sqli-30) > 40 || math.Abs(other) > 40 {
		t.Fatalf("sqli %v (want 30 ± noise), xss %v (want 0 ± noise)", sqli, other)
	}
	if len(body["counts"].([]any)) < 15 || body["spent"] != "5" || body["remaining"] != "7" {
		t.Errorf("export %v: want every family listed, 5 spent, 7 left", body)
	}
	if code, _ := api(t, s, admin, "GET", q+"5", nil); code != http.StatusOK {
		t.Fatalf("second export: %d", code)
	}
	code, body = api(t, s, admin, "GET", q+"5", nil) // 15 > 12
	if code != http.StatusForbidden || body["counts"] != nil {
		t.Fatalf("export past the budget: %d %v, want 403 and nothing released", code, body)
	}
	if _, b := api(t, s, admin, "GET", "/api/v1/export/budget", nil); b["spent"] != "10" || b["remaining"] != "2" {
		t.Errorf("budget %v: want 10 spent, 2 left", b)
	}
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	var spends, refusals int
	for _, it := range audit["items"].([]any) {
		a := it.(map[string]any)
		if a["target"] != "recipient:partner-a" {
			continue
		}
		switch a["action"] {
		case "privacy.spend":
			spends++
		case "privacy.refuse":
			refusals++
		}
	}
	if spends != 2 || refusals != 1 {
		t.Errorf("audit: %d spends, %d refusals, want 2 and 1", spends, refusals)
	}
	for _, bad := range []string{"epsilon=0", "epsilon=-1", "epsilon=11", "epsilon=x", "recipient=A&epsilon=1", "recipient=&epsilon=1", "bound=0&epsilon=1", "bound=1001&epsilon=1"} {
		path := "/api/v1/export/threats?range=24h&" + bad
		if len(bad) < 9 || bad[:9] != "recipient" {
			path += "&recipient=partner-a"
		}
		if code, _ := api(t, s, admin, "GET", path, nil); code != http.StatusBadRequest {
			t.Errorf("export?%s: %d, want 400", bad, code)
		}
	}

	// incidents for two recipients: their own pseudonyms, never the
	// tenant's, unlinkable across recipients and across months
	incidents := func(recipient string) (keyID string, clients map[string]bool) {
		t.Helper()
		tok := mintAt(t, s, clock.Now(), "admin")
		code, body := api(t, s, tok, "GET", "/api/v1/export/incidents?recipient="+recipient+"&from=2026-11-30T00:00:00Z&to=2026-11-30T12:00:00Z", nil)
		if code != http.StatusOK {
			t.Fatalf("export incidents: %d %v", code, body)
		}
		clients = map[string]bool{}
		for _, it := range body["items"].([]any) {
			clients[it.(map[string]any)["client"].(string)] = true
		}
		return body["key_id"].(string), clients
	}
	ka, a := incidents("partner-a")
	_, a2 := incidents("partner-a")
	_, b := incidents("partner-b")
	if len(a) != 6 || len(b) != 6 || ka != "partner-a/2026-11" {
		t.Fatalf("partner-a %v (%s), partner-b %v: want six clients each", a, ka, b)
	}
	for c := range a {
		if b[c] || !a2[c] || c == "cc01" || len(c) != 20 {
			t.Fatalf("client %s: in b %v, stable for a %v; want a's own, stable id", c, b[c], a2[c])
		}
	}
	clock.Set(now.Add(31 * 24 * time.Hour))
	kn, next := incidents("partner-a")
	for c := range next {
		if a[c] {
			t.Fatalf("client id %s kept across months (key %s, then %s)", c, ka, kn)
		}
	}
	_, audit = api(t, s, mintAt(t, s, clock.Now(), "admin"), "GET", "/api/v1/audit?limit=1000", nil)
	exports := 0
	for _, it := range audit["items"].([]any) {
		if it.(map[string]any)["action"] == "export.incidents" {
			exports++
		}
	}
	if exports != 4 {
		t.Errorf("%d export.incidents rows in the audit log, want 4", exports)
	}
}
