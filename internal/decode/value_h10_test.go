package decode

import (
	"strings"
	"testing"
)

// special is the byte loop Value read short values with before kinds and
// its path for values whose only special bytes are '+': the oracle of
// valuePlain and FuzzPlain.
func special(s string, plus bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '%' || c == '&' || c == '\\' || c == 0 || plus && c == '+' {
			return true
		}
	}
	return false
}

func TestPlain(t *testing.T) {
	for _, tt := range []struct {
		in         string
		plus, want bool
	}{
		{"", true, true},
		{"plain-value_123", true, true},
		{"a+b", false, true},
		{"a+b", true, false},
		{"a%41", false, false},
		{"a&b", false, false},
		{`a\b`, false, false},
		{"a\x00", false, false},
		{"caf\xc3\xa9", false, false},
		{strings.Repeat("a", 63), true, true},
		{strings.Repeat("a", 64), true, false}, // long values are Value's to read
	} {
		if got := Plain(tt.in, tt.plus); got != tt.want {
			t.Errorf("Plain(%q, %v) = %v, want %v", tt.in, tt.plus, got, tt.want)
		}
	}
}

func TestValueOnlyPlus(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"+", " "},
		{"red+running+shoes", "red running shoes"},
		{"++a++", "  a  "},
		{strings.Repeat("a+", 31) + "b", strings.Repeat("a ", 31) + "b"},
	} {
		if got := Value(tt.in, true); got != tt.want {
			t.Errorf("Value(%q, true) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Value(tt.in, false); got != tt.in {
			t.Errorf("Value(%q, false) = %q, want it unchanged", tt.in, got)
		}
	}
}

// FuzzPlain holds Plain to the old byte loop, and Value to valuePlain
// (which reads short values with it) on the values Plain passes and on
// those with '+'.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{"", "q", "red+running+shoes", "a+%41", "a+&amp;", "+\xff", "+\x00", strings.Repeat("+", 63), strings.Repeat("a+", 32)} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		if got, want := Plain(s, plus), len(s) < 64 && !special(s, plus); got != want {
			t.Fatalf("Plain(%q, %v) = %v, want %v", s, plus, got, want)
		}
		if got, want := Value(s, plus), valuePlain(s, plus); got != want {
			t.Fatalf("Value(%q, %v) = %q, want %q", s, plus, got, want)
		}
	})
}
