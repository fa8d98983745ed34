package body

import (
	"strings"
	"testing"
)

// utf16OrderPlain is utf16Order without its shortcut for text without a
// NUL: the oracle FuzzUTF16Order holds it to.
func utf16OrderPlain(b []byte) byte {
	n := min(len(b), 256) &^ 1
	if n < 4 {
		return 0
	}
	evenNUL, oddNUL := 0, 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			evenNUL++
		}
		if b[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := n / 2
	switch {
	case oddNUL*4 >= pairs*3 && evenNUL*8 < pairs:
		return 'l'
	case evenNUL*4 >= pairs*3 && oddNUL*8 < pairs:
		return 'b'
	}
	return 0
}

var utf16Seeds = []string{
	"", "a\x00b\x00", "\x00a\x00b", "a=1&b=2", "a\x00=\x00<\x00", strings.Repeat("x\x00", 200),
	strings.Repeat("\x00y", 200), strings.Repeat("ab", 127) + "\x00", strings.Repeat("ab", 128) + "\x00\x00",
	strings.Repeat("x\x00", 96) + strings.Repeat("xx", 32), strings.Repeat("x\x00", 95) + strings.Repeat("xx", 33),
}

func TestUTF16Order(t *testing.T) {
	for _, s := range utf16Seeds {
		if got, want := utf16Order([]byte(s)), utf16OrderPlain([]byte(s)); got != want {
			t.Errorf("utf16Order(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzUTF16Order(f *testing.F) {
	for _, s := range utf16Seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := utf16Order(b), utf16OrderPlain(b); got != want {
			t.Fatalf("utf16Order(%q) = %q, want %q", b, got, want)
		}
	})
}
