package threat

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Config configures an Engine. Its zero value is safe: no detectors (every
// request scores the prior), the neutral combiner model, enforce mode.
type Config struct {
	// Detectors run in order over every request. Detectors that implement
	// Observer also receive the response status; io.Closer ones are closed
	// by Engine.Close.
	Detectors []Detector
	// Model is the combiner model; nil selects NeutralModel.
	Model *Model
	// Shadow scores and explains but never sets Assessment.Block.
	Shadow bool
	// BlockThreshold overrides the model's block threshold when > 0.
	BlockThreshold float64
	// Disabled names detectors that are skipped, or sub-detectors of a
	// Grouped detector whose signals are ignored.
	Disabled []string
	// Weights scales the evidence of a detector by name (default 1).
	Weights map[string]float64
	// MaxReasons is how many reasons an Assessment carries (default 5).
	MaxReasons int
	// Limits bound the request view (see Limits); what goes past them is
	// reported in Assessment.Uninspected, for the caller's policy (the
	// middleware refuses such requests by default).
	Limits Limits
	// MeterProvider receives the engine's metrics; nil selects the global one.
	MeterProvider metric.MeterProvider
	// Now is the clock (default time.Now).
	Now func() time.Time
}

type detector struct {
	Detector
	timed []metric.RecordOption
}

// Engine runs detectors over a request and combines their signals into an
// Assessment. It is safe for concurrent use.
type Engine struct {
	detectors  []detector
	observers  []Observer
	closers    []io.Closer
	model      atomic.Pointer[Model]
	prevMu     sync.Mutex
	prev       []*Model
	shadow     bool
	weights    map[string]float64
	threshold  float64
	maxReasons int
	limits     Limits
	now        func() time.Time

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
		shadow:     cfg.Shadow,
		threshold:  cfg.BlockThreshold,
		maxReasons: cfg.MaxReasons,
		limits:     cfg.Limits.withDefaults(),
		now:        cfg.Now,
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxReasons <= 0 {
		e.maxReasons = 5
	}
	if cfg.BlockThreshold < 0 || cfg.BlockThreshold > 1 {
		return nil, fmt.Errorf("threat: Config.BlockThreshold %v not in [0,1]", cfg.BlockThreshold)
	}
	m := cfg.Model
	if m == nil {
		m = NeutralModel()
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("threat: Config.Model: %w", err)
	}
	e.model.Store(m)

	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter("github.com/bulwarkhq/bulwark/threat")
	var err error
	if e.scoreHist, err = meter.Float64Histogram("bulwark.threat.score",
		metric.WithDescription("Threat score of assessed requests."),
		metric.WithExplicitBucketBoundaries(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)); err != nil {
		return nil, err
	}
	if e.assessHist, err = meter.Float64Histogram("bulwark.threat.assess.duration",
		metric.WithDescription("Time to build the request view and run every detector."), metric.WithUnit("s")); err != nil {
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

// Model returns the combiner model in use.
func (e *Engine) Model() *Model { return e.model.Load() }

// SwapModel validates m and makes it the combiner model, atomically for
// requests in flight. The previous model is kept for Rollback.
func (e *Engine) SwapModel(m *Model) error {
	if err := m.Validate(); err != nil {
		return err
	}
	e.prevMu.Lock()
	defer e.prevMu.Unlock()
	old := e.model.Swap(m)
	e.prev = append(e.prev, old)
	if len(e.prev) > 8 {
		e.prev = e.prev[1:]
	}
	return nil
}

// ErrNoPrevious is returned by Rollback when no earlier model is kept.
var ErrNoPrevious = errors.New("threat: no previous model")

// Rollback restores the model that was in use before the last SwapModel.
func (e *Engine) Rollback() error {
	e.prevMu.Lock()
	defer e.prevMu.Unlock()
	if len(e.prev) == 0 {
		return ErrNoPrevious
	}
	e.model.Store(e.prev[len(e.prev)-1])
	e.prev = e.prev[:len(e.prev)-1]
	return nil
}

// Assess builds the request view of r and scores it. client is the client
// key; route is the route pattern or group if known ("" otherwise). The body
// of r stays fully readable by the handler.
func (e *Engine) Assess(r *http.Request, client, route string) Assessment {
	return e.AssessAt(r, client, route, e.now())
}

// AssessAt is Assess for a request that arrived at now, read by the caller
// from its own clock (the middleware reads the clock once per request and
// hands the reading to the engine and the limiter).
func (e *Engine) AssessAt(r *http.Request, client, route string, now time.Time) Assessment {
	return e.assess(r, client, route, now, e.limits)
}

// AssessWithin is AssessAt under other limits: lim's non-zero fields
// replace the Engine's (Config.Limits). The middleware passes a route's
// limits this way.
func (e *Engine) AssessWithin(r *http.Request, client, route string, now time.Time, lim Limits) Assessment {
	return e.assess(r, client, route, now, lim.Over(e.limits))
}

func (e *Engine) assess(r *http.Request, client, route string, now time.Time, lim Limits) Assessment {
	timed := e.sampled.Add(1)%64 == 0
	var start time.Time
	if timed {
		start = time.Now()
	}
	req := e.requests.Get().(*Request)
	fillRequest(req, r, client, route, lim)
	req.Time = now

	sp := e.signals.Get().(*[]Signal)
	sigs := (*sp)[:0]
	for i := range e.detectors {
		d := &e.detectors[i]
		var t0 time.Time
		if timed {
			t0 = time.Now()
		}
		sigs = safeDetect(d.Detector, req, sigs)
		if timed {
			e.detHist.Record(r.Context(), time.Since(t0).Seconds(), d.timed...)
		}
	}
	a := e.Combine(sigs)
	a.Uninspected = req.Uninspected

	clear(sigs)
	*sp = sigs[:0]
	e.signals.Put(sp)
	e.release(req)

	ctx := r.Context()
	e.scoreHist.Record(ctx, a.Score)
	if timed {
		// sampled like the detector times: reading the clock costs as
		// much as some detectors
		e.assessHist.Record(ctx, time.Since(start).Seconds())
	}
	return a
}

// AssessRequest scores an already built request view; it is what Assess
// does after building the view, for callers that hold a Request.
func (e *Engine) AssessRequest(req *Request) Assessment {
	var sigs []Signal
	for i := range e.detectors {
		sigs = safeDetect(e.detectors[i].Detector, req, sigs)
	}
	a := e.Combine(sigs)
	a.Uninspected = req.Uninspected
	return a
}

// safeDetect runs one detector and turns a panic into no signal: a bug in
// one detector must not take the request down.
func safeDetect(d Detector, req *Request, dst []Signal) (out []Signal) {
	n := len(dst)
	defer func() {
		if recover() != nil {
			out = dst[:n]
		}
	}()
	return d.Detect(req, dst)
}

func (e *Engine) release(req *Request) {
	params := req.Params
	clear(params)
	if cap(params) > 256 {
		params = make([]Param, 0, 16)
	}
	*req = Request{Params: params[:0]}
	e.requests.Put(req)
}

// Combine turns signals into an Assessment with the current model (see
// Model for the method). Assess calls it; it is exported for training and
// for callers that run detectors themselves.
func (e *Engine) Combine(sigs []Signal) Assessment {
	m := e.model.Load()
	if len(sigs) == 0 {
		return Assessment{Score: sigmoid(m.Prior), Level: m.level(sigmoid(m.Prior))}
	}
	type fam struct {
		name      string
		max, rest float64
	}
	var fams [8]fam
	nf := 0
	// evidence and order live on the stack for the usual handful of
	// signals; only the returned reasons are allocated
	var evBuf [32]float64
	var idxBuf [32]int
	ev := evBuf[:0]
	if len(sigs) > len(evBuf) {
		ev = make([]float64, 0, len(sigs))
	}
	ev = ev[:len(sigs)]
	for i, s := range sigs {
		ev[i] = m.Evidence(s)
		// One rule counts once however many locations it fired at.
		if len(e.weights) > 0 {
			if w, ok := e.weights[s.Detector]; ok {
				ev[i] *= w
			}
		}
		for j := 0; j < i; j++ {
			if sigs[j].Rule == s.Rule && ev[j] != 0 {
				ev[j] = max(ev[j], ev[i])
				ev[i] = 0
				break
			}
		}
	}
	for i, s := range sigs {
		if ev[i] == 0 {
			continue
		}
		k := 0
		for k < nf && fams[k].name != s.Family {
			k++
		}
		if k == nf {
			if nf == len(fams) {
				k = nf - 1
			} else {
				fams[k] = fam{name: s.Family, max: ev[i]}
				nf++
				continue
			}
		}
		f := &fams[k]
		if ev[i] > f.max {
			f.rest += f.max
			f.max = ev[i]
		} else {
			f.rest += ev[i]
		}
	}
	logOdds := m.Prior
	agree := 0
	for _, f := range fams[:nf] {
		v := f.max + m.FamilyDamping*f.rest
		logOdds += v
		if v > 0 {
			agree++
		}
	}
	if agree > 1 {
		logOdds += m.Consensus * float64(agree-1)
	}
	score := sigmoid(logOdds)
	threshold := m.BlockThreshold
	if e.threshold > 0 {
		threshold = e.threshold
	}
	a := Assessment{Score: score, Level: m.level(score), Block: score >= threshold && !e.shadow}

	idx := idxBuf[:0]
	if len(sigs) > len(idxBuf) {
		idx = make([]int, 0, len(sigs))
	}
	for i := range sigs {
		if ev[i] != 0 {
			idx = append(idx, i)
		}
	}
	// stable, strongest evidence first
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(ev[y], ev[x]) })
	if len(idx) > e.maxReasons {
		idx = idx[:e.maxReasons]
	}
	a.Reasons = make([]Reason, len(idx))
	for k, i := range idx {
		a.Reasons[k] = Reason(sigs[i])
	}
	return a
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
