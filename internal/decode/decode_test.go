package decode

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name, in string
		plus     bool
		want     string
	}{
		{"plain", "hello", true, "hello"},
		{"plus as space in forms", "a+b", true, "a b"},
		{"plus kept outside forms", "a+b", false, "a+b"},
		{"percent", "%27%20OR%201%3D1", false, "' OR 1=1"},
		{"double percent", "%252e%252e%252f", false, "../"},
		{"triple percent", "%25252e", false, "."},
		{"quadruple percent", "%2525250a", false, "\n"},
		{"escape nested in an escape", "%%0a0aSet-Cookie", false, "\nSet-Cookie"},
		{"percent u", "%u003cscript%u003e", false, "<script>"},
		{"html named", "&lt;img src=x&gt;", false, "<img src=x>"},
		{"html numeric", "&#60;&#x3c;", false, "<<"},
		{"percent then html", "%26lt%3Bsvg", false, "<svg"},
		{"js unicode", `\u003cscript\u003e`, false, "<script>"},
		{"js hex", `\x2e\x2e\x2f`, false, "../"},
		{"nul removed", "/etc/passwd%00.png", false, "/etc/passwd.png"},
		{"overlong slash", "..%c0%af..%c0%af", false, "../../"},
		{"overlong three byte", "%e0%80%ae", false, "."},
		{"overlong four to six bytes", "%f0%80%80%ae%f8%80%80%80%ae%fc%80%80%80%80%af", false, "../"},
		{"iis letters as hex digits", "..%c0%9v..%c1%pc", false, "../..\\"},
		{"iis lead before ascii", "..%c0%5c..%c1%1c", false, "..\\..\\"},
		{"latin-1 capital a grave kept before a letter", "%C0la", false, "la"},
		{"division slash and set minus", "..%u2215..%u2216", false, "../..\\"},
		{"fullwidth", "%uff1cscript%uff1e", false, "<script>"},
		{"emoji kept", "%F0%9F%98%80", false, "\U0001F600"},
		{"latin-1 kept beside lead bytes", "caf%E9 %E2t%EF", false, "caf\xe9 \xe2t\xef"},
		{"invalid percent kept", "100%zz%4", false, "100%zz%4"},
		{"latin1 kept", "Mu%F1oz", false, "Mu\xf1oz"},
		{"utf8 text", "espa%C3%B1a", false, "españa"},
		{"plus after first pass is literal", "%2B", true, "+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Value(tt.in, tt.plus); got != tt.want {
				t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValueDoesNotAllocateForPlainValues(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = Value("plain-value_123", true) })
	if allocs != 0 {
		t.Fatalf("plain value allocates %v times", allocs)
	}
}

func TestValueIsBounded(t *testing.T) {
	// Each pass can only shrink the value, so a deep nesting stops after
	// MaxPasses and the output never grows.
	in := strings.Repeat("%25", 10000) + "41"
	out := Value(in, true)
	if len(out) > len(in) {
		t.Fatalf("output grew: %d > %d", len(out), len(in))
	}
	if out == "A" {
		t.Fatalf("decoded more than %d passes", MaxPasses)
	}
}

func FuzzValue(f *testing.F) {
	for _, s := range []string{"%27%20OR%201%3D1", "%252e%252e%252f", "&#x3c;script", `\u003c`, "%c0%af", "%u0027", "a+b", "\x00\xff%", "%e0%80"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		out := Value(s, plus)
		// html.UnescapeString may expand a few entities into longer UTF-8,
		// but never by more than a small factor.
		if len(out) > 4*len(s)+8 {
			t.Fatalf("output %d bytes from %d", len(out), len(s))
		}
		if utf8.ValidString(s) && strings.IndexByte(out, 0) >= 0 {
			t.Fatalf("NUL survived in %q", out)
		}
	})
}

func FuzzPercent(f *testing.F) {
	for _, s := range []string{"%41", "%u0041", "%", "%4", "%zz", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := Percent(s, true); len(out) > len(s)+2*strings.Count(s, "%u") {
			t.Fatalf("Percent grew %q to %q", s, out)
		}
	})
}

func FuzzJSEscapes(f *testing.F) {
	for _, s := range []string{`\u0041`, `\x41`, `\`, `\u12`, `\n`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := JSEscapes(s); len(out) > len(s) {
			t.Fatalf("JSEscapes grew %q to %q", s, out)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"\xc0\xaf", "\xe0\x80\xae", "\x00", "\xc1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Normalize(s)
		if len(out) > len(s) || strings.IndexByte(out, 0) >= 0 {
			t.Fatalf("Normalize(%q) = %q", s, out)
		}
	})
}

// TestPercentIsLinear: long runs between escapes are found a vector at a
// time without rescanning, so 1 MiB of them decodes in milliseconds (a
// quadratic scan would take seconds).
func TestPercentIsLinear(t *testing.T) {
	for _, s := range []string{
		strings.Repeat(strings.Repeat("a", 20)+"+", 50000),
		strings.Repeat(strings.Repeat("a", 20)+"%41", 50000),
		strings.Repeat(strings.Repeat("a", 20)+"+", 25000) + strings.Repeat("b", 20) + "%41",
	} {
		start := time.Now()
		out := Percent(s, true)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d bytes took %v", len(s), d)
		}
		if len(out) > len(s) {
			t.Errorf("output grew")
		}
	}
}

// percentPlain is Percent as it was before runs were copied eight bytes at
// a time: the oracle FuzzPercentBlocks holds the fast form to.
func percentPlain(s string, plus bool) string {
	stop := &stopPercent
	if plus {
		stop = &stopPercentPlus
	}
	i := 0
	for i < len(s) && !stop[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	out := make([]byte, len(s))
	n := copy(out, s[:i])
	changed := false
	pct := -1 // the next '%' at or after a long run, once looked for
	for i < len(s) {
		c := s[i]
		if !stop[c] {
			j := i + 1
			for j < len(s) && j < i+16 && !stop[s[j]] {
				j++
			}
			if j == i+16 {
				// a long run: find its end a vector at a time (the next
				// '%' is remembered, so that the scans stay linear)
				if pct < j {
					pct = len(s)
					if k := strings.IndexByte(s[j:], '%'); k >= 0 {
						pct = j + k
					}
				}
				e := pct
				if plus {
					if k := strings.IndexByte(s[j:pct], '+'); k >= 0 {
						e = j + k
					}
				}
				j = e
			}
			n += copy(out[n:], s[i:j])
			i = j
			continue
		}
		if c == '+' {
			out[n] = ' '
			n++
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

var stopPercent, stopPercentPlus = func() (a, b [256]bool) {
	a['%'], b['%'], b['+'] = true, true, true
	return a, b
}()

func FuzzPercentBlocks(f *testing.F) {
	for _, s := range []string{"%41", "a+b+c%2Bd", "0123456789abcdef%41+", "%%4141%u0041++xxxxxxxxxxxxxxxxxxxxxxx%",
		"%c0%qf", strings.Repeat("word+", 20) + "%2C+end%"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		if got, want := Percent(s, plus), percentPlain(s, plus); got != want {
			t.Fatalf("Percent(%q, %v) = %q, want %q", s, plus, got, want)
		}
	})
}
