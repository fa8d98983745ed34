package middleware

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/ratelimit"
)

// Middleware protects an http.Handler with a bulwark Core: it identifies
// the client, asks the Core for one decision, and answers: the handler, or
// an RFC 9457 refusal. Build it with New and mount Middleware.Handler.
type Middleware struct {
	core     Core
	cfg      Config
	id       *identifier
	tel      *telemetry
	skip     map[string]struct{}
	prefixes []string
}

// New validates cfg and returns a Middleware that asks core. Errors for a
// bad Config wrap bulwark.ErrInvalidConfig and name the field.
func New(core Core, cfg Config) (*Middleware, error) {
	if isNil(core) {
		return nil, invalid("core", "nil (standard.New builds the default Guard)")
	}
	id, err := cfg.build()
	if err != nil {
		return nil, err
	}
	m := &Middleware{core: core, cfg: cfg, id: id, skip: make(map[string]struct{})}
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
	return m, nil
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

// serve identifies the client, checks the request with the Core, and
// answers.
func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	start := m.cfg.Now()
	if m.skipped(r) {
		m.tel.overheadOf(r.Context(), bulwark.Skipped, false, 0)
		next.ServeHTTP(w, r)
		return
	}
	// identify
	key, addr := m.id.key(r)
	if m.cfg.KeyFunc != nil {
		if k := m.cfg.KeyFunc(r); k != "" {
			key = k
		}
	}
	r = r.WithContext(&clientCtx{Context: r.Context(), info: clientInfo{key: key, addr: addr}})
	var pattern string
	if m.cfg.Pattern != nil {
		pattern = m.cfg.Pattern(r)
	}
	// check
	v := m.core.CheckHTTP(r, key, pattern, start)
	// answer
	if v.Outcome != bulwark.Skipped && v.Outcome != bulwark.AllowListed && v.Limit.Limit > 0 {
		setRateHeaders(w.Header(), v.Limit, start)
	}
	m.tel.overheadOf(r.Context(), v.Outcome, v.Shadow, m.cfg.Now().Sub(start))
	if v.Refused() {
		writeEventProblem(w, problemOf(&v), v.RetryAfter, m.record(&v, pattern))
		m.core.Done(&v, v.Status)
		return
	}
	sw, ww := wrap(w)
	defer release(sw, ww)
	next.ServeHTTP(ww, r)
	status := sw.Status()
	if status == 0 {
		status = http.StatusOK
	}
	if v.Route == "" && m.cfg.PatternAfter != nil {
		v.Route = m.cfg.PatternAfter(r)
	}
	m.core.Done(&v, status)
	m.record(&v, pattern)
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
