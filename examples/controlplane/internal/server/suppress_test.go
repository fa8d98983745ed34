package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
)

// TestFalsePositiveLabelSuppresses: an operator labels a blocked request
// benign; within a second the next identical request passes on every
// instance, the same payload on another route or in another parameter
// is still blocked, and removing the suppression blocks it again.
func TestFalsePositiveLabelSuppresses(t *testing.T) {
	s := startCP(t, server.Config{})
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{})
	read := mint(t, s, server.ScopeRead)
	write := mint(t, s, server.ScopeRead, server.ScopeDecisions)
	// a note that quotes SQL, as a DBA's would: the engine blocks it
	q := "/search?" + url.Values{"q": {"1' UNION SELECT password FROM users--"}}.Encode()
	other := "/api/items?" + url.Values{"q": {"1' UNION SELECT password FROM users--"}}.Encode()
	otherParam := "/search?" + url.Values{"text": {"1' UNION SELECT password FROM users--"}}.Encode()
	if code := a.serve("GET", q, "198.51.100.10"); code != http.StatusForbidden {
		t.Fatalf("before: %d, want 403", code)
	}
	ps := a.names.Of("198.51.100.10")
	var id string
	eventually(t, 10*time.Second, "the blocked request in the client's timeline", func() bool {
		_, tl := api(t, s, read, "GET", "/api/v1/clients/"+ps+"/timeline?range=1h", nil)
		items, _ := tl["items"].([]any)
		for _, it := range items {
			if e := it.(map[string]any); e["outcome"] == "blocked" {
				id = e["id"].(string)
				return true
			}
		}
		return false
	})
	if code, _ := api(t, s, write, "POST", "/api/v1/events/"+id+"/label", map[string]any{"label": "benign", "suppress": "everything"}); code != http.StatusBadRequest {
		t.Errorf("suppress=everything: %d, want 400", code)
	}
	labelled := time.Now()
	code, body := api(t, s, write, "POST", "/api/v1/events/"+id+"/label", map[string]any{"label": "benign", "ttl": "1h"})
	sup, _ := body["suppression"].(map[string]any)
	if code != http.StatusOK || sup == nil || sup["route"] != "/search" || sup["rule"] != "sqli" || sup["param"] != "q" {
		t.Fatalf("label: %d %v, want a suppression of sqli on /search in q", code, body)
	}
	// fresh clients, so that no penalty box interferes
	n := 0 // fresh clients
	for _, in := range []*instance{a, b} {
		eventually(t, 5*time.Second, in.name+" lets the labelled request through", func() bool {
			return in.serve("GET", q, freshClient(&n)) == http.StatusOK
		})
		t.Logf("figures: %s lets the request through %v after the label", in.name, time.Since(labelled).Round(time.Millisecond))
		if took := time.Since(labelled); took > 2*time.Second {
			t.Errorf("%s took %v (goal: within 1 s)", in.name, took)
		}
		if code := in.serve("GET", other, freshClient(&n)); code != http.StatusForbidden {
			t.Errorf("%s: the same payload on /api/items answered %d, want 403", in.name, code)
		}
		if code := in.serve("GET", otherParam, freshClient(&n)); code != http.StatusForbidden {
			t.Errorf("%s: the same payload in another parameter of /search answered %d, want 403", in.name, code)
		}
	}
	admin := mint(t, s, server.ScopeAdmin)
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	found := false
	for _, it := range audit["items"].([]any) {
		found = found || it.(map[string]any)["action"] == "suppression.add"
	}
	if !found {
		t.Error("the suppression is not in the audit log")
	}
	// lifted: blocked again everywhere
	if code, _ := api(t, s, write, "DELETE", "/api/v1/decisions/"+url.PathEscape(sup["key"].(string)), nil); code != http.StatusNoContent {
		t.Fatalf("remove: %d", code)
	}
	for _, in := range []*instance{a, b} {
		eventually(t, 5*time.Second, in.name+" blocks again", func() bool {
			return in.serve("GET", q, freshClient(&n)) == http.StatusForbidden
		})
	}
}

// freshClient returns a new client address each call.
func freshClient(n *int) string {
	*n++
	return fmt.Sprintf("198.%d.%d.%d", 18+*n/62500, *n/250%250, *n%250+1)
}
