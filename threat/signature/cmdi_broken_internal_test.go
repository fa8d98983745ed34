package signature

import (
	"strings"
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

// FuzzRemLine checks remLine's find: a line of b that remTail ends,
// opening with a known command's name that a cmd.exe delimiter, a
// redirection or the line's end ends.
func FuzzRemLine(f *testing.F) {
	for _, s := range []string{"\"|ping,-w,11000,-n,1,1.2.3.4|rem,", "|ping,-n,1,x|rem", "cat,dog|rem", "rem", "|rem", ",,|rem",
		"rm\vq27764952&rem\v", "&ver&rem;", "ver\v>q1&rem\v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		i, k := remLine(b)
		if i < 0 {
			if k >= 0 {
				t.Fatalf("%q: %d, %d", s, i, k)
			}
			return
		}
		if i >= k || k > len(b) || !remTail(b, k) {
			t.Fatalf("%q: line %d:%d", s, i, k)
		}
		w := i
		for w < k && 'a' <= b[w] && b[w] <= 'z' {
			w++
		}
		if w == i || w < k && !cmdDelim(b[w]) && b[w] != '>' || commandClasses[string(b[i:w])] == cmdUnknown {
			t.Fatalf("%q: line %q opens with no command", s, b[i:k])
		}
	})
}

// FuzzSumEchoProbe checks sumEchoProbe's find: "$((", a sum of two
// numbers, "))$(", blanks, then "echo".
func FuzzSumEchoProbe(f *testing.F) {
	for _, s := range []string{"$((62+55))$(echo X)X", ";echo$IFSX$((1+2))$(echoX", "$((var+1))", "$((1+2))$(", "$(($((1+2))$(echo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, k := sumEchoProbe([]byte(s))
		if i < 0 {
			if k >= 0 {
				t.Fatalf("%q: %d, %d", s, i, k)
			}
			return
		}
		if i >= k || k > len(s) || s[i:i+3] != "$((" || s[k-4:k] != "echo" || !strings.Contains(s[i:k], "))$(") ||
			!strings.Contains(s[i:k], "+") {
			t.Fatalf("%q: probe %d:%d", s, i, k)
		}
	})
}
