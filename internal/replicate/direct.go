package replicate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/kvcas"
)

// DirectConfig configures a Direct.
type DirectConfig struct {
	// JS is the region's own JetStream, the one that holds its aggregate.
	// Required.
	JS jetstream.JetStream
	// Region is the local region.
	Region string
	// Peers are the other regions' own JetStreams, by region, each on a
	// client connection to that region's NATS (not through the leafnodes:
	// one link, not hub and spoke). Required, and Region is not one of
	// them.
	Peers map[string]jetstream.JetStream
	// Logger receives watch restarts. Default slog.Default.
	Logger *slog.Logger
}

// DirectStats counts what a Direct did.
type DirectStats struct {
	Copied   uint64 // values written into the aggregate ahead of the source
	Held     uint64 // values the aggregate already held, or a newer one
	Invalid  uint64 // values that did not parse or match their key, left to the source
	Restarts uint64 // watches started again after an error or a reconnect
}

// Direct is the fast path of the aggregate: it watches the other regions'
// buckets over direct connections and copies what they write into the
// local aggregate, under the key the source would give it ("<region>.k").
//
// The leafnode links form a tree, so a source between two spokes crosses
// two links (through the hub); the direct connection crosses one. The
// sources stay the durable path (they catch up after a fault, and the
// Monitor watches them); Direct only gets a value there first. Each
// region still writes only its own bucket, and readers merge on read, so
// the second copy that the source delivers changes nothing.
//
// A copy never replaces a value the aggregate holds that is as new or
// newer (it compares and sets on the aggregate key), so the aggregate's
// latest value of a key does not go back to an older one because the
// fast path was late; the source, which delivers an origin's writes in
// order, ends with the origin's latest value of each key.
type Direct struct {
	cfg    DirectConfig
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	stats    DirectStats
	watching map[string]bool // peer -> its watch has caught up and runs
}

// NewDirect starts watching every peer's bucket. The watches retry until
// the peer's bucket and the local aggregate exist (Configure creates it).
func NewDirect(cfg DirectConfig) (*Direct, error) {
	if cfg.JS == nil {
		return nil, fmt.Errorf("%w: DirectConfig.JS is required", ErrConfig)
	}
	if err := ValidRegion(cfg.Region); err != nil {
		return nil, err
	}
	if len(cfg.Peers) == 0 {
		return nil, fmt.Errorf("%w: DirectConfig.Peers is empty", ErrConfig)
	}
	for p, js := range cfg.Peers {
		if err := ValidRegion(p); err != nil {
			return nil, err
		}
		if p == cfg.Region || js == nil {
			return nil, fmt.Errorf("%w: peer %q: not the local region, and a JetStream", ErrConfig, p)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Direct{cfg: cfg, cancel: cancel, watching: map[string]bool{}}
	for _, p := range slices.Sorted(maps.Keys(cfg.Peers)) {
		d.wg.Add(1)
		go func() { defer d.wg.Done(); d.run(ctx, p) }()
	}
	return d, nil
}

// Close stops the watches and waits for them.
func (d *Direct) Close() error {
	d.cancel()
	d.wg.Wait()
	return nil
}

// Stats returns the counters.
func (d *Direct) Stats() DirectStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Watching says the watch of peer's bucket has read its content and is
// running (false while its connection is down).
func (d *Direct) Watching(peer string) bool {
	d.mu.Lock()
	on := d.watching[peer]
	d.mu.Unlock()
	return on && d.cfg.Peers[peer].Conn().IsConnected()
}

func (d *Direct) run(ctx context.Context, peer string) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		caughtUp := false
		err := d.watch(ctx, peer, func() {
			caughtUp = true
			d.setWatching(peer, true)
		})
		d.setWatching(peer, false)
		if ctx.Err() != nil {
			return
		}
		if caughtUp {
			backoff = 50 * time.Millisecond
		}
		d.mu.Lock()
		d.stats.Restarts++
		d.mu.Unlock()
		d.cfg.Logger.Debug("replicate: direct watch restarts", "region", d.cfg.Region, "peer", peer, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

func (d *Direct) setWatching(peer string, on bool) {
	d.mu.Lock()
	d.watching[peer] = on
	d.mu.Unlock()
}

// watch copies peer's bucket into the aggregate until ctx ends, the watch
// fails or the peer's connection reconnects (the ordered consumer behind
// the watch would otherwise be recreated only after missed heartbeats).
// It starts with the latest value of every key: after a partition, what
// the peer wrote meanwhile arrives over the one link too.
func (d *Direct) watch(ctx context.Context, peer string, ready func()) error {
	pjs := d.cfg.Peers[peer]
	nc := pjs.Conn()
	reconnected := nc.StatusChanged(nats.CONNECTED)
	defer nc.RemoveStatusListener(reconnected)
	agg, err := d.cfg.JS.KeyValue(ctx, AggregateBucket)
	if err != nil {
		return err
	}
	kv, err := pjs.KeyValue(ctx, RegionBucket(peer))
	if err != nil {
		return err
	}
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	live := false // the replay of the bucket's content is over
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
				live = true
				ready()
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				continue // deletes and purges: the source carries them
			}
			if err := d.copy(ctx, agg, peer+"."+e.Key(), e.Value(), live); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				d.cfg.Logger.Debug("replicate: direct copy failed, left to the source", "peer", peer, "key", e.Key(), "err", err)
			}
		}
	}
}

// copy writes value under key in the aggregate unless the aggregate holds
// that value or a newer one. Invalid values are left to the source (and
// the readers, which skip them). fresh says the value was just written
// (not replayed), so that its key is likely new to the aggregate.
func (d *Direct) copy(ctx context.Context, agg jetstream.KeyValue, key string, value []byte, fresh bool) error {
	k, err := parseAggKey(key)
	var v *decision.Value
	if err == nil {
		if v, err = decision.Unmarshal(value); err == nil {
			err = k.check(v)
		}
	}
	if err != nil {
		d.count(func(s *DirectStats) { s.Invalid++ })
		return err
	}
	// most fresh values are of keys the aggregate does not hold yet (a new
	// decision): one round trip that succeeds only on a key never written
	// (revision 0), else compare and set; a replay mostly finds its keys
	// there already
	if fresh {
		if _, err := agg.Update(ctx, key, value, 0); err == nil {
			d.count(func(s *DirectStats) { s.Copied++ })
			return nil
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	wrote, err := kvcas.Write(ctx, agg, key, maxAttempts, func(held []byte) ([]byte, error) {
		if held != nil {
			if cur, err := decision.Unmarshal(held); err == nil && decision.Merge(cur, v) == cur {
				return nil, nil
			}
		}
		return value, nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("replicate: region %s: direct copy of %s: %w", d.cfg.Region, key, err)
	case wrote:
		d.count(func(s *DirectStats) { s.Copied++ })
	default:
		d.count(func(s *DirectStats) { s.Held++ })
	}
	return nil
}

func (d *Direct) count(f func(*DirectStats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}
