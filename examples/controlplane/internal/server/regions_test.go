package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/replicate"
)

// logRecorder keeps the messages of the records logged at Warn or above.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelWarn }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

func (l *logRecorder) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

// regionRows returns GET /api/v1/regions of s by source region.
func regionRows(t *testing.T, s controlPlane, tok string) map[string]map[string]any {
	t.Helper()
	code, body := api(t, s, tok, "GET", "/api/v1/regions", nil)
	if code != http.StatusOK {
		t.Fatalf("regions: %d %v", code, body)
	}
	rows := map[string]map[string]any{}
	items, _ := body["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		rows[m["region"].(string)] = m
	}
	return rows
}

// healthy says every source is reachable, caught up, running and not
// stalled.
func healthy(rows map[string]map[string]any, n int) bool {
	if len(rows) != n {
		return false
	}
	for _, r := range rows {
		if r["reachable"] != true || r["linked"] != true || r["stalled"] != false || r["lag"] != 0.0 || r["error"] != "" {
			return false
		}
	}
	return true
}

// TestRegionsBanCrossesRegions runs three regions, each a control plane
// with its embedded NATS (its own JetStream domain): eu is the hub, us and
// ap connect to it by leafnode. A ban made through us's API is enforced by
// SDK instances of eu and ap, which watch their region's aggregate; an
// unban lifts it; when us goes down, eu keeps enforcing what it has and
// reports us's source stalled.
func TestRegionsBanCrossesRegions(t *testing.T) {
	names := []string{"eu", "us", "ap"}
	const stall = time.Second
	euLog := &logRecorder{}
	eu := startCP(t, server.Config{Region: "eu", Regions: names, LeafAddr: freeAddr(t), RegionStall: stall, Logger: slog.New(euLog)})
	if eu.LeafURL() == "" || !strings.HasPrefix(eu.LeafURL(), "nats-leaf://leaf:") {
		t.Fatalf("hub leaf URL %q", eu.LeafURL())
	}
	usDir := t.TempDir()
	us := startCP(t, server.Config{DataDir: usDir, Region: "us", Regions: names, LeafRemote: eu.LeafURL(), RegionStall: stall})
	ap := startCP(t, server.Config{Region: "ap", Regions: names, LeafRemote: eu.LeafURL(), RegionStall: stall})
	eventually(t, 10*time.Second, "spokes linked to the hub", func() bool { return eu.NATSServer().NumLeafNodes() == 2 })
	cps := map[string]*server.Server{"eu": eu, "us": us, "ap": ap}
	toks := map[string]string{}
	for n, s := range cps {
		toks[n] = mint(t, s, server.ScopeRead, server.ScopeDecisions)
	}
	for _, n := range names {
		took := eventually(t, 20*time.Second, n+": every source healthy", func() bool { return healthy(regionRows(t, cps[n], toks[n]), 3) })
		t.Logf("%s: every source healthy after %v more", n, took.Round(time.Millisecond))
	}

	inEU := newInstance(t, eu.SDKURL(), "eu-1", instanceOpts{region: "eu", aggregate: true})
	inAP := newInstance(t, ap.SDKURL(), "ap-1", instanceOpts{region: "ap", aggregate: true})
	for _, in := range []*instance{inEU, inAP} {
		select {
		case <-in.watch.Ready():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: watcher not ready", in.name)
		}
	}

	ban := func(s string, client string) string {
		t.Helper()
		code, body := api(t, cps[s], toks[s], "POST", "/api/v1/decisions", server.DecideRequest{
			Target: server.TargetJSON{Type: "addr", Value: client}, Action: "ban", TTL: "1h", Reason: "cross-region test"})
		if code != http.StatusCreated {
			t.Fatalf("%s: ban: %d %v", s, code, body)
		}
		return body["key"].(string)
	}
	enforced := func(from string, client string, start time.Time, ins ...*instance) {
		t.Helper()
		for _, in := range ins {
			eventually(t, 5*time.Second, in.name+" enforces "+from+"'s ban", func() bool { return operatorBanned(in, client) })
			took := time.Since(start)
			t.Logf("ban in %s -> enforced by %s: %v", from, in.name, took.Round(time.Millisecond))
			if took > time.Second {
				t.Errorf("%s: ban of %s enforced after %v, want within 1s", in.name, from, took)
			}
			if code := in.serve("GET", "/", client); code != http.StatusForbidden {
				t.Errorf("%s: banned client got %d", in.name, code)
			}
			if code := in.serve("GET", "/", "198.51.100.200"); code != http.StatusOK {
				t.Errorf("%s: another client got %d", in.name, code)
			}
		}
	}

	// a ban in us (a spoke) is enforced in the hub and in the other spoke
	const attacker = "203.0.113.7"
	start := time.Now()
	key := ban("us", attacker)
	enforced("us", attacker, start, inEU, inAP)
	rows := regionRows(t, eu, toks["eu"])
	if r := rows["us"]; r["lag"] != 0.0 || r["stalled"] != false || r["reachable"] != true || r["seen"] == 0.0 {
		// the source may not have been checked since the write: once more
		time.Sleep(stall / 2)
		if r = regionRows(t, eu, toks["eu"])["us"]; r["lag"] != 0.0 || r["stalled"] != false || r["seen"] == 0.0 {
			t.Errorf("eu's source of us: %v", r)
		}
	}

	// the unban in us lifts it everywhere
	if code, body := api(t, us, toks["us"], "DELETE", "/api/v1/decisions/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("unban: %d %v", code, body)
	}
	for _, in := range []*instance{inEU, inAP} {
		eventually(t, 5*time.Second, in.name+" lifts the ban", func() bool { return !operatorBanned(in, attacker) })
		if code := in.serve("GET", "/", attacker); code != http.StatusOK {
			t.Errorf("%s: unbanned client got %d", in.name, code)
		}
	}

	// a ban made in us is lifted through ap's API: its tombstone, written
	// in ap, wins the merge everywhere
	const other = "203.0.113.8"
	start = time.Now()
	key = ban("us", other)
	enforced("us", other, start, inEU, inAP)
	// ap's instance may enforce the ban a moment before ap's control plane
	// has read it (two watches of one aggregate): a 404 writes nothing
	var last string
	eventually(t, 5*time.Second, "unban in ap of a ban made in us", func() bool {
		code, body := api(t, ap, toks["ap"], "DELETE", "/api/v1/decisions/"+key, nil)
		last = fmt.Sprint(code, body)
		return code == http.StatusNoContent
	})
	t.Logf("unban in ap: %s", last)
	for _, in := range []*instance{inEU, inAP} {
		eventually(t, 5*time.Second, in.name+" lifts us's ban unbanned in ap", func() bool { return !operatorBanned(in, other) })
	}

	// events stay in their region: eu's instance's events reach eu's
	// history, never ap's
	inEU.traffic(40, "")
	eventually(t, 10*time.Second, "eu stores eu-1's events", func() bool { return stored(t, eu.Store, inEU.name) > 0 })
	time.Sleep(500 * time.Millisecond)
	if n := stored(t, ap.Store, inEU.name); n != 0 {
		t.Errorf("ap stored %d events of eu's instance", n)
	}

	// SDK credentials read the aggregate and write no decision, neither
	// locally nor in another region's domain
	nc, err := nats.Connect(eu.SDKURL(), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	pctx, pcancel := context.WithTimeout(context.Background(), time.Second)
	defer pcancel()
	agg, err := js.KeyValue(pctx, replicate.AggregateBucket)
	if err != nil {
		t.Fatalf("sdk reads the aggregate: %v", err)
	}
	if _, err := agg.Put(pctx, "eu.deny.addr.x", []byte("{}")); err == nil {
		t.Error("sdk wrote the aggregate")
	}
	for _, d := range []string{"eu", "us"} {
		djs, _ := jetstream.NewWithDomain(nc, d)
		dctx, dcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if kv, err := djs.KeyValue(dctx, replicate.RegionBucket(d)); err == nil {
			if _, err := kv.Put(dctx, "deny.addr.eA", []byte("{}")); err == nil {
				t.Errorf("sdk wrote region %s's bucket", d)
			}
		}
		dcancel()
	}

	// failover: us goes down (control plane and its NATS); what eu and ap
	// have keeps being enforced, and eu reports us's source stalled
	const second = "203.0.113.8"
	start = time.Now()
	ban("us", second)
	enforced("us", second, start, inEU, inAP)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := us.Close(ctx); err != nil {
		t.Fatalf("closing us: %v", err)
	}
	down := time.Now()
	took := eventually(t, 5*time.Second, "eu reports us's source stalled", func() bool {
		r := regionRows(t, eu, toks["eu"])["us"]
		return r != nil && r["stalled"] == true && r["reachable"] == false
	})
	t.Logf("eu reports us stalled and unreachable %v after it went down", took.Round(time.Millisecond))
	if !euLog.has("replication from a region stalled") || !euLog.has("source=us") {
		t.Errorf("eu logged no stall incident for us: %v", euLog.msgs)
	}
	eventually(t, 5*time.Second, "eu's audit log holds the stall of us", func() bool {
		_, audit := api(t, eu, mint(t, eu, server.ScopeAdmin), "GET", "/api/v1/audit?limit=1000", nil)
		items, _ := audit["items"].([]any)
		for _, it := range items {
			if a := it.(map[string]any); a["action"] == "region.stalled" && a["target"] == "region:us" && a["actor"] == "controlplane" {
				return true
			}
		}
		return false
	})
	for n, r := range regionRows(t, eu, toks["eu"]) {
		if n != "us" && (r["stalled"] != false || r["reachable"] != true) {
			t.Errorf("eu's source of %s: %v", n, r)
		}
	}
	for _, in := range []*instance{inEU, inAP} {
		if !operatorBanned(in, second) || in.serve("GET", "/", second) != http.StatusForbidden {
			t.Errorf("%s: stopped enforcing us's ban %v after us went down", in.name, time.Since(down))
		}
	}
	// the regions still up keep deciding together
	start = time.Now()
	ban("ap", "203.0.113.9")
	enforced("ap", "203.0.113.9", start, inEU, inAP)

	// us comes back on its data: eu's source of us heals, and us's new
	// decisions reach the others again
	us = startCP(t, server.Config{DataDir: usDir, Region: "us", Regions: names, LeafRemote: eu.LeafURL(), RegionStall: stall})
	back := time.Now()
	took = eventually(t, 15*time.Second, "eu's sources heal", func() bool {
		rows := regionRows(t, eu, toks["eu"])
		// heard from us since it came back
		heard, _ := rows["us"]["last_heard_ms"].(float64)
		return healthy(rows, 3) && time.Duration(heard)*time.Millisecond < time.Since(back)
	})
	t.Logf("eu's source of us healed %v after us restarted", took.Round(time.Millisecond))
	cps["us"] = us
	start = time.Now()
	ban("us", "203.0.113.10")
	enforced("us", "203.0.113.10", start, inEU, inAP)
	if code, page := dashboardPage(t, eu, toks["eu"], ""); code != http.StatusOK || !strings.Contains(page, `data-testid="regions"`) {
		t.Errorf("eu's dashboard: %d, regions table: %v", code, strings.Contains(page, `data-testid="regions"`))
	}
}

// TestRegionsConfig checks the multi-region settings, and that a single
// region reports none.
func TestRegionsConfig(t *testing.T) {
	for _, c := range []server.Config{
		{Region: "eu", Regions: []string{"us", "ap"}},                                                                                  // its own region not listed
		{Region: "eu", Regions: []string{"eu", "eu"}},                                                                                  // twice
		{Region: "e.u", Regions: []string{"e.u"}},                                                                                      // not a domain name
		{Region: "eu", LeafAddr: "127.0.0.1:7422"},                                                                                     // leafnodes without regions
		{Region: "eu", Regions: []string{"eu"}, LeafRemote: "http://x:1"},                                                              // not a leafnode URL
		{Region: "eu", Regions: []string{"eu"}, LeafAddr: "127.0.0.1:0"},                                                               // no fixed port
		{Region: "eu", Regions: []string{"eu"}, NATSURL: "nats://127.0.0.1:1", LeafAddr: "127.0.0.1:7422"},                             // not embedded
		{Region: "eu", LeafTLSCA: "ca.pem"},                                                                                            // leafnode TLS without regions
		{Region: "eu", Regions: []string{"eu"}, LeafAddr: "127.0.0.1:7422", LeafTLSCert: "hub.pem"},                                    // a certificate without its key
		{Region: "eu", Regions: []string{"eu"}, LeafTLSCert: "hub.pem", LeafTLSKey: "hub-key.pem"},                                     // a certificate, not a hub
		{Region: "eu", Regions: []string{"eu"}, LeafTLSCA: "ca.pem"},                                                                   // a CA, not a spoke
		{Region: "eu", Regions: []string{"eu"}, LeafAddr: "127.0.0.1:7422", LeafTLSCert: "missing.pem", LeafTLSKey: "missing-key.pem"}, // no such files
		{Region: "eu", RegionPeers: map[string]string{"us": "nats://peer:p@127.0.0.1:4223"}},                                           // peers without regions
		{Region: "eu", Regions: []string{"eu", "us"}, RegionPeers: map[string]string{"eu": "nats://peer:p@127.0.0.1:4223"}},            // itself as a peer
		{Region: "eu", Regions: []string{"eu", "us"}, RegionPeers: map[string]string{"ap": "nats://peer:p@127.0.0.1:4223"}},            // not a region
		{Region: "eu", Regions: []string{"eu", "us"}, RegionPeers: map[string]string{"us": "http://127.0.0.1:4223"}},                   // not a NATS URL
	} {
		c.DataDir, c.Addr, c.NATSAddr, c.Logger = t.TempDir(), "127.0.0.1:0", freeAddr(t), quiet
		s, err := server.New(context.Background(), c)
		if err == nil {
			_ = s.Close(context.Background())
			t.Errorf("%+v: started", c)
			continue
		}
		t.Logf("refused: %v", err)
	}
	s := startCP(t, server.Config{})
	code, body := api(t, s, mint(t, s, server.ScopeRead), "GET", "/api/v1/regions", nil)
	if items, _ := body["items"].([]any); code != http.StatusOK || body["multi_region"] != false || body["region"] != "local" || len(items) != 0 {
		t.Errorf("single region: %d %v", code, body)
	}
	if s.LeafURL() != "" || s.PeerURL() != "" {
		t.Errorf("single region leaf URL %q, peer URL %q", s.LeafURL(), s.PeerURL())
	}
	if code, page := dashboardPage(t, s, mint(t, s, server.ScopeRead), ""); code != http.StatusOK || strings.Contains(page, `data-testid="regions"`) {
		t.Errorf("single region dashboard: %d, has a regions table", code)
	}
}
