package threat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Config configures an Engine. Its zero value is safe: no detectors (every
// request scores the prior) and the neutral combiner model.
type Config struct {
	// Detectors run in order over every request. Detectors that implement
	// Observer also receive the response status; io.Closer ones are closed
	// by Engine.Close.
	Detectors []Detector
	// Model is the combiner model; nil selects a neutral one (every rule
	// weighed by its detector's confidence).
	Model *Model
	// Disabled names detectors that are skipped, or sub-detectors of a
	// Grouped detector whose signals are ignored.
	Disabled []string
	// Weights scales the evidence of a detector by name (default 1).
	Weights map[string]float64
	// MaxSignals is how many signals an Assessment carries (default 5).
	MaxSignals int
	// Limits bound the request view Parse builds (see Limits); what goes
	// past them is reported in Assessment.Uninspected, for the caller's
	// policy (bulwark refuses such requests by default).
	Limits Limits
	// MeterProvider receives the engine's metrics; nil selects the global one.
	MeterProvider metric.MeterProvider
}

type detector struct {
	Detector
	timed []metric.RecordOption
}

// Engine runs detectors over a request view and combines their signals
// into an Assessment. It is safe for concurrent use.
type Engine struct {
	detectors  []detector
	all        []Detector // every configured detector, disabled ones included
	observers  []Observer
	closers    []io.Closer
	models     *Holder[*Model]
	weights    map[string]float64
	maxReasons int
	limits     Limits
	suppress   suppressions // operators' suppressions (suppress.go)

	requests   sync.Pool
	signals    sync.Pool
	sampled    atomic.Uint64
	scoreHist  metric.Float64Histogram
	assessHist metric.Float64Histogram
	detHist    metric.Float64Histogram
}

// New returns an Engine for cfg.
func New(cfg Config) (*Engine, error) {
	e := &Engine{
		maxReasons: cfg.MaxSignals,
		limits:     cfg.Limits.withDefaults(),
	}
	if e.maxReasons <= 0 {
		e.maxReasons = 5
	}
	m := cfg.Model
	if m == nil {
		m = neutralModel()
	}
	var err error
	if e.models, err = NewHolder(m); err != nil {
		return nil, fmt.Errorf("threat: Config.Model: %w", err)
	}

	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter("github.com/bulwarkhq/bulwark/threat")
	if e.scoreHist, err = meter.Float64Histogram("bulwark.threat.score",
		metric.WithDescription("Threat score of assessed requests."),
		metric.WithExplicitBucketBoundaries(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)); err != nil {
		return nil, err
	}
	if e.assessHist, err = meter.Float64Histogram("bulwark.threat.assess.duration",
		metric.WithDescription("Time to run every detector over a request view and combine their signals (sampled, one request in 64)."), metric.WithUnit("s")); err != nil {
		return nil, err
	}
	if e.detHist, err = meter.Float64Histogram("bulwark.threat.detector.duration",
		metric.WithDescription("Time one detector took (sampled, one request in 64)."), metric.WithUnit("s")); err != nil {
		return nil, err
	}

	disabled := map[string]bool{}
	for _, n := range cfg.Disabled {
		disabled[n] = true
	}
	seen := map[string]bool{}
	for i, d := range cfg.Detectors {
		if d == nil {
			return nil, fmt.Errorf("threat: Config.Detectors[%d] is nil", i)
		}
		name := d.Name()
		if seen[name] {
			return nil, fmt.Errorf("threat: Config.Detectors[%d]: duplicate detector name %q", i, name)
		}
		seen[name] = true
		e.all = append(e.all, d)
		if o, ok := d.(Observer); ok {
			e.observers = append(e.observers, o)
		}
		if c, ok := d.(io.Closer); ok {
			e.closers = append(e.closers, c)
		}
		if disabled[name] {
			continue
		}
		if g, ok := d.(Grouped); ok {
			// Sub-detectors are weighed like detectors; disabling one
			// weighs its signals at zero.
			for _, sub := range g.Detectors() {
				if seen[sub] {
					return nil, fmt.Errorf("threat: Config.Detectors[%d]: duplicate detector name %q", i, sub)
				}
				seen[sub] = true
				v, ok := cfg.Weights[sub]
				if disabled[sub] {
					v, ok = 0, true
				}
				if !ok {
					continue
				}
				if v < 0 {
					return nil, fmt.Errorf("threat: Config.Weights[%q] = %v is negative", sub, v)
				}
				if e.weights == nil {
					e.weights = map[string]float64{}
				}
				e.weights[sub] = v
			}
		}
		if v, ok := cfg.Weights[name]; ok {
			if v < 0 {
				return nil, fmt.Errorf("threat: Config.Weights[%q] = %v is negative", name, v)
			}
			if e.weights == nil {
				e.weights = map[string]float64{}
			}
			e.weights[name] = v
		}
		e.detectors = append(e.detectors, detector{Detector: d,
			timed: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("detector", name)))}})
	}
	for name := range cfg.Weights {
		if !seen[name] {
			return nil, fmt.Errorf("threat: Config.Weights names unknown detector %q", name)
		}
	}
	e.requests.New = func() any { return &Request{Params: make([]Param, 0, 16)} }
	e.signals.New = func() any { s := make([]Signal, 0, 16); return &s }
	return e, nil
}

// Detector returns the detector named name (a Config.Detectors entry), or
// nil: operators reach a detector's own handles this way, such as the
// anomaly detector's models.
func (e *Engine) Detector(name string) Detector {
	for _, d := range e.all {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

// Models returns the holder of the combiner models: the active one, its
// history for Rollback, and the challenger and canary slots.
func (e *Engine) Models() *Holder[*Model] { return e.models }

// Parse builds the view of r that detectors inspect, for a request of
// client (its key) on route (pattern or group, "" if unknown) that arrived
// at now, within lim (its zero fields take Config.Limits). The body of r
// stays readable by the handler, byte for byte. The view comes from a
// pool: hand it back with Release once the request is assessed. A
// transport other than net/http builds a Request itself.
//
// A panic while the view is built (a bug in a parser, or a request that
// net/http would not make: no URL, a body whose Read panics) does not
// leave Parse: the view holds what was built before it and is marked
// UninspectedFailed. A body is set aside for the handler before it is
// parsed, so a parser's panic leaves the handler the whole body.
func (e *Engine) Parse(r *http.Request, client, route string, now time.Time, lim Limits) (req *Request) {
	req = e.requests.Get().(*Request)
	req.Time = now
	defer func() {
		if recover() != nil {
			req.Uninspected |= UninspectedFailed
		}
	}()
	fillRequest(req, r, client, route, lim.over(e.limits))
	return req
}

// Release returns a view Parse built to the pool. The view must not be
// used afterwards.
func (e *Engine) Release(req *Request) {
	params := req.Params
	clear(params)
	if cap(params) > 256 {
		params = make([]Param, 0, 16)
	}
	*req = Request{Params: params[:0]}
	e.requests.Put(req)
}

// Assess runs every detector over req and combines their signals with the
// combiner model for req.Client (the canary's for a client in its
// fraction), and with the challenger when one is set.
func (e *Engine) Assess(ctx context.Context, req *Request) Assessment {
	timed := e.sampled.Add(1)%64 == 0
	var start time.Time
	if timed {
		start = time.Now()
	}
	sp := e.signals.Get().(*[]Signal)
	sigs := (*sp)[:0]
	for i := 0; i < len(e.detectors); {
		sigs, i = e.detectFrom(ctx, req, sigs, i, timed)
	}
	sigs = e.suppress.filter(req, sigs)
	m, _ := e.models.For(req.Client)
	a := m.combine(sigs, e.weights, e.maxReasons)
	a.Model = m.p.Version
	a.Uninspected = req.Uninspected
	a.Challenger = -1
	if sm, ok := e.models.Challenger(); ok {
		a.Challenger = sm.combine(sigs, e.weights, 0).Score
		a.ChallengerModel = sm.p.Version
	}
	clear(sigs)
	*sp = sigs[:0]
	e.signals.Put(sp)

	e.scoreHist.Record(ctx, a.Score)
	if timed {
		// sampled like the detector times: reading the clock costs as
		// much as some detectors
		e.assessHist.Record(ctx, time.Since(start).Seconds())
	}
	return a
}

// detectFrom runs the detectors from the i-th on over req, appending their
// signals to sigs, and returns where to go on from: past the last
// detector, or past one that panicked, whose signals it drops. A bug in
// one detector must not take the request down, nor silence the others;
// one deferred recovery for all of them, not one a detector, costs a
// request one call of it, where three cost as much as a small detector.
// A panic marks the request UninspectedFailed: what the detector would
// have found is lost, and a request that makes a detector fail (a header
// that decoded to nothing once did) must not pass as inspected, or the
// bug becomes a way past it. Parse does the same for the view.
func (e *Engine) detectFrom(ctx context.Context, req *Request, sigs []Signal, i int, timed bool) (out []Signal, next int) {
	n := len(sigs) // the signals before the running detector's
	var t0 time.Time
	defer func() {
		if recover() != nil {
			req.Uninspected |= UninspectedFailed
			if timed {
				e.detHist.Record(ctx, time.Since(t0).Seconds(), e.detectors[i].timed...)
			}
			out, next = sigs[:n], i+1
		}
	}()
	for ; i < len(e.detectors); i++ {
		d := &e.detectors[i]
		n = len(sigs)
		if timed {
			t0 = time.Now()
		}
		sigs = d.Detect(req, sigs)
		if timed {
			e.detHist.Record(ctx, time.Since(t0).Seconds(), d.timed...)
		}
	}
	return sigs, i
}

// Observe feeds the outcome of a request (its response status) back to the
// detectors that learn from it.
func (e *Engine) Observe(client, route string, status int, at time.Time) {
	for _, o := range e.observers {
		o.Observe(client, route, status, at)
	}
}

// Close closes the detectors that hold resources.
func (e *Engine) Close() error {
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
