package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/replicate"
)

// writeDecision stamps v, records it with its audit row in one
// transaction, and publishes it to the bucket. A value the bucket did not
// take stays unpublished in the store; the relay sends it again.
func (s *Server) writeDecision(ctx context.Context, actor, action string, v decision.Value) (*decision.Value, error) {
	return s.writeDecisions(ctx, actor, action, v, nil)
}

// writeDecisions is writeDecision with rms, the removes of other regions'
// allow-list adds (replicate.Removes), recorded under their
// replicate.RemoveKey with v and one audit row, and published before v.
// They keep the Origin and Stamp of the add they remove: that Dot is what
// they name.
func (s *Server) writeDecisions(ctx context.Context, actor, action string, v decision.Value, rms []decision.Value) (*decision.Value, error) {
	s.decMu.Lock()
	defer s.decMu.Unlock()
	v.Origin, v.Stamp, v.Actor = s.cfg.Region, s.clock.Now(), actor
	var ds []history.Decision
	keys := make([]string, 0, len(rms)+1)
	for i, w := range append(append(make([]decision.Value, 0, len(rms)+1), rms...), v) {
		key := w.Key()
		if i < len(rms) {
			w.Actor, key = actor, replicate.RemoveKey(w.Origin, w.Target)
		}
		if err := w.Validate(); err != nil {
			return nil, err
		}
		b, err := w.Marshal()
		if err != nil {
			return nil, err
		}
		ds = append(ds, history.Decision{Tenant: s.cfg.Tenant, Key: key, Value: b, Action: string(w.Action), Target: w.Target.String(),
			Expires: w.Expires, Tombstone: w.Tombstone, Wall: w.Stamp.Wall, Logical: w.Stamp.Logical, Origin: w.Origin})
		keys = append(keys, key)
	}
	last := ds[len(ds)-1]
	detail := map[string]any{"key": last.Key, "value": json.RawMessage(last.Value)}
	if len(rms) > 0 {
		removed := make([]map[string]any, len(rms))
		for i, rm := range rms {
			removed[i] = map[string]any{"key": keys[i], "origin": rm.Origin, "stamp": rm.Stamp}
		}
		detail["removes"] = removed
	}
	db, _ := json.Marshal(detail)
	if err := s.Store.PutDecisions(ctx, ds, history.Audit{Tenant: s.cfg.Tenant, Actor: actor, Action: action,
		Target: v.Target.String(), Detail: string(db)}); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if err := s.publishDecision(ctx, d); err != nil {
			s.cfg.Logger.Warn("controlplane: decision recorded, bucket write failed; the relay will retry", "key", d.Key, "err", err)
			break
		}
	}
	return &v, nil
}

func (s *Server) publishDecision(ctx context.Context, d history.Decision) error {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.kv.Put(pctx, d.Key, d.Value); err != nil {
		return fmt.Errorf("bucket: %w", err)
	}
	return s.Store.MarkPublished(ctx, d.Tenant, d.Key, d.Wall, d.Logical)
}

// relay publishes what the store holds but the bucket missed (NATS was
// down when it was decided), every second.
func (s *Server) relay(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ds, err := s.Store.Decisions(ctx, s.cfg.Tenant, true)
		if err != nil || len(ds) == 0 {
			continue
		}
		s.decMu.Lock()
		for _, d := range ds {
			if err := s.publishDecision(ctx, d); err != nil {
				break
			}
		}
		s.decMu.Unlock()
	}
}

// awaitRegions, with RegionAck "all", waits until every other region's
// aggregate holds v (at most RegionAckTimeout) and returns the regions
// that do not yet; nil with RegionAck "local" or a single region.
func (s *Server) awaitRegions(ctx context.Context, v *decision.Value) []string {
	if s.cfg.RegionAck != "all" || !s.cfg.multiRegion() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RegionAckTimeout)
	defer cancel()
	var mu sync.Mutex
	var pending []string
	var wg sync.WaitGroup
	for _, r := range s.cfg.Regions {
		if r == s.cfg.Region {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := replicate.WaitReplicated(ctx, s.js, s.cfg.Region, v, r); err != nil {
				mu.Lock()
				pending = append(pending, r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(pending)
	return pending
}

// answerDecision writes the API's answer to a recorded change: status
// and body as they are with RegionAck "local"; with "all", "replicated"
// says whether every region holds it, and a change some region does not
// hold yet is 202 Accepted with those regions in "pending_regions".
func (s *Server) answerDecision(w http.ResponseWriter, r *http.Request, status int, body map[string]any, v *decision.Value) {
	if s.cfg.RegionAck == "all" && s.cfg.multiRegion() {
		pending := s.awaitRegions(r.Context(), v)
		if body == nil {
			body = map[string]any{"key": v.Key()}
		}
		body["replicated"] = len(pending) == 0
		if len(pending) > 0 {
			status, body["pending_regions"] = http.StatusAccepted, pending
		} else if status == http.StatusNoContent {
			status = http.StatusOK
		}
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

// penaltyWatch remembers the end of the penalty-box bans already written,
// by pseudonym.
type penaltyWatch struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// maxPenaltyClients bounds penaltyWatch.until: past it the watch forgets
// (a ban reported again is then written again, which changes nothing).
const maxPenaltyClients = 100_000

// replicatePenalties writes, in a region among several, each penalty-box
// ban an instance reported (event.Report.Penalties) as a ban of the
// client's pseudonym until the ban's end, audited as penalty.replicate by
// the instance, so that every region enforces it (their instances
// resolve the pseudonym when the client comes: every instance of a
// deployment holds the same pseudonym key). A ban already written with
// an end as late is not written again; an ended one is not written.
func (s *Server) replicatePenalties(ctx context.Context, reports []*event.Report) {
	if !s.cfg.multiRegion() {
		return
	}
	now := s.cfg.Now()
	w := &s.penalties
	for _, r := range reports {
		for _, p := range r.Penalties {
			if !p.Until.After(now) {
				continue
			}
			t, err := decision.ParseTarget(string(decision.TypePseudonym), p.Pseudonym)
			if err != nil {
				continue
			}
			w.mu.Lock()
			if w.until == nil || len(w.until) >= maxPenaltyClients {
				w.until = map[string]time.Time{}
			}
			done := !w.until[p.Pseudonym].Before(p.Until)
			if !done {
				w.until[p.Pseudonym] = p.Until
			}
			w.mu.Unlock()
			if done {
				continue
			}
			if _, err := s.writeDecision(ctx, "instance:"+r.Instance, "penalty.replicate", decision.Value{Target: t, Action: decision.Ban,
				Reason: "penalty box of " + r.Instance, Expires: p.Until}); err != nil {
				w.mu.Lock()
				delete(w.until, p.Pseudonym) // written again when reported again
				w.mu.Unlock()
				s.cfg.Logger.Warn("controlplane: replicating a penalty-box ban", "instance", r.Instance, "err", err)
			}
		}
	}
}
