package replicate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

// Entry is what a region knows of one target, merged over every region.
type Entry struct {
	Target decision.Target
	// Deny is the merged deny register (ban or throttle, perhaps a
	// tombstone), nil when no region wrote one.
	Deny *decision.Value
	// Allows are the allow-list adds no region removed (expired ones
	// included), ordered by origin region.
	Allows []decision.Value
}

// AllowSet returns the allow-list of e's target as a decision.AllowSet.
func (e Entry) AllowSet() *decision.AllowSet {
	var s decision.AllowSet
	for _, a := range e.Allows {
		s.Add(a)
	}
	return &s
}

// Effective is what holds for e's target at now: allow beats ban and
// throttle (decision.Effective).
func (e Entry) Effective(now time.Time) (allowed bool, in *decision.Value) {
	return decision.Effective(e.AllowSet(), e.Deny, e.Target, now)
}

// encode is e in a canonical form: equal encodings, equal entries.
func (e Entry) encode() string {
	var b bytes.Buffer
	if e.Deny != nil {
		d, _ := e.Deny.Marshal()
		b.Write(d)
	}
	for _, a := range e.Allows {
		d, _ := a.Marshal()
		b.WriteByte('\n')
		b.Write(d)
	}
	return b.String()
}

// slot holds the latest value of each aggregate key of one target.
type slot struct {
	deny  map[string]*decision.Value // region -> its deny register
	allow map[string]*decision.Value // region -> its allow register
	rm    map[string]*decision.Value // "<remover>.<origin>" -> the removed dot
	last  string                     // encoding of the entry last reported
}

func (s *slot) entry(t decision.Target) Entry {
	e := Entry{Target: t}
	for _, r := range slices.Sorted(maps.Keys(s.deny)) {
		e.Deny = decision.Merge(e.Deny, s.deny[r])
	}
	removed := map[decision.Dot]bool{}
	for _, v := range s.rm {
		removed[decision.Dot{Origin: v.Origin, Stamp: v.Stamp}] = true
	}
	for _, r := range slices.Sorted(maps.Keys(s.allow)) {
		v := s.allow[r]
		if !v.Tombstone && !removed[decision.Dot{Origin: v.Origin, Stamp: v.Stamp}] {
			e.Allows = append(e.Allows, *v)
		}
	}
	return e
}

// ReaderConfig configures a Reader.
type ReaderConfig struct {
	// JS is the region's own JetStream. Required.
	JS jetstream.JetStream
	// Clock, when set, is shown every stamp read (decision.Clock.Update),
	// so that the region's next write orders after what it has seen.
	Clock *decision.Clock
	// OnChange is called, from the Reader's goroutine, when the Entry of a
	// target changes. It must not block for long.
	OnChange func(Entry)
	// Logger receives undecodable values and watch restarts. Default
	// slog.Default.
	Logger *slog.Logger
}

// ReaderStats counts what a Reader read.
type ReaderStats struct {
	Applied  uint64 // aggregate entries applied
	Invalid  uint64 // entries that did not parse or validate, skipped
	Restarts uint64 // watches started again after an error
	Targets  int    // targets with an entry
}

// Reader follows a region's aggregate and merges it on read.
type Reader struct {
	cfg    ReaderConfig
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{}

	mu    sync.Mutex
	slots map[decision.Target]*slot
	stats ReaderStats
}

// NewReader starts following the aggregate. Ready tells when its content
// at start has been read; until the aggregate exists the Reader retries.
func NewReader(cfg ReaderConfig) (*Reader, error) {
	if cfg.JS == nil {
		return nil, fmt.Errorf("%w: ReaderConfig.JS is required", ErrConfig)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reader{cfg: cfg, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}),
		slots: map[decision.Target]*slot{}}
	go r.run(ctx)
	return r, nil
}

// Ready is closed once the aggregate's content at start has been read.
func (r *Reader) Ready() <-chan struct{} { return r.ready }

// Close stops the Reader.
func (r *Reader) Close() error {
	r.cancel()
	<-r.done
	return nil
}

// Stats returns the counters.
func (r *Reader) Stats() ReaderStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Targets = len(r.slots)
	return s
}

// Entry returns what the region knows of t.
func (r *Reader) Entry(t decision.Target) Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.slots[t]; s != nil {
		return s.entry(t)
	}
	return Entry{Target: t}
}

// Effective is what the region enforces on t at now.
func (r *Reader) Effective(t decision.Target, now time.Time) (allowed bool, in *decision.Value) {
	return r.Entry(t).Effective(now)
}

// Snapshot returns the entry of every target some region wrote.
func (r *Reader) Snapshot() map[decision.Target]Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[decision.Target]Entry, len(r.slots))
	for t, s := range r.slots {
		m[t] = s.entry(t)
	}
	return m
}

func (r *Reader) run(ctx context.Context) {
	defer close(r.done)
	var once sync.Once
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		caughtUp := false
		err := r.watch(ctx, func() {
			caughtUp = true
			once.Do(func() { close(r.ready) })
		})
		if ctx.Err() != nil {
			return
		}
		if caughtUp {
			backoff = 50 * time.Millisecond
		}
		r.mu.Lock()
		r.stats.Restarts++
		r.mu.Unlock()
		r.cfg.Logger.Debug("replicate: aggregate watch restarts", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// watch follows the aggregate until ctx ends, the watch fails or the
// connection reconnects. A reconnect restarts the watch (the whole
// aggregate again, which the merge takes as the replay it is): after its
// region's NATS restarted, the ordered consumer behind a KV watch is only
// recreated after missed heartbeats (10 s and more), or not at all when
// the stream is not yet back, and the region would stop hearing of
// decisions.
func (r *Reader) watch(ctx context.Context, ready func()) error {
	nc := r.cfg.JS.Conn()
	reconnected := nc.StatusChanged(nats.CONNECTED)
	defer nc.RemoveStatusListener(reconnected)
	kv, err := r.cfg.JS.KeyValue(ctx, AggregateBucket)
	if err != nil {
		return err
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-reconnected:
			return errors.New("reconnected")
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("watch closed")
			}
			if e == nil {
				ready()
				continue
			}
			if err := r.apply(e.Key(), e.Value(), e.Operation() != jetstream.KeyValuePut); err != nil {
				r.cfg.Logger.Warn("replicate: aggregate value skipped", "key", e.Key(), "err", err)
			}
		}
	}
}

// aggKey is an aggregate key taken apart.
type aggKey struct {
	region string          // the region whose bucket holds it
	kind   string          // "deny", "allow" or "rm"
	origin string          // rm: the region of the removed add
	target decision.Target // what it is about
}

func parseAggKey(key string) (k aggKey, err error) {
	region, rest, ok := strings.Cut(key, ".")
	if !ok || ValidRegion(region) != nil {
		return k, fmt.Errorf("%w: aggregate key %q has no region", decision.ErrInvalid, key)
	}
	k.region = region
	if after, ok := strings.CutPrefix(rest, rmPrefix+"."); ok {
		if k.origin, rest, ok = strings.Cut(after, "."); !ok || ValidRegion(k.origin) != nil {
			return k, fmt.Errorf("%w: aggregate key %q", decision.ErrInvalid, key)
		}
		k.kind = rmPrefix
		_, k.target, err = decision.ParseKey("allow." + rest)
		return k, err
	}
	k.kind, k.target, err = decision.ParseKey(rest)
	return k, err
}

// check reports whether v may be the value of k: a region writes only its
// own values, and the remove of another region's add names that add.
func (k aggKey) check(v *decision.Value) error {
	ok := v.Target == k.target
	switch k.kind {
	case "deny":
		ok = ok && v.Origin == k.region && v.List() == "deny"
	case "allow":
		ok = ok && v.Origin == k.region && v.Action == decision.Allow
	case rmPrefix:
		ok = ok && v.Origin == k.origin && v.Action == decision.Allow && v.Tombstone
	}
	if !ok {
		return fmt.Errorf("%w: value of %s/%s/%s does not match its key", decision.ErrInvalid, k.region, k.kind, k.target)
	}
	return nil
}

// apply folds one aggregate entry in; deleted says the key was deleted or
// purged in its region's bucket.
func (r *Reader) apply(key string, value []byte, deleted bool) error {
	k, err := parseAggKey(key)
	var v *decision.Value
	if err == nil && !deleted {
		if v, err = decision.Unmarshal(value); err == nil {
			err = k.check(v)
		}
	}
	r.mu.Lock()
	if err != nil {
		r.stats.Invalid++
		r.mu.Unlock()
		return err
	}
	r.stats.Applied++
	if v != nil && r.cfg.Clock != nil {
		r.cfg.Clock.Update(v.Stamp)
	}
	s := r.slots[k.target]
	if s == nil {
		s = &slot{deny: map[string]*decision.Value{}, allow: map[string]*decision.Value{}, rm: map[string]*decision.Value{}}
		r.slots[k.target] = s
	}
	m, id := s.deny, k.region
	switch k.kind {
	case "allow":
		m = s.allow
	case rmPrefix:
		m, id = s.rm, k.region+"."+k.origin
	}
	if deleted {
		delete(m, id)
	} else {
		// a replay or a late copy of an older value loses to the newer
		m[id] = decision.Merge(m[id], v)
	}
	e := s.entry(k.target)
	enc := e.encode()
	changed := enc != s.last
	s.last = enc
	if len(s.deny)+len(s.allow)+len(s.rm) == 0 {
		delete(r.slots, k.target)
	}
	r.mu.Unlock()
	if changed && r.cfg.OnChange != nil {
		r.cfg.OnChange(e)
	}
	return nil
}
