package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// testClock is a control plane clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var attackSeq uint64

// hostile stores n blocked SQL injections of pseudonym from at.
func hostile(t *testing.T, s *server.Server, pseudonym string, at time.Time, n int) {
	t.Helper()
	b := &event.Batch{Tenant: "default", Region: "local", Instance: "i1", KeyID: "k1"}
	for i := range n {
		attackSeq++
		b.Events = append(b.Events, event.Event{ID: event.MakeID(at, 7, attackSeq), Time: at.Add(time.Duration(i) * time.Second),
			Pseudonym: pseudonym, Route: "/search", Method: "GET", Outcome: event.OutcomeBlocked, Score: 0.99, Level: "critical",
			Family: "sqli", Reasons: [event.MaxReasons]string{"sqli.libinjection"}})
	}
	if _, err := s.Store.Ingest(context.Background(), []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}
}

// armsOf sums the responses judged, and those not followed by a
// recurrence, over family's arms.
func armsOf(t *testing.T, body map[string]any, family string) (pulls, successes int) {
	t.Helper()
	fams, _ := body["families"].([]any)
	for _, f := range fams {
		fm := f.(map[string]any)
		if fm["family"] != family {
			continue
		}
		for _, a := range fm["arms"].([]any) {
			am := a.(map[string]any)
			pulls += int(am["responses"].(float64))
			successes += int(am["successes"].(float64))
		}
	}
	return pulls, successes
}

// awaiting returns the response awaiting its outcome for pseudonym.
func awaiting(body map[string]any, pseudonym string) map[string]any {
	rs, _ := body["awaiting"].([]any)
	for _, r := range rs {
		if rm := r.(map[string]any); rm["pseudonym"] == pseudonym {
			return rm
		}
	}
	return nil
}

// TestPlaybooks: a new incident is answered by its family's playbook (a
// decision by actor playbook, audited, unless the arm is block only);
// once the response and the window are over, the bandit learns whether
// the client came back; what it learnt survives a restart.
func TestPlaybooks(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)}
	dir := t.TempDir()
	cfg := server.Config{DataDir: dir, Now: clock.Now, Playbooks: true, PlaybookInterval: 20 * time.Millisecond, PlaybookWindow: time.Hour}
	s := startCP(t, cfg)
	admin := mintAt(t, s, clock.Now(), "admin")
	// tokens are checked against the control plane's clock, which moves
	read := func() string { return mintAt(t, s, clock.Now(), "read") }
	get := func() map[string]any {
		code, body := api(t, s, read(), "GET", "/api/v1/playbooks", nil)
		if code != http.StatusOK {
			t.Fatalf("playbooks: %d %v", code, body)
		}
		return body
	}

	// a quiet client: answered, then judged a success
	t0 := clock.Now()
	hostile(t, s, "aa01", t0.Add(-time.Minute), 5)
	var r map[string]any
	eventually(t, 10*time.Second, "the incident answered", func() bool { r = awaiting(get(), "aa01"); return r != nil })
	arm := r["arm"].(string)
	t.Logf("aa01 answered with %s", arm)
	_, decs := api(t, s, read(), "GET", "/api/v1/decisions", nil)
	found := false
	for _, it := range decs["items"].([]any) {
		d := it.(map[string]any)
		if tg := d["target"].(map[string]any); tg["value"] == "aa01" {
			found = d["actor"] == "playbook" && strings.HasPrefix(d["reason"].(string), "playbook sqli/"+arm)
		}
	}
	if found != (arm != "block-only") {
		t.Fatalf("arm %s: decision by the playbook found=%v in %v", arm, found, decs["items"])
	}
	if arm != "block-only" {
		_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
		rows := audit["items"].([]any)
		if last := rows[len(rows)-1].(map[string]any); last["action"] != "playbook."+arm || last["actor"] != "playbook" {
			t.Errorf("audit: %v, want playbook.%s by playbook", last, arm)
		}
	}
	due, _ := time.Parse(time.RFC3339Nano, r["due"].(string))
	clock.Set(due.Add(time.Minute))
	eventually(t, 10*time.Second, "aa01's response judged", func() bool { p, _ := armsOf(t, get(), "sqli"); return p == 1 })
	if _, ok := armsOf(t, get(), "sqli"); ok != 1 {
		t.Fatalf("a client that did not come back: %d successes, want 1", ok)
	}

	// a client that comes back within the window: a failure
	t1 := clock.Now()
	hostile(t, s, "bb02", t1.Add(-time.Minute), 5)
	eventually(t, 10*time.Second, "bb02 answered", func() bool { r = awaiting(get(), "bb02"); return r != nil })
	end, _ := time.Parse(time.RFC3339Nano, r["end"].(string))
	due, _ = time.Parse(time.RFC3339Nano, r["due"].(string))
	hostile(t, s, "bb02", end.Add(10*time.Minute), 3)
	clock.Set(due.Add(time.Minute))
	eventually(t, 10*time.Second, "bb02's response judged", func() bool { p, _ := armsOf(t, get(), "sqli"); return p == 2 })
	if _, ok := armsOf(t, get(), "sqli"); ok != 1 {
		t.Fatalf("after a client that came back: %d successes, want 1", ok)
	}

	// A/B report and bad parameters
	if code, _ := api(t, s, read(), "GET", "/api/v1/playbooks?family=sqli&a=ban-1h&b=nope", nil); code != http.StatusBadRequest {
		t.Errorf("compare with an unknown arm: %d, want 400", code)
	}
	if _, body := api(t, s, read(), "GET", "/api/v1/playbooks?family=sqli&a=block-only&b=ban-24h", nil); body["compare"] == nil {
		t.Errorf("no comparison: %v", body)
	}

	// a restart keeps what was learnt
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := startCP(t, cfg)
	_, body := api(t, s2, mintAt(t, s2, clock.Now(), "read"), "GET", "/api/v1/playbooks", nil)
	if p, ok := armsOf(t, body, "sqli"); p != 2 || ok != 1 {
		t.Fatalf("after a restart: %d judged, %d successes, want 2 and 1", p, ok)
	}
}
