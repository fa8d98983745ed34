package main

import (
	"compress/gzip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParagraphs(t *testing.T) {
	long := strings.Repeat("word ", 20) // 100 bytes of letters and spaces
	text := "short line\n\n" + long + "\n" + long + "\n\n\n" + strings.Repeat("1234 ", 30) + "\n\n" + long
	got := paragraphs(text)
	if len(got) != 2 {
		t.Fatalf("paragraphs: %d, want 2 (one of two lines, one after the digits): %q", len(got), got)
	}
	if want := strings.TrimSpace(long + long); got[0] != want {
		t.Errorf("first paragraph %q, want its lines joined with one space", got[0])
	}
	if p := paragraphs(strings.Repeat("x", 1501)); len(p) != 0 {
		t.Error("a paragraph over 1,500 bytes was kept")
	}
}

func TestDocFile(t *testing.T) {
	for name, want := range map[string]bool{"README": true, "README.Debian": true, "NEWS.gz": true, "changelog.Debian.gz": true,
		"notes.md": true, "copyright": false, "x.html": false, "CHANGES.txt": true} {
		if docFile(name) != want {
			t.Errorf("docFile(%q) = %v, want %v", name, !want, want)
		}
	}
}

func TestReadDocIsBounded(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "README.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(f)
	z.Write([]byte(strings.Repeat("a", 4*maxFile)))
	z.Close()
	f.Close()
	s, err := readDoc(p)
	if err != nil || len(s) != maxFile {
		t.Fatalf("readDoc: %d bytes, %v; want %d", len(s), err, maxFile)
	}
}

func TestRowPlacements(t *testing.T) {
	p := strings.Repeat("é and 'quotes' & more ", 30)
	for n, want := range []string{"form", "json", "query"} {
		r := row(n, "pkg", p)
		if !strings.HasSuffix(r.ID, "-"+want) || r.Label != "benign" || r.Category != "pkg" {
			t.Fatalf("row %d: id %q label %q category %q", n, r.ID, r.Label, r.Category)
		}
	}
	q := row(2, "pkg", p)
	u, err := url.Parse(q.URI)
	if err != nil {
		t.Fatal(err)
	}
	if v := u.Query().Get("q"); len(v) > 400 || !strings.HasPrefix(p, v) {
		t.Errorf("query value of %d bytes, not a prefix of the paragraph cut at 400", len(v))
	}
}
