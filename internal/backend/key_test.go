package backend

import (
	"strings"
	"testing"
)

func TestBoundKey(t *testing.T) {
	long := strings.Repeat("a", 1000)
	cases := []struct {
		name string
		in   string
		same bool
	}{
		{"short", "10.0.0.1", true},
		{"at limit", strings.Repeat("b", MaxKeyLen), true},
		{"over limit", long, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := BoundKey(c.in)
			if len(got) > MaxKeyLen {
				t.Fatalf("len %d > %d", len(got), MaxKeyLen)
			}
			if (got == c.in) != c.same {
				t.Fatalf("BoundKey(%.20q...) = %.40q", c.in, got)
			}
		})
	}
	if BoundKey(long+"x") == BoundKey(long+"y") {
		t.Fatal("distinct long keys collide")
	}
}

func FuzzBoundKey(f *testing.F) {
	for _, s := range []string{"", "10.0.0.1", "2001:db8::1", strings.Repeat("z", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := BoundKey(s); len(got) > MaxKeyLen || (len(s) <= MaxKeyLen && got != s) {
			t.Fatalf("BoundKey(%q) = %q", s, got)
		}
	})
}
