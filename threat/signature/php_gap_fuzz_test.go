package signature

import "testing"

// FuzzCallGap checks that callGap never panics, returns a name's end at
// or before the '(' and says gapSpaces only when nothing but spaces and
// tabs stand between.
func FuzzCallGap(f *testing.F) {
	for _, s := range []string{"exec //c\r\n (", "exec#\n (", "a /*x*/ (", "*/(", "\n#\n(", "/*/(", "(", "#(", "//\n("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo := []byte(s)
		for p := 0; p < len(lo); p++ {
			if lo[p] != '(' {
				continue
			}
			e, gap := callGap(lo, p)
			if e < 0 || e > p {
				t.Fatalf("%q at %d: end %d", s, p, e)
			}
			if gap == gapSpaces {
				for _, c := range lo[e:p] {
					if c != ' ' && c != '\t' {
						t.Fatalf("%q at %d: gapSpaces over %q", s, p, lo[e:p])
					}
				}
			}
		}
	})
}
