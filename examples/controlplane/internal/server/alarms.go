package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/series"
	"github.com/bulwarkhq/bulwark/threat"
)

// The anomaly watch (issue 16): the online detector (internal/series) runs
// over the fleet's hourly series as each hour closes: the total, each
// route, each attack family (its threats) and each outcome, one detector a
// series, fed every hour once and in order, so that an hour is scored only
// against the hours before it. An hour is read Config.AnomalyDelay after
// it closes, when the reports of its last minutes have arrived. Each alarm
// is an incident, raised the way a stalled region is: logged at Warn,
// written to the audit log (action "anomaly.spike", "anomaly.dip",
// "anomaly.level-up" or "anomaly.level-down", target "series:<series>",
// the hour, value, expected value and score in its detail), and sent to
// Config.Alerts when set. GET /api/v1/alarms and the dashboard list the
// latest.
//
// The hour reached and the latest alarms are kept in
// DataDir/anomalies.json, so a restart raises nothing twice. On start the
// detectors relearn the twelve weeks before that hour; hours missed while
// the control plane was down are observed (and raise alarms) up to a day
// back, older ones only learnt. A first start treats the last day as
// missed, and waits for the first complete hour of history.

const (
	watchMaxSeries = 500 // detectors at most; later series are not watched
	watchCatchUp   = 24  // hours observed live after a start
	watchKept      = 200 // alarms kept for the API
	alarmActor     = "controlplane"
)

// raisedAlarm is an alarm the watch raised.
type raisedAlarm struct {
	Series   string    `json:"series"` // "total", "route=/login", "family=sqli", "outcome=banned"
	Hour     time.Time `json:"hour"`
	Value    float64   `json:"value"`
	Expected float64   `json:"expected"`
	Score    float64   `json:"score"`
	Kind     string    `json:"kind"` // spike, dip, level up, level down
	Raised   time.Time `json:"raised"`
}

// watchState is what anomalies.json holds.
type watchState struct {
	Through time.Time     `json:"through"` // hours before this were observed
	Raised  []raisedAlarm `json:"raised"`  // oldest first
}

type anomalyWatch struct {
	s    *Server
	path string

	// owned by the goroutine of run
	dets map[seriesKey]*series.Detector
	warm bool // the detectors learnt the history before state.Through

	mu    sync.Mutex
	state watchState
}

func newAnomalyWatch(s *Server) (*anomalyWatch, error) {
	w := &anomalyWatch{s: s, path: filepath.Join(s.cfg.DataDir, "anomalies.json"), dets: map[seriesKey]*series.Detector{}}
	if err := loadState(w.path, "anomaly watch", &w.state); err != nil {
		return nil, err
	}
	return w, nil
}

// loadState reads the JSON state file path into v; a missing file leaves
// v as it is. what names the owner in errors.
func loadState(path, what string, v any) error {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %s: %w", what, path, err)
	}
	return nil
}

// saveState writes v as JSON to path, whole or not at all (a temporary
// file renamed into place).
func saveState(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// step observes the hours closed (and AnomalyDelay old) since the last.
func (w *anomalyWatch) step(ctx context.Context, now time.Time) error {
	end := now.Add(-w.s.cfg.AnomalyDelay).UTC().Truncate(time.Hour)
	w.mu.Lock()
	through := w.state.Through
	w.mu.Unlock()
	if !w.warm {
		start := end.Add(-watchCatchUp * time.Hour)
		if through.After(end) {
			start = end
		} else if through.After(start) {
			start = through
		}
		from := start.Add(-forecastHistory * time.Hour)
		vals, err := w.load(ctx, from, end)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(vals, func(m map[seriesKey]float64) bool { return len(m) > 0 }) {
			return nil // no complete hour of history yet: start from the first
		}
		if !through.IsZero() && through.Before(start) {
			w.s.cfg.Logger.Warn("controlplane: anomaly watch: hours missed while down are learnt, not alarmed", "from", through, "to", start)
		}
		k := int(start.Sub(from) / time.Hour)
		w.feed(ctx, from, vals[:k], false)
		w.feed(ctx, start, vals[k:], true)
		w.warm = true
		return nil
	}
	if !through.Before(end) {
		return nil
	}
	vals, err := w.load(ctx, through, end)
	if err != nil {
		return err
	}
	w.feed(ctx, through, vals, true)
	return nil
}

// load reads the hourly values of every watched series in [from, to), one
// map an hour, from one snapshot of the hourly aggregates (one query), so
// that an hour's total, outcomes, routes and families add up.
func (w *anomalyWatch) load(ctx context.Context, from, to time.Time) ([]map[seriesKey]float64, error) {
	n := max(0, int(to.Sub(from)/time.Hour))
	vals := make([]map[seriesKey]float64, n)
	if n == 0 {
		return vals, nil
	}
	cells, err := w.s.Store.Cells(ctx, history.Range{Tenant: w.s.cfg.Tenant, From: from, To: to})
	if err != nil {
		return nil, err
	}
	for _, c := range cells {
		i := int(c.Hour.Sub(from) / time.Hour)
		if i < 0 || i >= n {
			continue
		}
		if vals[i] == nil {
			vals[i] = map[seriesKey]float64{}
		}
		m, v := vals[i], float64(c.Count)
		m[seriesKey{}] += v
		if c.Outcome != "" {
			m[seriesKey{By: history.ByOutcome, Key: c.Outcome}] += v
		}
		if c.Route != "" {
			m[seriesKey{By: history.ByRoute, Key: c.Route}] += v
		}
		if c.Family != "" && c.Level != "none" { // a family's threats
			m[seriesKey{By: history.ByFamily, Key: c.Family}] += v
		}
	}
	return vals, nil
}

// feed feeds the detectors vals, the hours from from on. Live, it raises
// their alarms and records each hour as observed.
func (w *anomalyWatch) feed(ctx context.Context, from time.Time, vals []map[seriesKey]float64, live bool) {
	for i := range vals {
		at := from.Add(time.Duration(i) * time.Hour)
		// every series seen so far (an hour without a count is no
		// traffic) and the ones that begin in this hour
		keys := make([]seriesKey, 0, len(w.dets)+len(vals[i]))
		for k := range w.dets {
			keys = append(keys, k)
		}
		for k := range vals[i] {
			if w.dets[k] == nil {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b seriesKey) int { return cmp.Or(cmp.Compare(a.By, b.By), cmp.Compare(a.Key, b.Key)) })
		var alarms []raisedAlarm
		for _, k := range keys {
			d := w.dets[k]
			if d == nil {
				if len(w.dets) >= watchMaxSeries {
					continue
				}
				d, _ = series.New(series.Config{}) // the zero Config is valid
				w.dets[k] = d
			}
			if r := d.Observe(at, vals[i][k]); r.Alarm && live {
				alarms = append(alarms, raisedAlarm{Series: k.String(), Hour: at, Value: r.Value, Expected: r.Expected, Score: r.Score, Kind: r.Kind.String()})
			}
		}
		if live {
			w.raise(ctx, at.Add(time.Hour), alarms)
		}
	}
}

// raise raises the alarms of the hours before through, and records
// through.
func (w *anomalyWatch) raise(ctx context.Context, through time.Time, alarms []raisedAlarm) {
	now := w.s.cfg.Now().UTC()
	for i := range alarms {
		a := &alarms[i]
		a.Raised = now
		w.s.incident(ctx, "anomaly."+strings.ReplaceAll(a.Kind, " ", "-"), "series:"+a.Series,
			map[string]any{"hour": a.Hour, "value": a.Value, "expected": jsonFloat64(a.Expected), "score": a.Score, "kind": a.Kind},
			incidentAlert(w.s.cfg.Tenant, "anomaly", a.Series, a.Hour, map[string]string{"series": a.Series, "kind": a.Kind},
				fmt.Sprintf("anomaly: %s, %s in the hour from %s UTC: %.0f requests where %.0f were expected (score %.2f)",
					a.Series, a.Kind, a.Hour.Format("Jan 2 15:04"), a.Value, a.Expected, a.Score)))
	}
	w.mu.Lock()
	w.state.Through = through
	w.state.Raised = append(w.state.Raised, alarms...)
	if k := len(w.state.Raised) - watchKept; k > 0 {
		w.state.Raised = slices.Delete(w.state.Raised, 0, k)
	}
	err := w.save()
	w.mu.Unlock()
	if err != nil {
		w.s.cfg.Logger.Warn("controlplane: anomaly watch: saving its state", "err", err)
	}
}

// save writes the state. Caller holds mu.
func (w *anomalyWatch) save() error { return saveState(w.path, w.state) }

// incident raises one control-plane incident (an anomaly alarm, a drift):
// a Warn log line, an audit row (actor "controlplane", action, target,
// detail as JSON) and, when Config.Alerts is set, the alert. What fails is
// logged; nothing is retried.
func (s *Server) incident(ctx context.Context, action, target string, detail any, alert alerting.Alert) {
	s.cfg.Logger.Warn("controlplane: incident: "+action, "target", target, "summary", alert.Summary)
	b, _ := json.Marshal(detail)
	if err := s.Store.Record(ctx, history.Audit{Tenant: s.cfg.Tenant, Actor: alarmActor, Action: action,
		Target: target, Detail: string(b)}); err != nil && ctx.Err() == nil {
		s.cfg.Logger.Warn("controlplane: auditing an incident", "action", action, "target", target, "err", err)
	}
	if s.cfg.Alerts != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := s.cfg.Alerts.Send(sctx, alert); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("controlplane: sending an incident alert", "action", action, "target", target, "err", err)
		}
		cancel()
	}
}

// incidentAlert is an incident of kind ("anomaly", "drift") about key in
// the hour from hour as an alert: one notification, fingerprinted by the
// tenant, the kind, the key and the hour.
func incidentAlert(tenant, kind, key string, hour time.Time, labels map[string]string, summary string) alerting.Alert {
	h := sha256.Sum256([]byte(tenant + "\x00" + kind + "\x00" + key + "\x00" + hour.Format(time.RFC3339)))
	l := map[string]string{"alert": kind, "tenant": tenant}
	for k, v := range labels {
		l[k] = v
	}
	return alerting.Alert{Fingerprint: hex.EncodeToString(h[:8]), Labels: l,
		Level: threat.LevelMedium, Priority: 50, Sequence: 1, Trigger: "new", Count: 1,
		FirstSeen: hour, LastSeen: hour.Add(time.Hour), Summary: summary}
}

// raised returns the latest alarms, newest first, and the hour reached.
func (w *anomalyWatch) raised() ([]raisedAlarm, time.Time) {
	if w == nil {
		return nil, time.Time{}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.state.Raised)
	slices.Reverse(out)
	return out, w.state.Through
}

// apiAlarms answers GET /api/v1/alarms: the alarms the watch raised,
// newest first, and the hour its observation reached.
func (s *Server) apiAlarms(w http.ResponseWriter, _ *http.Request) {
	items, through := s.watch.raised()
	if items == nil {
		items = []raisedAlarm{}
	}
	body := map[string]any{"items": items}
	if !through.IsZero() {
		body["through"] = through
	}
	writeJSON(w, http.StatusOK, body)
}
