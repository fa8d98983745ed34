// Command replay measures the control plane's learning loop (issue 15)
// on labelled data: what an operator's feedback (false-positive labels,
// their suppressions, and a combiner retrained from the labels, taken
// through shadow and canary to active) does to detection on requests it
// has not seen.
//
//	go run ./examples/controlplane/replay \
//	    -benign ../shared/data/requests-benign-text.jsonl.gz \
//	    -attacks ../shared/data/requests-payloads.jsonl.gz \
//	    -dev ../shared/data/requests-dev.jsonl.gz -json
//
// It starts a control plane (embedded NATS and SQLite in a temporary
// directory) and two SDK instances (the default Guard behind the
// middleware, exporting events and watching decisions and models, as in
// examples/chi). Every request comes from its own fresh client address,
// so no penalty box, ban or rate carries from one request to another. A
// request counts as refused when the middleware answered it instead of
// the application.
//
// The rows of each file are split in halves by the FNV-1a hash of their
// id (even: first half), and streamed in the order of that hash (the
// files are sorted by attack family; traffic is not). The steps:
//
//  1. Before: the second halves (and -dev) are streamed through the
//     instances, which run the defaults and know no feedback.
//  2. The first halves are streamed, benign and attack rows interleaved,
//     alternating between the instances.
//  3. An operator labels, through the API, every first-half benign
//     request the instances refused: its event is found in the client's
//     timeline and labelled benign with a suppression of its top rule on
//     its route and parameter ("suppress": "rule"). The request is sent
//     again to each instance until it passes; when a second rule still
//     refuses it, that event is labelled too. The operator also reviews a
//     sample of the first-half traffic (1 row in -review, by the hash of
//     the id) and labels it from the data set's ground truth: attacks
//     "attack", benign rows "benign" without a suppression.
//  4. The combiner is retrained from the labels (POST
//     /api/v1/models/combiner/retrain), the candidate moved to shadow and
//     the first halves streamed again (the shadow scores beside the active
//     model; another sample, rows whose labels the retrain did not see,
//     is labelled from ground truth), then moved to
//     canary, scoring half the clients (-canary-fraction); the first halves
//     are streamed a third time and that sample labelled, and the control
//     plane's canary watch promotes the canary when it is not worse, or
//     rolls it back.
//  5. After: the second halves (and -dev) are streamed again with
//     everything in force, each row paired with its own before.
//
// The prose FPR's fall is tested with an exact one-sided McNemar test on
// the paired second-half benign rows: under no change, a discordant pair
// (refused before and not after, or the reverse) is either way with
// probability ½; p is the chance of at least as many fixed among them.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// errUsage is a command line run cannot act on (it has printed why).
var errUsage = errors.New("replay: usage")

type options struct {
	benign, attacks, dev string
	asJSON               bool
	limit                int
	review               int
	budget               time.Duration
	seed                 uint64
	canaryFraction       float64
	canaryEvery          time.Duration
	canaryMinSample      int
	promoteWait          time.Duration
	verbose              bool
	suppress             string
}

// run is the command: it parses args, replays, and prints the table (or
// the JSON object) to stdout; progress goes to stderr with -v.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.benign, "benign", "", "labelled benign requests (.jsonl or .jsonl.gz), e.g. requests-benign-text")
	fs.StringVar(&o.attacks, "attacks", "", "labelled attack requests, e.g. requests-payloads")
	fs.StringVar(&o.dev, "dev", "", "also score these labelled requests before and after the feedback (tpr_dev, fpr_dev)")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object instead of a table")
	fs.IntVar(&o.limit, "limit", 0, "read only the first N rows of each file (0: all)")
	fs.IntVar(&o.review, "review", 10, "the operator labels 1 first-half row in N from ground truth (and as many other rows during shadow and canary)")
	budget := fs.String("budget", "20s", "the retrain's search budget")
	fs.Uint64Var(&o.seed, "seed", 1, "the retrain's random search seed")
	fs.Float64Var(&o.canaryFraction, "canary-fraction", 0.5, "the share of clients the instances score with the canary")
	fs.DurationVar(&o.canaryEvery, "canary-every", 250*time.Millisecond, "the control plane's canary check interval (CANARY_CHECK_EVERY)")
	fs.IntVar(&o.canaryMinSample, "canary-min-sample", server.DefaultCanaryMinSample, "labelled events of each class each model needs (CANARY_MIN_SAMPLE)")
	fs.DurationVar(&o.promoteWait, "promote-wait", 30*time.Second, "how long to wait for the canary watch's decision")
	fs.BoolVar(&o.verbose, "v", false, "report each step on stderr")
	fs.StringVar(&o.suppress, "suppress", "checked", "false positives' suppressions: checked (only one no reviewed attack would pass) or all (every rule until the request passes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.benign == "" || o.attacks == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "replay: want -benign FILE and -attacks FILE")
		fs.Usage()
		return errUsage
	}
	var err error
	if o.budget, err = time.ParseDuration(*budget); err != nil {
		return fmt.Errorf("replay: -budget: %w", err)
	}
	if o.review < 1 || !(o.canaryFraction > 0 && o.canaryFraction <= 1) || o.suppress != "checked" && o.suppress != "all" {
		return fmt.Errorf("replay: want -review >= 1, -canary-fraction in (0, 1] and -suppress checked or all")
	}
	read := func(path string) ([]labelled.Row, error) {
		if path == "" {
			return nil, nil
		}
		rows, err := labelled.Read(path)
		if o.limit > 0 && len(rows) > o.limit {
			rows = rows[:o.limit]
		}
		return rows, err
	}
	benign, err := read(o.benign)
	if err != nil {
		return err
	}
	attacks, err := read(o.attacks)
	if err != nil {
		return err
	}
	dev, err := read(o.dev)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if o.verbose {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	rep, err := replay(context.Background(), o, benign, attacks, dev, log)
	if err != nil {
		return err
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	printTable(stdout, rep)
	return nil
}

// hash is the FNV-1a hash of a row id: its low bit picks the half, the
// rest the review sample.
func hash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

func firstHalf(r *labelled.Row) bool { return hash(r.ID)%2 == 0 }

// reviewed says r is in sample k (0 ≤ k < n) of the 1-in-n samples: the
// operator's review is sample 0, the labels of the shadow and canary
// periods sample 1, rows the retrain never saw labelled (with n = 1 the
// two are one sample).
func reviewed(r *labelled.Row, n, k int) bool { return hash(r.ID)>>1%uint64(n) == uint64(k%n) }

// halves splits rows by firstHalf, each half in shuffled order.
func halves(rows []labelled.Row) (first, second []*labelled.Row) {
	for _, r := range shuffled(rows) {
		if firstHalf(r) {
			first = append(first, r)
		} else {
			second = append(second, r)
		}
	}
	return first, second
}

// shuffled orders rows by the hash of their id: the files are sorted by
// attack family, traffic is not (and the retrain holds back the newest
// labels: a sorted stream would hold back families it never trained on).
func shuffled(rows []labelled.Row) []*labelled.Row {
	out := make([]*labelled.Row, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	slices.SortStableFunc(out, func(a, b *labelled.Row) int { return cmp.Compare(hash(a.ID), hash(b.ID)) })
	return out
}

// interleave merges a and b in proportion, as mixed traffic arrives (the
// retrain holds back the newest labels: both kinds must be among them).
func interleave(a, b []*labelled.Row) []*labelled.Row {
	out := make([]*labelled.Row, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		// take from a while its share sent is behind b's
		if j >= len(b) || i < len(a) && float64(i)*float64(len(b)) <= float64(j)*float64(len(a)) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// sent is one request of a stream.
type sent struct {
	row     *labelled.Row
	in      *instance
	client  string
	refused bool
}

// rates are the detection figures of one pass over labelled rows.
type rates struct {
	Benign  int     `json:"benign"`
	FP      int     `json:"fp"`
	FPR     float64 `json:"fpr"`
	Attacks int     `json:"attacks"`
	TP      int     `json:"tp"`
	TPR     float64 `json:"tpr"`
}

func ratesOf(s []sent) rates {
	var r rates
	for _, x := range s {
		if x.row.Attack() {
			r.Attacks++
			if x.refused {
				r.TP++
			}
		} else {
			r.Benign++
			if x.refused {
				r.FP++
			}
		}
	}
	if r.Benign > 0 {
		r.FPR = float64(r.FP) / float64(r.Benign)
	}
	if r.Attacks > 0 {
		r.TPR = float64(r.TP) / float64(r.Attacks)
	}
	return r
}

// mcnemar is the exact one-sided McNemar test: the chance, under no
// change, of at least fixed of the fixed+broken discordant pairs going
// the improving way (Binomial(fixed+broken, ½)).
func mcnemar(fixed, broken int) float64 {
	n := fixed + broken
	if n == 0 {
		return 1
	}
	p := 0.0
	for k := fixed; k <= n; k++ {
		lg, _ := math.Lgamma(float64(n + 1))
		l1, _ := math.Lgamma(float64(k + 1))
		l2, _ := math.Lgamma(float64(n - k + 1))
		p += math.Exp(lg - l1 - l2 - float64(n)*math.Ln2)
	}
	return math.Min(p, 1)
}

// report is the replay's result. The first six fields are the issue's.
type report struct {
	FPRBefore  float64 `json:"fpr_before"`
	FPRAfter   float64 `json:"fpr_after"`
	TPRBefore  float64 `json:"tpr_before"`
	TPRAfter   float64 `json:"tpr_after"`
	LabelsUsed int     `json:"labels_used"`
	Promoted   bool    `json:"promoted"`

	// McNemarP is the exact one-sided McNemar p of the second-half benign
	// rows; Fixed were refused before and pass after, Broken the reverse.
	McNemarP float64 `json:"mcnemar_p"`
	Fixed    int     `json:"fixed"`
	Broken   int     `json:"broken"`
	// Changed names the second-half rows whose outcome changed, by how:
	// benign rows fixed and broken, attacks newly missed and newly
	// detected.
	Changed map[string][]string `json:"changed"`
	// TPRDev and FPRDev are -dev's with the feedback in force.
	TPRDev       *float64 `json:"tpr_dev,omitempty"`
	FPRDev       *float64 `json:"fpr_dev,omitempty"`
	TPRDevBefore *float64 `json:"tpr_dev_before,omitempty"`
	FPRDevBefore *float64 `json:"fpr_dev_before,omitempty"`
	// Before and After are the second halves' counts; DevBefore and
	// DevAfter -dev's.
	Before    rates  `json:"before"`
	After     rates  `json:"after"`
	DevBefore *rates `json:"dev_before,omitempty"`
	DevAfter  *rates `json:"dev_after,omitempty"`
	// Rows: the halves' sizes.
	Rows map[string]int `json:"rows"`
	// FirstHalf is the first pass, with no feedback.
	FirstHalf rates `json:"first_half"`
	// Labels counts the labels posted, by what they were.
	Labels map[string]int `json:"labels"`
	// Suppressions are those the false-positive labels made; Declined
	// those the checked policy did not make, with the reviewed attacks
	// each would have let through.
	Suppressions []suppression `json:"suppressions"`
	Declined     []suppression `json:"declined,omitempty"`
	// LabelledRows are the first-half benign rows labelled false
	// positives; LabelledRefusedAfter those still refused after (by any
	// instance).
	LabelledRows         int `json:"labelled_rows"`
	LabelledRefusedAfter int `json:"labelled_refused_after"`
	// Retrain is the retrain's report (or why none was made).
	Retrain retrained `json:"retrain"`
	// Shadow is the compare API's shadow figures after the shadow pass;
	// Canary the canary watch's last check.
	Shadow any `json:"shadow,omitempty"`
	Canary any `json:"canary,omitempty"`
	// CanaryOutcome says how the canary ended.
	CanaryOutcome string `json:"canary_outcome,omitempty"`
	// ActiveModel is the combiner both instances ran for the after pass.
	ActiveModel string         `json:"active_model"`
	Settings    map[string]any `json:"settings"`
	Elapsed     string         `json:"elapsed"`
}

// replay runs the steps of the package comment.
func replay(ctx context.Context, o options, benignRows, attackRows, devRows []labelled.Row, log *slog.Logger) (*report, error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", "bulwark-replay-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	natsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s, err := server.New(ctx, server.Config{DataDir: dir, Addr: "127.0.0.1:0", NATSAddr: natsAddr, Logger: log,
		APIRate: "1000000-M", RetrainBudget: o.budget, CanaryCheckEvery: o.canaryEvery, CanaryMinSample: o.canaryMinSample})
	if err != nil {
		return nil, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Close(cctx)
	}()
	var ins []*instance
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()
	for _, name := range []string{"replay-1", "replay-2"} {
		in, err := newInstance(s.SDKURL(), name, s.ModelKeys(), o.canaryFraction, log)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	for _, in := range ins {
		select {
		case <-in.watch.Ready():
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("replay: %s: the decision watch is not ready", in.name)
		}
	}
	tok, err := server.Mint(s.Key(), "replay-operator", "", []string{server.ScopeAdmin}, 24*time.Hour, time.Now())
	if err != nil {
		return nil, err
	}
	op := &operator{base: s.URL(), token: tok, http: &http.Client{Timeout: 90 * time.Second}}
	r := &replayer{ins: ins, op: op, log: log, policy: o.suppress}

	b1, b2 := halves(benignRows)
	a1, a2 := halves(attackRows)
	rep := &report{Labels: map[string]int{}, Suppressions: []suppression{},
		Rows: map[string]int{"benign_first": len(b1), "benign_second": len(b2), "attacks_first": len(a1), "attacks_second": len(a2), "dev": len(devRows)},
		Settings: map[string]any{"split": "FNV-1a 64 of the row id: even first half; streamed in its order", "review": fmt.Sprintf("1 in %d", o.review),
			"canary_fraction": o.canaryFraction, "canary_check_every": o.canaryEvery.String(), "canary_min_sample": o.canaryMinSample,
			"canary_margin": server.DefaultCanaryMargin, "canary_checks": server.DefaultCanaryChecks, "retrain_budget": o.budget.String(),
			"retrain_seed": o.seed, "suppress": o.suppress, "instances": len(ins), "client": "a fresh address a request"}}
	second := interleave(b2, a2)

	// 1. before
	log.Info("replay: before", "rows", len(second)+len(devRows))
	before := r.stream(second)
	devBefore := r.stream(shuffled(devRows))

	// 2. the first halves
	first := interleave(b1, a1)
	log.Info("replay: first halves", "rows", len(first))
	pass1 := r.stream(first)
	rep.FirstHalf = ratesOf(pass1)

	// 3. labels: the review sample, then the false positives
	if err := r.review(ctx, pass1, o.review, "review", func(x sent) bool { return !(x.refused && !x.row.Attack()) }); err != nil {
		return nil, err
	}
	var fps []*labelled.Row
	for _, x := range pass1 {
		if !x.row.Attack() && x.refused {
			fps = append(fps, x.row)
			if err := r.labelFalsePositive(ctx, x); err != nil {
				return nil, err
			}
		}
	}
	rep.LabelledRows = len(fps)
	rep.Suppressions, rep.Declined = r.sups, r.declined
	if rep.Suppressions == nil {
		rep.Suppressions = []suppression{}
	}

	// 4. retrain, shadow, canary, promotion
	if err := r.lifecycle(ctx, o, first, rep); err != nil {
		return nil, err
	}
	for k, v := range r.labels {
		rep.Labels[k] = v
		rep.LabelsUsed += v
	}

	// 5. after, with everything in force
	act := make([]string, len(ins))
	for i, in := range ins {
		act[i], _, _ = in.models()
	}
	rep.ActiveModel = act[0]
	if act[1] != act[0] {
		return nil, fmt.Errorf("replay: the instances run different active models, %s and %s", act[0], act[1])
	}
	log.Info("replay: after", "rows", len(second)+len(devRows), "model", rep.ActiveModel)
	after := r.stream(second)
	devAfter := r.stream(shuffled(devRows))
	for _, row := range fps {
		for _, in := range ins {
			if in.serve(row, r.clients.next()) {
				rep.LabelledRefusedAfter++
				break
			}
		}
	}

	rep.Before, rep.After = ratesOf(before), ratesOf(after)
	rep.FPRBefore, rep.FPRAfter = rep.Before.FPR, rep.After.FPR
	rep.TPRBefore, rep.TPRAfter = rep.Before.TPR, rep.After.TPR
	rep.Changed = map[string][]string{}
	for i := range before {
		if before[i].refused == after[i].refused {
			continue
		}
		how := map[[2]bool]string{{false, true}: "fixed", {false, false}: "broken", {true, true}: "missed", {true, false}: "detected"}[[2]bool{before[i].row.Attack(), before[i].refused}]
		rep.Changed[how] = append(rep.Changed[how], before[i].row.ID)
	}
	rep.Fixed, rep.Broken = len(rep.Changed["fixed"]), len(rep.Changed["broken"])
	rep.McNemarP = mcnemar(rep.Fixed, rep.Broken)
	if len(devRows) > 0 {
		db, da := ratesOf(devBefore), ratesOf(devAfter)
		rep.DevBefore, rep.DevAfter = &db, &da
		rep.TPRDev, rep.FPRDev, rep.TPRDevBefore, rep.FPRDevBefore = &da.TPR, &da.FPR, &db.TPR, &db.FPR
	}
	rep.Elapsed = time.Since(start).Round(time.Millisecond).String()
	return rep, nil
}

// retrained is the part of the retrain's report the replay keeps, or
// why there was none.
type retrained struct {
	Error        string             `json:"error,omitempty"`
	Version      string             `json:"version,omitempty"`
	Labelled     map[string]int     `json:"labelled,omitempty"`
	Train        server.SplitWindow `json:"train"`
	HeldBack     server.SplitWindow `json:"held_back"`
	Candidate    server.EvalReport  `json:"candidate"`
	Current      server.EvalReport  `json:"current"`
	CurrentModel string             `json:"current_model,omitempty"`
	NotWorse     bool               `json:"not_worse"`
	Elapsed      string             `json:"elapsed,omitempty"`
	Tried        int                `json:"candidates_tried,omitempty"`
}

// replayer is the fleet and the operator of one replay.
type replayer struct {
	ins     []*instance
	op      *operator
	log     *slog.Logger
	clients clients
	labels  map[string]int
	policy  string // of suppressions: "checked" or "all"
	// attacks are the reviewed attack events; sups the suppressions made,
	// declined those the checked policy did not make.
	attacks        []apiEvent
	sups, declined []suppression
}

// stream sends rows in order, alternating the instances, each from a
// fresh client.
func (r *replayer) stream(rows []*labelled.Row) []sent {
	out := make([]sent, len(rows))
	for i, row := range rows {
		in := r.ins[i%len(r.ins)]
		c := r.clients.next()
		out[i] = sent{row: row, in: in, client: c, refused: in.serve(row, c)}
	}
	return out
}

func (r *replayer) count(what string) {
	if r.labels == nil {
		r.labels = map[string]int{}
	}
	r.labels[what]++
}

// labelFalsePositive labels the event of the refused benign request x
// benign with a suppression of its top rule, then sends the request again
// to each instance, from fresh clients, until it passes: a suppression
// reaches the instances through their decision watch. A request still
// refused whose event's top rule is not suppressed (a second rule) has
// that event labelled too.
//
// Under the "checked" policy, the operator first counts the reviewed
// attacks (first half) that the suppression would let through: those on
// the event's route (and parameter, when it names one) whose every
// reason would be suppressed. When there are any, the event is labelled
// benign without a suppression (the retrain still learns from it) and the
// request stays refused.
func (r *replayer) labelFalsePositive(ctx context.Context, x sent) error {
	ev, err := r.op.event(ctx, x.in.names.Of(x.client), 20*time.Second)
	if err != nil {
		return err
	}
	for made := 0; made < 4; made++ {
		if len(ev.Reasons) > 0 && r.policy == "checked" {
			cand := suppression{Rule: ev.Reasons[0], Route: ev.Route, Param: ev.Param}
			if cost := r.letThrough(cand); cost > 0 {
				if _, err := r.op.label(ctx, ev.ID, "benign", "none"); err != nil {
					return err
				}
				r.count("false_positive")
				cand.Row, cand.Event, cand.Cost = x.row.ID, ev.ID, cost
				r.declined = append(r.declined, cand)
				r.log.Info("replay: labelled a false positive, no suppression", "row", x.row.ID, "rule", cand.Rule, "route", cand.Route,
					"param", cand.Param, "reviewed_attacks_let_through", cost)
				return nil
			}
		}
		sup, err := r.op.label(ctx, ev.ID, "benign", "rule")
		if err != nil {
			return err
		}
		r.count("false_positive")
		if sup == nil || sup.None != "" {
			r.log.Warn("replay: a false positive without a suppression", "row", x.row.ID, "event", ev.ID)
			return nil
		}
		sup.Event, sup.Row = ev.ID, x.row.ID
		if !slices.ContainsFunc(r.sups, func(s suppression) bool { return s.Key == sup.Key }) {
			r.sups = append(r.sups, *sup)
		}
		r.log.Info("replay: labelled a false positive", "row", x.row.ID, "rule", sup.Rule, "route", sup.Route, "param", sup.Param)
		if ev, err = r.stillRefused(ctx, x.row); err != nil || ev == nil {
			return err
		}
	}
	return fmt.Errorf("replay: row %s still refused after 4 labels", x.row.ID)
}

// suppressed is whether a suppression made covers rule on route in param.
func suppressed(sups []suppression, rule, route, param string) bool {
	return slices.ContainsFunc(sups, func(s suppression) bool {
		return s.Rule == rule && s.Route == route && (s.Param == "" || s.Param == param)
	})
}

// letThrough counts the reviewed attack events that every suppression
// made and cand would leave without a reason.
func (r *replayer) letThrough(cand suppression) int {
	sups := append(slices.Clip(r.sups), cand)
	n := 0
	for _, e := range r.attacks {
		if len(e.Reasons) > 0 && !slices.ContainsFunc(e.Reasons, func(rule string) bool { return !suppressed(sups, rule, e.Route, e.Param) }) {
			n++
		}
	}
	return n
}

// stillRefused sends row to each instance, from fresh clients, until it
// passes on all (nil), or an instance refuses it for a rule not yet suppressed
// (that request's event). A refusal for a suppressed rule is a
// suppression on its way: it is waited for, up to 15 s.
func (r *replayer) stillRefused(ctx context.Context, row *labelled.Row) (*apiEvent, error) {
	deadline := time.Now().Add(15 * time.Second)
	for _, in := range r.ins {
		for tries := 0; ; tries++ {
			c := r.clients.next()
			if !in.serve(row, c) {
				break
			}
			if tries%25 == 24 { // every half second, the reason
				ev, err := r.op.event(ctx, in.names.Of(c), 20*time.Second)
				if err != nil {
					return nil, err
				}
				if len(ev.Reasons) > 0 && !suppressed(r.sups, ev.Reasons[0], ev.Route, ev.Param) {
					return ev, nil
				}
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("replay: row %s: still refused by %s for a suppressed rule", row.ID, in.name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil, nil
}

// review labels the events of the sampled rows of s (1 in n, those keep
// accepts) from ground truth: attacks "attack", benign rows "benign"
// without a suppression (it would hide what the models do). The review
// proper labels sample 0; the shadow and canary periods label sample 1,
// so that the canary watch judges the retrained model on rows whose
// labels it was not trained on.
func (r *replayer) review(ctx context.Context, s []sent, n int, what string, keep func(sent) bool) error {
	k := 1
	if what == "review" {
		k = 0
	}
	for _, x := range s {
		if !reviewed(x.row, n, k) || !keep(x) {
			continue
		}
		ev, err := r.op.event(ctx, x.in.names.Of(x.client), 20*time.Second)
		if err != nil {
			return err
		}
		label, suppress := "attack", ""
		if !x.row.Attack() {
			label, suppress = "benign", "none"
		}
		if _, err := r.op.label(ctx, ev.ID, label, suppress); err != nil {
			return err
		}
		if label == "attack" && what == "review" {
			r.attacks = append(r.attacks, *ev)
		}
		r.count(what + "_" + label)
	}
	return nil
}

// lifecycle retrains the combiner from the labels and takes the
// candidate through shadow and canary; the canary watch decides.
func (r *replayer) lifecycle(ctx context.Context, o options, first []*labelled.Row, rep *report) error {
	var rt server.RetrainReport
	_, err := r.op.call(ctx, "POST", "/api/v1/models/combiner/retrain", server.RetrainRequest{Budget: o.budget.String(), Seed: o.seed}, &rt)
	if err != nil {
		rep.Retrain.Error = err.Error()
		r.log.Warn("replay: no retrain", "err", err)
		return nil
	}
	rep.Retrain = retrained{Version: rt.Version, Labelled: rt.Labelled, Train: rt.Train, HeldBack: rt.HeldBack,
		Candidate: rt.Candidate, Current: rt.Current, CurrentModel: rt.CurrentModel.Version, NotWorse: rt.NotWorse,
		Elapsed: rt.Elapsed, Tried: rt.Tried}
	r.log.Info("replay: retrained", "version", rt.Version, "tpr", rt.Candidate.TPR, "fpr", rt.Candidate.FPR, "current_tpr", rt.Current.TPR, "current_fpr", rt.Current.FPR)

	// shadow: scored beside the active model on a pass of the first halves
	if err := r.stage(ctx, "candidate", "shadow", rt.Version); err != nil {
		return err
	}
	pass := r.stream(first)
	if err := r.review(ctx, pass, o.review, "shadow", func(sent) bool { return true }); err != nil {
		return err
	}
	var cmp struct {
		Shadow any `json:"shadow"`
	}
	if _, err := r.op.call(ctx, "GET", "/api/v1/models/combiner/compare", nil, &cmp); err != nil {
		return err
	}
	rep.Shadow = cmp.Shadow

	// canary: enforced for a share of the clients; the watch promotes it
	// when it is not worse on the labelled events of its period
	if err := r.stage(ctx, "shadow", "canary", rt.Version); err != nil {
		return err
	}
	pass = r.stream(first)
	if err := r.review(ctx, pass, o.review, "canary", func(sent) bool { return true }); err != nil {
		return err
	}
	// every label is in: the first check after them is the watch's
	// decision on this canary, unless a "worse" streak is still growing
	labelled := time.Now()
	deadline := labelled.Add(o.promoteWait)
	var last struct {
		Time     time.Time `json:"time"`
		Decision string    `json:"decision"`
	}
	for {
		var cmp struct {
			LastCheck json.RawMessage `json:"last_check"`
		}
		if _, err := r.op.call(ctx, "GET", "/api/v1/models/combiner/compare", nil, &cmp); err != nil {
			return err
		}
		rep.Canary = cmp.LastCheck
		_ = json.Unmarshal(cmp.LastCheck, &last)
		if last.Time.After(labelled) && last.Decision != "worse" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// the watch moves the pointers right after its check
	var models map[string]string
	for end := time.Now().Add(5 * time.Second); ; {
		var err error
		if models, err = r.stages(ctx); err != nil {
			return err
		}
		moved := models["active"] == rt.Version || models["retired"] == rt.Version
		if moved || last.Decision != "promote" && last.Decision != "rollback" || time.Now().After(end) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	switch {
	case models["active"] == rt.Version:
		rep.Promoted = true
		rep.CanaryOutcome = "promoted by the canary watch"
		return r.await(func(in *instance) bool { a, _, _ := in.models(); return a == rt.Version }, "the promoted model")
	case models["retired"] == rt.Version:
		rep.CanaryOutcome = "rolled back by the canary watch"
	default:
		// the watch holds (not shown worse on FPR, nor not worse on
		// both): the operator ends the canary as the watch's rollback
		// would, so that the after pass runs the active model alone
		rep.CanaryOutcome = "the watch's decision: " + last.Decision + "; rolled back by the operator"
		if err := r.endCanary(ctx, models["active"] != ""); err != nil {
			return err
		}
	}
	return r.await(func(in *instance) bool { a, _, c := in.models(); return c == a }, "the active model as canary")
}

// stages are the versions the combiner's stage pointers name.
func (r *replayer) stages(ctx context.Context) (map[string]string, error) {
	var models struct {
		Stages map[string]struct {
			Version string `json:"version"`
		} `json:"stages"`
	}
	if _, err := r.op.call(ctx, "GET", "/api/v1/models", nil, &models); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, m := range models.Stages {
		if stage, ok := strings.CutPrefix(k, "combiner."); ok {
			out[stage] = m.Version
		}
	}
	return out, nil
}

// endCanary retires the canary and points the canary stage at the model
// the instances run as active: the active pointer's, or the embedded
// model, published (as the canary watch's rollback does).
func (r *replayer) endCanary(ctx context.Context, active bool) error {
	if _, err := r.op.call(ctx, "POST", "/api/v1/models/combiner/promote", server.StageRequest{From: "canary", To: "retired"}, nil); err != nil {
		return err
	}
	if active {
		_, err := r.op.call(ctx, "POST", "/api/v1/models/combiner/promote", server.StageRequest{From: "active", To: "canary"}, nil)
		return err
	}
	def, err := standard.DefaultModel()
	if err != nil {
		return err
	}
	b, err := json.Marshal(def)
	if err != nil {
		return err
	}
	_, err = r.op.call(ctx, "POST", "/api/v1/models", server.PublishRequest{Kind: "combiner", Version: def.Version(), Stage: "canary", Model: b}, nil)
	return err
}

// stage points stage to at what stage from names and waits for both
// instances to load version there.
func (r *replayer) stage(ctx context.Context, from, to, version string) error {
	if _, err := r.op.call(ctx, "POST", "/api/v1/models/combiner/promote", server.StageRequest{From: from, To: to}, nil); err != nil {
		return err
	}
	r.log.Info("replay: moved the candidate", "from", from, "to", to)
	return r.await(func(in *instance) bool {
		_, sh, ca := in.models()
		return to == "shadow" && sh == version || to == "canary" && ca == version
	}, version+" as "+to)
}

// await waits for f to hold on every instance.
func (r *replayer) await(f func(*instance) bool, what string) error {
	deadline := time.Now().Add(30 * time.Second)
	for slices.ContainsFunc(r.ins, func(in *instance) bool { return !f(in) }) {
		if time.Now().After(deadline) {
			return fmt.Errorf("replay: the instances do not run %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func printTable(w io.Writer, rep *report) {
	fmt.Fprintf(w, "second halves: %d benign, %d attacks (first halves: %d, %d)\n",
		rep.Rows["benign_second"], rep.Rows["attacks_second"], rep.Rows["benign_first"], rep.Rows["attacks_first"])
	fmt.Fprintf(w, "%-22s %10s %10s\n", "", "before", "after")
	fmt.Fprintf(w, "%-22s %10.5f %10.5f   (%d → %d false positives)\n", "prose FPR", rep.FPRBefore, rep.FPRAfter, rep.Before.FP, rep.After.FP)
	fmt.Fprintf(w, "%-22s %10.5f %10.5f   (%d → %d detected)\n", "payload TPR", rep.TPRBefore, rep.TPRAfter, rep.Before.TP, rep.After.TP)
	if rep.DevBefore != nil {
		fmt.Fprintf(w, "%-22s %10.5f %10.5f\n", "dev TPR", rep.DevBefore.TPR, rep.DevAfter.TPR)
		fmt.Fprintf(w, "%-22s %10.5f %10.5f\n", "dev FPR", rep.DevBefore.FPR, rep.DevAfter.FPR)
	}
	fmt.Fprintf(w, "McNemar (exact, one-sided): %d fixed, %d broken, p = %.4g\n", rep.Fixed, rep.Broken, rep.McNemarP)
	fmt.Fprintf(w, "labels used: %d %v; %d suppressions; labelled rows still refused after: %d of %d\n",
		rep.LabelsUsed, rep.Labels, len(rep.Suppressions), rep.LabelledRefusedAfter, rep.LabelledRows)
	for _, s := range rep.Suppressions {
		fmt.Fprintf(w, "  suppressed %s on %s param %q (row %s)\n", s.Rule, s.Route, s.Param, s.Row)
	}
	for _, s := range rep.Declined {
		fmt.Fprintf(w, "  not suppressed: %s on %s param %q (row %s): %d reviewed attacks would pass\n", s.Rule, s.Route, s.Param, s.Row, s.Cost)
	}
	if rt := rep.Retrain; rt.Error != "" {
		fmt.Fprintf(w, "no retrain: %s\n", rt.Error)
	} else {
		fmt.Fprintf(w, "retrained %s on %d attack and %d benign labels; held back %d attacks, %d benign: candidate TPR %.4f FPR %.4f, current (%s) TPR %.4f FPR %.4f; not worse: %v\n",
			rt.Version, rt.Train.Attacks, rt.Train.Benign, rt.HeldBack.Attacks, rt.HeldBack.Benign, rt.Candidate.TPR, rt.Candidate.FPR,
			rt.CurrentModel, rt.Current.TPR, rt.Current.FPR, rt.NotWorse)
		fmt.Fprintf(w, "canary: %s\n", rep.CanaryOutcome)
	}
	fmt.Fprintf(w, "retrained model promoted: %v (active: %s)\n", rep.Promoted, rep.ActiveModel)
	fmt.Fprintf(w, "elapsed %s\n", rep.Elapsed)
}
