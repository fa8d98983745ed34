package signature

import "strings"

// cls is a set of character classes present in a value. Detectors check it
// first: a value without any of the characters an attack family needs is
// skipped without further work, which is what keeps benign requests cheap.
type cls uint32

const (
	cQuote     cls = 1 << iota // '
	cDQuote                    // "
	cBacktick                  // `
	cLT                        // <
	cGT                        // >
	cParen                     // ( )
	cSemi                      // ;
	cPipe                      // |
	cAmp                       // &
	cDollar                    // $
	cBrace                     // { }
	cSlash                     // /
	cBackslash                 // \
	cDot                       // .
	cColon                     // :
	cEq                        // =
	cHash                      // #
	cDash                      // -
	cStar                      // *
	cComma                     // ,
	cSpace                     // space, tab
	cNL                        // \r \n
	cCtl                       // other control bytes, NUL
	cAt                        // @
	cBracket                   // [ ]
	cPercent                   // %
	cBang                      // !
	cTilde                     // ~
	cHigh                      // bytes >= 0x80
)

var classes = func() (t [256]cls) {
	for c := 0; c < 0x20; c++ {
		t[c] = cCtl
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = cHigh
	}
	set := map[byte]cls{'\'': cQuote, '"': cDQuote, '`': cBacktick, '<': cLT, '>': cGT, '(': cParen, ')': cParen,
		';': cSemi, '|': cPipe, '&': cAmp, '$': cDollar, '{': cBrace, '}': cBrace, '/': cSlash, '\\': cBackslash,
		'.': cDot, ':': cColon, '=': cEq, '#': cHash, '-': cDash, '*': cStar, ',': cComma, ' ': cSpace, '\t': cSpace,
		'\r': cNL, '\n': cNL, '@': cAt, '[': cBracket, ']': cBracket, '%': cPercent, '!': cBang, '~': cTilde, 0x7f: cCtl}
	for c, k := range set {
		t[c] = k
	}
	return t
}()

// classify returns the classes of the bytes of s.
func classify(s string) (m cls) {
	for i := 0; i < len(s); i++ {
		m |= classes[s[i]]
	}
	return m
}

// lower appends s lower-cased (ASCII only) to buf.
func lower(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// isWord reports whether c can be part of an identifier.
func isWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// match is a hit of a keyword set: the index of the keyword and its span.
type match struct {
	k    int
	i, j int
}

// kwset is a set of lower-case keywords bucketed by first byte, so that one
// pass over a value finds the leftmost keyword: the cost is one table
// lookup per byte of the value plus a comparison per candidate, whatever
// the size of the set. (For sets of at most a few hundred short keywords
// over values of tens of bytes this is as fast as an Aho-Corasick
// automaton and allocates nothing.)
type kwset struct {
	kws     [][]byte
	byFirst [256][]cand
}

// cand is a keyword starting with a given byte: its second byte (checked
// before the whole keyword is compared) and its index.
type cand struct {
	second byte
	one    bool // the keyword is one byte long
	k      uint16
}

// words builds a keyword set; keywords must be lower-case.
func words(kws ...string) *kwset {
	s := &kwset{kws: make([][]byte, len(kws))}
	for i, k := range kws {
		if k == "" {
			panic("signature: empty keyword")
		}
		s.kws[i] = []byte(k)
		c := cand{one: len(k) == 1, k: uint16(i)}
		if len(k) > 1 {
			c.second = k[1]
		}
		s.byFirst[k[0]] = append(s.byFirst[k[0]], c)
	}
	return s
}

// findAny returns the leftmost keyword of set found in b, with word
// boundaries required where the keyword begins or ends with a letter or
// digit and bounded is true.
func findAny(b []byte, set *kwset, bounded bool) (match, bool) {
	for i := 0; i < len(b); i++ {
		cs := set.byFirst[b[i]]
		if len(cs) == 0 {
			continue
		}
		var next byte
		if i+1 < len(b) {
			next = b[i+1]
		}
		for _, c := range cs {
			if !c.one && (c.second != next || i+1 >= len(b)) {
				continue
			}
			kw := set.kws[c.k]
			j := i + len(kw)
			if j <= len(b) && string(b[i+1:j]) == string(kw[1:]) && (!bounded || boundary(b, i, j, kw)) {
				return match{int(c.k), i, j}, true
			}
		}
	}
	return match{}, false
}

// hasPrefixAny reports which keyword of set b starts with.
func hasPrefixAny(b []byte, set *kwset) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range set.byFirst[b[0]] {
		if kw := set.kws[c.k]; len(kw) <= len(b) && string(b[:len(kw)]) == string(kw) {
			return int(c.k), true
		}
	}
	return 0, false
}

// boundary reports whether b[i:j] is not glued to a word on a side where the
// keyword itself is a word character.
func boundary(b []byte, i, j int, kw []byte) bool {
	if isWord(kw[0]) && i > 0 && isWord(b[i-1]) {
		return false
	}
	if isWord(kw[len(kw)-1]) && j < len(b) && isWord(b[j]) {
		return false
	}
	return true
}

// skipSpace returns the index of the first byte of b at or after i that is
// not a space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAlpha reports whether c is an ASCII letter.
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// indexFold is strings.Index for an ASCII lower-case needle, ignoring the
// case of s.
func indexFold(s, needle string) int {
	if needle == "" {
		return 0
	}
	first := needle[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if s[i] != first && s[i] != upper {
			continue
		}
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}
