package middleware

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/threat"
)

// Mode says whether the middleware answers refusals or only reports them.
type Mode uint8

// Modes.
const (
	// ModeEnforce answers 403 to blocked requests and 429 to limited ones.
	ModeEnforce Mode = iota
	// ModeShadow scores, counts, traces and alerts exactly as ModeEnforce
	// does, but lets every request through.
	ModeShadow
)

func (m Mode) String() string {
	if m == ModeShadow {
		return "shadow"
	}
	return "enforce"
}

// Route is the policy of one route pattern in Config.Routes.
type Route struct {
	// Group is the label passed to the threat engine and the limiter (whose
	// ratelimit.Config.Routes holds the per-group rates). Default: the
	// pattern itself.
	Group string
	// Skip lets the route through unchecked (health checks, metrics).
	Skip bool
	// Shadow scores and reports the route but never refuses it.
	Shadow bool
}

// Engine is what the middleware needs of a threat engine.
//
// The middleware reads its clock (Config.Now) once per request and passes
// that reading on: AssessAt and AllowAt take the request's arrival time.
type Engine interface {
	AssessAt(r *http.Request, client, route string, now time.Time) threat.Assessment
	Observe(client, route string, status int, at time.Time)
}

// Limiter is what the middleware needs of a rate limiter.
type Limiter interface {
	Cached(key string, now time.Time) (ratelimit.Result, bool)
	AllowAt(ctx context.Context, key, route string, score float64, now time.Time) (ratelimit.Result, error)
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

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("middleware: invalid config")

// Config configures the middleware. Its zero value is a working default:
// the standard threat engine, an in-memory adaptive limiter, enforce mode,
// the TCP peer as client identity, IPv6 clients aggregated to /64.
type Config struct {
	// Engine scores requests, usually a *threat.Engine. Default:
	// standard.New(standard.Config{}), closed by Middleware.Close. An Engine
	// passed here is the caller's to close.
	Engine Engine
	// Limiter decides rates, usually a *ratelimit.Adaptive. Default:
	// ratelimit.New(ratelimit.Config{}) (in memory), closed by
	// Middleware.Close. A Limiter passed here is the caller's to close.
	Limiter Limiter
	// Alerts receives threat and rate-limit events, usually an
	// *alerting.Dispatcher. Default: nil, no alerts.
	Alerts Publisher
	// Events receives one event of every request answered (see Events),
	// usually a *fleet.Exporter. Default: nil, none recorded.
	Events Events
	// AlertLevel is the lowest assessment level published as an alert.
	// Default: threat.LevelHigh. Refusals by the limiter are always published.
	AlertLevel threat.Level

	// Mode is ModeEnforce (default) or ModeShadow.
	Mode Mode

	// TrustedProxies lists the CIDRs ("10.0.0.0/8", "::1/128") of reverse
	// proxies whose forwarding header is believed. Default: none, the TCP
	// peer is the client and every forwarding header is ignored.
	TrustedProxies []string
	// ClientIPHeader is the one header read when the peer is a trusted proxy:
	// HeaderXForwardedFor (default), HeaderForwarded or HeaderXRealIP. Name
	// the header your proxy sets; the others are ignored.
	ClientIPHeader string
	// IPv4Prefix and IPv6Prefix aggregate client addresses into one key.
	// Defaults: 32 (each address) and 64 (one key per /64, the usual
	// allocation of one subscriber).
	IPv4Prefix int
	IPv6Prefix int
	// KeyFunc, when set, keys the client by something else (API key, user
	// id). It returns "" to fall back to the address. Namespace its keys
	// ("apikey:...") so they cannot collide with addresses.
	KeyFunc func(r *http.Request) string

	// Skip lists paths that are never checked: an exact path ("/healthz"),
	// or a prefix when it ends with "/" ("/static/").
	Skip []string
	// SkipFunc, when set, is asked too.
	SkipFunc func(r *http.Request) bool

	// Route returns the route pattern of a request before the handler runs
	// (see ChiRoute and ServeMuxRoute). It labels scoring and limiting, and
	// is needed by Routes. Default: none; after the handler the chi pattern,
	// when there is one, still labels feedback.
	Route func(r *http.Request) string
	// Routes holds per-route overrides keyed by route pattern.
	Routes map[string]Route

	// MeterProvider receives the metrics, those of the default Engine and
	// Limiter New makes included (the threat score histogram is the
	// engine's). Default: otel.GetMeterProvider(). Span attributes and
	// events go to the span already active in the request context; the
	// middleware starts no span of its own.
	MeterProvider metric.MeterProvider

	// Now is the clock. Default: time.Now. It is read once as a request
	// arrives, and that reading is the request's time for the Engine
	// (AssessAt), the Limiter (Cached, AllowAt) and the feedback (Observe);
	// once more for the overhead histogram.
	Now func() time.Time
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: Config.%s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}

// build validates c and fills in the defaults it can without side effects.
func (c *Config) build() (*identifier, error) {
	// A nil *threat.Engine (or limiter, or dispatcher) in an interface field
	// is not nil; treat it as unset rather than crash on the first request.
	if isNil(c.Engine) {
		c.Engine = nil
	}
	if isNil(c.Limiter) {
		c.Limiter = nil
	}
	if isNil(c.Alerts) {
		c.Alerts = nil
	}
	if isNil(c.Events) {
		c.Events = nil
	}
	if c.Mode > ModeShadow {
		return nil, invalid("Mode", "unknown mode %d", c.Mode)
	}
	if c.AlertLevel > threat.LevelCritical {
		return nil, invalid("AlertLevel", "unknown level %d", c.AlertLevel)
	}
	if c.AlertLevel == threat.LevelNone {
		c.AlertLevel = threat.LevelHigh
	}
	id := &identifier{v4Bits: 32, v6Bits: 64, seed: maphash.MakeSeed()}
	if c.IPv4Prefix != 0 {
		if c.IPv4Prefix < 8 || c.IPv4Prefix > 32 {
			return nil, invalid("IPv4Prefix", "%d is outside [8,32]", c.IPv4Prefix)
		}
		id.v4Bits = c.IPv4Prefix
	}
	if c.IPv6Prefix != 0 {
		if c.IPv6Prefix < 16 || c.IPv6Prefix > 128 {
			return nil, invalid("IPv6Prefix", "%d is outside [16,128]", c.IPv6Prefix)
		}
		id.v6Bits = c.IPv6Prefix
	}
	for i, s := range c.TrustedProxies {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return nil, invalid(fmt.Sprintf("TrustedProxies[%d]", i), "%q is neither a CIDR nor an address", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			// ::ffff:10.0.0.0/104 means 10.0.0.0/8: compare unmapped.
			if p.Bits() < 96 {
				return nil, invalid(fmt.Sprintf("TrustedProxies[%d]", i), "%q is an IPv4-mapped prefix shorter than /96", s)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		id.trusted = append(id.trusted, p.Masked())
	}
	switch h := http.CanonicalHeaderKey(c.ClientIPHeader); h {
	case "", HeaderXForwardedFor:
		id.header = HeaderXForwardedFor
	case HeaderForwarded, HeaderXRealIP:
		id.header = h
	default:
		return nil, invalid("ClientIPHeader", "%q is not one of X-Forwarded-For, Forwarded, X-Real-IP", c.ClientIPHeader)
	}
	if c.ClientIPHeader != "" && len(id.trusted) == 0 {
		return nil, invalid("ClientIPHeader", "set without TrustedProxies: the header would never be read")
	}
	if len(id.trusted) == 0 {
		id.header = ""
	}
	for i, s := range c.Skip {
		if s == "" || s[0] != '/' {
			return nil, invalid(fmt.Sprintf("Skip[%d]", i), "%q does not start with /", s)
		}
	}
	if len(c.Routes) > 0 && c.Route == nil {
		return nil, invalid("Route", "must be set when Routes is (use ChiRoute or ServeMuxRoute)")
	}
	for p := range c.Routes {
		if p == "" {
			return nil, invalid("Routes", "empty route pattern")
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return id, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
