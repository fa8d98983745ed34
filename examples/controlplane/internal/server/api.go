package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/replicate"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/threat"
)

// MaxBody bounds a request body.
const MaxBody = 64 << 10

// problem types of the API's errors.
const (
	probBadRequest   = "urn:bulwark:problem:bad-request"
	probUnauthorized = "urn:bulwark:problem:unauthorized"
	probForbidden    = "urn:bulwark:problem:forbidden"
	probNotFound     = "urn:bulwark:problem:not-found"
	probTooLarge     = "urn:bulwark:problem:too-large"
	probUnavailable  = "urn:bulwark:problem:unavailable"
	probInternal     = "urn:bulwark:problem:internal"
	probConflict     = "urn:bulwark:problem:conflict"
	probBudgetSpent  = "urn:bulwark:problem:privacy-budget-spent"
)

type apiError struct {
	status int
	typ    string
	detail string
}

func (e *apiError) Error() string { return e.detail }

func bad(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, probBadRequest, fmt.Sprintf(format, args...)}
}

func writeProblem(w http.ResponseWriter, status int, typ, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": typ, "title": http.StatusText(status), "status": status, "detail": detail})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		writeProblem(w, ae.status, ae.typ, ae.detail)
	case errors.As(err, &mbe):
		writeProblem(w, http.StatusRequestEntityTooLarge, probTooLarge, fmt.Sprintf("body over %d bytes", MaxBody))
	case errors.Is(err, history.ErrNotFound):
		writeProblem(w, http.StatusNotFound, probNotFound, "not found")
	case errors.Is(err, history.ErrInvalid), errors.Is(err, decision.ErrInvalid), errors.Is(err, event.ErrBadID):
		writeProblem(w, http.StatusBadRequest, probBadRequest, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		writeProblem(w, http.StatusServiceUnavailable, probUnavailable, "the store did not answer in time")
	default:
		s.cfg.Logger.Error("controlplane: api", "path", r.URL.Path, "err", err)
		writeProblem(w, http.StatusInternalServerError, probInternal, "internal error")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads one JSON object of at most MaxBody bytes, refusing unknown
// fields and trailing data.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apiError{http.StatusUnsupportedMediaType, probBadRequest, "want Content-Type application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return err
	}
	return DecodeStrict(body, v)
}

// DecodeStrict decodes one JSON value from body into v, refusing unknown
// fields and trailing data.
func DecodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bad("body: %v", err)
	}
	if dec.More() {
		return bad("body: trailing data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("body: trailing data after the JSON object")
	}
	return nil
}

type ctxClaims struct{}

func claimsOf(r *http.Request) *Claims { c, _ := r.Context().Value(ctxClaims{}).(*Claims); return c }

// authenticate checks the token of every API call.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, fromCookie := tokenFrom(r)
		if tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulwark"`)
			writeProblem(w, http.StatusUnauthorized, probUnauthorized, "a bearer token is required")
			return
		}
		c, err := parseToken(s.key, tok, s.cfg.Now)
		if err != nil {
			s.cfg.Logger.Info("controlplane: token refused", "err", err, "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulwark", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, probUnauthorized, "invalid or expired token")
			return
		}
		if fromCookie && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get(csrfHeader) == "" {
			writeProblem(w, http.StatusForbidden, probForbidden, "a cookie-authenticated change needs the "+csrfHeader+" header")
			return
		}
		if c.Tenant != "" && c.Tenant != s.cfg.Tenant {
			writeProblem(w, http.StatusForbidden, probForbidden, "token for another tenant")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxClaims{}, c)))
	})
}

// need answers 403 unless the token has scope.
func need(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c := claimsOf(r); c == nil || !c.Has(scope) {
			writeProblem(w, http.StatusForbidden, probForbidden, "the token lacks scope "+scope)
			return
		}
		h(w, r)
	}
}

func (s *Server) routes() (http.Handler, error) {
	r := chi.NewRouter()
	guard, err := standard.New(standard.Config{
		Guard: bulwark.Config{Routes: map[string]bulwark.Route{
			// a model artefact may be megabytes of JSON: still inspected,
			// up to what the object store takes
			"/api/v1/models": {Limits: threat.Limits{MaxBody: artefact.MaxPayload, MaxParams: 1 << 20}},
		}},
		Limiter: ratestandard.Config{Limiter: ratelimit.Config{Rate: s.cfg.APIRate}},
	})
	if err != nil {
		return nil, fmt.Errorf("controlplane: the API's guard (API_RATE): %w", err)
	}
	mw, err := middleware.New(guard, middleware.Config{Pattern: chiroute.Before(r), PatternAfter: chiroute.After, Skip: []string{"/healthz"}})
	if err != nil {
		_ = guard.Close()
		return nil, err
	}
	s.apiGuard = guard
	r.Use(mw.Handler) // the API sits behind bulwark itself
	r.Use(securityHeaders)
	r.Get("/healthz", s.healthz)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/dashboard", http.StatusFound) })
	r.Get("/login", s.loginPage)
	r.Post("/login", s.login)
	r.Post("/logout", s.logout)
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/dashboard", need(ScopeRead, s.dashboard))
		r.Route("/api/v1", func(r chi.Router) {
			r.Get("/series", need(ScopeRead, s.apiSeries))
			r.Get("/forecast", need(ScopeRead, s.apiForecast))
			r.Get("/anomalies", need(ScopeRead, s.apiAnomalies))
			r.Get("/alarms", need(ScopeRead, s.apiAlarms))
			r.Get("/correlation", need(ScopeRead, s.apiCorrelation))
			r.Get("/suggestions", need(ScopeRead, s.apiSuggestions))
			r.Get("/playbooks", need(ScopeRead, s.apiPlaybooks))
			r.Get("/drift", need(ScopeRead, s.apiDrift))
			r.Get("/models", need(ScopeRead, s.apiModels))
			r.Post("/models", need(ScopeAdmin, s.apiPublishModel))
			r.Post("/models/{kind}/promote", need(ScopeAdmin, s.apiPromote))
			r.Post("/models/{kind}/rollback", need(ScopeAdmin, s.apiRollback))
			r.Post("/models/{kind}/retrain", need(ScopeAdmin, s.apiRetrain))
			r.Get("/models/{kind}/reports", need(ScopeRead, s.apiReports))
			r.Get("/models/{kind}/compare", need(ScopeRead, s.apiCompare))
			r.Get("/models/{kind}/reports/{sha256}", need(ScopeRead, s.apiReport))
			r.Get("/export/threats", need(ScopeAdmin, s.apiExportThreats))
			r.Get("/export/budget", need(ScopeAdmin, s.apiPrivacyBudget))
			r.Get("/export/incidents", need(ScopeAdmin, s.apiExportIncidents))
			r.Post("/suggestions/{id}/accept", need(ScopeDecisions, s.apiAccept))
			r.Get("/top/routes", need(ScopeRead, s.apiTopRoutes))
			r.Get("/top/clients", need(ScopeRead, s.apiTopClients))
			r.Get("/clients/{pseudonym}/timeline", need(ScopeRead, s.apiTimeline))
			r.Delete("/clients/{pseudonym}", need(ScopeAdmin, s.apiErase))
			r.Get("/incidents", need(ScopeRead, s.apiIncidents))
			r.Get("/events/{id}", need(ScopeRead, s.apiEvent))
			r.Post("/events/{id}/label", need(ScopeDecisions, s.apiLabel))
			r.Get("/decisions", need(ScopeRead, s.apiDecisions))
			r.Post("/decisions", need(ScopeDecisions, s.apiDecide))
			r.Delete("/decisions/{key}", need(ScopeDecisions, s.apiRemove))
			r.Post("/allowlist", need(ScopeDecisions, s.apiAllow))
			r.Delete("/allowlist/{key}", need(ScopeDecisions, s.apiRemove))
			r.Get("/instances", need(ScopeRead, s.apiInstances))
			r.Get("/regions", need(ScopeRead, s.apiRegions))
			r.Get("/audit", need(ScopeAdmin, s.apiAudit))
			r.Get("/audit/verify", need(ScopeAdmin, s.apiVerify))
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, probNotFound, "no such resource")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusMethodNotAllowed, probBadRequest, "method not allowed")
	})
	return r, nil
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	st := s.ingest.stats()
	body := map[string]any{"version": Version, "nats": s.nc.IsConnected(), "store": s.Store.Ping(ctx) == nil, "ingest_healthy": st.Healthy || st.Messages == 0}
	status := http.StatusOK
	if !body["nats"].(bool) || !body["store"].(bool) {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, body)
}

// window is a dashboard range: [From, To) in Step buckets.
type window struct {
	Name     string
	From, To time.Time
	Step     time.Duration
}

// Ranges are the ranges the dashboard offers.
var Ranges = []string{"1h", "24h", "7d"}

func rangeWindow(name string, now time.Time) (window, error) {
	now = now.UTC()
	switch name {
	case "", "1h":
		to := now.Truncate(time.Minute).Add(time.Minute)
		return window{"1h", to.Add(-time.Hour), to, time.Minute}, nil
	case "24h":
		to := now.Truncate(time.Hour).Add(time.Hour)
		return window{"24h", to.Add(-24 * time.Hour), to, 15 * time.Minute}, nil
	case "7d":
		to := now.Truncate(time.Hour).Add(time.Hour)
		return window{"7d", to.Add(-7 * 24 * time.Hour), to, time.Hour}, nil
	}
	return window{}, bad("range %q: want 1h, 24h or 7d", name)
}

// clientWindow widens w to whole days for 7 days, so that the daily
// client table answers.
func clientWindow(w window) window {
	if w.Name == "7d" {
		to := w.To.Truncate(24 * time.Hour)
		if to.Before(w.To) {
			to = to.Add(24 * time.Hour)
		}
		w.From, w.To = to.Add(-7*24*time.Hour), to
	}
	return w
}

func (s *Server) window(r *http.Request) (window, error) {
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		return rangeWindow(q.Get("range"), s.cfg.Now())
	}
	from, err1 := time.Parse(time.RFC3339, q.Get("from"))
	to, err2 := time.Parse(time.RFC3339, q.Get("to"))
	if err1 != nil || err2 != nil || !to.After(from) {
		return window{}, bad("from and to: RFC 3339 times, from before to")
	}
	step := time.Minute
	if st := q.Get("step"); st != "" {
		if step, err1 = time.ParseDuration(st); err1 != nil || step < time.Minute {
			return window{}, bad("step %q: a duration of at least 1m", st)
		}
	}
	return window{"custom", from.UTC(), to.UTC(), step}, nil
}

func limitParam(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > history.MaxPage {
		return 0, bad("limit %q: want 1 to %d", s, history.MaxPage)
	}
	return n, nil
}

func (s *Server) rng(w window) history.Range {
	return history.Range{Tenant: s.cfg.Tenant, From: w.From, To: w.To}
}

func (s *Server) apiSeries(w http.ResponseWriter, r *http.Request) {
	win, err := s.window(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = history.ByOutcome
	}
	threats := r.URL.Query().Get("threats") == "true"
	pts, err := s.Store.Series(r.Context(), history.SeriesQuery{Range: s.rng(win), Step: win.Step, By: by, Threats: threats})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type point struct {
		Time  time.Time `json:"time"`
		Key   string    `json:"key"`
		Count int64     `json:"count"`
	}
	out := make([]point, 0, len(pts))
	for _, p := range pts {
		out = append(out, point{p.Time, p.Key, p.Count})
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": win.From, "to": win.To, "step": win.Step.String(), "by": by, "threats": threats, "points": out})
}

func (s *Server) apiTopRoutes(w http.ResponseWriter, r *http.Request) {
	win, err := s.window(r)
	n, err2 := limitParam(r, 10)
	if err = errors.Join(err, err2); err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.Store.TopRoutes(r.Context(), s.rng(win), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type row struct {
		Route    string `json:"route"`
		Requests int64  `json:"requests"`
		Threats  int64  `json:"threats"`
		Refused  int64  `json:"refused"`
	}
	out := []row{}
	for _, t := range rows {
		out = append(out, row{t.Route, t.Requests, t.Threats, t.Refused})
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": win.From, "to": win.To, "items": out})
}

func (s *Server) apiTopClients(w http.ResponseWriter, r *http.Request) {
	win, err := s.window(r)
	n, err2 := limitParam(r, 10)
	if err = errors.Join(err, err2); err != nil {
		s.fail(w, r, err)
		return
	}
	win = clientWindow(win)
	rows, err := s.Store.TopClients(r.Context(), s.rng(win), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, t := range rows {
		out = append(out, map[string]any{"pseudonym": t.Pseudonym, "offences": t.Offences, "refused": t.Refused,
			"max_score": t.MaxScore, "family": t.Family, "last_seen": t.LastSeen})
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": win.From, "to": win.To, "items": out})
}

func eventJSON(e *history.Event) map[string]any {
	return map[string]any{"id": e.ID.String(), "time": e.Time, "pseudonym": e.Pseudonym, "key_id": e.KeyID, "route": e.Route,
		"method": e.Method, "outcome": e.Outcome, "score": e.Score, "level": e.Level, "reasons": e.Reasons, "family": e.Family,
		"limiter": e.Limiter, "region": e.Region, "instance": e.Instance, "features": e.Features, "label": e.Label,
		"param": e.Param}
}

func validPseudonym(p string) error {
	if _, err := decision.ParseTarget("pseudonym", p); err != nil {
		return bad("pseudonym %q: lower-case hex", p)
	}
	return nil
}

func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) {
	ps := chi.URLParam(r, "pseudonym")
	win, err := s.window(r)
	n, err2 := limitParam(r, 100)
	if err = errors.Join(err, err2, validPseudonym(ps)); err != nil {
		s.fail(w, r, err)
		return
	}
	evs, next, err := s.Store.Timeline(r.Context(), s.cfg.Tenant, ps, s.rng(win), history.Page{Limit: n, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for i := range evs {
		out = append(out, eventJSON(&evs[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "next": next})
}

func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request) {
	win, err := s.window(r)
	n, err2 := limitParam(r, 50)
	if err = errors.Join(err, err2); err != nil {
		s.fail(w, r, err)
		return
	}
	ins, next, err := s.Store.Incidents(r.Context(), s.rng(win), history.Page{Limit: n, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, in := range ins {
		out = append(out, map[string]any{"pseudonym": in.Pseudonym, "hour": in.Hour, "offences": in.Offences, "refused": in.Refused,
			"max_score": in.MaxScore, "family": in.Family, "route": in.Route, "first": in.First, "last": in.Last})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "next": next})
}

// eventParam reads an event id: the bare id or the problem body's
// "urn:bulwark:event:ID".
func eventParam(r *http.Request) (event.ID, error) {
	s := strings.TrimPrefix(chi.URLParam(r, "id"), "urn:bulwark:event:")
	id, err := event.ParseID(s)
	if err != nil {
		return id, bad("event id %q: 26 characters of Crockford base32", s)
	}
	return id, nil
}

func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) {
	id, err := eventParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.Store.Event(r.Context(), s.cfg.Tenant, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, eventJSON(e))
}

// Labels an operator can give an event.
var Labels = []string{"attack", "benign", "unsure"}

// LabelRequest is the body of POST /api/v1/events/{id}/label.
type LabelRequest struct {
	Label string `json:"label"`
	// Suppress says what a "benign" label (a false positive) mutes at
	// once, on the event's route and in the parameter its top reason was
	// found in (the whole route when it has none), on every instance:
	// "family" (the default: its attack family; its top rule when the
	// family is a whole detector), "rule" (its top rule) or "none".
	Suppress string `json:"suppress,omitempty"`
	// TTL is how long the suppression holds (a Go duration up to MaxTTL);
	// default 7 days.
	TTL string `json:"ttl,omitempty"`
}

// wholeDetectors are families that name a whole detector, which a
// suppression never mutes.
var wholeDetectors = []string{"", "signature", "behavior", "anomaly", "sequence"}

func (s *Server) apiLabel(w http.ResponseWriter, r *http.Request) {
	id, err := eventParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req LabelRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !contains(Labels, req.Label) {
		s.fail(w, r, bad("label %q: want attack, benign or unsure", req.Label))
		return
	}
	if !contains([]string{"", "family", "rule", "none"}, req.Suppress) {
		s.fail(w, r, bad("suppress %q: want family, rule or none", req.Suppress))
		return
	}
	expires := s.cfg.Now().Add(7 * 24 * time.Hour)
	if req.TTL != "" {
		if expires, err = s.ttl(req.TTL, true); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	c := claimsOf(r)
	detail, _ := json.Marshal(map[string]string{"label": req.Label})
	if err := s.Store.Label(r.Context(), s.cfg.Tenant, id, req.Label, history.Audit{Tenant: s.cfg.Tenant, Actor: c.Subject,
		Action: "event.label", Target: id.String(), Detail: string(detail)}); err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"id": id.String(), "label": req.Label}
	if req.Label == "benign" && req.Suppress != "none" {
		sup, err := s.suppressFalsePositive(r, id, req.Suppress, expires)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out["suppression"] = sup
	}
	writeJSON(w, http.StatusOK, out)
}

// suppressFalsePositive mutes what scored event id on its route, on every
// instance, until expires: its family (scope "family") or its top rule.
// An event without a reason or a route suppresses nothing, and says so.
func (s *Server) suppressFalsePositive(r *http.Request, id event.ID, scope string, expires time.Time) (map[string]any, error) {
	e, err := s.Store.Event(r.Context(), s.cfg.Tenant, id)
	if err != nil {
		return nil, err
	}
	rule := e.Family
	if scope == "rule" || contains(wholeDetectors, rule) {
		rule = ""
		if len(e.Reasons) > 0 {
			rule = e.Reasons[0]
		}
	}
	if rule == "" || e.Route == "" || strings.ContainsAny(rule+e.Route, " ") {
		return map[string]any{"none": "the event has no reason or no route pattern to scope a suppression by"}, nil
	}
	// the parameter the reason was found in narrows it further; one the
	// target cannot spell (a space, a control byte) leaves the whole route
	param := e.Param
	if strings.ContainsFunc(param, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		param = ""
	}
	t, err := decision.SuppressionTarget(decision.Suppression{Rule: rule, Route: e.Route, Param: param})
	if err != nil {
		return nil, bad("suppression of %q on %q: %v", rule, e.Route, err)
	}
	v, err := s.writeDecision(r.Context(), claimsOf(r).Subject, "suppression.add", decision.Value{Target: t, Action: decision.Suppress,
		Reason: "false positive: event " + id.String(), Expires: expires})
	if err != nil {
		return nil, err
	}
	return map[string]any{"key": v.Key(), "rule": rule, "route": e.Route, "param": param, "expires": v.Expires}, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) apiErase(w http.ResponseWriter, r *http.Request) {
	ps := chi.URLParam(r, "pseudonym")
	if err := validPseudonym(ps); err != nil {
		s.fail(w, r, err)
		return
	}
	c := claimsOf(r)
	n, err := s.Store.Erase(r.Context(), s.cfg.Tenant, ps, history.Audit{Tenant: s.cfg.Tenant, Actor: c.Subject,
		Action: "client.erase", Target: "pseudonym:" + ps, Detail: `{"tiers":"warm, then cold"}`})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cold, err := s.cold.erase(ps)
	if err != nil {
		s.fail(w, r, fmt.Errorf("warm tier erased (%d events); cold tier: %w", n, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"pseudonym": ps, "warm_events": n, "cold_events": cold})
}

func decisionJSON(d history.Decision, now time.Time) map[string]any {
	var v decision.Value
	_ = json.Unmarshal(d.Value, &v)
	m := map[string]any{"key": d.Key, "target": v.Target, "action": v.Action, "reason": v.Reason, "actor": v.Actor,
		"origin": v.Origin, "stamp": v.Stamp, "tombstone": v.Tombstone, "published": d.Published,
		"active": v.Active(now), "pending": v.Pending(now)} // pending: in force now or later
	if !v.Starts.IsZero() {
		m["starts"] = v.Starts
	}
	if !v.Expires.IsZero() {
		m["expires"] = v.Expires
	}
	if v.Action == decision.Throttle {
		m["factor"] = v.Factor
	}
	return m
}

func (s *Server) apiDecisions(w http.ResponseWriter, r *http.Request) {
	ds, err := s.Store.Decisions(r.Context(), s.cfg.Tenant, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all := r.URL.Query().Get("all") == "true"
	now := s.cfg.Now()
	out := []map[string]any{}
	for _, d := range ds {
		m := decisionJSON(d, now)
		if all || m["pending"].(bool) {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// TargetJSON names what a decision applies to.
type TargetJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// DecideRequest is the body of POST /api/v1/decisions.
type DecideRequest struct {
	Target TargetJSON `json:"target"`
	Action string     `json:"action"` // ban or throttle
	TTL    string     `json:"ttl"`    // Go duration, 1s to MaxTTL
	Reason string     `json:"reason"`
	Factor float64    `json:"factor,omitempty"` // throttle: (0,1)
}

// AllowRequest is the body of POST /api/v1/allowlist.
type AllowRequest struct {
	Target TargetJSON `json:"target"`
	TTL    string     `json:"ttl,omitempty"` // empty: until removed
	Reason string     `json:"reason"`
}

func (s *Server) ttl(v string, required bool) (time.Time, error) {
	if v == "" && !required {
		return time.Time{}, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d > s.cfg.MaxTTL {
		return time.Time{}, bad("ttl %q: a duration from 1s to %v", v, s.cfg.MaxTTL)
	}
	return s.cfg.Now().Add(d).UTC(), nil
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) {
	var req DecideRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := decision.ParseTarget(req.Target.Type, req.Target.Value)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	exp, err := s.ttl(req.TTL, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := decision.Value{Target: t, Action: decision.Action(req.Action), Reason: req.Reason, Factor: req.Factor, Expires: exp}
	if v.Action != decision.Ban && v.Action != decision.Throttle {
		s.fail(w, r, bad("action %q: want ban or throttle (allow-list entries go to /api/v1/allowlist)", req.Action))
		return
	}
	out, err := s.writeDecision(r.Context(), claimsOf(r).Subject, "decision."+req.Action, v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerDecision(w, r, http.StatusCreated, map[string]any{"key": out.Key(), "target": out.Target, "action": out.Action, "expires": out.Expires, "stamp": out.Stamp}, out)
}

func (s *Server) apiAllow(w http.ResponseWriter, r *http.Request) {
	var req AllowRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := decision.ParseTarget(req.Target.Type, req.Target.Value)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p, ok := t.Prefix(); ok {
		minBits := s.cfg.MinAllowBits4
		if p.Addr().Is6() {
			minBits = s.cfg.MinAllowBits6
		}
		if p.Bits() < minBits {
			s.fail(w, r, bad("allow-list range /%d is wider than the widest allowed (/%d)", p.Bits(), minBits))
			return
		}
	}
	exp, err := s.ttl(req.TTL, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.writeDecision(r.Context(), claimsOf(r).Subject, "allowlist.add",
		decision.Value{Target: t, Action: decision.Allow, Reason: req.Reason, Expires: exp})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerDecision(w, r, http.StatusCreated, map[string]any{"key": out.Key(), "target": out.Target, "action": out.Action, "stamp": out.Stamp}, out)
}

// apiRemove writes a tombstone for a decision or allow-list key.
func (s *Server) apiRemove(w http.ResponseWriter, r *http.Request) {
	key := chi.URLParam(r, "key")
	list, t, err := decision.ParseKey(key)
	if err != nil {
		s.fail(w, r, bad("key %q: not a decision key", key))
		return
	}
	allowPath := strings.Contains(r.URL.Path, "/allowlist/")
	if allowPath != (list == "allow") {
		s.fail(w, r, bad("key %q belongs to the %s list", key, list))
		return
	}
	v := decision.Value{Target: t, Action: decision.Ban, Tombstone: true}
	action := "decision.remove"
	if list == "allow" {
		v.Action, action = decision.Allow, "allowlist.remove"
	}
	exists := false
	if ds, err := s.Store.Decisions(r.Context(), s.cfg.Tenant, false); err == nil {
		for _, d := range ds {
			if d.Key == key && !d.Tombstone {
				exists = true
				var cur decision.Value
				if json.Unmarshal(d.Value, &cur) == nil {
					// the tombstone keeps what makes the value valid (a
					// throttle's factor)
					v.Action, v.Factor = cur.Action, cur.Factor
					if cur.Action == decision.Suppress {
						action = "suppression.remove"
					}
				}
			}
		}
	}
	if !exists && list == "deny" && s.regions != nil && s.regions.merged != nil {
		// made in another region: a tombstone written here, with a later
		// stamp, wins the merge in every region
		if d := s.regions.merged.Entry(t).Deny; d != nil && d.Pending(s.cfg.Now()) {
			exists, v.Action, v.Factor = true, d.Action, d.Factor
			if d.Action == decision.Suppress {
				action = "suppression.remove"
			}
		}
	}
	var rms []decision.Value
	if list == "allow" && s.regions != nil && s.regions.merged != nil {
		// an observed remove: every add of another region this region's
		// aggregate holds is removed by a remove naming it, written here
		// with the tombstone of this region's own add; an add made
		// concurrently elsewhere, not yet seen here, survives
		e := s.regions.merged.Entry(t)
		rms = replicate.Removes(s.cfg.Region, e)
		for _, a := range e.Allows {
			exists = exists || a.Origin != s.cfg.Region && a.Pending(s.cfg.Now())
		}
	}
	if !exists {
		s.fail(w, r, history.ErrNotFound)
		return
	}
	out, err := s.writeDecisions(r.Context(), claimsOf(r).Subject, action, v, rms)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerDecision(w, r, http.StatusNoContent, nil, out)
}

func (s *Server) apiInstances(w http.ResponseWriter, r *http.Request) {
	ins, err := s.Store.Instances(r.Context(), s.cfg.Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.cfg.Now()
	out := []map[string]any{}
	for _, in := range ins {
		out = append(out, map[string]any{"name": in.Name, "region": in.Region, "version": in.Version, "last_seen": in.LastSeen,
			"live": now.Sub(in.LastSeen) < 15*time.Second, "recorded": in.Recorded, "sampled": in.Sampled, "published": in.Published,
			"dropped": in.Dropped, "queued": in.Queued, "breaker": in.Breaker})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if r.URL.Query().Get("after") == "" {
		after, err = 0, nil
	}
	n, err2 := limitParam(r, 100)
	if err != nil || err2 != nil || after < 0 {
		s.fail(w, r, bad("after: a sequence number; limit: 1 to %d", history.MaxPage))
		return
	}
	rows, err := s.Store.AuditLog(r.Context(), s.cfg.Tenant, after, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, a := range rows {
		out = append(out, map[string]any{"seq": a.Seq, "time": a.Time, "actor": a.Actor, "action": a.Action, "target": a.Target,
			"detail": json.RawMessage(a.Detail), "hash": fmt.Sprintf("%x", a.Hash)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	head, err := s.Store.VerifyAudit(r.Context())
	if errors.Is(err, history.ErrTampered) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:bulwark:problem:audit-tampered", "title": "Audit log tampered",
			"status": http.StatusConflict, "detail": err.Error(), "ok": false, "error": err.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "seq": head.Seq, "hash": fmt.Sprintf("%x", head.Hash)})
}
