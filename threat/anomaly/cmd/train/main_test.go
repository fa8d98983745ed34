package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/internal/forest"
	"github.com/bulwarkhq/bulwark/internal/sequence"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

// writeData writes n generated shop requests, each with its own cookie as
// in CSIC, to a gzipped JSONL file.
func writeData(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.jsonl.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	pages := []string{"/shop/index.jsp", "/shop/products.jsp?id=%d", "/shop/add.jsp?id=%d", "/shop/cart.jsp", "/shop/pay.jsp"}
	for i := 0; i < n; i++ {
		p := pages[i%len(pages)]
		if i%len(pages) == 1 || i%len(pages) == 2 {
			p = fmt.Sprintf(p, i)
		}
		rec := map[string]any{"method": "GET", "uri": p, "label": "benign",
			"headers": map[string]string{"User-Agent": "Mozilla/5.0 (compatible; Konqueror/3.5; Linux)", "Accept": "text/html", "Accept-Language": "en", "Cookie": fmt.Sprintf("JSESSIONID=%X", i)}}
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	data := writeData(t, 2000)
	dir := t.TempDir()
	out, seqOut := filepath.Join(dir, "m.json.gz"), filepath.Join(dir, "s.json")
	if err := run(data, out, seqOut, 10, 1, 0.99, "test"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(seqOut)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := sequence.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := behavior.ParseSequenceModel(b); err != nil {
		t.Fatal(err)
	}
	if seq.Version != "seq-test" || len(seq.Classes) != 6 {
		t.Fatalf("sequence model %q with classes %v", seq.Version, seq.Classes)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m forest.Model
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil || m.Version != "test" || len(m.Trees) != 10 || len(m.Features) != feature.Num {
		t.Fatalf("model %q, %d trees, %d features: %v", m.Version, len(m.Trees), len(m.Features), err)
	}
	if err := run(filepath.Join(dir, "missing.jsonl"), "", "", 10, 1, 0.99, ""); err == nil {
		t.Fatal("a missing data file was accepted")
	}
}
