package fleet_test

import (
	"context"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/natsembed"
	"github.com/bulwarkhq/bulwark/internal/natstest"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/internal/stream"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/fleet"
	"github.com/bulwarkhq/bulwark/threat"
)

var _ middleware.Events = (*fleet.Exporter)(nil)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*Server).logRejectedTLSConns"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats-server/v2/server.(*fileStore).flushLoop"),
		// a sourced stream's consumer setup waits up to 30 s for its answer
		// with no way to stop it (nats-server's srcConsumerWaitTime); it
		// outlives the server's Shutdown and ends on its own
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).trySetupSourceConsumer.func3"))
}

func startNATS(t *testing.T) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, js := natstest.JetStream(t, natsembed.Options{})
	ctx := context.Background()
	if _, err := stream.EnsureStream(ctx, js, time.Hour, 1<<30); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.EnsureDecisionBucket(ctx, js, stream.DefaultRegion); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

func names(t *testing.T) *fleet.Pseudonyms {
	p, err := fleet.NewPseudonyms([]byte("0123456789abcdef0123456789abcdef"), "k1", 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// engine is a Guard's engine that only gives every client a feature
// vector of three.
type engine struct{}

func (engine) Parse(*http.Request, string, string, time.Time, threat.Limits) *threat.Request {
	return &threat.Request{}
}
func (engine) Assess(context.Context, *threat.Request) threat.Assessment { return threat.Assessment{} }
func (engine) Release(*threat.Request)                                   {}
func (engine) Observe(string, string, int, time.Time)                    {}
func (engine) AppendFeatures(dst []float64, _ string) ([]float64, bool) {
	return append(dst, 1, 2, 3), true
}

// guard is a Guard on the standard in-memory limiter, with engine.
func guard(t *testing.T) (*bulwark.Guard, *ratelimit.Adaptive) {
	t.Helper()
	lim, err := ratestandard.New(ratestandard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := bulwark.New(bulwark.Config{Engine: engine{}, Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g, lim
}

// verdict is the verdict of a request of client on route at now.
func verdict(now time.Time, client, route string, o bulwark.Outcome) *bulwark.Verdict {
	return &bulwark.Verdict{Time: now, Client: client, Route: route, Method: "GET", Outcome: o}
}

func TestExporterPublishes(t *testing.T) {
	nc, js := startNATS(t)
	ps := names(t)
	g, _ := guard(t)
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: ps, Instance: "api-1", SampleRate: -1, Guard: g})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ids := map[event.ID]bool{}
	for i := 0; i < 100; i++ {
		ids[x.Record(verdict(now, "203.0.113.1", "/a", bulwark.Allowed), "")] = true
	}
	blocked := verdict(now, "198.51.100.9", "/search", bulwark.Blocked)
	blocked.Assessment = threat.Assessment{Score: 0.99, Level: threat.LevelCritical,
		Signals: []threat.Signal{{Detector: "sqli", Rule: "sqli.libinjection"}}}
	attack := event.ID(x.Record(blocked, ""))
	if len(ids) != 100 || ids[attack] {
		t.Fatal("ids are not unique")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := x.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := x.Stats()
	if st.Recorded != 101 || st.Sampled != 100 || st.Published != 1 || st.Dropped != 0 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}

	cons, err := js.OrderedConsumer(ctx, stream.StreamName, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	var got *event.Event
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && (got == nil || total < 101) {
		msg, err := cons.Next(jetstream.FetchMaxWait(time.Second))
		if err != nil {
			continue
		}
		switch {
		case msg.Subject() == stream.BatchSubject("default", "api-1"):
			b, err := event.DecodeBatch(msg.Data())
			if err != nil {
				t.Fatal(err)
			}
			if b.KeyID != "k1" || len(b.Events) != 1 {
				t.Fatalf("batch %+v", b)
			}
			got = &b.Events[0]
		case msg.Subject() == stream.ReportSubject("default", "api-1"):
			r, err := event.DecodeReport(msg.Data())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range r.Counts {
				total += c.N
			}
		}
	}
	if total != 101 {
		t.Errorf("reports counted %d requests, want 101", total)
	}
	if got == nil || got.ID != attack || got.Pseudonym != ps.Of("198.51.100.9") || got.Client != "" || len(got.Features) != 3 ||
		got.Family != "sqli" || got.Reasons[0] != "sqli.libinjection" || got.Outcome != event.OutcomeBlocked {
		t.Fatalf("event %+v", got)
	}
}

func TestExporterDropsWhenFull(t *testing.T) {
	// No server at all: nothing is acknowledged, the queue fills, the rest
	// is counted as dropped, and Record never blocks.
	nc, err := fleet.Connect("nats://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names(t), QueueSize: 100, SampleRate: 1, AckTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 10_000; i++ {
		x.Record(verdict(start, "c", "", bulwark.Allowed), "")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("10,000 records took %v", d)
	}
	st := x.Stats()
	if st.Dropped < 9_000 || st.Queued > 100 || st.Dropped+st.Queued+st.Sampled != 10_000 {
		t.Errorf("stats %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := x.Close(ctx); err == nil {
		t.Error("Close reported nothing lost")
	}
	if st := x.Stats(); st.Dropped != 10_000 || st.Queued != 0 {
		t.Errorf("after close %+v", st)
	}
}

func TestWatcherEnforces(t *testing.T) {
	nc, js := startNATS(t)
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, stream.DecisionBucket(stream.DefaultRegion))
	if err != nil {
		t.Fatal(err)
	}
	g, lim := guard(t)
	ps := names(t)
	clock := decision.NewClock(nil)
	put := func(v decision.Value) {
		t.Helper()
		v.Origin, v.Stamp = "local", clock.Now()
		b, err := v.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx, v.Key(), b); err != nil {
			t.Fatal(err)
		}
	}
	hour := time.Now().Add(time.Hour)
	put(decision.Value{Target: decision.MustTarget("cidr", "198.51.100.0/24"), Action: decision.Ban, Reason: "botnet", Expires: hour})

	w, err := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: g, Pseudonyms: ps})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	select {
	case <-w.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("not ready")
	}
	banned := func(key string) bool {
		r, ok := lim.Cached(key, time.Now())
		return ok && r.Penalty == storage.ActionBan
	}
	within := func(what string, f func() bool) {
		t.Helper()
		start := time.Now()
		for time.Since(start) < time.Second {
			if f() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Errorf("%s: not within 1s", what)
	}
	if !banned("198.51.100.7") {
		t.Error("value present at start not applied")
	}
	// a pseudonym ban reaches a client seen before and one seen after
	seen := "203.0.113.50"
	p := ps.Of(seen)
	put(decision.Value{Target: decision.MustTarget("pseudonym", p), Action: decision.Ban, Reason: "dashboard", Expires: hour})
	within("pseudonym ban", func() bool { return banned(seen) })
	// a client seen only in sampled-out benign events is known by pseudonym too
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: ps, SampleRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close(context.Background())
	quiet := "203.0.113.77"
	x.Record(verdict(time.Now(), quiet, "/", bulwark.Allowed), "")
	qp := names(t).Of(quiet) // the same key, another cache: ps learns it from the exporter only
	within("pseudonym known from a sampled-out event", func() bool { return len(fleet.Clients(ps, qp)) == 1 })
	put(decision.Value{Target: decision.MustTarget("pseudonym", qp), Action: decision.Ban, Reason: "dashboard", Expires: hour})
	within("ban of a benign client's pseudonym", func() bool { return banned(quiet) })
	// allow beats ban
	put(decision.Value{Target: decision.MustTarget("addr", "198.51.100.7"), Action: decision.Allow})
	within("allow", func() bool {
		r, ok := lim.Cached("198.51.100.7", time.Now())
		return ok && r.AllowListed
	})
	// a tombstone lifts the ban
	put(decision.Value{Target: decision.MustTarget("cidr", "198.51.100.0/24"), Action: decision.Ban, Tombstone: true})
	within("tombstone", func() bool { return !banned("198.51.100.8") })
	// a route throttle for a window that starts later: the route keeps its
	// rate until then, and every client on it gets a fifth of it after
	limitOn := func(client string, at time.Time) int64 {
		r, err := lim.AllowAt(ctx, client, "/login", 0, at)
		if err != nil {
			t.Fatal(err)
		}
		return r.Limit
	}
	base := limitOn("192.0.2.1", time.Now())
	starts := time.Now().Add(time.Hour)
	put(decision.Value{Target: decision.MustTarget("route", "/login"), Action: decision.Throttle, Factor: 0.2,
		Reason: "predicted attack window", Starts: starts, Expires: starts.Add(time.Hour)})
	within("route throttle in its window", func() bool { return limitOn("192.0.2.2", starts.Add(time.Minute)) == base/5 })
	if got := limitOn("192.0.2.3", time.Now()); got != base {
		t.Errorf("route throttle before its window: limit %d, want %d", got, base)
	}
	// garbage is counted, not applied
	if _, err := kv.Put(ctx, "deny.addr.eA", []byte("{")); err != nil {
		t.Fatal(err)
	}
	within("invalid counted", func() bool { return w.Stats().Invalid == 1 })
	if _, ok := netip.ParseAddr(seen); ok != nil {
		t.Fatal(ok)
	}
}

// BenchmarkRecord is the request path's cost of exporting one event (the
// goal: at most 200 ns and 1 allocation). Events go in bursts of 256, and
// the clock stops while the collector drains the queue, so every event
// measured is queued (none dropped). BenchmarkRecordFull measures the
// other path, a full queue, where every event is dropped and counted.
func BenchmarkRecord(b *testing.B)     { benchRecord(b, false) }
func BenchmarkRecordFull(b *testing.B) { benchRecord(b, true) }

func benchRecord(b *testing.B, full bool) {
	nc, err := fleet.Connect("nats://127.0.0.1:1")
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	p, _ := fleet.NewPseudonyms([]byte("0123456789abcdef0123456789abcdef"), "k1", 0)
	size := 1 << 20
	if full {
		size = 1
	}
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: p, SampleRate: -1, QueueSize: size})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = x.Close(ctx)
	}()
	v := verdict(time.Now(), "203.0.113.7", "/api/items/{id}", bulwark.Allowed)
	v.Limit = ratelimit.Result{Allowed: true, Limit: 100, Remaining: 99}
	if full {
		x.Record(v, "") // fills the queue of one
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		x.Record(v, "")
		if n++; !full && n%256 == 0 {
			b.StopTimer()
			for x.Stats().Queued > 0 {
				time.Sleep(10 * time.Microsecond)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	st := x.Stats()
	if !full && st.Dropped > 0 {
		b.Errorf("dropped %d of %d", st.Dropped, st.Recorded)
	}
}

// TestWatcherAggregate watches a region's aggregate of several regions'
// decisions (as the sources of replicate.Configure fill it; here written
// directly) and enforces their merge: last writer over regions, allow
// beats ban, route throttles with a start, pseudonyms.
func TestWatcherAggregate(t *testing.T) {
	nc, js := natstest.JetStream(t, natsembed.Options{Dir: t.TempDir(), Domain: "eu"})
	ctx := context.Background()
	if _, err := replicate.Configure(ctx, js, "eu", []string{"eu"}); err != nil {
		t.Fatal(err)
	}
	agg, err := js.KeyValue(ctx, replicate.AggregateBucket)
	if err != nil {
		t.Fatal(err)
	}
	g, lim := guard(t)
	ps := names(t)
	clock := decision.NewClock(nil)
	put := func(region string, v decision.Value) {
		t.Helper()
		v.Origin, v.Stamp = region, clock.Now()
		b, err := v.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := agg.Put(ctx, region+"."+v.Key(), b); err != nil {
			t.Fatal(err)
		}
	}
	hour := time.Now().Add(time.Hour)
	cidr := decision.MustTarget("cidr", "198.51.100.0/24")
	put("us", decision.Value{Target: cidr, Action: decision.Ban, Reason: "botnet", Expires: hour})

	w, err := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: g, Pseudonyms: ps, Region: "eu", Aggregate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	select {
	case <-w.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("not ready")
	}
	banned := func(key string) bool {
		r, ok := lim.Cached(key, time.Now())
		return ok && r.Penalty == storage.ActionBan
	}
	allowed := func(key string) bool {
		r, ok := lim.Cached(key, time.Now())
		return ok && r.AllowListed
	}
	within := func(what string, f func() bool) {
		t.Helper()
		start := time.Now()
		for time.Since(start) < time.Second {
			if f() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Errorf("%s: not within 1s", what)
	}
	within("another region's ban present at start", func() bool { return banned("198.51.100.7") })
	// an older unban of another region loses; a later one wins
	old := decision.Value{Target: cidr, Action: decision.Ban, Tombstone: true, Origin: "eu", Stamp: decision.Stamp{Wall: 1}}
	b, _ := old.Marshal()
	if _, err := agg.Put(ctx, "eu."+old.Key(), b); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if !banned("198.51.100.7") {
		t.Error("an older unban of another region lifted the ban")
	}
	put("eu", decision.Value{Target: cidr, Action: decision.Ban, Tombstone: true})
	within("a later unban of another region", func() bool { return !banned("198.51.100.7") })
	// allow (eu) beats ban (us), and its removal brings the ban back
	addr := decision.MustTarget("addr", "203.0.113.9")
	put("us", decision.Value{Target: addr, Action: decision.Ban, Reason: "scanner", Expires: hour})
	within("ban", func() bool { return banned("203.0.113.9") })
	put("eu", decision.Value{Target: addr, Action: decision.Allow})
	within("allow beats ban", func() bool { return allowed("203.0.113.9") })
	put("eu", decision.Value{Target: addr, Action: decision.Allow, Tombstone: true})
	within("allow removed: the ban again", func() bool { return banned("203.0.113.9") })
	// a pseudonym ban of another region reaches a client seen before
	seen := "203.0.113.50"
	put("us", decision.Value{Target: decision.MustTarget("pseudonym", ps.Of(seen)), Action: decision.Ban, Reason: "dashboard", Expires: hour})
	within("pseudonym ban", func() bool { return banned(seen) })
	// a route throttle of another region, for a window that starts later
	limitOn := func(client string, at time.Time) int64 {
		r, err := lim.AllowAt(ctx, client, "/login", 0, at)
		if err != nil {
			t.Fatal(err)
		}
		return r.Limit
	}
	base := limitOn("192.0.2.1", time.Now())
	starts := time.Now().Add(time.Hour)
	put("us", decision.Value{Target: decision.MustTarget("route", "/login"), Action: decision.Throttle, Factor: 0.2,
		Reason: "predicted attack window", Starts: starts, Expires: starts.Add(time.Hour)})
	within("route throttle in its window", func() bool { return limitOn("192.0.2.2", starts.Add(time.Minute)) == base/5 })
	if got := limitOn("192.0.2.3", time.Now()); got != base {
		t.Errorf("route throttle before its window: limit %d, want %d", got, base)
	}
	// garbage, and a value under another region's key, are counted
	if _, err := agg.Put(ctx, "us.deny.addr.eA", []byte("{")); err != nil {
		t.Fatal(err)
	}
	forged := decision.Value{Target: addr, Action: decision.Ban, Origin: "eu", Stamp: clock.Now(), Expires: hour}
	b, _ = forged.Marshal()
	if _, err := agg.Put(ctx, "us."+forged.Key(), b); err != nil {
		t.Fatal(err)
	}
	within("invalid counted", func() bool { return w.Stats().Invalid == 2 })
	if st := w.Stats(); st.Active < 2 {
		t.Errorf("stats %+v", st)
	}
}
