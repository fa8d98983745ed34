package main

import (
	"bytes"
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
