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

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

// DefaultRate is the base rate when Config.Rate is empty.
const DefaultRate = "100-M"

// Config configures an Adaptive limiter. Its zero value is safe: 100-M per
// client in memory with the default Policy.
type Config struct {
	Rate      string            // base rate, limiter format "100-M". Default DefaultRate.
	Routes    map[string]string // route pattern or group -> base rate
	AllowList []string          // addresses and CIDRs that are never limited nor banned
	Policy    Policy            // score -> rate, penalty box; zero fields take defaults

	// Store is the shared store (storage/redis for a fleet). Nil: an
	// in-memory store owned and closed by the Adaptive.
	Store storage.Store
	// FailClosed refuses requests (OutcomeLimited, Degraded) while the store
	// is unavailable. Default false: fail open to a local in-memory limiter
	// with the same policy.
	FailClosed bool
	// StoreTimeout bounds one store call. Default 200ms.
	StoreTimeout time.Duration
	// BreakerFailures consecutive store failures open the breaker. Default 3.
	BreakerFailures uint32
	// BreakerTimeout is how long the breaker stays open before it probes the
	// store again. Default 2s.
	BreakerTimeout time.Duration
	// CacheSize bounds the in-process decision cache. Default 100,000.
	CacheSize int
	// MemoryMaxEntries caps the local store's entries. Default 1,000,000.
	MemoryMaxEntries int
	// MeterProvider receives the metrics. Default: otel's global provider.
	MeterProvider MeterProvider
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
}

// Adaptive is a threat-aware rate limiter. It is safe for concurrent use.
type Adaptive struct {
	cfg    Config
	policy Policy
	base   limiter.Rate
	routes map[string]limiter.Rate
	allow  []netip.Prefix

	store   storage.Store // shared store, or the local one
	local   *memory.Store // fallback (and the store when Config.Store is nil)
	breaker *gobreaker.CircuitBreaker[storage.Count]
	cache   decisionCache
	tel     *telemetry
	ops     operators // operator rules (operator.go)
}

// New validates cfg and returns an Adaptive limiter. An invalid rate, policy
// or allow-list entry is an error naming the field.
func New(cfg Config) (*Adaptive, error) {
	if cfg.Rate == "" {
		cfg.Rate = DefaultRate
	}
	a := &Adaptive{cfg: cfg, routes: make(map[string]limiter.Rate, len(cfg.Routes))}
	var err error
	if a.base, err = parseRate(cfg.Rate); err != nil {
		return nil, fmt.Errorf("ratelimit: Config.Rate: %w", err)
	}
	for route, s := range cfg.Routes {
		r, err := parseRate(s)
		if err != nil {
			return nil, fmt.Errorf("ratelimit: Config.Routes[%q]: %w", route, err)
		}
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
	case cfg.CacheSize < 0:
		return nil, errors.New("ratelimit: Config.CacheSize: negative")
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
	if a.cfg.CacheSize == 0 {
		a.cfg.CacheSize = 100_000
	}
	if a.cfg.Clock == nil {
		a.cfg.Clock = time.Now
	}
	a.cache.max = a.cfg.CacheSize
	a.local = memory.New(memory.Options{MaxEntries: cfg.MemoryMaxEntries, Clock: a.cfg.Clock})
	if a.tel, err = newTelemetry(cfg.MeterProvider, a); err != nil {
		_ = a.local.Close()
		return nil, fmt.Errorf("ratelimit: metrics: %w", err)
	}
	a.store = a.local
	if cfg.Store != nil {
		a.store = cfg.Store
		a.breaker = gobreaker.NewCircuitBreaker[storage.Count](gobreaker.Settings{
			Name:        "ratelimit-store",
			MaxRequests: 1,
			Timeout:     a.cfg.BreakerTimeout,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= a.cfg.BreakerFailures
			},
			// A request cancelled by its client says nothing about the store.
			IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		})
	}
	return a, nil
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

// RateFor returns the base rate of route: its own, or Config.Rate.
func (a *Adaptive) RateFor(route string) limiter.Rate {
	if r, ok := a.routes[route]; ok {
		return r
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
		return Result{Outcome: OutcomeAllowListed, Reason: "allow-list"}, true
	}
	d, ok := a.cache.get(storage.BoundKey(key), now)
	if !ok || d.Kind != storage.KindBan {
		return Result{}, false
	}
	return banned(d, now), true
}

func banned(d storage.Decision, now time.Time) Result {
	return Result{
		Outcome:    OutcomeBanned,
		Reset:      d.Expires,
		RetryAfter: d.Expires.Sub(now),
		Reason:     "penalty box: " + d.Reason,
	}
}

// Allow counts one request of key on route with the given threat score and
// answers. It makes at most one store round trip. Store errors never deny a
// request by themselves: the breaker falls back to local limits (or refuses
// when configured fail-closed); the error is returned for telemetry only.
func (a *Adaptive) Allow(ctx context.Context, key, route string, score float64) (Result, error) {
	return a.AllowAt(ctx, key, route, score, a.cfg.Clock())
}

// AllowAt is Allow for a request that arrived at now, read by the caller
// from its own clock (as Cached takes it), which spares the hot path a
// second clock read.
func (a *Adaptive) AllowAt(ctx context.Context, key, route string, score float64, now time.Time) (Result, error) {
	if a.allowListed(key) {
		a.tel.decision(ctx, OutcomeAllowListed)
		return Result{Outcome: OutcomeAllowListed, Reason: "allow-list"}, nil
	}
	op := a.operatorLookup(key, now)
	if r, ok := op.answer(now); ok {
		a.tel.decision(ctx, r.Outcome)
		return r, nil
	}
	key = storage.BoundKey(key)
	cached, hasCached := a.cache.get(key, now)
	if hasCached && cached.Kind == storage.KindBan {
		a.tel.decision(ctx, OutcomeBanned)
		return banned(cached, now), nil
	}
	// NaN is no score at all: it never bans, and Multiplier slows it to the floor.
	if score >= a.policy.BanAt {
		return a.ban(ctx, key, now)
	}

	rate := a.RateFor(route)
	m := a.policy.Multiplier(score) * op.factor()
	if hasCached && cached.Kind == storage.KindThrottle {
		m *= cached.Factor
	}
	h := storage.Hit{
		Client: key,
		Bucket: route,
		Window: rate.Period,
		Limit:  limitOf(rate.Limit, m),
	}
	if a.policy.StrikeLimit > 0 {
		h.StrikeLimit = a.policy.StrikeLimit
		h.StrikeWindow = a.policy.StrikeWindow
		h.Penalty = storage.Decision{Kind: storage.KindThrottle, Factor: a.policy.ThrottleFactor, Reason: "repeated limit hits"}
		h.PenaltyTTL = a.policy.ThrottleTTL
	}
	c, degraded, err := a.hit(ctx, h, now)
	if err != nil && degraded && a.cfg.FailClosed {
		a.tel.decision(ctx, OutcomeLimited)
		return Result{
			Outcome:    OutcomeLimited,
			Limit:      h.Limit,
			Reset:      now.Add(a.cfg.BreakerTimeout),
			RetryAfter: a.cfg.BreakerTimeout,
			Reason:     "rate limit store unavailable",
			Degraded:   true,
		}, err
	}

	res := Result{Degraded: degraded}
	if c.Decision.Active(now) {
		a.cache.put(key, c.Decision, now)
		switch c.Decision.Kind {
		case storage.KindBan:
			r := banned(c.Decision, now)
			r.Degraded = degraded
			a.tel.decision(ctx, OutcomeBanned)
			return r, err
		case storage.KindThrottle:
			if !hasCached || cached.Kind != storage.KindThrottle {
				m *= c.Decision.Factor
			}
		}
	}
	res.Limit = limitOf(rate.Limit, m)
	res.Reset = c.Reset
	res.Remaining = max(res.Limit-c.N, 0)
	throttled := c.Decision.Active(now) && c.Decision.Kind == storage.KindThrottle
	switch {
	case c.N <= res.Limit:
		res.Outcome = OutcomeAllow
	case throttled:
		res.Outcome = OutcomeThrottled
		res.Reason = "penalty box: " + c.Decision.Reason
		res.RetryAfter = c.Reset.Sub(now)
	default:
		res.Outcome = OutcomeLimited
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
	a.tel.decision(ctx, res.Outcome)
	return res, err
}

func limitOf(base int64, m float64) int64 {
	l := int64(math.Floor(float64(base)*m + 1e-9)) // 100*0.55 is 54.999...
	if l < 1 {
		l = 1
	}
	return l
}

// ban puts key in the penalty box for a threat score at or above BanAt: one
// store write (the request's one round trip), and the local cache.
func (a *Adaptive) ban(ctx context.Context, key string, now time.Time) (Result, error) {
	d := storage.Decision{Kind: storage.KindBan, Factor: 0, Reason: "threat score", Expires: now.Add(a.policy.BanTTL)}
	a.cache.put(key, d, now)
	var err error
	degraded := false
	if a.breaker != nil {
		_, err = a.breaker.Execute(func() (storage.Count, error) {
			cctx, cancel := context.WithTimeout(ctx, a.cfg.StoreTimeout)
			defer cancel()
			start := time.Now()
			err := a.store.SetDecision(cctx, key, d, now)
			a.tel.storeLatency(ctx, time.Since(start))
			return storage.Count{}, err
		})
		if err != nil {
			degraded = true
			_ = a.local.SetDecision(ctx, key, d, now)
		}
	} else {
		err = a.local.SetDecision(ctx, key, d, now)
	}
	r := banned(d, now)
	r.Degraded = degraded
	a.tel.decision(ctx, OutcomeBanned)
	return r, err
}

// hit runs h on the store through the breaker, falling back to the local
// store when the shared one fails or the breaker is open.
func (a *Adaptive) hit(ctx context.Context, h storage.Hit, now time.Time) (storage.Count, bool, error) {
	if a.breaker == nil {
		c, err := a.local.Hit(ctx, h, now)
		return c, false, err
	}
	c, err := a.breaker.Execute(func() (storage.Count, error) {
		cctx, cancel := context.WithTimeout(ctx, a.cfg.StoreTimeout)
		defer cancel()
		start := time.Now()
		c, err := a.store.Hit(cctx, h, now)
		a.tel.storeLatency(ctx, time.Since(start))
		return c, err
	})
	if err == nil {
		return c, false, nil
	}
	if a.cfg.FailClosed {
		return storage.Count{}, true, err
	}
	lc, _ := a.local.Hit(ctx, h, now)
	return lc, true, err
}

// Unban removes key's penalty-box decision (ban or throttle) from the store,
// the local fallback and this instance's cache. Other instances keep a ban
// they have cached until it expires (at most Policy.BanTTL).
func (a *Adaptive) Unban(ctx context.Context, key string) error {
	key = storage.BoundKey(key)
	a.cache.delete(key)
	_ = a.local.DeleteDecision(ctx, key)
	if a.store != storage.Store(a.local) {
		if err := a.store.DeleteDecision(ctx, key); err != nil {
			return fmt.Errorf("ratelimit: unban: %w", err)
		}
	}
	return nil
}

// BreakerState returns the store breaker's state: "closed", "half-open",
// "open", or "none" without a shared store.
func (a *Adaptive) BreakerState() string {
	if a.breaker == nil {
		return "none"
	}
	return a.breaker.State().String()
}

// Close stops background work and closes the local store and, when the
// Adaptive created it, the metric callback. It does not close Config.Store.
func (a *Adaptive) Close() error {
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
