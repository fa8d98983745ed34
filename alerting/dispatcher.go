package alerting

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Stats counts what a Dispatcher did. Nothing is lost without a counter:
// Published = events accepted into the queue; Dropped = events refused
// (queue full, closed) or still queued when Close returned; Overflow =
// events of new incidents past MaxIncidents; per sink, Dropped = alerts
// refused by a full sink queue, Failed = deliveries given up.
type Stats struct {
	Published, Dropped uint64

	Overflow      uint64 // events dropped because MaxIncidents was reached
	Incidents     uint64 // incidents opened
	Notifications uint64 // notifications produced (before routing)
	Inhibited     uint64 // notifications muted by an inhibition rule
	Silenced      uint64 // notifications muted by a silence
	Throttled     uint64 // deliveries refused by a route or sink throttle
	// Sinks holds the deliveries of each sink, by name.
	Sinks map[string]SinkStats
}

// SinkStats counts the deliveries of one sink.
type SinkStats struct {
	Delivered   uint64 // alerts the sink took
	Failed      uint64 // deliveries given up (retries exhausted, permanent error, close)
	Dropped     uint64 // alerts refused by the sink's full queue
	Throttled   uint64 // alerts refused by the sink's throttle
	Retries     uint64 // delivery attempts after the first
	Duplicates  uint64 // deliveries skipped because another replica claimed them
	ClaimErrors uint64 // claims that failed (sent anyway: at-least-once)
	Queued      int    // alerts waiting now
	Breaker     string // closed, half-open or open
}

// Dispatcher correlates events into alerts and delivers them to sinks.
// Publish is the only call on the request path; one worker goroutine owns
// the correlator and each sink has its own goroutine, queue, timeout and
// circuit breaker, so a slow sink never stalls the others.
type Dispatcher struct {
	cfg     Config
	corr    *correlator
	in      chan Event
	ctl     chan ctlReq
	stop    chan struct{}
	closed  atomic.Bool
	ended   atomic.Bool // Close returned: nothing will ingest d.in again
	once    sync.Once
	wg      sync.WaitGroup
	sinks   []*sinkWorker
	byName  map[string]*sinkWorker
	buckets []*bucket // per route

	ctx    context.Context // deliveries; cancelled when Close's ctx ends
	cancel context.CancelFunc

	published, dropped, notifications, routeThrottled atomic.Uint64
	unregister                                        func() error
}

type ctlReq struct {
	flush bool
	done  chan struct{}
}

type sinkWorker struct {
	name   string
	cfg    SinkConfig
	q      chan Alert
	br     *gobreaker.CircuitBreaker[struct{}]
	bucket *bucket

	delivered, failed, dropped, throttled, retries, duplicates, claimErrors atomic.Uint64
}

// New validates cfg, fills its defaults and returns a started Dispatcher.
func New(cfg Config) (*Dispatcher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{
		cfg:    cfg,
		corr:   buildCorrelator(cfg),
		in:     make(chan Event, cfg.QueueSize),
		ctl:    make(chan ctlReq),
		stop:   make(chan struct{}),
		byName: map[string]*sinkWorker{},
		ctx:    ctx,
		cancel: cancel,
	}
	for _, r := range cfg.Subscriptions {
		d.buckets = append(d.buckets, newBucket(r.Throttle))
	}
	for _, sc := range cfg.Sinks {
		failures := cfg.BreakerFailures
		s := &sinkWorker{
			name:   sc.Name,
			cfg:    sc,
			q:      make(chan Alert, sc.QueueSize),
			bucket: newBucket(sc.Throttle),
			br: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
				Name:        "alerting/" + sc.Name,
				MaxRequests: 1,
				Timeout:     cfg.BreakerTimeout,
				ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
				IsSuccessful: func(err error) bool {
					return err == nil || IsPermanent(err) // the sink answered: it is up
				},
			}),
		}
		d.sinks = append(d.sinks, s)
		d.byName[sc.Name] = s
	}
	if d.unregister, err = d.registerMetrics(); err != nil {
		cancel()
		return nil, err
	}
	d.wg.Add(1 + len(d.sinks))
	go d.run()
	for _, s := range d.sinks {
		go d.runSink(s)
	}
	return d, nil
}

// Publish hands e to the dispatcher without blocking. It reports false when
// the queue is full and the event was dropped (and counted).
func (d *Dispatcher) Publish(e Event) bool {
	if d.closed.Load() {
		d.dropped.Add(1)
		return false
	}
	select {
	case d.in <- e:
		d.published.Add(1)
		return true
	default:
		d.dropped.Add(1)
		return false
	}
}

// Pseudonym returns the client label alerts carry for a raw client key,
// for silences and route matchers.
func (d *Dispatcher) Pseudonym(raw string) string { return d.corr.Pseudonym(raw) }

// Silence mutes incidents matching s until s.Until (replacing a silence
// with the same ID).
func (d *Dispatcher) Silence(s Silence) { d.corr.Silence(s) }

// Unsilence removes a silence.
func (d *Dispatcher) Unsilence(id string) { d.corr.Unsilence(id) }

// tick makes the worker ingest what is queued, run one correlator tick at
// the clock's time and hand the due notifications to the sink queues, then
// returns. With a fake clock and a negative TickInterval, tests drive time
// through it.
func (d *Dispatcher) tick(ctx context.Context) error { return d.control(ctx, false) }

// flush is tick that notifies every incident with unsent events now,
// whatever the windows.
func (d *Dispatcher) flush(ctx context.Context) error { return d.control(ctx, true) }

func (d *Dispatcher) control(ctx context.Context, flush bool) error {
	req := ctlReq{flush: flush, done: make(chan struct{})}
	select {
	case d.ctl <- req:
	case <-d.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Dispatcher) run() {
	defer d.wg.Done()
	var tick <-chan time.Time
	if d.cfg.TickInterval > 0 {
		t := time.NewTicker(d.cfg.TickInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case e := <-d.in:
			d.ingest(e)
		case <-tick:
			d.dispatch(d.corr.tick(d.cfg.now()))
		case req := <-d.ctl:
			d.drain()
			if req.flush {
				d.dispatch(d.corr.flush(d.cfg.now()))
			} else {
				d.dispatch(d.corr.tick(d.cfg.now()))
			}
			close(req.done)
		case <-d.stop:
			d.drain()
			d.dispatch(d.corr.flush(d.cfg.now()))
			for _, s := range d.sinks {
				close(s.q)
			}
			return
		}
	}
}

// drain ingests what is queued now, without waiting for more.
func (d *Dispatcher) drain() {
	for {
		select {
		case e := <-d.in:
			d.ingest(e)
		default:
			return
		}
	}
}

func (d *Dispatcher) ingest(e Event) {
	if e.Time.IsZero() {
		e.Time = d.cfg.now()
	}
	d.corr.ingest(e)
}

// dispatch routes each alert and queues it, without blocking, to its sinks.
func (d *Dispatcher) dispatch(alerts []Alert) {
	if len(alerts) == 0 {
		return
	}
	now := d.cfg.now()
	var idx []int
	targets := make([]bool, len(d.sinks))
	sends := make([]*sinkWorker, 0, len(d.sinks))
	for i := range alerts {
		a := &alerts[i]
		d.notifications.Add(1)
		clear(targets)
		var useDefault bool
		idx, useDefault = routeAlert(d.cfg.Subscriptions, a, idx[:0])
		if useDefault {
			d.mark(targets, d.cfg.DefaultSinks)
		}
		for _, ri := range idx {
			if !d.buckets[ri].allow(now) {
				d.routeThrottled.Add(uint64(len(d.cfg.Subscriptions[ri].Sinks)))
				continue
			}
			d.mark(targets, d.cfg.Subscriptions[ri].Sinks)
		}
		sends = sends[:0]
		for si, on := range targets {
			if !on {
				continue
			}
			s := d.sinks[si]
			if !s.bucket.allow(now) {
				s.throttled.Add(1)
				continue
			}
			sends = append(sends, s)
		}
		// Each sink owns what it receives: the last gets the snapshot,
		// the others deep copies taken before any sink can see it.
		for j, s := range sends {
			out := *a
			if j < len(sends)-1 {
				out = a.clone()
			}
			select {
			case s.q <- out:
			default:
				s.dropped.Add(1)
				d.deadLetter(s.name, out, errQueueFull)
			}
		}
	}
}

var errQueueFull = errors.New("alerting: sink queue full")

func (d *Dispatcher) mark(targets []bool, names []string) {
	for _, n := range names {
		for i, s := range d.sinks {
			if s.name == n {
				targets[i] = true
			}
		}
	}
}

func (d *Dispatcher) deadLetter(sink string, a Alert, err error) {
	if d.cfg.DeadLetter != nil {
		d.cfg.DeadLetter(sink, a, err)
	}
}

func (d *Dispatcher) runSink(s *sinkWorker) {
	defer d.wg.Done()
	for a := range s.q {
		d.deliver(s, a)
	}
}

func (d *Dispatcher) deliver(s *sinkWorker, a Alert) {
	if d.cfg.Claimer != nil && !d.claim(s, &a) {
		return
	}
	start := time.Now()
	wait := d.cfg.RetryInitial
	for {
		_, err := s.br.Execute(func() (struct{}, error) {
			ctx, cancel := context.WithTimeout(d.ctx, s.cfg.Timeout)
			defer cancel()
			return struct{}{}, s.cfg.Sink.Send(ctx, a)
		})
		if err == nil {
			s.delivered.Add(1)
			return
		}
		sleep := wait/2 + rand.N(wait/2+1)
		if IsPermanent(err) || d.ctx.Err() != nil || d.cfg.RetryMaxElapsed < 0 ||
			time.Since(start)+sleep > d.cfg.RetryMaxElapsed {
			s.failed.Add(1)
			d.deadLetter(s.name, a, err)
			return
		}
		s.retries.Add(1)
		t := time.NewTimer(sleep)
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
		}
		wait = min(2*wait, d.cfg.RetryMax)
	}
}

// claim reports whether this replica sends a to s. The key names the
// incident, its notification number and the sink, so each sink gets each
// notification once across replicas.
func (d *Dispatcher) claim(s *sinkWorker, a *Alert) bool {
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.ClaimTimeout)
	defer cancel()
	key := a.Fingerprint + ":" + strconv.FormatUint(a.Sequence, 10) + ":" + s.name
	ok, err := d.cfg.Claimer.Claim(ctx, key, 2*d.cfg.RepeatInterval)
	if err != nil {
		s.claimErrors.Add(1)
		return true
	}
	if !ok {
		s.duplicates.Add(1)
	}
	return ok
}

// Stats returns the counters.
func (d *Dispatcher) Stats() Stats {
	st := Stats{
		Published:     d.published.Load(),
		Dropped:       d.dropped.Load(),
		Overflow:      d.corr.overflow.Load(),
		Incidents:     d.corr.incidents.Load(),
		Notifications: d.notifications.Load(),
		Inhibited:     d.corr.inhibited.Load(),
		Silenced:      d.corr.silenced.Load(),
		Throttled:     d.routeThrottled.Load(),
		Sinks:         make(map[string]SinkStats, len(d.sinks)),
	}
	if d.ended.Load() {
		// A Publish racing with Close passed the closed check before
		// Close set it and queued after Close's last drain.
		st.Dropped += uint64(len(d.in))
	}
	for _, s := range d.sinks {
		ss := SinkStats{
			Delivered: s.delivered.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(),
			Throttled: s.throttled.Load(), Retries: s.retries.Load(), Duplicates: s.duplicates.Load(),
			ClaimErrors: s.claimErrors.Load(), Queued: len(s.q), Breaker: s.br.State().String(),
		}
		st.Sinks[s.name] = ss
		st.Throttled += ss.Throttled
	}
	return st
}

// Close stops accepting events, flushes every incident with unsent
// evidence to the sinks and waits for them to deliver. When ctx ends
// first, in-flight and queued deliveries are cancelled (counted as failed
// and dead-lettered) and Close returns ctx's error once every goroutine
// has ended. Sinks must honour their context for Close to return.
func (d *Dispatcher) Close(ctx context.Context) error {
	first := false
	d.once.Do(func() {
		first = true
		d.closed.Store(true)
		close(d.stop)
	})
	if !first {
		return ErrClosed
	}
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		d.cancel()
		<-done
	}
	d.cancel()
	// Events published between the closed check and the worker's last
	// drain are counted, not silently lost: here, and by Stats for any
	// that land in the queue after this.
	for {
		select {
		case <-d.in:
			d.dropped.Add(1)
			continue
		default:
		}
		break
	}
	d.ended.Store(true)
	return errors.Join(err, d.unregister())
}
