package signature

import (
	"strings"
	"testing"
)

// FuzzJavaMagicIndex checks javaMagicIndex, which walks the '0's once for
// three of javaMagic, against the needle set it stands for.
func FuzzJavaMagicIndex(f *testing.F) {
	for _, s := range append([]string{"", "0", "rO0AB", "xrO0ABrO0AB", "aced0005", "ACED0005 aced0005 rO0AB", "aced00005",
		"acedaced0005", "H4sIAAAAAAAAAJ", "\xac\xed\x00\x05", "x\xac\xed\x00\x05rO0A", "rO0", "ced0005", "ACED000"}, javaMagic...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []cls{classify(s), ^cls(0)} {
			var got, want [8]int
			javaMagicIndex(s, m, got[:])
			javaMagicSet.indexIn([]byte(s), m, want[:]) // as scanCode called it
			if got != want {
				t.Fatalf("javaMagicIndex(%q, %x) = %v, want %v", s, m, got[:len(javaMagic)], want[:len(javaMagic)])
			}
		}
	})
}

// TestJavaMagicIndexOffsets checks the offsets javaMagicIndex reads
// javaMagic at: the first '0' of the first three needles, and the 'J' of
// the last, its rarest byte as the needle set picks it.
func TestJavaMagicIndexOffsets(t *testing.T) {
	for n, want := range []int{2, 4, 4} {
		if got := strings.IndexByte(javaMagic[n], '0'); got != want {
			t.Errorf("the first '0' of %q is at %d, javaMagicIndex reads it at %d", javaMagic[n], got, want)
		}
	}
	if g := javaMagic[4]; g != "H4sIAAAAAAAAAJ" || rarest(g) != len(g)-1 {
		t.Errorf("javaMagic[4] = %q (rarest byte at %d): javaMagicIndex walks the 'J' of \"H4sIAAAAAAAAAJ\"", g, rarest(g))
	}
}
