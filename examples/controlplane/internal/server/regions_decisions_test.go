package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/nats-io/nats.go/jetstream"
	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/fleet"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// regionSet is a hub and its spokes, each a control plane with its
// embedded NATS, linked and healthy.
type regionSet struct {
	names []string
	cps   map[string]controlPlane  // *server.Server, or a *childCP
	cfgs  map[string]server.Config // as started: to restart a region
	toks  map[string]string
}

// startRegionSet starts names[0] as the hub and the others as spokes;
// tune, when set, adjusts each region's Config before it starts (the
// spokes' LeafRemote is the hub's LeafURL then).
func startRegionSet(t *testing.T, names []string, tune func(name string, c *server.Config)) *regionSet {
	t.Helper()
	return startRegions(t, names, tune, "")
}

// startRegions is startRegionSet with the spoke named child run as a
// child process of the controlplane command (see startChild), which a
// test can kill outright.
func startRegions(t *testing.T, names []string, tune func(name string, c *server.Config), child string) *regionSet {
	t.Helper()
	rs := &regionSet{names: names, cps: map[string]controlPlane{}, cfgs: map[string]server.Config{}, toks: map[string]string{}}
	for i, n := range names {
		c := server.Config{Region: n, Regions: names, RegionStall: time.Second, DataDir: t.TempDir(), NATSAddr: freeAddr(t)}
		if i == 0 {
			c.LeafAddr = freeAddr(t)
		} else {
			c.LeafRemote = rs.server(names[0]).LeafURL()
		}
		if tune != nil {
			tune(n, &c)
		}
		rs.cfgs[n] = c
		if n == child {
			c.Addr = freeAddr(t)
			rs.cfgs[n] = c
			rs.cps[n] = startChild(t, c)
		} else {
			rs.cps[n] = startCP(t, c)
		}
		rs.toks[n] = mint(t, rs.cps[n], server.ScopeRead, server.ScopeDecisions)
	}
	hub := rs.server(names[0])
	eventually(t, 10*time.Second, "spokes linked to the hub", func() bool { return hub.NATSServer().NumLeafNodes() == len(names)-1 })
	for _, n := range names {
		eventually(t, 20*time.Second, n+": every source healthy", func() bool { return healthy(regionRows(t, rs.cps[n], rs.toks[n]), len(names)) })
	}
	return rs
}

// server is region n's in-process control plane.
func (rs *regionSet) server(n string) *server.Server {
	return rs.cps[n].(*server.Server)
}

// call is api on region n with its token.
func (rs *regionSet) call(t *testing.T, n, method, path string, body any) (int, map[string]any) {
	t.Helper()
	return api(t, rs.cps[n], rs.toks[n], method, path, body)
}

// decide bans or throttles client through region n and returns the
// decision's key and expiry.
func (rs *regionSet) decide(t *testing.T, n, action, client string, factor float64) (string, time.Time) {
	t.Helper()
	code, body := rs.call(t, n, "POST", "/api/v1/decisions", server.DecideRequest{
		Target: server.TargetJSON{Type: "addr", Value: client}, Action: action, TTL: "1h", Reason: "test " + action, Factor: factor})
	if code != http.StatusCreated {
		t.Fatalf("%s: %s %s: %d %v", n, action, client, code, body)
	}
	exp, _ := time.Parse(time.RFC3339Nano, body["expires"].(string))
	return body["key"].(string), exp
}

// allow adds client to the allow-list through region n.
func (rs *regionSet) allow(t *testing.T, n, client string) string {
	t.Helper()
	code, body := rs.call(t, n, "POST", "/api/v1/allowlist", server.AllowRequest{
		Target: server.TargetJSON{Type: "addr", Value: client}, Reason: "partner"})
	if code != http.StatusCreated {
		t.Fatalf("%s: allow %s: %d %v", n, client, code, body)
	}
	return body["key"].(string)
}

func (rs *regionSet) waitReady(t *testing.T, ins ...*instance) {
	t.Helper()
	for _, in := range ins {
		select {
		case <-in.watch.Ready():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: watcher not ready", in.name)
		}
	}
}

// allowListed says in's watcher has client on the allow-list.
func allowListed(in *instance, client string) bool {
	r, ok := in.limiter.Cached(client, time.Now())
	return ok && r.AllowListed
}

// TestRegionsAllowListRemovedThroughAnyRegion removes, through the hub, an
// allow-list entry made in a spoke: every region's instance stops
// allow-listing the client (and enforces the ban it had shielded). Then,
// with the other spoke cut off, that spoke adds the client again while the
// hub removes the entry it sees: the add the remove did not observe
// survives the merge in every region once the link heals, and a remove
// through a region that has seen it takes it off everywhere.
func TestRegionsAllowListRemovedThroughAnyRegion(t *testing.T) {
	names := []string{"eu", "us", "ap"}
	var apLink *redistest.Proxy
	rs := startRegionSet(t, names, func(n string, c *server.Config) {
		if n != "ap" {
			return
		}
		u, err := url.Parse(c.LeafRemote)
		if err != nil {
			t.Fatal(err)
		}
		apLink = redistest.NewProxy(t, u.Host)
		u.Host = apLink.Addr()
		c.LeafRemote = u.String()
	})
	ins := map[string]*instance{}
	for _, n := range names {
		ins[n] = newInstance(t, rs.cps[n].SDKURL(), n+"-1", instanceOpts{region: n, aggregate: true})
	}
	rs.waitReady(t, ins["eu"], ins["us"], ins["ap"])
	every := func(what string, f func(*instance) bool, regions ...string) {
		t.Helper()
		for _, n := range regions {
			eventually(t, 20*time.Second, n+": "+what, func() bool { return f(ins[n]) })
		}
	}

	const partner = "203.0.113.30"
	rs.decide(t, "us", "ban", partner, 0)
	every("enforces the ban", func(in *instance) bool { return operatorBanned(in, partner) }, names...)
	key := rs.allow(t, "us", partner)
	every("allow-lists the partner", func(in *instance) bool { return allowListed(in, partner) }, names...)
	for _, n := range names {
		if code := ins[n].serve("GET", "/", partner); code != http.StatusOK {
			t.Errorf("%s: allow-listed (and banned) partner got %d", n, code)
		}
	}

	// made in us, removed through eu
	if code, body := rs.call(t, "eu", "DELETE", "/api/v1/allowlist/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("eu removes us's allow-list entry: %d %v", code, body)
	}
	every("stops allow-listing", func(in *instance) bool { return !allowListed(in, partner) }, names...)
	for _, n := range names {
		if code := ins[n].serve("GET", "/", partner); code != http.StatusForbidden {
			t.Errorf("%s: partner, no longer allow-listed but banned, got %d", n, code)
		}
	}
	if code, _ := rs.call(t, "ap", "DELETE", "/api/v1/allowlist/"+key, nil); code != http.StatusNotFound {
		t.Errorf("ap removes an entry no region holds: %d, want 404", code)
	}
	_, audit := api(t, rs.cps["eu"], mint(t, rs.cps["eu"], server.ScopeAdmin), "GET", "/api/v1/audit?limit=1000", nil)
	removes := 0
	for _, it := range audit["items"].([]any) {
		if a := it.(map[string]any); a["action"] == "allowlist.remove" {
			d, _ := a["detail"].(map[string]any)
			rm, _ := d["removes"].([]any)
			removes += len(rm)
		}
	}
	if removes != 1 {
		t.Errorf("eu's audit log names %d removed adds of other regions, want 1 (us's)", removes)
	}

	// us adds it again; with ap cut off, ap adds it too (eu and us do not
	// see it) and eu removes what it sees: us's add
	rs.allow(t, "us", partner)
	every("allow-lists the partner again", func(in *instance) bool { return allowListed(in, partner) }, names...)
	apLink.Cut()
	eventually(t, 10*time.Second, "ap cut off", func() bool { return rs.server("eu").NATSServer().NumLeafNodes() == 1 })
	rs.allow(t, "ap", partner)
	if code, body := rs.call(t, "eu", "DELETE", "/api/v1/allowlist/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("eu removes us's second add: %d %v", code, body)
	}
	every("stops allow-listing", func(in *instance) bool { return !allowListed(in, partner) }, "eu", "us")
	if !allowListed(ins["ap"], partner) {
		t.Error("ap stopped allow-listing while cut off: its own add is there")
	}
	apLink.Restore()
	healed := time.Now()
	took := eventually(t, 20*time.Second, "ap linked again", func() bool { return rs.server("eu").NATSServer().NumLeafNodes() == 2 })
	t.Logf("ap linked again %v after the link was restored", took.Round(time.Millisecond))
	// ap's add, which eu's remove did not see, survives everywhere; us's
	// second add does not come back
	every("allow-lists ap's concurrent add", func(in *instance) bool { return allowListed(in, partner) }, names...)
	t.Logf("every instance allow-lists ap's concurrent add %v after the link was restored", time.Since(healed).Round(time.Millisecond))
	target := decision.MustTarget("addr", partner)
	for _, n := range names {
		r := aggregateReader(t, rs.cps[n].SDKURL())
		eventually(t, 20*time.Second, n+"'s aggregate holds ap's add only", func() bool {
			as := r.Entry(target).Allows
			return len(as) == 1 && as[0].Origin == "ap"
		})
	}

	// us now sees ap's add: its remove takes it off everywhere
	if code, body := rs.call(t, "us", "DELETE", "/api/v1/allowlist/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("us removes ap's add: %d %v", code, body)
	}
	every("stops allow-listing", func(in *instance) bool { return !allowListed(in, partner) }, names...)
	for _, n := range names {
		if code := ins[n].serve("GET", "/", partner); code != http.StatusForbidden {
			t.Errorf("%s: partner got %d after the last remove", n, code)
		}
	}
}

// aggregateReader follows the aggregate of the region whose SDK URL is
// given, with the SDK's credentials.
func aggregateReader(t *testing.T, sdkURL string) *replicate.Reader {
	t.Helper()
	nc, err := fleet.Connect(sdkURL)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := replicate.NewReader(replicate.ReaderConfig{JS: js, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); nc.Close() })
	select {
	case <-r.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("aggregate reader not ready")
	}
	return r
}

// redisURL is the Redis the tests use (redistest's).
func redisURL(t *testing.T) string {
	t.Helper()
	redistest.Options(t)
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// redisOnlyInstance is an SDK instance whose limiter shares decisions
// through storage/redis under prefix and that has no NATS connection.
func redisOnlyInstance(t *testing.T, prefix string) http.Handler {
	t.Helper()
	c := libredis.NewClient(redistest.Options(t))
	store, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratestandard.New(ratestandard.Config{Limiter: ratelimit.Config{Rate: "100000-M", Store: store}})
	if err != nil {
		t.Fatal(err)
	}
	guard, err := standard.New(standard.Config{Guard: bulwark.Config{Limiter: lim}})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	mw, err := middleware.New(guard, middleware.Config{TrustedProxies: []string{"127.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Use(mw.Handler)
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	t.Cleanup(func() { _ = guard.Close(); _ = store.Close(); _ = c.Close() })
	return r
}

// TestRegionsRedisWriteThrough gives each of two regions its Redis (one
// server, a prefix each): a ban made through one region is written to the
// other's Redis with its expiry, where an SDK instance with no NATS
// connection refuses the client; a throttle keeps its factor; an
// allow-list entry clears what it beats; a removal through the other
// region clears both Redis copies; a lost key is written again; and a
// penalty-box decision an SDK instance made is left alone.
func TestRegionsRedisWriteThrough(t *testing.T) {
	u := redisURL(t)
	opt := redistest.Options(t)
	prefixes := map[string]string{"eu": redistest.Prefix(t, opt), "us": redistest.Prefix(t, opt)}
	rs := startRegionSet(t, []string{"eu", "us"}, func(n string, c *server.Config) {
		c.RedisURL, c.RedisPrefix, c.RedisResync = u, prefixes[n], 200*time.Millisecond
	})
	rc := libredis.NewClient(opt)
	t.Cleanup(func() { _ = rc.Close() })
	stores := map[string]*redisstore.Store{}
	for n, p := range prefixes {
		s, err := redisstore.New(rc, redisstore.Config{Prefix: p})
		if err != nil {
			t.Fatal(err)
		}
		stores[n] = s
	}
	cached := func(n, client string) storage.Decision {
		t.Helper()
		d, err := stores[n].Decision(context.Background(), client, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	const attacker, scraper = "203.0.113.40", "203.0.113.41"
	start := time.Now()
	key, exp := rs.decide(t, "eu", "ban", attacker, 0)
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis holds eu's ban", func() bool { return cached(n, attacker).Action == storage.ActionBan })
		t.Logf("ban in eu -> in %s's Redis: %v", n, time.Since(start).Round(time.Millisecond))
		d := cached(n, attacker)
		if d.Expires.Sub(exp).Abs() > 2*time.Second || !strings.HasPrefix(d.Reason, "operator: ") {
			t.Errorf("%s's Redis: %+v, want the ban until %v", n, d, exp)
		}
	}
	sdk := redisOnlyInstance(t, prefixes["us"])
	serve := func(h http.Handler, client string) int {
		in := &instance{handler: h}
		return in.serve("GET", "/", client)
	}
	if code := serve(sdk, attacker); code != http.StatusForbidden {
		t.Errorf("us's Redis-only instance: banned client got %d", code)
	}
	if code := serve(sdk, "198.51.100.7"); code != http.StatusOK {
		t.Errorf("us's Redis-only instance: another client got %d", code)
	}

	// a throttle made in us reaches eu's Redis with its factor; an
	// allow-list entry made in eu beats it and clears both copies
	rs.decide(t, "us", "throttle", scraper, 0.25)
	eventually(t, 5*time.Second, "eu's Redis holds us's throttle", func() bool {
		d := cached("eu", scraper)
		return d.Action == storage.ActionThrottle && d.Factor == 0.25
	})
	rs.allow(t, "eu", scraper)
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis clears the allow-listed throttle", func() bool { return cached(n, scraper).Action == storage.ActionNone })
	}

	// a key lost from Redis (a flush, a restart) is written again
	if err := stores["us"].DeleteDecision(context.Background(), attacker); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "us's Redis gets the ban back", func() bool { return cached("us", attacker).Action == storage.ActionBan })

	// removed through us: both copies go; a fresh Redis-only instance
	// serves the client (one that cached the ban keeps it until it
	// expires, as ratelimit.Adaptive.Unban says)
	if code, body := rs.call(t, "us", "DELETE", "/api/v1/decisions/"+key, nil); code != http.StatusNoContent {
		t.Fatalf("unban through us: %d %v", code, body)
	}
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis clears the ban", func() bool { return cached(n, attacker).Action == storage.ActionNone })
	}
	if code := serve(redisOnlyInstance(t, prefixes["us"]), attacker); code != http.StatusOK {
		t.Errorf("a fresh Redis-only instance: unbanned client got %d", code)
	}

	// an IPv6 client is keyed by its /64, as the SDK keys it by default
	// (and by its address, as an instance that does not aggregate does):
	// a ban of one address refuses it at a Redis-only instance, and the
	// /64 key stays while another address of the /64 is banned
	const v6a, v6b, v6net = "2001:db8:7:1::40", "2001:db8:7:1::41", "2001:db8:7:1::/64"
	keyA, _ := rs.decide(t, "eu", "ban", v6a, 0)
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis holds the IPv6 ban under the /64 and the address", func() bool {
			return cached(n, v6net).Action == storage.ActionBan && cached(n, v6a).Action == storage.ActionBan
		})
	}
	if code := serve(redisOnlyInstance(t, prefixes["us"]), v6a); code != http.StatusForbidden {
		t.Errorf("us's Redis-only instance: banned IPv6 client got %d", code)
	}
	keyB, _ := rs.decide(t, "us", "ban", v6b, 0)
	eventually(t, 5*time.Second, "eu's Redis holds the second IPv6 ban", func() bool { return cached("eu", v6b).Action == storage.ActionBan })
	if code, body := rs.call(t, "eu", "DELETE", "/api/v1/decisions/"+keyA, nil); code != http.StatusNoContent {
		t.Fatalf("unban %s: %d %v", v6a, code, body)
	}
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis clears the first IPv6 address", func() bool { return cached(n, v6a).Action == storage.ActionNone })
		if d := cached(n, v6net); d.Action != storage.ActionBan {
			t.Errorf("%s's Redis: the /64 key after one of its two bans was lifted: %+v", n, d)
		}
	}
	if code, body := rs.call(t, "us", "DELETE", "/api/v1/decisions/"+keyB, nil); code != http.StatusNoContent {
		t.Fatalf("unban %s: %d %v", v6b, code, body)
	}
	for _, n := range []string{"eu", "us"} {
		eventually(t, 5*time.Second, n+"'s Redis clears the /64 with its last ban", func() bool {
			return cached(n, v6net).Action == storage.ActionNone && cached(n, v6b).Action == storage.ActionNone
		})
	}

	// a penalty-box ban an SDK instance made on the unbanned client stays
	// through the resyncs that follow
	pen := storage.Decision{Action: storage.ActionBan, Reason: "repeated attacks", Expires: time.Now().Add(time.Hour)}
	if err := stores["us"].SetDecision(context.Background(), attacker, pen, time.Now()); err != nil {
		t.Fatal(err)
	}
	resyncs := func() float64 {
		_, body := rs.call(t, "us", "GET", "/api/v1/regions", nil)
		r, _ := body["redis"].(map[string]any)
		n, _ := r["resyncs"].(float64)
		return n
	}
	before := resyncs()
	eventually(t, 5*time.Second, "two resyncs of us", func() bool { return resyncs() >= before+2 })
	if d := cached("us", attacker); d.Action != storage.ActionBan || d.Reason != "repeated attacks" {
		t.Errorf("the SDK's penalty-box ban after resyncs: %+v", d)
	}
	_, body := rs.call(t, "us", "GET", "/api/v1/regions", nil)
	if r, _ := body["redis"].(map[string]any); r == nil || r["errors"] != 0.0 || r["written"] == 0.0 || r["cleared"] == 0.0 {
		t.Errorf("us's write-through status: %v", body["redis"])
	}
}

// loadCounts is what a steady load met.
type loadCounts struct {
	ok, refused, failed atomic.Int64 // 2xx; 403 of a banned client; 5xx, transport errors or a wrong answer
	mu                  sync.Mutex
	failures            []string
}

func (c *loadCounts) fail(msg string) {
	c.failed.Add(1)
	c.mu.Lock()
	if len(c.failures) < 10 {
		c.failures = append(c.failures, msg)
	}
	c.mu.Unlock()
}

// steadyLoad serves h over HTTP and sends it a request every 4 ms until
// the returned stop (also the test's cleanup): the i-th from the client
// and to the target next(i) names, expecting its status.
func steadyLoad(t *testing.T, h http.Handler, next func(i int) (client, target string, want int)) (*loadCounts, func()) {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	counts := &loadCounts{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		client := &http.Client{Timeout: 5 * time.Second}
		tick := time.NewTicker(4 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			c, target, want := next(i)
			req, _ := http.NewRequest("GET", hs.URL+target, nil)
			req.Header.Set("X-Forwarded-For", c)
			resp, err := client.Do(req)
			switch {
			case err != nil:
				counts.fail(err.Error())
			case resp.StatusCode != want:
				counts.fail(fmt.Sprintf("%s %s got %d, want %d", c, target, resp.StatusCode, want))
			case want == http.StatusOK:
				counts.ok.Add(1)
			default:
				counts.refused.Add(1)
			}
			if resp != nil {
				_ = resp.Body.Close()
			}
		}
	}()
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
			wg.Wait()
		}
	}
	t.Cleanup(stopLoad)
	return counts, stopLoad
}

// TestRegionsLossUnderLoad kills a spoke region outright (its control
// plane and its embedded NATS are one child process, sent SIGKILL right
// after it acknowledged its last decisions) while its SDK instance serves
// a steady load over HTTP: no request fails, the bans it enforced keep
// being enforced, the decisions the region acknowledged just before it
// died are not lost, and once it restarts on its data the three regions'
// aggregates become equal, and its instance enforces what the others
// decided meanwhile.
func TestRegionsLossUnderLoad(t *testing.T) {
	names := []string{"eu", "us", "ap"}
	// the regions share one model signing key (MODEL_SIGNING_KEY)
	shared, err := artefact.LoadOrCreateSigner(filepath.Join(t.TempDir(), "k"), "fleet")
	if err != nil {
		t.Fatal(err)
	}
	rs := startRegions(t, names, func(_ string, c *server.Config) { c.ModelKey = artefact.EncodeSigner(shared) }, "us")
	us := rs.cps["us"].(*childCP)
	ins := map[string]*instance{}
	for _, n := range names {
		ins[n] = newInstance(t, rs.cps[n].SDKURL(), n+"-1", instanceOpts{region: n, aggregate: true})
	}
	rs.waitReady(t, ins["eu"], ins["us"], ins["ap"])

	// bans us's instance enforces before the fault
	var enforced []string
	for i := range 5 {
		c := fmt.Sprintf("203.0.113.%d", 50+i)
		rs.decide(t, []string{"us", "eu"}[i%2], "ban", c, 0)
		enforced = append(enforced, c)
	}
	for _, c := range enforced {
		eventually(t, 5*time.Second, "us's instance enforces "+c, func() bool { return operatorBanned(ins["us"], c) })
	}

	counts, stopLoad := steadyLoad(t, ins["us"].handler, func(i int) (string, string, int) {
		if i%5 == 0 {
			return enforced[i/5%len(enforced)], "/", http.StatusForbidden
		}
		return fmt.Sprintf("198.51.100.%d", i%50+1), "/", http.StatusOK
	})

	// decisions us acknowledges right before it dies
	var acked []string
	for i := range 10 {
		c := fmt.Sprintf("203.0.113.%d", 70+i)
		rs.decide(t, "us", "ban", c, 0)
		acked = append(acked, c)
	}
	us.kill(t)
	down := time.Now()
	before := counts.ok.Load() + counts.refused.Load()

	// the others decide while us is down: new bans, the lift of one us
	// enforced, an allow-list entry
	var meanwhile []string
	for i := range 5 {
		c := fmt.Sprintf("203.0.113.%d", 90+i)
		rs.decide(t, []string{"eu", "ap"}[i%2], "ban", c, 0)
		meanwhile = append(meanwhile, c)
	}
	lifted := "203.0.113.99"
	liftKey, _ := rs.decide(t, "eu", "ban", lifted, 0)
	eventually(t, 5*time.Second, "ap's instance enforces eu's ban", func() bool { return operatorBanned(ins["ap"], lifted) })
	// ap's instance may enforce the ban a moment before ap's control plane
	// has read it (two watches of one aggregate): a 404 writes nothing
	var unban string
	eventually(t, 5*time.Second, "unban in ap of eu's ban", func() bool {
		code, body := rs.call(t, "ap", "DELETE", "/api/v1/decisions/"+liftKey, nil)
		unban = fmt.Sprint(code, body)
		return code == http.StatusNoContent
	})
	t.Logf("unban in ap: %s", unban)
	rs.allow(t, "eu", "203.0.113.98")
	// and a model: eu's combiner v7, active
	euAdmin := mint(t, rs.cps["eu"], server.ScopeAdmin)
	if code, body := api(t, rs.cps["eu"], euAdmin, "POST", "/api/v1/models",
		map[string]any{"kind": "combiner", "version": "v7", "stage": "active", "model": combinerJSON(t, "v7", -3.4)}); code != http.StatusCreated {
		t.Fatalf("eu: publish: %d %v", code, body)
	}
	eventually(t, 10*time.Second, "eu reports us stalled", func() bool {
		r := regionRows(t, rs.cps["eu"], rs.toks["eu"])["us"]
		return r != nil && r["stalled"] == true
	})

	// us comes back on its data and its NATS address
	us.restart(t)
	restarted := time.Now()
	outage := restarted.Sub(down)
	during := counts.ok.Load() + counts.refused.Load() - before
	t.Logf("us down %v; its instance answered %d requests meanwhile", outage.Round(time.Millisecond), during)
	if during < 50 {
		t.Errorf("only %d requests answered during the outage: the load stalled", during)
	}

	// converged: the three aggregates equal, holding what us acknowledged
	// before it died and what the others decided meanwhile
	readers := map[string]*replicate.Reader{}
	for _, n := range names {
		readers[n] = aggregateReader(t, rs.cps[n].SDKURL())
	}
	var last string
	eventually(t, 30*time.Second, "the three aggregates equal and complete", func() bool {
		views := map[string]string{}
		for _, n := range names {
			views[n] = snapshotString(readers[n].Snapshot())
		}
		if views["eu"] != views["us"] || views["eu"] != views["ap"] {
			last = fmt.Sprintf("differ: eu %d bytes, us %d, ap %d", len(views["eu"]), len(views["us"]), len(views["ap"]))
			return false
		}
		now := time.Now()
		for _, c := range slices.Concat(enforced, acked, meanwhile) {
			if _, in := readers["us"].Effective(decision.MustTarget("addr", c), now); in == nil || in.Action != decision.Ban {
				last = c + " not banned"
				return false
			}
		}
		allowed, in := readers["us"].Effective(decision.MustTarget("addr", lifted), now)
		if in != nil || allowed {
			last = lifted + " still banned"
			return false
		}
		return true
	})
	t.Logf("aggregates equal and complete %v after us restarted (last difference seen: %q)", time.Since(restarted).Round(time.Millisecond), last)
	for _, c := range slices.Concat(acked, meanwhile) {
		eventually(t, 10*time.Second, "us's instance enforces "+c, func() bool { return operatorBanned(ins["us"], c) })
	}
	eventually(t, 10*time.Second, "us's instance lifts "+lifted, func() bool { return !operatorBanned(ins["us"], lifted) })
	eventually(t, 10*time.Second, "us's instance allow-lists eu's entry", func() bool { return allowListed(ins["us"], "203.0.113.98") })
	eventually(t, 10*time.Second, "us adopts eu's combiner v7, published while it was down", func() bool {
		m := stagesOf(t, rs.cps["us"], rs.toks["us"])["combiner.active"]
		return m != nil && m["version"] == "v7" && m["key_id"] == "fleet"
	})
	t.Logf("us's instance caught up %v after us restarted", time.Since(restarted).Round(time.Millisecond))

	stopLoad()
	t.Logf("load: %d served, %d refused (banned), %d failed", counts.ok.Load(), counts.refused.Load(), counts.failed.Load())
	if n := counts.failed.Load(); n != 0 {
		t.Errorf("%d requests failed in us, e.g. %v", n, counts.failures)
	}
}

// snapshotString is a region's merged view in a canonical form.
func snapshotString(m map[decision.Target]replicate.Entry) string {
	var lines []string
	for t, e := range m {
		b, _ := json.Marshal(e)
		lines = append(lines, t.String()+" "+string(b))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestRegionsAckAll: with RegionAck "all", a ban is answered once every
// other region's aggregate holds it (the answer says so, and each holds
// it at that moment), a removal likewise; with one region gone, the
// answer comes after RegionAckTimeout as 202 Accepted naming that region,
// and the change is recorded and reaches the region still up.
func TestRegionsAckAll(t *testing.T) {
	names := []string{"eu", "us", "ap"}
	rs := startRegionSet(t, names, func(_ string, c *server.Config) {
		c.RegionAck, c.RegionAckTimeout = "all", 2*time.Second
	})
	aggregates := map[string]jetstream.KeyValue{}
	for _, n := range names {
		// the control plane's own credentials: SDK ones may watch the
		// aggregate, not read a key of it
		var err error
		if aggregates[n], err = controlPlaneJS(t, rs.cps[n], rs.cfgs[n].DataDir).KeyValue(context.Background(), replicate.AggregateBucket); err != nil {
			t.Fatal(err)
		}
	}
	holds := func(region, origin, key string, tombstone bool) bool {
		e, err := aggregates[region].Get(context.Background(), origin+"."+key)
		if err != nil {
			return false
		}
		v, err := decision.Unmarshal(e.Value())
		return err == nil && v.Tombstone == tombstone
	}
	code, body := rs.call(t, "us", "POST", "/api/v1/decisions", server.DecideRequest{
		Target: server.TargetJSON{Type: "addr", Value: "203.0.113.40"}, Action: "ban", TTL: "1h", Reason: "test"})
	if code != http.StatusCreated || body["replicated"] != true {
		t.Fatalf("ban with REGION_ACK=all: %d %v, want 201 replicated", code, body)
	}
	key := body["key"].(string)
	for _, n := range []string{"eu", "ap"} {
		if !holds(n, "us", key, false) {
			t.Errorf("%s's aggregate lacks the ban when us answered", n)
		}
	}
	if code, body := rs.call(t, "us", "DELETE", "/api/v1/decisions/"+key, nil); code != http.StatusOK || body["replicated"] != true {
		t.Fatalf("unban with REGION_ACK=all: %d %v, want 200 replicated", code, body)
	}
	for _, n := range []string{"eu", "ap"} {
		if !holds(n, "us", key, true) {
			t.Errorf("%s's aggregate lacks the unban when us answered", n)
		}
	}

	// ap goes away: us answers after the timeout, 202 with ap pending
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rs.server("ap").Close(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, body = rs.call(t, "us", "POST", "/api/v1/decisions", server.DecideRequest{
		Target: server.TargetJSON{Type: "addr", Value: "203.0.113.41"}, Action: "ban", TTL: "1h", Reason: "test"})
	took := time.Since(start)
	pending, _ := body["pending_regions"].([]any)
	if code != http.StatusAccepted || body["replicated"] != false || len(pending) != 1 || pending[0] != "ap" {
		t.Fatalf("ban with ap down: %d %v, want 202 with ap pending", code, body)
	}
	if took < 2*time.Second || took > 10*time.Second {
		t.Errorf("answered after %v, want about the 2 s timeout", took)
	}
	if !holds("eu", "us", body["key"].(string), false) {
		t.Error("eu's aggregate lacks the ban answered 202")
	}
}

// TestRegionsPenaltyBanCrossesRegions: a client whose attacks put it in
// the penalty box of an instance in us is refused by the instance in eu,
// which never saw an attack from it: the us instance reports the ban, its
// control plane writes it as a ban of the client's pseudonym until the
// ban's end (audited as the instance's), and it replicates.
func TestRegionsPenaltyBanCrossesRegions(t *testing.T) {
	names := []string{"eu", "us"}
	rs := startRegionSet(t, names, nil)
	ins := map[string]*instance{}
	for _, n := range names {
		ins[n] = newInstance(t, rs.cps[n].SDKURL(), n+"-1", instanceOpts{region: n, aggregate: true})
	}
	rs.waitReady(t, ins["eu"], ins["us"])
	const attacker = "203.0.113.77"
	if code := ins["eu"].serve("GET", "/", attacker); code != http.StatusOK {
		t.Fatalf("eu before: %d", code)
	}
	penalised := func() (ratelimit.Result, bool) {
		r, ok := ins["us"].limiter.Cached(attacker, time.Now())
		return r, ok && r.Penalty == storage.ActionBan && strings.HasPrefix(r.Reason, "penalty box")
	}
	for i := 0; i < 10; i++ {
		if _, ok := penalised(); ok {
			break
		}
		ins["us"].serve("GET", "/search?"+url.Values{"q": {"1' UNION SELECT password FROM users--"}}.Encode(), attacker)
	}
	r, ok := penalised()
	if !ok {
		t.Fatalf("us's instance did not put the attacker in its penalty box: %+v", r)
	}
	banned := time.Now()
	eventually(t, 10*time.Second, "eu's instance refuses the client us penalised", func() bool {
		return ins["eu"].serve("GET", "/", attacker) == http.StatusForbidden
	})
	t.Logf("figures: eu refused the client %v after us's ban", time.Since(banned).Round(time.Millisecond))
	if !operatorBanned(ins["eu"], attacker) {
		t.Error("eu's refusal is not the replicated ban")
	}
	admin := mint(t, rs.cps["us"], server.ScopeAdmin)
	_, audit := api(t, rs.cps["us"], admin, "GET", "/api/v1/audit?limit=1000", nil)
	n := 0
	for _, x := range audit["items"].([]any) {
		if row := x.(map[string]any); row["action"] == "penalty.replicate" && row["actor"] == "instance:us-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d penalty.replicate audit rows by instance:us-1, want 1", n)
	}
}
