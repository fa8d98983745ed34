// Command urilist writes a list of request targets, one a line, as
// labelled GET requests for examples/evaluate and examples/crscompare. It
// reads the lists ML-WAF corpora publish: Fwaf's badqueries.txt and
// goodqueries.txt (github.com/faizann24/Fwaf-Machine-Learning-driven-Web-
// Application-Firewall), a path and query a line as a server logged them,
// with the bytes a log escapes written "\xNN":
//
//	go run ./examples/urilist -label attack -category fwaf -out /tmp/fwaf.jsonl.gz badqueries.txt
//	go run ./examples/evaluate -data /tmp/fwaf.jsonl.gz
//	(cd examples/crscompare && go run . -data /tmp/fwaf.jsonl.gz)
//
// Each "\xNN" is the byte it names; a line is put on the wire as a
// scanner sends it, with the bytes a request line cannot hold raw
// (blanks, controls, quotes, '<', '>', '#', bytes above ASCII, ...)
// percent-encoded and every other byte, escapes already there included,
// as written. A line repeated is written once; empty lines are skipped.
// A line that does not start with '/' gets one. The labels are the
// corpus's: Fwaf's bad queries hold scanner probes of paths that are not
// attacks by their bytes ("/javascript/mta.exe"), which no engine
// refuses, so a rate on them is a floor for every engine alike.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

func main() {
	label := flag.String("label", "attack", "the label of every row: attack or benign")
	category := flag.String("category", "urilist", "the category of every row")
	out := flag.String("out", "urilist.jsonl.gz", "the rows to write, .jsonl.gz")
	flag.Parse()
	if flag.NArg() == 0 || *label != "attack" && *label != "benign" {
		log.Fatal("usage: urilist [-label attack|benign] [-category c] -out rows.jsonl.gz list.txt...")
	}
	w, err := labelled.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	for _, name := range flag.Args() {
		in, err := os.Open(name)
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if strings.TrimSpace(line) == "" || seen[line] {
				continue
			}
			seen[line] = true
			row := labelled.Row{
				ID: fmt.Sprintf("%s-%d", *category, n), Method: "GET", URI: target(line),
				Headers: map[string]string{"Host": "shop.example.com", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"},
				Label:   *label, Category: *category,
			}
			if err := w.Write(row); err != nil {
				log.Fatal(err)
			}
			n++
		}
		if err := sc.Err(); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		in.Close()
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d rows in %s\n", n, *out)
}

// target is a logged line as a request target: "\xNN" made the byte it
// names, then the bytes a request line cannot hold raw percent-encoded.
func target(line string) string {
	raw := unescapeLog(line)
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if wire(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// wire reports the bytes a target keeps raw: RFC 3986's unreserved and
// reserved characters and '%', less '#', which would end it.
func wire(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?[]@!$&'()*+,;=%", c) >= 0
}

// unescapeLog makes each "\xNN" the byte it names.
func unescapeLog(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
