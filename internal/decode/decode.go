// Package decode normalises attacker-controlled strings before inspection:
// URL decoding (repeated, for double encoding, with %uXXXX), HTML entities,
// JavaScript escapes (\uXXXX, \xHH), NUL removal and overlong UTF-8. Every
// function is bounded in time and output size and never panics.
package decode

import (
	"html"
	"strings"
	"unicode/utf8"
)

// MaxPasses is how many rounds of decoding Value applies at most: enough for
// the quadruple encodings of payload lists ("%2525250a"), bounded so that a
// crafted value cannot loop; each round only shrinks the value.
const MaxPasses = 5

// special reports whether s holds any byte that a decoder would change.
// Values without one are returned as they are, without allocating.
func special(s string, plus bool) bool {
	t := &specialBytes
	if plus {
		t = &specialBytesPlus
	}
	for i := 0; i < len(s); i++ {
		if t[s[i]] {
			return true
		}
	}
	return false
}

var specialBytes, specialBytesPlus = func() (a, b [256]bool) {
	for c := 0x80; c < 0x100; c++ {
		a[c], b[c] = true, true
	}
	for _, c := range []byte{'%', '&', '\\', 0} {
		a[c], b[c] = true, true
	}
	b['+'] = true
	return a, b
}()

// Value fully decodes one query, form or cookie value. plus says whether '+'
// stands for a space (form encoding). The result is never longer than s.
func Value(s string, plus bool) string {
	if !special(s, plus) {
		return s
	}
	cur := s
	for pass := 0; pass < MaxPasses; pass++ {
		next := cur
		if strings.IndexByte(next, '%') >= 0 || (plus && pass == 0 && strings.IndexByte(next, '+') >= 0) {
			next = Percent(next, plus && pass == 0)
		}
		if strings.IndexByte(next, '&') >= 0 {
			next = html.UnescapeString(next)
		}
		if strings.IndexByte(next, '\\') >= 0 {
			next = JSEscapes(next)
		}
		if next == cur {
			break
		}
		cur = next
	}
	return Normalize(cur)
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
// Runs of bytes without escapes are copied whole.
func Percent(s string, plus bool) string {
	stop := &stopPercent
	if plus {
		stop = &stopPercentPlus
	}
	var b strings.Builder
	changed := false
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && !stop[s[j]] {
			j++
		}
		if j == len(s) {
			if !changed {
				return s
			}
			b.WriteString(s[i:])
			break
		}
		if !changed {
			b.Grow(len(s))
		}
		b.WriteString(s[i:j])
		i = j
		c := s[i]
		if c == '+' {
			b.WriteByte(' ')
			changed = true
			i++
			continue
		}
		// c == '%'
		if i+5 < len(s) && s[i+1] == '%' && isHexByte(s[i+2]) && isHexByte(s[i+3]) && isHexByte(s[i+4]) && isHexByte(s[i+5]) {
			// "%%0a0a": an escape nested in one, bait for a filter that
			// strips escapes once and leaves "%0a" behind: read the outer
			hi, _ := unhex(s[i+4])
			lo, _ := unhex(s[i+5])
			b.WriteByte(hi<<4 | lo)
			i += 6
			changed = true
			continue
		}
		if i+2 < len(s) {
			if (s[i+1] == 'u' || s[i+1] == 'U') && i+5 < len(s) {
				if r, ok := hexN(s[i+2 : i+6]); ok {
					b.WriteRune(r)
					i += 6
					changed = true
					continue
				}
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 3
				changed = true
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	if !changed {
		return s
	}
	return b.String()
}

var stopPercent, stopPercentPlus = func() (a, b [256]bool) {
	a['%'], b['%'], b['+'] = true, true, true
	return a, b
}()

// JSEscapes decodes \uXXXX, \u{X..}, \xHH and the common one-letter escapes
// once. Unknown escapes are kept.
func JSEscapes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		switch {
		case (n == 'u' || n == 'U') && i+5 < len(s):
			if r, ok := hexN(s[i+2 : i+6]); ok {
				b.WriteRune(r)
				i += 5
				changed = true
				continue
			}
		case (n == 'x' || n == 'X') && i+3 < len(s):
			if r, ok := hexN(s[i+2 : i+4]); ok {
				b.WriteByte(byte(r))
				i += 3
				changed = true
				continue
			}
		case n == 'n':
			b.WriteByte('\n')
			i++
			changed = true
			continue
		case n == 'r':
			b.WriteByte('\r')
			i++
			changed = true
			continue
		case n == 't':
			b.WriteByte('\t')
			i++
			changed = true
			continue
		case n == '/' || n == '\'' || n == '"':
			b.WriteByte(n)
			i++
			changed = true
			continue
		}
		b.WriteByte(c)
	}
	if !changed {
		return s
	}
	return b.String()
}

// Normalize removes NUL bytes and rewrites overlong UTF-8 encodings of ASCII
// (such as C0 AF for '/') to the ASCII byte they hide. Other invalid UTF-8
// is kept byte for byte: Latin-1 text is common in real requests.
func Normalize(s string) string {
	dirty := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == 0xC0 || c == 0xC1 || c == 0xE0 {
			dirty = true
			break
		}
	}
	if !dirty {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			continue
		case (c == 0xC0 || c == 0xC1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			if v := (c&0x1F)<<6 | s[i+1]&0x3F; v != 0 { // C0 80 hides a NUL
				b.WriteByte(v)
			}
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
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
