package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/internal/stream"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/threat"
)

// ruleSetter is what the Watcher needs of the Guard's limiter
// (*ratelimit.Adaptive has it).
type ruleSetter interface {
	SetOperatorRule(id string, r ratelimit.OperatorRule) error
	RemoveOperatorRule(id string) bool
}

var _ ruleSetter = (*ratelimit.Adaptive)(nil)

// suppressor is what the watcher needs of the Guard's engine to apply
// suppressions (a *threat.Engine).
type suppressor interface {
	Suppress(id string, s threat.Suppression) error
	Unsuppress(id string) bool
}

var _ suppressor = (*threat.Engine)(nil)

// WatcherConfig configures a Watcher.
type WatcherConfig struct {
	// Conn is the NATS connection. Required; not closed by the Watcher.
	Conn *nats.Conn
	// Guard enforces the decisions: its limiter (a *ratelimit.Adaptive)
	// takes them as operator rules. Required.
	Guard *bulwark.Guard
	// Region names the region whose decision bucket is watched. Default
	// "local".
	Region string
	// Aggregate watches the region's aggregate of every region's decisions
	// (replicate.AggregateBucket, the control plane's REGIONS mode)
	// instead of the region's own bucket, and merges it on read: per
	// target, the last writer's ban or throttle over all regions, and the
	// allow-list adds no region removed (allow beats ban in the limiter).
	// The NATS connection must reach the region's own JetStream.
	Aggregate bool
	// Pseudonyms resolves decisions keyed by pseudonym to the client keys
	// this instance has seen (and sees later). Without it such decisions
	// are counted in Stats().Unresolved and otherwise ignored.
	Pseudonyms *Pseudonyms
	// Logger receives invalid values and watch restarts. Default slog.Default.
	Logger *slog.Logger
	// ModelKeys, when set, makes the watcher also follow the combiner
	// models the control plane publishes (its MODEL_KEYS line: "<key
	// id>:<base64>", several during a rotation): the active one is swapped
	// in, the shadow one scored beside it, the canary one enforced for
	// CanaryFraction of clients (default 0.1), each only after its Ed25519
	// signature and SHA-256 verify against these keys. A model that does
	// not verify or load is refused and counted, and the running one stays.
	ModelKeys      string
	CanaryFraction float64
	// Exporter, when set, reports the models this watcher refused with
	// its health reports, so that the control plane raises an incident
	// (a refused artefact is tampered, signed by an unknown key, or does
	// not load). Default: refusals are counted and logged here only.
	Exporter *Exporter
}

// WatcherStats counts what a Watcher applied.
type WatcherStats struct {
	Applied    uint64 // values applied (set or removed)
	Invalid    uint64 // values that did not parse or validate, ignored
	Unresolved uint64 // pseudonym decisions applied with no Pseudonyms
	Restarts   uint64 // watches started again after an error
	Active     int    // decisions in force now
	// Models applied (swapped in, set as shadow or canary) and refused
	// (bad signature, hash, or model).
	ModelsApplied, ModelsRefused uint64
}

// Watcher keeps a limiter's operator rules in step with a decision bucket.
type Watcher struct {
	cfg                WatcherConfig
	rules              ruleSetter
	supp               suppressor // nil when the engine takes no suppressions
	models             sync.WaitGroup
	mApplied, mRefused atomic.Uint64
	js                 jetstream.JetStream
	cancel             context.CancelFunc
	done               chan struct{}
	ready              chan struct{}

	agg    *replicate.Reader // with Aggregate
	mu     sync.Mutex
	values map[string]*decision.Value // bucket key -> latest value
	ids    map[string][]string        // bucket key -> limiter rule ids
	stats  WatcherStats
}

// NewWatcher starts watching. Ready tells when the bucket's current values
// have been applied; until the bucket exists (the control plane creates
// it) the watcher retries.
func NewWatcher(cfg WatcherConfig) (*Watcher, error) {
	if cfg.Conn == nil || cfg.Guard == nil {
		return nil, fmt.Errorf("%w: WatcherConfig.Conn and Guard are required", ErrConfig)
	}
	rules, ok := cfg.Guard.Limiter().(ruleSetter)
	if !ok {
		return nil, fmt.Errorf("%w: WatcherConfig.Guard: its limiter takes no operator rules (a *ratelimit.Adaptive does)", ErrConfig)
	}
	if cfg.Region == "" {
		cfg.Region = stream.DefaultRegion
	}
	if err := validName("WatcherConfig.Region", cfg.Region); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("fleet: jetstream: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{cfg: cfg, rules: rules, js: js, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}),
		values: map[string]*decision.Value{}, ids: map[string][]string{}}
	w.supp, _ = cfg.Guard.Engine().(suppressor)
	if cfg.ModelKeys != "" {
		if err := w.followModels(ctx); err != nil {
			cancel()
			return nil, err
		}
	}
	if cfg.Pseudonyms != nil {
		cfg.Pseudonyms.setOnNew(w.newClient)
	}
	if cfg.Aggregate {
		if w.agg, err = replicate.NewReader(replicate.ReaderConfig{JS: js, OnChange: w.applyEntry, Logger: cfg.Logger}); err != nil {
			cancel()
			return nil, err
		}
		go w.follow(ctx)
		return w, nil
	}
	go w.run(ctx)
	return w, nil
}

// follow runs with Aggregate: the Reader watches and merges, and calls
// applyEntry.
func (w *Watcher) follow(ctx context.Context) {
	defer close(w.done)
	select {
	case <-w.agg.Ready():
		close(w.ready)
	case <-ctx.Done():
	}
	<-ctx.Done()
	_ = w.agg.Close()
}

// applyEntry enforces what the aggregate holds for one target: its merged
// deny register under the target's deny key, and under its allow key the
// allow-list add in force that lasts longest (none: the key is lifted).
func (w *Watcher) applyEntry(e replicate.Entry) {
	now := time.Now()
	var deny, allow *decision.Value
	if e.Deny != nil {
		d := *e.Deny
		deny = &d
	}
	for i := range e.Allows {
		a := e.Allows[i]
		if a.Pending(now) && (allow == nil || lasts(&a, allow)) {
			allow = &a
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, kv := range []struct {
		key string
		v   *decision.Value
	}{{decision.KeyOf("deny", e.Target), deny}, {decision.KeyOf("allow", e.Target), allow}} {
		if same(w.values[kv.key], kv.v) {
			continue
		}
		if kv.v == nil {
			w.remove(kv.key)
			delete(w.values, kv.key)
			w.stats.Applied++
			continue
		}
		w.enforce(kv.key, kv.v)
	}
}

// lasts reports whether a ends after b (no expiry: never ends).
func lasts(a, b *decision.Value) bool {
	switch {
	case b.Expires.IsZero():
		return false
	case a.Expires.IsZero():
		return true
	}
	return a.Expires.After(b.Expires)
}

// same reports whether a and b are the same value (or both none).
func same(a, b *decision.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	ea, _ := a.Marshal()
	eb, _ := b.Marshal()
	return string(ea) == string(eb)
}

// Ready is closed once the bucket's values at start have been applied.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Stats returns the counters.
func (w *Watcher) Stats() WatcherStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.ModelsApplied, s.ModelsRefused = w.mApplied.Load(), w.mRefused.Load()
	if w.agg != nil {
		as := w.agg.Stats()
		s.Invalid += as.Invalid
		s.Restarts += as.Restarts
	}
	now := time.Now()
	for _, v := range w.values {
		if v.Active(now) {
			s.Active++
		}
	}
	return s
}

// Close stops the watch. Rules already applied stay in the limiter.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	w.models.Wait()
	if w.cfg.Pseudonyms != nil {
		w.cfg.Pseudonyms.setOnNew(nil)
	}
	return nil
}

func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	readyOnce := sync.Once{}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := w.watch(ctx, func() { readyOnce.Do(func() { close(w.ready) }) })
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		w.stats.Restarts++
		w.mu.Unlock()
		w.cfg.Logger.Debug("fleet: decision watch restarts", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// watch follows the bucket until ctx ends or the watch fails. Values
// present at the start come first, then a nil entry, then changes.
func (w *Watcher) watch(ctx context.Context, ready func()) error {
	kv, err := w.js.KeyValue(ctx, stream.DecisionBucket(w.cfg.Region))
	if err != nil {
		return err
	}
	kw, err := kv.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = kw.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-kw.Updates():
			if !ok {
				return errors.New("watch closed")
			}
			if e == nil {
				ready()
				continue
			}
			w.apply(e)
		}
	}
}

// apply enforces one bucket entry.
func (w *Watcher) apply(e jetstream.KeyValueEntry) {
	key := e.Key()
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.Operation() != jetstream.KeyValuePut {
		// a purge or delete of the key: whatever it held is gone
		w.remove(key)
		delete(w.values, key)
		w.stats.Applied++
		return
	}
	v, err := decision.Unmarshal(e.Value())
	if err == nil {
		var list string
		var t decision.Target
		list, t, err = decision.ParseKey(key)
		if err == nil && (list != v.List() || t != v.Target) {
			err = fmt.Errorf("value for %s under key %s", v.Target, key)
		}
	}
	if err != nil {
		w.stats.Invalid++
		w.cfg.Logger.Warn("fleet: ignoring invalid decision", "key", key, "err", err)
		return
	}
	if old := w.values[key]; old != nil && old.Newer(v) {
		return // an older write seen late loses
	}
	w.enforce(key, v)
}

// enforce makes v the value of bucket key and applies its rules. Caller
// holds mu.
func (w *Watcher) enforce(key string, v *decision.Value) {
	w.values[key] = v
	w.remove(key)
	w.stats.Applied++
	if !v.Pending(time.Now()) {
		return
	}
	r := ratelimit.OperatorRule{Allow: v.Action == decision.Allow, Factor: v.Factor, Reason: v.Reason, Starts: v.Starts, Expires: v.Expires}
	switch v.Action {
	case decision.Ban:
		r.Action = storage.ActionBan
	case decision.Throttle:
		r.Action = storage.ActionThrottle
	}
	switch v.Target.Type {
	case decision.TypeSuppression:
		sc, ok := v.Target.Suppression()
		if !ok || w.supp == nil {
			w.stats.Invalid++
			return
		}
		if err := w.supp.Suppress(key, threat.Suppression{Rule: sc.Rule, Route: sc.Route, Param: sc.Param, Expires: v.Expires}); err != nil {
			w.stats.Invalid++
			w.cfg.Logger.Warn("fleet: engine refused suppression", "key", key, "err", err)
		}
	case decision.TypeKey:
		r.Key = v.Target.Value
		w.set(key, key, r)
	case decision.TypeRoute:
		r.Route = v.Target.Value
		w.set(key, key, r)
	case decision.TypePseudonym:
		if w.cfg.Pseudonyms == nil {
			w.stats.Unresolved++
			return
		}
		w.cfg.Pseudonyms.watchPseudonym(v.Target.Value, true)
		for _, c := range w.cfg.Pseudonyms.clients(v.Target.Value) {
			r.Key = c
			w.set(key, key+"|"+c, r)
		}
	default:
		p, ok := v.Target.Prefix()
		if !ok {
			w.stats.Invalid++
			return
		}
		r.Prefix = p
		w.set(key, key, r)
	}
}

// set applies one limiter rule for bucket key. Caller holds mu.
func (w *Watcher) set(key, id string, r ratelimit.OperatorRule) {
	if err := w.rules.SetOperatorRule(id, r); err != nil {
		w.stats.Invalid++
		w.cfg.Logger.Warn("fleet: limiter refused decision", "key", key, "err", err)
		return
	}
	w.ids[key] = append(w.ids[key], id)
}

// remove lifts the rules of bucket key. Caller holds mu.
func (w *Watcher) remove(key string) {
	for _, id := range w.ids[key] {
		w.rules.RemoveOperatorRule(id)
	}
	delete(w.ids, key)
	if old := w.values[key]; old != nil && old.Target.Type == decision.TypeSuppression && w.supp != nil {
		w.supp.Unsuppress(key)
	}
	if old := w.values[key]; old != nil && old.Target.Type == decision.TypePseudonym && w.cfg.Pseudonyms != nil {
		w.cfg.Pseudonyms.watchPseudonym(old.Target.Value, false)
	}
}

// newClient applies the pseudonym decisions naming a client this instance
// has just seen for the first time.
func (w *Watcher) newClient(ps, client string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, list := range []string{"allow", "deny"} {
		key := decision.KeyOf(list, decision.Target{Type: decision.TypePseudonym, Value: ps})
		v := w.values[key]
		if v == nil || !v.Pending(time.Now()) {
			continue
		}
		r := ratelimit.OperatorRule{Key: client, Allow: v.Action == decision.Allow, Factor: v.Factor, Reason: v.Reason, Starts: v.Starts, Expires: v.Expires}
		switch v.Action {
		case decision.Ban:
			r.Action = storage.ActionBan
		case decision.Throttle:
			r.Action = storage.ActionThrottle
		}
		w.set(key, key+"|"+client, r)
	}
}
