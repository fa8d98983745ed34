package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// seedDailyAttack stores three weeks of /login traffic with an attack
// every night from 03:00 to 05:00 UTC: 400 threats an hour, against 4 in
// other hours.
func seedDailyAttack(t *testing.T, s *server.Server, now time.Time, instance string) {
	seedDailyAttackAt(t, s, now, instance, 3)
}

// seedDailyAttackAt is seedDailyAttack with the attack from hour (UTC) to
// two hours later.
func seedDailyAttackAt(t *testing.T, s *server.Server, now time.Time, instance string, hour int) {
	t.Helper()
	start := now.Truncate(time.Hour).Add(-21 * 24 * time.Hour)
	var seq uint64
	for day := 0; day < 21; day++ {
		seq++
		r := &event.Report{Region: "local", Instance: instance, Boot: "seed-attack", Seq: seq, Version: "test", Breaker: "none"}
		for h := 0; h < 24; h++ {
			at := start.Add(time.Duration(day*24+h) * time.Hour)
			if !at.Before(now.Truncate(time.Hour)) {
				break
			}
			threats := uint64(4)
			if at.Hour() == hour || at.Hour() == (hour+1)%24 {
				threats = 400
			}
			r.Counts = append(r.Counts,
				event.Count{Minute: at.Unix(), Route: "/login", Outcome: "allowed", Level: "none", N: 300},
				event.Count{Minute: at.Unix(), Route: "/login", Outcome: "blocked", Family: "sqli", Level: "high", N: threats})
			r.Time = at
		}
		if _, err := s.Store.Ingest(context.Background(), nil, []*event.Report{r}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSuggestedLimitChanges: the nightly attack on /login is forecast,
// suggested as a route throttle from an hour before its window, accepted
// once by an operator (audited, in the bucket, marked applied), and
// refused when the id no longer matches a suggestion.
func TestSuggestedLimitChanges(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }})
	read := mintAt(t, s, now, "read")
	write := mintAt(t, s, now, "read", "decisions:write")
	admin := mintAt(t, s, now, "admin")
	seedDailyAttack(t, s, now, "seed")

	code, body := api(t, s, read, "GET", "/api/v1/suggestions", nil)
	items, _ := body["items"].([]any)
	if code != http.StatusOK || len(items) != 1 {
		t.Fatalf("suggestions: %d %v, want one for the next attack", code, body)
	}
	sg := items[0].(map[string]any)
	from, _ := time.Parse(time.RFC3339, sg["window_from"].(string))
	to, _ := time.Parse(time.RFC3339, sg["window_to"].(string))
	starts, _ := time.Parse(time.RFC3339, sg["starts"].(string))
	attack := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	if sg["route"] != "/login" || sg["kind"] != "threats" || from.After(attack) || to.Before(attack.Add(2*time.Hour)) ||
		from.Before(attack.Add(-2*time.Hour)) || to.After(attack.Add(4*time.Hour)) || !starts.Equal(from.Add(-time.Hour)) || sg["applied"] != false {
		t.Fatalf("suggestion %v: want /login threats around 03:00-05:00 tomorrow, starting an hour before", sg)
	}
	t.Logf("suggestion: %v", sg)
	if th := sg["threshold"].(float64); th != 20 {
		t.Errorf("threshold %v, want 20 (3 × a median hour of 4 is below the floor)", th)
	}
	// a capacity below the route's usual traffic suggests every hour
	if _, cap := api(t, s, read, "GET", "/api/v1/suggestions?capacity=100&horizon=6", nil); len(cap["items"].([]any)) != 1 {
		t.Errorf("capacity 100 under 300 requests an hour: %v", cap["items"])
	}
	id := sg["id"].(string)
	if code, _ := api(t, s, read, "POST", "/api/v1/suggestions/"+id+"/accept", nil); code != http.StatusForbidden {
		t.Errorf("accept with a read token: %d, want 403", code)
	}
	if code, _ := api(t, s, write, "POST", "/api/v1/suggestions/0000000000000000/accept", nil); code != http.StatusConflict {
		t.Errorf("accept of an unknown suggestion: %d, want 409", code)
	}
	code, dec := api(t, s, write, "POST", "/api/v1/suggestions/"+id+"/accept", nil)
	if code != http.StatusCreated || dec["action"] != "throttle" || dec["factor"] != 0.5 {
		t.Fatalf("accept: %d %v", code, dec)
	}
	_, body = api(t, s, read, "GET", "/api/v1/suggestions", nil)
	if sg := body["items"].([]any)[0].(map[string]any); sg["applied"] != true {
		t.Errorf("after accepting: %v, want applied", sg)
	}
	_, list := api(t, s, read, "GET", "/api/v1/decisions", nil)
	found := false
	for _, it := range list["items"].([]any) {
		d := it.(map[string]any)
		if tg := d["target"].(map[string]any); tg["type"] == "route" && tg["value"] == "/login" {
			found = d["active"] == false && d["pending"] == true && d["published"] == true && d["starts"] != nil
		}
	}
	if !found {
		t.Errorf("decisions %v: want the route throttle, scheduled (pending, not active yet) and in the bucket", list["items"])
	}
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	n := 0
	for _, it := range audit["items"].([]any) {
		if a := it.(map[string]any); a["action"] == "suggestion.accept" && a["actor"] == "tester" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d suggestion.accept rows by the operator in the audit log, want 1", n)
	}
	for _, q := range []string{"horizon=0", "horizon=73", "threats=-1", "factor=1", "factor=x", "capacity=NaN"} {
		if code, _ := api(t, s, read, "GET", "/api/v1/suggestions?"+q, nil); code != http.StatusBadRequest {
			t.Errorf("suggestions?%s: %d, want 400", q, code)
		}
	}
}

// TestAutoSuggest: in the explicit automatic mode the control plane
// applies the suggestion itself, once, as actor auto-suggest.
func TestAutoSuggest(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	s := startCP(t, server.Config{Now: func() time.Time { return now }, AutoSuggest: true, SuggestInterval: 50 * time.Millisecond})
	admin := mintAt(t, s, now, "admin")
	seedDailyAttack(t, s, now, "seed")
	count := func() int {
		_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
		n := 0
		for _, it := range audit["items"].([]any) {
			if a := it.(map[string]any); a["action"] == "suggestion.accept" && a["actor"] == "auto-suggest" {
				n++
			}
		}
		return n
	}
	eventually(t, 20*time.Second, "the suggestion applied by auto-suggest", func() bool { return count() > 0 })
	time.Sleep(300 * time.Millisecond) // several more runs
	if n := count(); n != 1 {
		t.Fatalf("auto-suggest applied the suggestion %d times, want once", n)
	}
}
