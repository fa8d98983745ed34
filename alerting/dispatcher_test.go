package alerting

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type claimFunc func(ctx context.Context, key string, ttl time.Duration) (bool, error)

func (f claimFunc) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return f(ctx, key, ttl)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorder is a sink that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	alerts []Alert
	got    chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 1<<16)} }

func (r *recorder) Send(_ context.Context, a Alert) error {
	r.mu.Lock()
	r.alerts = append(r.alerts, a)
	r.mu.Unlock()
	r.got <- struct{}{}
	return nil
}

func (r *recorder) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second) // liveness guard, not a timing assertion
	for range n {
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("sink got %d of %d alerts", len(r.snapshot()), n)
		}
	}
}

func (r *recorder) snapshot() []Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Alert(nil), r.alerts...)
}

func closeOK(t *testing.T, d *Dispatcher) {
	t.Helper()
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRoutingCriticalsToPager(t *testing.T) {
	clk := &fakeClock{t: t0}
	pager, log := newRecorder(), newRecorder()
	d, err := New(Config{
		Secret:        []byte("k"),
		now:           clk.Now,
		TickInterval:  -1,
		Sinks:         []SinkConfig{{Name: "pager", Sink: pager}, {Name: "log", Sink: log}},
		Subscriptions: []Subscription{{Name: "criticals", MinLevel: threat.LevelCritical, Sinks: []string{"pager"}}},
		DefaultSinks:  []string{"log"},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "evil", Kind: KindThreat, Level: threat.LevelCritical, Score: 0.99, Time: t0})
	d.Publish(Event{Client: "meh", Kind: KindRateLimit, Level: threat.LevelLow, Time: t0})
	d.Publish(Event{Client: "hmm", Kind: KindThreat, Level: threat.LevelHigh, Score: 0.8, Time: t0})
	clk.Add(time.Minute)
	if err := d.tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	pager.wait(t, 1)
	log.wait(t, 2)
	closeOK(t, d)
	if p, l := len(pager.snapshot()), len(log.snapshot()); p != 1 || l != 2 {
		t.Fatalf("pager got %d, log got %d; want 1 and 2", p, l)
	}
	for _, a := range pager.snapshot() {
		if a.Level != threat.LevelCritical || a.Labels[LabelClient] != d.Pseudonym("evil") {
			t.Fatalf("pager got %+v", a)
		}
	}
	for _, a := range log.snapshot() {
		if a.Level == threat.LevelCritical {
			t.Fatalf("log got a critical: %+v", a)
		}
	}
}

func TestRouteContinueAndThrottle(t *testing.T) {
	clk := &fakeClock{t: t0}
	a, b := newRecorder(), newRecorder()
	d, err := New(Config{
		Secret: []byte("k"), now: clk.Now, TickInterval: -1,
		Sinks: []SinkConfig{{Name: "a", Sink: a}, {Name: "b", Sink: b, Throttle: Throttle{Limit: 2, Per: time.Hour}}},
		Subscriptions: []Subscription{
			{Name: "all-a", Sinks: []string{"a"}, Continue: true},
			{Name: "all-b", Sinks: []string{"b"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"1", "2", "3", "4", "5"} {
		d.Publish(Event{Client: c})
	}
	if err := d.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.wait(t, 5)
	b.wait(t, 2)
	closeOK(t, d)
	st := d.Stats()
	if len(b.snapshot()) != 2 || st.Sinks["b"].Throttled != 3 || st.Sinks["a"].Delivered != 5 {
		t.Fatalf("b got %d, stats %+v", len(b.snapshot()), st.Sinks)
	}
}

// gateClock blocks the worker's first Now call until released, so the
// queue fills deterministically.
type gateClock struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gateClock) Now() time.Time {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return t0
}

func TestQueueOverflowCountsDrops(t *testing.T) {
	g := &gateClock{entered: make(chan struct{}), release: make(chan struct{})}
	const size = 16
	d, err := New(Config{Secret: []byte("k"), now: g.Now, TickInterval: -1, QueueSize: size, Sinks: []SinkConfig{{Name: "r", Sink: newRecorder()}}})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "x"}) // the worker takes it and blocks in Now
	<-g.entered
	accepted, refused := 0, 0
	for range size + 100 {
		if d.Publish(Event{Client: "x"}) {
			accepted++
		} else {
			refused++
		}
	}
	close(g.release)
	closeOK(t, d)
	st := d.Stats()
	if accepted != size || refused != 100 || st.Dropped != 100 || st.Published != size+1 {
		t.Fatalf("accepted %d refused %d, stats %+v", accepted, refused, st)
	}
	if d.Publish(Event{Client: "x"}) || d.Stats().Dropped != 101 {
		t.Fatal("publish after Close not refused and counted")
	}
}

func TestRetriesThenDeadLetter(t *testing.T) {
	var mu sync.Mutex
	type deadLetter struct {
		sink  string
		alert Alert
		err   error
	}
	var dead []deadLetter
	calls := 0
	flaky := SinkFunc(func(ctx context.Context, a Alert) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if a.Labels[LabelClient] == "bad" {
			return Permanent(errors.New("rejected"))
		}
		if calls < 4 {
			return errors.New("boom")
		}
		return nil
	})
	d, err := New(Config{
		RawClients: true, TickInterval: -1,
		Sinks:        []SinkConfig{{Name: "f", Sink: flaky}},
		RetryInitial: time.Millisecond, RetryMax: 2 * time.Millisecond, RetryMaxElapsed: time.Minute,
		BreakerFailures: 100,
		DeadLetter: func(sink string, a Alert, err error) {
			mu.Lock()
			dead = append(dead, deadLetter{sink, a, err})
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "good"})
	if err := d.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "bad"})
	closeOK(t, d)
	st := d.Stats()
	if totals(st).Delivered != 1 || totals(st).Retries != 3 || totals(st).Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
	if len(dead) != 1 || dead[0].alert.Labels[LabelClient] != "bad" || !IsPermanent(dead[0].err) {
		t.Fatalf("dead letters %+v", dead)
	}
}

func TestClaimerSkipsDuplicatesAndFallsBack(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	shared := claimFunc(func(_ context.Context, key string, _ time.Duration) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if seen[key] {
			return false, nil
		}
		seen[key] = true
		return true, nil
	})
	down := claimFunc(func(context.Context, string, time.Duration) (bool, error) { return false, errors.New("redis down") })
	cases := []struct {
		name                string
		claimer             Claimer
		wantSent, wantDup   int
		wantClaimErrorCount uint64
	}{
		{"shared claim: one replica sends", shared, 1, 1, 0},
		{"claimer down: both send, counted", down, 2, 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			var ds []*Dispatcher
			for range 2 {
				d, err := New(Config{Secret: []byte("shared"), Claimer: tc.claimer, TickInterval: -1, Sinks: []SinkConfig{{Name: "r", Sink: rec}}})
				if err != nil {
					t.Fatal(err)
				}
				ds = append(ds, d)
				d.Publish(Event{Client: "attacker"})
			}
			var dups, claimErrs uint64
			for _, d := range ds {
				closeOK(t, d)
				dups += totals(d.Stats()).Duplicates
				claimErrs += totals(d.Stats()).ClaimErrors
			}
			if len(rec.snapshot()) != tc.wantSent || dups != uint64(tc.wantDup) || claimErrs != tc.wantClaimErrorCount {
				t.Fatalf("sent %d dup %d claimErrs %d", len(rec.snapshot()), dups, claimErrs)
			}
		})
	}
}

func TestZeroConfigWorks(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Publish(Event{Client: "x", Kind: KindThreat}) {
		t.Fatal("publish refused")
	}
	closeOK(t, d)
	if st := d.Stats(); totals(st).Delivered != 1 || st.Incidents != 1 {
		t.Fatalf("stats %+v", st)
	}
	if err := d.Close(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

func TestBucket(t *testing.T) {
	b := newBucket(Throttle{Limit: 2, Per: time.Minute})
	steps := []struct {
		at   time.Duration
		want bool
	}{{0, true}, {0, true}, {0, false}, {20 * time.Second, false}, {30 * time.Second, true}, {30 * time.Second, false}, {5 * time.Minute, true}, {5 * time.Minute, true}, {5 * time.Minute, false}}
	for i, s := range steps {
		if got := b.allow(t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d at %v: %v, want %v", i, s.at, got, s.want)
		}
	}
	if !(*bucket)(nil).allow(t0) {
		t.Fatal("nil bucket refuses")
	}
}

func nopSend(context.Context, Alert) error { return nil }

// TestClientKeysPseudonymisedByDefault: with no RawClients, the raw client
// key appears nowhere in what a sink receives, and the label is the
// HMAC-SHA256 of the key under Config.Secret.
func TestClientKeysPseudonymisedByDefault(t *testing.T) {
	const raw = "203.0.113.77"
	secret := []byte("tenant-secret")
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(raw))
	want := "c_" + hex.EncodeToString(m.Sum(nil)[:10])
	cases := []struct {
		name    string
		cfg     Config
		label   string
		leakRaw bool
	}{
		{"zero config: random per-process key", Config{}, "", false},
		{"configured secret: HMAC-SHA256", Config{Secret: secret}, want, false},
		{"raw clients on request", Config{RawClients: true}, raw, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			cfg := tc.cfg
			cfg.TickInterval = -1
			cfg.Sinks = []SinkConfig{{Name: "r", Sink: rec}}
			d, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			d.Publish(Event{Client: raw, Kind: KindThreat, Level: threat.LevelHigh, Reasons: []string{"sqli"}, Route: "/login"})
			d.Publish(Event{Client: raw, Kind: KindRateLimit, Level: threat.LevelLow, Route: "/login"})
			closeOK(t, d)
			got := rec.snapshot()
			if len(got) != 1 {
				t.Fatalf("%d alerts", len(got))
			}
			b, err := json.Marshal(got[0])
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), raw) != tc.leakRaw {
				t.Fatalf("raw key in alert = %v, want %v: %s", !tc.leakRaw, tc.leakRaw, b)
			}
			label := got[0].Labels[LabelClient]
			if label != d.Pseudonym(raw) || (tc.label != "" && label != tc.label) || label == "" {
				t.Fatalf("client label %q, Pseudonym %q, want %q", label, d.Pseudonym(raw), tc.label)
			}
		})
	}
}

// TestCloseEndsEveryGoroutine: with a ticking worker, a sink stuck in
// Send and one retrying, Close with a short deadline still returns only
// after every goroutine the dispatcher started has ended.
func TestCloseEndsEveryGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stuck := SinkFunc(func(ctx context.Context, a Alert) error { <-ctx.Done(); return ctx.Err() })
	failing := SinkFunc(func(context.Context, Alert) error { return errors.New("down") })
	var dead atomic.Int32
	d, err := New(Config{
		Secret: []byte("k"), GroupWait: time.Millisecond, TickInterval: time.Millisecond,
		Sinks:        []SinkConfig{{Name: "stuck", Sink: stuck, Timeout: time.Hour}, {Name: "failing", Sink: failing}},
		RetryInitial: time.Hour, RetryMaxElapsed: 10 * time.Hour,
		DeadLetter: func(string, Alert, error) { dead.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "a"})
	// Wait until both sinks hold the alert (the stuck one in Send, the
	// failing one sleeping before its first retry).
	deadline := time.Now().Add(20 * time.Second) // liveness guard only
	for d.Stats().Sinks["failing"].Retries == 0 || d.Stats().Notifications == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("sinks never busy: %+v", d.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	// Both undelivered alerts were dead-lettered before Close returned.
	if st := d.Stats(); totals(st).Failed != 2 || totals(st).Delivered != 0 || dead.Load() != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestBurstThroughDispatcher: the burst end to end. 10,000
// events of one client over a minute, two thirds threat and one third
// rate-limit, published as the request path would while a fake clock
// ticks every second for 35 minutes, reach the sink as one incident:
// notified after the group wait, updated once for the later evidence,
// then repeated at the repeat interval, with both kinds merged.
func TestBurstThroughDispatcher(t *testing.T) {
	clk := &fakeClock{t: t0}
	rec := newRecorder()
	d, err := New(Config{
		Secret: []byte("k"), now: clk.Now, TickInterval: -1,
		GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: 10 * time.Minute, ResolveTimeout: time.Hour,
		Sinks: []SinkConfig{{Name: "r", Sink: rec}},
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10000
	next := 0
	ctx := context.Background()
	for sec := 0; sec <= 35*60; sec++ {
		now := t0.Add(time.Duration(sec) * time.Second)
		for ; next < n; next++ {
			at := t0.Add(time.Duration(next) * time.Minute / n)
			if at.After(now) {
				break
			}
			e := Event{Client: "203.0.113.7", Kind: KindThreat, Score: 0.9, Level: threat.LevelHigh, Reasons: []string{"sqli", "scanner"}, Route: "/login", Method: "POST", Time: at}
			if next%3 == 0 {
				e = Event{Client: "203.0.113.7", Kind: KindRateLimit, Level: threat.LevelLow, Route: "/login", Method: "POST", Time: at}
			}
			if !d.Publish(e) {
				t.Fatalf("event %d refused", next)
			}
		}
		clk.Add(time.Second)
		if err := d.tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	closeOK(t, d)
	got := rec.snapshot()
	var reasons []string
	for _, a := range got {
		reasons = append(reasons, a.Trigger)
	}
	want := []string{"new", "update", "repeat", "repeat", "repeat"}
	if !slices.Equal(reasons, want) {
		t.Fatalf("notifications %v, want %v", reasons, want)
	}
	last := got[len(got)-1]
	for i, a := range got {
		if a.Fingerprint != last.Fingerprint || a.Sequence != uint64(i+1) {
			t.Fatalf("notification %d: fingerprint %s seq %d", i, a.Fingerprint, a.Sequence)
		}
	}
	st := d.Stats()
	if st.Incidents != 1 || st.Published != n || st.Dropped != 0 || totals(st).Delivered != uint64(len(want)) {
		t.Fatalf("stats %+v", st)
	}
	if last.Count != n || last.Threat != n-n/3-1 || last.RateLimit != n/3+1 || last.Level != threat.LevelCritical {
		t.Fatalf("evidence: count %d threat %d rate-limit %d severity %v", last.Count, last.Threat, last.RateLimit, last.Level)
	}
	if len(last.Reasons) != 2 || last.Reasons[0] != (ReasonCount{"scanner", last.Threat}) && last.Reasons[0] != (ReasonCount{"sqli", last.Threat}) {
		t.Fatalf("reasons %v", last.Reasons)
	}
}

// TestEscalationReroutes: an incident notified as high to the default
// sink goes to the criticals' sink once its volume escalates it.
func TestEscalationReroutes(t *testing.T) {
	clk := &fakeClock{t: t0}
	pager, log := newRecorder(), newRecorder()
	d, err := New(Config{
		Secret: []byte("k"), now: clk.Now, TickInterval: -1, GroupWait: time.Second, Escalation: []uint64{50},
		Sinks:         []SinkConfig{{Name: "pager", Sink: pager}, {Name: "log", Sink: log}},
		Subscriptions: []Subscription{{Name: "criticals", Match: map[string]string{LabelLevel: "critical"}, Sinks: []string{"pager"}}},
		DefaultSinks:  []string{"log"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d.Publish(Event{Client: "x", Kind: KindThreat, Level: threat.LevelHigh, Time: t0})
	clk.Add(2 * time.Second)
	if err := d.tick(ctx); err != nil {
		t.Fatal(err)
	}
	for range 60 {
		d.Publish(Event{Client: "x", Kind: KindRateLimit, Level: threat.LevelLow, Time: clk.Now()})
	}
	clk.Add(time.Second)
	if err := d.tick(ctx); err != nil {
		t.Fatal(err)
	}
	closeOK(t, d)
	l, p := log.snapshot(), pager.snapshot()
	if len(l) != 1 || l[0].Level != threat.LevelHigh || len(p) != 1 || p[0].Level != threat.LevelCritical || p[0].Trigger != "escalated" || p[0].Fingerprint != l[0].Fingerprint {
		t.Fatalf("log %+v\npager %+v", l, p)
	}
}

// TestEachSinkOwnsItsAlert: a sink that modifies the alert it got (labels,
// reasons, samples) changes nothing another sink or a later notification
// sees. Run with -race.
func TestEachSinkOwnsItsAlert(t *testing.T) {
	vandal := SinkFunc(func(_ context.Context, a Alert) error {
		a.Labels[LabelClient] = "changed"
		a.Reasons[0].Reason = "changed"
		a.Routes[0] = "changed"
		a.Samples[0].Reasons[0] = "changed"
		return nil
	})
	rec := newRecorder()
	clk := &fakeClock{t: t0}
	d, err := New(Config{
		RawClients: true, now: clk.Now, TickInterval: -1, GroupWait: time.Second, GroupInterval: time.Second,
		Sinks: []SinkConfig{{Name: "vandal", Sink: vandal}, {Name: "rec", Sink: rec}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		d.Publish(Event{Client: "x", Kind: KindThreat, Reasons: []string{"sqli"}, Route: "/a", Time: clk.Now()})
		clk.Add(2 * time.Second)
		if err := d.tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, 1)
	}
	closeOK(t, d)
	for _, a := range rec.snapshot() {
		if a.Labels[LabelClient] != "x" || a.Reasons[0].Reason != "sqli" || a.Routes[0] != "/a" || a.Samples[0].Reasons[0] != "sqli" {
			t.Fatalf("alert modified by another sink: %+v", a)
		}
	}
}

// TestPublishRacingCloseLosesNothingUncounted: publishers running while
// Close runs; every accepted event is either in the incident's final count
// or counted as dropped.
func TestPublishRacingCloseLosesNothingUncounted(t *testing.T) {
	for range 20 {
		rec := newRecorder()
		d, err := New(Config{RawClients: true, TickInterval: -1, QueueSize: 64, Sinks: []SinkConfig{{Name: "r", Sink: rec}}})
		if err != nil {
			t.Fatal(err)
		}
		var accepted, refused atomic.Uint64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range 2000 {
					if d.Publish(Event{Client: "x"}) {
						accepted.Add(1)
					} else {
						refused.Add(1)
					}
				}
			}()
		}
		close(start)
		closeOK(t, d)
		wg.Wait()
		st := d.Stats()
		var ingested uint64
		for _, a := range rec.snapshot() {
			ingested = max(ingested, a.Count)
		}
		if st.Published != accepted.Load() || ingested+(st.Dropped-refused.Load()) != accepted.Load() {
			t.Fatalf("accepted %d refused %d ingested %d, stats published %d dropped %d",
				accepted.Load(), refused.Load(), ingested, st.Published, st.Dropped)
		}
	}
}

// totals adds up the sinks' counters.
func totals(st Stats) SinkStats {
	var t SinkStats
	for _, s := range st.Sinks {
		t.Delivered += s.Delivered
		t.Failed += s.Failed
		t.Dropped += s.Dropped
		t.Throttled += s.Throttled
		t.Retries += s.Retries
		t.Duplicates += s.Duplicates
		t.ClaimErrors += s.ClaimErrors
	}
	return t
}
