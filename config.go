package bulwark

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark/threat"
)

// ErrInvalidConfig is wrapped by every error New (and middleware.New) returns
// for a bad configuration; the message names the field.
var ErrInvalidConfig = errors.New("bulwark: invalid config")

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: Config.%s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}

// Config configures a Guard. Engine and Limiter are required; everything
// else has a safe default. standard.New fills a Config with the default
// engine and an in-memory limiter.
type Config struct {
	// Engine scores requests (a *threat.Engine).
	Engine Engine
	// Limiter counts requests and keeps the penalty box (a
	// *ratelimit.Adaptive).
	Limiter Limiter
	// Alerts receives threat, rate-limit and penalty events, usually an
	// *alerting.Dispatcher; Publish must not block. Default: none.
	Alerts Publisher
	// Strictness decides which scores refuse, ban and alert. The zero
	// value is DefaultStrictness; Relaxed and Strict are the presets beside
	// it. Routes may override it.
	Strictness Strictness
	// Shadow scores, counts, traces and alerts every request as enforcing
	// does, and refuses none (Verdict.Shadow marks what would have been
	// refused). Default: false, refusals are answered.
	Shadow bool
	// Uninspected decides what becomes of a request that went past the
	// engine's inspection limits (threat.Limits): UninspectedRefuse (the
	// default) or UninspectedPass. Routes may override it.
	Uninspected UninspectedPolicy
	// Routes holds per-route policies keyed by route pattern (as the
	// transport names routes: chi's "/users/{id}").
	Routes map[string]Route
	// MeterProvider receives the Guard's metrics. Default:
	// otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// Anomalies watches this instance's own requests and refusals a
	// minute with the online detector the control plane runs over the
	// fleet's hours: a spike, a dip or a level shift of either, against
	// the baseline learnt from the minutes before, is published to Alerts
	// as an alerting.KindAnomaly event naming the series, the value and
	// the expected value. A minute is scored when the first request of a
	// later one is checked. Default: off. Needs Alerts.
	Anomalies bool
}

// Route is the policy of one route pattern in Config.Routes.
type Route struct {
	// Group is the label the engine and the limiter see (the limiter's
	// per-group rates are keyed by it). Default: the pattern itself.
	Group string
	// Skip lets the route through unchecked (health checks, metrics).
	Skip bool
	// Shadow scores and reports the route but never refuses it.
	Shadow bool
	// Limits replace the engine's inspection limits on this route where
	// they are non-zero: an upload route takes a larger MaxBody.
	Limits threat.Limits
	// Uninspected overrides Config.Uninspected on this route.
	Uninspected UninspectedPolicy
	// Strictness, when set, replaces Config.Strictness on this route.
	Strictness *Strictness
	// CountBy names a parameter (a form, JSON, multipart or query value)
	// whose value is counted as a second key beside the client: on a
	// login route, the account name, so that credential stuffing spread
	// over many addresses against one account is limited too. The second
	// key's rate is the limiter's rate for the group Group+"#"+CountBy
	// (ratelimit.Config.Groups), or its base rate. The value is read from
	// the request view; the handler's body is untouched.
	CountBy string
}

// UninspectedPolicy decides what becomes of a request that went past an
// inspection limit (threat.Limits: a body larger than MaxBody, more values
// than MaxParams ...), so that part of it was not inspected.
type UninspectedPolicy uint8

// Policies for requests not inspected in full.
const (
	// UninspectedDefault is UninspectedRefuse in Config and the Config's
	// policy in a Route.
	UninspectedDefault UninspectedPolicy = iota
	// UninspectedRefuse refuses the request: 413 (too large), 415 (a
	// content coding the engine cannot undo) or 400 (too many values,
	// nested too deep).
	UninspectedRefuse
	// UninspectedPass lets the request through; it is counted
	// (bulwark.uninspected), traced and alerted.
	UninspectedPass
)

// String returns "default", "refuse" or "pass".
func (p UninspectedPolicy) String() string {
	switch p {
	case UninspectedRefuse:
		return "refuse"
	case UninspectedPass:
		return "pass"
	}
	return "default"
}

// Strictness is the one place that says how hard bulwark answers: which
// score refuses a request, when a client is banned, what is alerted.
//
// One blocked request never locks a person out by itself: a request is
// refused when its score reaches Block, and its client is banned only
// after BanAfter refused requests within BanWindow, or at once when one
// request's score reaches Ban, which only near-certain evidence does
// (several strong rules of a family agreeing, as a scanner's or an
// exploit's payload makes them: with the default model, one rule at
// confidence 0.99 scores about 0.83, three such rules of one family about
// 0.98).
type Strictness struct {
	// Block is the score at or above which a request is refused (403).
	Block float64
	// Ban is the score at or above which one request bans its client.
	// Above 1: never.
	Ban float64
	// BanAfter refused requests within BanWindow ban the client. Negative:
	// never.
	BanAfter  int
	BanWindow time.Duration
	// BanFor is how long a ban lasts.
	BanFor time.Duration
	// Alert is the lowest assessment level published as an alert. Limiter
	// refusals and bans are always published.
	Alert threat.Level
}

// The presets. DefaultStrictness is what the zero Strictness means.
var (
	// Relaxed refuses only strong evidence and bans late: for services
	// whose users type code, markup or queries into forms.
	Relaxed = Strictness{Block: 0.9, Ban: 0.995, BanAfter: 5, BanWindow: 10 * time.Minute, BanFor: 10 * time.Minute, Alert: threat.LevelCritical}
	// DefaultStrictness: refuse at 0.8, ban after three refusals in ten
	// minutes or at 0.98, for fifteen minutes, alert from high.
	DefaultStrictness = Strictness{Block: 0.8, Ban: 0.98, BanAfter: 3, BanWindow: 10 * time.Minute, BanFor: 15 * time.Minute, Alert: threat.LevelHigh}
	// Strict refuses weaker evidence and bans sooner and longer: for
	// login, payment and admin routes.
	Strict = Strictness{Block: 0.6, Ban: 0.95, BanAfter: 2, BanWindow: 30 * time.Minute, BanFor: time.Hour, Alert: threat.LevelMedium}
)

// filled returns s with its zero fields taken from DefaultStrictness.
func (s Strictness) filled() Strictness {
	d := DefaultStrictness
	if s.Block == 0 {
		s.Block = d.Block
	}
	if s.Ban == 0 {
		s.Ban = d.Ban
	}
	if s.BanAfter == 0 {
		s.BanAfter = d.BanAfter
	}
	if s.BanWindow == 0 {
		s.BanWindow = d.BanWindow
	}
	if s.BanFor == 0 {
		s.BanFor = d.BanFor
	}
	if s.Alert == threat.LevelNone {
		s.Alert = d.Alert
	}
	return s
}

func (s Strictness) validate(field string) error {
	switch {
	case !(s.Block > 0 && s.Block <= 1):
		return invalid(field+".Block", "%v not in (0,1]", s.Block)
	case !(s.Ban > 0):
		return invalid(field+".Ban", "%v not positive", s.Ban)
	case s.BanWindow < 0:
		return invalid(field+".BanWindow", "negative")
	case s.BanFor < 0:
		return invalid(field+".BanFor", "negative")
	case s.Alert > threat.LevelCritical:
		return invalid(field+".Alert", "unknown level %d", s.Alert)
	}
	return nil
}
