package body

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonStringPlain is jsonString as it was before its scans read eight
// bytes at a time: one byte at a time, the oracle of FuzzJSONString.
func jsonStringPlain(b string) (string, int, bool) {
	q := b[0]
	i := 1
	for i < len(b) && b[i] != q && b[i] != '\\' {
		i++
	}
	if i < len(b) && b[i] == q {
		return b[1:i], i + 1, true
	}
	end := i
	for end < len(b) && b[end] != q {
		if b[end] == '\\' {
			end++
		}
		end++
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
			j := i + 1
			for j < end && b[j] != '\\' {
				j++
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
			}
			out.WriteRune(r)
		default:
			if e != '"' && e != '\\' && e != '/' {
				good = false
			}
			out.WriteByte(e)
		}
	}
	return out.String(), len(b), false
}

// quoteRunPlain is quoteRun a byte at a time.
func quoteRunPlain(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == q || s[i] == '\\' {
			return i
		}
	}
	return len(s)
}

// checkJSONString compares jsonString and quoteRun with the plain forms on
// b read as a string opened by each quote.
func checkJSONString(t *testing.T, b string) {
	t.Helper()
	for _, q := range []string{`"`, `'`} {
		d := q + b
		s, n, ok := jsonString(d)
		ps, pn, pok := jsonStringPlain(d)
		if s != ps || n != pn || ok != pok {
			t.Fatalf("jsonString(%q) = %q, %d, %v; plain %q, %d, %v", d, s, n, ok, ps, pn, pok)
		}
		if got, want := quoteRun(b, q[0]), quoteRunPlain(b, q[0]); got != want {
			t.Fatalf("quoteRun(%q, %q) = %d, plain %d", b, q, got, want)
		}
	}
}

// jsonStringSeeds hit the edges: escapes of each kind, surrogate pairs and
// lone halves, truncated escapes, a trailing backslash, invalid UTF-8,
// control bytes and NUL, the other quote, and every quote and backslash
// position about the eight-byte words.
func jsonStringSeeds() []string {
	seeds := []string{
		``, `"`, `'`, `\`, `\"`, `\'`, `\\`, `abc"`, `abc'`, `a\"b"`, `a\'b'`, `\n\r\t\b\f\/\\\""`, `\x\a\0"`,
		`\u0041\u00e9\u20AC"`, `\ud83d\ude00"`, `\ud83d"`, `\ude00\ud83d"`, `\ud83d\u0041"`, `\ud83d\ud83d"`,
		`\u12"`, `\u12`, `\u`, `\ud83d\`, `\ud83d\u`, `\ud83d\ude0`, `\uZZZZ"`, `\u"abc"`,
		"caf\xc3\xa9\xff\xfe\x80\"", "\x00\x01\x1f\x7f\"", "a\nb\tc\"", "\xe2\x80\"", "\\\xff\"",
		strings.Repeat("x", 600) + `"`, strings.Repeat("x", 600) + `\"` + strings.Repeat("y", 40) + `"`,
		strings.Repeat(`ab\"`, 50) + `"`, strings.Repeat(`\\`, 40) + `"`, strings.Repeat(`\\`, 40),
		strings.Repeat("z", 70), strings.Repeat("z", 70) + `\`,
	}
	for k := 0; k < 20; k++ {
		p := strings.Repeat("p", k)
		seeds = append(seeds, p+`"`+p, p+`'`+p, p+`\`, p+`\"`+p+`"`, p+`\'`+p+`'`, p)
	}
	return seeds
}

func TestJSONString(t *testing.T) {
	for _, s := range jsonStringSeeds() {
		checkJSONString(t, s)
		checkJSONString(t, s+` ,"next": "value"}`)
	}
	// each position about the words and the windows of quoteRun, for a
	// quote, a backslash, an escaped quote and both in either order
	x := strings.Repeat("x", 1200)
	for p := 0; p < 1100; p++ {
		for _, m := range []string{`"`, `'`, `\`, `\"`, `"\`, `\'`, `\\`} {
			checkJSONString(t, x[:p]+m+x[:p%37]+`"`)
			checkJSONString(t, x[:p]+m+x[:p%37])
		}
	}
}

// FuzzJSONString: jsonString and quoteRun against their plain forms.
func FuzzJSONString(f *testing.F) {
	for _, s := range jsonStringSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b string) {
		checkJSONString(t, b)
	})
}
