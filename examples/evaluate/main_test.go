package main

import (
	"bytes"
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
	var diag bytes.Buffer
	res, err := evaluate(rows, 3, &diag)
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
}
