// Package memory is the embedded storage backend: sharded maps of counters
// and decisions with TTLs, a cap on entries (random eviction, an expired entry
// first among the few it reads), and a janitor goroutine that Close stops. It is the rate
// limiter's local store (ratelimit/standard makes one):
//
//	lim, err := ratelimit.New(ratelimit.Config{Local: memory.New(memory.Config{MaxEntries: 500_000})})
package memory

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/internal/backend"
	"github.com/bulwarkhq/bulwark/storage"
)

var _ storage.Store = (*Store)(nil)

// Config configures a Store. The zero value is usable.
type Config struct {
	// MaxEntries caps the number of live entries (counters, strike counters
	// and decisions together). Default 1,000,000. When a shard is full, an
	// expired entry among 5 read from a random start, or else a random
	// one, is evicted: the cost of a new entry does not grow with the
	// store.
	MaxEntries int
	// JanitorInterval is how often expired entries are removed. Default 1m;
	// negative disables the janitor.
	JanitorInterval time.Duration

	// shards is the number of independently locked maps (default 32);
	// tests set it.
	shards int
}

type entry struct {
	n   int64
	exp int64 // unix nanoseconds
	dec storage.Decision
	// A sliding-window counter's previous window count and current window
	// start (unix milliseconds); n is the current window's count.
	prev, start int64
}

type shard struct {
	mu sync.Mutex
	m  map[string]*entry
	// decisions counts the decision keys in m, so that counting a request
	// of a client looks its decision up only when the shard has any.
	decisions int
}

// del removes k from the shard. Caller holds the lock.
func (sh *shard) del(k string) {
	if _, ok := sh.m[k]; ok {
		delete(sh.m, k)
		if k[0] == kindDecision {
			sh.decisions--
		}
	}
}

// Store is an in-memory storage.Store.
type Store struct {
	seed     maphash.Seed
	shards   []shard
	perShard int
	clock    func() time.Time

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Store and starts its janitor.
func New(o Config) *Store { return newStore(o, time.Now) }

// newStore is New with the janitor's clock (every other method takes the
// time as an argument).
func newStore(o Config, clock func() time.Time) *Store {
	if o.shards <= 0 {
		o.shards = 32
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 1_000_000
	}
	if o.JanitorInterval == 0 {
		o.JanitorInterval = time.Minute
	}
	per := o.MaxEntries / o.shards
	if per < 1 {
		per = 1
	}
	s := &Store{
		seed:     maphash.MakeSeed(),
		shards:   make([]shard, o.shards),
		perShard: per,
		clock:    clock,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*entry)
	}
	if o.JanitorInterval > 0 {
		go s.janitor(o.JanitorInterval)
	} else {
		close(s.done)
	}
	return s
}

func (s *Store) shardOf(client string) *shard {
	return &s.shards[maphash.String(s.seed, client)%uint64(len(s.shards))]
}

// get returns the live entry for k, or nil. Caller holds the shard lock.
// The key is a buffer (see appendKey): the lookup allocates nothing.
func (sh *shard) get(k []byte, now int64) *entry {
	e := sh.m[string(k)]
	if e != nil && e.exp <= now {
		sh.del(string(k))
		return nil
	}
	return e
}

// evictSample is how many entries put reads to find a victim: few, as
// Redis's maxmemory-samples (5), since each is likely a cache miss in a
// large store.
const evictSample = 5

// put stores e under k, evicting when the shard is full. Caller holds the lock.
func (s *Store) put(sh *shard, k string, e *entry, now int64) {
	if _, ok := sh.m[k]; !ok && len(sh.m) >= s.perShard {
		// The victim is an expired entry among the first evictSample
		// the map yields (from a random start: Go's map order), else
		// the first of them. Looking further would make a flood of new
		// clients at a full store pay for the whole shard at each
		// request (1.1 ms a hit at the default MaxEntries).
		victim, n := "", 0
		for vk, ve := range sh.m {
			if n == 0 || ve.exp <= now {
				victim = vk
			}
			if n++; ve.exp <= now || n == evictSample {
				break
			}
		}
		sh.del(victim)
	}
	if k[0] == kindDecision {
		if _, ok := sh.m[k]; !ok {
			sh.decisions++
		}
	}
	sh.m[k] = e
}

// Keys inside a shard are a kind byte and the client, then for counters the
// bucket: the client's keys share its shard, like a Redis hash tag. They are
// built in a keyBuf on the caller's stack, so that finding an existing entry
// allocates nothing; only storing a new one copies its key.
const (
	kindCounter  = 'c'
	kindSliding  = 'w'
	kindStrike   = 's'
	kindDecision = 'd'
)

type keyBuf [2*backend.MaxKeyLen + 3]byte

func (b *keyBuf) key(kind byte, client string) []byte {
	return append(append(b[:0], kind, 0), client...)
}

func (b *keyBuf) counter(client, bucket string) []byte {
	return append(append(b.key(kindCounter, client), 0), bucket...)
}

func (b *keyBuf) sliding(client, bucket string) []byte {
	return append(append(b.key(kindSliding, client), 0), bucket...)
}

// Hit counts one request and returns the count, window end and decision.
func (s *Store) Hit(_ context.Context, h storage.Hit, now time.Time) (storage.Count, error) {
	client := backend.BoundKey(h.Client)
	bucket := backend.BoundKey(h.Bucket)
	sh := s.shardOf(client)
	n := now.UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var c storage.Count
	var kb keyBuf
	if sh.decisions > 0 {
		if d := sh.get(kb.key(kindDecision, client), n); d != nil {
			c.Decision = d.dec
		}
	}
	var over bool
	if h.Algorithm == storage.SlidingWindow {
		c.N, c.Reset, over = s.slide(sh, kb.sliding(client, bucket), h, now)
	} else {
		ck := kb.counter(client, bucket)
		e := sh.get(ck, n)
		if e == nil {
			e = &entry{exp: n + int64(h.Window)}
			s.put(sh, string(ck), e, n)
		}
		e.n++
		c.N, c.Reset = e.n, time.Unix(0, e.exp)
		over = h.Limit > 0 && e.n > h.Limit
	}
	if h.StrikeLimit > 0 && over && c.Decision.Action == storage.ActionNone {
		sk := kb.key(kindStrike, client)
		st := sh.get(sk, n)
		if st == nil {
			st = &entry{exp: n + int64(h.StrikeWindow)}
			s.put(sh, string(sk), st, n)
		}
		st.n++
		if st.n >= h.StrikeLimit {
			sh.del(string(sk)) // before kb holds the decision key
			d := h.Penalty
			d.Expires = now.Add(h.PenaltyTTL)
			s.put(sh, string(kb.key(kindDecision, client)), &entry{exp: d.Expires.UnixNano(), dec: d}, n)
			c.Decision = d
		}
	}
	return c, nil
}

// slide counts a request in the sliding-window counter under k and
// reports the estimate, the reset time and whether the request is over the
// limit (and so not counted). Caller holds the shard lock.
func (s *Store) slide(sh *shard, k []byte, h storage.Hit, now time.Time) (int64, time.Time, bool) {
	w := max(h.Window.Milliseconds(), 1)
	t := now.UnixMilli()
	start := t - t%w
	e := sh.get(k, now.UnixNano())
	if e == nil {
		e = &entry{start: start}
		s.put(sh, string(k), e, now.UnixNano())
	}
	if e.start < start {
		e.prev = 0
		if e.start == start-w {
			e.prev = e.n
		}
		e.n, e.start = 0, start
	}
	// A window ahead of now (a fleet's clocks differ a little) is taken as
	// the current one.
	e.exp = time.UnixMilli(e.start + 2*w).UnixNano()
	n, wait, over := backend.Slide(e.prev, e.n, t-e.start, w, h.Limit)
	if !over {
		e.n++
	}
	return n, now.Add(time.Duration(wait) * time.Millisecond), over
}

// SetDecision stores d for client until d.Expires.
func (s *Store) SetDecision(_ context.Context, client string, d storage.Decision, now time.Time) error {
	client = backend.BoundKey(client)
	sh := s.shardOf(client)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var kb keyBuf
	k := kb.key(kindDecision, client)
	if !d.Active(now) {
		sh.del(string(k))
		return nil
	}
	s.put(sh, string(k), &entry{exp: d.Expires.UnixNano(), dec: d}, now.UnixNano())
	return nil
}

// Decision returns client's active decision, or one of ActionNone.
func (s *Store) Decision(_ context.Context, client string, now time.Time) (storage.Decision, error) {
	client = backend.BoundKey(client)
	sh := s.shardOf(client)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var kb keyBuf
	if e := sh.get(kb.key(kindDecision, client), now.UnixNano()); e != nil {
		return e.dec, nil
	}
	return storage.Decision{}, nil
}

// DeleteDecision removes client's decision.
func (s *Store) DeleteDecision(_ context.Context, client string) error {
	client = backend.BoundKey(client)
	sh := s.shardOf(client)
	var kb keyBuf
	sh.mu.Lock()
	sh.del(string(kb.key(kindDecision, client)))
	sh.mu.Unlock()
	return nil
}

// entries returns the number of stored entries, expired ones not yet removed included.
func (s *Store) entries() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// sweep removes the entries expired at now.
func (s *Store) sweep(now time.Time) {
	n := now.UnixNano()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if e.exp <= n {
				sh.del(k)
			}
		}
		sh.mu.Unlock()
	}
}

func (s *Store) janitor(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sweep(s.clock())
		}
	}
}

// Close stops the janitor and waits for it. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}
