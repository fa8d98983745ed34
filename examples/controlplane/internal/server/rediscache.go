package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// Redis write-through (Config.RedisURL, with Regions): the region's
// merged aggregate is the truth, the region's Redis a cache of it that
// SDK instances on storage/redis read on every request, NATS or not. Each
// change of a target's merged entry is written through with the Store of
// storage/redis (so the SDK's keys and encoding, under its prefix): a
// ban or throttle in force is set with its expiry; one removed (or an
// allow-list entry, which beats it) clears the client's Redis decision
// if the control plane wrote it (its reason starts with
// operatorReason), so a penalty-box decision an SDK instance made itself
// stays. Every RedisResync the whole aggregate is written again (a
// flushed or restarted Redis, a throttle whose start was later). Only
// targets that name one client key reach Redis: an address, an
// aggregated prefix, a KeyFunc key. A CIDR, a pseudonym, a route or a
// suppression stays with the decision watchers.
//
// The SDK keys an IPv6 client by its /64 (middleware.Config.IPv6Prefix's
// default), so the ban of one IPv6 address is written under both that
// /64 key and the address itself (the key of an instance configured with
// IPv6Prefix 128): the decision watchers, whose rule of an address
// overlaps the client's /64, enforce it on the /64 too. A /64 key that
// several addresses' decisions share is cleared only when none of them
// has one left in force.

// operatorReason starts the reason of every decision the control plane
// writes to Redis, as the limiter's operator rules' reasons do.
const operatorReason = "operator: "

// redisCache writes the region's merged decisions through to its Redis.
type redisCache struct {
	client libredis.UniversalClient
	store  *redisstore.Store
	log    *slog.Logger
	now    func() time.Time
	every  time.Duration

	// merged is the region's merged aggregate (set before run), for the
	// decisions of other addresses that share a /64 key
	merged *replicate.Reader

	mu    sync.Mutex
	dirty map[decision.Target]replicate.Entry
	wake  chan struct{}

	written, cleared, failed, resyncs atomic.Uint64
	lastErr                           atomic.Pointer[string]
}

func newRedisCache(cfg *Config) (*redisCache, error) {
	opts, err := libredis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("controlplane: REDIS_URL: %w", err)
	}
	client := libredis.NewClient(opts)
	store, err := redisstore.New(client, redisstore.Config{Prefix: cfg.RedisPrefix})
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("controlplane: REDIS_PREFIX: %w", err)
	}
	return &redisCache{client: client, store: store, log: cfg.Logger, now: cfg.Now, every: cfg.RedisResync,
		dirty: map[decision.Target]replicate.Entry{}, wake: make(chan struct{}, 1)}, nil
}

// changed queues e's target; it never blocks (the Reader calls it).
func (c *redisCache) changed(e replicate.Entry) {
	if len(clientKeys(e.Target)) == 0 {
		return
	}
	c.mu.Lock()
	c.dirty[e.Target] = e
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run writes what changed as it changes, everything every c.every, and
// retries what failed with a backoff, until ctx ends.
func (c *redisCache) run(ctx context.Context, merged *replicate.Reader) {
	resync := time.NewTicker(c.every)
	defer resync.Stop()
	var retry <-chan time.Time
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-retry:
		case <-resync.C:
			for _, e := range merged.Snapshot() {
				c.changed(e)
			}
			c.resyncs.Add(1)
		}
		c.mu.Lock()
		batch := c.dirty
		c.dirty = map[decision.Target]replicate.Entry{}
		c.mu.Unlock()
		var failed []replicate.Entry
		for _, e := range batch {
			if err := c.apply(ctx, e); err != nil {
				if ctx.Err() != nil {
					return
				}
				c.failed.Add(1)
				msg := err.Error()
				c.lastErr.Store(&msg)
				failed = append(failed, e)
			}
		}
		retry = nil
		if len(failed) == 0 {
			backoff = 100 * time.Millisecond
			continue
		}
		c.log.Warn("controlplane: Redis write-through failed; retrying", "targets", len(failed), "in", backoff, "err", *c.lastErr.Load())
		c.mu.Lock()
		for _, e := range failed {
			if _, newer := c.dirty[e.Target]; !newer {
				c.dirty[e.Target] = e
			}
		}
		c.mu.Unlock()
		retry = time.After(backoff)
		backoff = min(2*backoff, 5*time.Second)
	}
}

// apply writes what e's target has in force to Redis.
func (c *redisCache) apply(ctx context.Context, e replicate.Entry) error {
	keys := clientKeys(e.Target)
	if len(keys) == 0 {
		return nil
	}
	now := c.now()
	allowed, in := e.Effective(now)
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for i, key := range keys {
		if in != nil {
			if err := c.store.SetDecision(actx, key, redisDecision(in), now); err != nil {
				return err
			}
			c.written.Add(1)
			continue
		}
		if !allowed && e.Deny == nil {
			continue // nothing of the control plane's to clear
		}
		d, err := c.store.Decision(actx, key, now)
		if err != nil {
			return err
		}
		if d.Action == storage.ActionNone || !strings.HasPrefix(d.Reason, operatorReason) {
			continue
		}
		if i > 0 {
			// a shared /64 key keeps another address's decision in force
			if sib := c.sibling(e.Target, key, now); sib != nil {
				if err := c.store.SetDecision(actx, key, redisDecision(sib), now); err != nil {
					return err
				}
				c.written.Add(1)
				continue
			}
		}
		if err := c.store.DeleteDecision(actx, key); err != nil {
			return err
		}
		c.cleared.Add(1)
	}
	return nil
}

// redisDecision is the storage/redis decision of in, a ban or throttle.
func redisDecision(in *decision.Value) storage.Decision {
	d := storage.Decision{Action: storage.ActionBan, Reason: operatorReason + in.Reason, Expires: in.Expires}
	if in.Action == decision.Throttle {
		d.Action, d.Factor = storage.ActionThrottle, in.Factor
	}
	return d
}

// sibling is the decision in force, if any, of another target whose
// Redis keys include key (another IPv6 address of one /64): a ban before
// a throttle, the one that lasts longest first.
func (c *redisCache) sibling(t decision.Target, key string, now time.Time) *decision.Value {
	if c.merged == nil {
		return nil
	}
	var best *decision.Value
	for ot, oe := range c.merged.Snapshot() {
		if ot == t || !slices.Contains(clientKeys(ot), key) {
			continue
		}
		if _, in := oe.Effective(now); in != nil && (best == nil || outranks(in, best)) {
			best = in
		}
	}
	return best
}

// outranks says a ban beats a throttle, and of two of a kind the one that
// lasts longer (no expiry: forever).
func outranks(a, b *decision.Value) bool {
	if a.Action != b.Action {
		return a.Action == decision.Ban
	}
	return !b.Expires.IsZero() && (a.Expires.IsZero() || a.Expires.After(b.Expires))
}

// status is the write-through's counters, for GET /api/v1/regions.
func (c *redisCache) status() map[string]any {
	m := map[string]any{"written": c.written.Load(), "cleared": c.cleared.Load(), "errors": c.failed.Load(), "resyncs": c.resyncs.Load()}
	if e := c.lastErr.Load(); e != nil {
		m["last_error"] = *e
	}
	return m
}

func (c *redisCache) close() error {
	_ = c.store.Close()
	return c.client.Close()
}

// sdkIPv6Prefix is how the SDK keys an IPv6 client by default
// (middleware.Config.IPv6Prefix).
const sdkIPv6Prefix = 64

// clientKeys are the limiter keys of the one client t names, if it names
// one: an address (an IPv6 address as itself, the key of an instance that
// does not aggregate IPv6 clients, and as the /64 the SDK keys it by by
// default), an aggregated prefix, a KeyFunc key.
func clientKeys(t decision.Target) []string {
	switch t.Type {
	case decision.TypeAddr:
		if a, err := netip.ParseAddr(t.Value); err == nil && a.Is6() && !a.Is4In6() {
			p, _ := a.Prefix(sdkIPv6Prefix)
			return []string{t.Value, p.String()}
		}
		return []string{t.Value}
	case decision.TypePrefix, decision.TypeKey:
		return []string{t.Value}
	}
	return nil
}
