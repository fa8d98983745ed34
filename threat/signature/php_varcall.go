package signature

import "bytes"

// PHP calls whose function is a variable: "$f('id')", "$a(1)",
// "@$__[o](4)", "${'a'}(11)", "$_aB_4c[5]['d'] /*lol*/ (17)",
// "$foo->$fn()", "Foo::$fn()". Webshells and obfuscated payloads name no
// function, so that no word list finds them; the grammar is PHP's alone:
// a '$' variable (or "${expr}"), its indexes, and a call, written as a
// statement (it opens the value, or follows ';', '=', '@', '.' or an open
// tag) and closed by the value's end, ';', '.', '?>' or a comment. Prices
// ("$5(approx)") start with a digit; jQuery's "$(" names nothing; a
// shell's "$(cmd)" and "${var}" are followed by no call.

// phpVarCallMax bounds the bytes a callee and its indexes may take.
const phpVarCallMax = 256

// phpVarCall finds a variable function call written as a statement in lo
// (lower case) and returns its span.
func phpVarCall(lo []byte) (int, int) {
	tries := 0
	for off := 0; off < len(lo) && tries < 64; {
		k := bytes.IndexByte(lo[off:], '$')
		if k < 0 {
			return -1, -1
		}
		k += off
		off = k + 1
		// the callee starts at its first '$' (or "::" of a static call, an
		// '@' before it)
		s := k
		for s > 0 && lo[s-1] == '$' {
			s--
		}
		if k > s {
			continue // the first '$' of "$$b" was read already
		}
		st := s
		if st > 0 && lo[st-1] == '@' {
			st--
		}
		if st >= 2 && lo[st-1] == ':' && lo[st-2] == ':' {
			// Foo::$fn(): the class name before it
			b := st - 2
			for b > 0 && isWord(lo[b-1]) {
				b--
			}
			if b == st-2 {
				continue
			}
			st = b
		}
		if !phpStatementBefore(lo, st) {
			continue
		}
		// a callee's reading may take phpVarCallMax bytes of brackets: at
		// most 64 are read, counting only '$'s where a statement starts
		tries++
		p, ok := phpCallee(lo, s)
		if !ok {
			continue
		}
		// the call: '(' ... ')' closed within the bound
		e := phpCallClose(lo, p)
		if e < 0 {
			continue
		}
		if lo[p-1] == ' ' && bytes.IndexByte(lo[p:e], ' ') >= 0 && !bytes.ContainsAny(lo[p:e], "'\"$") {
			continue // "$US (the dollar)": words in parentheses after a space
		}
		if phpStatementAfter(lo, e+1) {
			return st, e + 1
		}
	}
	return -1, -1
}

// phpStatementBefore reports whether a statement may start at lo[i]: the
// value opens there (spaces aside), or ';', '=', '.', '(', '{', or an
// open tag's '?' or '>' come before it.
func phpStatementBefore(lo []byte, i int) bool {
	b := i - 1
	for b >= 0 && (lo[b] == ' ' || lo[b] == '\t' || lo[b] == '\n' || lo[b] == '\r') {
		b--
	}
	if b < 0 {
		return true
	}
	switch lo[b] {
	case ';', '=', '.', '{', '}', '?':
		return true
	case '>':
		return b > 0 && lo[b-1] == '?' || b > 0 && lo[b-1] == '-' // ?> or $o->$fn()
	}
	return false
}

// phpGap skips what PHP lets stand between tokens: spaces, line breaks,
// /* comments */, and # or // comments to the line's end.
func phpGap(lo []byte, i int) int {
	lim := min(len(lo), i+phpVarCallMax)
	for i < lim {
		switch c := lo[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(lo) && lo[i+1] == '*':
			e := indexFrom(lo[:lim], i+2, "*/")
			if e < 0 {
				return lim
			}
			i = e + 2
		case c == '#' || c == '/' && i+1 < len(lo) && lo[i+1] == '/':
			for i < lim && lo[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// indexFrom is bytes.Index(b[off:], s) as an index into b, -1 when absent.
func indexFrom(b []byte, off int, s string) int {
	if k := bytes.Index(b[off:], []byte(s)); k >= 0 {
		return off + k
	}
	return -1
}

func phpIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || c >= 0x80 }

// phpCallee reads "$name", "$$name", "${expr}" and their indexes ([...],
// {...}, ->name, ->$name) from lo[s] (a '$') and returns the index of the
// call's '(' after it.
func phpCallee(lo []byte, s int) (int, bool) {
	lim := min(len(lo), s+phpVarCallMax)
	i := s
	for i < lim && lo[i] == '$' {
		i++
	}
	i = phpGap(lo, i)
	switch {
	case i < lim && phpIdentStart(lo[i]):
		for i < lim && (isWord(lo[i]) || lo[i] >= 0x80) {
			i++
		}
	case i < lim && lo[i] == '{':
		e := phpGroupEnd(lo, i, lim)
		if e < 0 || e == i+1 {
			return 0, false
		}
		i = e + 1
	default:
		return 0, false
	}
	for n := 0; n < 8; n++ {
		i = phpGap(lo, i)
		if i >= lim {
			return 0, false
		}
		switch lo[i] {
		case '(':
			return i, true
		case '[', '{':
			e := phpGroupEnd(lo, i, lim)
			if e < 0 {
				return 0, false
			}
			i = e + 1
		case '-':
			// ->$fn(): a variable method; ->name() names its method, and
			// "$this->load->view('x')" is a program's code, not a payload
			if i+1 >= lim || lo[i+1] != '>' {
				return 0, false
			}
			i = phpGap(lo, i+2)
			dollar := i < lim && lo[i] == '$'
			for i < lim && lo[i] == '$' {
				i++
			}
			if i >= lim || !phpIdentStart(lo[i]) {
				return 0, false
			}
			for i < lim && (isWord(lo[i]) || lo[i] >= 0x80) {
				i++
			}
			if !dollar {
				if j := phpGap(lo, i); j < lim && lo[j] == '(' {
					return 0, false
				}
			}
		default:
			return 0, false
		}
	}
	return 0, false
}

// phpGroupEnd returns the index of the bracket closing the one at lo[i],
// nested brackets and quoted strings skipped, or -1 before lim.
func phpGroupEnd(lo []byte, i, lim int) int {
	depth := 0
	for k := i; k < lim; k++ {
		switch lo[k] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return k
			}
		case '\'', '"':
			q := lo[k]
			k++
			for k < lim && lo[k] != q {
				if lo[k] == '\\' {
					k++
				}
				k++
			}
		}
	}
	return -1
}

// phpCallClose returns the index of the ')' closing the call at lo[p].
func phpCallClose(lo []byte, p int) int {
	return phpGroupEnd(lo, p, min(len(lo), p+phpVarCallMax))
}

// phpStatementAfter reports whether a statement may end at lo[i]: the
// value's end, ';', '.', ')', '?>', or a comment.
func phpStatementAfter(lo []byte, i int) bool {
	i = phpGap(lo, i)
	if i >= len(lo) {
		return true
	}
	switch lo[i] {
	case ';', '.', ')':
		return true
	case '?':
		return i+1 < len(lo) && lo[i+1] == '>'
	}
	return false
}

// phpCompactMax bounds the bytes phpGroupCall compacts.
const phpCompactMax = 1024

// phpGroupCall finds a call whose function is spelt inside brackets,
// strings and concatenations that PHP evaluates to its name:
// "(sy.(st).em)('uname')", "[system][0](ls)", "(['system'])[0]('id')",
// "(string) {[system][0]} ('uname')", "(/* x */system)(ls/* x */)". With
// spaces and comments dropped, the callee runs back from the call's '('
// to the statement's start (the value's, ';' or '='); its letters, a
// "(string)" cast left out, must spell a function that runs commands or
// code, and the call must have an argument a payload gives (a string, a
// variable or a word) and end the statement.
func phpGroupCall(lo []byte) (int, int) {
	var stack [phpCompactMax]byte
	c := stack[:0]
	for i := 0; i < len(lo) && len(c) < phpCompactMax; i++ {
		switch x := lo[i]; {
		case x == ' ' || x == '\t' || x == '\n' || x == '\r':
		case x == '/' && i+1 < len(lo) && lo[i+1] == '*':
			e := indexFrom(lo[:min(len(lo), i+phpCompactMax)], i+2, "*/")
			if e < 0 {
				i = len(lo)
				continue
			}
			i = e + 1
		default:
			c = append(c, x)
		}
	}
	if concatExecCall(c) {
		return 0, len(lo)
	}
	for p := 1; p < len(c); p++ {
		if c[p] != '(' {
			continue
		}
		switch c[p-1] {
		case ')', ']', '}', '\'', '"':
		default:
			continue
		}
		s := p - 1
		for s > 0 && p-s < 96 && c[s-1] != ';' && c[s-1] != '=' && c[s-1] != '&' && c[s-1] != '|' {
			s--
		}
		callee := c[s:p] // read, never written
		if bytes.Contains(callee, []byte("(string)")) {
			callee = bytes.ReplaceAll(callee, []byte("(string)"), nil)
		}
		var name [32]byte
		n := name[:0]
		for _, x := range callee {
			if 'a' <= x && x <= 'z' || x == '_' {
				if len(n) == len(name) {
					n = n[:0]
					break
				}
				n = append(n, x)
			}
		}
		if !phpExec[string(n)] || !bytes.ContainsAny(callee, "([{'\"") {
			continue
		}
		e := phpGroupEnd(c, p, min(len(c), p+phpVarCallMax))
		if e < 0 || e == p+1 {
			continue
		}
		a := c[p+1]
		if a == '@' && p+2 < e {
			a = c[p+2] // "(sy.(st).em)(@id)": '@' silences the call's errors
		}
		if a != '\'' && a != '"' && a != '$' && !isWord(a) {
			continue
		} else if isWord(a) && !wordsOnly(bytes.TrimPrefix(c[p+1:e], []byte("@"))) {
			continue // "[system](https://...)": a link's text and its address
		}
		if e+1 < len(c) && c[e+1] != ';' && c[e+1] != '?' {
			continue
		}
		// the span is read in the compacted copy: report the value whole
		return 0, len(lo)
	}
	return -1, -1
}

// concatExecCall reports whether c, a compacted value, joins string
// literals into the name of a function that runs commands or code and
// then calls something whose name it does not spell out:
// "$y='sys'.'tem';($y)('uname');", "define('x','sys'.'tem');(x)('id');".
// A name split into literals is spelt that way only to hide it.
func concatExecCall(c []byte) bool {
	for i := 0; i < len(c); i++ {
		q := c[i]
		if q != '\'' && q != '"' {
			continue
		}
		var name [16]byte
		n, pieces, j := name[:0], 0, i
		for j < len(c) && c[j] == q {
			e := bytes.IndexByte(c[j+1:min(len(c), j+1+len(name))], q)
			if e < 0 || len(n)+e > len(name) {
				break
			}
			n = append(n, c[j+1:j+1+e]...)
			pieces++
			j += e + 2
			if j+1 < len(c) && c[j] == '.' && (c[j+1] == '\'' || c[j+1] == '"') {
				j++
				q = c[j]
				continue
			}
			break
		}
		if pieces >= 2 && phpExec[string(n)] {
			rest := c[j:]
			return bytes.Contains(rest, []byte(")(")) || bytes.Contains(rest, []byte("]("))
		}
		if j > i {
			i = j - 1
		}
	}
	return false
}

// wordsOnly reports whether b holds only identifier bytes.
func wordsOnly(b []byte) bool {
	for _, x := range b {
		if !isWord(x) {
			return false
		}
	}
	return true
}

// phpVarVar finds PHP's variable variables written to name a variable
// by an expression (CRS 933135): "${'ff'}", "${'_VAR'.'IABLE_NAME'}",
// "$ {$a}", spaces allowed between '$' and '{' as PHP allows them. The
// braces must hold a string, concatenated or not, or a variable: a
// JavaScript template or a shell expansion holds words ("${name}"), and
// "$ {amount}" is a price before a placeholder.
func phpVarVar(lo []byte) (int, int) {
	for off := 0; off < len(lo); {
		k := bytes.IndexByte(lo[off:], '$')
		if k < 0 {
			return -1, -1
		}
		i := off + k
		off = i + 1
		j := i + 1
		for j < len(lo) && j-i < 64 && (lo[j] == ' ' || lo[j] == '\t') {
			j++
		}
		if j >= len(lo) || lo[j] != '{' {
			continue
		}
		e := bytes.IndexByte(lo[j+1:min(len(lo), j+1+96)], '}')
		if e < 0 {
			continue
		}
		inner := bytes.TrimSpace(lo[j+1 : j+1+e])
		end := j + 2 + e
		if len(inner) == 0 {
			continue
		}
		switch c := inner[0]; {
		case c == '\'' || c == '"':
			q := bytes.IndexByte(inner[1:], c)
			if q < 0 {
				continue
			}
			rest := bytes.TrimSpace(inner[q+2:])
			if len(rest) == 0 || rest[0] == '.' {
				return i, end // "${'ff'}", "${'a'.'b'}"
			}
		case c == '$' && len(inner) > 1 && (isWord(inner[1]) || inner[1] == '{'):
			return i, end // "${$a}"
		}
	}
	return -1, -1
}
