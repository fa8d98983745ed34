package middleware

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratelimitstd "github.com/bulwarkhq/bulwark/ratelimit/standard"
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
		if m.ownLimiter, err = ratelimitstd.New(ratelimitstd.Config{Limiter: ratelimit.Config{MeterProvider: cfg.MeterProvider, Clock: cfg.Now}}); err != nil {
			if m.ownEngine != nil {
				_ = m.ownEngine.Close()
			}
			return nil, err
		}
		m.limiter = m.ownLimiter
	}
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
	var rt Route
	if m.cfg.Route != nil {
		pattern = m.cfg.Route(r)
		group = pattern
		if pattern != "" {
			rt = m.routes[pattern]
		}
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

	key, addr := m.id.key(r)
	if m.cfg.KeyFunc != nil {
		if k := m.cfg.KeyFunc(r); k != "" {
			key = k
		}
	}
	ctx = &clientCtx{Context: ctx, info: clientInfo{key: key, addr: addr}}
	r = r.WithContext(ctx)

	// The decision cache answers bans and allow-list entries without scoring.
	if res, ok := m.limiter.Cached(key, start); ok {
		if res.Outcome == ratelimit.OutcomeAllowListed {
			m.tel.record(ctx, OutcomeAllowListed, m.cfg.Now().Sub(start))
			annotate(ctx, OutcomeAllowListed, 0, threat.LevelNone.String())
			m.pass(w, r, next, key, group, start)
			return
		}
		if !res.Allowed() {
			o := refusal(res.Outcome)
			m.publish(key, group, r.Method, alertKind(res.Outcome), 0, severityOf(res.Outcome), []string{res.Reason}, start)
			if !shadow {
				m.tel.record(ctx, o, m.cfg.Now().Sub(start))
				annotate(ctx, o, 0, threat.LevelNone.String())
				setRateHeaders(w.Header(), res, start)
				writeProblem(w, problemFor(o), res.RetryAfter)
				return
			}
			m.tel.record(ctx, OutcomeShadowRefused, m.cfg.Now().Sub(start))
			annotate(ctx, OutcomeShadowRefused, 0, threat.LevelNone.String())
			m.pass(w, r, next, key, group, start)
			return
		}
	}

	var a threat.Assessment
	if we, ok := m.engine.(withinEngine); ok && rt.Limits != (threat.Limits{}) {
		a = we.AssessWithin(r, key, group, start, rt.Limits)
	} else {
		a = m.engine.AssessAt(r, key, group, start)
	}
	if a.Level >= m.cfg.AlertLevel {
		m.publish(key, group, r.Method, alerting.KindThreat, a.Score, severityOfLevel(a.Level), reasons(a.Reasons), start)
	}
	verdict := m.verdict(a, rt)
	if a.Uninspected != 0 {
		refused := verdict == OutcomeUninspected && !shadow
		m.tel.recordUninspected(ctx, a.Uninspected, !refused)
		m.publish(key, group, r.Method, alerting.KindThreat, a.Score, threat.LevelMedium,
			[]string{"uninspected." + a.Uninspected.String()}, start)
	}

	res, err := m.limiter.AllowAt(ctx, key, group, a.Score, start)
	if err != nil {
		m.tel.errors.Add(ctx, 1, m.tel.addNone...)
	}

	o := verdict
	switch {
	case o != OutcomeAllowed:
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
			p := problemFor(o)
			switch o {
			case OutcomeBlocked:
				retry = 0
			case OutcomeUninspected:
				retry, p = 0, problemUninspected(a.Uninspected)
			}
			writeProblem(w, p, retry)
			m.engine.Observe(key, group, p.status, start)
			return
		}
		o = OutcomeShadowRefused
	}
	m.tel.record(ctx, o, m.cfg.Now().Sub(start))
	annotate(ctx, o, a.Score, a.Level.String())
	m.pass(w, r, next, key, group, start)
}

// verdict is the engine's part of the answer to a request on route rt:
// OutcomeBlocked, OutcomeUninspected when part of it was not inspected and
// the route's policy refuses that, else OutcomeAllowed (the limiter
// decides then).
func (m *Middleware) verdict(a threat.Assessment, rt Route) Outcome {
	switch {
	case a.Block:
		return OutcomeBlocked
	case a.Uninspected != 0:
		policy := rt.Uninspected
		if policy == UninspectedDefault {
			policy = m.cfg.Uninspected
		}
		if policy != UninspectedPass {
			return OutcomeUninspected
		}
	}
	return OutcomeAllowed
}

// Refusal returns the status the middleware answers a request with that
// its engine assessed as a, on the route pattern given (as Config.Route
// returns it, "" for none), before the rate limiter has its say: 403 when
// the assessment blocks it, 413, 415 or 400 when part of the request was
// not inspected and the route's policy refuses that, 0 when it goes on to
// the limiter. Shadow mode and shadow routes refuse nothing. It is the
// decision the middleware takes, for tools that assess requests
// themselves (examples/evaluate).
func (m *Middleware) Refusal(a threat.Assessment, pattern string) int {
	rt := m.routes[pattern]
	if m.cfg.Mode == ModeShadow || rt.Shadow || rt.Skip {
		return 0
	}
	switch m.verdict(a, rt) {
	case OutcomeBlocked:
		return problemBlocked.status
	case OutcomeUninspected:
		return problemUninspected(a.Uninspected).status
	}
	return 0
}

// pass runs next with a status-recording writer and feeds the status back
// to the engine. The body is never buffered.
func (m *Middleware) pass(w http.ResponseWriter, r *http.Request, next http.Handler, key, group string, start time.Time) {
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

func severityOf(o ratelimit.Outcome) threat.Level {
	switch o {
	case ratelimit.OutcomeBanned:
		return threat.LevelHigh
	case ratelimit.OutcomeThrottled:
		return threat.LevelMedium
	}
	return threat.LevelLow
}

func severityOfLevel(l threat.Level) threat.Level {
	switch l {
	case threat.LevelCritical:
		return threat.LevelCritical
	case threat.LevelHigh:
		return threat.LevelHigh
	case threat.LevelMedium:
		return threat.LevelMedium
	case threat.LevelLow:
		return threat.LevelLow
	}
	return threat.LevelNone
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
func (m *Middleware) publish(client, route, method string, kind alerting.Kind, score float64, sev threat.Level, rs []string, at time.Time) {
	if m.alerts == nil {
		return
	}
	m.alerts.Publish(alerting.Event{
		Client: client, Kind: kind, Score: score, Level: sev,
		Reasons: rs, Route: route, Method: method, Time: at,
	})
}
