package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	_ "modernc.org/sqlite"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/stream"
	"github.com/bulwarkhq/bulwark/storage"
)

// fleetUp starts a control plane and two instances with some traffic, and
// waits until the attacker is among the top offending clients.
func fleetUp(t *testing.T) (*server.Server, []*instance, string) {
	return fleetUpWith(t, server.Config{})
}

// fleetUpWith is fleetUp with a control plane configured by cfg.
func fleetUpWith(t *testing.T, cfg server.Config) (*server.Server, []*instance, string) {
	s := startCP(t, cfg)
	a := newInstance(t, s.SDKURL(), "api-1", instanceOpts{})
	b := newInstance(t, s.SDKURL(), "api-2", instanceOpts{})
	attacker := "203.0.113.66"
	b.serve("GET", "/", attacker) // instance b knows the attacker as a client
	a.traffic(400, attacker)
	b.traffic(400, "")
	tok := mint(t, s, server.ScopeRead)
	ps := a.names.Of(attacker)
	eventually(t, 10*time.Second, "attacker in top clients", func() bool {
		_, body := api(t, s, tok, "GET", "/api/v1/top/clients?range=1h", nil)
		items, _ := body["items"].([]any)
		for _, it := range items {
			if it.(map[string]any)["pseudonym"] == ps {
				return true
			}
		}
		return false
	})
	return s, []*instance{a, b}, attacker
}

func operatorBanned(in *instance, client string) bool {
	r, ok := in.limiter.Cached(client, time.Now())
	return ok && r.Penalty == storage.ActionBan && strings.Contains(r.Reason, "operator")
}

func TestBanEnforcedByEveryInstanceWithinOneSecond(t *testing.T) {
	s, fleet, attacker := fleetUp(t)
	tok := mint(t, s, server.ScopeRead, server.ScopeDecisions)
	ps := fleet[0].names.Of(attacker)
	start := time.Now()
	code, body := api(t, s, tok, "POST", "/api/v1/decisions", server.DecideRequest{
		Target: server.TargetJSON{Type: "pseudonym", Value: ps}, Action: "ban", TTL: "1h", Reason: "test"})
	if code != http.StatusCreated {
		t.Fatalf("ban: %d %v", code, body)
	}
	for _, in := range fleet {
		took := eventually(t, 5*time.Second, in.name+" enforces the ban", func() bool { return operatorBanned(in, attacker) })
		t.Logf("%s enforced the ban %v after the API call", in.name, time.Since(start).Round(time.Millisecond))
		if took > time.Second {
			t.Errorf("%s took %v", in.name, took)
		}
		if code := in.serve("GET", "/", attacker); code != http.StatusForbidden {
			t.Errorf("%s: banned client got %d", in.name, code)
		}
		if code := in.serve("GET", "/", "198.51.100.200"); code != http.StatusOK {
			t.Errorf("%s: another client got %d", in.name, code)
		}
	}
	// the ban is listed, audited, and lifted by DELETE
	_, list := api(t, s, tok, "GET", "/api/v1/decisions", nil)
	items := list["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("decisions %v", list)
	}
	key := items[0].(map[string]any)["key"].(string)
	if code, _ := api(t, s, tok, "DELETE", "/api/v1/decisions/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("unban: %d", code)
	}
	for _, in := range fleet {
		eventually(t, 5*time.Second, in.name+" lifts the ban", func() bool { return !operatorBanned(in, attacker) })
	}
	admin := mint(t, s, server.ScopeAdmin)
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	if rows := audit["items"].([]any); len(rows) != 2 || rows[0].(map[string]any)["action"] != "decision.ban" ||
		rows[1].(map[string]any)["action"] != "decision.remove" || rows[0].(map[string]any)["actor"] != "tester" {
		t.Errorf("audit %v", audit)
	}
	if code, v := api(t, s, admin, "GET", "/api/v1/audit/verify", nil); code != 200 || v["ok"] != true {
		t.Errorf("verify %d %v", code, v)
	}
}

func TestQueriesAnswer(t *testing.T) {
	s, fleet, attacker := fleetUp(t)
	tok := mint(t, s, server.ScopeRead)
	eventually(t, 10*time.Second, "reports counted", func() bool {
		_, b := api(t, s, tok, "GET", "/api/v1/series?range=1h&by=outcome", nil)
		pts, _ := b["points"].([]any)
		var n float64
		for _, p := range pts {
			n += p.(map[string]any)["count"].(float64)
		}
		return n >= 800
	})
	for _, rng := range server.Ranges {
		for _, path := range []string{"/api/v1/series?by=family&threats=true", "/api/v1/series?by=route", "/api/v1/series?by=level",
			"/api/v1/top/routes", "/api/v1/top/clients", "/api/v1/incidents", "/api/v1/instances", "/api/v1/decisions"} {
			sep := "&"
			if !strings.Contains(path, "?") {
				sep = "?"
			}
			if code, b := api(t, s, tok, "GET", path+sep+"range="+rng, nil); code != 200 {
				t.Errorf("%s %s: %d %v", path, rng, code, b)
			}
		}
	}
	// a scored event of a client with history carries its feature vector
	regular := "198.51.100.77"
	for i := 0; i < 20; i++ { // the behaviour detector's 16 requests of history, and some
		fleet[0].serve("GET", fmt.Sprintf("/api/items/%d", i), regular)
	}
	fleet[0].serve("GET", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", regular)
	eventually(t, 10*time.Second, "scored event with features", func() bool {
		_, b := api(t, s, tok, "GET", "/api/v1/clients/"+fleet[0].names.Of(regular)+"/timeline?range=1h&limit=5", nil)
		items, _ := b["items"].([]any)
		for _, it := range items {
			e := it.(map[string]any)
			if f, _ := e["features"].([]any); e["level"] != "none" && len(f) == 12 {
				return true
			}
		}
		return false
	})
	ps := fleet[0].names.Of(attacker)
	_, tl := api(t, s, tok, "GET", "/api/v1/clients/"+ps+"/timeline?range=1h&limit=5", nil)
	items := tl["items"].([]any)
	if len(items) != 5 || tl["next"] == "" {
		t.Fatalf("timeline %v", tl)
	}
	first := items[0].(map[string]any)
	if first["pseudonym"] != ps || strings.Contains(fmt.Sprint(first), attacker) {
		t.Errorf("timeline event %v (the raw address must never appear)", first)
	}
	_, inst := api(t, s, tok, "GET", "/api/v1/instances", nil)
	if n := len(inst["items"].([]any)); n != 2 {
		t.Errorf("%d instances", n)
	}
	// a refused client quotes its problem body's instance; the operator finds and labels the event
	id := items[0].(map[string]any)["id"].(string)
	if code, e := api(t, s, tok, "GET", "/api/v1/events/urn:bulwark:event:"+id, nil); code != 200 || e["id"] != id {
		t.Errorf("event by instance URN: %d %v", code, e)
	}
	w := mint(t, s, server.ScopeDecisions)
	if code, _ := api(t, s, w, "POST", "/api/v1/events/"+id+"/label", server.LabelRequest{Label: "attack"}); code != 200 {
		t.Errorf("label: %d", code)
	}
	if _, e := api(t, s, tok, "GET", "/api/v1/events/"+id, nil); e["label"] != "attack" {
		t.Errorf("label not stored: %v", e)
	}
	// erasure is admin-only, audited, and removes the history
	if code, _ := api(t, s, w, "DELETE", "/api/v1/clients/"+ps, nil); code != http.StatusForbidden {
		t.Errorf("erase without admin: %d", code)
	}
	admin := mint(t, s, server.ScopeAdmin)
	code, er := api(t, s, admin, "DELETE", "/api/v1/clients/"+ps, nil)
	if code != 200 || er["warm_events"].(float64) < 1 {
		t.Fatalf("erase %d %v", code, er)
	}
	_, tl = api(t, s, tok, "GET", "/api/v1/clients/"+ps+"/timeline?range=1h", nil)
	if n := len(tl["items"].([]any)); n != 0 {
		t.Errorf("%d events left after erasure", n)
	}
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	if rows := audit["items"].([]any); len(rows) != 2 || rows[1].(map[string]any)["action"] != "client.erase" {
		t.Errorf("audit %v", audit)
	}
}

func TestHostileInput(t *testing.T) {
	s := startCP(t, server.Config{})
	w := mint(t, s, server.ScopeRead, server.ScopeDecisions)
	ban := func(ttl string) map[string]any {
		return map[string]any{"target": map[string]string{"type": "addr", "value": "192.0.2.1"}, "action": "ban", "ttl": ttl, "reason": "x"}
	}
	expired, _ := server.Mint(s.Key(), "tester", "", []string{server.ScopeAdmin}, time.Minute, time.Now().Add(-time.Hour))
	forged, _ := server.Mint([]byte("not the server's key, but 32 byt"), "tester", "", []string{server.ScopeAdmin}, time.Hour, time.Now())
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "scope": "admin", "iss": "bulwark-controlplane",
		"aud": "bulwark-api", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	cases := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"unknown field", w, "POST", "/api/v1/decisions", `{"target":{"type":"addr","value":"192.0.2.1"},"action":"ban","ttl":"1h","nuke":true}`, 400},
		{"trailing data", w, "POST", "/api/v1/decisions", `{"target":{"type":"addr","value":"192.0.2.1"},"action":"ban","ttl":"1h"} {}`, 400},
		{"huge body", w, "POST", "/api/v1/decisions", `{"reason":"` + strings.Repeat("a", server.MaxBody+10) + `"}`, 413},
		{"not JSON", w, "POST", "/api/v1/decisions", `ban everyone`, 400},
		{"ttl zero", w, "POST", "/api/v1/decisions", ban("0s"), 400},
		{"ttl negative", w, "POST", "/api/v1/decisions", ban("-5m"), 400},
		{"ttl too long", w, "POST", "/api/v1/decisions", ban("9000h"), 400},
		{"ttl garbage", w, "POST", "/api/v1/decisions", ban("forever"), 400},
		{"bad target", w, "POST", "/api/v1/decisions", map[string]any{"target": map[string]string{"type": "addr", "value": "300.1.1.1"}, "action": "ban", "ttl": "1h"}, 400},
		{"bad action", w, "POST", "/api/v1/decisions", map[string]any{"target": map[string]string{"type": "addr", "value": "192.0.2.1"}, "action": "allow", "ttl": "1h"}, 400},
		{"throttle factor", w, "POST", "/api/v1/decisions", map[string]any{"target": map[string]string{"type": "addr", "value": "192.0.2.1"}, "action": "throttle", "ttl": "1h", "factor": 2}, 400},
		{"wide allow v4", w, "POST", "/api/v1/allowlist", map[string]any{"target": map[string]string{"type": "cidr", "value": "10.0.0.0/8"}}, 400},
		{"wide allow v6", w, "POST", "/api/v1/allowlist", map[string]any{"target": map[string]string{"type": "cidr", "value": "2001:db8::/32"}}, 400},
		{"no token", "", "POST", "/api/v1/decisions", ban("1h"), 401},
		{"forged token", forged, "POST", "/api/v1/decisions", ban("1h"), 401},
		{"expired token", expired, "POST", "/api/v1/decisions", ban("1h"), 401},
		{"garbage token", "abc.def.ghi", "GET", "/api/v1/decisions", nil, 401},
		{"read-only token writes", mint(t, s, server.ScopeRead), "POST", "/api/v1/decisions", ban("1h"), 403},
		{"write token erases", w, "DELETE", "/api/v1/clients/abcd", nil, 403},
		{"write token reads audit", w, "GET", "/api/v1/audit", nil, 403},
		{"bad range", w, "GET", "/api/v1/series?range=1y", nil, 400},
		{"bad limit", w, "GET", "/api/v1/top/clients?limit=100000", nil, 400},
		{"bad cursor", w, "GET", "/api/v1/incidents?cursor=!!!", nil, 400},
		{"bad pseudonym", w, "GET", "/api/v1/clients/ZZ;DROP/timeline", nil, 400},
		{"bad event id", w, "GET", "/api/v1/events/123", nil, 400},
		{"unknown label", w, "POST", "/api/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/label", `{"label":"evil"}`, 400},
		{"remove missing", w, "DELETE", "/api/v1/decisions/deny.addr.MTkyLjAuMi45", nil, 404},
		{"remove bad key", w, "DELETE", "/api/v1/decisions/deny.x", nil, 400},
		{"traversal in key", w, "DELETE", "/api/v1/decisions/..%2F..%2Fetc%2Fpasswd", nil, 403}, // refused by bulwark's own middleware
		// an unsigned token is refused before the token check reads it
		// (auth.jwt_none; TestParseTokenRefusesUnsigned holds the check)
		{"alg none", noneTok, "POST", "/api/v1/decisions", ban("1h"), 403},
	}
	for _, c := range cases {
		code, body := api(t, s, c.token, c.method, c.path, c.body)
		if code != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, code, body, c.want)
		}
		if body["type"] == nil || body["status"] == nil {
			t.Errorf("%s: not a problem body: %v", c.name, body)
		}
	}
	// no state changed
	if ds, _ := s.Store.Decisions(context.Background(), "default", false); len(ds) != 0 {
		t.Errorf("decisions written: %+v", ds)
	}
	if rows, _ := s.Store.AuditLog(context.Background(), "", 0, 10); len(rows) != 0 {
		t.Errorf("audit rows written: %+v", rows)
	}
	// a cookie session cannot change anything without the CSRF header
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/decisions", strings.NewReader(`{}`))
	req.AddCookie(&http.Cookie{Name: "bulwark_session", Value: w})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cookie without CSRF header: %d", resp.StatusCode)
	}
}

func TestSDKPermissions(t *testing.T) {
	s := startCP(t, server.Config{})
	nc, err := nats.Connect(s.SDKURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// allowed: publish events, read decisions
	if _, err := js.Publish(ctx, stream.ReportSubject("default", "probe"), []byte(`{"instance":"probe","boot":"b","seq":1}`)); err != nil {
		t.Errorf("publish an event: %v", err)
	}
	kv, err := js.KeyValue(ctx, stream.DecisionBucket("local"))
	if err != nil {
		t.Fatalf("open the decision bucket: %v", err)
	}
	if w, err := kv.WatchAll(ctx); err != nil {
		t.Errorf("watch decisions: %v", err)
	} else {
		_ = w.Stop()
	}
	// refused: writing decisions, touching streams, reading other subjects
	short, c2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer c2()
	if _, err := kv.Put(short, "deny.addr.MTkyLjAuMi4x", []byte(`{}`)); err == nil {
		t.Error("the SDK user wrote a decision")
	}
	if err := js.DeleteStream(short, stream.StreamName); err == nil {
		t.Error("the SDK user deleted the events stream")
	}
	if _, err := js.CreateStream(short, jetstream.StreamConfig{Name: "EVIL", Subjects: []string{"evil.>"}}); err == nil {
		t.Error("the SDK user created a stream")
	}
	sub, err := nc.SubscribeSync(stream.SubjectPrefix + ".>")
	if err == nil {
		nc.Flush()
		if _, err := sub.NextMsg(500 * time.Millisecond); err == nil {
			t.Error("the SDK user read other instances' events")
		}
		if !errors.Is(nc.LastError(), nats.ErrPermissionViolation) && nc.LastError() == nil {
			t.Log("subscription was not flagged, but received nothing")
		}
	}
	if ds, _ := s.Store.Decisions(context.Background(), "default", false); len(ds) != 0 {
		t.Errorf("decisions %+v", ds)
	}
}

func TestAuditTamperingDetected(t *testing.T) {
	dir := t.TempDir()
	s := startCP(t, server.Config{DataDir: dir})
	w := mint(t, s, server.ScopeDecisions, server.ScopeAdmin)
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		if code, b := api(t, s, w, "POST", "/api/v1/decisions", map[string]any{"target": map[string]string{"type": "addr", "value": ip},
			"action": "ban", "ttl": "1h", "reason": "x"}); code != 201 {
			t.Fatalf("%d %v", code, b)
		}
	}
	if code, v := api(t, s, w, "GET", "/api/v1/audit/verify", nil); code != 200 || v["seq"].(float64) != 3 {
		t.Fatalf("verify %d %v", code, v)
	}
	driver, dsn, table, disable := "sqlite", filepath.Join(dir, "history.db"), "audit", "DROP TRIGGER audit_append_only_u"
	if url := os.Getenv("CP_TEST_DATABASE_URL"); url != "" {
		table = schemaOf(dir) + ".audit"
		driver, dsn, disable = "pgx", url, "ALTER TABLE "+table+" DISABLE TRIGGER ALL"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE " + table + " SET actor = 'mallory' WHERE seq = 2"); err == nil {
		t.Fatal("the audit log took an UPDATE")
	}
	for _, q := range []string{disable, "UPDATE " + table + " SET actor = 'mallory' WHERE seq = 2"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, v := api(t, s, w, "GET", "/api/v1/audit/verify", nil)
	if code != http.StatusConflict || v["ok"] != false {
		t.Fatalf("changed row: %d %v", code, v)
	}
	t.Logf("changed row: %v", v["error"])
	if _, err := s.Store.VerifyAudit(context.Background()); !errors.Is(err, history.ErrTampered) {
		t.Errorf("store verify: %v", err)
	}
}
