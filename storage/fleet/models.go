package fleet

import (
	"context"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/threat"
)

// followModels starts one watch per stage of the combiner model: active
// (swapped in), shadow (the challenger) and canary.
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
	apply := map[string]func(*threat.Model) error{
		"active": func(m *threat.Model) error {
			if cur := h.Active(); cur != nil && cur.Hash() == m.Hash() {
				return nil // the running model already
			}
			return h.Swap(m)
		},
		"shadow": h.SetChallenger,
		"canary": func(m *threat.Model) error { return h.SetCanary(m, w.cfg.CanaryFraction) },
	}
	for stage, set := range apply {
		w.models.Add(1)
		go func() {
			defer w.models.Done()
			for ctx.Err() == nil {
				err := artefact.Watch(ctx, w.js, v, artefact.KindCombiner, stage, func(_ *artefact.Manifest, payload []byte) error {
					m, err := threat.ParseModel(payload)
					if err == nil {
						err = set(m)
					}
					if err == nil {
						w.mApplied.Add(1)
					}
					return err
				}, func(err error) {
					w.mRefused.Add(1)
					w.cfg.Logger.Warn("fleet: refused a model", "stage", stage, "err", err)
				})
				if ctx.Err() != nil {
					return
				}
				// the buckets do not exist yet (an older control plane), or
				// the watch ended: try again
				w.cfg.Logger.Debug("fleet: model watch", "stage", stage, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	return nil
}
