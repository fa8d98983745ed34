package server

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// writeDecision stamps v, records it with its audit row in one
// transaction, and publishes it to the bucket. A value the bucket did not
// take stays unpublished in the store; the relay sends it again.
func (s *Server) writeDecision(ctx context.Context, actor, action string, v decision.Value) (*decision.Value, error) {
	s.decMu.Lock()
	defer s.decMu.Unlock()
	v.Origin, v.Stamp, v.Actor = s.cfg.Region, s.clock.Now(), actor
	if err := v.Validate(); err != nil {
		return nil, err
	}
	b, err := v.Marshal()
	if err != nil {
		return nil, err
	}
	d := history.Decision{Tenant: s.cfg.Tenant, Key: v.Key(), Value: b, Action: string(v.Action), Target: v.Target.String(),
		Expires: v.Expires, Tombstone: v.Tombstone, Wall: v.Stamp.Wall, Logical: v.Stamp.Logical, Origin: v.Origin}
	detail, _ := json.Marshal(map[string]any{"key": d.Key, "value": json.RawMessage(b)})
	if err := s.Store.PutDecision(ctx, d, history.Audit{Tenant: s.cfg.Tenant, Actor: actor, Action: action,
		Target: v.Target.String(), Detail: string(detail)}); err != nil {
		return nil, err
	}
	if err := s.publishDecision(ctx, d); err != nil {
		s.cfg.Logger.Warn("controlplane: decision recorded, bucket write failed; the relay will retry", "key", d.Key, "err", err)
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
