package middleware

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage/event"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// Middleware protects an http.Handler. Build it with New, mount
// Middleware.Handler, and Close it when the server has shut down.
type Middleware struct {
	cfg      Config
	id       *identifier
	engine   Engine
	limiter  Limiter
	alerts   Publisher
	events   Events // nil: none recorded (events.go)
	tel      *telemetry
	skip     map[string]struct{}
	prefixes []string
	routes   map[string]Route

	ownEngine  *threat.Engine      // created by New, closed by Close
	ownLimiter *ratelimit.Adaptive // created by New, closed by Close
}

// New validates cfg, fills in its defaults and returns a Middleware. Errors
// for a bad Config wrap ErrInvalidConfig and name the field.
func New(cfg Config) (*Middleware, error) {
	id, err := cfg.build()
	if err != nil {
		return nil, err
	}
	m := &Middleware{
		cfg:     cfg,
		id:      id,
		engine:  cfg.Engine,
		limiter: cfg.Limiter,
		alerts:  cfg.Alerts,
		events:  cfg.Events,
		skip:    make(map[string]struct{}),
		routes:  cfg.Routes,
	}
	for _, s := range cfg.Skip {
		if strings.HasSuffix(s, "/") {
			m.prefixes = append(m.prefixes, s)
		} else {
			m.skip[s] = struct{}{}
		}
	}
	if m.tel, err = newTelemetry(cfg.MeterProvider); err != nil {
		return nil, invalid("MeterProvider", "creating instruments: %v", err)
	}
	if m.engine == nil {
		// the Engine and Limiter New makes report to the middleware's
		// MeterProvider and read its clock
		if m.ownEngine, err = standard.New(standard.Config{Engine: threat.Config{MeterProvider: cfg.MeterProvider, Now: cfg.Now}}); err != nil {
			return nil, err
		}
		m.engine = m.ownEngine
	}
	if m.limiter == nil {
		if m.ownLimiter, err = ratelimit.New(ratelimit.Config{MeterProvider: cfg.MeterProvider, Clock: cfg.Now}); err != nil {
			if m.ownEngine != nil {
				_ = m.ownEngine.Close()
			}
			return nil, err
		}
		m.limiter = m.ownLimiter
	}
	m.bindEvents()
	return m, nil
}

// Close closes the engine and limiter New created. Those passed in Config,
// and the alert Dispatcher, are left to the caller.
func (m *Middleware) Close() error {
	var errs []error
	if m.ownEngine != nil {
		errs = append(errs, m.ownEngine.Close())
	}
	if m.ownLimiter != nil {
		errs = append(errs, m.ownLimiter.Close())
	}
	return errors.Join(errs...)
}

// Handler wraps next. Its signature fits chi's Router.Use and any
// net/http middleware chain.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

func (m *Middleware) skipped(r *http.Request) bool {
	p := r.URL.Path
	if _, ok := m.skip[p]; ok {
		return true
	}
	for _, pre := range m.prefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return m.cfg.SkipFunc != nil && m.cfg.SkipFunc(r)
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	start := m.cfg.Now()
	ctx := r.Context()
	if m.skipped(r) {
		m.tel.record(ctx, OutcomeSkipped, 0)
		next.ServeHTTP(w, r)
		return
	}
	shadow := m.cfg.Mode == ModeShadow
	var pattern, group string
	if m.cfg.Route != nil {
		pattern = m.cfg.Route(r)
		group = pattern
		if rt, ok := m.routes[pattern]; ok && pattern != "" {
			if rt.Skip {
				m.tel.record(ctx, OutcomeSkipped, 0)
				next.ServeHTTP(w, r)
				return
			}
			shadow = shadow || rt.Shadow
			if rt.Group != "" {
				group = rt.Group
			}
		}
	}

	key, addr := m.id.key(r)
	if m.cfg.KeyFunc != nil {
		if k := m.cfg.KeyFunc(r); k != "" {
			key = k
		}
	}
	ctx = &clientCtx{Context: ctx, info: clientInfo{key: key, addr: addr}}
	r = r.WithContext(ctx)
	var ev event.Event // noted and recorded when Config.Events is set
	ev.Time = start

	// The decision cache answers bans and allow-list entries without scoring.
	if res, ok := m.limiter.Cached(key, start); ok {
		if res.Outcome == ratelimit.OutcomeAllowListed {
			m.tel.record(ctx, OutcomeAllowListed, m.cfg.Now().Sub(start))
			annotate(ctx, OutcomeAllowListed, 0, threat.LevelNone.String())
			m.note(&ev, key, pattern, r.Method, OutcomeAllowListed, nil, res.Outcome)
			m.pass(w, r, next, key, group, start, &ev)
			return
		}
		if !res.Allowed() {
			o := refusal(res.Outcome)
			m.publish(key, group, r.Method, alertKind(res.Outcome), 0, severityOf(res.Outcome), []string{res.Reason}, start)
			if !shadow {
				m.tel.record(ctx, o, m.cfg.Now().Sub(start))
				annotate(ctx, o, 0, threat.LevelNone.String())
				setRateHeaders(w.Header(), res, start)
				m.note(&ev, key, pattern, r.Method, o, nil, res.Outcome)
				writeEventProblem(w, problemFor(o), res.RetryAfter, m.emit(&ev, group))
				return
			}
			m.tel.record(ctx, OutcomeShadowRefused, m.cfg.Now().Sub(start))
			annotate(ctx, OutcomeShadowRefused, 0, threat.LevelNone.String())
			m.note(&ev, key, pattern, r.Method, OutcomeShadowRefused, nil, res.Outcome)
			m.pass(w, r, next, key, group, start, &ev)
			return
		}
	}

	a := m.engine.AssessAt(r, key, group, start)
	if a.Level >= m.cfg.AlertLevel {
		m.publish(key, group, r.Method, alerting.KindThreat, a.Score, severityOfLevel(a.Level), reasons(a.Reasons), start)
	}

	res, err := m.limiter.AllowAt(ctx, key, group, a.Score, start)
	if err != nil {
		m.tel.errors.Add(ctx, 1, m.tel.addNone...)
	}

	o := OutcomeAllowed
	switch {
	case a.Block:
		o = OutcomeBlocked
	case res.Outcome == ratelimit.OutcomeAllowListed:
		o = OutcomeAllowListed
	case !res.Allowed():
		o = refusal(res.Outcome)
		m.publish(key, group, r.Method, alertKind(res.Outcome), a.Score, severityOf(res.Outcome), []string{res.Reason}, start)
	}
	if res.Limit > 0 && res.Outcome != ratelimit.OutcomeAllowListed {
		setRateHeaders(w.Header(), res, start)
	}
	if o != OutcomeAllowed && o != OutcomeAllowListed {
		if !shadow {
			m.tel.record(ctx, o, m.cfg.Now().Sub(start))
			annotate(ctx, o, a.Score, a.Level.String())
			retry := res.RetryAfter
			if o == OutcomeBlocked {
				retry = 0
			}
			m.note(&ev, key, pattern, r.Method, o, &a, res.Outcome)
			writeEventProblem(w, problemFor(o), retry, m.emit(&ev, group))
			m.engine.Observe(key, group, problemFor(o).status, start)
			return
		}
		o = OutcomeShadowRefused
	}
	m.tel.record(ctx, o, m.cfg.Now().Sub(start))
	annotate(ctx, o, a.Score, a.Level.String())
	m.note(&ev, key, pattern, r.Method, o, &a, res.Outcome)
	m.pass(w, r, next, key, group, start, &ev)
}

// pass runs next with a status-recording writer and feeds the status back
// to the engine, then records ev. The body is never buffered.
func (m *Middleware) pass(w http.ResponseWriter, r *http.Request, next http.Handler, key, group string, start time.Time, ev *event.Event) {
	sw, ww := wrap(w)
	defer release(sw, ww)
	next.ServeHTTP(ww, r)
	status := sw.Status()
	if status == 0 {
		status = http.StatusOK
	}
	if group == "" {
		group = routeAfter(r)
	}
	// the request's start time: the profile needs its order, not the
	// handler's duration, and the clock is not free
	m.engine.Observe(key, group, status, start)
	m.emit(ev, group)
}

func refusal(o ratelimit.Outcome) Outcome {
	switch o {
	case ratelimit.OutcomeThrottled:
		return OutcomeThrottled
	case ratelimit.OutcomeBanned:
		return OutcomeBanned
	}
	return OutcomeLimited
}

func problemFor(o Outcome) problem {
	switch o {
	case OutcomeBlocked:
		return problemBlocked
	case OutcomeThrottled:
		return problemThrottled
	case OutcomeBanned:
		return problemBanned
	}
	return problemRateLimited
}

// setRateHeaders writes the IETF draft RateLimit-* fields. Reset is in
// delta seconds, as the draft asks.
func setRateHeaders(h http.Header, res ratelimit.Result, now time.Time) {
	if res.Limit <= 0 {
		return
	}
	rem := res.Remaining
	if rem < 0 {
		rem = 0
	}
	reset := int64(0)
	if !res.Reset.IsZero() {
		// Nearest second, at least 1: a fresh 60 s window reads 60, not 61.
		if d := res.Reset.Sub(now); d > 0 {
			reset = max(int64((d+time.Second/2)/time.Second), 1)
		}
	}
	// The three numbers share one string and the three values one backing
	// array: two allocations, not six.
	var buf [3 * 20]byte
	b := strconv.AppendInt(buf[:0], res.Limit, 10)
	n0 := len(b)
	b = strconv.AppendInt(b, rem, 10)
	n1 := len(b)
	b = strconv.AppendInt(b, reset, 10)
	all := string(b)
	v := make([]string, 3)
	v[0], v[1], v[2] = all[:n0], all[n0:n1], all[n1:]
	h["Ratelimit-Limit"] = v[0:1:1]
	h["Ratelimit-Remaining"] = v[1:2:2]
	h["Ratelimit-Reset"] = v[2:3:3]
}

func alertKind(o ratelimit.Outcome) alerting.Kind {
	if o == ratelimit.OutcomeBanned || o == ratelimit.OutcomeThrottled {
		return alerting.KindPenalty
	}
	return alerting.KindRateLimit
}

func severityOf(o ratelimit.Outcome) alerting.Severity {
	switch o {
	case ratelimit.OutcomeBanned:
		return alerting.SeverityHigh
	case ratelimit.OutcomeThrottled:
		return alerting.SeverityMedium
	}
	return alerting.SeverityLow
}

func severityOfLevel(l threat.Level) alerting.Severity {
	switch l {
	case threat.LevelCritical:
		return alerting.SeverityCritical
	case threat.LevelHigh:
		return alerting.SeverityHigh
	case threat.LevelMedium:
		return alerting.SeverityMedium
	case threat.LevelLow:
		return alerting.SeverityLow
	}
	return alerting.SeverityInfo
}

func reasons(rs []threat.Reason) []string {
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(rs), 5))
	for _, r := range rs[:min(len(rs), 5)] {
		out = append(out, r.Rule)
	}
	return out
}

// publish hands an event to the dispatcher, which never blocks.
func (m *Middleware) publish(client, route, method string, kind alerting.Kind, score float64, sev alerting.Severity, rs []string, at time.Time) {
	if m.alerts == nil {
		return
	}
	m.alerts.Publish(alerting.Event{
		Client: client, Kind: kind, Score: score, Severity: sev,
		Reasons: rs, Route: route, Method: method, Time: at,
	})
}
