package middleware

import (
	"fmt"
	"hash/maphash"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark"
)

// Core is what the middleware needs of bulwark's decision core (a
// *bulwark.Guard): one decision a request, and the response status back.
type Core interface {
	CheckHTTP(r *http.Request, client, pattern string, now time.Time) bulwark.Verdict
	Done(v *bulwark.Verdict, status int)
}

var _ Core = (*bulwark.Guard)(nil)

// Config configures the middleware: how it identifies the client and the
// route of a request. What it decides is the Core's (bulwark.Config:
// strictness, mode, per-route policies). The zero value identifies the
// client by its TCP peer, IPv6 clients aggregated to /64.
type Config struct {
	// TrustedProxies lists the CIDRs ("10.0.0.0/8", "::1/128") of reverse
	// proxies whose forwarding header is believed. Default: none, the TCP
	// peer is the client and every forwarding header is ignored.
	TrustedProxies []string
	// ClientIPHeader is the one header read when the peer is a trusted proxy:
	// "X-Forwarded-For" (default), "Forwarded" (RFC 7239) or "X-Real-IP".
	// Name the header your proxy sets; the others are ignored.
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

	// Pattern returns the route pattern of a request before the handler
	// runs (ServeMuxPattern; chiroute.Before for chi): the key of the
	// Core's per-route policies (bulwark.Config.Routes). Default: none.
	Pattern func(r *http.Request) string
	// PatternAfter, when set, names the route of a request whose pattern
	// Pattern did not know, once the handler has run, for the feedback
	// (chiroute.After).
	PatternAfter func(r *http.Request) string

	// Events receives one event of every request the Core answered (see
	// Events), usually a *fleet.Exporter. Default: nil, none recorded.
	Events Events

	// MeterProvider receives the middleware's overhead histogram (the
	// Core counts the requests). Default: otel.GetMeterProvider().
	MeterProvider metric.MeterProvider

	// Now is the clock. Default: time.Now. It is read once as a request
	// arrives, and that reading is the request's time for the Core (whose
	// methods take the time, as every clock-dependent method of the module
	// does); once more for the overhead histogram. It is a field, not an
	// argument, because an http.Handler cannot take a time: tests and
	// benchmarks set it to a simulated clock.
	Now func() time.Time
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: middleware.Config.%s: %s", bulwark.ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}

// build validates c and fills in the defaults it can without side effects.
func (c *Config) build() (*identifier, error) {
	if isNil(c.Events) {
		c.Events = nil
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
	case "", headerXForwardedFor:
		id.header = headerXForwardedFor
	case headerForwarded, headerXRealIP:
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
