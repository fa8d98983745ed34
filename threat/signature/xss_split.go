package signature

import "strings"

// splitScheme finds quoted string literals whose contents, joined in the
// order they come and across the operators between them, spell
// "javascript:" or "vbscript:", or the name of a sink or a decoder
// ("eval", "unescape"), where no one literal holds
// it: the concatenation filter evasions of the XSS cheat sheets and
// PHPIDS's vectors, which assemble a script URL or the name of what they
// call:
//
//	s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'+'ale'+'';s3=''+'rt'+''+'(1)'+''
//	s1=!''&&'jav';s2=!''&&'ascript';s3=!''&&':';s4=!''&&'aler'
//	a=0||'ev'+'al',b=0||location.hash,c=0||'sub'+'str',1[a](b[c](1))
//
// A name counts whole: it begins where a literal begins and ends where
// one ends or before a byte no name has ('sev'+'eral' is no eval).
// Literals chain while what lies between two is code (joinGap); prose
// between quotes ("'java' and 'script'") breaks the chain. It returns
// where the chain's first literal opens and where the literal that
// completes the word closes. The work is one pass, and only the last
// bytes of the joined text are kept.
func splitScheme(v string) (int, int, bool) {
	var tail [32]byte
	var starts [8]int // where the chain's last literals begin in tail
	n, ns := 0, 0     // bytes of the joined text in tail; of starts
	start := -1       // where the chain's first literal opens
	prev := -1        // after the chain's last literal
	// spans reports whether tail[:end] ends with a name that begins at a
	// literal's start before first, the current literal's
	spans := func(end, first int) bool {
		if ns < 2 || splitLast[tail[end-1]] == 0 {
			return false // no literal before this one; no name ends so
		}
		for _, w := range splitNames {
			at := end - len(w)
			if at < 0 || at >= first || string(tail[at:end]) != w {
				continue
			}
			for _, b := range starts[:ns] {
				if b == at {
					return true
				}
			}
		}
		return false
	}
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
			n, ns, start = 0, 0, i
		}
		first := n // where this literal's bytes begin in tail
		if ns == len(starts) {
			copy(starts[:], starts[1:])
			ns--
		}
		starts[ns] = n
		ns++
		for j := 0; j < len(lit); j++ {
			if j == splitLongest && len(lit) > 2*splitLongest {
				// A word that begins before this literal ends within its
				// first bytes; past them only its last bytes matter, where
				// a word the next literal completes may begin. No name
				// begins at a start this far back.
				j, n, ns, first = len(lit)-splitLongest, 0, 0, -len(tail)
			}
			if n == len(tail) {
				const half = len(tail) / 2
				copy(tail[:], tail[half:])
				n, first = n-half, first-half
				for k := range starts[:ns] {
					starts[k] -= half
				}
			}
			c := lit[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			near := n-first < splitLongest // a word that began before this literal may end here
			if near && !isWord(c) && n > first && spans(n, first) {
				return start, end, true // "'locatio'+'n.h'": the name ends before the '.'
			}
			tail[n] = c
			n++
			if c != ':' || !near {
				continue
			}
			// the scheme ends in this literal and begins in an earlier one
			for _, s := range [...]string{"javascript:", "vbscript:"} {
				if at := n - len(s); at >= 0 && at < first && string(tail[at:n]) == s {
					return start, end, true
				}
			}
		}
		if n > first && n-first <= splitLongest && spans(n, first) {
			return start, end, true
		}
		prev, i = end, end
	}
	return 0, 0, false
}

// splitLongest is the length of the longest word splitScheme looks for
// ("fromcharcode"; "javascript:" is shorter).
const splitLongest = len("fromcharcode")

// splitLast marks the last bytes of splitNames.
var splitLast = func() (t [256]uint8) {
	for _, w := range splitNames {
		t[w[len(w)-1]] = 1
	}
	return t
}()

// splitNames are the names splitScheme looks for assembled from pieces:
// the sinks that run a string, the decoders that feed them, and alert,
// what a probe calls. None is longer than half of its window. Words of
// English that a label joins ("'Cook' + 'ie'", "'Lo' + 'cation'") are
// not among them.
var splitNames = [...]string{"eval", "unescape", "fromcharcode", "settimeout", "setinterval", "execscript",
	"innerhtml", "outerhtml", "constructor", "alert"}

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
