// Command xmlfiles writes the XML documents found under some directories
// (XML, SVG, XSD, XSL, WSDL, feeds, property lists, GPX, KML, XHTML) as
// benign labelled requests for examples/evaluate: each is POSTed whole, as
// image/svg+xml, application/xhtml+xml or application/xml. It measures how
// often the default engine refuses an ordinary XML body, on files nobody
// here wrote: the configuration, icons and schemas a machine carries.
//
//	go run ./examples/xmlfiles -out /tmp/xmlfiles.jsonl.gz /usr /etc /root
//	go run ./examples/evaluate -data /tmp/xmlfiles.jsonl.gz -verdicts /tmp/xmlfiles.verdicts
//
// Files are read once each (the same bytes under two names count once),
// up to 900 KB, and only when they are UTF-8. A row's category is the
// directory two levels under the root it was found in, so that the rows of
// one package (851 MIME types, 540 icons) can be told apart; -paths writes
// each row's file.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

var kinds = map[string]string{".xml": "application/xml", ".svg": "image/svg+xml", ".xsd": "application/xml",
	".xsl": "application/xml", ".xslt": "application/xml", ".wsdl": "application/xml", ".rss": "application/xml",
	".atom": "application/xml", ".plist": "application/xml", ".kml": "application/xml", ".gpx": "application/xml",
	".xhtml": "application/xhtml+xml"}

func main() {
	out := flag.String("out", "xmlfiles.jsonl.gz", "the rows to write, .jsonl.gz")
	paths := flag.String("paths", "", "also write each row's id and file to this file")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("name the directories to read")
	}
	var files []string
	for _, root := range flag.Args() {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable: skipped
			}
			if d.IsDir() && (p == "/proc" || p == "/sys" || p == "/dev") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && kinds[strings.ToLower(filepath.Ext(p))] != "" {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	w, err := labelled.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	var list strings.Builder
	seen := map[string]bool{}
	per := map[string]int{}
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil || st.Size() < 40 || st.Size() > 900_000 {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || !utf8.Valid(b) || seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		group := category(p)
		per[group]++
		row := labelled.Row{
			ID: fmt.Sprintf("xmlfile-%s%d-xml", group, per[group]), Method: "POST", URI: "/api/import",
			Headers: map[string]string{"Host": "api.example.com", "User-Agent": "Mozilla/5.0", "Accept": "*/*",
				"Content-Type": kinds[strings.ToLower(filepath.Ext(p))]},
			Body: string(b), Label: "benign", Category: group,
		}
		if err := w.Write(row); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(&list, "%s %s\n", row.ID, p)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if *paths != "" {
		if err := os.WriteFile(*paths, []byte(list.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d documents in %s\n", len(seen), *out)
}

// category names a file by the directory two levels under the file
// system's root (/usr/share/mime/... is "mime"), letters and digits only.
func category(p string) string {
	parts := strings.Split(filepath.ToSlash(p), "/")
	c := "root"
	if len(parts) > 3 {
		c = parts[3]
	}
	c = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, c)
	if len(c) > 12 {
		c = c[:12]
	}
	if c == "" {
		c = "x"
	}
	return c
}
