// Command docprose writes the paragraphs of the documentation a machine
// carries (README, NEWS, changelog, .txt and .md files, plain or
// gzipped) as benign labelled requests for examples/evaluate: each
// paragraph is a note sent as a form field, a JSON string or a search
// query, in turn. It measures how often the default engine refuses
// developers' prose (release notes that quote operators, shell lines and
// code) on text nobody here wrote.
//
//	go run ./examples/docprose -out /tmp/docprose.jsonl.gz /usr/share/doc
//	go run ./examples/evaluate -data /tmp/docprose.jsonl.gz -verdicts /tmp/docprose.verdicts
//
// A paragraph is the text between blank lines, its white space folded to
// single spaces, kept when it is 80 to 1,500 bytes of valid UTF-8 of
// which at least 60% are letters, once however often it recurs. Files
// are read in name order, at most 256 KB of each (after gunzip). A row's
// category is the package: the directory under the root it was found in.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

// maxFile bounds what is read of one file, after decompression.
const maxFile = 256 << 10

func main() {
	out := flag.String("out", "docprose.jsonl.gz", "the rows to write, .jsonl.gz")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("name the directories to read")
	}
	type file struct{ root, path string }
	var files []file
	for _, root := range flag.Args() {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable: skipped
			}
			if d.Type().IsRegular() && docFile(d.Name()) {
				files = append(files, file{root, p})
			}
			return nil
		})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	w, err := labelled.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	for _, fl := range files {
		text, err := readDoc(fl.path)
		if err != nil {
			continue
		}
		pkg := category(fl.root, fl.path)
		for _, p := range paragraphs(text) {
			if seen[p] {
				continue
			}
			seen[p] = true
			if err := w.Write(row(n, pkg, p)); err != nil {
				log.Fatal(err)
			}
			n++
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d paragraphs of %d files in %s\n", n, len(files), *out)
}

// docFile reports whether a file's name is one of documentation prose.
func docFile(name string) bool {
	lo := strings.ToLower(strings.TrimSuffix(name, ".gz"))
	for _, p := range []string{"readme", "news", "changelog", "changes"} {
		if strings.HasPrefix(lo, p) {
			return true
		}
	}
	return strings.HasSuffix(lo, ".txt") || strings.HasSuffix(lo, ".md")
}

// readDoc reads at most maxFile bytes of a file, gunzipped when its name
// ends in .gz.
func readDoc(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(p, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return "", err
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFile))
	if err != nil && len(b) == 0 {
		return "", err
	}
	return string(b), nil
}

// paragraphs splits text at blank lines and keeps the paragraphs of prose:
// 80 to 1,500 bytes of valid UTF-8, white space folded, 60% letters.
func paragraphs(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		p := strings.Join(strings.Fields(strings.Join(cur, " ")), " ")
		cur = cur[:0]
		if len(p) < 80 || len(p) > 1500 || !utf8.ValidString(p) {
			return
		}
		letters := 0
		for _, r := range p {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters*10 >= utf8.RuneCountInString(p)*6 {
			out = append(out, p)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// row places paragraph p as the n-th row: a form field, a JSON string or
// (its first 400 bytes, cut at a rune) a search query, in turn.
func row(n int, pkg, p string) labelled.Row {
	r := labelled.Row{Method: "POST", URI: "/api/notes", Label: "benign", Category: pkg,
		Headers: map[string]string{"Host": "app.example", "User-Agent": "Mozilla/5.0", "Accept": "*/*"}}
	switch n % 3 {
	case 0:
		r.ID = fmt.Sprintf("doc-%s-%d-form", pkg, n)
		r.Headers["Content-Type"] = "application/x-www-form-urlencoded"
		r.Body = "author=sam&text=" + url.QueryEscape(p)
	case 1:
		r.ID = fmt.Sprintf("doc-%s-%d-json", pkg, n)
		r.Headers["Content-Type"] = "application/json"
		b, _ := json.Marshal(map[string]string{"note": p})
		r.Body = string(b)
	default:
		r.ID = fmt.Sprintf("doc-%s-%d-query", pkg, n)
		q := p
		if len(q) > 400 {
			q = q[:400]
			for !utf8.ValidString(q) {
				q = q[:len(q)-1]
			}
		}
		r.Method, r.URI = "GET", "/search?q="+url.QueryEscape(q)
	}
	return r
}

// category names a row by its package: the first directory under root,
// letters and digits only, at most 16.
func category(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return "x"
	}
	first := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
	c := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, first)
	if len(c) > 16 {
		c = c[:16]
	}
	if c == "" {
		c = "x"
	}
	return c
}
