package signature

import (
	"strings"
	"testing"
)

// TestQuadGroupsOffsets checks codeWords.find, which filters eight
// positions a round, then four, then one, against its first form with
// each keyword (and two of them) at every offset of a block of prose,
// in values of every length around the rounds' ends.
func TestQuadGroupsOffsets(t *testing.T) {
	const prose = "the quick brown fox jumps over the lazy dog and then some more words follow here "
	kws := codeWords.q.set.kws
	for k, kw := range kws {
		other := kws[(k*7+3)%len(kws)]
		for off := 0; off < 20; off++ {
			for _, tail := range []string{"", " ", "x.", "abcdefg", prose[:13]} {
				for _, v := range []string{prose[:off] + string(kw) + tail,
					prose[:off] + string(kw) + " " + prose[:off%5] + string(other) + tail} {
					b := []byte(v)
					var got, want [codeGroups]groupMatch
					codeWords.find(b, got[:])
					quadGroupsFindPlain(codeWords, b, want[:])
					if got != want {
						t.Fatalf("codeWords.find(%q) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}

// FuzzQuadGroupsLong is FuzzQuads' check of codeWords.find on values
// long enough for many rounds: the fuzzed text after n bytes of prose,
// and the prose after it.
func FuzzQuadGroupsLong(f *testing.F) {
	for _, s := range []string{"java.lang.runtime.getruntime().exec(", "<?php system($_get['c']); ?>", "__proto__[x]=1",
		"constructor.prototype", "require('child_process').exec", "eval(", "org.apache.x", "freemarker.template"} {
		f.Add(s, 0)
		f.Add(s, 37)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		pad := strings.Repeat("the quick brown fox jumps. ", 4)
		n = min(max(n, 0), len(pad))
		b := []byte(pad[:n] + strings.ToLower(s) + pad[n:])
		var got, want [codeGroups]groupMatch
		codeWords.find(b, got[:])
		quadGroupsFindPlain(codeWords, b, want[:])
		if got != want {
			t.Fatalf("codeWords.find(%q) = %v, want %v", b, got, want)
		}
	})
}
