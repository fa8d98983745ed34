package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/combiner"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/trainer"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// Retraining (issue 15): the combiner is refitted on the control plane
// from the events operators labelled, on demand (POST
// /api/v1/models/combiner/retrain), every Config.RetrainEvery, and when
// the drift watch raises an incident (Config.RetrainOnDrift), and the
// candidate is published in stage "candidate" with its report.
//
// The examples are the labelled events only: "attack" is an attack,
// "benign" (a false positive) is benign; "unsure" and unlabelled events
// are left out. An unlabelled event is not known benign (an attack no
// rule caught looks the same) and benign events reach the history
// sampled, so their counts would not be the traffic's. The held-back FPR
// is therefore the share of the labelled false positives still refused,
// not an FPR over all traffic.
//
// An event carries its top reasons (event.MaxReasons rule ids, strongest
// first) and not every signal, nor their confidences. Each reason becomes
// a signal of its rule; its confidence is what the current model's
// evidence for the rule implies (1 − e^(−LLR/w), w its unknown-rule
// weight) when the model knows the rule, so that the fit shrinks a rule
// with little support toward what the current model gave it. The rules
// it does not know share one confidence, the one at which the current
// model gives the event back its stored score (by bisection): the current
// model then refuses on these signals what it refused live, up to the
// signals beyond the top reasons and a change of model since. The detector family (signature, behavior,
// anomaly) follows from the rule's prefix. Timing a whole assessment
// needs the requests, which are not kept: the report's mean_combine_ns
// times the combiner on those signals.
//
// The fit and the search are internal/trainer's: the newest HoldOut share
// of the examples by event time is held back, the rest trains, random
// search runs within the budget, and both the candidate and the current
// active model (the embedded one when none is published) are measured
// on the same held-back window.
const (
	// MinRetrainLabels is the fewest events of each label (attack,
	// benign) a retrain takes.
	MinRetrainLabels = 25
	// MinHeldLabels is the fewest of each label the held-back window and
	// the training part must each hold.
	MinHeldLabels = 3
	// MaxRetrainBudget bounds a retrain's budget (the API answers within
	// its 60 s write timeout).
	MaxRetrainBudget = 45 * time.Second
	// DefaultRetrainBudget is Config.RetrainBudget's default.
	DefaultRetrainBudget = 20 * time.Second
	// retrainHoldOut is the held-back share by default.
	retrainHoldOut = 0.2
	// reportBucket keeps the candidates' reports, by kind and SHA-256.
	reportBucket = "bulwark_model_reports"

	probTooFewLabels = "urn:bulwark:problem:too-few-labels"
)

var (
	errRetrainRunning = &apiError{http.StatusConflict, probConflict, "a retrain is running"}
	// errUnchanged: the labels are those of the last retrain (a scheduled
	// or drift retrain then does nothing).
	errUnchanged = errors.New("controlplane: no new labels since the last retrain")
)

// tooFewLabels is the refusal of a retrain on too few labels.
func tooFewLabels(format string, args ...any) error {
	return &apiError{http.StatusConflict, probTooFewLabels, fmt.Sprintf(format, args...)}
}

func (c *Config) retrainDefaults() error {
	if c.RetrainBudget == 0 {
		c.RetrainBudget = DefaultRetrainBudget
	}
	if c.RetrainBudget < 0 || c.RetrainBudget > MaxRetrainBudget || c.RetrainEvery < 0 {
		return fmt.Errorf("controlplane: want a retrain budget in (0, %v] and RetrainEvery >= 0", MaxRetrainBudget)
	}
	return nil
}

// retrainer holds the retrain's state.
type retrainer struct {
	mu      sync.Mutex // held by a running retrain
	lastFP  string     // fingerprint of the labels of the last retrain
	kick    chan string
	reports jetstream.KeyValue
}

// startRetrain makes the report bucket and, when a schedule or drift
// retrains, starts the loop that runs them.
func (s *Server) startRetrain(ctx, bg context.Context) error {
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: reportBucket,
		Description: "bulwark retrain reports, by kind and artefact SHA-256", Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("controlplane: report bucket: %w", err)
	}
	s.retrain = &retrainer{kick: make(chan string, 1), reports: kv}
	if s.cfg.RetrainEvery > 0 || s.cfg.RetrainOnDrift {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.retrainLoop(bg) }()
	}
	return nil
}

// retrainOnDrift asks the loop for a retrain after a drift on route; it
// never blocks (a retrain already asked for covers it).
func (s *Server) retrainOnDrift(route string) {
	if s.cfg.RetrainOnDrift {
		select {
		case s.retrain.kick <- route:
		default:
		}
	}
}

func (s *Server) retrainLoop(ctx context.Context) {
	var tick <-chan time.Time
	if s.cfg.RetrainEvery > 0 {
		t := time.NewTicker(s.cfg.RetrainEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		trigger, actor := "schedule", "retrain-schedule"
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case route := <-s.retrain.kick:
			trigger, actor = "drift:"+route, "retrain-drift"
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.RetrainBudget+time.Minute)
		rep, err := s.runRetrain(rctx, retrainRun{trigger: trigger, actor: actor, budget: s.cfg.RetrainBudget, holdOut: retrainHoldOut, skipUnchanged: true})
		cancel()
		var ae *apiError
		switch {
		case errors.Is(err, errUnchanged):
		case errors.As(err, &ae):
			s.cfg.Logger.Info("controlplane: retrain not run", "trigger", trigger, "why", ae.detail)
		case err != nil:
			if ctx.Err() == nil {
				s.cfg.Logger.Warn("controlplane: retrain", "trigger", trigger, "err", err)
			}
		default:
			s.cfg.Logger.Info("controlplane: retrained the combiner: a candidate", "trigger", trigger, "version", rep.Version,
				"tpr", rep.Candidate.TPR, "fpr", rep.Candidate.FPR, "current_tpr", rep.Current.TPR, "current_fpr", rep.Current.FPR, "not_worse", rep.NotWorse)
		}
	}
}

// RetrainRequest is the body of POST /api/v1/models/combiner/retrain;
// every field is optional.
type RetrainRequest struct {
	Budget  string  `json:"budget,omitempty"`   // the search's time budget, a Go duration up to MaxRetrainBudget; default Config.RetrainBudget
	HoldOut float64 `json:"hold_out,omitempty"` // the newest share held back, in [0.05, 0.5]; default 0.2
	Seed    uint64  `json:"seed,omitempty"`     // of the random search
}

// apiRetrain answers POST /api/v1/models/{kind}/retrain.
func (s *Server) apiRetrain(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	if kind != artefact.KindCombiner && kind != artefact.KindForest {
		s.fail(w, r, bad("kind %q: the control plane retrains the combiner and the forest (events do not carry the request sequences the sequence model learns from: benign ones are sampled)", kind))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req RetrainRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := DecodeStrict(body, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	run := retrainRun{trigger: "api", actor: claimsOf(r).Subject, budget: s.cfg.RetrainBudget, holdOut: retrainHoldOut, seed: req.Seed}
	if req.Budget != "" {
		if run.budget, err = time.ParseDuration(req.Budget); err != nil || run.budget <= 0 || run.budget > MaxRetrainBudget {
			s.fail(w, r, bad("budget %q: a duration in (0, %v]", req.Budget, MaxRetrainBudget))
			return
		}
	}
	if req.HoldOut != 0 {
		if req.HoldOut < 0.05 || req.HoldOut > 0.5 {
			s.fail(w, r, bad("hold_out %v: in [0.05, 0.5]", req.HoldOut))
			return
		}
		run.holdOut = req.HoldOut
	}
	retrain := s.runRetrain
	if kind == artefact.KindForest {
		retrain = s.runForestRetrain
	}
	rep, err := retrain(r.Context(), run)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rep)
}

// apiReports answers GET /api/v1/models/{kind}/reports: the retrain
// reports of kind, newest first.
func (s *Server) apiReports(w http.ResponseWriter, r *http.Request) {
	kind := chi.URLParam(r, "kind")
	n, err := limitParam(r, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys, err := s.retrain.reports.Keys(r.Context())
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		s.fail(w, r, err)
		return
	}
	out := []*RetrainReport{}
	for _, k := range keys {
		if !strings.HasPrefix(k, kind+".") {
			continue
		}
		if rep, err := s.report(r.Context(), k); err == nil {
			out = append(out, rep)
		}
	}
	slices.SortFunc(out, func(a, b *RetrainReport) int { return b.Created.Compare(a.Created) })
	writeJSON(w, http.StatusOK, map[string]any{"items": out[:min(n, len(out))]})
}

// apiReport answers GET /api/v1/models/{kind}/reports/{sha256}: the
// report of the candidate of that hash.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	kind, sum := chi.URLParam(r, "kind"), chi.URLParam(r, "sha256")
	if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size || strings.ToLower(sum) != sum {
		s.fail(w, r, bad("sha256 %q: 64 lower-case hex digits", sum))
		return
	}
	rep, err := s.report(r.Context(), kind+"."+sum)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) report(ctx context.Context, key string) (*RetrainReport, error) {
	e, err := s.retrain.reports.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return nil, fmt.Errorf("%w: no report %s", history.ErrNotFound, key)
	}
	if err != nil {
		return nil, err
	}
	var rep RetrainReport
	if err := json.Unmarshal(e.Value(), &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// RetrainReport is a candidate's evaluation report: what it was trained
// on, and it and the current model on the same held-back window.
type RetrainReport struct {
	Kind    string    `json:"kind"`
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	Stage   string    `json:"stage"`
	Created time.Time `json:"created"`
	Trigger string    `json:"trigger"` // api, schedule, drift:<route>
	Actor   string    `json:"actor"`
	// CurrentModel is the model the candidate is measured against: the
	// active combiner, or the embedded one when none is published.
	CurrentModel ModelRef `json:"current_model"`
	// Labelled counts the labelled events read, by label ("unsure" ones
	// are not used).
	Labelled map[string]int `json:"labelled"`
	Train    SplitWindow    `json:"train"`
	HeldBack SplitWindow    `json:"held_back"`
	// BlockScore is the score at which both models are counted refusing.
	BlockScore float64 `json:"block_score"`
	Budget     string  `json:"budget"`
	Elapsed    string  `json:"elapsed"`
	Tried      int     `json:"candidates_tried"`
	Hyper      struct {
		Support   float64 `json:"support"`
		MaxLLR    float64 `json:"max_llr"`
		MinLLR    float64 `json:"min_llr"`
		TargetFPR float64 `json:"target_fpr"`
	} `json:"hyperparameters"`
	Candidate EvalReport `json:"candidate"`
	Current   EvalReport `json:"current"`
	// NotWorse: the candidate's held-back FPR is no higher than the
	// current model's and its TPR no lower.
	NotWorse bool     `json:"not_worse"`
	Notes    []string `json:"notes"`
}

// ModelRef names a model.
type ModelRef struct {
	Source  string `json:"source"` // "active" or "embedded"
	Version string `json:"version"`
	SHA256  string `json:"sha256,omitempty"`
}

// SplitWindow is one side of the time split.
type SplitWindow struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Attacks int       `json:"attacks"`
	Benign  int       `json:"benign"`
}

// EvalReport is one model on the held-back window.
type EvalReport struct {
	TPR     float64 `json:"tpr"` // share of the labelled attacks refused
	FPR     float64 `json:"fpr"` // share of the labelled false positives refused
	Attacks int     `json:"attacks"`
	Benign  int     `json:"benign"`
	// TPRByFamily and FPRByFamily are the shares refused by the attack
	// family of the event (its top reason's detector; "none" without one).
	TPRByFamily map[string]float64 `json:"tpr_by_family"`
	FPRByFamily map[string]float64 `json:"fpr_by_family"`
	// ECE is the expected calibration error over ten score bins, Brier
	// the mean squared error of the score as a probability.
	ECE   float64 `json:"ece"`
	Brier float64 `json:"brier"`
	// MeanCombineNs is the mean time of the combiner on one event's
	// signals (not a whole assessment: the detectors are not re-run).
	MeanCombineNs float64 `json:"mean_combine_ns"`
}

func evalReport(e trainer.Eval) EvalReport {
	out := EvalReport{TPR: e.TPR, FPR: e.FPR, Attacks: e.Attacks, Benign: e.Benign, ECE: e.ECE, Brier: e.Brier,
		MeanCombineNs: e.MeanNs, TPRByFamily: map[string]float64{}, FPRByFamily: map[string]float64{}}
	for k, v := range e.PerFamily {
		if f, ok := strings.CutPrefix(k, "attack:"); ok {
			out.TPRByFamily[f] = v
		} else if f, ok := strings.CutPrefix(k, "benign:"); ok {
			out.FPRByFamily[f] = v
		}
	}
	return out
}

var retrainNotes = []string{
	"examples are the labelled events: attack labels are attacks, benign labels (false positives) benign; unsure labels and unlabelled events are not used, so fpr is the share of the held-back window's labelled false positives refused, not an FPR over all traffic",
	"the split is on event time: the newest share is held back, never trained on",
	"events carry their top reasons (rule ids), not every signal nor its confidence: confidences are reconstructed from the current model's evidence for known rules and from the event's stored score for the others",
	"mean_combine_ns times the combiner on the stored reasons, not a whole assessment (requests are not kept, detectors are not re-run)",
}

// retrainRun is what one retrain is asked.
type retrainRun struct {
	trigger, actor string
	budget         time.Duration
	holdOut        float64
	seed           uint64
	skipUnchanged  bool // a scheduled or drift retrain: nothing when the labels are the last retrain's
}

// runRetrain builds the examples from the labelled history, tunes a
// candidate within the run's budget, publishes it as the combiner's
// candidate with its report, and audits it ("model.retrain").
func (s *Server) runRetrain(ctx context.Context, run retrainRun) (*RetrainReport, error) {
	rt := s.retrain
	if !rt.mu.TryLock() {
		return nil, errRetrainRunning
	}
	defer rt.mu.Unlock()
	current, ref, err := s.currentCombiner(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := trainer.Params(current)
	if err != nil {
		return nil, err
	}
	labelled := map[string]int{}
	var examples []trainer.Example
	fp := sha256.New()
	fp.Write([]byte(ref.Version + "\x00" + ref.SHA256 + "\x00"))
	err = s.Store.Labelled(ctx, s.cfg.Tenant, func(e *history.Event) error {
		labelled[e.Label]++
		if e.Label != "attack" && e.Label != "benign" {
			return nil
		}
		fp.Write(e.ID[:])
		fp.Write([]byte(e.Label))
		examples = append(examples, example(e, current, cur))
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(fp.Sum(nil))
	if run.skipUnchanged && sum == rt.lastFP {
		return nil, errUnchanged
	}
	if labelled["attack"] < MinRetrainLabels || labelled["benign"] < MinRetrainLabels {
		return nil, tooFewLabels("too few labelled events to retrain: %d attack and %d benign, want at least %d of each",
			labelled["attack"], labelled["benign"], MinRetrainLabels)
	}
	trainer.Split(examples, run.holdOut)
	train, held := windows(examples)
	if held.Attacks < MinHeldLabels || held.Benign < MinHeldLabels || train.Attacks < MinHeldLabels || train.Benign < MinHeldLabels {
		return nil, tooFewLabels("the time split leaves too few of a label on one side: training %d attack and %d benign, held back (from %s) %d attack and %d benign; want at least %d of each on each side",
			train.Attacks, train.Benign, held.From.Format(time.RFC3339), held.Attacks, held.Benign, MinHeldLabels)
	}
	now := s.cfg.Now().UTC()
	version := "retrain-" + now.Format("20060102-150405")
	tr, err := trainer.Tune(ctx, examples, current, trainer.Config{Budget: run.budget, HoldOut: run.holdOut, Seed: run.seed, Version: version})
	if err != nil {
		return nil, fmt.Errorf("controlplane: retrain: %w", err)
	}
	p, err := trainer.Params(tr.Candidate)
	if err != nil {
		return nil, err
	}
	p.TrainedOn = fmt.Sprintf("control plane: %d attack and %d benign labelled events from %s to %s; held back from %s",
		train.Attacks+held.Attacks, train.Benign+held.Benign, train.From.Format(time.RFC3339), held.To.Format(time.RFC3339), held.From.Format(time.RFC3339))
	p.Metrics = map[string]float64{"heldout_tpr": tr.Cand.TPR, "heldout_fpr": tr.Cand.FPR, "heldout_ece": tr.Cand.ECE,
		"current_heldout_tpr": tr.Cur.TPR, "current_heldout_fpr": tr.Cur.FPR}
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	rep := &RetrainReport{Kind: artefact.KindCombiner, Version: version, Stage: "candidate", Created: now, Trigger: run.trigger,
		Actor: run.actor, CurrentModel: ref, Labelled: labelled, Train: train, HeldBack: held, BlockScore: trainer.Defaults.Block,
		Budget: run.budget.String(), Elapsed: tr.Elapsed.Round(time.Millisecond).String(), Tried: tr.Tried,
		Candidate: evalReport(tr.Cand), Current: evalReport(tr.Cur), NotWorse: tr.NotWorse, Notes: retrainNotes}
	rep.Hyper.Support, rep.Hyper.MaxLLR, rep.Hyper.MinLLR, rep.Hyper.TargetFPR = tr.Hyper.Support, tr.Hyper.MaxLLR, tr.Hyper.MinLLR, tr.Hyper.TargetFPR
	// the report is stored under the payload's hash (the artefact's name)
	// before the pointer moves, so a candidate never lacks its report
	h := sha256.Sum256(payload)
	rep.SHA256 = hex.EncodeToString(h[:])
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	if _, err := rt.reports.Put(ctx, artefact.KindCombiner+"."+rep.SHA256, b); err != nil {
		return nil, fmt.Errorf("controlplane: storing the retrain report: %w", err)
	}
	if _, err := s.publishModel(ctx, run.actor, "model.retrain", artefact.KindCombiner, version, payload, "candidate", map[string]any{
		"trigger": run.trigger, "current": ref.Version, "held_back_from": held.From, "held_back_attacks": held.Attacks, "held_back_benign": held.Benign,
		"tpr": tr.Cand.TPR, "fpr": tr.Cand.FPR, "current_tpr": tr.Cur.TPR, "current_fpr": tr.Cur.FPR, "not_worse": tr.NotWorse,
	}); err != nil {
		return nil, err
	}
	rt.lastFP = sum
	return rep, nil
}

// currentCombiner is the active combiner (verified under the control
// plane's key), or the embedded model SDK instances run when none is
// published.
func (s *Server) currentCombiner(ctx context.Context) (*threat.Model, ModelRef, error) {
	v := artefact.NewVerifier(map[string]ed25519.PublicKey{s.signer.KeyID(): s.signer.Public()})
	m, payload, err := artefact.Fetch(ctx, s.js, v, artefact.KindCombiner, "active")
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		def, err := standard.DefaultModel()
		return def, ModelRef{Source: "embedded", Version: def.Version()}, err
	}
	if err != nil {
		return nil, ModelRef{}, fmt.Errorf("controlplane: the active combiner: %w", err)
	}
	model, err := threat.ParseModel(payload)
	if err != nil {
		return nil, ModelRef{}, fmt.Errorf("controlplane: the active combiner %s: %w", m.Version, err)
	}
	return model, ModelRef{Source: "active", Version: m.Version, SHA256: m.SHA256}, nil
}

// windows are the training and held-back sides of split examples.
func windows(examples []trainer.Example) (train, held SplitWindow) {
	for i := range examples {
		e := &examples[i]
		w := &train
		if e.Held {
			w = &held
		}
		if w.From.IsZero() || e.Time.Before(w.From) {
			w.From = e.Time
		}
		if e.Time.After(w.To) {
			w.To = e.Time
		}
		if e.Attack {
			w.Attacks++
		} else {
			w.Benign++
		}
	}
	return train, held
}

// example is the training example of a labelled event, its signals
// rebuilt from its reasons under the current model (parameters cur).
func example(e *history.Event, current *threat.Model, cur combiner.Params) trainer.Example {
	attack := e.Label == "attack"
	fam := e.Family
	if fam == "" {
		fam = "none"
	}
	cat := "benign:" + fam
	if attack {
		cat = "attack:" + fam
	}
	return trainer.Example{Time: e.Time, Attack: attack, Category: cat, Signals: signals(e, current, cur)}
}

// signals rebuilds an event's signals from its reasons (see the top of
// the file): a rule the current model knows gets the confidence its
// evidence implies; the others share one confidence, found by bisection,
// at which the current model scores the event as it was stored.
func signals(e *history.Event, current *threat.Model, cur combiner.Params) []threat.Signal {
	if len(e.Reasons) == 0 {
		return nil
	}
	w := cur.UnknownWeight
	if w <= 0 {
		w = 1
	}
	out := make([]threat.Signal, 0, len(e.Reasons))
	var unknown []int
	for i, r := range e.Reasons {
		det, _, _ := strings.Cut(r, ".")
		if i == 0 && e.Family != "" {
			det = e.Family
		}
		s := threat.Signal{Detector: det, Family: detectorFamily(det), Rule: r, Location: "event"}
		if v, ok := cur.LLR[r]; ok {
			s.Confidence = math.Min(math.Max(1-math.Exp(-v/w), 0), maxConfidence)
		} else {
			unknown = append(unknown, i)
		}
		out = append(out, s)
	}
	if len(unknown) == 0 {
		return out
	}
	set := func(c float64) float64 {
		for _, i := range unknown {
			out[i].Confidence = c
		}
		return current.Combine(out).Score
	}
	lo, hi := 0.0, maxConfidence
	if set(hi) <= e.Score {
		return out
	}
	for range 40 {
		mid := (lo + hi) / 2
		if set(mid) < e.Score {
			lo = mid
		} else {
			hi = mid
		}
	}
	set((lo + hi) / 2)
	return out
}

// maxConfidence is the highest confidence the combiner takes.
const maxConfidence = 1 - 1e-4

// detectorFamily is the family of a detector's signals, as the detectors
// set Signal.Family: the combiner damps the weaker rules of one family.
func detectorFamily(detector string) string {
	switch detector {
	case "behavior", "bot":
		return "behavior"
	case "anomaly":
		return "anomaly"
	}
	return "signature"
}
