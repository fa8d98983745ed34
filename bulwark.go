package bulwark

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/threat"
)

// Engine is what a Guard needs of a threat engine (a *threat.Engine).
type Engine interface {
	Parse(r *http.Request, client, route string, now time.Time, lim threat.Limits) *threat.Request
	Assess(ctx context.Context, req *threat.Request) threat.Assessment
	Release(req *threat.Request)
	Observe(client, route string, status int, at time.Time)
}

// Limiter is what a Guard needs of a rate limiter (a *ratelimit.Adaptive).
type Limiter interface {
	// Cached answers from in-process state alone: an allow-list entry or
	// a ban known locally settles the request before it is scored.
	Cached(key string, now time.Time) (ratelimit.Result, bool)
	// AllowAt counts one request with its threat score.
	AllowAt(ctx context.Context, key, route string, score float64, now time.Time) (ratelimit.Result, error)
	// Ban and Strike put a client in the penalty box: at once, or at its
	// after-th refused request within window.
	Ban(ctx context.Context, key string, d time.Duration, reason string, now time.Time) (ratelimit.Result, error)
	Strike(ctx context.Context, key string, after int, window, d time.Duration, now time.Time) (ratelimit.Result, error)
}

// Publisher receives alert events; Publish must not block.
type Publisher interface {
	Publish(e alerting.Event) bool
}

var (
	_ Engine    = (*threat.Engine)(nil)
	_ Limiter   = (*ratelimit.Adaptive)(nil)
	_ Publisher = (*alerting.Dispatcher)(nil)
)

// Guard is bulwark's decision core: a request view, its client and its
// time in, a Verdict out, and the response status back as feedback. It
// holds the engine, the limiter and the alert publisher of one Config, and
// is what every transport calls: the net/http middleware, a gRPC
// interceptor, a queue consumer. It is safe for concurrent use.
type Guard struct {
	cfg    Config
	strict Strictness
	routes map[string]route
	tel    *telemetry
	self   *selfWatch // nil unless Config.Anomalies
}

// route is a Route resolved against the Config.
type route struct {
	Route
	strict      Strictness
	uninspected UninspectedPolicy
	shadow      bool
}

// New validates cfg and returns a Guard. Errors wrap ErrInvalidConfig and
// name the field.
func New(cfg Config) (*Guard, error) {
	// A nil pointer in an interface field is not nil: treat it as unset
	// rather than crash on the first request.
	if isNil(cfg.Engine) {
		return nil, invalid("Engine", "required (standard.New supplies the default engine)")
	}
	if isNil(cfg.Limiter) {
		return nil, invalid("Limiter", "required (standard.New supplies an in-memory limiter)")
	}
	if isNil(cfg.Alerts) {
		cfg.Alerts = nil
	}
	if cfg.Uninspected > UninspectedPass {
		return nil, invalid("Uninspected", "unknown policy %d", cfg.Uninspected)
	}
	if cfg.Anomalies && cfg.Alerts == nil {
		return nil, invalid("Anomalies", "needs Alerts to publish to")
	}
	if cfg.Uninspected == UninspectedDefault {
		cfg.Uninspected = UninspectedRefuse
	}
	g := &Guard{cfg: cfg, strict: cfg.Strictness.filled(), routes: make(map[string]route, len(cfg.Routes))}
	if err := g.strict.validate("Strictness"); err != nil {
		return nil, err
	}
	for p, rt := range cfg.Routes {
		field := fmt.Sprintf("Routes[%q]", p)
		if p == "" {
			return nil, invalid("Routes", "empty route pattern")
		}
		if rt.Uninspected > UninspectedPass {
			return nil, invalid(field+".Uninspected", "unknown policy %d", rt.Uninspected)
		}
		r := route{Route: rt, strict: g.strict, uninspected: rt.Uninspected, shadow: rt.Shadow || cfg.Shadow}
		if rt.Strictness != nil {
			r.strict = rt.Strictness.filled()
			if err := r.strict.validate(field + ".Strictness"); err != nil {
				return nil, err
			}
		}
		if r.uninspected == UninspectedDefault {
			r.uninspected = cfg.Uninspected
		}
		if r.Group == "" {
			r.Group = p
		}
		g.routes[p] = r
	}
	var err error
	if g.tel, err = newTelemetry(cfg.MeterProvider); err != nil {
		return nil, invalid("MeterProvider", "creating instruments: %v", err)
	}
	if cfg.Anomalies {
		g.self = newSelfWatch(cfg.Alerts)
	}
	return g, nil
}

// record records a verdict's telemetry and, with Config.Anomalies, counts
// a checked request in the instance's own series.
func (g *Guard) record(ctx context.Context, v *Verdict) {
	g.tel.record(ctx, v)
	if g.self != nil && v.Outcome != Skipped {
		g.self.count(v.Time, v.Outcome.refusal())
	}
}

// policy returns the resolved policy of a route pattern.
func (g *Guard) policy(pattern string) route {
	if r, ok := g.routes[pattern]; ok {
		return r
	}
	return route{Route: Route{Group: pattern}, strict: g.strict, uninspected: g.cfg.Uninspected, shadow: g.cfg.Shadow}
}

// CheckHTTP decides on r, sent by client on the route pattern given ("" if
// unknown) at now: it answers banned and allow-listed clients from the
// limiter's decision cache, builds the request view within the route's
// limits, and checks it. The body of r stays readable by the handler.
func (g *Guard) CheckHTTP(r *http.Request, client, pattern string, now time.Time) Verdict {
	p := g.policy(pattern)
	if p.Skip {
		v := Verdict{Outcome: Skipped, Client: client, Route: p.Group, Method: r.Method, Time: now}
		g.record(r.Context(), &v)
		return v
	}
	ctx := r.Context()
	if v, ok := g.cached(ctx, client, r.Method, p, now); ok {
		return v
	}
	req := g.cfg.Engine.Parse(r, client, p.Group, now, p.Limits)
	v := g.check(ctx, req, p)
	g.cfg.Engine.Release(req)
	return v
}

// Check decides on a request view built by a transport of its own (a gRPC
// interceptor, a queue consumer): req.Client, req.Route (the pattern) and
// req.Time say whose, where and when.
func (g *Guard) Check(ctx context.Context, req *threat.Request) Verdict {
	p := g.policy(req.Route)
	if p.Skip {
		v := Verdict{Outcome: Skipped, Client: req.Client, Route: p.Group, Method: req.Method, Time: req.Time}
		g.record(ctx, &v)
		return v
	}
	if v, ok := g.cached(ctx, req.Client, req.Method, p, req.Time); ok {
		return v
	}
	return g.check(ctx, req, p)
}

// cached settles a request from the limiter's decision cache, before any
// scoring: an allow-listed client passes, a banned one is refused.
func (g *Guard) cached(ctx context.Context, client, method string, p route, now time.Time) (Verdict, bool) {
	res, ok := g.cfg.Limiter.Cached(client, now)
	if !ok {
		return Verdict{}, false
	}
	v := Verdict{Outcome: AllowListed, Limit: res, Client: client, Route: p.Group, Method: method, Time: now}
	if !res.Allowed {
		v.Outcome = outcomeOf(res)
		g.publish(alertKind(res), 0, levelOf(res), res.Reason, &v)
		g.enforce(&v, p)
	}
	g.record(ctx, &v)
	return v, true
}

// check is the decision on a request the decision cache did not settle.
func (g *Guard) check(ctx context.Context, req *threat.Request, p route) Verdict {
	now := req.Time
	v := Verdict{Outcome: Allowed, Client: req.Client, Route: p.Group, Method: req.Method, Time: now}
	a := g.cfg.Engine.Assess(ctx, req)
	v.Assessment = a
	if a.Level >= p.strict.Alert {
		g.publish(alerting.KindThreat, a.Score, a.Level, "", &v)
	}
	blocked := a.Score >= p.strict.Block
	v.ChallengerBlocked = a.ChallengerModel != "" && a.Challenger >= p.strict.Block
	if a.Uninspected != 0 {
		refuse := p.uninspected != UninspectedPass
		g.tel.uninspected(ctx, a.Uninspected, !refuse || p.shadow)
		g.publish(alerting.KindThreat, a.Score, threat.LevelMedium, "uninspected."+a.Uninspected.String(), &v)
		if refuse && !blocked {
			v.Outcome = Uninspected
		}
	}
	var res ratelimit.Result
	var err error
	switch {
	case blocked && !p.shadow:
		// a refusal costs a strike toward a ban, not a share of the rate
		v.Outcome = Blocked
		res, err = g.penalise(ctx, &v, a.Score, p, now)
	case blocked:
		// shadow mode lets the request through: it is counted as any
		// other, and penalises no one (a shadow route's ban would refuse
		// the client on the routes that enforce)
		v.Outcome = Blocked
		res, err = g.cfg.Limiter.AllowAt(ctx, req.Client, p.Group, a.Score, now)
	case v.Outcome == Allowed:
		res, err = g.cfg.Limiter.AllowAt(ctx, req.Client, p.Group, a.Score, now)
		if err == nil && p.CountBy != "" {
			if second := param(req, p.CountBy); second != "" && res.Allowed {
				// the second key's refusal is the request's: the
				// first key's count stands
				var r2 ratelimit.Result
				if r2, err = g.cfg.Limiter.AllowAt(ctx, "param:"+p.CountBy+":"+second, p.Group+"#"+p.CountBy, a.Score, now); !r2.Allowed {
					res = r2
				}
			}
		}
		switch {
		case res.AllowListed:
			v.Outcome = AllowListed
		case !res.Allowed:
			v.Outcome = outcomeOf(res)
			g.publish(alertKind(res), a.Score, levelOf(res), res.Reason, &v)
		}
	}
	if err != nil {
		g.tel.limiterError(ctx)
	}
	v.Limit = res
	if v.Outcome.refusal() {
		g.enforce(&v, p)
	}
	g.record(ctx, &v)
	return v
}

// penalise counts a blocked request toward its client's ban: at once when
// its score is near-certain (Strictness.Ban), else one strike of BanAfter
// within BanWindow.
func (g *Guard) penalise(ctx context.Context, v *Verdict, score float64, p route, now time.Time) (ratelimit.Result, error) {
	s := p.strict
	var res ratelimit.Result
	var err error
	switch {
	case score >= s.Ban:
		res, err = g.cfg.Limiter.Ban(ctx, v.Client, s.BanFor, "threat score", now)
	case s.BanAfter > 0:
		res, err = g.cfg.Limiter.Strike(ctx, v.Client, s.BanAfter, s.BanWindow, s.BanFor, now)
	default:
		return res, nil
	}
	if res.Penalty == storage.ActionBan {
		g.publish(alerting.KindPenalty, score, threat.LevelHigh, res.Reason, v)
	}
	return res, err
}

// enforce sets the status of a refusal, or marks it shadowed.
func (g *Guard) enforce(v *Verdict, p route) {
	if p.shadow {
		v.Shadow = true
		return
	}
	v.Status = status(v.Outcome, v.Assessment.Uninspected)
	if v.Outcome != Blocked && v.Outcome != Uninspected {
		v.RetryAfter = v.Limit.RetryAfter
	}
}

// Done feeds the response status of a request back to the engine (the
// client's behavioural profile learns from 401, 403, 404 and 5xx ratios).
// Call it once the handler has answered, or with the refusal's status.
// Every outcome but Skipped is fed back, refusals from the decision cache
// included.
func (g *Guard) Done(v *Verdict, status int) {
	if v.Outcome == Skipped {
		return
	}
	g.cfg.Engine.Observe(v.Client, v.Route, status, v.Time)
}

// Close closes the Engine and the Limiter when they hold resources
// (io.Closer): a Guard owns what it was given.
func (g *Guard) Close() error {
	var errs []error
	for _, c := range []any{g.cfg.Engine, g.cfg.Limiter} {
		if c, ok := c.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// param returns the first value of the request parameter named name (a
// form, JSON, multipart or query value), or "".
func param(req *threat.Request, name string) string {
	for i := range req.Params {
		p := &req.Params[i]
		if p.Name == name && p.Value != "" {
			switch p.Source {
			case threat.SourceForm, threat.SourceJSON, threat.SourceMultipart, threat.SourceQuery:
				return p.Value
			}
		}
	}
	return ""
}

// outcomeOf is the Outcome of a limiter's answer.
func outcomeOf(res ratelimit.Result) Outcome {
	switch {
	case res.AllowListed:
		return AllowListed
	case res.Allowed:
		return Allowed
	case res.Penalty == storage.ActionBan:
		return Banned
	case res.Penalty == storage.ActionThrottle:
		return Throttled
	}
	return Limited
}

// alertKind is the alert event kind of a limiter refusal.
func alertKind(res ratelimit.Result) alerting.Kind {
	if res.Penalty != storage.ActionNone {
		return alerting.KindPenalty
	}
	return alerting.KindRateLimit
}

// levelOf is the alert level of a limiter refusal.
func levelOf(res ratelimit.Result) threat.Level {
	switch res.Penalty {
	case storage.ActionBan:
		return threat.LevelHigh
	case storage.ActionThrottle:
		return threat.LevelMedium
	}
	return threat.LevelLow
}

// publish hands an event to the alert publisher, which never blocks. why
// is the reason of a limiter decision; a threat event carries the
// assessment's rules.
func (g *Guard) publish(kind alerting.Kind, score float64, level threat.Level, why string, v *Verdict) {
	if g.cfg.Alerts == nil {
		return
	}
	var reasons []string
	if why != "" {
		reasons = []string{why}
	} else if rs := v.Assessment.Signals; len(rs) > 0 {
		reasons = make([]string, 0, min(len(rs), 5))
		for _, r := range rs[:min(len(rs), 5)] {
			reasons = append(reasons, r.Rule)
		}
	}
	g.cfg.Alerts.Publish(alerting.Event{Client: v.Client, Kind: kind, Score: score, Level: level,
		Reasons: reasons, Route: v.Route, Method: v.Method, Time: v.Time})
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
