package signature

import "strings"

// cmd.exe's control statements, which the command family's shell grammar
// does not read: a FOR loop runs a command once per item of a set, an IF
// statement runs one on a condition. Both are what a payload injected
// into a Windows command line chains ("& for /f %i in ('whoami') do
// ...", "|if exist C:\boot.ini ping ..."), and both have a grammar no
// sentence has:
//
//	for [/d | /r [dir] | /l | /f ["options"]] %x in (set) do command
//	if [/i] [not] exist|defined|errorlevel|cmdextversion x command
//	if [/i] [not] a==b command        if [/i] [not] a equ|neq|lss|leq|gtr|geq b command
//
// The statement must open the value, or follow a command separator (&, |,
// ;, a line break, or a path's '/'), and an IF must be followed by its
// command (a Windows or shell command name, a block '(' or '@'): "If not
// defined in the config, ..." and C's "if (a == b) {" are sentences and
// code of other languages, not cmd.exe's.

// batchLead reports whether a FOR or IF statement may start in v: it opens
// with 'f' or 'i' after separators, or a separator is in v.
func batchLead(v string, m cls) bool {
	k := skipBatchSeparators(v, 0)
	if k < len(v) && (v[k]|0x20 == 'f' || v[k]|0x20 == 'i') {
		return true
	}
	return m&(cAmp|cPipe|cSemi|cNL) != 0
}

// skipBatchSeparators skips what may stand before a statement: spaces,
// command separators, '@' (echo off), a block's '(' and quotes.
func skipBatchSeparators(v string, i int) int {
	for i < len(v) {
		switch v[i] {
		case ' ', '\t', '\r', '\n', '&', '|', ';', '@', '(', '\'', '"', '`':
			i++
		default:
			return i
		}
	}
	return i
}

// Bounds on what one statement may hold: a FOR's set ends within
// batchSetMax bytes, a quoted or bracketed operand within batchGroupMax.
//
// Every opening after a separator is read, however many decoys come
// first, and the reading stays linear in the value: an operand ends at
// the next separator, where the next statement would start, and the ')'
// that closes a FOR's set is found once for all the statements that share
// it (nextMatch).
const (
	batchSetMax   = 1024
	batchGroupMax = 256
)

// The bytes that separate statements: cmd.exe's '&' and '|', a line break,
// and the ';' of the shells; in a URL path, '/' too.
var (
	batchStops, batchPathStops     = []byte("&|;\n"), []byte("&|;\n/")
	batchStopSet, batchPathStopSet = byteSet("&|;\n"), byteSet("&|;\n/")
)

// batchStatement finds a FOR or IF statement of cmd.exe in v and returns
// its span. path says v is a URL path, whose '/' separates statements too.
func batchStatement(v string, m cls, path bool) (int, int, bool) {
	var sets nextMatch
	stops, in := batchStops, &batchStopSet
	if path {
		stops, in = batchPathStops, &batchPathStopSet
	}
	try := func(i int) (int, int, bool) {
		i = skipBatchSeparators(v, i)
		if i+3 > len(v) {
			return 0, 0, false
		}
		switch v[i] | 0x20 {
		case 'f':
			if j, ok := batchFor(v, i, &sets); ok {
				return i, j, true
			}
		case 'i':
			if j, ok := batchIf(v, i, in); ok {
				return i, j, true
			}
		}
		return 0, 0, false
	}
	if i, j, ok := try(0); ok {
		return i, j, true
	}
	if !path && m&(cAmp|cPipe|cSemi|cNL) == 0 {
		return 0, 0, false
	}
	for k := 0; k < len(v); {
		k = nextByte(stops, in, v, k) + 1
		if k > len(v) {
			break
		}
		if k > 1 && (v[k-1] == '\n' || v[k-1] == '/') && k < len(v) && v[k]|0x20 != 'f' && v[k]|0x20 != 'i' {
			continue
		}
		if i, j, ok := try(k); ok {
			return i, j, true
		}
	}
	return 0, 0, false
}

func batchSpace(c byte) bool { return c == ' ' || c == '\t' }

func skipBatchSpace(v string, i int) int {
	for i < len(v) && batchSpace(v[i]) {
		i++
	}
	return i
}

// batchWord reports whether v[i:] starts with the lower-case word w, ended
// by the end of v or a byte that is no letter or digit.
func batchWord(v string, i int, w string) bool {
	return hasPrefixFold(v[i:], w) && (i+len(w) == len(v) || !isAlnum(v[i+len(w)]))
}

// batchSetClose returns the first ')' at or after k that "do" follows,
// or len(v): the end of a FOR's set.
func batchSetClose(v string, k int) int {
	for p := k; ; p++ {
		q := strings.IndexByte(v[p:], ')')
		if q < 0 {
			return len(v)
		}
		p += q
		if batchWord(v, skipBatchSpace(v, p+1), "do") {
			return p
		}
	}
}

// batchFor reads "for [switches] %x in (set) do" at v[i:] and returns the
// end of "do".
func batchFor(v string, i int, sets *nextMatch) (int, bool) {
	if !batchWord(v, i, "for") {
		return 0, false
	}
	k := i + 3
	for n := 0; n < 6; n++ { // switches: /d /r [dir] /l /f ["options"]
		k = skipBatchSpace(v, k)
		if k+1 >= len(v) || v[k] != '/' {
			break
		}
		sw := v[k+1] | 0x20
		if sw != 'd' && sw != 'r' && sw != 'l' && sw != 'f' || k+2 < len(v) && !batchSpace(v[k+2]) && v[k+2] != '"' {
			return 0, false
		}
		k = skipBatchSpace(v, k+2)
		switch {
		case sw == 'f' && k < len(v) && v[k] == '"':
			e := strings.IndexByte(v[k+1:min(len(v), k+batchGroupMax)], '"')
			if e < 0 {
				return 0, false
			}
			k += e + 2
		case sw == 'r' && k < len(v) && v[k] != '%' && v[k] != '/':
			for k < len(v) && !batchSpace(v[k]) {
				k++
			}
		}
	}
	k = skipBatchSpace(v, k)
	if k == i+3 && (k >= len(v) || v[k] != '%') {
		return 0, false // "for" and its variable need a space between
	}
	// %x or %%x: the loop's variable, one character
	if k >= len(v) || v[k] != '%' {
		return 0, false
	}
	k++
	if k < len(v) && v[k] == '%' {
		k++
	}
	// one character in cmd.exe; references name it %variable
	n := k
	for k < len(v) && k-n < 32 && !batchSpace(v[k]) {
		k++
	}
	if k == n || k >= len(v) || !batchSpace(v[k]) {
		return 0, false
	}
	k = skipBatchSpace(v, k)
	if !batchWord(v, k, "in") {
		return 0, false
	}
	k = skipBatchSpace(v, k+2)
	if k >= len(v) || v[k] != '(' {
		return 0, false
	}
	// the set ends at a ')' that "do" follows
	c := sets.next(v, k+1, batchSetClose)
	if c >= len(v) || c-k > batchSetMax {
		return 0, false
	}
	return skipBatchSpace(v, c+1) + 2, true
}

// batchKeywords are the conditions only cmd.exe's IF has.
var batchKeywords = []string{"exist", "defined", "errorlevel", "cmdextversion"}

// batchOps are IF's comparison operators.
var batchOps = []string{"equ", "neq", "lss", "leq", "gtr", "geq"}

// batchIf reads "if [/i] [not] condition" at v[i:] and, when a command
// follows the condition, returns the condition's end. An operand ends at
// one of stops, the bytes that separate statements.
func batchIf(v string, i int, stops *[256]bool) (int, bool) {
	if !hasPrefixFold(v[i:], "if") || i > 0 && (isWord(v[i-1]) || v[i-1] == '#') {
		return 0, false
	}
	k := i + 2
	switch {
	case k < len(v) && v[k] == '/':
	case k < len(v) && batchSpace(v[k]):
	default:
		return 0, false
	}
	k = skipBatchSpace(v, k)
	strong := false // /i or not: only cmd.exe's IF reads them
	if k+2 <= len(v) && v[k] == '/' && v[k+1]|0x20 == 'i' && (k+2 == len(v) || batchSpace(v[k+2])) {
		k, strong = skipBatchSpace(v, k+2), true
	}
	if batchWord(v, k, "not") && k+3 < len(v) && batchSpace(v[k+3]) {
		k, strong = skipBatchSpace(v, k+3), true
	}
	for _, w := range batchKeywords {
		if k >= len(v) || v[k]|0x20 != w[0] {
			continue
		}
		if batchWord(v, k, w) {
			e := k + len(w)
			if e >= len(v) || !batchSpace(v[e]) {
				return 0, false // "#if defined(X)"
			}
			e = skipBatchSpace(v, e)
			o := batchOperand(v, e, stops)
			if o == e {
				return 0, false
			}
			if w != "defined" && w != "exist" && o == len(v) {
				return o, true // if errorlevel 1
			}
			return o, batchCommandFollows(v, o, w != "defined")
		}
	}
	// a comparison: a==b, a equ b
	o := batchOperand(v, k, stops)
	if o == k {
		return 0, false
	}
	e := skipBatchSpace(v, o)
	switch {
	case strings.HasPrefix(v[e:], "=="):
		e += 2
		if e < len(v) && v[e] == '=' {
			e++
		}
	case e > o && batchOp(v, e):
		e += 3
		if e >= len(v) || !batchSpace(v[e]) {
			return 0, false
		}
		strong = true
	default:
		if v[k] == '(' && batchGroupCompares(v[k:o]) {
			return o, batchCommandFollows(v, o, true) // if (2 geq 15) echo
		}
		return 0, false
	}
	e = skipBatchSpace(v, e)
	o2 := batchOperand(v, e, stops)
	if o2 == e && !strong {
		return 0, false
	}
	if o2 > e && v[o2-1] == ':' {
		return 0, false // Python: if x == 5:
	}
	if o2 == len(v) && strong {
		return o2, true // if not {%1} == {}
	}
	return o2, batchCommandFollows(v, o2, strong)
}

// batchOp reports whether an IF comparison operator starts at v[i:].
func batchOp(v string, i int) bool {
	if i >= len(v) {
		return false
	}
	switch v[i] | 0x20 {
	case 'e', 'n', 'l', 'g':
	default:
		return false
	}
	for _, w := range batchOps {
		if batchWord(v, i, w) {
			return true
		}
	}
	return false
}

// batchGroupCompares reports whether the group g, "(2 geq 15)", holds one
// of IF's comparison words.
func batchGroupCompares(g string) bool {
	for k := 1; k+3 < len(g); k++ {
		if batchSpace(g[k-1]) && batchOp(g, k) {
			return true
		}
	}
	return false
}

// batchOperand returns the end of the operand at v[i:]: a quoted string, a
// group in brackets without a space ("(%1)", "[%1]", "{%1}"; a group in
// parentheses may hold spaces), or a run of bytes up to a space or "==".
// None holds one of stops: cmd.exe ends a command there.
func batchOperand(v string, i int, stops *[256]bool) int {
	if i >= len(v) {
		return i
	}
	switch c := v[i]; c {
	case '"':
		if e := strings.IndexByte(v[i+1:min(len(v), i+batchGroupMax)], '"'); e >= 0 {
			return i + e + 2
		}
		return i
	case '(', '[', '{':
		cl := byte(')')
		switch c {
		case '[':
			cl = ']'
		case '{':
			cl = '}'
		}
		for k := i + 1; k < len(v) && k-i < batchGroupMax; k++ {
			switch {
			case v[k] == cl:
				return k + 1
			case batchSpace(v[k]) && c != '(', stops[v[k]]:
				return i
			}
		}
		return i
	}
	k := i
	for k < len(v) && k-i < batchGroupMax && !batchSpace(v[k]) && !stops[v[k]] &&
		!strings.HasPrefix(v[k:], "==") {
		k++
	}
	return k
}

// batchCommandFollows reports whether a command follows v[:i], the end of
// an IF's condition: a block '(', '@', or the name of a command. With any,
// a word that reads as no English one does too ("CMD", "foo").
func batchCommandFollows(v string, i int, any bool) bool {
	if i >= len(v) || !batchSpace(v[i]) {
		return false
	}
	k := skipBatchSpace(v, i)
	if k >= len(v) {
		return false
	}
	switch v[k] {
	case '(', '@':
		return true
	}
	e := k
	for e < len(v) && (isAlnum(v[e]) || v[e] == '-' || v[e] == '_') {
		e++
	}
	if e == k || e < len(v) && !batchSpace(v[e]) && v[e] != '.' {
		return false
	}
	var stack [32]byte
	if e-k > len(stack) {
		return false
	}
	name := lower(stack[:0], v[k:e])
	if batchBuiltins[string(name)] {
		return true
	}
	switch commandClasses[string(name)] {
	case cmdName, cmdProbe:
		return true
	case cmdWord:
		return any && e == len(v)
	}
	return any && !englishCommands[string(name)] && e-k <= 8 && e == len(v)
}

// batchBuiltins are cmd.exe's own commands.
var batchBuiltins = set("echo", "set", "goto", "call", "cmd", "exit", "copy", "del", "erase", "md", "mkdir", "rd",
	"rmdir", "cd", "chdir", "type", "dir", "start", "ren", "rename", "move", "xcopy", "pause", "rem", "shift",
	"pushd", "popd", "setlocal", "endlocal", "cls", "title", "color", "ver", "vol", "path", "prompt", "mklink",
	"powershell", "net", "whoami", "ping", "certutil", "bitsadmin", "reg", "tasklist", "taskkill", "wmic")
