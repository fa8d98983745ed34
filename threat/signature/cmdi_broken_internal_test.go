package signature

import "testing"

// FuzzBrokenWord checks brokenWord's find in any folded value: a word of
// letters in the folded bytes, bounded by non-letters, that holds four of
// the fold's marks or more.
func FuzzBrokenWord(f *testing.F) {
	for _, s := range []string{"$@p$@h$@p$@i$@n$@f$@o();", "c''a''t''c''h", "${x}a${x}b${x}c${x}d${x}e", "w'h'o'a'm'i", "a''b c''d e''f g''h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st shellText
		st.b = shellFold(&st, nil, s)
		i, k := brokenWord(&st)
		if i < 0 {
			if k >= 0 {
				t.Fatalf("%q: %d, %d", s, i, k)
			}
			return
		}
		if i >= k || k > len(st.b) || !lettersOnly(st.b[i:k]) || i > 0 && isLetter(st.b[i-1]) || k < len(st.b) && isLetter(st.b[k]) {
			t.Fatalf("%q: word %d:%d of %q", s, i, k, st.b)
		}
		n := 0
		for m := 0; m < st.n && m < maxObf; m++ {
			if o := int(st.obf[m]); i < o && o < k {
				n++
			}
		}
		if n < 4 {
			t.Fatalf("%q: word %q of %q holds %d marks", s, st.b[i:k], st.b, n)
		}
	})
}
