package signature

import "strings"

// A fork bomb: a shell function whose body runs the function again into a
// pipe or in the background, ":(){ :|:& };:", "f(){ f|f& };f", "test() {
// test | test & }". Each call starts two more until the machine has no
// processes left. The grammar is the shell's alone: a name, "()", a body
// in braces that calls the name and pipes or backgrounds it. A script's
// recursive function ("f(){ return f(x) || y }") calls it with arguments.

// forkBombBody bounds the body read.
const forkBombBody = 256

// forkBomb finds such a function in v and returns its span.
func forkBomb(v string) (int, int, bool) {
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "()")
		if p < 0 {
			return 0, 0, false
		}
		p += k
		k = p + 2
		// the name: the bytes before "()" back to a space or separator
		s := p
		for s > 0 && p-s < 32 && !forkNameEnd(v[s-1]) {
			s--
		}
		if s == p || s > 0 && !forkNameEnd(v[s-1]) {
			continue
		}
		b := k
		for b < len(v) && (v[b] == ' ' || v[b] == '\t') {
			b++
		}
		if b >= len(v) || v[b] != '{' {
			continue
		}
		e := strings.IndexByte(v[b+1:min(len(v), b+1+forkBombBody)], '}')
		if e < 0 {
			continue
		}
		body := v[b+1 : b+1+e]
		if forkCalls(body, v[s:p]) {
			return s, b + 2 + e, true
		}
	}
	return 0, 0, false
}

// forkNameEnd reports whether c ends a function's name: a space, a
// separator or a bracket.
func forkNameEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '{', '}', '`', '=', '\'', '"':
		return true
	}
	return false
}

// forkCalls reports whether body calls name, alone or with "()", into a
// pipe or in the background: "name|", "name &", "name() |".
func forkCalls(body, name string) bool {
	for i := 0; i+len(name) <= len(body); {
		j := strings.Index(body[i:], name)
		if j < 0 {
			return false
		}
		j += i
		i = j + 1
		if j > 0 && !forkNameEnd(body[j-1]) {
			continue
		}
		a := j + len(name)
		if strings.HasPrefix(body[a:], "()") {
			a += 2
		}
		for a < len(body) && (body[a] == ' ' || body[a] == '\t') {
			a++
		}
		if a < len(body) && (body[a] == '|' || body[a] == '&') {
			return true
		}
	}
	return false
}
