package replicate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// SourceHealth is the state of one source of a region's aggregate: how far
// it is behind its origin region's bucket.
type SourceHealth struct {
	Region string // the origin region
	// Seen is the last origin sequence the aggregate took from the source
	// (StreamInfo sources[].seq); OriginLast the origin bucket's last
	// sequence, as last read through the origin's domain.
	Seen, OriginLast uint64
	// Lag is OriginLast - Seen: writes of the origin not yet here.
	Lag uint64
	// Reachable says the origin's bucket could be read just now; when not,
	// OriginLast is the last value read and Err says why.
	Reachable bool
	// Active is the time since the source last heard from its origin, as
	// the server reports it (-1: never); ServerLag the server's own lag
	// figure, which a silently stopped source reports as 0.
	Active    time.Duration
	ServerLag uint64
	// Since is when the source last made progress: advanced, or was found
	// caught up with a reachable origin.
	Since time.Time
	// Stalled: the source made no progress for longer than the threshold,
	// while behind its origin or while its origin could not be read.
	Stalled bool
	Err     string // the source's error reported by the server, or the origin read error
}

// MonitorConfig configures a Monitor.
type MonitorConfig struct {
	// JS is the region's own JetStream. Required.
	JS jetstream.JetStream
	// Region is the region whose aggregate is checked; Regions every
	// region it sources (as given to Configure).
	Region  string
	Regions []string
	// Threshold is how long a source may make no progress before it is
	// Stalled; keep it under the time regions must converge in after a
	// fault, when Resync is set. Default 3s.
	Threshold time.Duration
	// Timeout bounds each origin read. Default 2s.
	Timeout time.Duration
	// OnStall and OnRecover, when set, are called by Run when a source
	// becomes Stalled and when it stops being so.
	OnStall, OnRecover func(SourceHealth)
	// Resync, when set, makes Run restart (Resync) a source that stalled
	// while its origin is reachable, and put back one missing from the
	// aggregate, once per Threshold at most: the automatic healing of a
	// source that silently stopped or was lost.
	Resync bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// errNotSource is SourceHealth.Err of a region the aggregate does not
// source (a Configure that left it out, or an interrupted Resync).
const errNotSource = "not a source of the aggregate"

type sourceState struct {
	seen, originLast uint64
	since, resynced  time.Time
	stalled          bool
}

// Monitor checks the sources of a region's aggregate. It is safe for
// concurrent use.
type Monitor struct {
	cfg     MonitorConfig
	origins map[string]jetstream.JetStream

	mu    sync.Mutex
	state map[string]*sourceState
}

// NewMonitor returns a Monitor of cfg.Region's aggregate.
func NewMonitor(cfg MonitorConfig) (*Monitor, error) {
	if cfg.JS == nil {
		return nil, fmt.Errorf("%w: MonitorConfig.JS is required", ErrConfig)
	}
	if err := validRegions(cfg.Region, cfg.Regions); err != nil {
		return nil, err
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 3 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Monitor{cfg: cfg, origins: map[string]jetstream.JetStream{}, state: map[string]*sourceState{}}
	for _, r := range cfg.Regions {
		js, err := jetstream.NewWithDomain(cfg.JS.Conn(), r)
		if err != nil {
			return nil, fmt.Errorf("replicate: monitor: region %s: %w", r, err)
		}
		m.origins[r] = js
	}
	return m, nil
}

// Check reads the aggregate's sources and their origins once and returns
// their health, in the order of cfg.Regions.
func (m *Monitor) Check(ctx context.Context) ([]SourceHealth, error) {
	hs, _, err := m.check(ctx)
	return hs, err
}

func (m *Monitor) check(ctx context.Context) (hs []SourceHealth, changed []SourceHealth, err error) {
	ictx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	agg, err := m.cfg.JS.Stream(ictx, kvStream(AggregateBucket))
	cancel()
	if err != nil {
		return nil, nil, fmt.Errorf("replicate: monitor: region %s: aggregate: %w", m.cfg.Region, err)
	}
	byName := map[string]*jetstream.StreamSourceInfo{}
	for _, si := range agg.CachedInfo().Sources {
		byName[si.Name] = si
	}
	type origin struct {
		last uint64
		err  error
	}
	origins := make([]origin, len(m.cfg.Regions))
	var wg sync.WaitGroup
	for i, r := range m.cfg.Regions {
		wg.Go(func() {
			octx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
			defer cancel()
			s, err := m.origins[r].Stream(octx, kvStream(RegionBucket(r)))
			if err != nil {
				origins[i].err = err
				return
			}
			origins[i].last = s.CachedInfo().State.LastSeq
		})
	}
	wg.Wait()

	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, r := range m.cfg.Regions {
		h := SourceHealth{Region: r, Reachable: origins[i].err == nil, Active: -1}
		st := m.state[r]
		if st == nil {
			st = &sourceState{since: now}
			m.state[r] = st
		}
		if si := byName[kvStream(RegionBucket(r))]; si != nil {
			h.Seen, h.Active, h.ServerLag = si.Seq, si.Active, si.Lag
			if si.Error != nil {
				h.Err = si.Error.Error()
			}
		} else {
			h.Err = errNotSource
		}
		if h.Reachable {
			st.originLast = origins[i].last
		} else if h.Err == "" {
			h.Err = origins[i].err.Error()
		}
		h.OriginLast = st.originLast
		if h.OriginLast > h.Seen {
			h.Lag = h.OriginLast - h.Seen
		}
		if h.Reachable && h.OriginLast < h.Seen {
			// the origin stream was recreated (nats-server issue 6206):
			// the source waits for sequences that will not come for long
			h.Err = fmt.Sprintf("origin's last sequence %d is behind the %d taken: origin recreated?", h.OriginLast, h.Seen)
		} else if h.Seen != st.seen || (h.Reachable && h.Lag == 0) {
			st.seen, st.since = h.Seen, now
		}
		h.Since = st.since
		h.Stalled = now.Sub(st.since) > m.cfg.Threshold
		if h.Stalled != st.stalled {
			st.stalled = h.Stalled
			changed = append(changed, h)
		}
		hs = append(hs, h)
	}
	return hs, changed, nil
}

// Run checks every interval until ctx ends, calling OnStall and OnRecover
// on changes, and resyncing stalled sources when so configured. A failed
// check (the local aggregate unreadable) is retried at the next tick.
func (m *Monitor) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if hs, changed, err := m.check(ctx); err == nil {
			for _, h := range changed {
				if h.Stalled && m.cfg.OnStall != nil {
					m.cfg.OnStall(h)
				} else if !h.Stalled && m.cfg.OnRecover != nil {
					m.cfg.OnRecover(h)
				}
			}
			if m.cfg.Resync {
				m.resync(ctx, hs)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// resync restarts the stalled sources whose origin is reachable (one that
// is not would fail again), and puts back at once a source missing from
// the aggregate, each at most once per threshold.
func (m *Monitor) resync(ctx context.Context, hs []SourceHealth) {
	now := m.cfg.Now()
	for _, h := range hs {
		m.mu.Lock()
		st := m.state[h.Region]
		due := (h.Stalled && h.Reachable || h.Err == errNotSource) && now.Sub(st.resynced) > m.cfg.Threshold
		if due {
			st.resynced = now
		}
		m.mu.Unlock()
		if !due {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
		_ = Resync(rctx, m.cfg.JS, m.cfg.Region, m.cfg.Regions, h.Region) // a failure is seen at the next check
		cancel()
	}
}
