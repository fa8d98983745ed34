package signature

import (
	"bytes"
	"testing"
)

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

// FuzzCommaRemLine checks commaRemLine's find: a line of b, a known
// command's name and two commas or more, that remTail ends.
func FuzzCommaRemLine(f *testing.F) {
	for _, s := range []string{"\"|ping,-w,11000,-n,1,1.2.3.4|rem,", "|ping,-n,1,x|rem", "cat,dog|rem", "rem", "|rem", ",,|rem"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		i, k := commaRemLine(b)
		if i < 0 {
			if k >= 0 {
				t.Fatalf("%q: %d, %d", s, i, k)
			}
			return
		}
		if i >= k || k > len(b) || bytes.Count(b[i:k], []byte(",")) < 2 || !remTail(b, k) {
			t.Fatalf("%q: line %d:%d", s, i, k)
		}
		w := bytes.IndexByte(b[i:k], ',')
		if commandClasses[string(b[i:i+w])] == cmdUnknown {
			t.Fatalf("%q: %q is no command", s, b[i:i+w])
		}
	})
}
