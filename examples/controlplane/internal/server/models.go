package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/threat"
	anomalymodel "github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

// Model distribution (issue 15): the control plane signs model artefacts
// with its Ed25519 key and publishes them to the JetStream object store
// with a signed pointer per kind and stage (internal/artefact); SDK
// instances trust its public key (ModelKeys, printed at start) and swap
// what the pointers name after verifying it. Publishing, promoting and
// rolling back are audited.

// startModels loads the signing key and makes the buckets.
func (s *Server) startModels(ctx context.Context) error {
	var err error
	if s.cfg.ModelKey != "" {
		s.signer, err = artefact.ParseSigner(s.cfg.ModelKey)
	} else {
		// several regions sign with keys of their own, by default: of
		// distinct ids, so that each can trust the others' (REGION_MODEL_KEYS)
		id := "cp1"
		if s.cfg.multiRegion() {
			id = "cp-" + s.cfg.Region
		}
		s.signer, err = artefact.LoadOrCreateSigner(filepath.Join(s.cfg.DataDir, "model-signing.key"), id)
	}
	if err != nil {
		return fmt.Errorf("controlplane: model signing key: %w", err)
	}
	if _, s.pointers, err = artefact.Ensure(ctx, s.js); err != nil {
		return fmt.Errorf("controlplane: %w", err)
	}
	return nil
}

// ModelKeys is the public key SDK instances trust, as they are configured
// with it ("<key id>:<base64>").
func (s *Server) ModelKeys() string { return artefact.EncodePublic(s.signer) }

// validModel checks that payload is a model of kind, as an SDK will load it.
func validModel(kind string, payload []byte) error {
	var err error
	switch kind {
	case artefact.KindCombiner:
		_, err = threat.ParseModel(payload)
	case artefact.KindForest:
		_, err = anomalymodel.ParseModel(payload)
	case artefact.KindSequence:
		_, err = behavior.ParseSequenceModel(payload)
	default:
		return bad("kind %q: want combiner, forest or sequence", kind)
	}
	if err != nil {
		return bad("not a valid %s model: %v", kind, err)
	}
	return nil
}

// instanceStage refuses a stage SDK instances do not apply for kind: the
// isolation forest and the sequence model score with their active model
// only, so pointing their shadow or canary stage would change nothing
// while the dashboard said it did.
func instanceStage(kind, stage string) error {
	if kind != artefact.KindCombiner && (stage == "shadow" || stage == "canary") {
		return bad("a %s model has no %s stage on instances: publish it as candidate or active", kind, stage)
	}
	return nil
}

// PublishRequest is the body of POST /api/v1/models.
type PublishRequest struct {
	Kind    string          `json:"kind"`
	Version string          `json:"version"`
	Stage   string          `json:"stage"` // candidate, shadow, canary or active
	Model   json.RawMessage `json:"model"`
}

// audit records an action of r's caller that changes no other table (an
// export, a model pointer), with detail as JSON.
func (s *Server) audit(ctx context.Context, r *http.Request, action, target string, detail any) error {
	return s.auditAs(ctx, claimsOf(r).Subject, action, target, detail)
}

// auditAs is audit for actor (a token's subject, or the control plane's
// own loops: "retrain-schedule").
func (s *Server) auditAs(ctx context.Context, actor, action, target string, detail any) error {
	b, _ := json.Marshal(detail)
	return s.Store.Record(ctx, history.Audit{Tenant: s.cfg.Tenant, Actor: actor, Action: action, Target: target, Detail: string(b)})
}

// publishModel checks payload as an SDK will load it, signs it, stores it,
// points kind's stage at it and audits that as action by actor, with
// detail's entries beside the artefact's version, hash and key id.
func (s *Server) publishModel(ctx context.Context, actor, action, kind, version string, payload []byte, stage string, detail map[string]any) (*artefact.Manifest, error) {
	if err := validModel(kind, payload); err != nil {
		return nil, err
	}
	if !slices.Contains(artefact.Stages[:4], stage) {
		return nil, bad("stage %q: want candidate, shadow, canary or active", stage)
	}
	if err := instanceStage(kind, stage); err != nil {
		return nil, err
	}
	m, err := artefact.Store(ctx, s.js, s.signer, kind, version, payload)
	if err != nil {
		return nil, bad("%v", err)
	}
	if m, err = s.point(ctx, m, stage); err != nil {
		return nil, err
	}
	d := map[string]any{"version": m.Version, "sha256": m.SHA256, "key_id": m.KeyID}
	for k, v := range detail {
		d[k] = v
	}
	if err := s.auditAs(ctx, actor, action, artefact.PointerKey(m.Kind, stage), d); err != nil {
		return nil, err
	}
	return m, nil
}

// apiPublishModel answers POST /api/v1/models: sign, store, point.
func (s *Server) apiPublishModel(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, artefact.MaxPayload)
	var req PublishRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, r, bad("body: %v", err))
		return
	}
	m, err := s.publishModel(r.Context(), claimsOf(r).Subject, "model.publish", req.Kind, req.Version, req.Model, req.Stage, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// apiModels answers GET /api/v1/models: every stage pointer.
func (s *Server) apiModels(w http.ResponseWriter, r *http.Request) {
	ptrs := map[string]*artefact.Manifest{}
	err := eachPointer(r.Context(), s.pointers, func(kind, stage string, m *artefact.Manifest) {
		ptrs[artefact.PointerKey(kind, stage)] = m
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": s.ModelKeys(), "stages": ptrs})
}

// modelKinds are the kinds of model the control plane distributes.
var modelKinds = []string{artefact.KindCombiner, artefact.KindForest, artefact.KindSequence}

// eachPointer calls fn with every stage pointer set in kv (this region's
// bucket or a peer's), by kind and stage in order; a value that is not a
// manifest is passed over.
func eachPointer(ctx context.Context, kv jetstream.KeyValue, fn func(kind, stage string, m *artefact.Manifest)) error {
	for _, kind := range modelKinds {
		for _, stage := range artefact.Stages {
			e, err := kv.Get(ctx, artefact.PointerKey(kind, stage))
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if m, err := artefact.ParseManifest(e.Value()); err == nil {
				fn(kind, stage, m)
			}
		}
	}
	return nil
}

// StageRequest is the body of POST /api/v1/models/{kind}/promote.
type StageRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// apiPromote answers POST /api/v1/models/{kind}/promote: point stage To
// at what stage From names (canary → active, active → retired, …).
func (s *Server) apiPromote(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	var req StageRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !slices.Contains(artefact.Stages, req.From) || !slices.Contains(artefact.Stages, req.To) || req.From == req.To {
		s.fail(w, r, bad("from %q, to %q: two different stages of %v", req.From, req.To, artefact.Stages))
		return
	}
	if err := instanceStage(kind, req.To); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.pointed(r.Context(), kind, req.From)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m, err = s.point(r.Context(), m, req.To); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.audit(r.Context(), r, "model.promote", artefact.PointerKey(kind, req.To),
		map[string]any{"from": req.From, "version": m.Version, "sha256": m.SHA256}); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// apiRollback answers POST /api/v1/models/{kind}/rollback: the active
// pointer goes back to the artefact it named before.
func (s *Server) apiRollback(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	key := artefact.PointerKey(kind, "active")
	hist, err := s.pointers.History(r.Context(), key)
	if err != nil || len(hist) < 2 {
		writeProblem(w, http.StatusConflict, probConflict, "no earlier active model of "+kind+" to roll back to")
		return
	}
	cur, err1 := artefact.ParseManifest(hist[len(hist)-1].Value())
	var prev *artefact.Manifest
	for i := len(hist) - 2; i >= 0 && err1 == nil; i-- {
		if m, err := artefact.ParseManifest(hist[i].Value()); err == nil && m.SHA256 != cur.SHA256 {
			prev = m
			break
		}
	}
	if prev == nil {
		writeProblem(w, http.StatusConflict, probConflict, "no earlier, different active model of "+kind+" to roll back to")
		return
	}
	if prev, err = s.point(r.Context(), prev, "active"); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.audit(r.Context(), r, "model.rollback", key, map[string]any{"from": cur.Version, "to": prev.Version}); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, prev)
}

// pointed returns the manifest kind's stage points at (SDK instances
// verify what they load; re-pointing moves a signed manifest unchanged).
func (s *Server) pointed(ctx context.Context, kind, stage string) (*artefact.Manifest, error) {
	e, err := s.pointers.Get(ctx, artefact.PointerKey(kind, stage))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: no %s model in stage %s", history.ErrNotFound, kind, stage)
	}
	if err != nil {
		return nil, err
	}
	return artefact.ParseManifest(e.Value())
}

// refusalWatch remembers how many model artefacts each instance reported
// refused (event.Report.ModelsRefused, a total since the instance's
// boot), so that each new refusal raises one incident.
type refusalWatch struct {
	mu   sync.Mutex
	seen map[string]refusalCount // by instance
}

type refusalCount struct {
	boot string
	n    uint64
}

// maxRefusalInstances bounds refusalWatch.seen: past it the watch forgets
// every instance (each then raises its next refusal again).
const maxRefusalInstances = 10_000

// observeRefusals raises a model.refused incident (audited, alerted) for
// every instance whose reports count refusals it had not reported yet: an
// artefact that was tampered with, signed by a key the instance does not
// trust, or does not load. Reports of one instance may arrive out of
// order; only a count above the highest seen of the same boot raises.
func (s *Server) observeRefusals(ctx context.Context, reports []*event.Report) {
	for _, r := range reports {
		if r.ModelsRefused == 0 {
			continue
		}
		w := &s.refusals
		w.mu.Lock()
		if w.seen == nil || len(w.seen) >= maxRefusalInstances {
			w.seen = map[string]refusalCount{}
		}
		prev := w.seen[r.Instance]
		if prev.boot != r.Boot {
			prev = refusalCount{boot: r.Boot}
		}
		raise := r.ModelsRefused > prev.n
		if raise {
			w.seen[r.Instance] = refusalCount{boot: r.Boot, n: r.ModelsRefused}
		}
		w.mu.Unlock()
		if !raise {
			continue
		}
		s.incident(ctx, "model.refused", "instance:"+r.Instance,
			map[string]any{"instance": r.Instance, "region": r.Region, "refused": r.ModelsRefused, "new": r.ModelsRefused - prev.n},
			incidentAlert(s.cfg.Tenant, "model-refused", r.Instance, r.Time.UTC().Truncate(time.Hour),
				map[string]string{"instance": r.Instance, "region": r.Region},
				fmt.Sprintf("instance %s refused %d model artefact(s) (%d since its start): tampered, signed by a key it does not trust, or not loadable; it keeps its running model",
					r.Instance, r.ModelsRefused-prev.n, r.ModelsRefused)))
	}
}
