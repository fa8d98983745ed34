package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanNoSQL finds NoSQL injection into MongoDB-style queries: query
// operators where a plain value was expected (as JSON keys, in bracketed
// parameter names "user[$ne]=", or written into text as "{$gt: ''}" and
// ", $where: '1 == 1'"), JavaScript that breaks out of a string inside a
// $where clause ("';return true;var x='", "' && this.password.match(/.*/)//",
// "';sleep(5000);"), and shell methods called on the database
// ("db.users.find()").

const (
	nosqlOperator = iota
	nosqlJS
	nosqlShell
)

// nosqlOps are MongoDB query operators (comparison, logical, element,
// evaluation, array) and the $comment and $function an injection uses.
// Extended-JSON type wrappers ($oid, $date) and JSON Schema keywords ($ref,
// $id, $schema) are data, not operators, and are not listed.
var nosqlOps = words("$ne", "$gte", "$gt", "$lte", "$lt", "$eq", "$in", "$nin", "$regex", "$options", "$where", "$exists",
	"$or", "$and", "$not", "$nor", "$expr", "$function", "$accumulator", "$elemmatch", "$type", "$size", "$all", "$text",
	"$search", "$mod", "$jsonschema", "$comment", "$lookup")

// nosqlTextOps are the operators strong enough to count when written
// into text as a key ("{$gt: ""}", ", $or: [").
var nosqlTextOps = set("$ne", "$gt", "$gte", "$lt", "$lte", "$eq", "$in", "$nin", "$regex", "$where", "$exists", "$or",
	"$and", "$nor", "$not", "$expr", "$function", "$accumulator", "$elemmatch", "$comment", "$jsonschema")

func scanNoSQL(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&(cDollar|cSemi|cPipe|cAmp|cDot) == 0 {
		return dst, hit
	}
	v := in.value
	if m&cDollar != 0 {
		conf, i, j := 0.0, -1, -1
		switch {
		case in.name == "(name)":
			if k := strings.Index(v, "[$"); k >= 0 && isOperator(v[k+1:]) {
				conf, i, j = 0.99, k, k+6
			}
		case in.src == threat.SourceJSON && in.name == "(key)":
			if len(v) > 1 && v[0] == '$' && isOperator(v) {
				conf, i, j = 0.99, 0, len(v)
			}
		default:
			i, j, conf = operatorInText(v)
		}
		if conf > 0 && seen.mark(&hit, nosqlOperator) {
			dst = append(dst, signal(nameNoSQL, "nosql.operator", conf, in, i, j))
		}
	}
	if in.name == "(name)" || in.name == "(key)" {
		return dst, hit
	}
	if m&(cSemi|cPipe|cAmp) != 0 {
		if i, j, conf := jsBreakout(v, m); conf > 0 && seen.mark(&hit, nosqlJS) {
			dst = append(dst, signal(nameNoSQL, "nosql.js", conf, in, i, j))
		}
	}
	if m&cParen != 0 && m&cBrace != 0 && m&(cQuote|cDQuote) != 0 {
		if i, j := breakoutFunction(v); i >= 0 && seen.mark(&hit, nosqlJS) {
			dst = append(dst, signal(nameNoSQL, "nosql.js", 0.99, in, i, j))
		}
	}
	if m&cDot != 0 && m&cParen != 0 {
		if i, j := fieldMatch(v); i >= 0 && seen.mark(&hit, nosqlJS) {
			dst = append(dst, signal(nameNoSQL, "nosql.js", 0.99, in, i, j))
		}
		if i, j := mongoShell(v); i >= 0 && seen.mark(&hit, nosqlShell) {
			dst = append(dst, signal(nameNoSQL, "nosql.shell", 0.99, in, i, j))
		}
	}
	return dst, hit
}

// isOperator reports whether s starts with a MongoDB query operator, as a
// whole word.
func isOperator(s string) bool {
	_, n := operatorAt(s)
	return n > 0
}

// operatorAt returns the operator s starts with and its length (0: none).
func operatorAt(s string) (string, int) {
	if len(s) < 3 || s[0] != '$' || s[1]|0x20 < 'a' || s[1]|0x20 > 'w' {
		return "", 0
	}
	var buf [16]byte
	n := min(len(s), len(buf))
	b := lower(buf[:0], s[:n])
	k, ok := hasPrefixAny(b, nosqlOps)
	if !ok {
		return "", 0
	}
	kw := nosqlOps.kws[k]
	if len(s) > len(kw) && isWord(s[len(kw)]) {
		return "", 0
	}
	return string(kw), len(kw)
}

// operatorInText finds an operator used as a key or a bracketed name
// inside a value: "{$gt: ""}", "{\"$ne\": 1}", "', $or: [ {}, {",
// "true, $where: '1 == 1'", "[$ne]=1".
func operatorInText(v string) (int, int, float64) {
	for off := 0; off < len(v); {
		k := strings.IndexByte(v[off:], '$')
		if k < 0 {
			break
		}
		i := off + k
		off = i + 1
		if i > 0 && (isWord(v[i-1]) || v[i-1] == '$') {
			continue
		}
		op, n := operatorAt(v[i:])
		if n == 0 {
			continue
		}
		j := i + n
		// bracketed: [$ne]
		if i > 0 && v[i-1] == '[' && j < len(v) && v[j] == ']' {
			return i - 1, j + 1, 0.99
		}
		if !nosqlTextOps[op] {
			continue
		}
		// a key: optional closing quote, spaces, ':'
		a := j
		if a < len(v) && (v[a] == '"' || v[a] == '\'') {
			a++
		}
		for a < len(v) && (v[a] == ' ' || v[a] == '\t') {
			a++
		}
		if a >= len(v) || v[a] != ':' {
			continue
		}
		// ...in key position: after '{', ',', '[' or at the start
		b := i - 1
		if b >= 0 && (v[b] == '"' || v[b] == '\'') {
			b--
		}
		for b >= 0 && (v[b] == ' ' || v[b] == '\t' || v[b] == '\n' || v[b] == '\r') {
			b--
		}
		if b < 0 || v[b] == '{' || v[b] == ',' || v[b] == '[' || v[b] == '(' {
			return i, a + 1, 0.99
		}
		if op == "$where" {
			return i, a + 1, 0.95
		}
	}
	return -1, -1, 0
}

// breakoutBytes are the bytes the cases of jsBreakout start with.
var breakoutBytes = finder(";&|")

// jsBreakout finds JavaScript that closes a string inside a $where clause
// or mapReduce function and runs its own code: a quote (or a bare
// number) then ';' and return, sleep or a busy loop, or a quote then &&/||
// and a condition that always holds or reads a field ("this.password").
// A quote counts as breaking out only when it is the first of its kind in
// the value: code quoted whole, as in a note, has balanced quotes.
//
// m holds the classes of v (^cls(0) searches for every byte): the cursor
// skips the bytes v lacks, as prose lacks '&' and '|', which it would
// otherwise search the whole value for.
func jsBreakout(v string, m cls) (int, int, float64) {
	cur := newClassCursor(breakoutBytes, v, m)
	for i := 0; i < len(v); i++ {
		if i = cur.next(i); i >= len(v) {
			break // none of the cases below
		}
		c := v[i]
		switch {
		case c == ';':
			b := i - 1
			for b >= 0 && (v[b] == ' ' || v[b] == '\t') {
				b--
			}
			escape := b >= 0 && (v[b] == '\'' || v[b] == '"') && strings.IndexByte(v[:b], v[b]) < 0
			lead := b >= 0 && leadingLiteral(v[:b+1])
			// a path's segment is a value of its own, as an id the
			// $where reads from a REST route: "/;var d=new Date()...",
			// "/items/0;return true" (read back at most leadMax bytes)
			start := b < 0
			if b >= 0 && !escape && !lead {
				s := b + 1 - min(b+1, leadMax)
				if k := strings.LastIndexByte(v[s:b+1], '/'); k >= 0 {
					start = s+k == b
					lead = !start && leadingLiteral(v[s+k+1:b+1])
				}
			}
			if !escape && !lead && !start {
				continue
			}
			a := skipSpaceStr(v, i+1)
			rest := v[a:]
			if k := dateLoop(rest); k > 0 {
				return i, a + k, 0.99
			}
			if !escape && !lead {
				continue // a value or segment that starts with ';': only the busy loop
			}
			switch {
			case hasPrefixFold(rest, "return") && a+6 < len(v):
				r := skipSpaceStr(v, a+6)
				if r < len(v) && (v[r] == '(' || v[r] == '\'' || v[r] == '"' || v[r] == '!' || v[r] >= '0' && v[r] <= '9' ||
					hasPrefixFold(v[r:], "true") || hasPrefixFold(v[r:], "this") || hasPrefixFold(v[r:], "db.") ||
					hasPrefixFold(v[r:], "sleep(")) {
					return i, r, 0.99
				}
			case hasPrefixFold(rest, "sleep(") || hasPrefixFold(rest, "while(") || hasPrefixFold(rest, "while (") ||
				hasPrefixFold(rest, "do{") || hasPrefixFold(rest, "for(;;)"):
				return i, a + 6, 0.99
			case escape && (hasPrefixFold(rest, "it=new date") || hasPrefixFold(rest, "var d=new date") ||
				hasPrefixFold(rest, "var date = new date") || hasPrefixFold(rest, "db.")):
				return i, a + 6, 0.99
			}
		case (c == '&' || c == '|') && i+1 < len(v) && v[i+1] == c:
			b := i - 1
			for b >= 0 && (v[b] == ' ' || v[b] == '\t') {
				b--
			}
			escape := b >= 0 && (v[b] == '\'' || v[b] == '"') && strings.IndexByte(v[:b], v[b]) < 0
			// or a bare number or boolean that starts the value or a
			// path's segment, as a numeric id the $where compares with:
			// "1||true", "/rest/products/2499999||this.product/reviews"
			// (its segment read back at most leadMax bytes: a value of
			// "||||" must not be read back to its start at each pair)
			lead := false
			// (a number or true/false/null ends in a digit, 'e' or 'l')
			if b >= 0 && !escape && (v[b] >= '0' && v[b] <= '9' || v[b] == 'e' || v[b] == 'l') {
				s := b + 1 - min(b+1, leadMax)
				switch k := strings.LastIndexByte(v[s:b+1], '/'); {
				case k >= 0:
					lead = leadingLiteral(v[s+k+1 : b+1])
				case s == 0:
					lead = leadingLiteral(v[:b+1])
				}
			}
			if !escape && !lead && b >= 0 {
				continue
			}
			a := skipSpaceStr(v, i+2)
			if hasPrefixFold(v[a:], "this.") {
				return i, a + 5, 0.99
			}
			if k := tautologyJS(v[a:]); k > 0 {
				return i, a + k, 0.99
			}
			if lead && hasPrefixFold(v[a:], "true") && (a+4 == len(v) || strings.IndexByte("/); ", v[a+4]) >= 0) {
				return i, a + 4, 0.99
			}
			i++
		}
	}
	return -1, -1, 0
}

// breakoutFunction finds a function expression called or concatenated
// right after a quote that ends the string a value was written into:
// test"+(function(){...}())+" (a '+' a form decodes to a space), the
// shape server-side JavaScript probes take, a busy loop inside timing the
// response. The quote must be the value's first of its kind, as a
// break-out's is; the keyword is matched as JavaScript spells it.
func breakoutFunction(v string) (int, int) {
	for k := 0; k < len(v); {
		f := strings.Index(v[k:], "function")
		if f < 0 {
			return -1, -1
		}
		f += k
		k = f + 8
		if k < len(v) && isWord(v[k]) {
			continue // functional, functions
		}
		// "function" [name] "(" ... ")" "{"
		a := skipSpaceStr(v, k)
		for a < len(v) && isWord(v[a]) {
			a++
		}
		a = skipSpaceStr(v, a)
		if a >= len(v) || v[a] != '(' {
			continue
		}
		c := strings.IndexByte(v[a:min(len(v), a+64)], ')')
		if c < 0 {
			continue
		}
		if b := skipSpaceStr(v, a+c+1); b >= len(v) || v[b] != '{' {
			continue
		}
		// before it: "(" then spaces, '+' or ';', then the quote
		b := f - 1
		for b >= 0 && (v[b] == ' ' || v[b] == '\t') {
			b--
		}
		if b < 0 || v[b] != '(' {
			continue
		}
		b--
		for b >= 0 && (v[b] == ' ' || v[b] == '\t' || v[b] == '+' || v[b] == ';') {
			b--
		}
		if b >= 0 && (v[b] == '\'' || v[b] == '"') && strings.IndexByte(v[:b], v[b]) < 0 {
			return b, k
		}
	}
	return -1, -1
}

// leadMax bounds the path segment jsBreakout reads back for a leading
// literal: an id or a boolean, never this long.
const leadMax = 32

// dateLoop returns the length of a busy wait at the start of s, the
// time-based probe of a $where (or any server-side JavaScript) injection:
// a Date stored ("var d = new Date()", "it=new Date()") and a loop after
// it ("do{...}while(now-d<5000)", "while(new Date()-d<5000);"); or 0.
// The loop keyword must follow the Date, so prose with "new date" does
// not count.
func dateLoop(s string) int {
	i := 0
	for _, kw := range [...]string{"var ", "let ", "const "} {
		if strings.HasPrefix(s, kw) {
			i = skipSpaceStr(s, len(kw))
			break
		}
	}
	n := i
	for n < len(s) && (isWord(s[n]) || s[n] == '$') {
		n++
	}
	if n == i {
		return 0
	}
	n = skipSpaceStr(s, n)
	if n >= len(s) || s[n] != '=' || n+1 < len(s) && s[n+1] == '=' {
		return 0
	}
	n = skipSpaceStr(s, n+1)
	if !strings.HasPrefix(s[n:], "new") {
		return 0
	}
	m := n + 3
	if n = skipSpaceStr(s, m); n == m || !strings.HasPrefix(s[n:], "Date") {
		return 0 // "newDate" is one name
	}
	n += 4
	for k := n; k < len(s); {
		w := strings.Index(s[k:], "while")
		if w < 0 {
			return 0
		}
		w += k
		k = w + 5
		if w > 0 && isWord(s[w-1]) {
			continue
		}
		if e := skipSpaceStr(s, k); e < len(s) && s[e] == '(' {
			return e + 1
		}
	}
	return 0
}

// leadingLiteral reports whether s is a bare number or boolean, as a
// payload that ends the value a $where compares with starts: "0;return
// true", "1; sleep(5000)".
func leadingLiteral(s string) bool {
	s = strings.TrimSpace(s)
	if s == "true" || s == "false" || s == "null" {
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// tautologyJS returns the length of a JavaScript comparison that always
// holds at the start of s ("1==1", "'a'=='a'", "1 === 1"), or 0.
func tautologyJS(s string) int {
	x, i := jsOperand(s, 0)
	if i < 0 {
		return 0
	}
	i = skipSpaceStr(s, i)
	if !strings.HasPrefix(s[i:], "==") {
		return 0
	}
	i += 2
	if i < len(s) && s[i] == '=' {
		i++
	}
	y, j := jsOperand(s, skipSpaceStr(s, i))
	if j < 0 || x != y {
		return 0
	}
	return j
}

// jsOperand reads a number or a quoted string at s[i:].
func jsOperand(s string, i int) (string, int) {
	if i >= len(s) {
		return "", -1
	}
	switch c := s[i]; {
	case c == '\'' || c == '"':
		k := strings.IndexByte(s[i+1:], c)
		if k < 0 {
			return s[i+1:], len(s) // left open for the query's own quote to close
		}
		return s[i+1 : i+1+k], i + k + 2
	case c >= '0' && c <= '9':
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return s[i:j], j
	}
	return "", -1
}

// fieldMatch finds a $where condition that tests a document's field with
// a regular expression, as blind extraction does: this.password.match(/^a/).
func fieldMatch(v string) (int, int) {
	for off := 0; off < len(v); {
		k := indexFold(v[off:], "this.")
		if k < 0 {
			return -1, -1
		}
		i := off + k
		off = i + 5
		j := off
		for j < len(v) && isWord(v[j]) {
			j++
		}
		if j > off && (hasPrefixFold(v[j:], ".match(/") || hasPrefixFold(v[j:], ".match(new regexp") ||
			hasPrefixFold(v[j:], "[0]=='") || hasPrefixFold(v[j:], "[0]==\"")) {
			return i, j + 8
		}
	}
	return -1, -1
}

// mongoShell finds a mongo shell call on the database: db.users.find(,
// db.getCollection(, db.dropDatabase(, db.stores.mapReduce(.
func mongoShell(v string) (int, int) {
	for off := 0; off < len(v); {
		k := indexFold(v[off:], "db.")
		if k < 0 {
			return -1, -1
		}
		i := off + k
		off = i + 3
		if i > 0 && (isWord(v[i-1]) || v[i-1] == '.') {
			continue
		}
		j := i + 3
		name := j
		for j < len(v) && isWord(v[j]) {
			j++
		}
		if j == name || j >= len(v) {
			continue
		}
		if v[j] == '(' && mongoDBMethods[strings.ToLower(v[name:j])] {
			return i, j + 1
		}
		if v[j] != '.' {
			continue
		}
		j++
		m := j
		for j < len(v) && isWord(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '(' && mongoMethods[strings.ToLower(v[m:j])] {
			return i, j + 1
		}
	}
	return -1, -1
}

var mongoDBMethods = set("getcollection", "getcollectionnames", "dropdatabase", "runcommand", "eval", "getsiblingdb",
	"createuser", "getusers", "admincommand", "version", "serverstatus", "getmongo", "shutdownserver",
	"createcollection", "getcollectioninfos", "stats")

var mongoMethods = set("find", "findone", "insert", "insertone", "insertmany", "update", "updateone", "updatemany",
	"remove", "deleteone", "deletemany", "drop", "aggregate", "mapreduce", "count", "countdocuments", "distinct",
	"findandmodify", "findoneandupdate", "findoneanddelete", "replaceone", "save", "renamecollection", "createindex")

func skipSpaceStr(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// hasPrefixFold reports whether s starts with the ASCII lower-case
// prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
