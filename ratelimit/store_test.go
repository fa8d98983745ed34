package ratelimit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

// fakeStore is a shared store for fault tests: a memory store behind
// switches that make it fail, or hang ignoring its context, by shard.
type fakeStore struct {
	*memory.Store
	mu      sync.Mutex
	down    map[string]bool // shard -> failing
	hang    chan struct{}   // non-nil: calls block until it is closed
	ctxErrs []error         // ctx.Err() seen by each call when it started
	calls   int
	sharded bool
}

var errDown = errors.New("fake store down")

func newFakeStore(t *testing.T) *fakeStore {
	s := &fakeStore{Store: memory.New(memory.Config{JanitorInterval: -1}), down: map[string]bool{}}
	t.Cleanup(func() { _ = s.Store.Close() })
	return s
}

func (s *fakeStore) shard(client string) string {
	if !s.sharded {
		return ""
	}
	shard, _, _ := strings.Cut(client, ":")
	return shard
}

func (s *fakeStore) enter(ctx context.Context, client string) error {
	s.mu.Lock()
	s.calls++
	s.ctxErrs = append(s.ctxErrs, ctx.Err())
	hang, down := s.hang, s.down[s.shard(client)]
	s.mu.Unlock()
	if hang != nil {
		<-hang // ignores ctx, as go-redis does without ContextTimeoutEnabled
	}
	if down {
		return errDown
	}
	return nil
}

func (s *fakeStore) setDown(shard string, down bool) {
	s.mu.Lock()
	s.down[shard] = down
	s.mu.Unlock()
}

func (s *fakeStore) Hit(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, error) {
	if err := s.enter(ctx, h.Client); err != nil {
		return storage.Count{}, err
	}
	return s.Store.Hit(ctx, h, now)
}

func (s *fakeStore) SetDecision(ctx context.Context, client string, d storage.Decision, now time.Time) error {
	if err := s.enter(ctx, client); err != nil {
		return err
	}
	return s.Store.SetDecision(ctx, client, d, now)
}

func (s *fakeStore) Decision(ctx context.Context, client string, now time.Time) (storage.Decision, error) {
	if err := s.enter(ctx, client); err != nil {
		return storage.Decision{}, err
	}
	return s.Store.Decision(ctx, client, now)
}

// Close leaves the memory store to the test's cleanup: the limiter does
// not close its shared store.
func (s *fakeStore) Close() error { return nil }

// shardedStore is a fakeStore that names its shards: the client key's part
// before ":".
type shardedStore struct{ *fakeStore }

func (s shardedStore) Shard(client string) string { return s.shard(client) }

func newShared(t *testing.T, store storage.Store, cfg Config) *Adaptive {
	t.Helper()
	cfg.Store = store
	a, err := New(withLocal(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// A store that ignores its context cannot hold a request past StoreTimeout.
func TestStoreTimeoutHoldsWhateverTheStoreDoes(t *testing.T) {
	s := newFakeStore(t)
	hang := make(chan struct{})
	s.hang = hang
	a := newShared(t, s, Config{StoreTimeout: 50 * time.Millisecond, BreakerFailures: 100})
	for _, score := range []float64{0, 1} { // a count, a ban
		start := time.Now()
		r, err := a.allowNow(context.Background(), "10.0.0.1", "api", score)
		took := time.Since(start)
		if !r.Degraded || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("score %v: %+v %v, want degraded by the deadline", score, r, err)
		}
		if took > time.Second { // 50ms configured; generous for a busy machine
			t.Fatalf("score %v: took %v with StoreTimeout 50ms", score, took)
		}
	}
	close(hang) // Close waits for the abandoned calls
}

// A client that goes away (its request's context cancelled) still has its
// ban and count written to the shared store.
func TestCancelledRequestStillWrites(t *testing.T) {
	s := newFakeStore(t)
	a := newShared(t, s, Config{Rate: "5-M", Policy: Policy{StrikeLimit: -1}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := a.Ban(ctx, "10.0.0.2", 15*time.Minute, "threat score", time.Now())
	if err != nil || r.Penalty != storage.ActionBan || r.Degraded {
		t.Fatalf("ban on a cancelled request: %+v %v", r, err)
	}
	if d, _ := s.Store.Decision(context.Background(), "10.0.0.2", time.Now()); d.Action != storage.ActionBan {
		t.Fatal("the ban did not reach the shared store")
	}
	ok := 0
	for range 8 {
		if r, err := a.allowNow(ctx, "10.0.0.3", "login", 0); err == nil && r.Allowed && !r.Degraded {
			ok++
		}
	}
	if ok != 5 {
		t.Fatalf("%d of 8 cancelled requests allowed by the shared count, want 5", ok)
	}
	for i, e := range s.ctxErrs {
		if e != nil {
			t.Fatalf("store call %d started on a done context: %v", i, e)
		}
	}
}

// A ban and a throttle made while the store was down reach it when it is
// back, with their original expiry; a longer ban already there stays.
func TestOutageDecisionsWrittenBack(t *testing.T) {
	s := newFakeStore(t)
	a := newShared(t, s, Config{Rate: "2-M", BreakerTimeout: 50 * time.Millisecond,
		Policy: Policy{StrikeLimit: 2, ThrottleTTL: time.Hour}})
	ctx := context.Background()
	now := time.Now()
	// another instance's longer ban on .6, set before the outage
	longer := storage.Decision{Action: storage.ActionBan, Reason: "other", Expires: now.Add(2 * time.Hour)}
	if err := s.Store.SetDecision(ctx, "10.0.0.6", longer, now); err != nil {
		t.Fatal(err)
	}
	s.setDown("", true)
	ban, _ := a.Ban(ctx, "10.0.0.4", 15*time.Minute, "threat score", now)
	if ban.Penalty != storage.ActionBan || !ban.Degraded {
		t.Fatalf("ban during the outage: %+v", ban)
	}
	for range 4 { // 2 over the limit: 2 strikes, counted locally: a throttle
		_, _ = a.allowNow(ctx, "10.0.0.5", "api", 0)
	}
	_, _ = a.Ban(ctx, "10.0.0.6", 15*time.Minute, "threat score", now)
	if a.BreakerState() != "open" {
		t.Fatalf("breaker %s during the outage", a.BreakerState())
	}
	if n := a.pending.n.Load(); n != 3 {
		t.Fatalf("%d decisions pending, want 3", n)
	}
	s.setDown("", false)
	deadline := time.Now().Add(5 * time.Second)
	for a.pending.n.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := a.pending.n.Load(); n != 0 {
		t.Fatalf("%d decisions still pending 5s after the store came back", n)
	}
	got, _ := s.Store.Decision(ctx, "10.0.0.4", time.Now())
	if got.Action != storage.ActionBan || !got.Expires.Equal(ban.Reset) {
		t.Fatalf("written-back ban %+v, want one until %v", got, ban.Reset)
	}
	if got, _ := s.Store.Decision(ctx, "10.0.0.5", time.Now()); got.Action != storage.ActionThrottle {
		t.Fatalf("written-back throttle %+v", got)
	}
	if got, _ := s.Store.Decision(ctx, "10.0.0.6", time.Now()); got != longer {
		t.Fatalf("the longer ban was overwritten: %+v", got)
	}
	if a.BreakerState() != "closed" {
		t.Fatalf("breaker %s after the write-back", a.BreakerState())
	}
}

func TestPendingBounded(t *testing.T) {
	p := pendingSet{max: 2}
	now := time.Unix(1000, 0)
	d := func(min int) storage.Decision {
		return storage.Decision{Action: storage.ActionBan, Expires: now.Add(time.Duration(min) * time.Minute)}
	}
	p.add("a", d(10))
	p.add("b", d(5))
	p.add("c", d(20)) // full: b, first to expire, gives way
	p.add("d", d(1))  // full, and expires before all: dropped
	got := p.snapshot()
	if _, ok := got["b"]; ok || len(got) != 2 || p.dropped.Load() != 2 {
		t.Fatalf("pending %v, dropped %d; want a and c, 2 dropped", got, p.dropped.Load())
	}
	p.add("a", storage.Decision{Action: storage.ActionThrottle, Expires: now.Add(time.Hour)}) // outranked by a's ban
	if p.snapshot()["a"].Action != storage.ActionBan {
		t.Fatal("a throttle replaced a pending ban")
	}
}

// With a sharded store, a failing shard opens its own breaker only: the
// other shard's clients are never degraded.
func TestShardFailsAlone(t *testing.T) {
	s := newFakeStore(t)
	s.sharded = true
	a := newShared(t, shardedStore{s}, Config{Rate: "1000-M", BreakerTimeout: time.Minute})
	s.setDown("a", true)
	ctx := context.Background()
	degradedA, degradedB := 0, 0
	for i := range 50 {
		if r, _ := a.allowNow(ctx, "a:"+string(rune('0'+i%10)), "api", 0); r.Degraded {
			degradedA++
		}
		if r, _ := a.allowNow(ctx, "b:"+string(rune('0'+i%10)), "api", 0); r.Degraded {
			degradedB++
		}
	}
	if degradedA != 50 || degradedB != 0 {
		t.Fatalf("degraded: shard a %d of 50, shard b %d of 50; want 50 and 0", degradedA, degradedB)
	}
	if a.BreakerState() != "open" {
		t.Fatalf("breaker state %s, want open (shard a)", a.BreakerState())
	}
	calls := s.calls
	_, _ = a.allowNow(ctx, "a:x", "api", 0)
	if s.calls != calls {
		t.Fatal("shard a's open breaker let a call through")
	}
}

// A fixed window lets a client send twice its limit across the end of a
// window; a sliding window does not.
func TestSlidingWindowAtTheBoundary(t *testing.T) {
	a, c := newTest(t, Config{Rate: "10-M", Groups: map[string]string{"login": "5-M"},
		GroupAlgorithms: map[string]storage.Algorithm{"login": storage.SlidingWindow, "search": storage.SlidingWindow},
		Policy:          Policy{StrikeLimit: -1}})
	if a.algorithmFor("login") != storage.SlidingWindow || a.algorithmFor("api") != storage.FixedWindow || a.rateFor("search").Limit != 10 {
		t.Fatal("per-route algorithms or rates not as configured")
	}
	c.t = c.t.Truncate(time.Minute) // a window start, for both algorithms
	burst := func(key, route string, at time.Duration, n int) int {
		ok := 0
		for range n {
			if r, _ := a.AllowAt(context.Background(), key, route, 0, c.t.Add(at)); r.Allowed {
				ok++
			}
		}
		return ok
	}
	cases := []struct {
		name, route string
		limit       int
		want        int // admitted from 0s to 61s
	}{
		{"fixed", "api", 10, 20},
		{"sliding", "search", 10, 10},
		{"sliding login", "login", 5, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "10.1.0." + tc.name
			first := burst(key, tc.route, 0, 1) // opens the fixed window at the sliding one's start
			before := burst(key, tc.route, 59*time.Second, tc.limit)
			after := burst(key, tc.route, 61*time.Second, tc.limit)
			if got := first + before + after; got != tc.want {
				t.Fatalf("admitted %d + %d + %d within 61s, want %d", first, before, after, tc.want)
			}
		})
	}
}

// Counting a known client in a sliding window allocates nothing.
func TestSlidingWindowAllocatesNothing(t *testing.T) {
	for _, alg := range []storage.Algorithm{storage.FixedWindow, storage.SlidingWindow} {
		a, c := newTest(t, Config{Rate: "1000000-M", Algorithm: alg})
		ctx := context.Background()
		_, _ = a.AllowAt(ctx, "10.2.0.1", "api", 0, c.now())
		if n := testing.AllocsPerRun(100, func() {
			if r, _ := a.AllowAt(ctx, "10.2.0.1", "api", 0, c.now()); !r.Allowed {
				t.Fatal("refused")
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations a request", alg, n)
		}
	}
}
