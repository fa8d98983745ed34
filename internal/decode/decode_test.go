package decode

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
