package server

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/internal/forest"
	"github.com/bulwarkhq/bulwark/internal/history"
	anomalymodel "github.com/bulwarkhq/bulwark/threat/anomaly"
)

// The isolation forest's retrain: an unsupervised model of what normal
// clients look like, refitted on the behavioural feature vectors the
// instances send with their events (every kept event carries its
// client's vector; benign events are sampled by the exporters). Normal
// traffic is what the forest learns: events labelled benign, and
// unlabelled ones that were allowed at threat level none; events labelled
// attack are never trained on and measure the recall. The split is on
// event time, the newest HoldOut share held back; both the candidate and
// the current forest are scored on it at their own thresholds.
const (
	// maxForestVectors bounds the normal vectors read, newest days first.
	maxForestVectors = 200_000
	// minForestVectors is the least number of normal vectors a forest is
	// retrained from (on each side of the split: a fifth of them, at
	// least 100, are held back).
	minForestVectors = 500
	forestTrees      = 100
	forestQuantile   = 0.998 // as the embedded model's training
)

var forestNotes = []string{
	"normal traffic is the events labelled benign and the unlabelled ones allowed at threat level none; events labelled attack are never trained on",
	"fpr is the share of the held-back normal vectors over the model's threshold (where threat/anomaly flags a client); tpr the share of the vectors of events labelled attack",
	"an event's vector is its client's behaviour when the event was recorded: a client's events repeat similar vectors",
}

// forestVector is one event's vector.
type forestVector struct {
	at     time.Time
	attack bool
	x      []float64
}

// runForestRetrain fits a forest on the stored vectors, reports it
// against the current forest and publishes it as the forest's candidate.
func (s *Server) runForestRetrain(ctx context.Context, run retrainRun) (*RetrainReport, error) {
	rt := s.retrain
	if !rt.mu.TryLock() {
		return nil, errRetrainRunning
	}
	defer rt.mu.Unlock()
	current, ref, err := s.currentForest(ctx)
	if err != nil {
		return nil, err
	}
	vecs, labelled, err := s.forestVectors(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vecs, func(a, b forestVector) int { return a.at.Compare(b.at) })
	var normal []forestVector
	for _, v := range vecs {
		if !v.attack {
			normal = append(normal, v)
		}
	}
	if len(normal) < minForestVectors {
		return nil, tooFewLabels("too few behavioural vectors of normal traffic to retrain the forest: %d, want at least %d (instances send them with their events)",
			len(normal), minForestVectors)
	}
	cut := normal[len(normal)-max(100, int(float64(len(normal))*run.holdOut))].at
	var train [][]float64
	var heldNormal, attacks [][]float64
	trainW, heldW := SplitWindow{}, SplitWindow{}
	for _, v := range vecs {
		w, held := &trainW, !v.at.Before(cut)
		if held {
			w = &heldW
		}
		if w.From.IsZero() || v.at.Before(w.From) {
			w.From = v.at
		}
		if v.at.After(w.To) {
			w.To = v.at
		}
		switch {
		case v.attack:
			attacks = append(attacks, v.x) // every one: none is trained on
			w.Attacks++
		case held:
			heldNormal = append(heldNormal, v.x)
			w.Benign++
		default:
			train = append(train, v.x)
			w.Benign++
		}
	}
	now := s.cfg.Now().UTC()
	version := "forest-retrain-" + now.Format("20060102-150405")
	start := time.Now()
	cand, err := forest.Train(train, forest.TrainConfig{Version: version, Features: feature.Names[:], Trees: forestTrees,
		Quantile: forestQuantile, Seed: run.seed})
	if err != nil {
		return nil, fmt.Errorf("controlplane: forest retrain: %w", err)
	}
	elapsed := time.Since(start)
	cr, cu := forestEval(cand, heldNormal, attacks), forestEval(current, heldNormal, attacks)
	payload, err := json.Marshal(cand)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(payload)
	rep := &RetrainReport{Kind: artefact.KindForest, Version: version, SHA256: hex.EncodeToString(h[:]), Stage: "candidate", Created: now,
		Trigger: run.trigger, Actor: run.actor, CurrentModel: ref, Labelled: labelled, Train: trainW, HeldBack: heldW,
		Elapsed: elapsed.Round(time.Millisecond).String(), Tried: 1, Candidate: cr, Current: cu,
		NotWorse: cr.FPR <= cu.FPR && cr.TPR >= cu.TPR, Notes: forestNotes}
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	if _, err := rt.reports.Put(ctx, artefact.KindForest+"."+rep.SHA256, b); err != nil {
		return nil, fmt.Errorf("controlplane: storing the retrain report: %w", err)
	}
	if _, err := s.publishModel(ctx, run.actor, "model.retrain", artefact.KindForest, version, payload, "candidate", map[string]any{
		"trigger": run.trigger, "current": ref.Version, "held_back_from": heldW.From, "held_back_normal": heldW.Benign, "attacks": heldW.Attacks + trainW.Attacks,
		"tpr": cr.TPR, "fpr": cr.FPR, "current_tpr": cu.TPR, "current_fpr": cu.FPR, "not_worse": rep.NotWorse,
	}); err != nil {
		return nil, err
	}
	return rep, nil
}

// forestVectors reads the vectors of the stored events, newest day first,
// until maxForestVectors of normal traffic: those of normal events and of
// every labelled attack.
func (s *Server) forestVectors(ctx context.Context) ([]forestVector, map[string]int, error) {
	days, err := s.Store.Days(ctx)
	if err != nil {
		return nil, nil, err
	}
	labelled := map[string]int{}
	var out []forestVector
	normal := 0
	for i := len(days) - 1; i >= 0 && normal < maxForestVectors; i-- {
		err := s.Store.ScanDay(ctx, days[i], func(e *history.Event) error {
			if e.Tenant != s.cfg.Tenant || len(e.Features) != feature.Num {
				return nil
			}
			attack := e.Label == "attack"
			if e.Label != "" {
				labelled[e.Label]++
			}
			if !attack && e.Label != "benign" && (e.Label != "" || e.Outcome != event.OutcomeAllowed || e.Level != "none") {
				return nil // neither normal traffic nor a labelled attack
			}
			if !attack && normal >= maxForestVectors {
				return nil
			}
			x := make([]float64, feature.Num)
			for j, f := range e.Features {
				x[j] = float64(f)
			}
			out = append(out, forestVector{at: e.Time, attack: attack, x: x})
			if !attack {
				normal++
			}
			return nil
		})
		if err != nil && !errors.Is(err, history.ErrNotFound) {
			return nil, nil, err
		}
	}
	return out, labelled, nil
}

// forestEval scores m on the held-back normal vectors and the attacks at
// its own threshold.
func forestEval(m *forest.Model, normal, attacks [][]float64) EvalReport {
	over := func(xs [][]float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		n := 0
		for _, x := range xs {
			if m.Score(x) > m.Threshold { // as threat/anomaly flags
				n++
			}
		}
		return float64(n) / float64(len(xs))
	}
	return EvalReport{TPR: over(attacks), FPR: over(normal), Attacks: len(attacks), Benign: len(normal)}
}

// currentForest is the active forest (verified under the control plane's
// key), or the embedded one SDK instances run when none is published.
func (s *Server) currentForest(ctx context.Context) (*forest.Model, ModelRef, error) {
	v := artefact.NewVerifier(map[string]ed25519.PublicKey{s.signer.KeyID(): s.signer.Public()})
	m, payload, err := artefact.Fetch(ctx, s.js, v, artefact.KindForest, "active")
	ref := ModelRef{Source: "active"}
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		def, derr := anomalymodel.DefaultModel()
		if derr != nil {
			return nil, ModelRef{}, derr
		}
		if payload, err = json.Marshal(def); err != nil {
			return nil, ModelRef{}, err
		}
		ref.Source = "embedded"
	} else if err != nil {
		return nil, ModelRef{}, fmt.Errorf("controlplane: the active forest: %w", err)
	} else {
		ref.SHA256 = m.SHA256
	}
	f, err := forest.Parse(payload)
	if err != nil {
		return nil, ModelRef{}, fmt.Errorf("controlplane: the current forest: %w", err)
	}
	ref.Version = f.Version
	return f, ref, nil
}
