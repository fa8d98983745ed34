package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/ulule/limiter/v3"
	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark/internal/backend"
	"github.com/bulwarkhq/bulwark/storage"
)

// defaultRate is the base rate when Config.Rate is empty.
const defaultRate = "100-M"

// Config configures an Adaptive limiter. Local is required (ratelimit/standard
// supplies a storage/memory store); every other zero field takes a default:
// 100-M per client in fixed windows with the default Policy.
type Config struct {
	Rate      string            // base rate, limiter format "100-M". Default "100-M".
	Groups    map[string]string // route group (bulwark.Route.Group) -> base rate
	AllowList []string          // addresses and CIDRs that are never limited nor banned
	Policy    Policy            // score -> rate, penalty box; zero fields take defaults

	// Algorithm counts the requests of groups without an entry in
	// GroupAlgorithms: storage.FixedWindow (default) or
	// storage.SlidingWindow, which does not let a client send twice its
	// rate across the end of a window.
	Algorithm storage.Algorithm
	// GroupAlgorithms sets the algorithm of a route group (its rate is
	// Groups' entry, or Rate).
	GroupAlgorithms map[string]storage.Algorithm

	// Local is this process's own store: the only store without a shared
	// one, else the fallback that counts while the shared store is
	// unreachable. Required; ratelimit/standard.New supplies a
	// storage/memory store. The Adaptive owns it once New succeeds:
	// Close closes it.
	Local storage.Store
	// Store is the shared store (storage/redis for a fleet). Nil: Local
	// is the only store. Close does not close it.
	Store storage.Store
	// FailClosed refuses requests (not Allowed, Degraded) while the store
	// is unavailable. Default false: fail open to the local store with the
	// same policy.
	FailClosed bool
	// StoreTimeout bounds one shared-store call, whatever the store's own
	// timeouts: a call still running at StoreTimeout is abandoned (it
	// goes on in the background until the store returns) and counts as a
	// failure. The call's context is detached from the request's, so a
	// client that disconnects does not cancel the write of its count or
	// ban. Default 200ms.
	StoreTimeout time.Duration
	// BreakerFailures consecutive store failures open a breaker. Default 3.
	BreakerFailures uint32
	// BreakerTimeout is how long a breaker stays open before it probes the
	// store again. Default 2s.
	BreakerTimeout time.Duration
	// PendingSize bounds the decisions (bans, throttles) made while the
	// shared store was unreachable that wait to be written to it when it
	// answers again. Default 10,000. When full, the decision that expires
	// first gives way; what is dropped is counted.
	PendingSize int
	// MeterProvider receives the metrics. Default: otel's global provider.
	MeterProvider metric.MeterProvider
}

// cacheSize bounds the in-process decision cache: a decision it no longer
// holds costs one store round trip to learn again.
const cacheSize = 100_000

// maxShards caps the breakers kept for a sharded store; shards beyond it
// share the store-wide breaker.
const maxShards = 1024

// Adaptive is a threat-aware rate limiter. It is safe for concurrent use.
type Adaptive struct {
	cfg    Config
	clock  func() time.Time // time.Now; tests move it (newLimiter)
	policy Policy
	base   routeRate
	routes map[string]routeRate
	// rates holds the rates operators changed at run time (SetRate), over
	// routes; it is replaced whole on change and read without a lock.
	rates   atomic.Pointer[map[string]routeRate]
	ratesMu sync.Mutex
	allow   []netip.Prefix

	store   storage.Store   // shared store, or Local
	local   storage.Store   // Config.Local
	shared  bool            // Config.Store is set
	sharder storage.Sharded // the shared store's shards, or nil
	cache   decisionCache
	tel     *telemetry
	ops     operators // operator rules (operator.go)

	breakers breakerSet
	pending  pendingSet
	calls    sync.WaitGroup // store calls, abandoned ones included
	kick     chan struct{}  // wakes the write-back loop
	stop     chan struct{}
	done     chan struct{}
	closed   sync.Once
}

// routeRate is a route's base rate and counting algorithm.
type routeRate struct {
	rate limiter.Rate
	alg  storage.Algorithm
}

// New validates cfg and returns an Adaptive limiter. An invalid rate, policy
// or allow-list entry is an error naming the field.
func New(cfg Config) (*Adaptive, error) { return newLimiter(cfg, time.Now) }

// newLimiter is New with the clock that operator rules and the write-back
// loop read (every request's time is its caller's).
func newLimiter(cfg Config, clock func() time.Time) (*Adaptive, error) {
	if cfg.Rate == "" {
		cfg.Rate = defaultRate
	}
	if cfg.Local == nil {
		return nil, errors.New("ratelimit: Config.Local: nil: pass a local store (memory.New), or build the limiter with ratelimit/standard.New")
	}
	a := &Adaptive{cfg: cfg, clock: clock, routes: make(map[string]routeRate, len(cfg.Groups)+len(cfg.GroupAlgorithms))}
	if cfg.Algorithm > storage.SlidingWindow {
		return nil, fmt.Errorf("ratelimit: Config.Algorithm: unknown algorithm %d", cfg.Algorithm)
	}
	rate, err := parseRate(cfg.Rate)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: Config.Rate: %w", err)
	}
	a.base = routeRate{rate: rate, alg: cfg.Algorithm}
	for route, s := range cfg.Groups {
		r, err := parseRate(s)
		if err != nil {
			return nil, fmt.Errorf("ratelimit: Config.Groups[%q]: %w", route, err)
		}
		a.routes[route] = routeRate{rate: r, alg: cfg.Algorithm}
	}
	for route, alg := range cfg.GroupAlgorithms {
		if alg > storage.SlidingWindow {
			return nil, fmt.Errorf("ratelimit: Config.GroupAlgorithms[%q]: unknown algorithm %d", route, alg)
		}
		r, ok := a.routes[route]
		if !ok {
			r = a.base
		}
		r.alg = alg
		a.routes[route] = r
	}
	for i, s := range cfg.AllowList {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("ratelimit: Config.AllowList[%d]: %w", i, err)
		}
		a.allow = append(a.allow, p)
	}
	a.policy = cfg.Policy.withDefaults()
	if err := a.policy.validate(); err != nil {
		return nil, fmt.Errorf("ratelimit: Config.%w", err)
	}
	switch {
	case cfg.StoreTimeout < 0:
		return nil, errors.New("ratelimit: Config.StoreTimeout: negative")
	case cfg.BreakerTimeout < 0:
		return nil, errors.New("ratelimit: Config.BreakerTimeout: negative")
	case cfg.PendingSize < 0:
		return nil, errors.New("ratelimit: Config.PendingSize: negative")
	}
	if a.cfg.StoreTimeout == 0 {
		a.cfg.StoreTimeout = 200 * time.Millisecond
	}
	if a.cfg.BreakerFailures == 0 {
		a.cfg.BreakerFailures = 3
	}
	if a.cfg.BreakerTimeout == 0 {
		a.cfg.BreakerTimeout = 2 * time.Second
	}
	if a.cfg.PendingSize == 0 {
		a.cfg.PendingSize = 10_000
	}
	a.cache.max = cacheSize
	a.pending.max = a.cfg.PendingSize
	a.local, a.store = cfg.Local, cfg.Local
	a.kick = make(chan struct{}, 1)
	a.stop = make(chan struct{})
	a.done = make(chan struct{})
	if cfg.Store != nil && cfg.Store != cfg.Local {
		a.store, a.shared = cfg.Store, true
		a.sharder, _ = cfg.Store.(storage.Sharded)
		a.breakers.make = a.newBreaker
	}
	if a.tel, err = newTelemetry(cfg.MeterProvider, a); err != nil {
		return nil, fmt.Errorf("ratelimit: metrics: %w", err)
	}
	if a.shared {
		a.breakers.get("") // the store-wide breaker: BreakerState and the gauge see it from the start
		go a.writeBack()
	} else {
		close(a.done)
	}
	return a, nil
}

// newBreaker returns the breaker of one shard ("" for the whole store).
// gobreaker calls OnStateChange under its lock: it only wakes the
// write-back loop, which never waits on it.
func (a *Adaptive) newBreaker(shard string) *gobreaker.CircuitBreaker[storage.Count] {
	name := "ratelimit-store"
	if shard != "" {
		name += " " + shard
	}
	return gobreaker.NewCircuitBreaker[storage.Count](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     a.cfg.BreakerTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= a.cfg.BreakerFailures
		},
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateClosed {
				a.wake()
			}
		},
	})
}

func parseRate(s string) (limiter.Rate, error) {
	r, err := limiter.NewRateFromFormatted(s)
	if err != nil {
		return r, err
	}
	if r.Limit <= 0 {
		return r, fmt.Errorf("rate %q: limit must be positive", s)
	}
	return r, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	ad, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	ad = ad.Unmap()
	return netip.PrefixFrom(ad, ad.BitLen()), nil
}

// allowListed reports whether key is an address (optionally with a port)
// on the allow-list.
func (a *Adaptive) allowListed(key string) bool {
	if len(a.allow) == 0 || len(key) > 64 {
		return false
	}
	ad, err := netip.ParseAddr(key)
	if err != nil {
		ap, err := netip.ParseAddrPort(key)
		if err != nil {
			return false
		}
		ad = ap.Addr()
	}
	ad = ad.Unmap()
	for _, p := range a.allow {
		if p.Contains(ad) {
			return true
		}
	}
	return false
}

// SetRate changes the base rate of route (a route pattern or group; "" is
// Config.Rate's) at run time, for every request that follows; the
// counting algorithm stays the route's. Windows already counted keep their
// counts. Operators tighten a route ahead of an attack this way.
func (a *Adaptive) SetRate(route, rate string) error {
	r, err := parseRate(rate)
	if err != nil {
		return fmt.Errorf("ratelimit: SetRate(%q): %w", route, err)
	}
	a.ratesMu.Lock()
	defer a.ratesMu.Unlock()
	next := map[string]routeRate{}
	if m := a.rates.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	cur := a.routeRate(route)
	if route == "" {
		cur = a.base
	}
	cur.rate = r
	next[route] = cur
	a.rates.Store(&next)
	return nil
}

// rateFor returns the base rate of route: its own, or Config.Rate.
func (a *Adaptive) rateFor(route string) limiter.Rate {
	return a.routeRate(route).rate
}

// algorithmFor returns how route's requests are counted.
func (a *Adaptive) algorithmFor(route string) storage.Algorithm {
	return a.routeRate(route).alg
}

func (a *Adaptive) routeRate(route string) routeRate {
	m := a.rates.Load()
	if m != nil {
		if r, ok := (*m)[route]; ok {
			return r
		}
	}
	if r, ok := a.routes[route]; ok {
		return r
	}
	if m != nil {
		if r, ok := (*m)[""]; ok {
			return r // the base rate, changed
		}
	}
	return a.base
}

// Cached answers from the in-process decision cache only (no I/O): an
// allow-list entry, or an active ban known locally. ok is false when the
// cache knows nothing that settles the request and Allow must be called (a
// throttled client is still counted by Allow).
func (a *Adaptive) Cached(key string, now time.Time) (r Result, ok bool) {
	if r, ok := a.operatorLookup(key, now).answer(now); ok {
		return r, true
	}
	if a.allowListed(key) {
		return Result{Allowed: true, AllowListed: true, Reason: "allow-list"}, true
	}
	d, ok := a.cache.get(backend.BoundKey(key), now)
	if !ok || d.Action != storage.ActionBan {
		return Result{}, false
	}
	return banned(d, now), true
}

func banned(d storage.Decision, now time.Time) Result {
	return Result{
		Penalty:    storage.ActionBan,
		Reset:      d.Expires,
		RetryAfter: d.Expires.Sub(now),
		Reason:     "penalty box: " + d.Reason,
	}
}

// AllowAt counts one request of key on route, with its threat score, that
// arrived at now (read by the caller from its own clock, as Cached takes
// it), and answers. It makes at most one store round trip. Store errors
// never deny a request by themselves: the breaker falls back to local
// limits (or refuses when configured fail-closed); the error is returned
// for telemetry only.
func (a *Adaptive) AllowAt(ctx context.Context, key, route string, score float64, now time.Time) (Result, error) {
	if a.allowListed(key) {
		r := Result{Allowed: true, AllowListed: true, Reason: "allow-list"}
		a.tel.decision(ctx, r.outcome())
		return r, nil
	}
	op := a.operatorLookup(key, now)
	if r, ok := op.answer(now); ok {
		a.tel.decision(ctx, r.outcome())
		return r, nil
	}
	key = backend.BoundKey(key)
	cached, hasCached := a.cache.get(key, now)
	if hasCached && cached.Action == storage.ActionBan {
		r := banned(cached, now)
		a.tel.decision(ctx, r.outcome())
		return r, nil
	}
	// NaN is no score at all: Multiplier slows it to the floor.

	rr := a.routeRate(route)
	rate := rr.rate
	m := a.policy.multiplier(score) * op.factor()
	rt := a.routeThrottle(route, now)
	if rt != nil {
		m *= rt.Factor
	}
	if hasCached && cached.Action == storage.ActionThrottle {
		m *= cached.Factor
	}
	h := storage.Hit{
		Client:    key,
		Bucket:    route,
		Window:    rate.Period,
		Algorithm: rr.alg,
		Limit:     limitOf(rate.Limit, m),
	}
	if a.policy.StrikeLimit > 0 {
		h.StrikeLimit = a.policy.StrikeLimit
		h.StrikeWindow = a.policy.StrikeWindow
		h.Penalty = storage.Decision{Action: storage.ActionThrottle, Factor: a.policy.ThrottleFactor, Reason: "repeated limit hits"}
		h.PenaltyTTL = a.policy.ThrottleTTL
	}
	c, degraded, err := a.hit(ctx, h, now)
	if err != nil && degraded && a.cfg.FailClosed {
		r := Result{
			Limit:      h.Limit,
			Reset:      now.Add(a.cfg.BreakerTimeout),
			RetryAfter: a.cfg.BreakerTimeout,
			Reason:     "rate limit store unavailable",
			Degraded:   true,
		}
		a.tel.decision(ctx, r.outcome())
		return r, err
	}

	res := Result{Degraded: degraded}
	if c.Decision.Active(now) {
		a.cache.put(key, c.Decision, now)
		switch c.Decision.Action {
		case storage.ActionBan:
			r := banned(c.Decision, now)
			r.Degraded = degraded
			a.tel.decision(ctx, r.outcome())
			return r, err
		case storage.ActionThrottle:
			if !hasCached || cached.Action != storage.ActionThrottle {
				m *= c.Decision.Factor
			}
		}
	}
	res.Limit = limitOf(rate.Limit, m)
	res.Reset = c.Reset
	res.Remaining = max(res.Limit-c.N, 0)
	throttled := c.Decision.Active(now) && c.Decision.Action == storage.ActionThrottle
	switch {
	case c.N <= res.Limit:
		res.Allowed = true
	case throttled:
		res.Penalty = storage.ActionThrottle
		res.Reason = "penalty box: " + c.Decision.Reason
		res.RetryAfter = c.Reset.Sub(now)
	default:
		res.Reason = "rate limit"
		if m < 1 {
			res.Reason = "rate limit (reduced by threat score)"
		}
		res.RetryAfter = c.Reset.Sub(now)
	}
	if res.RetryAfter < 0 {
		res.RetryAfter = 0
	}
	op.relabel(&res)
	if rt != nil && !res.Allowed && res.Penalty == storage.ActionNone {
		res.Reason = "rate limit (route tightened by operator: " + rt.Reason + ")"
	}
	a.tel.decision(ctx, res.outcome())
	return res, err
}

func limitOf(base int64, m float64) int64 {
	l := int64(math.Floor(float64(base)*m + 1e-9)) // 100*0.55 is 54.999...
	if l < 1 {
		l = 1
	}
	return l
}

// Ban puts key in the penalty box for d, with reason: one store write
// (the request's one round trip) and the local cache. A ban the shared
// store did not take is kept locally and written back when the store
// answers again. bulwark.Guard calls it for a request whose score is
// near-certain (Strictness.Ban); operators call it too.
func (a *Adaptive) Ban(ctx context.Context, key string, d time.Duration, reason string, now time.Time) (Result, error) {
	if d <= 0 {
		return Result{}, fmt.Errorf("ratelimit: ban of %v", d)
	}
	key = backend.BoundKey(key)
	dec := storage.Decision{Action: storage.ActionBan, Reason: reason, Expires: now.Add(d)}
	a.cache.put(key, dec, now)
	var err error
	degraded := false
	if a.shared {
		_, err = a.call(ctx, a.breakerFor(key), func(ctx context.Context) (storage.Count, error) {
			return storage.Count{}, a.store.SetDecision(ctx, key, dec, now)
		})
		if err != nil {
			degraded = true
			_ = a.local.SetDecision(ctx, key, dec, now)
			a.queue(key, dec)
		}
	} else {
		err = a.local.SetDecision(ctx, key, dec, now)
	}
	r := banned(dec, now)
	r.Degraded = degraded
	a.tel.decision(ctx, r.outcome())
	return r, err
}

// Strike counts one refused request of key in a window of window; the
// after-th within it bans key for d, in the same store round trip.
// bulwark.Guard calls it for every request it refuses for its threat
// score, so that one refusal never locks a person out but a client that
// keeps attacking is banned. The Result is banned once the ban is in place;
// otherwise it only carries the count (Limit is after, Remaining what is
// left before the ban).
func (a *Adaptive) Strike(ctx context.Context, key string, after int, window, d time.Duration, now time.Time) (Result, error) {
	if after <= 0 || window <= 0 || d <= 0 {
		return Result{}, fmt.Errorf("ratelimit: strike of %d in %v for %v", after, window, d)
	}
	key = backend.BoundKey(key)
	h := storage.Hit{
		Client:       key,
		Bucket:       "(refused)",
		Window:       window,
		Limit:        int64(after - 1),
		StrikeLimit:  1,
		StrikeWindow: window,
		Penalty:      storage.Decision{Action: storage.ActionBan, Reason: "repeated attacks"},
		PenaltyTTL:   d,
	}
	c, degraded, err := a.hit(ctx, h, now)
	if c.Decision.Active(now) && c.Decision.Action == storage.ActionBan {
		a.cache.put(key, c.Decision, now)
		r := banned(c.Decision, now)
		r.Degraded = degraded
		a.tel.decision(ctx, r.outcome())
		return r, err
	}
	return Result{Allowed: true, Limit: int64(after), Remaining: max(int64(after)-c.N, 0), Reset: c.Reset, Degraded: degraded}, err
}

// hit runs h on the store through its shard's breaker, falling back to the
// local store when the shared one fails or the breaker is open. A penalty
// the local store writes then is written back to the shared store later.
func (a *Adaptive) hit(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, bool, error) {
	if !a.shared {
		c, err := a.local.Hit(ctx, h, now)
		return c, false, err
	}
	return a.hitShared(ctx, h, now)
}

// hitShared is hit on the shared store; apart, so that the closure that
// takes h costs nothing on the local path.
func (a *Adaptive) hitShared(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, bool, error) {
	c, err := a.call(ctx, a.breakerFor(h.Client), func(ctx context.Context) (storage.Count, error) {
		return a.store.Hit(ctx, h, now)
	})
	if err == nil {
		return c, false, nil
	}
	if a.cfg.FailClosed {
		return storage.Count{}, true, err
	}
	lc, _ := a.local.Hit(ctx, h, now)
	if lc.Decision.Active(now) {
		a.queue(h.Client, lc.Decision)
	}
	return lc, true, err
}

// breakerFor returns the breaker of the shard that holds key.
func (a *Adaptive) breakerFor(key string) *gobreaker.CircuitBreaker[storage.Count] {
	shard := ""
	if a.sharder != nil {
		shard = a.sharder.Shard(key)
	}
	return a.breakers.get(shard)
}

// call runs fn through cb with a context detached from ctx (a request
// whose client went away still has its count and ban written) and bounded
// by StoreTimeout, whatever the store does with contexts: fn runs on its
// own goroutine, and call returns at the deadline if fn has not.
func (a *Adaptive) call(ctx context.Context, cb *gobreaker.CircuitBreaker[storage.Count], fn func(context.Context) (storage.Count, error)) (storage.Count, error) {
	return cb.Execute(func() (storage.Count, error) {
		start := time.Now()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.StoreTimeout)
		defer cancel()
		done := make(chan callResult, 1)
		a.calls.Add(1)
		go func() {
			defer a.calls.Done()
			c, err := fn(cctx)
			done <- callResult{c, err}
		}()
		var r callResult
		select {
		case r = <-done:
		case <-cctx.Done():
			r.err = fmt.Errorf("ratelimit: store call abandoned after Config.StoreTimeout (%v): %w", a.cfg.StoreTimeout, cctx.Err())
		}
		a.tel.storeLatency(ctx, time.Since(start))
		return r.c, r.err
	})
}

type callResult struct {
	c   storage.Count
	err error
}

// Unban removes key's penalty-box decision (ban or throttle) from the store,
// the local fallback, this instance's cache and the decisions waiting to be
// written back. Other instances keep a ban they have cached until it
// expires.
func (a *Adaptive) Unban(ctx context.Context, key string) error {
	key = backend.BoundKey(key)
	a.cache.delete(key)
	a.pending.remove(key, nil)
	_ = a.local.DeleteDecision(ctx, key)
	if a.shared {
		if err := a.store.DeleteDecision(ctx, key); err != nil {
			return fmt.Errorf("ratelimit: unban: %w", err)
		}
	}
	return nil
}

// BreakerState returns the state of the store's breakers: "open" when
// any is open, else "half-open" when any is, else "closed"; "none"
// without a shared store. A sharded store (a Redis Cluster) has a breaker
// a shard, so "open" may concern some clients only.
func (a *Adaptive) BreakerState() string {
	if !a.shared {
		return "none"
	}
	return a.breakers.worst().String()
}

// Close stops background work, waits for store calls still running (an
// abandoned call ends when the store gives up on it), and closes
// Config.Local and the metric callback. It does not close Config.Store.
// Decisions still waiting to be written back are dropped.
func (a *Adaptive) Close() error {
	a.closed.Do(func() { close(a.stop) })
	<-a.done
	a.calls.Wait()
	a.tel.close()
	return a.local.Close()
}

// decisionCache keeps decisions learnt from the store, with their expiry,
// bounded by max entries. n mirrors len(m) (written under the lock) so that
// a lookup while the cache is empty, the usual case of a calm service,
// takes no lock.
type decisionCache struct {
	mu  sync.RWMutex
	m   map[string]storage.Decision
	n   atomic.Int64
	max int
}

func (c *decisionCache) get(key string, now time.Time) (storage.Decision, bool) {
	if c.n.Load() == 0 {
		return storage.Decision{}, false
	}
	c.mu.RLock()
	d, ok := c.m[key]
	c.mu.RUnlock()
	if !ok {
		return d, false
	}
	if !d.Active(now) {
		c.mu.Lock()
		if cur, ok := c.m[key]; ok && !cur.Active(now) {
			delete(c.m, key)
			c.n.Store(int64(len(c.m)))
		}
		c.mu.Unlock()
		return storage.Decision{}, false
	}
	return d, true
}

func (c *decisionCache) delete(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.n.Store(int64(len(c.m)))
	c.mu.Unlock()
}

func (c *decisionCache) put(key string, d storage.Decision, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]storage.Decision)
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		victim := ""
		for k, v := range c.m {
			victim = k
			if !v.Active(now) {
				break
			}
		}
		delete(c.m, victim)
	}
	c.m[key] = d
	c.n.Store(int64(len(c.m)))
}
