// Command crsregression writes the regression tests of the OWASP Core Rule
// Set (github.com/coreruleset/coreruleset, Apache-2.0: its
// tests/regression/tests directory, go-ftw's YAML format) as labelled
// requests for examples/evaluate and examples/crscompare, so that bulwark
// is measured on a suite written for another engine:
//
//	cd examples/crsregression && go run . -tests /tmp/crsreg -out /tmp/crsreg.jsonl.gz
//	go run ./examples/evaluate -data /tmp/crsreg.jsonl.gz -verdicts /tmp/crsreg.verdicts
//	cd examples/crscompare && go run . -data /tmp/crsreg.jsonl.gz
//	cd examples/crsregression && go run . -report -data /tmp/crsreg.jsonl.gz -verdicts /tmp/crsreg.verdicts
//
// Only the attack-family rule files are read (REQUEST-930 LFI to
// REQUEST-944 JAVA); -tests names a folder holding their folders
// (REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml ...). Each stage of each
// test is one row. Its request is put on the wire as go-ftw puts it (the
// request line as written, the headers in their order, a form body
// url-encoded when it is not already and no Content-Type was given,
// multipart bodies with CRLF line ends, Connection and Content-Length
// added; encoded_request and raw_request sent as they are; a data list
// joined with CRLF) and read back with http.ReadRequest, as a Go server
// would read it. A request that http.ReadRequest refuses (a bad escape in
// the request line, say) is read by a lenient parser instead, so that
// hostile rows are kept; the count is printed.
//
// A stage whose output expects the log id of an attack rule (expect_ids,
// or log_contains: id "NNNNNN", of rules 930000-944999) is an attack row;
// a stage that only expects ids to be absent (no_expect_ids,
// no_log_contains) is a benign row: a false-positive regression test of
// the CRS. Stages that expect only a status, a response, a regex or an
// error are left out and counted. A row's category is its rule file's
// family (lfi, rfi, cmdi, php, generic, xss, sqli, session-fixation,
// java); its id names the rule and the rule's paranoia level, read from
// the tag:'paranoia-level/N' of the rules in the coraza-coreruleset
// module ("plx" for a rule that module does not have):
//
//	crsreg-942100-pl1-942100.t3.s1-form
//
// and ends in an approximate placement (query, form, json, xml,
// multipart, body, cookie, path, header). -out-pl1 and -out-pl2 also
// write the rows of PL1 rules and of PL2-4 rules apart.
//
// -report reads a labelled file and the -verdicts file of
// examples/evaluate and writes the missed attacks of PL1 rules, grouped by
// family, and the false positives on benign rows, with the payload and
// the rules bulwark gave.
//
// It is a module of its own so that bulwark does not depend on a YAML
// library or on the CRS.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"gopkg.in/yaml.v3"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

// families maps a rule file's number to the category its rows carry.
var families = map[string]string{
	"930": "lfi",
	"931": "rfi",
	"932": "cmdi",
	"933": "php",
	"934": "generic",
	"941": "xss",
	"942": "sqli",
	"943": "session-fixation",
	"944": "java",
}

// family is the category of a rule file folder
// (REQUEST-942-APPLICATION-ATTACK-SQLI), "" for the others.
func family(dir string) string {
	if !strings.HasPrefix(dir, "REQUEST-") || len(dir) < 11 {
		return ""
	}
	return families[dir[8:11]]
}

// attackRule reports whether id belongs to an attack-family rule file.
func attackRule(id int) bool { return id >= 930000 && id <= 944999 }

// header is one request header, in file order.
type header struct{ name, value string }

// input is a stage's input, as go-ftw reads it.
type input struct {
	Method, URI, Version string
	Headers              []header
	Data                 string
	Encoded              string // encoded_request: base64 of the whole request
	Raw                  string // raw_request: the whole request
	Autocomplete         bool   // autocomplete_headers, true unless false
}

// expectation is what a stage's output says of the log.
type expectation struct {
	IDs, NoIDs []int
	Other      []string // the other checks (status, response_contains ...)
}

// stage is one stage of a test.
type stage struct {
	Test  string // the test's title or id
	Index int    // 1-based
	In    input
	Out   expectation
}

// testFile is one YAML file of the suite.
type testFile struct {
	Dir, Stem string // REQUEST-942-APPLICATION-ATTACK-SQLI, 942100
	Stages    []stage
}

// get is the value of key in a mapping node, nil when absent.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// ints are the integers of a sequence (or of a single scalar).
func ints(n *yaml.Node) []int {
	if n == nil {
		return nil
	}
	var out []int
	var add func(*yaml.Node)
	add = func(c *yaml.Node) {
		switch c.Kind {
		case yaml.ScalarNode:
			if v, err := strconv.Atoi(strings.TrimSpace(c.Value)); err == nil {
				out = append(out, v)
			}
		case yaml.SequenceNode:
			for _, e := range c.Content {
				add(e)
			}
		}
	}
	add(n)
	return out
}

// logID finds the rule ids in a log_contains string (id "942100").
var logID = regexp.MustCompile(`id[\s:"'\\]*(\d{6})`)

func logIDs(s string) []int {
	var out []int
	for _, m := range logID.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.Atoi(m[1])
		out = append(out, v)
	}
	return out
}

// readInput reads a stage's input node.
func readInput(n *yaml.Node) input {
	in := input{
		Method:       str(get(n, "method")),
		URI:          str(get(n, "uri")),
		Version:      str(get(n, "version")),
		Encoded:      str(get(n, "encoded_request")),
		Raw:          str(get(n, "raw_request")),
		Autocomplete: true,
	}
	if in.Method == "" {
		in.Method = http.MethodGet
	}
	if in.URI == "" {
		in.URI = "/"
	}
	if in.Version == "" {
		in.Version = "HTTP/1.1"
	}
	if a := get(n, "autocomplete_headers"); a != nil && str(a) == "false" {
		in.Autocomplete = false
	}
	if h := get(n, "headers"); h != nil && h.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(h.Content); i += 2 {
			in.Headers = append(in.Headers, header{h.Content[i].Value, h.Content[i+1].Value})
		}
	}
	if d := get(n, "data"); d != nil {
		switch d.Kind {
		case yaml.ScalarNode:
			in.Data = d.Value
		case yaml.SequenceNode:
			lines := make([]string, 0, len(d.Content))
			for _, l := range d.Content {
				lines = append(lines, l.Value)
			}
			in.Data = strings.Join(lines, "\r\n")
		}
	}
	return in
}

// readOutput reads a stage's output node.
func readOutput(n *yaml.Node) expectation {
	var e expectation
	if n == nil || n.Kind != yaml.MappingNode {
		return e
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "log_contains":
			if ids := logIDs(str(v)); len(ids) > 0 {
				e.IDs = append(e.IDs, ids...)
			} else {
				e.Other = append(e.Other, k)
			}
		case "no_log_contains":
			if ids := logIDs(str(v)); len(ids) > 0 {
				e.NoIDs = append(e.NoIDs, ids...)
			} else {
				e.Other = append(e.Other, k)
			}
		case "expect_ids":
			e.IDs = append(e.IDs, ints(v)...)
		case "no_expect_ids":
			e.NoIDs = append(e.NoIDs, ints(v)...)
		case "log":
			sub := readOutput(v)
			e.IDs = append(e.IDs, sub.IDs...)
			e.NoIDs = append(e.NoIDs, sub.NoIDs...)
			e.Other = append(e.Other, sub.Other...)
		default:
			e.Other = append(e.Other, k)
		}
	}
	return e
}

// parseFile reads the stages of one test file: the current format (a
// stage holds input and output) and the older one (a stage holds a
// "stage" mapping), and the files whose root is the test list itself.
func parseFile(raw []byte) ([]stage, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("empty document")
	}
	root := doc.Content[0]
	tests := root
	if root.Kind == yaml.MappingNode {
		tests = get(root, "tests")
	}
	if tests == nil || tests.Kind != yaml.SequenceNode {
		return nil, errors.New("no test list")
	}
	var out []stage
	for ti, t := range tests.Content {
		name := str(get(t, "test_title"))
		if name == "" {
			name = str(get(t, "test_id"))
		}
		if name == "" {
			name = strconv.Itoa(ti + 1)
		}
		st := get(t, "stages")
		if st == nil {
			continue
		}
		for si, s := range st.Content {
			if inner := get(s, "stage"); inner != nil {
				s = inner
			}
			out = append(out, stage{
				Test:  name,
				Index: si + 1,
				In:    readInput(get(s, "input")),
				Out:   readOutput(get(s, "output")),
			})
		}
	}
	return out, nil
}

// load reads every test file of the attack families under dir.
func load(dir string) ([]testFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []testFile
	for _, e := range entries {
		if !e.IsDir() || family(e.Name()) == "" {
			continue
		}
		paths, err := filepath.Glob(filepath.Join(dir, e.Name(), "*.y*ml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(paths)
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			stages, err := parseFile(raw)
			if err != nil {
				log.Printf("skip %s: %v", p, err)
				continue
			}
			stem := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(p), ".yml"), ".yaml")
			files = append(files, testFile{Dir: e.Name(), Stem: stem, Stages: stages})
		}
	}
	return files, nil
}

// paranoiaLevels reads each rule's paranoia level from the
// tag:'paranoia-level/N' of the CRS rule files in fsys.
func paranoiaLevels(fsys fs.FS) (map[int]int, error) {
	names, err := fs.Glob(fsys, "@owasp_crs/REQUEST-9*.conf")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no CRS rule files")
	}
	id := regexp.MustCompile(`\bid:(\d+)`)
	tag := regexp.MustCompile(`tag:'paranoia-level/(\d)'`)
	levels := map[int]int{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		// a rule runs from its SecRule or SecAction line to the next one
		var rule strings.Builder
		flush := func() {
			r := rule.String()
			rule.Reset()
			i, t := id.FindStringSubmatch(r), tag.FindStringSubmatch(r)
			if i == nil || t == nil {
				return
			}
			n, _ := strconv.Atoi(i[1])
			l, _ := strconv.Atoi(t[1])
			levels[n] = l
		}
		for _, line := range strings.Split(string(b), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "SecRule") || strings.HasPrefix(trimmed, "SecAction") || strings.HasPrefix(trimmed, "SecMarker") {
				flush()
			}
			if !strings.HasPrefix(trimmed, "#") {
				rule.WriteString(line)
				rule.WriteByte('\n')
			}
		}
		flush()
	}
	return levels, nil
}

var methodWithBody = regexp.MustCompile(`^POST|PUT|PATCH|DELETE$`) // go-ftw's, as it is

// lookup is a header's value, matched without regard to case.
func lookup(hs []header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.name, name) {
			return h.value, true
		}
	}
	return "", false
}

// encodeForm url-encodes the names and values of a form body that is not
// encoded yet (unescaping changes nothing), as go-ftw does.
func encodeForm(data string) string {
	if u, err := url.QueryUnescape(data); err != nil || u != data {
		return data
	}
	parts := strings.Split(data, "&")
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok {
			parts[i] = url.QueryEscape(k) + "=" + url.QueryEscape(v)
		} else {
			parts[i] = url.QueryEscape(p)
		}
	}
	return strings.Join(parts, "&")
}

// wireBytes is the request go-ftw would write for in.
func wireBytes(in input) ([]byte, error) {
	if in.Encoded != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(in.Encoded))
		if err != nil {
			return nil, fmt.Errorf("encoded_request: %w", err)
		}
		return b, nil
	}
	if in.Raw != "" {
		return []byte(in.Raw), nil
	}
	hs := append([]header(nil), in.Headers...)
	data := in.Data
	if data != "" && in.Autocomplete {
		if _, ok := lookup(hs, "Content-Type"); !ok {
			hs = append(hs, header{"Content-Type", "application/x-www-form-urlencoded"})
		}
		if ct, _ := lookup(hs, "Content-Type"); ct == "application/x-www-form-urlencoded" {
			data = encodeForm(data)
		}
	}
	if ct, _ := lookup(hs, "Content-Type"); strings.HasPrefix(ct, "multipart/form-data;") {
		data = strings.ReplaceAll(data, "\n", "\r\n")
	}
	if in.Autocomplete {
		if _, ok := lookup(hs, "Connection"); !ok {
			hs = append(hs, header{"Connection", "close"})
		}
		if _, ok := lookup(hs, "Content-Length"); !ok && (data != "" || methodWithBody.MatchString(in.Method)) {
			hs = append(hs, header{"Content-Length", strconv.Itoa(len(data))})
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s\r\n", in.Method, in.URI, in.Version)
	for _, h := range hs {
		fmt.Fprintf(&b, "%s: %s\r\n", h.name, h.value)
	}
	b.WriteString("\r\n")
	b.WriteString(data)
	return b.Bytes(), nil
}

// parsed is a request as a server read it.
type parsed struct {
	Method, URI, Host string
	Header            http.Header
	Body              string
}

// readBack reads raw as a server would: http.ReadRequest, or, when that
// refuses it, a lenient reader (the request line split at its first and
// last space, the headers as MIME headers, the body by Content-Length).
// lenient reports which one read it.
func readBack(raw []byte) (p parsed, lenient bool, err error) {
	if r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw))); err == nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return p, false, err
		}
		return parsed{r.Method, r.RequestURI, r.Host, r.Header, string(body)}, false, nil
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return p, true, err
	}
	i, j := strings.IndexByte(line, ' '), strings.LastIndexByte(line, ' ')
	if i < 0 || j <= i {
		return p, true, fmt.Errorf("request line %q", line)
	}
	p.Method, p.URI = line[:i], line[i+1:j]
	h, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return p, true, err
	}
	p.Header = http.Header(h)
	p.Host = p.Header.Get("Host")
	p.Header.Del("Host")
	rest, _ := io.ReadAll(br)
	if n, err := strconv.Atoi(p.Header.Get("Content-Length")); err == nil && n >= 0 && n < len(rest) {
		rest = rest[:n]
	}
	p.Body = string(rest)
	return p, true, nil
}

// placement guesses where a row's payload is, from its request.
func placement(p parsed) string {
	ct := strings.ToLower(p.Header.Get("Content-Type"))
	switch {
	case p.Body != "" && strings.HasPrefix(ct, "multipart/"):
		return "multipart"
	case p.Body != "" && strings.Contains(ct, "json"):
		return "json"
	case p.Body != "" && strings.Contains(ct, "xml"):
		return "xml"
	case p.Body != "" && strings.Contains(ct, "x-www-form-urlencoded"):
		return "form"
	case p.Body != "":
		return "body"
	case strings.Contains(p.URI, "?"):
		return "query"
	case p.Header.Get("Cookie") != "":
		return "cookie"
	case p.URI != "/" && p.URI != "":
		return "path"
	}
	return "header"
}

// token makes s usable inside a dash-separated row id.
func token(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// classify labels a stage: attack (with the attack rule it expects),
// benign (with the rule it expects to stay quiet), or a reason to skip.
func classify(f testFile, s stage) (label string, rule int, skip string) {
	stemRule, _ := strconv.Atoi(strings.SplitN(f.Stem, "-", 2)[0])
	var attacks []int
	for _, id := range s.Out.IDs {
		if attackRule(id) {
			attacks = append(attacks, id)
		}
	}
	switch {
	case len(attacks) > 0:
		rule = attacks[0]
		for _, id := range attacks {
			if id == stemRule {
				rule = id
			}
		}
		return "attack", rule, ""
	case len(s.Out.IDs) > 0:
		return "", 0, "expects only ids of rules outside the attack files"
	case len(s.Out.NoIDs) > 0:
		rule = s.Out.NoIDs[0]
		for _, id := range s.Out.NoIDs {
			if id == stemRule {
				rule = id
			}
		}
		return "benign", rule, ""
	case len(s.Out.Other) > 0:
		o := append([]string(nil), s.Out.Other...)
		sort.Strings(o)
		return "", 0, "expects no log id, only: " + strings.Join(slicesCompact(o), ", ")
	}
	return "", 0, "no output expectation"
}

func slicesCompact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// plName is a rule's paranoia level as a row id carries it.
func plName(levels map[int]int, rule int) string {
	if l, ok := levels[rule]; ok {
		return "pl" + strconv.Itoa(l)
	}
	return "plx"
}

// buildRow turns one stage into a labelled row, or says why not.
func buildRow(f testFile, s stage, levels map[int]int) (r labelled.Row, lenient bool, skip string, err error) {
	label, rule, skip := classify(f, s)
	if skip != "" {
		return r, false, skip, nil
	}
	raw, err := wireBytes(s.In)
	if err != nil {
		return r, false, "", err
	}
	p, lenient, err := readBack(raw)
	if err != nil {
		return r, lenient, "", err
	}
	h := map[string]string{}
	if p.Host != "" {
		h["Host"] = p.Host
	}
	for k, vs := range p.Header {
		h[k] = strings.Join(vs, ", ")
	}
	id := fmt.Sprintf("crsreg-%d-%s-%s.t%s.s%d-%s", rule, plName(levels, rule), token(f.Stem), token(s.Test), s.Index, placement(p))
	return labelled.Row{ID: id, Method: p.Method, URI: p.URI, Headers: h, Body: p.Body, Label: label, Category: family(f.Dir)}, lenient, "", nil
}

// create is labelled.Create, and nil for an unset path: the optional
// outputs -out-pl1 and -out-pl2.
func create(path string) (*labelled.Writer, error) {
	if path == "" {
		return nil, nil
	}
	return labelled.Create(path)
}

// write writes r to w, when w is set.
func write(w *labelled.Writer, r labelled.Row) error {
	if w == nil {
		return nil
	}
	return w.Write(r)
}

func main() {
	dir := flag.String("tests", "tests", "folder holding the CRS's REQUEST-93x/94x test folders")
	out := flag.String("out", "crsreg.jsonl.gz", "labelled requests to write, .jsonl or .jsonl.gz")
	outPL1 := flag.String("out-pl1", "", "also write the rows of PL1 rules here")
	outPL2 := flag.String("out-pl2", "", "also write the rows of PL2-4 rules here")
	report := flag.Bool("report", false, "write the misses and false positives of -data given examples/evaluate's -verdicts")
	data := flag.String("data", "", "with -report: the labelled requests evaluated")
	verdicts := flag.String("verdicts", "", "with -report: examples/evaluate's -verdicts file")
	flag.Parse()
	if *report {
		if err := writeReport(os.Stdout, *data, *verdicts); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *out == "" {
		log.Fatal("-out names the file to write")
	}
	levels, err := paranoiaLevels(coreruleset.FS)
	if err != nil {
		log.Fatal(err)
	}
	files, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if len(files) == 0 {
		log.Fatalf("no attack-family test files under %s", *dir)
	}
	all, err := create(*out)
	if err != nil {
		log.Fatal(err)
	}
	pl1, err := create(*outPL1)
	if err != nil {
		log.Fatal(err)
	}
	pl2, err := create(*outPL2)
	if err != nil {
		log.Fatal(err)
	}
	skipped := map[string]int{}
	counts := map[string]int{}
	stages, lenient := 0, 0
	for _, f := range files {
		for _, s := range f.Stages {
			stages++
			r, soft, why, err := buildRow(f, s, levels)
			if err != nil {
				why = "request not built: " + err.Error()
			}
			if why != "" {
				skipped[why]++
				continue
			}
			if soft {
				lenient++
			}
			pl := strings.Split(r.ID, "-")[2]
			counts[r.Category+" "+r.Label+" "+pl]++
			if err := write(all, r); err != nil {
				log.Fatal(err)
			}
			switch pl {
			case "pl1":
				err = write(pl1, r)
			case "plx":
			default:
				err = write(pl2, r)
			}
			if err != nil {
				log.Fatal(err)
			}
		}
	}
	for _, w := range []*labelled.Writer{all, pl1, pl2} {
		if w == nil {
			continue
		}
		if err := w.Close(); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d rows from %d stages of %d files in %s (%d read by the lenient parser)\n", all.Count(), stages, len(files), *out, lenient)
	if pl1 != nil {
		fmt.Printf("%d rows of PL1 rules in %s\n", pl1.Count(), *outPL1)
	}
	if pl2 != nil {
		fmt.Printf("%d rows of PL2-4 rules in %s\n", pl2.Count(), *outPL2)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-40s %d\n", k, counts[k])
	}
	reasons := make([]string, 0, len(skipped))
	for k := range skipped {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		fmt.Printf("left out %d: %s\n", skipped[k], k)
	}
}
