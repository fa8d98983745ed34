package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/playbook"
)

// Playbooks (issue 16): with Config.Playbooks, the control plane answers
// each new incident (a client's offences in the history store) with a
// response chosen, per attack family, by a Thompson-sampling bandit
// (internal/playbook): block only (no decision: the SDK goes on refusing
// the client's hostile requests one by one), a throttle of 15 minutes, or
// a ban of 15 minutes, an hour or a day. The response is a decision by
// actor "playbook", audited as "playbook.<arm>" with the family and arm in
// its reason, and enforced by the fleet like an operator's.
//
// When the response ends and Config.PlaybookWindow has passed, the bandit
// learns what followed: whether the client offended again within the
// window (a scored or refused event in the history), and the chance it
// was legitimate (operators' labels on its events: benign of labelled,
// playbook.LegitChance). The reward, stated in internal/playbook, is
//
//	1[no recurrence] − 0.3·d/D − 1·P(legitimate)·d/D, clipped to [0, 1]
//
// with d the response's length and D a day's, so the longest ban does not
// win by default. The bandits' records and the responses awaiting their
// outcome are saved in DataDir/playbooks.json after every change.

// playbookArm is one response.
type playbookArm struct {
	Name     string
	Action   decision.Action // "" for block only
	Factor   float64
	Duration time.Duration
}

var playbookArms = []playbookArm{
	{Name: "block-only"},
	{Name: "throttle-15m", Action: decision.Throttle, Factor: 0.25, Duration: 15 * time.Minute},
	{Name: "ban-15m", Action: decision.Ban, Duration: 15 * time.Minute},
	{Name: "ban-1h", Action: decision.Ban, Duration: time.Hour},
	{Name: "ban-24h", Action: decision.Ban, Duration: 24 * time.Hour},
}

const playbookActor = "playbook"

// response is a playbook's answer awaiting its outcome.
type response struct {
	Pseudonym string    `json:"pseudonym"`
	Family    string    `json:"family"`
	Arm       string    `json:"arm"`
	At        time.Time `json:"at"`  // chosen
	End       time.Time `json:"end"` // the response ends
	Due       time.Time `json:"due"` // End + window: judged then
}

// playbookState is what playbooks.json holds.
type playbookState struct {
	Arms    map[string][]playbook.ArmStats `json:"arms"` // by family
	Pending []response                     `json:"pending"`
	Judged  int                            `json:"judged"`
	Last    time.Time                      `json:"last"` // incidents up to here were answered
}

type playbooks struct {
	s      *Server
	path   string
	window time.Duration

	mu      sync.Mutex
	bandits map[string]*playbook.Bandit
	state   playbookState
}

func newPlaybooks(s *Server) (*playbooks, error) {
	p := &playbooks{s: s, path: filepath.Join(s.cfg.DataDir, "playbooks.json"), window: s.cfg.PlaybookWindow,
		bandits: map[string]*playbook.Bandit{}, state: playbookState{Arms: map[string][]playbook.ArmStats{}}}
	if err := loadState(p.path, "playbooks", &p.state); err != nil {
		return nil, err
	}
	if p.state.Arms == nil {
		p.state.Arms = map[string][]playbook.ArmStats{}
	}
	for fam, st := range p.state.Arms {
		bd, err := p.bandit(fam)
		if err != nil {
			return nil, err
		}
		if err := bd.Restore(st); err != nil {
			return nil, fmt.Errorf("playbooks: %s: family %q: %w", p.path, fam, err)
		}
	}
	return p, nil
}

// bandit returns the family's bandit, made on first use. Caller holds mu
// (or is newPlaybooks).
func (p *playbooks) bandit(family string) (*playbook.Bandit, error) {
	if b := p.bandits[family]; b != nil {
		return b, nil
	}
	arms := make([]playbook.Arm, len(playbookArms))
	for i, a := range playbookArms {
		arms[i] = playbook.Arm{Name: a.Name, Duration: a.Duration}
	}
	b, err := playbook.New(playbook.Config{Arms: arms, Seed: uint64(time.Now().UnixNano())})
	if err != nil {
		return nil, err
	}
	p.bandits[family] = b
	return b, nil
}

// save writes the state whole (temporary file, then rename). Caller holds mu.
func (p *playbooks) save() error {
	for fam, b := range p.bandits {
		p.state.Arms[fam] = b.Stats()
	}
	return saveState(p.path, p.state)
}

func armIndex(name string) int {
	return slices.IndexFunc(playbookArms, func(a playbookArm) bool { return a.Name == name })
}

// offended reports whether pseudonym had a scored or refused event in q.
func (p *playbooks) offended(ctx context.Context, pseudonym string, q history.Range) (bool, error) {
	cursor := ""
	for range 10 { // at most 10 pages: the first offence settles it
		evs, next, err := p.s.Store.Timeline(ctx, p.s.cfg.Tenant, pseudonym, q, history.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return false, err
		}
		for _, e := range evs {
			if (e.Level != "" && e.Level != "none") || refusalOutcomes[e.Outcome] || e.Outcome == "blocked" {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
	return true, nil // a client with thousands of events in the window: not quiet
}

// labels counts the client's labelled events in q: benign ones and all.
func (p *playbooks) labels(ctx context.Context, pseudonym string, q history.Range) (benign, labelled int, err error) {
	evs, _, err := p.s.Store.Timeline(ctx, p.s.cfg.Tenant, pseudonym, q, history.Page{Limit: history.MaxPage})
	for _, e := range evs {
		if e.Label != "" {
			labelled++
			if e.Label == "benign" {
				benign++
			}
		}
	}
	return benign, labelled, err
}

// step judges the responses that are due and answers the incidents seen
// since the last step, at now.
func (p *playbooks) step(ctx context.Context, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := false
	var keep []response
	for _, r := range p.state.Pending {
		if now.Before(r.Due) {
			keep = append(keep, r)
			continue
		}
		recurred, err := p.offended(ctx, r.Pseudonym, history.Range{Tenant: p.s.cfg.Tenant, From: r.End, To: r.Due})
		if err != nil {
			return err
		}
		benign, labelled, err := p.labels(ctx, r.Pseudonym, history.Range{Tenant: p.s.cfg.Tenant, From: r.At.Add(-24 * time.Hour), To: now})
		if err != nil {
			return err
		}
		b, err := p.bandit(r.Family)
		if err != nil {
			return err
		}
		if i := armIndex(r.Arm); i >= 0 {
			if err := b.Record(i, playbook.Outcome{Recurred: recurred, Legit: playbook.LegitChance(benign, labelled)}); err != nil {
				return err
			}
			p.state.Judged++
		}
		changed = true
	}
	p.state.Pending = keep

	from := p.state.Last
	if from.IsZero() || now.Sub(from) > 24*time.Hour {
		from = now.Add(-time.Hour)
	}
	incs, _, err := p.s.Store.Incidents(ctx, history.Range{Tenant: p.s.cfg.Tenant, From: from.Truncate(time.Hour), To: now.Add(time.Minute)}, history.Page{Limit: history.MaxPage})
	if err != nil {
		return err
	}
	busy := map[string]bool{}
	for _, r := range p.state.Pending {
		busy[r.Pseudonym] = true
	}
	ds, err := p.s.Store.Decisions(ctx, p.s.cfg.Tenant, false)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if v, err := decision.Unmarshal(d.Value); err == nil && v.Target.Type == decision.TypePseudonym && v.Pending(now) {
			busy[v.Target.Value] = true // an operator's (or a playbook's) decision stands: leave the client to it
		}
	}
	for _, inc := range incs {
		if busy[inc.Pseudonym] || !inc.Last.After(p.state.Last) || inc.Offences == 0 {
			continue
		}
		busy[inc.Pseudonym] = true
		fam := inc.Family
		if fam == "" {
			fam = "other"
		}
		b, err := p.bandit(fam)
		if err != nil {
			return err
		}
		arm := playbookArms[b.Choose()]
		length := arm.Duration / time.Duration(p.s.cfg.PlaybookScale)
		r := response{Pseudonym: inc.Pseudonym, Family: fam, Arm: arm.Name, At: now, End: now.Add(length)}
		r.Due = r.End.Add(p.window)
		if arm.Action != "" {
			t, err := decision.ParseTarget(string(decision.TypePseudonym), inc.Pseudonym)
			if err != nil {
				continue // not a pseudonym the decisions take: skip it
			}
			v := decision.Value{Target: t, Action: arm.Action, Factor: arm.Factor, Expires: now.Add(length),
				Reason: fmt.Sprintf("playbook %s/%s: %d offences on %s", fam, arm.Name, inc.Offences, inc.Route)}
			if _, err := p.s.writeDecision(ctx, playbookActor, "playbook."+arm.Name, v); err != nil {
				return err
			}
		}
		p.state.Pending = append(p.state.Pending, r)
		changed = true
	}
	for _, inc := range incs {
		if inc.Last.After(p.state.Last) {
			p.state.Last = inc.Last
			changed = true
		}
	}
	if changed {
		return p.save()
	}
	return nil
}

// every calls step every interval, with the time, until ctx ends; a step
// gets a minute, and its errors are logged under what.
func (s *Server) every(ctx context.Context, interval time.Duration, what string, step func(context.Context, time.Time) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		if err := step(sctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("controlplane: "+what, "err", err)
		}
		cancel()
	}
}

// armJSON is one arm's record.
type armJSON struct {
	Name        string      `json:"name"`
	Duration    string      `json:"duration"`
	Pulls       int         `json:"responses"`
	Successes   int         `json:"successes"` // not followed by a recurrence
	SuccessRate jsonFloat64 `json:"success_rate"`
	MeanReward  jsonFloat64 `json:"mean_reward"`
	Alpha       float64     `json:"alpha"`
	Beta        float64     `json:"beta"`
}

// familyJSON is one family's playbook.
type familyJSON struct {
	Family  string    `json:"family"`
	Arms    []armJSON `json:"arms"`
	Pending int       `json:"pending"`
}

func (p *playbooks) report() []familyJSON {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []familyJSON{}
	fams := make([]string, 0, len(p.bandits))
	for f := range p.bandits {
		fams = append(fams, f)
	}
	slices.Sort(fams)
	for _, f := range fams {
		fj := familyJSON{Family: f}
		for _, st := range p.bandits[f].Stats() {
			fj.Arms = append(fj.Arms, armJSON{Name: st.Name, Duration: st.Duration.String(), Pulls: st.Pulls, Successes: st.Successes,
				SuccessRate: jsonFloat64(st.SuccessRate()), MeanReward: jsonFloat64(st.MeanReward()), Alpha: st.Alpha, Beta: st.Beta})
		}
		for _, r := range p.state.Pending {
			if r.Family == f {
				fj.Pending++
			}
		}
		out = append(out, fj)
	}
	return out
}

// apiPlaybooks answers GET /api/v1/playbooks: each family's arms and
// their records; with family, a and b, also the A/B comparison of two
// arms' success rates (Newcombe's interval, level 0.95 or ?level=).
func (s *Server) apiPlaybooks(w http.ResponseWriter, r *http.Request) {
	if s.playbooks == nil {
		writeJSON(w, http.StatusOK, map[string]any{"enabled": false, "families": []familyJSON{}})
		return
	}
	s.playbooks.mu.Lock()
	pending := append([]response{}, s.playbooks.state.Pending...)
	judged := s.playbooks.state.Judged
	s.playbooks.mu.Unlock()
	out := map[string]any{"enabled": true, "window": s.cfg.PlaybookWindow.String(), "families": s.playbooks.report(),
		"awaiting": pending, "judged": judged,
		"reward": "1[no recurrence within the window] - 0.3*d/D - 1*P(legitimate)*d/D, clipped to [0,1]; d the response's length, D a day"}
	q := r.URL.Query()
	if fam, a, b := q.Get("family"), q.Get("a"), q.Get("b"); fam != "" || a != "" || b != "" {
		level := 0.95
		if v := q.Get("level"); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f > 0 && f < 1) {
				s.fail(w, r, bad("level %q: in (0, 1)", v))
				return
			}
			level = f
		}
		s.playbooks.mu.Lock()
		bd := s.playbooks.bandits[fam]
		var st []playbook.ArmStats
		if bd != nil {
			st = bd.Stats()
		}
		s.playbooks.mu.Unlock()
		ia, ib := armIndex(a), armIndex(b)
		if bd == nil || ia < 0 || ib < 0 || ia == ib {
			s.fail(w, r, bad("compare: family with responses, and two different arms a and b (%v)", armNames()))
			return
		}
		c, err := playbook.Compare(st[ia], st[ib], level)
		if err != nil {
			out["compare"] = map[string]any{"error": err.Error()}
		} else {
			out["compare"] = map[string]any{"a": c.A, "b": c.B, "rate_a": c.RateA, "rate_b": c.RateB, "diff": c.Diff,
				"lower": c.Lower, "upper": c.Upper, "level": c.Level, "significant": c.Lower > 0 || c.Upper < 0}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func armNames() []string {
	out := make([]string, len(playbookArms))
	for i, a := range playbookArms {
		out[i] = a.Name
	}
	return out
}

// playbookRows are the dashboard's rows: one per family and arm with
// responses.
type playbookRow struct {
	Family, Arm       string
	Pulls, Successes  int
	SuccessRate, Mean float64
	Pending           int
	First             bool // first row of its family
}

func (s *Server) playbookRows() []playbookRow {
	if s.playbooks == nil {
		return nil
	}
	var rows []playbookRow
	for _, f := range s.playbooks.report() {
		first := true
		for _, a := range f.Arms {
			rows = append(rows, playbookRow{Family: f.Family, Arm: a.Name, Pulls: a.Pulls, Successes: a.Successes,
				SuccessRate: float64(a.SuccessRate), Mean: float64(a.MeanReward), Pending: f.Pending, First: first})
			first = false
		}
	}
	for i := range rows {
		if math.IsNaN(rows[i].SuccessRate) {
			rows[i].SuccessRate, rows[i].Mean = -1, -1
		}
	}
	return rows
}
