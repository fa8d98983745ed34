package fleet

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/stream"
)

// featureSource gives a client's behavioural feature vector (a
// *threat.Engine has it).
type featureSource interface {
	AppendFeatures(dst []float64, client string) ([]float64, bool)
}

// ExporterConfig configures an Exporter. Every field but Conn and
// Pseudonyms has a default.
type ExporterConfig struct {
	// Conn is the NATS connection (see Connect). Required; not closed by
	// the Exporter.
	Conn *nats.Conn
	// Pseudonyms replaces client keys. Required: raw keys never leave.
	Pseudonyms *Pseudonyms
	// Guard is the Guard whose verdicts are recorded. Events then carry
	// the client's behavioural feature vector from its engine (a
	// *threat.Engine has them: the control plane learns normal behaviour
	// from the sampled benign ones and scores threats by them), and the
	// health reports its limiter's breaker state. Default: none, events
	// without features.
	Guard *bulwark.Guard
	// Tenant, Region and Instance name where events come from. Defaults:
	// "default", "local" and the host name with the process id.
	Tenant, Region, Instance string
	// Version is reported with the instance's health.
	Version string
	// SampleRate is the share of benign events (allowed, threat level
	// "none") kept in the history, in [0,1]; every event is counted in the
	// per-minute aggregates whatever it is. Default 0.1; negative keeps
	// none. Scored and refused events, and those the shadow model would
	// have refused, are always kept.
	SampleRate float64
	// QueueSize bounds the events waiting to be published (the hand-off
	// channel, the batch being built and the batches not yet acknowledged).
	// Default 65,536.
	QueueSize int
	// AckTimeout bounds the wait for the stream's acknowledgement of one
	// message before it is sent again. Default 5s.
	AckTimeout time.Duration
}

// Stats are an Exporter's counters since it started.
type Stats struct {
	Recorded  uint64 // events handed to Record
	Sampled   uint64 // benign events counted but left out of the history
	Published uint64 // events acknowledged by the stream
	Dropped   uint64 // events lost: queue full, or not acknowledged by Close
	Queued    uint64 // events waiting now
}

// Batching and publishing: a batch holds at most batchSize events and waits
// at most linger for more; at most inFlight messages await the stream's
// acknowledgement; counts and health are reported every second.
const (
	batchSize   = 1_000
	lingerFor   = 20 * time.Millisecond
	inFlight    = 64
	reportEvery = time.Second
)

// Exporter sends events to the control plane. Record is safe for
// concurrent use and never blocks.
type Exporter struct {
	cfg      ExporterConfig
	js       jetstream.JetStream
	instance uint32
	boot     string
	features featureSource // nil: events without features
	subject  string
	rsubject string

	seq      atomic.Uint64
	ch       chan event.Event
	closed   atomic.Bool
	recorded atomic.Uint64
	sampled  atomic.Uint64
	pub      atomic.Uint64
	dropped  atomic.Uint64
	queued   atomic.Int64 // events in ch, the open batch and the pending ones
	// modelsRefused counts a Watcher's refused models (WatcherConfig.Exporter)
	modelsRefused atomic.Uint64

	mu      sync.Mutex
	pending []*message // batches waiting to be (re)sent, oldest first
	report  *message   // the report being sent; nil when none
	wake    chan struct{}

	stop      chan struct{}
	collected chan struct{}
	published chan struct{}
	closeOnce sync.Once
	giveUp    atomic.Bool
}

type message struct {
	subject string
	id      string
	data    []byte
	events  int
	report  bool
	flying  bool // a report being sent
}

// NewExporter validates cfg and starts the exporter's goroutines.
func NewExporter(cfg ExporterConfig) (*Exporter, error) {
	if cfg.Conn == nil {
		return nil, fmt.Errorf("%w: ExporterConfig.Conn is required", ErrConfig)
	}
	if cfg.Pseudonyms == nil {
		return nil, fmt.Errorf("%w: ExporterConfig.Pseudonyms is required (client keys never leave the instance)", ErrConfig)
	}
	if cfg.Tenant == "" {
		cfg.Tenant = stream.DefaultTenant
	}
	if cfg.Region == "" {
		cfg.Region = stream.DefaultRegion
	}
	if cfg.Instance == "" {
		h, _ := os.Hostname()
		cfg.Instance = sanitize(fmt.Sprintf("%s-%d", h, os.Getpid()))
	}
	for field, v := range map[string]string{"Tenant": cfg.Tenant, "Region": cfg.Region, "Instance": cfg.Instance} {
		if err := validName("ExporterConfig."+field, v); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.SampleRate > 1 || cfg.SampleRate != cfg.SampleRate:
		return nil, fmt.Errorf("%w: ExporterConfig.SampleRate %v not in [0,1]", ErrConfig, cfg.SampleRate)
	case cfg.SampleRate == 0:
		cfg.SampleRate = 0.1
	case cfg.SampleRate < 0:
		cfg.SampleRate = 0
	}
	if cfg.QueueSize < 0 || cfg.AckTimeout < 0 {
		return nil, fmt.Errorf("%w: negative size or duration", ErrConfig)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.QueueSize, 65_536)
	if cfg.AckTimeout == 0 {
		cfg.AckTimeout = 5 * time.Second
	}
	js, err := jetstream.New(cfg.Conn, jetstream.WithPublishAsyncMaxPending(inFlight*2),
		jetstream.WithPublishAsyncTimeout(cfg.AckTimeout))
	if err != nil {
		return nil, fmt.Errorf("fleet: jetstream: %w", err)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	x := &Exporter{
		cfg:       cfg,
		js:        js,
		instance:  binary.BigEndian.Uint32(b[:4]),
		boot:      hex.EncodeToString(b[4:]),
		subject:   stream.BatchSubject(cfg.Tenant, cfg.Instance),
		rsubject:  stream.ReportSubject(cfg.Tenant, cfg.Instance),
		ch:        make(chan event.Event, min(cfg.QueueSize, 16_384)),
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		collected: make(chan struct{}),
		published: make(chan struct{}),
	}
	if cfg.Guard != nil {
		x.features, _ = cfg.Guard.Engine().(featureSource)
	}
	go x.collect()
	go x.publish()
	return x, nil
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

// Record takes the verdict of one request from the request path and
// returns the id of its event (the 16 bytes of a ULID). route is the
// request's route pattern, or "" for the verdict's Route. It never blocks
// and keeps nothing of v: when the queue is full the event is dropped and
// counted. A Skipped verdict is not recorded (the zero id).
func (x *Exporter) Record(v *bulwark.Verdict, route string) [16]byte {
	if v.Outcome == bulwark.Skipped {
		return event.ID{}
	}
	id := event.MakeID(v.Time, x.instance, x.seq.Add(1))
	x.recorded.Add(1)
	if x.closed.Load() {
		x.dropped.Add(1)
		return id
	}
	if x.queued.Add(1) > int64(x.cfg.QueueSize) {
		x.queued.Add(-1)
		x.dropped.Add(1)
		return id
	}
	e := event.FromVerdict(v, route) // only for an event the queue takes
	e.ID = id
	select {
	case x.ch <- e:
	default:
		x.queued.Add(-1)
		x.dropped.Add(1)
	}
	return id
}

// Stats returns the counters.
func (x *Exporter) Stats() Stats {
	return Stats{
		Recorded:  x.recorded.Load(),
		Sampled:   x.sampled.Load(),
		Published: x.pub.Load(),
		Dropped:   x.dropped.Load(),
		Queued:    uint64(max(x.queued.Load(), 0)),
	}
}

type countKey struct {
	minute                        int64
	route, outcome, family, level string
}

// maxCountKeys bounds the aggregate map while reports cannot be sent.
const maxCountKeys = 200_000

// collect counts, samples, pseudonymises and batches events.
func (x *Exporter) collect() {
	defer close(x.collected)
	counts := map[countKey]uint64{}
	var penalties []event.Penalty // the bans made since the last report
	var reportSeq uint64
	batch := event.Batch{Tenant: x.cfg.Tenant, Region: x.cfg.Region, Instance: x.cfg.Instance, KeyID: x.cfg.Pseudonyms.keyID}
	var batchSeq uint64
	var fbuf []float64
	linger := time.NewTimer(lingerFor)
	linger.Stop()
	lingering := false
	report := time.NewTicker(reportEvery)
	defer report.Stop()

	flush := func() {
		if len(batch.Events) == 0 {
			return
		}
		batchSeq++
		m := &message{subject: x.subject, id: fmt.Sprintf("%s/%s/b%d", x.cfg.Instance, x.boot, batchSeq),
			data: batch.Append(make([]byte, 0, 64+len(batch.Events)*96)), events: len(batch.Events)}
		clear(batch.Events)
		batch.Events = batch.Events[:0]
		x.mu.Lock()
		x.pending = append(x.pending, m)
		x.mu.Unlock()
		x.poke()
	}
	sendReport := func() {
		x.mu.Lock()
		busy := x.report != nil
		x.mu.Unlock()
		if busy {
			return // the last one is not acknowledged: keep counting into the next
		}
		reportSeq++
		st := x.Stats()
		r := &event.Report{Tenant: x.cfg.Tenant, Region: x.cfg.Region, Instance: x.cfg.Instance, Boot: x.boot,
			Seq: reportSeq, Time: time.Now().UTC(), Version: x.cfg.Version,
			Recorded: st.Recorded, Sampled: st.Sampled, Published: st.Published, Dropped: st.Dropped, Queued: st.Queued,
			Breaker: "none", ModelsRefused: x.modelsRefused.Load()}
		if x.cfg.Guard != nil {
			r.Breaker = x.cfg.Guard.BreakerState()
		}
		for k, n := range counts {
			r.Counts = append(r.Counts, event.Count{Minute: k.minute, Route: k.route, Outcome: k.outcome, Family: k.family, Level: k.level, N: n})
		}
		clear(counts)
		r.Penalties, penalties = penalties, nil
		data, err := event.EncodeReport(r)
		if err != nil {
			return
		}
		x.mu.Lock()
		x.report = &message{subject: x.rsubject, id: r.ID(), data: data, report: true}
		x.mu.Unlock()
		x.poke()
	}
	take := func(e event.Event) {
		// e stays counted in queued from Record until it is acknowledged
		// or dropped; only an event sampled out leaves here
		k := countKey{minute: e.Time.Unix() / 60 * 60, route: e.Route, outcome: e.Outcome, family: e.Family, level: e.Level}
		if _, ok := counts[k]; ok || len(counts) < maxCountKeys {
			counts[k]++
		}
		// every client's pseudonym, sampled out or not: a ban made on a
		// pseudonym reaches the clients whose pseudonym is known here
		e.Pseudonym = x.cfg.Pseudonyms.Of(e.Client)
		if !e.PenaltyUntil.IsZero() && len(penalties) < event.MaxPenalties {
			penalties = append(penalties, event.Penalty{Pseudonym: e.Pseudonym, Until: e.PenaltyUntil.UTC()})
		}
		// a shadow's refusal is a disagreement the control plane compares
		keep := e.Scored() || e.Refused() || e.ShadowRefused || (x.cfg.SampleRate > 0 && (x.cfg.SampleRate >= 1 || mrand.Float64() < x.cfg.SampleRate))
		if !keep {
			x.queued.Add(-1)
			x.sampled.Add(1)
			return
		}
		if x.features != nil {
			var ok bool
			if fbuf, ok = x.features.AppendFeatures(fbuf[:0], e.Client); ok {
				e.Features = make([]float32, len(fbuf))
				for i, v := range fbuf {
					e.Features[i] = float32(v)
				}
			}
		}
		e.Client = ""
		batch.Events = append(batch.Events, e)
		if len(batch.Events) >= batchSize {
			if lingering && !linger.Stop() {
				<-linger.C
			}
			lingering = false
			flush()
		} else if !lingering {
			linger.Reset(lingerFor)
			lingering = true
		}
	}
	for {
		select {
		case e := <-x.ch:
			take(e)
		case <-linger.C:
			lingering = false
			flush()
		case <-report.C:
			sendReport()
		case <-x.stop:
			for {
				select {
				case e := <-x.ch:
					take(e)
					continue
				default:
				}
				break
			}
			flush()
			// the last report waits for the one in flight, briefly
			for i := 0; i < 50; i++ {
				x.mu.Lock()
				busy := x.report != nil
				x.mu.Unlock()
				if !busy || x.giveUp.Load() {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			sendReport()
			return
		}
	}
}

func (x *Exporter) poke() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

type inflight struct {
	m   *message
	fut jetstream.PubAckFuture
	at  time.Time
	res int // 1 acknowledged, -1 failed, 0 not yet known
}

// poll reads the future's answer, if there is one, without waiting.
func (f *inflight) poll() int {
	if f.res == 0 {
		select {
		case <-f.fut.Ok():
			f.res = 1
		case <-f.fut.Err():
			f.res = -1
		default:
		}
	}
	return f.res
}

// publish sends pending messages, at most inFlight awaiting their
// acknowledgement, and sends back to the queue what failed. After a
// failure it sends nothing until a backoff has passed, doubling while
// failures go on and reset by the next acknowledgement: up to 2 s after
// messages went unacknowledged (a server that is slow, not to be piled
// on), up to reconnectWait after a publish refused at once (the
// connection is down: a retry as often as Connect reconnects finds it
// back without delay, and costs next to nothing). A control plane that
// is down costs a few retries a second, never a loop.
func (x *Exporter) publish() {
	defer close(x.published)
	var flying []inflight
	backoff := time.Duration(0)
	var hold time.Time // nothing is sent before it
	fail := func(most time.Duration) {
		backoff = min(max(backoff*2, 100*time.Millisecond), most)
		hold = time.Now().Add(backoff)
	}
	// collected is closed by Close and then ready for ever: once seen,
	// the loop waits for the tick and the wake-ups instead
	collected := x.collected
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		// settle acknowledged and failed messages
		failed := false
		kept := flying[:0]
		for _, f := range flying {
			switch f.poll() {
			case 1:
				x.done(f.m, true)
				backoff = 0
			case -1:
				failed = true
				x.retry(f.m)
			default:
				if time.Since(f.at) > x.cfg.AckTimeout+time.Second {
					failed = true
					x.retry(f.m)
				} else {
					kept = append(kept, f)
				}
			}
		}
		flying = kept
		if failed {
			fail(2 * time.Second)
		}
		// send more
		for len(flying) < inFlight && !time.Now().Before(hold) {
			m := x.next()
			if m == nil {
				break
			}
			msg := &nats.Msg{Subject: m.subject, Data: m.data, Header: nats.Header{}}
			fut, err := x.js.PublishMsgAsync(msg, jetstream.WithMsgID(m.id))
			if err != nil {
				x.retry(m)
				fail(reconnectWait)
				break
			}
			flying = append(flying, inflight{m: m, fut: fut, at: time.Now()})
		}
		if x.isDone(len(flying)) {
			for _, f := range flying {
				if !f.m.report {
					x.dropped.Add(uint64(f.m.events))
					x.queued.Add(-int64(f.m.events))
				}
			}
			return
		}
		wait := 50 * time.Millisecond
		if d := time.Until(hold); d > 0 {
			wait = d
		}
		if len(flying) > 0 {
			f := &flying[0]
			select {
			case <-f.fut.Ok():
				f.res = 1
			case <-f.fut.Err():
				f.res = -1
			case <-time.After(wait):
			case <-x.wake:
			}
		} else {
			select {
			case <-x.wake: // new work, or Close giving up (sends still wait for hold)
			case <-tick.C:
			case <-collected:
				collected = nil
			}
		}
	}
}

// next returns the report, else the oldest pending batch, else nil.
func (x *Exporter) next() *message {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r := x.report; r != nil && !r.flying {
		r.flying = true
		return r
	}
	if len(x.pending) == 0 {
		return nil
	}
	m := x.pending[0]
	x.pending[0] = nil
	x.pending = x.pending[1:]
	return m
}

func (x *Exporter) done(m *message, ok bool) {
	if m.report {
		x.mu.Lock()
		x.report = nil
		x.mu.Unlock()
		return
	}
	if ok {
		x.pub.Add(uint64(m.events))
		x.queued.Add(-int64(m.events))
	}
}

// retry puts m back at the head of the queue (a report stays where it is,
// to be sent again as it was).
func (x *Exporter) retry(m *message) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if m.report {
		m.flying = false
		return
	}
	if x.giveUp.Load() {
		x.dropped.Add(uint64(m.events))
		x.queued.Add(-int64(m.events))
		return
	}
	x.pending = append([]*message{m}, x.pending...)
}

// isDone reports whether Close asked to stop and everything is settled,
// or Close gave up waiting.
func (x *Exporter) isDone(flying int) bool {
	select {
	case <-x.collected:
	default:
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.giveUp.Load() {
		for _, m := range x.pending {
			x.dropped.Add(uint64(m.events))
			x.queued.Add(-int64(m.events))
		}
		x.pending = nil
		return true
	}
	return flying == 0 && len(x.pending) == 0 && x.report == nil
}

// Close stops taking events, publishes what is queued and waits for its
// acknowledgement until ctx is done; what is then still unacknowledged is
// counted as dropped. It does not close the NATS connection.
func (x *Exporter) Close(ctx context.Context) error {
	var err error
	x.closeOnce.Do(func() {
		x.closed.Store(true)
		close(x.stop)
		select {
		case <-x.published:
			return
		case <-ctx.Done():
		}
		x.giveUp.Store(true)
		x.poke()
		<-x.published
		err = fmt.Errorf("fleet: exporter closed with events unacknowledged: %w", ctx.Err())
	})
	return err
}
