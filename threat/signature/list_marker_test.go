package signature

import "testing"

func TestListMarker(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{
		{"* Add patch", 2},
		{"-  two spaces", 3},
		{"• bullet", len("• ")},
		{"## Heading", 3},
		{"12. item", 4},
		{"3) item", 3},
		{"[ Simon McVittie ] * Add patch", 21},
		{"[src/sub1.c] If exp_b", 13},
		{"*bold*", 0},
		{"-1 or 1=1", 0},
		{"1.5 litres", 0},
		{"[unclosed", 0},
		{"plain words", 0},
		{"", 0},
		{"[]", 0},
	} {
		if got := listMarker(tt.s); got != tt.want {
			t.Errorf("listMarker(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// FuzzListMarker: hostile values never panic, and a marker ends after
// the spaces that follow it.
func FuzzListMarker(f *testing.F) {
	for _, s := range []string{"* a", "[x] - b", "## c", "1. d", "•", "[", "]", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := listMarker(s)
		if k < 0 || k > len(s) || k > 0 && (s[k-1] != ' ' || k < len(s) && s[k] == ' ') {
			t.Fatalf("listMarker(%q) = %d", s, k)
		}
	})
}
