package trainer

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// sample is the module's labelled sample (examples/evaluate/testdata: MIT
// sources), as examples one minute apart in file order.
func sample(t *testing.T) []Example {
	t.Helper()
	rows, err := labelled.Read("../../examples/evaluate/testdata/sample.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	dets, err := standard.Detectors(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Example, len(rows))
	for i := range rows {
		req := threat.NewRequest(rows[i].Request(), "c"+strconv.Itoa(i), "", threat.Limits{})
		var sigs []threat.Signal
		for _, d := range dets {
			sigs = d.Detect(req, sigs)
		}
		out[i] = Example{Time: t0.Add(time.Duration(i) * time.Minute), Signals: sigs, Attack: rows[i].Attack(), Category: rows[i].Category}
	}
	return out
}

func TestSplitIsByTime(t *testing.T) {
	ex := sample(t)
	Split(ex, 0.2)
	held, newestTrain, oldestHeld := 0, time.Time{}, time.Time{}
	for _, e := range ex {
		if e.Held {
			held++
			if oldestHeld.IsZero() || e.Time.Before(oldestHeld) {
				oldestHeld = e.Time
			}
		} else if e.Time.After(newestTrain) {
			newestTrain = e.Time
		}
	}
	if !newestTrain.Before(oldestHeld) || held < len(ex)/6 || held > len(ex)/4 {
		t.Fatalf("%d of %d held; newest trained %v, oldest held %v: want the newest fifth held", held, len(ex), newestTrain, oldestHeld)
	}
}

// TestTune: on the labelled sample, tuning within a budget tries several
// candidates, reports both models on the same held-back window, and the
// candidate it keeps is no worse in FPR than the current model whenever a
// candidate could be.
func TestTune(t *testing.T) {
	ex := sample(t)
	cur, err := standard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Tune(context.Background(), ex, cur, Config{Budget: 2 * time.Second, Seed: 1, Version: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tried %d in %v; candidate %+v TPR %.3f FPR %.4f ECE %.3f Brier %.3f %.0f ns; current TPR %.3f FPR %.4f ECE %.3f",
		r.Tried, r.Elapsed.Round(time.Millisecond), r.Hyper, r.Cand.TPR, r.Cand.FPR, r.Cand.ECE, r.Cand.Brier, r.Cand.MeanNs, r.Cur.TPR, r.Cur.FPR, r.Cur.ECE)
	if r.Tried < 2 || r.Elapsed > 10*time.Second {
		t.Errorf("tried %d candidates in %v: the budget was 2s", r.Tried, r.Elapsed)
	}
	if r.Cand.Attacks != r.Cur.Attacks || r.Cand.Benign != r.Cur.Benign || r.Cand.Attacks == 0 || r.Cand.Benign == 0 {
		t.Errorf("candidate and current measured on different windows: %+v %+v", r.Cand, r.Cur)
	}
	if r.Candidate.Version() != "test-1" || r.Candidate.Validate() != nil {
		t.Errorf("candidate %q: %v", r.Candidate.Version(), r.Candidate.Validate())
	}
	if r.Cand.TPR < 0.9 {
		t.Errorf("a candidate trained on 80%% of the sample catches %.3f of the newest attacks", r.Cand.TPR)
	}
	if r.NotWorse != (r.Cand.FPR <= r.Cur.FPR && r.Cand.TPR >= r.Cur.TPR) {
		t.Errorf("NotWorse %v does not match the figures", r.NotWorse)
	}
	// a current model that refuses nothing: any trained candidate beats it
	neutral, _ := Model(mustParams(t, cur, func(p *paramsT) { p.Prior = -40; p.LLR = nil; p.UnknownWeight = 0 }))
	r2, err := Tune(context.Background(), ex, neutral, Config{Budget: 500 * time.Millisecond, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Cur.TPR != 0 || r2.Cand.TPR < 0.9 || !r2.NotWorse {
		t.Errorf("against a model that refuses nothing (TPR %.3f): candidate TPR %.3f, not worse %v", r2.Cur.TPR, r2.Cand.TPR, r2.NotWorse)
	}
	// cancelled: an error, no candidate
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Tune(ctx, ex, cur, Config{Budget: time.Second}); err == nil {
		t.Error("a cancelled run returned a candidate")
	}
}

func TestFitNeedsBothLabels(t *testing.T) {
	ex := []Example{{Attack: true, Signals: []threat.Signal{{Rule: "x", Confidence: 0.9}}}}
	if _, err := Fit(ex, mustParams(t, nil, nil), Defaults); err == nil {
		t.Error("fitted on attacks alone")
	}
}
