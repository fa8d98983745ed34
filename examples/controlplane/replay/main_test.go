package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/standard"
)

// sharedData is the labelled data beside the repository (README.md there).
const sharedData = "../../../../shared/data/"

// writeRows writes rows as a .jsonl.gz file in dir.
func writeRows(t *testing.T, dir, name string, rows []labelled.Row) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	for i := range rows {
		if err := enc.Encode(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// testSlices builds the test's benign and attack files from the real data
// (the evaluate command's sample when it is absent): the first rows of
// each, and the benign rows the default Guard refuses until two of the
// first half and one of the second are found. It returns the files and
// the refused benign rows' ids by half.
func testSlices(t *testing.T) (benign, attacks string, refused [2][]string) {
	t.Helper()
	var ben, att []labelled.Row
	if _, err := os.Stat(sharedData + "requests-benign-text.jsonl.gz"); err == nil {
		if ben, err = labelled.Read(sharedData + "requests-benign-text.jsonl.gz"); err != nil {
			t.Fatal(err)
		}
		if att, err = labelled.Read(sharedData + "requests-payloads.jsonl.gz"); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Log("no shared data: the slices come from examples/evaluate/testdata/sample.jsonl.gz")
		rows, err := labelled.Read("../../evaluate/testdata/sample.jsonl.gz")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Attack() {
				att = append(att, r)
			} else {
				ben = append(ben, r)
			}
		}
	}
	guard, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer guard.Close()
	const first = 160
	var sel []labelled.Row
	for i := range ben {
		r := &ben[i]
		v := guard.CheckHTTP(r.Request(), "t-"+r.ID, "", time.Now())
		if v.Refused() {
			h := int(hash(r.ID) % 2) // firstHalf: 0
			refused[h] = append(refused[h], r.ID)
		}
		if i < first || v.Refused() {
			sel = append(sel, *r)
		}
		if i >= first && len(refused[0]) >= 2 && len(refused[1]) >= 1 {
			break
		}
	}
	dir := t.TempDir()
	return writeRows(t, dir, "benign.jsonl.gz", sel), writeRows(t, dir, "attacks.jsonl.gz", att[:min(first, len(att))]), refused
}

// TestRun runs the command as a user does on slices of the real data:
// the JSON object leads with the keys; every first-half false
// positive is labelled, suppressed on both instances and passes after;
// the before pass is the default Guard's; the table prints.
func TestRun(t *testing.T) {
	start := time.Now()
	benign, attacks, refused := testSlices(t)
	args := []string{"-benign", benign, "-attacks", attacks, "-review", "2", "-budget", "1s",
		"-canary-every", "100ms", "-canary-min-sample", "10", "-promote-wait", "5s"}
	var out, errb bytes.Buffer
	if err := run(append(args, "-json", "-suppress", "all"), &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	t.Logf("figures: %s", out.String())
	keys := []string{`{"fpr_before":`, `,"fpr_after":`, `,"tpr_before":`, `,"tpr_after":`, `,"labels_used":`, `,"promoted":`, `,"mcnemar_p":`}
	at := 0
	for _, k := range keys {
		i := strings.Index(out.String()[at:], k)
		if i < 0 {
			t.Fatalf("no %s after byte %d of %s", k, at, out.String())
		}
		at += i
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Before.FP != len(refused[1]) {
		t.Errorf("before: %d false positives on the second half, the default Guard refuses %d (%v)", rep.Before.FP, len(refused[1]), refused[1])
	}
	if rep.FirstHalf.FP != len(refused[0]) || rep.LabelledRows != len(refused[0]) {
		t.Errorf("first half: %d false positives, %d labelled; the default Guard refuses %d (%v)", rep.FirstHalf.FP, rep.LabelledRows, len(refused[0]), refused[0])
	}
	if len(refused[0]) > 0 && (rep.LabelsUsed == 0 || rep.Labels["false_positive"] < len(refused[0]) || len(rep.Suppressions) == 0) {
		t.Errorf("%d first-half false positives, yet labels %v and %d suppressions", len(refused[0]), rep.Labels, len(rep.Suppressions))
	}
	if rep.LabelledRefusedAfter != 0 {
		t.Errorf("%d of the %d labelled false positives still refused after", rep.LabelledRefusedAfter, rep.LabelledRows)
	}
	for _, s := range rep.Suppressions {
		if s.Rule == "" || strings.IndexByte(s.Rule, '.') < 0 || s.Route == "" || s.Key == "" {
			t.Errorf("suppression %+v: want a rule (not a family) on a route", s)
		}
	}
	if rep.Labels["review_attack"] < 25 || rep.Labels["review_benign"] < 25 || rep.Retrain.Version == "" {
		t.Errorf("review labels %v, retrain %v", rep.Labels, rep.Retrain)
	}
	if n := rep.Before.Benign + rep.Before.Attacks; n != rep.Rows["benign_second"]+rep.Rows["attacks_second"] || n != rep.After.Benign+rep.After.Attacks {
		t.Errorf("rows %v, before %+v, after %+v", rep.Rows, rep.Before, rep.After)
	}
	if rep.Fixed != len(rep.Changed["fixed"]) || rep.McNemarP != mcnemar(rep.Fixed, rep.Broken) {
		t.Errorf("fixed %d, broken %d, changed %v, p %v", rep.Fixed, rep.Broken, rep.Changed, rep.McNemarP)
	}

	out.Reset()
	if err := run(append(args, "-review", "1000"), &out, &errb); err != nil || !strings.Contains(out.String(), "McNemar") {
		t.Fatalf("table: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "no retrain: ") {
		t.Errorf("the table without a retrain does not say why:\n%s", out.String())
	}
	if err := run([]string{"-benign", benign}, io.Discard, io.Discard); err == nil {
		t.Error("no -attacks is no error")
	}
	if took := time.Since(start); took > 90*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestMcNemar(t *testing.T) {
	for _, c := range []struct {
		fixed, broken int
		want          float64
	}{
		{0, 0, 1},
		{5, 0, 1.0 / 32},
		{4, 0, 1.0 / 16},
		{3, 1, 5.0 / 16},
		{1, 3, 15.0 / 16},
		{0, 2, 1},
	} {
		if got := mcnemar(c.fixed, c.broken); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("mcnemar(%d, %d) = %v, want %v", c.fixed, c.broken, got, c.want)
		}
	}
}

func TestInterleave(t *testing.T) {
	rows := make([]labelled.Row, 10)
	a, b := shuffled(rows[:3]), shuffled(rows[3:])
	got := interleave(a, b)
	if len(got) != 10 {
		t.Fatalf("%d rows, want 10", len(got))
	}
	// a's three rows are spread over the ten, not bunched at one end
	var at []int
	for i, r := range got {
		for _, x := range a {
			if r == x {
				at = append(at, i)
			}
		}
	}
	if len(at) != 3 || at[0] > 1 || at[2] < 6 {
		t.Errorf("a's rows at %v", at)
	}
}
