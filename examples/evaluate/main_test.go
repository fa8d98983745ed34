package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

// The command runs from the module alone on the sample it ships, and its
// counts add up: every row lands in one cell, by category and by
// placement. (Detection rates are the command's to report, not this
// test's to assert.)
func TestEvaluateSample(t *testing.T) {
	rows, err := labelled.Read("testdata/sample.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	var diag, verdicts bytes.Buffer
	res, err := evaluate(rows, 3, &diag, &verdicts)
	if err != nil {
		t.Fatal(err)
	}
	attacks := 0
	for i := range rows {
		if rows[i].Attack() {
			attacks++
		}
	}
	if res.N != len(rows) || res.TP+res.FN != attacks || res.FP+res.TN != len(rows)-attacks {
		t.Fatalf("counts %+v for %d rows, %d attacks", res, len(rows), attacks)
	}
	sum := func(m map[string]*category) (n int) {
		for _, c := range m {
			n += c.N
		}
		return n
	}
	if sum(res.Categories) != len(rows) || sum(res.Placements) != len(rows) {
		t.Fatalf("categories hold %d rows, placements %d, want %d", sum(res.Categories), sum(res.Placements), len(rows))
	}
	if res.MeanNS <= 0 {
		t.Fatal("no time measured")
	}
	// -verdicts: a line a row, in order, naming the row and its outcome
	lines := strings.Split(strings.TrimSuffix(verdicts.String(), "\n"), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d verdict lines for %d rows", len(lines), len(rows))
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != rows[i].ID {
			t.Fatalf("verdict line %d %q, want row %s first", i, l, rows[i].ID)
		}
	}
}

// TestRun runs the command as a user does: the table, the JSON object,
// and -verdicts, each on the sample.
func TestRun(t *testing.T) {
	rows, err := labelled.Read("testdata/sample.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run([]string{"-data", "testdata/sample.jsonl.gz"}, &out, &errb); err != nil || !strings.Contains(out.String(), "TPR") {
		t.Fatalf("table: %v\n%s%s", err, out.String(), errb.String())
	}
	out.Reset()
	if err := run([]string{"-data", "testdata/sample.jsonl.gz", "-json"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.N != len(rows) {
		t.Fatalf("-json: %v, %d rows of %d\n%s", err, res.N, len(rows), out.String())
	}
	file := filepath.Join(t.TempDir(), "verdicts.txt")
	if err := run([]string{"-data", "testdata/sample.jsonl.gz", "-json", "-verdicts", file}, io.Discard, &errb); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || strings.Count(string(b), "\n") != len(rows) {
		t.Fatalf("-verdicts: %v, %d lines for %d rows", err, strings.Count(string(b), "\n"), len(rows))
	}
	if err := run([]string{"-nosuchflag"}, io.Discard, io.Discard); err == nil {
		t.Error("an unknown flag is no error")
	}
}
