package benchtext

import (
	"strings"
	"testing"
)

func TestProse(t *testing.T) {
	a, b := Prose(10_000), Prose(10_000)
	if len(a) != 10_000 || a != b {
		t.Fatalf("Prose(10000): %d bytes, same text twice: %v", len(a), a == b)
	}
	if Prose(100) != a[:100] {
		t.Error("a shorter text is not the start of a longer one")
	}
	for _, p := range []string{" -- ", "(really)", `"quoted"`, "; "} {
		if !strings.Contains(a, p) {
			t.Errorf("no %q in 10,000 bytes", p)
		}
	}
}
