package signature

import (
	"strings"
	"testing"
)

// FuzzSpacedWord holds spacedWord to its contract: it never panics on a
// span inside the value, and a span it accepts has no word byte glued to
// either side.
func FuzzSpacedWord(f *testing.F) {
	for _, s := range []string{"when $IFS is empty", "cat$IFS/etc", "in $IFS.", "$IFS", "x ${IFS}/y"} {
		i := strings.IndexByte(s, '$')
		f.Add(s, i, i+4)
	}
	f.Fuzz(func(t *testing.T, s string, i, j int) {
		if i < 0 || j < i || j > len(s) {
			return
		}
		if !spacedWord(s, i, j) {
			return
		}
		if i > 0 && isWord(s[i-1]) {
			t.Fatalf("accepted %q[%d:%d] glued before", s, i, j)
		}
		if j < len(s) && isWord(s[j]) {
			t.Fatalf("accepted %q[%d:%d] glued after", s, i, j)
		}
		if j+1 < len(s) && s[j] != ' ' && s[j] != '\t' && isWord(s[j+1]) {
			t.Fatalf("accepted %q[%d:%d], punctuation glued to a word after", s, i, j)
		}
	})
}

// FuzzUnclosedQuote holds unclosedQuote to the plain oracle that strips
// escapes and quoted strings.
func FuzzUnclosedQuote(f *testing.F) {
	for _, s := range []string{"bash -c command' where ", "id", `bash -c 'id'`, `a "b\"c`, `x\'`, `'\'`, `"\\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := unclosedQuote([]byte(s)), unclosedQuoteOracle(s); got != want {
			t.Fatalf("unclosedQuote(%q) = %v, oracle %v", s, got, want)
		}
	})
}
