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
			s, n, good := jsonString(b[i:])
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
// and its escapes valid. An unclosed string runs to the end of b.
func jsonString(b string) (string, int, bool) {
	q := b[0]
	i := 1 + quoteRun(b[1:], q)
	if i < len(b) && b[i] == q {
		return b[1:i], i + 1, true // the common case: no escapes, no copy
	}
	// find the closing quote first: the copy is as long as the string,
	// not as the rest of the document. b[end] is a backslash here, which
	// escapes the byte after it, or end is len(b).
	end := i
	for end < len(b) && b[end] != q {
		end += 2
		if end < len(b) {
			end += quoteRun(b[end:], q)
		}
	}
	end = min(end, len(b))
	var out strings.Builder
	out.Grow(end - 1)
	out.WriteString(b[1:i])
	good := true
	for i < len(b) {
		c := b[i]
		if c == q {
			return out.String(), i + 1, good
		}
		if c != '\\' {
			// a run up to the next escape or the end of the string
			j := i + 1
			if j < end {
				if k := strings.IndexByte(b[j:end], '\\'); k >= 0 {
					j += k
				} else {
					j = end
				}
			}
			out.WriteString(b[i:j])
			i = j
			continue
		}
		if i+1 >= len(b) {
			out.WriteByte(c)
			return out.String(), len(b), false
		}
		e := b[i+1]
		i += 2
		switch e {
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		case 'b':
			out.WriteByte('\b')
		case 'f':
			out.WriteByte('\f')
		case 'u':
			r, ok := hex4(b, i)
			if !ok {
				out.WriteString(`\u`)
				good = false
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(b, i+2); ok && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						out.WriteRune(d)
						i += 6
						continue
					}
				}
				// a lone surrogate: encoding/json reads U+FFFD too
			}
			out.WriteRune(r)
		default:
			// \" \\ \/ and, leniently, any other escaped byte
			if e != '"' && e != '\\' && e != '/' {
				good = false
			}
			out.WriteByte(e)
		}
	}
	return out.String(), len(b), false
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
// is: an escaped string running to the end of the document calls quoteRun
// at each backslash, and stays linear.
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
