package main

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

// verdict is one line of examples/evaluate's -verdicts file.
type verdict struct {
	Outcome string
	Score   float64
	Rules   string
}

// refused are the outcomes that refuse a request (bulwark.Outcome names).
var refused = map[string]bool{"blocked": true, "limited": true, "throttled": true, "banned": true, "uninspected": true}

func readVerdicts(path string) (map[string]verdict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]verdict{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), " ", 4)
		if len(parts) < 3 {
			continue
		}
		v := verdict{Outcome: parts[1]}
		v.Score, _ = strconv.ParseFloat(parts[2], 64)
		if len(parts) == 4 {
			v.Rules = parts[3]
		}
		out[parts[0]] = v
	}
	return out, sc.Err()
}

// quiet are the headers the CRS tests send on every request, left out of
// a row's payload.
var quiet = map[string]bool{
	"Host": true, "Accept": true, "Accept-Encoding": true,
	"Accept-Language": true, "Accept-Charset": true, "Connection": true,
	"Content-Length": true, "Content-Type": true, "Keep-Alive": true,
	"Proxy-Connection": true,
}

// testAgents are the User-Agent values the CRS tests send when the
// header is not the payload.
var testAgents = map[string]bool{
	"OWASP CRS test agent": true, "OWASP ModSecurity Core Rule Set": true,
	"ModSecurity CRS 3 Tests": true, "Coreruleset": true,
}

// printable escapes control bytes so a payload stays on one line.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// payload is the part of a row that carries its test, decoded once:
// the path when it is not "/", the query, the body (form bodies
// decoded) and the headers the tests do not always send.
func payload(r *labelled.Row, max int) string {
	var parts []string
	path, query, _ := strings.Cut(r.URI, "?")
	if path != "/" && path != "" {
		parts = append(parts, "path "+unescape(path))
	}
	if query != "" {
		parts = append(parts, "query "+unescape(query))
	}
	if r.Body != "" {
		b := r.Body
		if strings.Contains(strings.ToLower(r.Headers["Content-Type"]), "x-www-form-urlencoded") {
			b = unescape(b)
		}
		parts = append(parts, "body "+b)
	}
	names := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		if !quiet[k] && !(k == "User-Agent" && testAgents[r.Headers[k]]) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		parts = append(parts, k+": "+r.Headers[k])
	}
	s := printable(strings.Join(parts, " | "))
	if rs := []rune(s); len(rs) > max {
		s = string(rs[:max]) + "…"
	}
	return s
}

// idParts splits a row id: crsreg-RULE-PL-TEST-PLACE.
func idParts(id string) (rule, pl, test, place string) {
	p := strings.SplitN(id, "-", 5)
	if len(p) < 5 {
		return "", "", id, ""
	}
	return p[1], p[2], p[3], p[4]
}

func writeReport(w io.Writer, data, verdictsPath string) error {
	if data == "" || verdictsPath == "" {
		return fmt.Errorf("-report needs -data and -verdicts")
	}
	rows, err := labelled.Read(data)
	if err != nil {
		return err
	}
	vs, err := readVerdicts(verdictsPath)
	if err != nil {
		return err
	}
	type entry struct {
		row *labelled.Row
		v   verdict
	}
	missed := map[string][]entry{}   // PL1 attacks missed, by family
	missedHi := map[string][]entry{} // PL2-4 and unknown-level attacks missed
	total := map[string]int{}
	totalHi := map[string]int{}
	var fps []entry
	benign := 0
	for i := range rows {
		r := &rows[i]
		v, ok := vs[r.ID]
		if !ok {
			return fmt.Errorf("no verdict for %s", r.ID)
		}
		_, pl, _, _ := idParts(r.ID)
		switch {
		case r.Attack() && pl == "pl1":
			total[r.Category]++
			if !refused[v.Outcome] {
				missed[r.Category] = append(missed[r.Category], entry{r, v})
			}
		case r.Attack():
			totalHi[r.Category]++
			if !refused[v.Outcome] {
				missedHi[r.Category] = append(missedHi[r.Category], entry{r, v})
			}
		default:
			benign++
			if refused[v.Outcome] {
				fps = append(fps, entry{r, v})
			}
		}
	}
	reason := func(v verdict) string {
		s := fmt.Sprintf("%s %.3f", v.Outcome, v.Score)
		if v.Rules != "" {
			s += " " + v.Rules
		}
		return s
	}
	section := func(title string, groups map[string][]entry, totals map[string]int) {
		fams := make([]string, 0, len(totals))
		for f := range totals {
			fams = append(fams, f)
		}
		sort.Strings(fams)
		fmt.Fprintf(w, "# %s\n\n", title)
		for _, f := range fams {
			fmt.Fprintf(w, "## %s: %d of %d missed\n", f, len(groups[f]), totals[f])
			for _, e := range groups[f] {
				rule, _, test, place := idParts(e.row.ID)
				fmt.Fprintf(w, "%s %s %s [%s] %s\n", rule, test, place, reason(e.v), payload(e.row, 120))
			}
			fmt.Fprintln(w)
		}
	}
	section("Missed attacks of PL1 rules, by family", missed, total)
	fmt.Fprintf(w, "# False positives on benign rows (false-positive tests of the CRS): %d of %d\n\n", len(fps), benign)
	for _, e := range fps {
		rule, pl, test, place := idParts(e.row.ID)
		fmt.Fprintf(w, "%s %s %s %s %s [%s] %s\n", e.row.Category, rule, pl, test, place, reason(e.v), payload(e.row, 120))
	}
	fmt.Fprintln(w)
	section("Missed attacks of PL2-4 rules and of rules CRS v4.25 lacks (plx), by family", missedHi, totalHi)
	return nil
}
