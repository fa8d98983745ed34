package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/bulwarkhq/bulwark/storage"
)

// breakerSet holds one breaker a shard of the shared store, made on first
// use; "" is the store-wide one.
type breakerSet struct {
	mu   sync.RWMutex
	m    map[string]*gobreaker.CircuitBreaker[storage.Count]
	make func(shard string) *gobreaker.CircuitBreaker[storage.Count]
}

func (b *breakerSet) get(shard string) *gobreaker.CircuitBreaker[storage.Count] {
	b.mu.RLock()
	cb := b.m[shard]
	b.mu.RUnlock()
	if cb != nil {
		return cb
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string]*gobreaker.CircuitBreaker[storage.Count])
	}
	if cb = b.m[shard]; cb != nil {
		return cb
	}
	if len(b.m) >= maxShards {
		if cb = b.m[""]; cb != nil {
			return cb
		}
		shard = ""
	}
	cb = b.make(shard)
	b.m[shard] = cb
	return cb
}

// each calls f for every breaker, outside the set's lock.
func (b *breakerSet) each(f func(shard string, cb *gobreaker.CircuitBreaker[storage.Count])) {
	b.mu.RLock()
	shards := make([]string, 0, len(b.m))
	cbs := make([]*gobreaker.CircuitBreaker[storage.Count], 0, len(b.m))
	for s, cb := range b.m {
		shards = append(shards, s)
		cbs = append(cbs, cb)
	}
	b.mu.RUnlock()
	for i := range cbs {
		f(shards[i], cbs[i])
	}
}

// worst returns open if any breaker is open, else half-open if any is,
// else closed.
func (b *breakerSet) worst() gobreaker.State {
	rank := map[gobreaker.State]int{gobreaker.StateClosed: 0, gobreaker.StateHalfOpen: 1, gobreaker.StateOpen: 2}
	w := gobreaker.StateClosed
	b.each(func(_ string, cb *gobreaker.CircuitBreaker[storage.Count]) {
		if s := cb.State(); rank[s] > rank[w] {
			w = s
		}
	})
	return w
}

// pendingSet holds the decisions the shared store did not take, by client
// key, until they are written back or expire. It is bounded: when full, the
// decision that expires first gives way, and dropped counts what was lost.
type pendingSet struct {
	mu      sync.Mutex
	m       map[string]storage.Decision
	max     int
	n       atomic.Int64
	dropped atomic.Int64
}

// outranks reports whether a makes b redundant: a ban beats a throttle,
// and of two decisions of one kind the one that ends later wins.
func outranks(a, b storage.Decision) bool {
	if a.Action != b.Action {
		return a.Action > b.Action
	}
	return !a.Expires.Before(b.Expires)
}

// add keeps d for key unless a decision that outranks it is kept already,
// and reports whether the set was empty before.
func (p *pendingSet) add(key string, d storage.Decision) (wasEmpty bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]storage.Decision)
	}
	wasEmpty = len(p.m) == 0
	if cur, ok := p.m[key]; ok {
		if !outranks(cur, d) {
			p.m[key] = d
		}
		return wasEmpty
	}
	if len(p.m) >= p.max {
		victim, first := "", time.Time{}
		for k, v := range p.m {
			if victim == "" || v.Expires.Before(first) {
				victim, first = k, v.Expires
			}
		}
		p.dropped.Add(1)
		if !first.Before(d.Expires) {
			return wasEmpty
		}
		delete(p.m, victim)
	}
	p.m[key] = d
	p.n.Store(int64(len(p.m)))
	return wasEmpty
}

// remove forgets key's decision: any one when d is nil, else only if it is
// still *d (a newer one written meanwhile stays).
func (p *pendingSet) remove(key string, d *storage.Decision) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur, ok := p.m[key]; ok && (d == nil || cur == *d) {
		delete(p.m, key)
		p.n.Store(int64(len(p.m)))
	}
}

func (p *pendingSet) snapshot() map[string]storage.Decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]storage.Decision, len(p.m))
	for k, v := range p.m {
		out[k] = v
	}
	return out
}

// queue keeps a decision the shared store did not take, to write it back.
func (a *Adaptive) queue(key string, d storage.Decision) {
	if a.pending.add(key, d) {
		a.wake()
	}
}

// wake nudges the write-back loop without waiting.
func (a *Adaptive) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// writeBackEvery is how often the write-back loop tries the store while
// decisions wait: a tenth of BreakerTimeout, at least 10ms, at most 1s.
func (a *Adaptive) writeBackEvery() time.Duration {
	return min(max(a.cfg.BreakerTimeout/10, 10*time.Millisecond), time.Second)
}

// writeBack writes waiting decisions to the shared store: when a breaker
// closes, and, while any wait, every writeBackEvery. Its writes go through
// the breakers too, so they probe a half-open shard themselves and a ban
// reaches the store without waiting for that client's next request. It
// runs until Close.
func (a *Adaptive) writeBack() {
	defer close(a.done)
	every := a.writeBackEvery()
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		var tick <-chan time.Time
		if a.pending.n.Load() > 0 {
			t.Reset(every)
			tick = t.C
		}
		select {
		case <-a.stop:
			return
		case <-a.kick:
		case <-tick:
		}
		a.flush()
	}
}

// flush tries to write every waiting decision whose shard's breaker is not
// open. A decision already outranked in the store (a longer ban written by
// another instance) is not written over it. TTLs stay relative to the
// decisions' original expiry.
func (a *Adaptive) flush() {
	for key, d := range a.pending.snapshot() {
		select {
		case <-a.stop:
			return
		default:
		}
		now := a.clock()
		if !d.Active(now) {
			a.pending.remove(key, &d)
			continue
		}
		cb := a.breakerFor(key)
		if cb.State() == gobreaker.StateOpen {
			continue
		}
		_, err := a.call(context.Background(), cb, func(ctx context.Context) (storage.Count, error) {
			cur, err := a.store.Decision(ctx, key, now)
			if err != nil {
				return storage.Count{}, err
			}
			if cur.Active(now) && outranks(cur, d) {
				return storage.Count{}, nil
			}
			return storage.Count{}, a.store.SetDecision(ctx, key, d, now)
		})
		if err == nil {
			a.pending.remove(key, &d)
		}
	}
}
