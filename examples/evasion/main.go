// Command evasion writes the SQL and command injections of a labelled set
// as evasion tools rewrite them, as labelled attack rows for
// examples/evaluate and examples/crscompare: it measures how well a
// detector holds when the same attack is spelt otherwise, not how many
// attacks it knows.
//
//	go run ./examples/evasion -data ../shared/data/requests-payloads.jsonl.gz -out /tmp/evasion.jsonl.gz
//	go run ./examples/evaluate -data /tmp/evasion.jsonl.gz
//	(cd examples/crscompare && go run . -data /tmp/evasion.jsonl.gz)
//
// The seeds are the values of the set's SQL and command injections sent in
// a query (rows of category sqli or cmdi whose id ends in "-query",
// parameter q). Three kinds of rewrite are applied, re-implemented here
// from their tools' published code:
//
//   - sqlmap's tamper scripts (github.com/sqlmapproject/sqlmap, tamper/),
//     each applied alone to every SQL seed: category "tamper:NAME", a row
//     only where the script changes the seed. Blanks sqlmap sends raw (its
//     space2mysqlblank's 0xa0, space2mssqlblank's control bytes) are sent
//     as those bytes.
//   - WAF-A-MoLE's mutation operators (github.com/AvalZ/WAF-A-MoLE,
//     wafamole/payloadfuzzer/sqlfuzzer.py), chained at random, 1 to 10 of
//     them, -chains times a SQL seed from a fixed -seed: category
//     "wafamole". Its no-break space is written in UTF-8, as Python
//     writes it.
//   - commix's tamper scripts (github.com/commixproject/commix,
//     src/core/tamper/), each applied alone to every command seed:
//     category "commix:NAME". caret is for Windows' cmd.exe and is
//     applied to every seed as commix applies it.
//
// A rewrite may make a seed that was a fragment no better an attack, and a
// few rewrites target one system only (space2mssqlblank: SQL Server;
// caret: Windows), so a rate is a floor for both engines alike; compare
// engines and builds on the same file.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

func main() {
	data := flag.String("data", "../shared/data/requests-payloads.jsonl.gz", "the labelled set whose SQL injections are the seeds")
	out := flag.String("out", "evasion.jsonl.gz", "the rows to write, .jsonl.gz")
	chains := flag.Int("chains", 4, "WAF-A-MoLE mutants a seed")
	seed := flag.Uint64("seed", 1, "the random seed of the rewrites")
	flag.Parse()
	rows, err := labelled.Read(*data)
	if err != nil {
		log.Fatal(err)
	}
	seeds := seedsOf(rows, "sqli")
	rng := rand.New(rand.NewPCG(*seed, 7))
	var outRows []labelled.Row
	per := map[string]int{}
	add := func(cat, id, payload string) {
		per[cat]++
		outRows = append(outRows, row(fmt.Sprintf("evasion-%s-%s", strings.ReplaceAll(cat, ":", "-"), id), cat, payload))
	}
	for _, t := range tampers {
		for _, s := range seeds {
			if p := t.f(s.value, rng); p != s.value {
				add("tamper:"+t.name, s.id, p)
			}
		}
	}
	for _, t := range commixTampers {
		for _, s := range seedsOf(rows, "cmdi") {
			if p := t.f(s.value, rng); p != s.value {
				add("commix:"+t.name, s.id, p)
			}
		}
	}
	for _, s := range seeds {
		for k := 0; k < *chains; k++ {
			p := s.value
			for n := 1 + rng.IntN(10); n > 0; n-- {
				p = moleOps[rng.IntN(len(moleOps))](p, rng)
			}
			add("wafamole", fmt.Sprintf("%s-%d", s.id, k), p)
		}
	}
	if err := write(*out, outRows); err != nil {
		log.Fatal(err)
	}
	var names []string
	for c, n := range per {
		names = append(names, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(names)
	fmt.Printf("%d rows from %d seeds in %s (%s)\n", len(outRows), len(seeds), *out, strings.Join(names, ", "))
}

type seedValue struct{ id, value string }

// seedsOf returns the values of the injections of a family sent in a
// query.
func seedsOf(rows []labelled.Row, family string) []seedValue {
	var seeds []seedValue
	for _, r := range rows {
		if r.Category != family || !r.Attack() || !strings.HasSuffix(r.ID, "-query") {
			continue
		}
		u, err := url.Parse(r.URI)
		if err != nil {
			continue
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil || q.Get("q") == "" {
			continue
		}
		seeds = append(seeds, seedValue{id: strings.TrimSuffix(r.ID, "-query"), value: q.Get("q")})
	}
	return seeds
}

func row(id, cat, payload string) labelled.Row {
	return labelled.Row{ID: id, Method: "GET", URI: "/search?q=" + url.QueryEscape(payload) + "&page=1",
		Headers: map[string]string{"Host": "api.example.com", "User-Agent": "Mozilla/5.0", "Accept": "*/*"},
		Label:   "attack", Category: cat}
}

// write writes rows to path, a .jsonl or .jsonl.gz file.
func write(path string, rows []labelled.Row) error {
	w, err := labelled.Create(path)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// randWord is a random word of n letters.
func randWord(rng *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

// blanksOutsideQuotes replaces each space outside quoted strings by what
// f returns, as sqlmap's space2* scripts do: quotes count from the first
// space on, so that a break-out quote before it opens no string.
func blanksOutsideQuotes(p string, f func() string) string {
	var b strings.Builder
	var quote byte
	first := strings.IndexByte(p, ' ')
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case i < first:
			b.WriteByte(c)
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == ' ':
			b.WriteString(f())
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sqlKeyword matches the keywords the case and comment scripts rewrite.
var sqlKeyword = regexp.MustCompile(`(?i)\b(SELECT|UNION|FROM|WHERE|AND|OR|ORDER|BY|INSERT|UPDATE|DELETE|SLEEP|WAITFOR|DELAY|NULL|ALL|LIMIT|GROUP|HAVING|CASE|WHEN|THEN|ELSE|END|EXEC|INTO|TABLE|DROP|BENCHMARK|IF|CHAR|CONCAT|LIKE|NOT)\b`)

func randomCase(s string, rng *rand.Rand) string {
	b := []byte(s)
	for i, c := range b {
		if rng.IntN(2) == 0 {
			if c >= 'a' && c <= 'z' {
				b[i] = c - 32
			} else if c >= 'A' && c <= 'Z' {
				b[i] = c + 32
			}
		}
	}
	return string(b)
}

type tamper struct {
	name string
	f    func(string, *rand.Rand) string
}

var tampers = []tamper{
	{"space2comment", func(p string, _ *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return "/**/" })
	}},
	{"space2randomblank", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return string("\t\n\r\f"[rng.IntN(4)]) })
	}},
	{"space2mysqlblank", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return string([]byte{"\t\n\f\r\v\xa0"[rng.IntN(6)]}) })
	}},
	{"space2mssqlblank", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return string(rune(1 + rng.IntN(15))) })
	}},
	{"space2hash", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return "#" + randWord(rng, 6) + "\n" })
	}},
	{"space2dash", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return "--" + randWord(rng, 6) + "\n" })
	}},
	{"multiplespaces", func(p string, rng *rand.Rand) string {
		return blanksOutsideQuotes(p, func() string { return strings.Repeat(" ", 2+rng.IntN(5)) })
	}},
	{"randomcase", func(p string, rng *rand.Rand) string {
		return sqlKeyword.ReplaceAllStringFunc(p, func(w string) string { return randomCase(w, rng) })
	}},
	{"randomcomments", func(p string, rng *rand.Rand) string {
		return sqlKeyword.ReplaceAllStringFunc(p, func(w string) string {
			var b strings.Builder
			b.WriteByte(w[0])
			for i := 1; i < len(w); i++ {
				if rng.IntN(2) == 0 {
					b.WriteString("/**/")
				}
				b.WriteByte(w[i])
			}
			return b.String()
		})
	}},
	{"versionedkeywords", func(p string, _ *rand.Rand) string {
		return sqlKeyword.ReplaceAllString(p, "/*!$1*/")
	}},
	{"halfversionedmorekeywords", func(p string, _ *rand.Rand) string {
		return sqlKeyword.ReplaceAllString(p, "/*!0$1")
	}},
	{"apostrophemask", func(p string, _ *rand.Rand) string { return strings.ReplaceAll(p, "'", "\uff07") }},
	{"apostrophenullencode", func(p string, _ *rand.Rand) string { return strings.ReplaceAll(p, "'", "\x00'") }},
	{"unmagicquotes", func(p string, _ *rand.Rand) string {
		if !strings.Contains(p, "'") {
			return p
		}
		return strings.Replace(p, "'", "\xbf'", 1) + "-- -"
	}},
	{"equaltolike", func(p string, _ *rand.Rand) string {
		return regexp.MustCompile(`\s*=\s*`).ReplaceAllString(p, " LIKE ")
	}},
	{"symboliclogical", func(p string, _ *rand.Rand) string {
		p = regexp.MustCompile(`(?i)\s+OR\s+`).ReplaceAllString(p, " || ")
		return regexp.MustCompile(`(?i)\s+AND\s+`).ReplaceAllString(p, " && ")
	}},
	{"between", func(p string, _ *rand.Rand) string {
		return regexp.MustCompile(`\s*=\s*(\w+)`).ReplaceAllString(p, " BETWEEN $1 AND $1")
	}},
	{"charunicodeencode", func(p string, _ *rand.Rand) string {
		var b strings.Builder
		for i := 0; i < len(p); i++ {
			if p[i] < 0x80 {
				fmt.Fprintf(&b, "%%u00%02X", p[i])
			} else {
				b.WriteByte(p[i])
			}
		}
		return b.String()
	}},
	{"overlongutf8", func(p string, _ *rand.Rand) string {
		// every ASCII byte but letters and digits, the space too, as two
		// bytes (0xc0 + c>>6, 0x80 + c&0x3f); a %XX already there is kept
		var b strings.Builder
		for i := 0; i < len(p); i++ {
			c := p[i]
			switch {
			case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
				b.WriteString(p[i : i+3])
				i += 2
			case c < 0x80 && !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'):
				b.WriteByte(0xc0 + c>>6)
				b.WriteByte(0x80 | c&0x3f)
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}},
	{"percentage", func(p string, _ *rand.Rand) string {
		// a '%' before every byte but a blank; a %XX already there is
		// kept (ASP drops a '%' that starts no escape)
		var b strings.Builder
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
				b.WriteString(p[i : i+3])
				i += 2
			case c == ' ':
				b.WriteByte(c)
			default:
				b.WriteByte('%')
				b.WriteByte(c)
			}
		}
		return b.String()
	}},
	{"scientific", func(p string, _ *rand.Rand) string {
		return regexp.MustCompile(`\b(\d+)\b`).ReplaceAllString(p, "$1.e0")
	}},
	{"misunion", func(p string, _ *rand.Rand) string {
		return regexp.MustCompile(`(?i)\s+(UNION\b)`).ReplaceAllString(p, "-.1$1")
	}},
	{"sp_password", func(p string, _ *rand.Rand) string {
		if !strings.Contains(p, "--") {
			return p
		}
		return p + " sp_password"
	}},
	{"commentbeforeparentheses", func(p string, _ *rand.Rand) string {
		return regexp.MustCompile(`\b(\w+)\(`).ReplaceAllString(p, "$1/**/(")
	}},
}

// WAF-A-MoLE's operators (sqlfuzzer.py), with its tautologies.
var (
	inlineComment = regexp.MustCompile(`/\*[^(/\*|\*/)]*\*/`)
	numTautology  = regexp.MustCompile(`\b(\d+)(\s*=\s*|\s+(?i:like)\s+)(\d+)\b`)
	strTautology  = regexp.MustCompile(`(['"])([a-zA-Z][\w#@$]*)['"](\s*=\s*|\s+(?i:like)\s+)(['"])([a-zA-Z][\w#@$]*)['"]`)
	moleSwap      = regexp.MustCompile(`\|\||&&|<>|!=|=|\b(?:OR|or|AND|and|LIKE|like)\b`)
	moleInt       = regexp.MustCompile(`\b\d+\b`)
	moleWhites    = []string{" ", "\t", "\n", "\f", "\v", "\u00a0"}
	moleSwaps     = map[string][]string{"||": {" OR ", " or "}, "OR": {"||", "or"}, "or": {"OR", "||"},
		"&&": {" AND ", " and "}, "AND": {"&&", "and"}, "and": {"AND", "&&"}, "<>": {"!=", " NOT LIKE ", " not like "},
		"!=": {"<>", " NOT LIKE ", " not like "}, "=": {" LIKE ", " like "}, "LIKE": {"like", "="}, "like": {"LIKE", "="}}
)

// tautologies returns the spans of the seed's tautologies: equal numbers
// or equal words compared.
func tautologies(p string) [][2]int {
	var spans [][2]int
	for _, m := range numTautology.FindAllStringSubmatchIndex(p, -1) {
		if p[m[2]:m[3]] == p[m[6]:m[7]] {
			spans = append(spans, [2]int{m[0], m[1]})
		}
	}
	for _, m := range strTautology.FindAllStringSubmatchIndex(p, -1) {
		if p[m[4]:m[5]] == p[m[10]:m[11]] {
			spans = append(spans, [2]int{m[0], m[1]})
		}
	}
	return spans
}

func replaceOne(p string, spans [][]int, with string, rng *rand.Rand) string {
	if len(spans) == 0 {
		return p
	}
	m := spans[rng.IntN(len(spans))]
	return p[:m[0]] + with + p[m[1]:]
}

func numTaut(rng *rand.Rand) string {
	n := rng.IntN(10000)
	if rng.IntN(2) == 0 {
		return fmt.Sprintf("%d=%d", n, n)
	}
	return fmt.Sprintf("%d LIKE %d", n, n)
}

func strTaut(rng *rand.Rand) string {
	w := randWord(rng, 1+rng.IntN(8))
	if rng.IntN(2) == 0 {
		return fmt.Sprintf("'%s'='%s'", w, w)
	}
	return fmt.Sprintf("'%s' LIKE '%s'", w, w)
}

var moleOps = []func(string, *rand.Rand) string{
	// spaces_to_comments
	func(p string, rng *rand.Rand) string {
		if strings.Contains(p, "/**/") && (rng.IntN(2) == 0 || !strings.Contains(p, " ")) {
			return replaceOne(p, regexp.MustCompile(`/\*\*/`).FindAllStringIndex(p, -1), " ", rng)
		}
		return replaceOne(p, regexp.MustCompile(` `).FindAllStringIndex(p, -1), "/**/", rng)
	},
	// random_case
	func(p string, rng *rand.Rand) string {
		return sqlKeyword.ReplaceAllStringFunc(p, func(w string) string { return randomCase(w, rng) })
	},
	// swap_keywords
	func(p string, rng *rand.Rand) string {
		ms := moleSwap.FindAllStringIndex(p, -1)
		if len(ms) == 0 {
			return p
		}
		m := ms[rng.IntN(len(ms))]
		alts := moleSwaps[p[m[0]:m[1]]]
		return p[:m[0]] + alts[rng.IntN(len(alts))] + p[m[1]:]
	},
	// swap_int_repr
	func(p string, rng *rand.Rand) string {
		ms := moleInt.FindAllStringIndex(p, -1)
		if len(ms) == 0 {
			return p
		}
		m := ms[rng.IntN(len(ms))]
		var n int
		fmt.Sscan(p[m[0]:m[1]], &n)
		with := fmt.Sprintf("0x%x", n)
		if rng.IntN(2) == 0 {
			with = "(SELECT " + p[m[0]:m[1]] + ")"
		}
		return p[:m[0]] + with + p[m[1]:]
	},
	// spaces_to_whitespaces_alternatives
	func(p string, rng *rand.Rand) string {
		var have []string
		for _, w := range moleWhites {
			if strings.Contains(p, w) {
				have = append(have, w)
			}
		}
		if len(have) == 0 {
			return p
		}
		from := have[rng.IntN(len(have))]
		to := moleWhites[rng.IntN(len(moleWhites))]
		for to == from {
			to = moleWhites[rng.IntN(len(moleWhites))]
		}
		return replaceOne(p, regexp.MustCompile(regexp.QuoteMeta(from)).FindAllStringIndex(p, -1), to, rng)
	},
	// comment_rewriting
	func(p string, rng *rand.Rand) string {
		if rng.IntN(2) == 0 && (strings.Contains(p, "#") || strings.Contains(p, "-- ")) {
			return p + randWord(rng, 2)
		}
		return replaceOne(p, inlineComment.FindAllStringIndex(p, -1), "/*"+randWord(rng, 1+rng.IntN(8))+"*/", rng)
	},
	// change_tautologies
	func(p string, rng *rand.Rand) string {
		t := tautologies(p)
		if len(t) == 0 {
			return p
		}
		m := t[rng.IntN(len(t))]
		with := numTaut(rng)
		if rng.IntN(2) == 0 {
			with = strTaut(rng)
		}
		return p[:m[0]] + with + p[m[1]:]
	},
	// logical_invariant
	func(p string, rng *rand.Rand) string {
		t := tautologies(p)
		if len(t) == 0 {
			return p
		}
		end := t[rng.IntN(len(t))][1]
		adds := []string{" AND 1", " AND True", " AND " + numTaut(rng), " AND " + strTaut(rng), " OR 0", " OR False"}
		return p[:end] + adds[rng.IntN(len(adds))] + p[end:]
	},
	// reset_inline_comments
	func(p string, rng *rand.Rand) string {
		return replaceOne(p, inlineComment.FindAllStringIndex(p, -1), "/**/", rng)
	},
}

// commixLetter matches the letters commix's scripts put something before:
// all but a, A, B and C, as its regular expression has it.
var commixLetter = regexp.MustCompile(`[b-zD-Z]`)

// beforeLetters puts what f returns before each letter commixLetter
// matches.
func beforeLetters(p string, f func() string) string {
	return commixLetter.ReplaceAllStringFunc(p, func(l string) string { return f() + l })
}

var commixTampers = []tamper{
	{"backslashes", func(p string, _ *rand.Rand) string { return beforeLetters(p, func() string { return `\` }) }},
	{"dollaratsigns", func(p string, _ *rand.Rand) string { return beforeLetters(p, func() string { return "$@" }) }},
	{"doublequotes", func(p string, _ *rand.Rand) string { return beforeLetters(p, func() string { return `""` }) }},
	{"singlequotes", func(p string, _ *rand.Rand) string { return beforeLetters(p, func() string { return "''" }) }},
	{"caret", func(p string, _ *rand.Rand) string { return beforeLetters(p, func() string { return "^" }) }},
	{"uninitializedvariable", func(p string, rng *rand.Rand) string {
		v := "${" + randLetters(rng, 2) + "}" // one name a payload, as commix draws it
		return beforeLetters(p, func() string { return v })
	}},
	{"slash2env", func(p string, _ *rand.Rand) string { return strings.ReplaceAll(p, "/", "${PATH%%u*}") }},
	{"space2ifs", func(p string, _ *rand.Rand) string { return strings.ReplaceAll(p, " ", "${IFS}") }},
	{"space2htab", func(p string, _ *rand.Rand) string { return strings.ReplaceAll(p, " ", "\t") }},
	{"multiplespaces", func(p string, rng *rand.Rand) string {
		return regexp.MustCompile(" ").ReplaceAllStringFunc(p, func(string) string { return strings.Repeat(" ", 2+rng.IntN(4)) })
	}},
}

// randLetters is a random word of n ASCII letters.
func randLetters(rng *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }
