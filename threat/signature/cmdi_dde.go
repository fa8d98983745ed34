package signature

import "strings"

// Formula injection (CSV injection): a cell a spreadsheet later opens as
// a formula, because it starts with '=', '+', '-' or '@', can call
// Dynamic Data Exchange, which starts the program it names:
// =cmd|' /C calc'!A0 runs cmd.exe with the topic as its command line
// (OWASP's CSV injection page; MSEXCEL|'\..\..\Windows\System32\cmd.exe'
// and @SUM(1+1)*cmd|' /C calc'!A0 are its variants), and LibreOffice's
// =DDE("cmd";"/C calc";"x") is the same call spelled as a function. The
// cell is a field's whole value, or a cell of a CSV file uploaded whole.
// Prose starts no cell with those bytes and holds no app|'topic'!item.

// maxCell bounds how far back from a call the start of its cell is
// looked for: the reading stays linear in the value.
const maxCell = 256

// cellStart returns where the cell holding v[i] starts: after the
// value's start, a line break, a comma, a semicolon or a tab, and the
// blanks and quotes that open it; -1 when that is more than maxCell bytes
// back.
func cellStart(v string, i int) int {
	s := i
	for s > 0 && strings.IndexByte(",;\t\n\r", v[s-1]) < 0 {
		if i-s >= maxCell {
			return -1
		}
		s--
	}
	for s < i && (v[s] == ' ' || v[s] == '"' || v[s] == '\'') {
		s++
	}
	return s
}

// formula reports whether the cell opening at v[s] is a formula.
func formula(v string, s int) bool {
	return s >= 0 && s < len(v) && strings.IndexByte("=+-@", v[s]) >= 0
}

// ddeCommand returns the span of a DDE call in a cell that opens as a
// formula, or -1, -1. A value of one line is searched for the function
// form only when it opens as a formula: most values with a '(' are prose.
func ddeCommand(v string, multiline bool) (int, int) {
	// the function form after '=', '+' or '-': "@dde(" is a mention
	if !multiline {
		if s := cellStart(v, 0); formula(v, s) && v[s] != '@' {
			if p := indexFold(v[s:min(len(v), s+41)], "dde("); p > 0 && (p == 1 || !isWord(v[s+p-1])) {
				return s, s + p + 4
			}
		}
	}
	for k := 0; multiline && k < len(v); {
		p := indexFold(v[k:], "dde(")
		if p < 0 {
			break
		}
		p += k
		k = p + 4
		if s := cellStart(v, p); formula(v, s) && v[s] != '@' && p-s <= 40 && (p == s+1 || !isWord(v[p-1])) {
			return s, p + 4
		}
	}
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "|'")
		if p < 0 {
			return -1, -1
		}
		p += k
		k = p + 2
		// the program: a name or a path before the '|'
		a := p
		for a > 0 && (isWord(v[a-1]) || v[a-1] == '.' || v[a-1] == '\\') {
			a--
		}
		if a == p {
			continue
		}
		s := cellStart(v, a)
		if !formula(v, s) {
			continue
		}
		// the topic, quoted, then '!' and the item
		e := strings.IndexByte(v[p+2:min(len(v), p+2+256)], '\'')
		if e < 0 {
			continue
		}
		e += p + 2
		if e+1 < len(v) && v[e+1] == '!' {
			return a, e + 2
		}
	}
	return -1, -1
}
