package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// Suggested limit changes (issue 16): the critical windows of the
// forecasts become proposals to pre-tighten a route before a predicted
// attack window. For each of the most attacked routes of the last week,
// the hourly threats are forecast over the horizon; the hours whose 95%
// upper bound reaches the threat threshold make a window, and the
// suggestion throttles the route (every client's rate on it times Factor)
// from an hour before the window to its end. With a capacity, the route's
// total requests are forecast too, and their windows above it suggested
// alike. An operator accepts a suggestion (API or dashboard), or the
// control plane applies them itself (Config.AutoSuggest); either way it is
// a route throttle decision, written with its audit row, that SDK
// instances enforce from its start (ratelimit.OperatorRule.Route).

const (
	suggestRoutes  = 5              // most attacked routes of the last week
	suggestLead    = time.Hour      // the throttle starts this long before the window
	minThreatLimit = 20.0           // threats an hour below which no window is suggested
	threatMultiple = 3.0            // default threshold: this many times the route's median hour
	autoActor      = "auto-suggest" // the audit actor of applied suggestions
)

// suggestParams are the knobs of a suggestion run.
type suggestParams struct {
	Horizon  int     // hours ahead, 1..72; default 24
	Threats  float64 // threats an hour; 0: per route, threatMultiple × its median hour, at least minThreatLimit
	Capacity float64 // requests an hour; 0: no capacity windows
	Factor   float64 // throttle factor in (0,1); default 0.5
}

func parseSuggestParams(r *http.Request) (suggestParams, error) {
	p := suggestParams{Horizon: 24, Factor: 0.5}
	q := r.URL.Query()
	if v := q.Get("horizon"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxHorizon {
			return p, bad("horizon %q: hours, 1 to %d", v, maxHorizon)
		}
		p.Horizon = n
	}
	num := func(name string, dst *float64, lo, hi float64) error {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > lo && f < hi) {
			return bad("%s %q: a number in (%g, %g)", name, v, lo, hi)
		}
		*dst = f
		return nil
	}
	if err := num("threats", &p.Threats, 0, 1e12); err != nil {
		return p, err
	}
	if err := num("capacity", &p.Capacity, 0, 1e12); err != nil {
		return p, err
	}
	if err := num("factor", &p.Factor, 0, 1); err != nil {
		return p, err
	}
	return p, nil
}

// suggestion is one proposed limit change.
type suggestion struct {
	ID        string    `json:"id"` // stable for the same route, kind, window and factor
	Route     string    `json:"route"`
	Kind      string    `json:"kind"` // threats or capacity
	From      time.Time `json:"window_from"`
	To        time.Time `json:"window_to"`
	Peak      float64   `json:"peak"` // the 95% upper bound at its highest
	PeakAt    time.Time `json:"peak_at"`
	Threshold float64   `json:"threshold"`
	Factor    float64   `json:"factor"`
	Starts    time.Time `json:"starts"` // of the throttle
	Expires   time.Time `json:"expires"`
	Reason    string    `json:"reason"`
	Applied   bool      `json:"applied"` // a route throttle already covers the window
	Method    string    `json:"method"`  // the forecast's
}

// median of the known values of y.
func median(y []float64) float64 {
	var v []float64
	for _, x := range y {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// suggestions returns the limit changes the forecasts of the next
// p.Horizon hours suggest at now, each marked applied when a route
// throttle decision already covers it.
func (s *Server) suggestions(ctx context.Context, now time.Time, p suggestParams) ([]suggestion, error) {
	to := now.UTC().Truncate(time.Hour)
	top, err := s.Store.TopRoutes(ctx, history.Range{Tenant: s.cfg.Tenant, From: to.Add(-7 * 24 * time.Hour), To: to}, suggestRoutes)
	if err != nil {
		return nil, err
	}
	ds, err := s.Store.Decisions(ctx, s.cfg.Tenant, false)
	if err != nil {
		return nil, err
	}
	throttles := map[string][]decision.Value{} // pending route throttles by route
	for _, d := range ds {
		v, err := decision.Unmarshal(d.Value)
		if err == nil && v.Target.Type == decision.TypeRoute && v.Pending(now) {
			throttles[v.Target.Value] = append(throttles[v.Target.Value], *v)
		}
	}
	out := []suggestion{}
	for _, tr := range top {
		kinds := []seriesKey{}
		if tr.Threats > 0 {
			kinds = append(kinds, seriesKey{By: history.ByRoute, Key: tr.Route, Threats: true})
		}
		if p.Capacity > 0 {
			kinds = append(kinds, seriesKey{By: history.ByRoute, Key: tr.Route})
		}
		for _, k := range kinds {
			kind, threshold := "capacity", p.Capacity
			if k.Threats {
				kind, threshold = "threats", p.Threats
				if threshold == 0 {
					y, err := s.hourly(ctx, k, to)
					if err != nil {
						return nil, err
					}
					threshold = math.Max(minThreatLimit, threatMultiple*median(y[len(y)-forecastShown:]))
				}
			}
			f, err := s.forecastSeries(ctx, k, now, p.Horizon, threshold)
			if err != nil {
				return nil, err
			}
			for _, w := range f.Critical {
				sg := suggestion{Route: tr.Route, Kind: kind, From: w.From, To: w.To, Peak: w.Peak, PeakAt: w.At,
					Threshold: threshold, Factor: p.Factor, Starts: w.From.Add(-suggestLead), Expires: w.To, Method: f.Method}
				if sg.Starts.Before(now) {
					sg.Starts = now.UTC().Truncate(time.Second)
				}
				sg.Reason = fmt.Sprintf("forecast %s on %s up to %.0f an hour (95%% bound) at %s, threshold %.0f",
					kind, tr.Route, w.Peak, w.At.Format("Jan 2 15:04 UTC"), threshold)
				h := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%d|%d|%g", sg.Kind, sg.Route, sg.From.Unix(), sg.To.Unix(), sg.Factor))
				sg.ID = hex.EncodeToString(h[:8])
				for _, v := range throttles[tr.Route] {
					if !v.Expires.Before(sg.Expires) && !v.Starts.After(sg.From) {
						sg.Applied = true
					}
				}
				out = append(out, sg)
			}
		}
	}
	return out, nil
}

// apply writes the route throttle of sg as actor.
func (s *Server) apply(ctx context.Context, actor string, sg suggestion) (*decision.Value, error) {
	t, err := decision.ParseTarget(string(decision.TypeRoute), sg.Route)
	if err != nil {
		return nil, err
	}
	reason := "suggested: " + sg.Reason
	if len(reason) > decision.MaxReasonLen {
		reason = reason[:decision.MaxReasonLen]
	}
	return s.writeDecision(ctx, actor, "suggestion.accept", decision.Value{Target: t, Action: decision.Throttle, Factor: sg.Factor,
		Reason: reason, Starts: sg.Starts, Expires: sg.Expires})
}

// apiSuggestions answers GET /api/v1/suggestions[?horizon=&threats=&capacity=&factor=].
func (s *Server) apiSuggestions(w http.ResponseWriter, r *http.Request) {
	p, err := parseSuggestParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	sgs, err := s.suggestions(ctx, s.cfg.Now(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"horizon": p.Horizon, "items": sgs})
}

// apiAccept answers POST /api/v1/suggestions/{id}/accept[?the same
// parameters as the listing]: the suggestion is computed again, and
// applied if it still stands (409 if the forecast no longer suggests it).
func (s *Server) apiAccept(w http.ResponseWriter, r *http.Request) {
	p, err := parseSuggestParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	sgs, err := s.suggestions(ctx, s.cfg.Now(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(sgs, func(sg suggestion) bool { return sg.ID == id })
	if i < 0 {
		writeProblem(w, http.StatusConflict, probConflict, "no such suggestion now: the forecast changed, or the id is wrong; list them again")
		return
	}
	v, err := s.apply(ctx, claimsOf(r).Subject, sgs[i])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": v.Key(), "target": v.Target, "action": v.Action, "factor": v.Factor,
		"starts": v.Starts, "expires": v.Expires, "stamp": v.Stamp})
}

// autoSuggest applies the default suggestions every interval, when
// Config.AutoSuggest is set: each new one is a decision by autoActor, in
// the audit log like an operator's.
func (s *Server) autoSuggest(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		sgs, err := s.suggestions(sctx, s.cfg.Now(), suggestParams{Horizon: 24, Factor: 0.5})
		for _, sg := range sgs {
			if err != nil || sg.Applied {
				continue
			}
			if _, err := s.apply(sctx, autoActor, sg); err != nil {
				s.cfg.Logger.Warn("controlplane: applying a suggestion", "route", sg.Route, "err", err)
			} else {
				s.cfg.Logger.Info("controlplane: applied a suggested limit change", "route", sg.Route, "starts", sg.Starts, "expires", sg.Expires)
			}
		}
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("controlplane: suggestions", "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
