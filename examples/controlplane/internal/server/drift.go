package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/internal/drift"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// The drift watch (issue 15): per route, the threat scores of the events
// the instances send are compared, one hour at a time, with the route's
// baseline, the scores of the hours before (internal/drift: PSI ≥ 0.25
// and a two-sample KS p < 0.01, with at least 100 scores a side). A
// route whose scores moved has changed traffic, a changed application, or
// a model that no longer fits it. Each drift is an incident, raised as an
// anomaly alarm is: logged at Warn, written to the audit log (action
// "drift.detected", target "route:<route>", PSI, KS, p and both sides'
// sizes and bin shares in its detail) and sent to Config.Alerts; GET
// /api/v1/drift lists each route's state and the latest incidents. With
// Config.RetrainOnDrift it also asks for a retrain (retrain.go).
//
// It reads the event stream as it is committed, so it needs no query of
// the store, and keeps for each route a uniform sample of the hour's
// scores and of the baseline (Vitter's algorithm R, driftSample each). An
// hour is compared when the first event of a later hour arrives for its
// route (an hour with no later traffic is never compared: nothing moved
// that anyone sends). A route raises at most one incident a day: a lasting
// shift folds into the baseline meanwhile. The baseline lives in memory:
// a restart learns it again, and compares nothing until it holds
// driftBaseline scores. Instances sample benign events (SAMPLE_RATE) and
// send every scored one: both sides are sampled alike, so the comparison
// holds, as long as the sample rate does not change. With several ingest
// workers (IngestWorkers), batches may commit out of order; an event of an
// hour already compared then counts in the baseline.
const (
	driftSample   = 4096 // scores kept an hour and in the baseline, per route
	driftBaseline = 500  // scores seen in earlier hours before a route is compared
	driftRoutes   = 500  // routes watched at most; later routes are not
	driftCooldown = 24 * time.Hour
	driftKept     = 100 // incidents kept for the API
)

// driftIncident is one drift the watch raised.
type driftIncident struct {
	Route    string    `json:"route"`
	Hour     time.Time `json:"hour"`
	PSI      float64   `json:"psi"`
	KS       float64   `json:"ks"`
	P        float64   `json:"p"`
	Baseline int       `json:"baseline_n"`
	Current  int       `json:"current_n"`
	// BaselineShares and CurrentShares are each side's share of scores
	// per bin of 0.1.
	BaselineShares []float64 `json:"baseline_shares"`
	CurrentShares  []float64 `json:"current_shares"`
}

type routeDrift struct {
	hour         time.Time
	cur, base    []float64
	curN, baseN  int64
	last         time.Time // the hour of the last incident
	lastPSI      float64
	lastCompared time.Time
}

type driftWatch struct {
	mu      sync.Mutex
	routes  map[string]*routeDrift
	raised  []driftIncident
	dropped int // incidents not handed to the raiser (its queue was full)
	out     chan driftIncident
}

func newDriftWatch() *driftWatch {
	return &driftWatch{routes: map[string]*routeDrift{}, out: make(chan driftIncident, 64)}
}

// sample adds x to a reservoir of n items seen so far (n counts x).
func sample(r []float64, n int64, x float64) []float64 {
	if len(r) < driftSample {
		return append(r, x)
	}
	if j := rand.Int64N(n); j < driftSample {
		r[j] = x
	}
	return r
}

// observe takes the events of committed batches. It never blocks: the
// incidents go to raise through a bounded queue.
func (w *driftWatch) observe(batches []*event.Batch, _ time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range batches {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Route == "" {
				continue
			}
			rd := w.routes[e.Route]
			if rd == nil {
				if len(w.routes) >= driftRoutes {
					continue
				}
				rd = &routeDrift{}
				w.routes[e.Route] = rd
			}
			h := e.Time.UTC().Truncate(time.Hour)
			switch {
			case rd.hour.IsZero():
				rd.hour = h
			case h.After(rd.hour):
				w.close(e.Route, rd)
				rd.hour = h
			case h.Before(rd.hour):
				// late, from an hour already compared: baseline
				rd.baseN++
				rd.base = sample(rd.base, rd.baseN, e.Score)
				continue
			}
			rd.curN++
			rd.cur = sample(rd.cur, rd.curN, e.Score)
		}
	}
}

// close compares rd's hour with its baseline, then folds the hour into it.
func (w *driftWatch) close(route string, rd *routeDrift) {
	if rd.baseN >= driftBaseline {
		if r, err := drift.Compare(rd.base, rd.cur); err == nil {
			rd.lastPSI, rd.lastCompared = r.PSI, rd.hour
			if r.Drift && (rd.last.IsZero() || rd.hour.Sub(rd.last) >= driftCooldown) {
				rd.last = rd.hour
				in := driftIncident{Route: route, Hour: rd.hour, PSI: r.PSI, KS: r.KS, P: r.P, Baseline: r.N, Current: r.M,
					BaselineShares: r.Baseline[:], CurrentShares: r.Current[:]}
				w.raised = append(w.raised, in)
				if len(w.raised) > driftKept {
					w.raised = w.raised[len(w.raised)-driftKept:]
				}
				select {
				case w.out <- in:
				default:
					w.dropped++
				}
			}
		}
	}
	// the hour's sample stands for its curN scores in the baseline: each
	// kept score is fed as one, so a busy hour weighs at most driftSample
	for _, x := range rd.cur {
		rd.baseN++
		rd.base = sample(rd.base, rd.baseN, x)
	}
	rd.cur, rd.curN = rd.cur[:0], 0
}

// raiseDrift logs, audits and alerts the drift incidents as they come.
func (s *Server) raiseDrift(ctx context.Context) {
	for {
		var in driftIncident
		select {
		case <-ctx.Done():
			return
		case in = <-s.drift.out:
		}
		s.incident(ctx, "drift.detected", "route:"+in.Route, in,
			incidentAlert(s.cfg.Tenant, "drift", in.Route, in.Hour, map[string]string{alerting.LabelRoute: in.Route},
				fmt.Sprintf("drift: threat scores on %s in the hour from %s UTC moved from their baseline (PSI %.2f, KS %.2f, p %.2g; %d against %d scores)",
					in.Route, in.Hour.Format("Jan 2 15:04"), in.PSI, in.KS, in.P, in.Current, in.Baseline)))
		s.retrainOnDrift(in.Route)
	}
}

// apiDrift answers GET /api/v1/drift: each watched route's state and the
// latest incidents, newest first.
func (s *Server) apiDrift(w http.ResponseWriter, r *http.Request) {
	d := s.drift
	d.mu.Lock()
	routes := make([]map[string]any, 0, len(d.routes))
	for name, rd := range d.routes {
		row := map[string]any{"route": name, "hour": rd.hour, "current_n": rd.curN, "baseline_n": rd.baseN,
			"compared": rd.baseN >= driftBaseline}
		if !rd.lastCompared.IsZero() {
			row["last_compared"], row["last_psi"] = rd.lastCompared, rd.lastPSI
		}
		routes = append(routes, row)
	}
	incidents := slices.Clone(d.raised)
	dropped := d.dropped
	d.mu.Unlock()
	slices.SortFunc(routes, func(a, b map[string]any) int {
		if a["route"].(string) < b["route"].(string) {
			return -1
		}
		return 1
	})
	slices.Reverse(incidents)
	writeJSON(w, http.StatusOK, map[string]any{"routes": routes, "incidents": incidents, "dropped": dropped,
		"psi_threshold": drift.PSIThreshold, "ks_alpha": drift.KSAlpha, "min_samples": drift.MinSamples, "min_baseline": driftBaseline})
}
