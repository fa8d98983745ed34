package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/threat"
)

// The combiner's lifecycle automation (issue 15). Every event names the
// combiner model that scored it (event.Event.Model: the active one, or
// the canary for a client in its fraction) and what the shadow model
// would have done (Shadow, ShadowRefused), so the control plane compares
// models on the traffic they scored.
//
// Canary: every Config.CanaryCheckEvery the canary watch compares the
// canary with the active model on the labelled events each scored since
// the canary pointer was last set. A model's false-positive rate (FPR)
// is the share of its events labelled benign that its score blocked; its
// recall (TPR) the share of its events labelled attack that it blocked.
// The test is Newcombe's hybrid score interval (his method 10) for the
// difference of two independent proportions, built from the two Wilson
// score intervals at z = 1.645: each bound is a one-sided 95% bound.
//
//   - Rollback: when the lower bound of FPR(canary) − FPR(active) exceeds
//     Config.CanaryMargin for Config.CanaryChecks checks in a row, the
//     canary pointer goes back to the active model (instances then score
//     their canary clients with it) and the canary's artefact is retired.
//   - Promotion: when the upper bound of FPR(canary) − FPR(active) and the
//     upper bound of TPR(active) − TPR(canary) are both below the margin
//     (the canary is not worse: a one-sided non-inferiority test at 95%),
//     the canary becomes active and the active one is retired.
//   - Minimum sample: no decision is taken before each model has
//     Config.CanaryMinSample labelled benign events (and, to promote, as
//     many labelled attacks). With no false positive on either side the
//     upper bound is z²/(n+z²), so a promotion needs n > z²(1−m)/m
//     labelled events a class (51 at the default margin 0.05): the
//     default minimum, 60, is above it.
//
// Each check's figures and the watch's state are served by GET
// /api/v1/models/combiner/compare, with the shadow's: its disagreements
// with the active model on all the events scored with both (shadow would
// refuse, active did not, and the reverse) and their outcomes on
// labelled events. Promotion out of shadow stays manual. Every pointer
// the watch moves is audited (model.auto_rollback, model.auto_promote,
// model.retire) by actor "canary-watch".

// Defaults of the canary watch.
const (
	DefaultCanaryCheckEvery = time.Minute
	DefaultCanaryMargin     = 0.05
	DefaultCanaryMinSample  = 60
	DefaultCanaryChecks     = 3
	canaryZ                 = 1.6448536269514722 // one-sided 95%
	canaryActor             = "canary-watch"
)

func (c *Config) canaryDefaults() error {
	if c.CanaryCheckEvery == 0 {
		c.CanaryCheckEvery = DefaultCanaryCheckEvery
	}
	if c.CanaryMargin == 0 {
		c.CanaryMargin = DefaultCanaryMargin
	}
	if c.CanaryMinSample == 0 {
		c.CanaryMinSample = DefaultCanaryMinSample
	}
	if c.CanaryChecks == 0 {
		c.CanaryChecks = DefaultCanaryChecks
	}
	if !(c.CanaryMargin > 0 && c.CanaryMargin < 1) || c.CanaryMinSample < 1 || c.CanaryChecks < 1 {
		return errors.New("controlplane: want a canary margin in (0,1), a minimum sample and checks of at least 1")
	}
	return nil
}

// Rate is k of n, with its one-sided 95% Wilson bounds.
type Rate struct {
	K    int64   `json:"k"`
	N    int64   `json:"n"`
	Rate float64 `json:"rate"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

func rateOf(k, n int64) Rate {
	r := Rate{K: k, N: n, Low: 0, High: 1}
	if n == 0 {
		return r
	}
	r.Rate = float64(k) / float64(n)
	r.Low, r.High = wilson(k, n, canaryZ)
	return r
}

// wilson is the Wilson score interval of k successes in n at z.
func wilson(k, n int64, z float64) (lo, hi float64) {
	p, nf := float64(k)/float64(n), float64(n)
	z2 := z * z
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return math.Max(0, centre-half), math.Min(1, centre+half)
}

// Diff is a − b of two rates with Newcombe's bounds.
type Diff struct {
	Diff float64 `json:"diff"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// newcombe is the hybrid score interval of a.Rate − b.Rate (Newcombe
// 1998, method 10), from the rates' Wilson bounds.
func newcombe(a, b Rate) Diff {
	d := a.Rate - b.Rate
	return Diff{Diff: d,
		Low:  d - math.Hypot(a.Rate-a.Low, b.High-b.Rate),
		High: d + math.Hypot(a.High-a.Rate, b.Rate-b.Low)}
}

// ModelFigures are one model's figures in a comparison.
type ModelFigures struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256,omitempty"`
	// FPR: labelled benign events the model blocked; TPR: labelled
	// attacks it blocked.
	FPR Rate `json:"fpr"`
	TPR Rate `json:"tpr"`
	// Refusals: events the model scored and blocked (benign events are
	// sampled by the exporters, alike for both models).
	Refusals Rate `json:"refusals"`
}

// CanaryCheck is one comparison of the canary with the active model.
type CanaryCheck struct {
	Time   time.Time    `json:"time"`
	Since  time.Time    `json:"since"` // when the canary pointer was set
	Canary ModelFigures `json:"canary"`
	Active ModelFigures `json:"active"`
	// FPRDiff is FPR(canary) − FPR(active); TPRDiff is TPR(active) −
	// TPR(canary): positive is worse for the canary in both.
	FPRDiff Diff `json:"fpr_diff"`
	TPRDiff Diff `json:"tpr_diff"`
	// Decision: wait (sample under the minimum), worse (lower bound over
	// the margin), hold (neither worse nor shown not worse), promote,
	// rollback, or same (the canary's version is the active one's: its
	// events cannot be told apart).
	Decision string `json:"decision"`
	Streak   int    `json:"streak"` // worse checks in a row
	Checks   int    `json:"checks"` // checks of this canary
}

// ShadowFigures compare the shadow with the active model on the events
// scored with both since the shadow pointer was set.
type ShadowFigures struct {
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	Since   time.Time `json:"since"`
	// Events scored with the shadow beside; ActiveRefused were blocked
	// by the model that scored them, ShadowRefused the shadow would have
	// refused; ShadowOnly and ActiveOnly are the disagreements.
	Events        int64 `json:"events"`
	ActiveRefused int64 `json:"active_refused"`
	ShadowRefused int64 `json:"shadow_refused"`
	ShadowOnly    int64 `json:"shadow_only"`
	ActiveOnly    int64 `json:"active_only"`
	// On labelled events: the false-positive rate and recall of each.
	ShadowFPR Rate `json:"shadow_fpr"`
	ActiveFPR Rate `json:"active_fpr"`
	ShadowTPR Rate `json:"shadow_tpr"`
	ActiveTPR Rate `json:"active_tpr"`
}

// canaryWatch is the state of the checks of one canary.
type canaryWatch struct {
	mu       sync.Mutex
	sha      string // the canary watched
	streak   int
	checks   int
	last     *CanaryCheck
	versions map[string]string // artefact SHA-256 → model version
}

// stagePointer is what kind's stage names, and since when; nil when the
// stage is empty.
func (s *Server) stagePointer(ctx context.Context, stage string) (*artefact.Manifest, time.Time, error) {
	e, err := s.pointers.Get(ctx, artefact.PointerKey(artefact.KindCombiner, stage))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	m, err := artefact.ParseManifest(e.Value())
	if err != nil {
		return nil, time.Time{}, err
	}
	return m, e.Created(), nil
}

// modelVersion is the version inside the combiner artefact m (what
// events name), verified.
func (s *Server) modelVersion(ctx context.Context, stage string, m *artefact.Manifest) (string, error) {
	w := s.canary
	w.mu.Lock()
	v, ok := w.versions[m.SHA256]
	w.mu.Unlock()
	if ok {
		return v, nil
	}
	ver := artefact.NewVerifier(map[string]ed25519.PublicKey{s.signer.KeyID(): s.signer.Public()})
	got, payload, err := artefact.Fetch(ctx, s.js, ver, artefact.KindCombiner, stage)
	if err != nil {
		return "", err
	}
	if got.SHA256 != m.SHA256 {
		return "", fmt.Errorf("controlplane: the %s pointer moved", stage)
	}
	model, err := threat.ParseModel(payload)
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	w.versions[m.SHA256] = model.Version()
	w.mu.Unlock()
	return model.Version(), nil
}

// labelTally counts labelled events by the model that scored them.
type labelTally struct{ benign, fp, attacks, detected int64 }

// tally counts the labelled events since since: by Model, or by Shadow
// (with the shadow's would-be refusals) when shadow is set.
func (s *Server) tally(ctx context.Context, since time.Time, shadow string) (map[string]*labelTally, error) {
	out := map[string]*labelTally{}
	err := s.Store.Labelled(ctx, s.cfg.Tenant, func(e *history.Event) error {
		if e.Time.Before(since) || e.Model == "" || shadow != "" && e.Shadow != shadow {
			return nil
		}
		count := func(key string, refused bool) {
			t := out[key]
			if t == nil {
				t = &labelTally{}
				out[key] = t
			}
			switch e.Label {
			case "benign":
				t.benign++
				if refused {
					t.fp++
				}
			case "attack":
				t.attacks++
				if refused {
					t.detected++
				}
			}
		}
		if shadow != "" {
			count("shadow", e.ShadowRefused)
			count("active", e.Blocked)
			return nil
		}
		count(e.Model, e.Blocked)
		return nil
	})
	return out, err
}

// countsSince sums the model counts from since to now.
func (s *Server) countsSince(ctx context.Context, since, now time.Time) ([]history.ModelCount, error) {
	from := since
	if now.Sub(from) > 399*24*time.Hour {
		from = now.Add(-399 * 24 * time.Hour)
	}
	return s.Store.ModelCounts(ctx, history.Range{Tenant: s.cfg.Tenant, From: from, To: now.Add(time.Hour)})
}

// compareCanary computes the figures of the canary against the active
// model; nil when there is no canary distinct from the active model.
func (s *Server) compareCanary(ctx context.Context, now time.Time) (*CanaryCheck, *artefact.Manifest, *artefact.Manifest, error) {
	cm, since, err := s.stagePointer(ctx, "canary")
	if err != nil || cm == nil {
		return nil, nil, nil, err
	}
	am, _, err := s.stagePointer(ctx, "active")
	if err != nil {
		return nil, nil, nil, err
	}
	if am != nil && am.SHA256 == cm.SHA256 {
		return nil, nil, nil, nil
	}
	_, aref, err := s.currentCombiner(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cv, err := s.modelVersion(ctx, "canary", cm)
	if err != nil {
		return nil, nil, nil, err
	}
	c := &CanaryCheck{Time: now, Since: since,
		Canary: ModelFigures{Version: cv, SHA256: cm.SHA256}, Active: ModelFigures{Version: aref.Version, SHA256: aref.SHA256}}
	if cv == aref.Version {
		c.Decision = "same"
		return c, cm, am, nil
	}
	tl, err := s.tally(ctx, since, "")
	if err != nil {
		return nil, nil, nil, err
	}
	counts, err := s.countsSince(ctx, since, now)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, f := range []*ModelFigures{&c.Canary, &c.Active} {
		t := tl[f.Version]
		if t == nil {
			t = &labelTally{}
		}
		f.FPR, f.TPR = rateOf(t.fp, t.benign), rateOf(t.detected, t.attacks)
		var n, k int64
		for _, mc := range counts {
			if mc.Model == f.Version {
				n, k = n+mc.Events, k+mc.Blocked
			}
		}
		f.Refusals = rateOf(k, n)
	}
	c.FPRDiff = newcombe(c.Canary.FPR, c.Active.FPR)
	c.TPRDiff = newcombe(c.Active.TPR, c.Canary.TPR)
	return c, cm, am, nil
}

// checkCanary is one check of the canary watch: compare, count the
// streak, and roll back or promote.
func (s *Server) checkCanary(ctx context.Context, now time.Time) error {
	c, cm, am, err := s.compareCanary(ctx, now)
	if err != nil {
		return err
	}
	w := s.canary
	w.mu.Lock()
	if c == nil || cm.SHA256 != w.sha {
		w.sha, w.streak, w.checks = "", 0, 0
		if cm != nil {
			w.sha = cm.SHA256
		}
	}
	if c == nil {
		w.last = nil
		w.mu.Unlock()
		return s.checkShadow(ctx, now)
	}
	w.checks++
	c.Checks = w.checks
	minN := int64(s.cfg.CanaryMinSample)
	margin := s.cfg.CanaryMargin
	// worse: with the minimum sample of a class for both models, the
	// canary's FPR is higher, or its TPR lower, beyond the margin at the
	// lower confidence bound (a canary that lets attacks through enforces
	// for its share of clients as much as one that refuses users does)
	fprN := c.Canary.FPR.N >= minN && c.Active.FPR.N >= minN
	tprN := c.Canary.TPR.N >= minN && c.Active.TPR.N >= minN
	switch {
	case c.Decision == "same":
		w.streak = 0
	case fprN && c.FPRDiff.Low > margin, tprN && c.TPRDiff.Low > margin:
		w.streak++
		c.Decision = "worse"
		if w.streak >= s.cfg.CanaryChecks {
			c.Decision = "rollback"
		}
	case !fprN:
		c.Decision, w.streak = "wait", 0
	case c.FPRDiff.High < margin && tprN && c.TPRDiff.High < margin:
		c.Decision, w.streak = "promote", 0
	default:
		c.Decision, w.streak = "hold", 0
	}
	c.Streak = w.streak
	w.last = c
	w.mu.Unlock()

	detail := map[string]any{"version": c.Canary.Version, "sha256": c.Canary.SHA256, "active": c.Active.Version,
		"fpr_canary": c.Canary.FPR, "fpr_active": c.Active.FPR, "fpr_diff": c.FPRDiff, "tpr_diff": c.TPRDiff,
		"margin": margin, "min_sample": minN, "checks_in_a_row": c.Streak, "checks": c.Checks}
	switch c.Decision {
	case "rollback":
		if err := s.autoRollback(ctx, cm, am, detail); err != nil {
			return err
		}
		s.cfg.Logger.Warn("controlplane: rolled the combiner's canary back", "canary", c.Canary.Version, "active", c.Active.Version,
			"fpr_canary", c.Canary.FPR.Rate, "fpr_active", c.Active.FPR.Rate, "fpr_low", c.FPRDiff.Low,
			"tpr_canary", c.Canary.TPR.Rate, "tpr_active", c.Active.TPR.Rate, "tpr_low", c.TPRDiff.Low)
	case "promote":
		if err := s.autoPromote(ctx, cm, am, detail); err != nil {
			return err
		}
		s.cfg.Logger.Info("controlplane: promoted the combiner's canary", "canary", c.Canary.Version, "active", c.Active.Version)
	}
	return nil
}

// checkShadow, when no canary runs apart from the active model, makes the
// shadow the canary once it is shown not worse on the labelled events
// scored with it beside the active model: the one-sided 95% upper bounds
// of FPR(shadow) − FPR(active) and of TPR(active) − TPR(shadow) both under
// the margin, with the minimum sample of each class for both (audited
// model.auto_canary). The canary checks then take it on. A shadow the
// watch retired (a canary rolled back) is not made the canary again.
func (s *Server) checkShadow(ctx context.Context, now time.Time) error {
	f, err := s.compareShadow(ctx, now)
	if err != nil || f == nil {
		return err
	}
	_, aref, err := s.currentCombiner(ctx)
	if err != nil || f.Version == aref.Version {
		return err
	}
	if rm, _, err := s.stagePointer(ctx, "retired"); err != nil || rm != nil && rm.SHA256 == f.SHA256 {
		return err
	}
	minN := int64(s.cfg.CanaryMinSample)
	if f.ShadowFPR.N < minN || f.ActiveFPR.N < minN || f.ShadowTPR.N < minN || f.ActiveTPR.N < minN {
		return nil
	}
	fd, td := newcombe(f.ShadowFPR, f.ActiveFPR), newcombe(f.ActiveTPR, f.ShadowTPR)
	if fd.High >= s.cfg.CanaryMargin || td.High >= s.cfg.CanaryMargin {
		return nil
	}
	sm, _, err := s.stagePointer(ctx, "shadow")
	if err != nil || sm == nil || sm.SHA256 != f.SHA256 {
		return err // moved meanwhile: the next check sees it
	}
	if _, err := s.point(ctx, sm, "canary"); err != nil {
		return err
	}
	s.cfg.Logger.Info("controlplane: the combiner's shadow is now its canary", "shadow", f.Version, "active", aref.Version)
	return s.auditAs(ctx, canaryActor, "model.auto_canary", artefact.PointerKey(artefact.KindCombiner, "canary"), map[string]any{
		"version": f.Version, "sha256": f.SHA256, "active": aref.Version, "fpr_shadow": f.ShadowFPR, "fpr_active": f.ActiveFPR,
		"tpr_shadow": f.ShadowTPR, "tpr_active": f.ActiveTPR, "fpr_diff": fd, "tpr_diff": td,
		"margin": s.cfg.CanaryMargin, "min_sample": minN})
}

// autoRollback points the canary back at the active model (an instance
// then scores its canary clients with the active one) and retires the
// canary's artefact.
func (s *Server) autoRollback(ctx context.Context, cm, am *artefact.Manifest, detail map[string]any) error {
	target := artefact.PointerKey(artefact.KindCombiner, "canary")
	if am != nil {
		if _, err := s.point(ctx, am, "canary"); err != nil {
			return err
		}
		detail["to"] = am.Version
		if err := s.auditAs(ctx, canaryActor, "model.auto_rollback", target, detail); err != nil {
			return err
		}
	} else {
		// no active pointer: instances run the embedded model, which is
		// published as the canary
		def, ref, err := s.currentCombiner(ctx)
		if err != nil {
			return err
		}
		payload, err := json.Marshal(def)
		if err != nil {
			return err
		}
		detail["to"] = ref.Version
		if _, err := s.publishModel(ctx, canaryActor, "model.auto_rollback", artefact.KindCombiner, ref.Version, payload, "canary", detail); err != nil {
			return err
		}
	}
	return s.retire(ctx, cm, "canary")
}

// autoPromote points active at the canary and retires the model it
// replaces.
func (s *Server) autoPromote(ctx context.Context, cm, am *artefact.Manifest, detail map[string]any) error {
	if _, err := s.point(ctx, cm, "active"); err != nil {
		return err
	}
	detail["from"] = "canary"
	if err := s.auditAs(ctx, canaryActor, "model.auto_promote", artefact.PointerKey(artefact.KindCombiner, "active"), detail); err != nil {
		return err
	}
	if am == nil {
		return nil
	}
	return s.retire(ctx, am, "active")
}

// retire points the retired stage at m, which left stage from.
func (s *Server) retire(ctx context.Context, m *artefact.Manifest, from string) error {
	if _, err := s.point(ctx, m, "retired"); err != nil {
		return err
	}
	return s.auditAs(ctx, canaryActor, "model.retire", artefact.PointerKey(artefact.KindCombiner, "retired"),
		map[string]any{"from": from, "version": m.Version, "sha256": m.SHA256})
}

// compareShadow computes the shadow's figures; nil when no shadow is set.
func (s *Server) compareShadow(ctx context.Context, now time.Time) (*ShadowFigures, error) {
	sm, since, err := s.stagePointer(ctx, "shadow")
	if err != nil || sm == nil {
		return nil, err
	}
	v, err := s.modelVersion(ctx, "shadow", sm)
	if err != nil {
		return nil, err
	}
	f := &ShadowFigures{Version: v, SHA256: sm.SHA256, Since: since}
	counts, err := s.countsSince(ctx, since, now)
	if err != nil {
		return nil, err
	}
	for _, mc := range counts {
		if mc.Shadow == v {
			f.Events += mc.Events
			f.ActiveRefused += mc.Blocked
			f.ShadowRefused += mc.ShadowRefused
			f.ShadowOnly += mc.ShadowOnly
			f.ActiveOnly += mc.ModelOnly
		}
	}
	tl, err := s.tally(ctx, since, v)
	if err != nil {
		return nil, err
	}
	sh, ac := tl["shadow"], tl["active"]
	if sh == nil {
		sh, ac = &labelTally{}, &labelTally{}
	}
	f.ShadowFPR, f.ActiveFPR = rateOf(sh.fp, sh.benign), rateOf(ac.fp, ac.benign)
	f.ShadowTPR, f.ActiveTPR = rateOf(sh.detected, sh.attacks), rateOf(ac.detected, ac.attacks)
	return f, nil
}

// apiCompare answers GET /api/v1/models/{kind}/compare: the canary
// against the active model now, the watch's last check, and the shadow's
// disagreements.
func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) {
	if kind := chi.URLParam(r, "kind"); kind != artefact.KindCombiner {
		s.fail(w, r, bad("kind %q: only the combiner has shadow and canary stages", kind))
		return
	}
	now := s.cfg.Now()
	c, _, _, err := s.compareCanary(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sh, err := s.compareShadow(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.canary.mu.Lock()
	last := s.canary.last
	s.canary.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"canary": c, "last_check": last, "shadow": sh,
		"policy": map[string]any{"every": s.cfg.CanaryCheckEvery.String(), "margin": s.cfg.CanaryMargin,
			"min_sample": s.cfg.CanaryMinSample, "checks": s.cfg.CanaryChecks, "z": canaryZ,
			"automatic": s.cfg.CanaryCheckEvery > 0},
	})
}
