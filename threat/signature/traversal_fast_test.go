package signature

import (
	"strings"
	"testing"
)

// hexPrefixPlain is hexPrefix as it was written first: a search for each
// spelling.
func hexPrefixPlain(v string) bool {
	return strings.Contains(v, "0x") || strings.Contains(v, "0X")
}

// strippedEscapePlain is strippedEscape as it was written first: a walk
// over each of the digits, looking back for the dots.
func strippedEscapePlain(v string) bool {
	for _, c := range [2]byte{'2', '5'} {
		for i := 0; i < len(v); i++ {
			k := strings.IndexByte(v[i:], c)
			if k < 0 {
				break
			}
			i += k
			if i >= 2 && v[i-1] == '.' && v[i-2] == '.' && i+1 < len(v) &&
				(c == '2' && v[i+1]|0x20 == 'f' || c == '5' && v[i+1]|0x20 == 'c') {
				return true
			}
		}
	}
	return false
}

// FuzzFoldIsLowerParts checks hexPrefix and strippedEscape, which read a
// value once, against the searches they replace.
func FuzzFoldIsLowerParts(f *testing.F) {
	for _, s := range []string{"", "0", "0x", "0X", "x0", "00x", "a 0x2e b", "A 0X5C B", "x..2f y", "..5C", "...2F", "..2",
		"..", ".2f", "....5c", "x . . 2f", "0\x58", "0\x78", "0\xd8", "..2\x46", "..5\x43", "..5\xe3", "prose. more prose... end"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hexPrefix(s), hexPrefixPlain(s); got != want {
			t.Fatalf("hexPrefix(%q) = %v, want %v", s, got, want)
		}
		if got, want := strippedEscape(s), strippedEscapePlain(s); got != want {
			t.Fatalf("strippedEscape(%q) = %v, want %v", s, got, want)
		}
	})
}
