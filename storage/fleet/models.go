package fleet

import (
	"context"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

// followModels starts one watch per model stage an instance applies: the
// combiner's active (swapped in), shadow (the challenger) and canary, and
// the active isolation forest and sequence model when the engine runs
// those detectors (they score with their active model only, so they have
// no shadow or canary stage; the control plane refuses to point one).
func (w *Watcher) followModels(ctx context.Context) error {
	keys, err := artefact.ParsePublic(w.cfg.ModelKeys)
	if err != nil {
		return fmt.Errorf("%w: WatcherConfig.ModelKeys: %v", ErrConfig, err)
	}
	e, ok := w.cfg.Guard.Engine().(*threat.Engine)
	if !ok {
		return fmt.Errorf("%w: WatcherConfig.ModelKeys: the Guard's engine is not a *threat.Engine", ErrConfig)
	}
	if w.cfg.CanaryFraction == 0 {
		w.cfg.CanaryFraction = 0.1
	}
	if !(w.cfg.CanaryFraction > 0 && w.cfg.CanaryFraction <= 1) {
		return fmt.Errorf("%w: WatcherConfig.CanaryFraction %v not in (0,1]", ErrConfig, w.cfg.CanaryFraction)
	}
	v := artefact.NewVerifier(keys)
	h := e.Models()
	type stream struct {
		kind, stage string
		apply       func([]byte) error
	}
	streams := []stream{
		{artefact.KindCombiner, "active", parsed(threat.ParseModel, swapNew(h))},
		{artefact.KindCombiner, "shadow", parsed(threat.ParseModel, h.SetChallenger)},
		{artefact.KindCombiner, "canary", parsed(threat.ParseModel, func(m *threat.Model) error { return h.SetCanary(m, w.cfg.CanaryFraction) })},
	}
	if d, ok := e.Detector("anomaly").(*anomaly.Detector); ok {
		streams = append(streams, stream{artefact.KindForest, "active", parsed(anomaly.ParseModel, swapNew(d.Models()))})
	}
	if d, ok := e.Detector("behavior").(*behavior.Detector); ok {
		streams = append(streams, stream{artefact.KindSequence, "active", parsed(behavior.ParseSequenceModel, swapNew(d.Sequences()))})
	}
	for _, st := range streams {
		w.models.Add(1)
		go func() {
			defer w.models.Done()
			for ctx.Err() == nil {
				err := artefact.Watch(ctx, w.js, v, st.kind, st.stage, func(_ *artefact.Manifest, payload []byte) error {
					err := st.apply(payload)
					if err == nil {
						w.mApplied.Add(1)
					}
					return err
				}, func(err error) {
					w.mRefused.Add(1)
					if w.cfg.Exporter != nil {
						w.cfg.Exporter.modelsRefused.Add(1)
					}
					w.cfg.Logger.Warn("fleet: refused a model", "kind", st.kind, "stage", st.stage, "err", err)
				})
				if ctx.Err() != nil {
					return
				}
				// the buckets do not exist yet (an older control plane), or
				// the watch ended: try again
				w.cfg.Logger.Debug("fleet: model watch", "kind", st.kind, "stage", st.stage, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	return nil
}

// hashed is a model that names its content.
type hashed interface {
	threat.Artifact
	Hash() string
}

// parsed returns an apply that decodes a payload with parse and hands the
// model to set.
func parsed[M any](parse func([]byte) (M, error), set func(M) error) func([]byte) error {
	return func(b []byte) error {
		m, err := parse(b)
		if err != nil {
			return err
		}
		return set(m)
	}
}

// swapNew returns a setter that makes m h's active model unless it runs
// already (a watch replays the pointer it starts on).
func swapNew[M hashed](h *threat.Holder[M]) func(M) error {
	return func(m M) error {
		var zero M
		if cur := h.Active(); cur != zero && cur.Hash() == m.Hash() {
			return nil
		}
		return h.Swap(m)
	}
}
