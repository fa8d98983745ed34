package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
)

// chromium returns the browser to drive: CHROME_PATH, or Debian's.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium: .ci/run installs Debian's chromium (apt-get install chromium)")
	}
	t.Skip("no Chromium (apt-get install chromium, or set CHROME_PATH)")
	return ""
}

// artifacts is where the test keeps its screenshot: BULWARK_ARTIFACTS,
// or artifacts/ at the repository's root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("BULWARK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDashboardInBrowser loads the dashboard of a control plane fed by a
// test fleet in headless Chromium, checks that every plot has data, bans
// the top offender by clicking, and checks both instances enforce it.
// browser starts headless Chromium (bin) for the test, a window height
// tall; it is closed by the test's cleanup.
func browser(t *testing.T, bin string, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// generous: under -race on PostgreSQL with other packages running, each
	// of a page's reloads can take seconds
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })
	return ctx
}

// screenshot keeps a full-page screenshot in artifacts/name.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	t.Logf("screenshot: %s (%d bytes)", abs, len(png))
}

func TestDashboardInBrowser(t *testing.T) {
	bin := chromium(t)
	s, fleet, attacker := fleetUpWith(t, server.Config{AnomalyInterval: 100 * time.Millisecond, RetrainBudget: time.Second})
	ps := fleet[0].names.Of(attacker)
	read := mint(t, s, server.ScopeRead)
	eventuallyPaced(t, 15*time.Second, "traffic and threat series have data", func() bool {
		_, a := api(t, s, read, "GET", "/api/v1/series?range=1h&by=outcome", nil)
		_, b := api(t, s, read, "GET", "/api/v1/series?range=1h&by=family&threats=true", nil)
		pa, _ := a["points"].([]any)
		pb, _ := b["points"].([]any)
		return len(pa) > 0 && len(pb) > 0
	})
	tok := mint(t, s, server.ScopeRead, server.ScopeDecisions, server.ScopeAdmin)
	// an active combiner and a canary, for the models table
	for _, m := range []struct{ version, stage string }{{"v2", "active"}, {"v3", "canary"}} {
		if code, body := api(t, s, tok, "POST", "/api/v1/models", map[string]any{"kind": "combiner", "version": m.version, "stage": m.stage,
			"model": combinerJSON(t, m.version, -3.4)}); code != http.StatusCreated {
			t.Fatalf("publish %s: %d %v", m.version, code, body)
		}
	}
	activeVersion := func() any {
		_, body := api(t, s, read, "GET", "/api/v1/models", nil)
		st, _ := body["stages"].(map[string]any)
		m, _ := st["combiner.active"].(map[string]any)
		return m["version"]
	}
	// five weeks of earlier traffic, for the forecast plot, with a spike
	// three hours ago for the anomaly watch to raise
	spikeAt := time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)
	seedWith(t, s, time.Now(), 35*24, "api-1", func(at time.Time) int {
		if at.Equal(spikeAt) {
			return 8 * hourly(at)
		}
		return hourly(at)
	})
	eventuallyPaced(t, 15*time.Second, "the anomaly watch raises the spike", func() bool {
		_, body := api(t, s, read, "GET", "/api/v1/alarms", nil)
		items, _ := body["items"].([]any)
		for _, x := range items {
			if a := x.(map[string]any); a["series"] == "total" && a["kind"] == "spike" && a["hour"] == spikeAt.Format(time.RFC3339) {
				return true
			}
		}
		return false
	})
	// three weeks of a nightly attack on /login, for a suggested limit change
	// its window eight hours from now, so that the next one is ahead
	// whatever the time of day the test runs at
	seedDailyAttackAt(t, s, time.Now(), "api-1", (time.Now().UTC().Hour()+8)%24)

	ctx := browser(t, bin, 1800)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL()+"/login#token="+tok),
		chromedp.WaitVisible(chromedp.CSS(`svg[data-testid="chart-traffic"]`)),
	); err != nil {
		t.Fatal(err)
	}
	attr := func(sel, name string) string {
		r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil {
			t.Fatal(err)
		}
		return r.Value
	}
	text := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	traffic, threats := attr(`svg[data-testid="chart-traffic"]`, "data-points"), attr(`svg[data-testid="chart-threats"]`, "data-points")
	forecastPts := attr(`svg[data-testid="chart-forecast"]`, "data-points")
	correlationPts := attr(`svg[data-testid="chart-correlation"]`, "data-points")
	if summary := text(`[data-testid="correlation-summary"]`); summary == "" {
		t.Error("the correlation view says nothing")
	}
	if cohorts := text(`[data-testid="correlation-cohorts"]`); !contains(cohorts, "new") || !contains(cohorts, "returning") {
		t.Errorf("the correlation view's cohorts say %q", cohorts)
	}
	if alarms := text(`[data-testid="anomaly-alarms"]`); !contains(alarms, "total") || !contains(alarms, "spike") || !contains(alarms, spikeAt.Format("Jan 2 15:04")) {
		t.Errorf("the anomaly alarms %q lack the total's spike at %v", alarms, spikeAt)
	}
	if pb := text(`[data-testid="playbooks-off"]`); !contains(pb, "PLAYBOOKS=1") {
		t.Errorf("the playbooks section, off, says %q", pb)
	}
	routes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="top-routes"] tr').length - 1`))
	if err != nil {
		t.Fatal(err)
	}
	clients, instances := text(`[data-testid="top-clients"]`), text(`[data-testid="instances"]`)
	for name, v := range map[string]string{"traffic": traffic, "threats": threats, "forecast": forecastPts, "correlation": correlationPts} {
		if n, _ := strconv.Atoi(v); n == 0 {
			t.Errorf("plot %s has no data (data-points=%q)", name, v)
		}
	}
	if routes == 0 {
		t.Error("no top attacked route")
	}
	for _, want := range []string{ps} {
		if !contains(clients, want) {
			t.Errorf("top offending clients %q lack %s", clients, want)
		}
	}
	for _, want := range []string{"api-1", "api-2"} {
		if !contains(instances, want) {
			t.Errorf("instances %q lack %s", instances, want)
		}
	}

	clicked := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-testid="ban-`+ps+`"]`))); err != nil {
		t.Fatal(err)
	}
	// the ban's way (the click, the page's API call, the bucket, the watch)
	// is timed from the click; the page's reload after it is not part of it
	for _, in := range fleet {
		eventually(t, 5*time.Second, in.name+" enforces the dashboard's ban", func() bool { return operatorBanned(in, attacker) })
		took := time.Since(clicked)
		t.Logf("figures: %s enforced the ban %v after the click", in.name, took.Round(time.Millisecond))
		if took > 2*time.Second { // the click, the reload, the API, the bucket, the watch: generous
			t.Errorf("%s took %v", in.name, took)
		}
		if code := in.serve("GET", "/", attacker); code != 403 {
			t.Errorf("%s answered the banned client %d", in.name, code)
		}
	}
	reloaded := time.Now()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`tr[data-key] button`))); err != nil { // the page reloads with the decision listed
		t.Fatal(err)
	}
	t.Logf("figures: the page listed the decision %v after the click (%v after the ban was enforced)",
		time.Since(clicked).Round(time.Millisecond), time.Since(reloaded).Round(time.Millisecond))
	// the forecast plot of one route, chosen from the series links
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="forecast-series"] a[href*="fkey=%2Flogin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg[data-testid="chart-forecast"][data-series="route=/login"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(attr(`svg[data-testid="chart-forecast"]`, "data-points")); n == 0 {
		t.Error("the forecast of route /login has no data")
	}
	// the correlation of the new clients (the attacker offends in its
	// first hour), chosen from the cohort links
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="correlation-cohort"] a[href*="cohort=new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg[data-testid="chart-correlation"][data-cohort="new"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(attr(`svg[data-testid="chart-correlation"]`, "data-points")); n == 0 {
		t.Error("the correlation of new clients has no data")
	}
	// accept the suggested throttle of /login before its nightly attack
	// (other routes' forecasts may cross their thresholds too, by the hour
	// of the day the test runs at: the /login row's button, not the first)
	acc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="suggestions"] tr')]
		.filter(r => r.querySelector('code')?.textContent === '/login').map(r => r.querySelector('button[data-testid^="accept-"]')?.dataset.testid)[0] || ''`))
	if err != nil || acc == "" {
		t.Fatalf("no Accept button on the suggestion for /login: %v (suggestions %q)", err, text(`[data-testid="suggestions"]`))
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-testid="`+acc+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="suggestions"] .ok`)), // reloaded: applied
	); err != nil {
		t.Fatal(err)
	}
	if d := text(`[data-testid="decisions"]`); !contains(d, "route:/login") {
		t.Errorf("active decisions %q lack the accepted route throttle", d)
	}
	// label one of the recent offending requests a false positive, with
	// one click: the label is stored and its suppression is in force
	fp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="recent"] tr[data-event]')]
		.filter(r => r.textContent.includes('`+ps+`')).map(r => r.querySelector('button[data-testid^="fp-"]')?.dataset.testid)[0] || ''`))
	if err != nil || fp == "" {
		t.Fatalf("no false-positive button on a request of %s: %v", ps, err)
	}
	id := strings.TrimPrefix(fp, "fp-")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-testid="`+fp+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="label-`+id+`"]`)), // reloaded: labelled
	); err != nil {
		t.Fatal(err)
	}
	if _, ev := api(t, s, read, "GET", "/api/v1/events/"+id, nil); ev["label"] != "benign" {
		t.Errorf("event %s after the click: %v", id, ev)
	}
	if d := text(`[data-testid="decisions"]`); !contains(d, "suppress") {
		t.Errorf("active decisions %q lack the false positive's suppression", d)
	}
	// promote the canary to active, then roll it back, from the models table
	activeRow := func(want string) { // the page, reloaded after a click, lists want as active
		eventually(t, 30*time.Second, "the models table lists "+want+" active", func() bool {
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('tr[data-model="combiner.active"]')?.textContent || ''`))
			return err == nil && contains(v, want)
		})
	}
	activeRow("v2")
	// the canary's comparison with the active model, before its promotion
	if cmp := text(`[data-testid="canary-compare"]`); !contains(cmp, "canary") || !contains(cmp, "v3") || !contains(cmp, "v2") {
		t.Errorf("the canary comparison %q does not compare v3 with v2", cmp)
	}
	if d := text(`[data-testid="canary-decision"]`); !contains(d, "Canary check:") || !contains(d, "checks") {
		t.Errorf("the canary comparison's decision says %q", d)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-testid="promote-combiner-canary"]`))); err != nil {
		t.Fatal(err)
	}
	eventuallyPaced(t, 5*time.Second, "the canary is active", func() bool { return activeVersion() == "v3" })
	activeRow("v3")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-testid="rollback-combiner"]`))); err != nil {
		t.Fatal(err)
	}
	eventuallyPaced(t, 5*time.Second, "the active model is rolled back", func() bool { return activeVersion() == "v2" })
	activeRow("v2")
	admin := mint(t, s, server.ScopeAdmin)
	_, audit := api(t, s, admin, "GET", "/api/v1/audit", nil)
	var clicks []any // the operator's rows, not the anomaly watch's
	items, _ := audit["items"].([]any)
	for _, x := range items {
		if row := x.(map[string]any); row["actor"] != "controlplane" && row["action"] != "model.publish" {
			clicks = append(clicks, row["action"])
		}
	}
	if fmt.Sprint(clicks) != "[decision.ban suggestion.accept event.label suppression.add model.promote model.rollback]" {
		t.Errorf("the clicks are not in the audit log: %v", audit)
	}

	// retrain the combiner with one click, once operators have labelled
	// enough: the page says what the candidate is and how it compares
	seedLabelled(t, s, mint(t, s, server.ScopeAdmin, server.ScopeDecisions), interleaved(40))
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`button[data-testid="retrain-combiner"]`)),
		chromedp.Click(chromedp.CSS(`button[data-testid="retrain-combiner"]`))); err != nil {
		t.Fatal(err)
	}
	var result string
	eventually(t, 60*time.Second, "the retrain's result on the page", func() bool {
		result = text(`[data-testid="retrain-result"]`)
		return contains(result, "candidate ")
	})
	_, reps := api(t, s, read, "GET", "/api/v1/models/combiner/reports", nil)
	items, _ = reps["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("retrain reports after the click: %v", reps)
	}
	if v := items[0].(map[string]any)["version"].(string); !contains(result, v) {
		t.Errorf("the page says %q, the report is of %s", result, v)
	}
	screenshot(t, ctx, "dashboard.png")
}

// TestRegionsDashboardInBrowser: with two regions linked by leafnode and
// by their direct fast path (REGION_PEERS), the dashboard's Regions table
// shows each region, its lag, its link and its direct link, as Chromium
// renders it; a direct link that goes down shows as down.
func TestRegionsDashboardInBrowser(t *testing.T) {
	bin := chromium(t)
	names := []string{"eu", "us"}
	addrs := map[string]string{"eu": freeAddr(t), "us": freeAddr(t)}
	signers := regionSigners(t, names)
	rs := startRegionSet(t, names, func(n string, c *server.Config) {
		c.NATSAddr, c.PeerPassword = addrs[n], "peer-"+n
		signers.configure(n, c)
		c.RegionPeers = map[string]string{}
		for _, o := range names {
			if o != n {
				c.RegionPeers[o] = "nats://peer:peer-" + o + "@" + addrs[o]
			}
		}
	})
	eu := rs.server("eu")
	eventuallyPaced(t, 20*time.Second, "eu's direct link to us up", func() bool {
		return regionRows(t, eu, rs.toks["eu"])["us"]["direct"] == true
	})
	// a combiner published in us: eu's Models table says us set it
	usAdmin := mint(t, rs.cps["us"], server.ScopeAdmin)
	if code, body := api(t, rs.cps["us"], usAdmin, "POST", "/api/v1/models",
		map[string]any{"kind": "combiner", "version": "v2", "stage": "active", "model": combinerJSON(t, "v2", -3.4)}); code != http.StatusCreated {
		t.Fatalf("us: publish: %d %v", code, body)
	}
	eventuallyPaced(t, 15*time.Second, "eu adopts us's active combiner", func() bool {
		m := stagesOf(t, eu, rs.toks["eu"])["combiner.active"]
		return m != nil && m["version"] == "v2"
	})
	ctx := browser(t, bin, 1000)
	tok := mint(t, eu, server.ScopeRead)
	if err := chromedp.Do(ctx, chromedp.Navigate(eu.URL()+"/login#token="+tok),
		chromedp.WaitVisible(chromedp.CSS(`table[data-testid="regions"]`))); err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	table := text(`table[data-testid="regions"]`)
	for _, want := range []string{"direct link", "eu (this region)", "us", "up"} {
		if !contains(table, want) {
			t.Errorf("the regions table %q lacks %q", table, want)
		}
	}
	if d := text(`[data-testid="direct-us"]`); d != "up" {
		t.Errorf("us's direct link shows %q, want up", d)
	}
	if by := text(`[data-testid="pointed-combiner.active"]`); by != "us" {
		t.Errorf("eu's combiner.active shows set by %q, want us", by)
	}
	if row := text(`tr[data-model="combiner.active"]`); !contains(row, "v2") {
		t.Errorf("eu's combiner.active row %q lacks v2", row)
	}
	screenshot(t, ctx, "dashboard-regions.png")

	// us goes away: eu's direct link to it is down on the next load
	ctxClose, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rs.server("us").Close(ctxClose); err != nil {
		t.Fatal(err)
	}
	eventuallyPaced(t, 20*time.Second, "eu's direct link to us down", func() bool {
		return regionRows(t, eu, rs.toks["eu"])["us"]["direct"] == false
	})
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`table[data-testid="regions"]`))); err != nil {
		t.Fatal(err)
	}
	if d := text(`[data-testid="direct-us"]`); d != "down" {
		t.Errorf("us's direct link, us closed, shows %q, want down", d)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (func() bool {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i:i+len(sub)] == sub {
				return true
			}
		}
		return false
	})())
}
