// Command payloadlists writes the lines of attack word lists (SecLists'
// Fuzzing lists, github.com/danielmiessler/SecLists, MIT licence, or any
// list of one payload a line) as labelled attack requests for
// examples/evaluate and examples/crscompare: each line is sent as a query
// parameter, a form field and a JSON string, as a scanner replaying the
// list would send it. It measures the engines on payloads nobody here
// wrote:
//
//	go run ./examples/payloadlists -out /tmp/seclists.jsonl.gz /tmp/seclists
//	go run ./examples/evaluate -data /tmp/seclists.jsonl.gz
//	(cd examples/crscompare && go run . -data /tmp/seclists.jsonl.gz)
//
// A row's category is its family, read from its file's path (XSS, SQLi,
// NoSQL, LFI, SSRF, SSI, LDAP, XXE, template injection, command injection,
// XPath, CRLF; "polyglot" for polyglot lists), so that each family's rate can be
// read apart; files whose path names no family are skipped, and so are
// SecLists' template-engines-special-vars.txt (names of variables, no
// payloads). Empty lines are skipped, comment lines too ("# " opens them,
// as SecLists' lists say), and a line repeated within a family. sqlmap's
// placeholders ([RANDNUM], [SLEEPTIME], [RANDSTR], [ORIGVALUE],
// [DELIMITER_START], ...; the sqlmap-risk-classified lists) are filled as
// sqlmap fills them before it sends a payload, from a fixed seed. Every
// other line is an attack string as written: the lists hold fragments too
// (a bare "or", a quote alone, "select"), which no engine should refuse
// and which count as misses here, so the figure is a floor for both
// engines alike.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

// families maps a word of a list's path (lower case) to its family, in
// the order they are tried.
var families = []struct{ word, family string }{
	{"nosql", "nosql"}, {"sqli", "sqli"}, {"sql", "sqli"}, {"xss", "xss"}, {"lfi", "lfi"}, {"ssrf", "ssrf"},
	{"ssi", "ssi"}, {"ldap", "ldap"}, {"xxe", "xxe"}, {"xpath", "xpath"}, {"template", "ssti"}, {"ssti", "ssti"},
	{"command", "cmdi"}, {"commix", "cmdi"}, {"unixattacks", "cmdi"}, {"polyglot", "polyglot"}, {"crlf", "crlf"},
}

// familyOf reads a list's family from its path: a word of families that
// starts a word of the path ("ssi" in SSI-Injection.txt, not in
// expression.txt).
func familyOf(path string) string {
	lo := strings.ToLower(filepath.ToSlash(path))
	for _, f := range families {
		for k := 0; ; {
			i := strings.Index(lo[k:], f.word)
			if i < 0 {
				break
			}
			if i += k; i == 0 || lo[i-1] < 'a' || lo[i-1] > 'z' {
				return f.family
			}
			k = i + 1
		}
	}
	return ""
}

func main() {
	out := flag.String("out", "payloadlists.jsonl.gz", "the rows to write, .jsonl.gz")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("name the directories or files to read")
	}
	var files []string
	for _, root := range flag.Args() {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && familyOf(p) != "" && strings.HasSuffix(strings.ToLower(p), ".txt") &&
				!strings.Contains(strings.ToLower(p), "special-vars") {
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
	seen := map[string]bool{}
	per := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range files {
		fam := familyOf(p)
		r, err := os.Open(p)
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") || len(line) > 8192 || !utf8.ValidString(line) {
				continue
			}
			line = fillSqlmap(line, rng)
			if seen[fam+"\x00"+line] {
				continue
			}
			seen[fam+"\x00"+line] = true
			per[fam]++
			for _, row := range rows(fmt.Sprintf("seclist-%s-%d", fam, per[fam]), fam, line) {
				if err := w.Write(row); err != nil {
					log.Fatal(err)
				}
			}
		}
		if err := sc.Err(); err != nil {
			log.Fatalf("%s: %v", p, err)
		}
		r.Close()
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	var names []string
	total := 0
	for fam, n := range per {
		names = append(names, fmt.Sprintf("%s %d", fam, n))
		total += n
	}
	sort.Strings(names)
	fmt.Printf("%d payloads of %d files (%s), 3 rows each, in %s\n", total, len(files), strings.Join(names, ", "), *out)
}

// fillSqlmap fills sqlmap's placeholders as its agent does before it
// sends a payload (lib/core/agent.py): each tag one value throughout the
// payload, numbers of four digits, strings of four letters, a sleep of 5
// s, the parameter's original value 1, and its delimiters' random words.
func fillSqlmap(line string, rng *rand.Rand) string {
	if !strings.Contains(line, "[") {
		return line
	}
	word := func() string {
		b := make([]byte, 4)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	num := func() string { return strconv.Itoa(1000 + rng.IntN(9000)) }
	for _, tag := range []string{"[RANDNUM1]", "[RANDNUM2]", "[RANDNUM3]", "[RANDNUM4]", "[RANDNUM5]", "[RANDNUM]"} {
		if strings.Contains(line, tag) {
			line = strings.ReplaceAll(line, tag, num())
		}
	}
	if strings.Contains(line, "[RANDSTR]") {
		line = strings.ReplaceAll(line, "[RANDSTR]", word())
	}
	if strings.Contains(line, "[DELIMITER_START]") {
		line = strings.ReplaceAll(line, "[DELIMITER_START]", "q"+word()[:3]+"q")
	}
	if strings.Contains(line, "[DELIMITER_STOP]") {
		line = strings.ReplaceAll(line, "[DELIMITER_STOP]", "q"+word()[:3]+"q")
	}
	return strings.NewReplacer("[SLEEPTIME]", "5", "[ORIGVALUE]", "1").Replace(line)
}

// rows places a payload as a query parameter, a form field and a JSON
// string; the id's last part names the placement, as evaluate reads it.
func rows(id, fam, payload string) []labelled.Row {
	h := func(ctype string) map[string]string {
		m := map[string]string{"Host": "app.example.com", "User-Agent": "Mozilla/5.0", "Accept": "*/*"}
		if ctype != "" {
			m["Content-Type"] = ctype
		}
		return m
	}
	j, _ := json.Marshal(map[string]string{"comment": payload})
	return []labelled.Row{
		{ID: id + "-query", Method: "GET", URI: "/search?q=" + url.QueryEscape(payload), Headers: h(""), Label: "attack", Category: fam},
		{ID: id + "-form", Method: "POST", URI: "/comments", Headers: h("application/x-www-form-urlencoded"),
			Body: "author=sam&text=" + url.QueryEscape(payload), Label: "attack", Category: fam},
		{ID: id + "-json", Method: "POST", URI: "/api/notes", Headers: h("application/json"), Body: string(j), Label: "attack", Category: fam},
	}
}
