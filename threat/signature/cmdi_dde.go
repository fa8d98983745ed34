package signature

import "strings"

// Formula injection (CSV injection): a value a spreadsheet later opens as
// a formula, because it starts with '=', '+', '-' or '@', can call
// Dynamic Data Exchange, which starts the program it names:
// =cmd|' /C calc'!A0 runs cmd.exe with the topic as its command line
// (OWASP's CSV injection page; MSEXCEL|'\..\..\Windows\System32\cmd.exe'
// and @SUM(1+1)*cmd|' /C calc'!A0 are its variants), and LibreOffice's
// =DDE("cmd";"/C calc";"x") is the same call spelled as a function.
// Prose starts with none of those bytes and holds no app|'topic'!item.

// ddeCommand returns the span of a DDE call in a value that opens as a
// formula, or -1, -1.
func ddeCommand(v string) (int, int) {
	s := 0
	for s < len(v) && (v[s] == ' ' || v[s] == '\t' || v[s] == '\r' || v[s] == '\n' || v[s] == '"' || v[s] == '\'') {
		s++
	}
	if s >= len(v) || strings.IndexByte("=+-@", v[s]) < 0 {
		return -1, -1
	}
	// the function form after '=', '+' or '-': "@dde(" is a mention
	if k := indexFold(v[s:min(len(v), s+40)], "dde("); k >= 0 && v[s] != '@' && (k == 1 || !isWord(v[s+k-1])) {
		return s, s + k + 4
	}
	for k := s + 1; k < len(v); {
		p := strings.Index(v[k:], "|'")
		if p < 0 {
			return -1, -1
		}
		p += k
		k = p + 2
		// the program: a name or a path before the '|'
		a := p
		for a > s && (isWord(v[a-1]) || v[a-1] == '.' || v[a-1] == '\\') {
			a--
		}
		if a == p {
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
