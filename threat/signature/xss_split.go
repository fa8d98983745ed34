package signature

import "strings"

// splitScheme finds quoted string literals whose contents, joined in the
// order they come and across the operators between them, spell
// "javascript:" or "vbscript:" where no one literal holds it: the
// concatenation filter evasions of the XSS cheat sheets and PHPIDS's
// vectors, which assemble the URL a page then loads:
//
//	s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'+'ale'+'';s3=''+'rt'+''+'(1)'+''
//	s1=!''&&'jav';s2=!''&&'ascript';s3=!''&&':';s4=!''&&'aler'
//
// Literals chain while what lies between two is code (joinGap); prose
// between quotes ("'java' and 'script'") breaks the chain. It returns
// where the chain's first literal opens and where the literal that
// completes the scheme closes. The work is one pass, and only the last
// bytes of the joined text are kept.
func splitScheme(v string) (int, int, bool) {
	var tail [32]byte
	n := 0      // bytes of the joined text in tail
	start := -1 // where the chain's first literal opens
	prev := -1  // after the chain's last literal
	for i := 0; i < len(v); {
		q := v[i]
		if q != '\'' && q != '"' {
			i++
			continue
		}
		k := strings.IndexByte(v[i+1:], q)
		if k < 0 {
			break
		}
		lit, end := v[i+1:i+1+k], i+k+2
		if prev < 0 || !joinGap(v[prev:i]) {
			n, start = 0, i
		}
		first := n // where this literal's bytes begin in tail
		for j := 0; j < len(lit); j++ {
			if n == len(tail) {
				copy(tail[:], tail[len(tail)/2:])
				n -= len(tail) / 2
				first -= len(tail) / 2
			}
			c := lit[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			tail[n] = c
			n++
			if c != ':' {
				continue
			}
			// the scheme ends in this literal and begins in an earlier one
			for _, s := range [...]string{"javascript:", "vbscript:"} {
				if at := n - len(s); at >= 0 && at < first && string(tail[at:n]) == s {
					return start, end, true
				}
			}
		}
		prev, i = end, end
	}
	return 0, 0, false
}

// joinGap reports whether g, the text between two string literals, is
// code that can join them: at most 32 bytes of operators, names, digits
// and blanks, with an operator among them ('+', '&', '|', '?', ':', ';',
// '=', ','), and no two names side by side, as words of prose are.
func joinGap(g string) bool {
	if len(g) > 32 {
		return false
	}
	op, name, blank := false, false, false // a name seen; a blank after it
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case c == '+' || c == '&' || c == '|' || c == '?' || c == ':' || c == ';' || c == '=' || c == ',':
			op, name, blank = true, false, false
		case c == '!' || c == '[' || c == ']' || c == '(' || c == ')':
			name, blank = false, false
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			blank = name
		case isAlnum(c) || c == '_' || c == '$' || c == '.':
			if blank {
				return false // "'java' and then 'script:'"
			}
			name = true
		default:
			return false
		}
	}
	return op
}
