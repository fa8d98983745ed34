package signature

import (
	"strings"
	"testing"
)

// FuzzSplitScheme holds splitScheme to its contract: it never panics, a
// chain it reports lies in v, opens and closes at a quote, and its
// literals' contents hold the scheme's or a name's letters in order.
func FuzzSplitScheme(f *testing.F) {
	for _, s := range []string{"s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'", "'ja'+'vascript:'", `"vb"+"script:"`,
		"'", "''", "'java' and 'script:'", "'" + strings.Repeat("a", 40) + "'+'javascript:'", "'java'+\"script:\"", "'ev'+'al'", "'sev'+'eral'", "'locatio'+'n.h'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, ok := splitScheme(v)
		if !ok {
			return
		}
		if i < 0 || j > len(v) || i >= j {
			t.Fatalf("splitScheme(%q) = %d, %d", v, i, j)
		}
		if q := v[i]; q != '\'' && q != '"' || v[j-1] != '\'' && v[j-1] != '"' {
			t.Fatalf("splitScheme(%q) = %d, %d: not at quotes", v, i, j)
		}
		// the literals' contents are in the chain in order: the scheme is
		// a subsequence of it
		chain := strings.ToLower(v[i:j])
		found := subsequence("javascript:", chain) || subsequence("vbscript:", chain)
		for _, w := range splitNames {
			found = found || subsequence(w, chain)
		}
		if !found {
			t.Fatalf("splitScheme(%q) = %q: no scheme", v, v[i:j])
		}
	})
}

// subsequence reports whether the bytes of s appear in t in order.
func subsequence(s, t string) bool {
	for k := 0; k < len(t) && s != ""; k++ {
		if t[k] == s[0] {
			s = s[1:]
		}
	}
	return s == ""
}
