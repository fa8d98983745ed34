package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/webhook"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	secret = []byte("s3cret")
	t0     = time.Unix(1_795_000_000, 0)
)

func TestVerify(t *testing.T) {
	body := []byte(`{"fingerprint":"abc"}`)
	ts := t0.Unix()
	good := webhook.Sign(secret, ts, body)
	cases := []struct {
		name      string
		timestamp string
		signature string
		body      []byte
		now       time.Time
		want      error
	}{
		{"valid", strconv.FormatInt(ts, 10), good, body, t0.Add(time.Minute), nil},
		{"tampered body", strconv.FormatInt(ts, 10), good, []byte(`{"fingerprint":"abd"}`), t0, webhook.ErrSignature},
		{"other secret", strconv.FormatInt(ts, 10), webhook.Sign([]byte("x"), ts, body), body, t0, webhook.ErrSignature},
		{"replayed late", strconv.FormatInt(ts, 10), good, body, t0.Add(6 * time.Minute), webhook.ErrStale},
		{"from the future", strconv.FormatInt(ts, 10), good, body, t0.Add(-6 * time.Minute), webhook.ErrStale},
		{"timestamp moved to renew a replay", strconv.FormatInt(ts+300, 10), good, body, t0.Add(6 * time.Minute), webhook.ErrSignature},
		{"garbage timestamp", "soon", good, body, t0, webhook.ErrSignature},
		{"empty signature", strconv.FormatInt(ts, 10), "", body, t0, webhook.ErrSignature},
		{"huge timestamp", "9223372036854775807", good, body, t0, webhook.ErrStale},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(secret, tc.timestamp, tc.signature, tc.body, tc.now, 0)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	body := []byte(`{"fingerprint":"abc","level":"high"}`)
	f.Add(strconv.FormatInt(t0.Unix(), 10), webhook.Sign(secret, t0.Unix(), body), body)
	f.Add("-9223372036854775808", "v1=00", []byte{})
	f.Add(" 1795000000 ", "v1=zz", []byte("{"))
	f.Fuzz(func(t *testing.T, ts, sig string, b []byte) {
		err := webhook.Verify(secret, ts, sig, b, t0, time.Minute)
		if err == nil {
			// Accepted: it must be the genuine signature of a fresh timestamp.
			n, perr := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
			if perr != nil || strings.TrimSpace(sig) != webhook.Sign(secret, n, b) || n < t0.Unix()-60 || n > t0.Unix()+60 {
				t.Fatalf("accepted forged ts=%q sig=%q", ts, sig)
			}
		}
	})
}

func TestSendSignsAndClassifiesStatus(t *testing.T) {
	cases := []struct {
		status    int
		wantErr   bool
		permanent bool
	}{
		{200, false, false}, {204, false, false},
		{400, true, true}, {401, true, true}, {404, true, true},
		{408, true, false}, {429, true, false}, {500, true, false}, {503, true, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			var gotBody []byte
			var verr error
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotBody, verr = webhook.VerifyRequest(secret, r, 1<<20, time.Now(), time.Minute)
				if r.Header.Get("Authorization") != "Bearer x" || r.Header.Get("Content-Type") != "application/json" {
					verr = errors.New("headers missing")
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			s, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, Client: srv.Client(),
				Header: http.Header{"Authorization": {"Bearer x"}}})
			if err != nil {
				t.Fatal(err)
			}
			a := alerting.Alert{Fingerprint: "fp1", Level: threat.LevelCritical, Labels: map[string]string{"client": "c_1"}}
			err = s.Send(context.Background(), a)
			if (err != nil) != tc.wantErr || alerting.IsPermanent(err) != tc.permanent {
				t.Fatalf("Send = %v (permanent %v)", err, alerting.IsPermanent(err))
			}
			if verr != nil {
				t.Fatalf("receiver: %v", verr)
			}
			var back map[string]any
			if err := json.Unmarshal(gotBody, &back); err != nil || back["fingerprint"] != "fp1" || back["level"] != "critical" {
				t.Fatalf("body %s: %v", gotBody, err)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]webhook.Config{
		"no secret":   {URL: "https://x.example/h"},
		"relative":    {URL: "/h", Secret: secret},
		"ftp":         {URL: "ftp://x.example/h", Secret: secret},
		"unparseable": {URL: "http://[::1", Secret: secret},
	} {
		if _, err := webhook.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// collector is a webhook receiver that checks each request's signature
// and records the fingerprints it accepted.
type collector struct {
	mu  sync.Mutex
	fps map[string]int
}

func (c *collector) accept(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.VerifyRequest(secret, r, 1<<20, time.Now(), time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var a alerting.Alert
	if err := json.Unmarshal(body, &a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.fps[a.Fingerprint]++
	c.mu.Unlock()
}

func (c *collector) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.fps)
}

// flaky is a webhook receiver that answers 500 for outage from its first
// request, then collects what it is sent.
type flaky struct {
	col      *collector
	outage   time.Duration
	mu       sync.Mutex
	first    time.Time
	failures int
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.first.IsZero() {
		f.first = time.Now()
	}
	down := time.Since(f.first) < f.outage
	if down {
		f.failures++
	}
	f.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	f.col.accept(w, r)
}

func (f *flaky) failed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failures
}

// newFlakyHook starts a flaky receiver and returns a webhook sink to it.
func newFlakyHook(t *testing.T, outage time.Duration) (*flaky, *webhook.Sink) {
	t.Helper()
	f := &flaky{col: &collector{fps: map[string]int{}}, outage: outage}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	hook, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return f, hook
}

// TestOutageThenRecoveryLosesNothing: the webhook answers 500 for a while
// (the 30 s, scaled to 300 ms together with the backoff and the
// breaker's open time) then recovers; every incident within the sink's
// queue bound is delivered, once.
func TestOutageThenRecoveryLosesNothing(t *testing.T) {
	cases := []struct {
		name      string
		incidents int
		queue     int
	}{
		{"within the queue bound: nothing lost", 40, 64},
		{"past the queue bound: the excess is counted", 40, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, hook := newFlakyHook(t, 300*time.Millisecond)
			col := f.col
			var dead []alerting.Alert
			var dmu sync.Mutex
			d, err := alerting.New(alerting.Config{
				Secret: []byte("k"), TickInterval: -1,
				Sinks:        []alerting.SinkConfig{{Name: "hook", Sink: hook, QueueSize: tc.queue}},
				RetryInitial: 5 * time.Millisecond, RetryMax: 40 * time.Millisecond, RetryMaxElapsed: time.Minute,
				BreakerFailures: 3, BreakerTimeout: 20 * time.Millisecond,
				DeadLetter: func(_ string, a alerting.Alert, _ error) { dmu.Lock(); dead = append(dead, a); dmu.Unlock() },
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.incidents {
				d.Publish(alerting.Event{Client: "198.51.100." + strconv.Itoa(i), Kind: alerting.KindThreat, Level: threat.LevelHigh})
			}
			if err := d.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := d.Stats()
			failed := f.failed()
			fps := col.snapshot()
			if failed == 0 || totals(st).Retries == 0 {
				t.Fatalf("the outage was not exercised: %d failures, stats %+v", failed, st)
			}
			for fp, n := range fps {
				if n != 1 {
					t.Fatalf("incident %s delivered %d times", fp, n)
				}
			}
			if totals(st).Failed != 0 || totals(st).Delivered != uint64(len(fps)) {
				t.Fatalf("delivered %d, stats %+v", len(fps), st)
			}
			if totals(st).Delivered+totals(st).Dropped != uint64(tc.incidents) || uint64(len(dead)) != totals(st).Dropped {
				t.Fatalf("lost without a count: delivered %d dropped %d dead letters %d of %d", totals(st).Delivered, totals(st).Dropped, len(dead), tc.incidents)
			}
			if tc.queue >= tc.incidents && totals(st).Dropped != 0 {
				t.Fatalf("dropped %d within the queue bound", totals(st).Dropped)
			}
			if tc.queue < tc.incidents && totals(st).Dropped == 0 {
				t.Fatal("overflow of the sink queue not counted")
			}
		})
	}
}

// TestOutage30sWithDefaults is the fault test at full length: the
// webhook answers 500 for 30 s of wall time, with the dispatcher's default
// retry and breaker settings (the breaker opens after five failures and
// tries again after 30 s; retries give up after five minutes). Every
// incident is delivered once when it recovers, none is dead-lettered.
func TestOutage30sWithDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a 30 s outage in real time; run without -short (CI does)")
	}
	const outage = 30 * time.Second
	f, hook := newFlakyHook(t, outage)
	var dead int
	var dmu sync.Mutex
	d, err := alerting.New(alerting.Config{
		Secret: []byte("k"), TickInterval: -1,
		Sinks:      []alerting.SinkConfig{{Name: "hook", Sink: hook}},
		DeadLetter: func(string, alerting.Alert, error) { dmu.Lock(); dead++; dmu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	const incidents = 20
	for i := range incidents {
		d.Publish(alerting.Event{Client: "198.51.100." + strconv.Itoa(i), Kind: alerting.KindThreat, Level: threat.LevelHigh})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := d.Stats()
	fps := f.col.snapshot()
	failed := f.failed()
	t.Logf("%d failed attempts (then the breaker held the rest), all delivered %v after the first publish; stats %+v",
		failed, time.Since(start).Round(time.Millisecond), st)
	// the breaker stops the attempts after a few failures and tries again
	// once it has been open 30 s: few failures, delivery after the outage
	if failed == 0 || time.Since(start) < outage {
		t.Fatalf("the outage was not exercised: %d failures, done after %v", failed, time.Since(start))
	}
	if len(fps) != incidents || totals(st).Delivered != incidents || totals(st).Failed != 0 || totals(st).Dropped != 0 || dead != 0 {
		t.Fatalf("delivered %d of %d incidents, %d dead letters, stats %+v", len(fps), incidents, dead, st)
	}
	for fp, n := range fps {
		if n != 1 {
			t.Fatalf("incident %s delivered %d times", fp, n)
		}
	}
}

// TestHungSinkDoesNotStallOthers: one webhook never answers; the other
// sink gets every alert meanwhile, and Close gives up on the hung one
// when its context ends, counting what it could not deliver.
func TestHungSinkDoesNotStallOthers(t *testing.T) {
	// The handler reads the body first: only then does net/http watch the
	// connection and cancel r.Context() when the client gives up.
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // runs before srv.Close, even when the test fails
	hung, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan alerting.Alert, 100)
	fast := alerting.SinkFunc(func(_ context.Context, a alerting.Alert) error { got <- a; return nil })
	d, err := alerting.New(alerting.Config{
		Secret: []byte("k"), GroupWait: time.Millisecond, TickInterval: 5 * time.Millisecond,
		Sinks: []alerting.SinkConfig{{Name: "hung", Sink: hung, Timeout: time.Hour}, {Name: "fast", Sink: fast}},
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		d.Publish(alerting.Event{Client: "c" + strconv.Itoa(i)})
	}
	guard := time.After(20 * time.Second) // liveness guard only
	for i := range n {
		select {
		case <-got:
		case <-guard:
			t.Fatalf("fast sink stalled after %d of %d alerts", i, n)
		}
	}
	if st := d.Stats().Sinks["hung"]; st.Delivered != 0 {
		t.Fatalf("hung sink delivered: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want deadline exceeded", err)
	}
	st := d.Stats()
	if st.Sinks["fast"].Delivered != n || st.Sinks["hung"].Failed != n {
		t.Fatalf("stats %+v", st.Sinks)
	}
}

// TestSendTimeout: a receiver that never answers makes Send fail within
// the Client's Timeout with a retryable error, even under a context
// without a deadline.
func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := srv.Client()
	c.Timeout = 50 * time.Millisecond
	s, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, Client: c})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), alerting.Alert{Fingerprint: "fp"})
	if !errors.Is(err, context.DeadlineExceeded) || alerting.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable deadline error", err)
	}
}

// totals adds up the sinks' counters.
func totals(st alerting.Stats) alerting.SinkStats {
	var t alerting.SinkStats
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
