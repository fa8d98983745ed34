package signature

import "strings"

// Shell variables that assemble a command: "a=c;b=at;c=/etc/passwd;$a$b $c"
// (PayloadsAllTheThings), "c1=c;c2=a;c3=t;c4=\ ;...;$c1$c2$c3$c4$a1..."
// (the CRS's 932200). Each piece is harmless, and only the line the shell
// runs after the assignments says what runs: expandAssigned writes that
// line, which the family judges as it judges any value.

const (
	varsMax      = 32  // assignments read
	varValueMax  = 64  // bytes of one value
	varExpandMax = 512 // bytes of the line written
)

// expandAssigned returns the first statement of v after one or more
// assignments (NAME=value; separators ';', '&', '|' and line breaks), with
// the variables they set expanded and the others dropped, when that
// statement uses one of them; otherwise "".
func expandAssigned(v string) string {
	var names [varsMax]string
	var values [varsMax]string
	n := 0
	i := 0
	for i < len(v) {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || isStatementSep(v[i])) {
			i++
		}
		name, value, end, ok := assignment(v, i)
		if !ok {
			break
		}
		if n == varsMax {
			return ""
		}
		names[n], values[n] = name, value
		n++
		i = end
	}
	if n == 0 || i >= len(v) {
		return ""
	}
	// the statement after the assignments, to its end
	e := i
	for e < len(v) && !isStatementSep(v[e]) {
		e++
	}
	stmt := v[i:e]
	if strings.IndexByte(stmt, '$') < 0 {
		return ""
	}
	var out [varExpandMax]byte
	o, used := 0, false
	for k := 0; k < len(stmt) && o < len(out); k++ {
		c := stmt[k]
		if c != '$' || k+1 >= len(stmt) {
			out[o] = c
			o++
			continue
		}
		s, braced := k+1, stmt[k+1] == '{'
		if braced {
			s++
		}
		t := s
		for t < len(stmt) && t-s < 32 && isWord(stmt[t]) {
			t++
		}
		if t == s || braced && (t >= len(stmt) || stmt[t] != '}') {
			out[o] = c
			o++
			continue
		}
		val := ""
		for x := n - 1; x >= 0; x-- {
			if names[x] == stmt[s:t] {
				val, used = values[x], true
				break
			}
		}
		o += copy(out[o:], val)
		k = t - 1
		if braced {
			k = t
		}
	}
	if !used {
		return ""
	}
	return string(out[:o])
}

// isStatementSep reports a byte that ends a shell statement.
func isStatementSep(c byte) bool { return c == ';' || c == '&' || c == '|' || c == '\n' || c == '\r' }

// assignment reads "NAME=value" at v[i:]: a name, '=', and a value of
// unquoted bytes, backslash escapes and quoted strings up to a blank or a
// separator. It returns the name, the value as the shell sets it, and
// where it ends.
func assignment(v string, i int) (string, string, int, bool) {
	s := i
	if i >= len(v) || !isLetter(v[i]) && v[i] != '_' {
		return "", "", 0, false
	}
	for i < len(v) && i-s < 32 && isWord(v[i]) {
		i++
	}
	if i >= len(v) || v[i] != '=' {
		return "", "", 0, false
	}
	name := v[s:i]
	i++
	var val [varValueMax]byte
	n := 0
	for i < len(v) && v[i] != ' ' && v[i] != '\t' && !isStatementSep(v[i]) {
		switch c := v[i]; c {
		case '\\':
			if i+1 < len(v) && n < len(val) {
				val[n] = v[i+1]
				n++
			}
			i += 2
		case '\'', '"':
			e := strings.IndexByte(v[i+1:], c)
			if e < 0 {
				return "", "", 0, false
			}
			n += copy(val[n:], v[i+1:i+1+e])
			i += e + 2
		default:
			if n < len(val) {
				val[n] = c
				n++
			}
			i++
		}
	}
	if i > len(v) {
		i = len(v)
	}
	return name, string(val[:n]), i, true
}
