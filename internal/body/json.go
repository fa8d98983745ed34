package body

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// json emits the keys (JSONKey) and string values (JSON, named by their
// key) of a JSON document, or of several (NDJSON), in one pass without
// building them. It is tolerant as lenient parsers are: single-quoted
// strings, comments, unquoted keys and trailing garbage are read rather
// than refused. Numbers, booleans and null are skipped: they hold no text.
// It reports false when the input was not strict JSON.
func (p *Parser) json(b string) bool {
	type frame struct {
		object bool
		key    string
	}
	var stackBuf [16]frame
	stack := stackBuf[:0]
	max := p.maxDepth()
	depth := 0 // may exceed len(stack) past max
	wantKey := false
	ok := true
	name := func() string {
		if n := len(stack); n > 0 {
			return stack[n-1].key
		}
		return ""
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch c {
		case ' ', '\t', '\r', '\n', ',', ':':
			if c == ',' && depth > 0 && depth <= len(stack) && stack[len(stack)-1].object {
				wantKey = true
			} else if c == ',' && depth > len(stack) {
				wantKey = false
			}
			i++
		case '{', '[':
			depth++
			if depth > max {
				p.Deep = true
			} else {
				stack = append(stack, frame{object: c == '{', key: name()})
			}
			wantKey = c == '{'
			i++
		case '}', ']':
			if depth == 0 {
				ok = false
			} else {
				if depth <= len(stack) {
					stack = stack[:len(stack)-1]
				}
				depth--
			}
			wantKey = false
			i++
		case '"', '\'':
			if c == '\'' {
				ok = false
			}
			s, n, good := p.arena.jsonString(b[i:])
			if !good {
				ok = false
			}
			i += n
			// a plain word is left out here already (emit would leave it
			// out too): keys and words are most of a document's strings
			skip := p.SkipWords && plainWord(s)
			if wantKey && depth > 0 {
				if depth <= len(stack) {
					stack[len(stack)-1].key = s
				}
				wantKey = false
				if !skip && !p.emit(JSONKey, "(key)", s) {
					return ok
				}
				if s == "prototype" && len(stack) > 1 && depth <= len(stack) && stack[len(stack)-2].object && stack[len(stack)-2].key == "constructor" &&
					!p.emit(JSONKey, "(key)", constructorPrototype) {
					return ok
				}
				continue
			}
			if !skip && !p.emit(JSON, name(), s) {
				return ok
			}
		case '/':
			// comments, as JSON5 and many lenient parsers allow
			ok = false
			switch {
			case strings.HasPrefix(b[i:], "//"):
				j := strings.IndexByte(b[i:], '\n')
				if j < 0 {
					return ok
				}
				i += j
			case strings.HasPrefix(b[i:], "/*"):
				j := strings.Index(b[i+2:], "*/")
				if j < 0 {
					return ok
				}
				i += j + 4
			default:
				i++
			}
		default:
			// a number, true, false, null, or a bare word (an unquoted
			// key or garbage): read up to the next delimiter
			j := i
			for j < len(b) && !jsonDelim[b[j]] {
				j++
			}
			if j == i {
				j++
			}
			w := b[i:j]
			if !jsonLiteral(w) {
				ok = false
				if wantKey && depth > 0 {
					if depth <= len(stack) {
						stack[len(stack)-1].key = w
					}
					wantKey = false
					if !p.emit(JSONKey, "(key)", w) {
						return ok
					}
				} else if !p.emit(JSON, name(), w) {
					return ok
				}
			}
			i = j
		}
	}
	return ok && depth == 0
}

// constructorPrototype is the path a key "prototype" in the object of a
// key "constructor" spells, emitted as a key of its own: merged into an
// object, {"constructor":{"prototype":{...}}} sets Object.prototype as
// {"__proto__":{...}} does, and neither key is suspect alone.
const constructorPrototype = "constructor.prototype"

var jsonDelim = func() (t [256]bool) {
	for _, c := range " \t\r\n,:{}[]\"'/" {
		t[c] = true
	}
	return t
}()

// jsonLiteral reports whether w is a JSON number, true, false or null.
func jsonLiteral(w string) bool {
	switch w {
	case "true", "false", "null":
		return true
	}
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return true
}

// jsonString reads the quoted string at the start of b (its quote is b[0])
// and returns it unescaped, the bytes it took, and whether it was closed
// and its escapes valid. An unclosed string runs to the end of b. A
// string with escapes is decoded into an arena of its own; the parser
// decodes into one arena for the whole document.
func jsonString(b string) (string, int, bool) {
	var a arena
	return a.jsonString(b)
}

// jsonString is jsonString decoding into a: a string without escapes is a
// substring of b, one with escapes is written into a, in one pass. Past
// its first sixteen bytes (read as words by quoteRun) a string is read by
// two vectorised searches: for the next quote, which an escape may turn
// out to have consumed, and for the backslashes before it. Each byte is
// read once by each, and each run between escapes copied once.
func (a *arena) jsonString(b string) (string, int, bool) {
	q := b[0]
	i := 1 + quoteRun(b[1:min(len(b), 17)], q)
	if i < len(b) && b[i] == q {
		return b[1:i], i + 1, true // the common case: no escapes, no copy
	}
	qe := nextByte(b, i, q) // the next quote; no quote is in b[i:qe]
	if i == qe || b[i] != '\\' {
		// the first bytes held neither: the backslash before qe, if any
		if k := strings.IndexByte(b[i:qe], '\\'); k >= 0 {
			i += k
		} else if qe < len(b) {
			return b[1:qe], qe + 1, true
		} else {
			return b[1:], len(b), false // unclosed
		}
	}
	// b[i] is a backslash
	a.begin()
	a.write(b[1:i])
	good := true
	for {
		if i+1 >= len(b) {
			a.write(b[i:])
			return a.end(), len(b), false
		}
		e := b[i+1]
		i += 2
		switch e {
		case 'n':
			a.writeByte('\n')
		case 'r':
			a.writeByte('\r')
		case 't':
			a.writeByte('\t')
		case 'b':
			a.writeByte('\b')
		case 'f':
			a.writeByte('\f')
		case 'u':
			r, ok := hex4(b, i)
			if !ok {
				a.write(`\u`)
				good = false
				break
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(b, i+2); ok && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						a.writeRune(d)
						i += 6
						break
					}
				}
				// a lone surrogate: encoding/json reads U+FFFD too
			}
			a.writeRune(r)
		default:
			// \" \\ \/ and, leniently, any other escaped byte
			if e != '"' && e != '\\' && e != '/' {
				good = false
			}
			a.writeByte(e)
		}
		if i > qe {
			// the escape was of the quote (hex digits are none)
			qe = nextByte(b, i, q)
		}
		// the run up to the next escape or the quote
		k := strings.IndexByte(b[i:qe], '\\')
		if k < 0 {
			a.write(b[i:qe])
			if qe < len(b) {
				return a.end(), qe + 1, good
			}
			return a.end(), len(b), false
		}
		a.write(b[i : i+k])
		i += k
	}
}

// nextByte returns the index of the first c in b from i, or len(b).
func nextByte(b string, i int, c byte) int {
	if k := strings.IndexByte(b[i:], c); k >= 0 {
		return i + k
	}
	return len(b)
}

// arena holds the strings a parse decodes (JSON strings with escapes),
// back to back in chunks that double up to arenaMax bytes, so that a
// document of many escaped strings costs a few allocations, not one a
// string. Bytes before buf's length belong to strings handed out and are
// never written again; the string being decoded is buf[start:], and
// moves to a new chunk whole when it outgrows the current one. A string
// longer than arenaMax moves to a chunk twice its length, as append
// grows a slice: a chunk of just the room asked for would move it again
// at the next escape, and a 1 MiB string of escapes would copy for
// minutes.
type arena struct {
	buf   []byte
	start int
}

const arenaMin, arenaMax = 512, 64 << 10

// begin starts a string at the end of the arena.
func (a *arena) begin() { a.start = len(a.buf) }

// end returns the string begun last; the bytes after it are for the next.
func (a *arena) end() string {
	s := a.buf[a.start:]
	a.start = len(a.buf)
	if len(s) == 0 {
		return ""
	}
	return unsafe.String(&s[0], len(s))
}

// room makes room for n more bytes of the string being decoded.
func (a *arena) room(n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	cur := a.buf[a.start:]
	size := min(max(2*cap(a.buf), arenaMin), arenaMax)
	b := make([]byte, len(cur), max(size, 2*len(cur)+n))
	copy(b, cur)
	a.buf, a.start = b, 0
}

func (a *arena) write(s string) {
	a.room(len(s))
	a.buf = append(a.buf, s...)
}

func (a *arena) writeByte(c byte) {
	a.room(1)
	a.buf = append(a.buf, c)
}

func (a *arena) writeRune(r rune) {
	a.room(utf8.UTFMax)
	a.buf = utf8.AppendRune(a.buf, r)
}

// quoteRun returns the index of the first byte of s that is q or a
// backslash, or len(s). Its first sixteen bytes (a key, a short value) are
// read as two words: in (y-ones)&^y a byte's high bit is set when that
// byte of y is 0, exactly in the lowest such byte (a borrow can mark bytes
// above it, which are not read), and a byte of y = x^(ones*c) is 0 where x
// holds c. Past them strings.IndexByte looks for the quote, then for a
// backslash before it, in windows that double from 64 bytes. A window is
// as wide as all the bytes before it plus 48, so the two searches read at
// most four times the index returned, plus 80, however far the next quote
// is, and a caller that calls it at each backslash stays linear.
// jsonString gives it the first sixteen bytes of a string only, and
// searches past them itself.
func quoteRun(s string, q byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	qs, bs := ones*uint64(q), ones*uint64('\\')
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i := 0
	if len(b) >= 16 {
		c := (*[16]byte)(b[:16]) // one bounds check for the two loads
		x0, x1 := binary.LittleEndian.Uint64(c[0:8]), binary.LittleEndian.Uint64(c[8:16])
		y0, z0, y1, z1 := x0^qs, x0^bs, x1^qs, x1^bs
		if m := ((y0-ones)&^y0 | (z0-ones)&^z0) & highs; m != 0 {
			return bits.TrailingZeros64(m) / 8
		}
		if m := ((y1-ones)&^y1 | (z1-ones)&^z1) & highs; m != 0 {
			return 8 + bits.TrailingZeros64(m)/8
		}
		i = 16
	} else if len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b[:8])
		y, z := x^qs, x^bs
		if m := ((y-ones)&^y | (z-ones)&^z) & highs; m != 0 {
			return bits.TrailingZeros64(m) / 8
		}
		i = 8
	}
	if len(s)-i < 8 {
		for ; i < len(s); i++ {
			if s[i] == q || s[i] == '\\' {
				return i
			}
		}
		return len(s)
	}
	for w := 64; i < len(s); w *= 2 {
		c := s[i:min(i+w, len(s))]
		j := strings.IndexByte(c, q)
		if j >= 0 {
			c = c[:j]
		}
		if k := strings.IndexByte(c, '\\'); k >= 0 {
			return i + k
		}
		if j >= 0 {
			return i + j
		}
		i += len(c)
	}
	return len(s)
}

// hex4 reads four hex digits at b[i:].
func hex4(b string, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(b[i : i+4]) {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
