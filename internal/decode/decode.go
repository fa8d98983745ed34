// Package decode normalises attacker-controlled strings before inspection:
// URL decoding (repeated, for double encoding, with %uXXXX), HTML entities,
// JavaScript escapes (\uXXXX, \xHH), NUL removal and overlong UTF-8. Every
// function is bounded in time and output size and never panics.
package decode

import (
	"encoding/binary"
	"html"
	"math/bits"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// MaxPasses is how many rounds of decoding Value applies at most: enough for
// the quadruple encodings of payload lists ("%2525250a"), bounded so that a
// crafted value cannot loop; each round only shrinks the value.
const MaxPasses = 5

// specialLong reports whether a long value (64 bytes and more) holds a
// byte a decoder would change (see shortKinds): one vectorised pass a
// byte, and eight bytes at a time for the high and NUL bytes.
func specialLong(s string, plus bool) bool {
	return strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '&') >= 0 || strings.IndexByte(s, '\\') >= 0 ||
		plus && strings.IndexByte(s, '+') >= 0 || highOrNUL(s)
}

// highOrNUL reports whether s holds a byte >= 0x80 or a NUL.
func highOrNUL(s string) bool {
	// The NUL a vector at a time; the high bits of sixteen words a round,
	// in one test, then of eight words, then of one word, and last of the
	// final word again, which covers the bytes after the last whole one.
	// Every value is read whole, so the per-byte work is what counts: the
	// rounds read through a pointer to s's bytes (as wordAt does), which
	// leaves them no bounds check; the loop conditions keep them in s.
	if strings.IndexByte(s, 0) >= 0 {
		return true
	}
	const highs = 0x8080808080808080
	p := unsafe.Pointer(unsafe.StringData(s))
	i := 0
	for ; i <= len(s)-128; i += 128 {
		c := (*[128]byte)(unsafe.Add(p, i))
		w := binary.LittleEndian.Uint64(c[0:8]) | binary.LittleEndian.Uint64(c[8:16]) |
			binary.LittleEndian.Uint64(c[16:24]) | binary.LittleEndian.Uint64(c[24:32]) |
			binary.LittleEndian.Uint64(c[32:40]) | binary.LittleEndian.Uint64(c[40:48]) |
			binary.LittleEndian.Uint64(c[48:56]) | binary.LittleEndian.Uint64(c[56:64]) |
			binary.LittleEndian.Uint64(c[64:72]) | binary.LittleEndian.Uint64(c[72:80]) |
			binary.LittleEndian.Uint64(c[80:88]) | binary.LittleEndian.Uint64(c[88:96]) |
			binary.LittleEndian.Uint64(c[96:104]) | binary.LittleEndian.Uint64(c[104:112]) |
			binary.LittleEndian.Uint64(c[112:120]) | binary.LittleEndian.Uint64(c[120:128])
		if w&highs != 0 {
			return true
		}
	}
	if i <= len(s)-64 {
		c := (*[64]byte)(unsafe.Add(p, i))
		w := binary.LittleEndian.Uint64(c[0:8]) | binary.LittleEndian.Uint64(c[8:16]) |
			binary.LittleEndian.Uint64(c[16:24]) | binary.LittleEndian.Uint64(c[24:32]) |
			binary.LittleEndian.Uint64(c[32:40]) | binary.LittleEndian.Uint64(c[40:48]) |
			binary.LittleEndian.Uint64(c[48:56]) | binary.LittleEndian.Uint64(c[56:64])
		if w&highs != 0 {
			return true
		}
		i += 64
	}
	if len(s) < 8 {
		for ; i < len(s); i++ {
			if s[i] >= 0x80 {
				return true
			}
		}
		return false
	}
	for ; i < len(s)-8; i += 8 {
		if wordAt(s, i)&highs != 0 {
			return true
		}
	}
	// the last eight bytes of s, some of them read before
	return wordAt(s, len(s)-8)&highs != 0
}

// Kinds of the bytes a decoder of Value would change, as shortKinds marks
// them.
const (
	kindPlus  = 1 << iota // '+', a space in form encoding
	kindOther             // '%', '&', '\\', NUL and the bytes from 0x80
)

// shortKinds is the kind of each byte, 0 for the bytes no decoder changes.
var shortKinds = func() (t [256]uint8) {
	for c := 0x80; c < 0x100; c++ {
		t[c] = kindOther
	}
	for _, c := range []byte{'%', '&', '\\', 0} {
		t[c] = kindOther
	}
	t['+'] = kindPlus
	return t
}()

// kinds returns the kinds of the bytes of s, or'ed.
func kinds(s string) uint8 {
	var k uint8
	for i := 0; i < len(s); i++ {
		k |= shortKinds[s[i]]
	}
	return k
}

// Plain reports whether s is a short value (under 64 bytes) that holds no
// byte a decoder of Value changes, so that Value(s, plus) is s. It is
// small enough to be inlined: callers that decode many short values, most
// of them plain, test it first and call Value only for the others.
func Plain(s string, plus bool) bool {
	if len(s) >= 64 {
		return false
	}
	k := kinds(s)
	if !plus {
		k &^= kindPlus
	}
	return k == 0
}

// Value fully decodes one query, form or cookie value. plus says whether '+'
// stands for a space (form encoding). The result is never longer than s.
func Value(s string, plus bool) string {
	if len(s) < 64 {
		// Short values, most of a query's and a cookie's, are read one
		// byte at a time, for every kind at once.
		k := kinds(s)
		if !plus {
			k &^= kindPlus
		}
		switch k {
		case 0:
			return s
		case kindPlus:
			// Only '+': each is a space, and decode would end after one
			// pass, with nothing for Normalize to change.
			return plusToSpace(s)
		}
	} else if !specialLong(s, plus) {
		return s
	}
	return decode(s, plus)
}

// decode is Value for a value that holds a byte a decoder changes.
func decode(s string, plus bool) string {
	cur := s
	for pass := 0; pass < MaxPasses; pass++ {
		next := cur
		if strings.IndexByte(next, '%') >= 0 || (plus && pass == 0 && strings.IndexByte(next, '+') >= 0) {
			next = Percent(next, plus && pass == 0)
		}
		amp := strings.IndexByte(next, '&') >= 0
		if amp {
			next = html.UnescapeString(next)
		}
		backslash := strings.IndexByte(next, '\\') >= 0
		if backslash {
			next = JSEscapes(next)
		}
		if next == cur {
			break
		}
		cur = next
		if !amp && !backslash && strings.IndexByte(cur, '%') < 0 {
			// the next pass would decode no escape, and find no '&' or
			// '\\' in what it was given: the value as it is now, which
			// holds neither
			break
		}
	}
	return Normalize(cur)
}

// plusToSpace returns s with each '+' a space, eight bytes at a time.
func plusToSpace(s string) string {
	b := make([]byte, len(s))
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load8(s[i : i+8])
		x ^= (eqBytes(x, '+') >> 7) * ('+' ^ ' ')
		binary.LittleEndian.PutUint64(b[i:i+8], x)
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			c = ' '
		}
		b[i] = c
	}
	return unsafe.String(&b[0], len(b))
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isHexByte(c byte) bool {
	_, ok := unhex(c)
	return ok
}

func hexN(s string) (rune, bool) {
	var r rune
	for i := 0; i < len(s); i++ {
		v, ok := unhex(s[i])
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// Percent decodes %HH and %uXXXX escapes once. Invalid escapes are kept as
// they are (a lenient server would do the same). plus turns '+' into ' '.
// Runs of bytes without escapes are copied whole; the result is never
// longer than s.
func Percent(s string, plus bool) string {
	// the first escape, or '+': found a vector at a time
	i := strings.IndexByte(s, '%')
	if i < 0 {
		i = len(s)
	}
	if plus {
		if j := strings.IndexByte(s[:i], '+'); j >= 0 {
			i = j
		}
	}
	if i == len(s) {
		return s
	}
	out := make([]byte, len(s))
	n := copy(out, s[:i])
	changed := false
	for i < len(s) {
		// runs and plain %HH escapes, the bulk of a form, in one loop
		dl, sl, ch := PlainRun(out[n:], s[i:], plus, false)
		n = cap(out) - dl // out[n:] reaches to out's capacity
		i = len(s) - sl
		changed = changed || ch
		if i == len(s) {
			break
		}
		// s[i] is a '%' that PlainRun left
		c := s[i]
		if i+5 < len(s) && s[i+1] == '%' && isHexByte(s[i+2]) && isHexByte(s[i+3]) && isHexByte(s[i+4]) && isHexByte(s[i+5]) {
			// "%%0a0a": an escape nested in one, bait for a filter that
			// strips escapes once and leaves "%0a" behind: read the outer
			hi, _ := unhex(s[i+4])
			lo, _ := unhex(s[i+5])
			out[n] = hi<<4 | lo
			n++
			i += 6
			changed = true
			continue
		}
		if i+2 < len(s) {
			if (s[i+1] == 'u' || s[i+1] == 'U') && i+5 < len(s) {
				if r, ok := hexN(s[i+2 : i+6]); ok {
					n += utf8.EncodeRune(out[n:], r)
					i += 6
					changed = true
					continue
				}
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out[n] = hi<<4 | lo
				n++
				i += 3
				changed = true
				continue
			}
			// IIS reads any letter as a hex digit (its value from 'a' on):
			// after an overlong lead, "%c0%9v" is C0 AF, a '/'
			if v, ok := iisHex(s[i+1], s[i+2]); ok && n > 0 && (out[n-1] == 0xC0 || out[n-1] == 0xC1) {
				out[n] = v
				n++
				i += 3
				changed = true
				continue
			}
		}
		out[n] = c
		n++
		i++
	}
	if !changed {
		return s
	}
	return unsafe.String(&out[0], n)
}

// PlainRun decodes the start of src into dst, which must be as long or
// longer, while src holds runs of bytes without escapes and plain %HH
// escapes: runs are copied eight bytes at a time, '+' as ' ' when plus
// (form encoding puts one every few bytes of text), up to the next '%',
// and the bytes of the block past it are written over by what follows.
// It stops at the end of src, at a '%' that begins no %HH escape, or,
// when keepPercent, at one that decodes to '%'. It returns the capacity
// of dst it left unwritten, the bytes of src it left unread, and whether
// what it wrote differs from what it read; when plus, a '+' in the block
// past the '%' it stopped at counts as well (no escape holds a '+', so
// the caller changes it all the same). The percent decoders of this
// package and of the signatures read the bulk of a value with it.
func PlainRun(dst []byte, src string, plus, keepPercent bool) (dstLeft, srcLeft int, changed bool) {
	s, d := src, dst
	// the '+' of the blocks (some past a '%', but no escape holds one),
	// and bit 0 for the other changes
	var changes uint64
	for {
		d = d[:len(s)] // d is as long as s or longer: an escape shrinks s more
		k := 0
		if plus {
			for ; k < len(s)-7; k += 8 {
				x := load8(s[k : k+8])
				p := eqBytes(x, '+')
				x ^= (p >> 7) * ('+' ^ ' ')
				changes |= p
				binary.LittleEndian.PutUint64(d[k:k+8], x)
				if m := hasByte(x, '%'); m != 0 {
					k += bits.TrailingZeros64(m) / 8
					break
				}
			}
		} else {
			for ; k < len(s)-7; k += 8 {
				x := load8(s[k : k+8])
				binary.LittleEndian.PutUint64(d[k:k+8], x)
				if m := hasByte(x, '%'); m != 0 {
					k += bits.TrailingZeros64(m) / 8
					break
				}
			}
		}
		for ; k < len(s) && s[k] != '%'; k++ {
			// the last bytes, fewer than eight
			c := s[k]
			if c == '+' && plus {
				c = ' '
				changes |= 1
			}
			d[k] = c
		}
		if k >= len(s)-2 {
			s, d = s[k:], d[k:]
			break // the end, or a '%' too close to it
		}
		hi, lo := hexValue[s[k+1]], hexValue[s[k+2]]
		c := hi<<4 | lo
		if hi|lo > 15 || keepPercent && c == '%' {
			s, d = s[k:], d[k:]
			break // "%%0a0a", "%u0041", no escape, or a '%' kept
		}
		d[k] = c
		changes |= 1
		s, d = s[k+3:], d[k+1:]
		// escapes one after the other, as a payload escaped whole has
		// them: decoded here, without a block read for each
		for len(s) >= 3 && s[0] == '%' {
			hi, lo := hexValue[s[1]], hexValue[s[2]]
			c := hi<<4 | lo
			if hi|lo > 15 || keepPercent && c == '%' {
				break
			}
			d[0] = c
			s, d = s[3:], d[1:]
		}
	}
	// reslicing d to s's length keeps its capacity: what it lost is what
	// was written
	return cap(d), len(s), changes != 0
}

// DecodesPlainlyTo reports whether every '%' of s begins a %HH escape of
// a byte other than '%', and s decoded once ('+' as a space when plus) is
// v. It reads s and v side by side, eight bytes at a time, and writes
// nothing: the signatures ask it of a long form value and its raw form,
// which a decoder has already turned into one another, to learn that no
// escape of the raw form is nested or broken without decoding it again.
func DecodesPlainlyTo(s string, plus bool, v string) bool {
	if len(v) > len(s) || strings.IndexByte(v, '%') >= 0 {
		// decoding never lengthens; and with no escape of '%' and no
		// bare '%' in s, no '%' comes out of it
		return false
	}
	// Blocks of s and v that are equal (once the '+' of s are spaces)
	// hold no '%' (v has none): both move on by eight. Past the bytes that
	// are, s must hold an escape of v's next byte. s is resliced past
	// each escape by the two bytes it is longer than what it decodes to,
	// so that one index reads both, and one comparison bounds the loop.
	//
	// The loads need no bounds check (the loop's condition is one), and
	// two of the masks of the '+' are read from variables, which the
	// compiler keeps in registers rather than writing each constant anew
	// a block.
	lows, highs := blockMasks[0], blockMasks[1]
	j := 0
	for {
		n := min(len(s), len(v))
		var d uint64
		if plus {
			for ; j+8 <= n; j += 8 {
				x := wordAt(s, j)
				z := x ^ 0x2b2b2b2b2b2b2b2b
				x ^= (^((z&lows + lows) | z) & highs >> 7) * ('+' ^ ' ') // eqBytes(x, '+')
				if d = x ^ wordAt(v, j); d != 0 {
					break
				}
			}
		} else {
			for ; j+8 <= n; j += 8 {
				if d = wordAt(s, j) ^ wordAt(v, j); d != 0 {
					break
				}
			}
		}
		if d == 0 {
			break
		}
		j += bits.TrailingZeros64(d) / 8
		if s[j] != '%' || j+2 >= len(s) {
			return false
		}
		hi, lo := hexValue[s[j+1]], hexValue[s[j+2]]
		if c := hi<<4 | lo; hi|lo > 15 || c == '%' || c != v[j] {
			return false
		}
		// s[j+3:] is to decode to v[j+1:]
		s = s[2:]
		j++
	}
	i := j
	for i < len(s) && j < len(v) {
		// the last bytes of v, fewer than eight (or of s)
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return false
			}
			hi, lo := hexValue[s[i+1]], hexValue[s[i+2]]
			if c = hi<<4 | lo; hi|lo > 15 || c == '%' {
				return false
			}
			i += 3
		case c == '+' && plus:
			c = ' '
			i++
		default:
			i++
		}
		if c != v[j] {
			return false
		}
		j++
	}
	return i == len(s) && j == len(v)
}

// blockMasks are the low seven bits of each byte and the high bit of
// each, as eqBytes uses them.
var blockMasks = [2]uint64{0x7f7f7f7f7f7f7f7f, 0x8080808080808080}

// wordAt returns the eight bytes of s from i as a little-endian word,
// without a bounds check: i+8 <= len(s) is the caller's to ensure.
func wordAt(s string, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))[:])
}

// hexValue is the value of each hex digit, and 0xff for other bytes.
var hexValue = func() (t [256]byte) {
	for c := range t {
		v, ok := unhex(byte(c))
		if !ok {
			v = 0xff
		}
		t[c] = v
	}
	return t
}()

// load8 reads the first eight bytes of s as a little-endian word: the
// compiler makes one load of it, with no bounds check when s is sliced
// to eight bytes.
func load8(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasByte returns the high bit of each byte of x equal to b, exact in the
// lowest such byte (a borrow can mark a byte above it as well, which the
// callers never read).
func hasByte(x uint64, b byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x ^ ones*uint64(b)
	return (y - ones) &^ y & highs
}

// eqBytes returns the high bit of each byte of x equal to b, exactly: no
// borrow crosses bytes, as z&lows + lows stays within each byte.
func eqBytes(x uint64, b byte) uint64 {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	z := x ^ ones*uint64(b)
	return ^((z&lows + lows) | z) & highs
}

// JSEscapes decodes \uXXXX, \u{X..}, \xHH and the common one-letter escapes
// once. Unknown escapes are kept. The text between backslashes is copied
// whole, and nothing is copied (or allocated) before the first escape
// that decodes: until then the output is s.
func JSEscapes(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b, once an escape has decoded; before, b is empty
	changed := false
	for i := strings.IndexByte(s, '\\'); i >= 0 && i+1 < len(s); {
		n := s[i+1]
		var r rune
		size := 0 // bytes of s the escape at i takes; 0: not an escape
		switch {
		case (n == 'u' || n == 'U') && i+5 < len(s):
			if v, ok := hexN(s[i+2 : i+6]); ok {
				r, size = v, 6
			}
		case (n == 'x' || n == 'X') && i+3 < len(s):
			if v, ok := hexN(s[i+2 : i+4]); ok {
				r, size = rune(byte(v)), 4
			}
		case n == 'n':
			r, size = '\n', 2
		case n == 'r':
			r, size = '\r', 2
		case n == 't':
			r, size = '\t', 2
		case n == '/' || n == '\'' || n == '"':
			r, size = rune(n), 2
		}
		if size == 0 {
			// a backslash that escapes nothing is kept, and what follows
			// it read afresh (it may start an escape itself)
			i++
		} else {
			if !changed {
				b.Grow(len(s))
				changed = true
			}
			b.WriteString(s[done:i])
			if size == 4 {
				b.WriteByte(byte(r)) // \xHH is a byte, not a rune
			} else {
				b.WriteRune(r)
			}
			i += size
			done = i
		}
		k := strings.IndexByte(s[i:], '\\')
		if k < 0 {
			break
		}
		i += k
	}
	if !changed {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// iisHex decodes two escape digits as IIS does, letters past 'f'
// included; it reports false unless both are letters or digits.
func iisHex(a, b byte) (byte, bool) {
	v := func(c byte) (int, bool) {
		switch {
		case '0' <= c && c <= '9':
			return int(c - '0'), true
		case 'a' <= c && c <= 'z':
			return int(c-'a') + 10, true
		case 'A' <= c && c <= 'Z':
			return int(c-'A') + 10, true
		}
		return 0, false
	}
	x, ok1 := v(a)
	y, ok2 := v(b)
	return byte(x*16 + y), ok1 && ok2
}

// Normalize removes NUL bytes, rewrites overlong UTF-8 encodings of ASCII
// of any length (C0 AF, E0 80 AF, F0 80 80 AF, F8 80 80 80 AF and FC 80 80
// 80 80 AF all hide '/') to the ASCII byte they hide, reads a lead byte
// before a byte that continues nothing as IIS does (C0 5C and C1 1C are
// backslashes; Latin-1's 'À' before a letter loses its accent), and
// folds the characters Unicode normalisation (NFKC) and Windows' best-fit mapping
// turn into ASCII punctuation and letters: the fullwidth forms (U+FF01 to
// U+FF5E: "＜script＞"), and the slashes and dots of path tricks (U+2215
// DIVISION SLASH, U+2216 SET MINUS, U+2044 FRACTION SLASH, U+2024 ONE DOT
// LEADER, U+FE52 SMALL FULL STOP). Other invalid UTF-8 is kept byte for
// byte: Latin-1 text is common in real requests.
func Normalize(s string) string {
	if !highOrNUL(s) {
		return s
	}
	first := nextLead(s, 0)
	if first == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:first])
	for i := first; i < len(s); i++ {
		c := s[i]
		if !normalizeLead[c] {
			// no case below starts from c: copy the run up to the next
			// byte one may start from, whole
			j := nextLead(s, i+1)
			b.WriteString(s[i:j])
			i = j - 1
			continue
		}
		switch {
		case c == 0:
			continue
		case (c == 0xC0 || c == 0xC1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			if v := (c&0x1F)<<6 | s[i+1]&0x3F; v != 0 { // C0 80 hides a NUL
				b.WriteByte(v)
			}
			i++
		case c == 0xC0 && i+1 < len(s) && s[i+1] >= 0x20 && s[i+1] < 0x7f:
			// a lead before an ASCII byte, which IIS reads alone ("%c0%5c"
			// is a backslash)
		case c == 0xC1 && i+1 < len(s) && s[i+1] > 0 && s[i+1] < 0x20:
			// IIS takes the low six bits of a control byte after C1:
			// "%c1%1c" is a backslash
			b.WriteByte(0x40 | s[i+1])
			i++
		case c == 0xE0 && i+2 < len(s) && s[i+1]&0xE0 == 0x80 && s[i+2]&0xC0 == 0x80:
			// E0 80..9F xx is an overlong three-byte form.
			r := rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			if r == 0 {
				// an overlong NUL is dropped like a plain one
			} else if r < utf8.RuneSelf {
				b.WriteByte(byte(r))
			} else {
				b.WriteRune(r)
			}
			i += 2
		case c == 0xF0 || c == 0xF8 || c == 0xFC:
			// four-, five- and six-byte forms of ASCII: a lead and
			// continuation bytes whose bits hold less than 0x80
			n := 3
			switch c {
			case 0xF8:
				n = 4
			case 0xFC:
				n = 5
			}
			r, ok := continuation(s, i+1, n)
			if !ok || r >= utf8.RuneSelf {
				b.WriteByte(c) // a real four-byte character (U+10000 up), or junk: kept
				continue
			}
			if r != 0 {
				b.WriteByte(byte(r))
			}
			i += n
		case c == 0xE2 || c == 0xEF:
			r, size := utf8.DecodeRuneInString(s[i:])
			if a := bestFit(r); a != 0 {
				b.WriteByte(a)
				i += size - 1
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nextLead returns the index of the first byte of s from i that Normalize
// may rewrite from, or len(s).
func nextLead(s string, i int) int {
	for i < len(s) && !normalizeLead[s[i]] {
		i++
	}
	return i
}

// normalizeLead marks the bytes Normalize may rewrite from.
var normalizeLead = func() (t [256]bool) {
	for _, c := range []byte{0, 0xC0, 0xC1, 0xE0, 0xE2, 0xEF, 0xF0, 0xF8, 0xFC} {
		t[c] = true
	}
	return t
}()

// continuation reads n continuation bytes of s from i, and the value of
// their bits.
func continuation(s string, i, n int) (rune, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var r rune
	for k := 0; k < n; k++ {
		c := s[i+k]
		if c&0xC0 != 0x80 {
			return 0, false
		}
		r = r<<6 | rune(c&0x3F)
	}
	return r, true
}

// bestFit returns the ASCII byte NFKC or Windows' best-fit mapping turns r
// into, or 0.
func bestFit(r rune) byte {
	switch {
	case 0xFF01 <= r && r <= 0xFF5E:
		return byte(r - 0xFF01 + '!')
	case r == 0x2215 || r == 0x2044:
		return '/'
	case r == 0x2216:
		return '\\'
	case r == 0x2024 || r == 0xFE52:
		return '.'
	}
	return 0
}
