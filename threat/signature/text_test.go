package signature

import (
	"strings"
	"testing"
)

// indexFoldNaive is indexFold as it was: every position whose byte is the
// needle's first, in either case, compared whole.
func indexFoldNaive(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// FuzzIndexFold checks the anchored search against the naive one.
func FuzzIndexFold(f *testing.F) {
	for _, c := range [][2]string{
		{"<!DOCTYPE x>", "<!doctype"}, {"a SYSTEM 'x'", "system"}, {"dataFormatAs", "dataformatas"},
		{"sssssystem", "system"}, {"\u212a\u017fk", "ks"}, {"", "a"}, {"zz", "zz"}, {"Zz", "zz"}, {"xx]]><![CDATA[", "]]><![cdata["},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, needle string) {
		needle = strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			if r >= 0x80 {
				return -1
			}
			return r
		}, needle)
		if got, want := indexFold(s, needle), indexFoldNaive(s, needle); got != want {
			t.Fatalf("indexFold(%q, %q) = %d, want %d", s, needle, got, want)
		}
	})
}

// FuzzFindAny checks findAny's two-byte filter against a plain search for
// each keyword.
func FuzzFindAny(f *testing.F) {
	f.Add("see php://filter and file:/etc", false)
	f.Add("a union select b", true)
	f.Add("c99shell", false)
	f.Add("x: dict://a gopher://b http://169.254.169.254/latest/meta-data/ || a | b", false)
	f.Add("././././/latest/meta-data/./v2/credentials/", false)
	sets := []*kwset{wrappers, wrapperColons, remoteSchemes, remoteShells, ssrfSchemes, metadataPaths, sqliKeywords,
		filterCalls, psCradles, xpathFuncs, nosqlOps, scannerAgents, probeStrong, probeWeak, ssiElements, esiTags,
		sstiWords, ftlSpecials, smartyTags, eventPrefixes}
	f.Fuzz(func(t *testing.T, s string, bounded bool) {
		b := []byte(strings.ToLower(s))
		for _, set := range sets {
			got, ok := findAny(b, set, bounded)
			want := match{}
			found := false
			for i := 0; i < len(b) && !found; i++ {
				for k, kw := range set.kws {
					if j := i + len(kw); j <= len(b) && string(b[i:j]) == string(kw) && (!bounded || boundary(b, i, j, kw)) {
						want, found = match{k, i, j}, true
						break
					}
				}
			}
			if ok != found || found && got != want {
				t.Fatalf("findAny(%q) = %v %v, want %v %v", b, got, ok, want, found)
			}
		}
	})
}

// FuzzIndexRare checks indexRare against strings.Index.
func FuzzIndexRare(f *testing.F) {
	f.Add("iex (new-object net.webclient)", "webclient")
	f.Add("xxiexx", "iex")
	f.Fuzz(func(t *testing.T, s, needle string) {
		want := strings.Index(s, needle)
		if got := indexRare([]byte(s), needle); got != want {
			t.Fatalf("indexRare([]byte(%q), %q) = %d, want %d", s, needle, got, want)
		}
		if got := indexRare(s, needle); got != want {
			t.Fatalf("indexRare(%q, %q) = %d, want %d", s, needle, got, want)
		}
	})
}

// FuzzEachRun checks the block-skipping run search against a byte-by-byte
// one.
func FuzzEachRun(f *testing.F) {
	f.Add(strings.Repeat("a", 64)+"x", 64)
	f.Add("ab"+strings.Repeat("b", 70)+strings.Repeat("7", 200)+"c", 64)
	f.Add(strings.Repeat("z", 31)+strings.Repeat("y", 33), 4)
	f.Add(strings.Repeat("x", 57)+strings.Repeat("q", 64)+strings.Repeat("r", 63)+"s"+strings.Repeat("t", 65), 64)
	f.Fuzz(func(t *testing.T, v string, n int) {
		checkEachRun(t, v, 2+(n&0x7fff)%100)
	})
}

// TestEachRunEdges checks eachRun on runs of about n bytes at every
// offset against the step its word search takes, next to other runs.
func TestEachRunEdges(t *testing.T) {
	for n := 2; n <= 70; n++ {
		for l := max(1, n-2); l <= n+2; l++ {
			for off := 0; off <= n+9; off++ {
				pre := strings.Repeat("ab", off/2) + strings.Repeat("c", off%2)
				checkEachRun(t, pre+strings.Repeat("z", l), n)
				checkEachRun(t, pre+strings.Repeat("z", l)+"y"+strings.Repeat("x", l)+"ab", n)
				checkEachRun(t, pre+strings.Repeat("z", 7)+strings.Repeat("y", l)+strings.Repeat("z", n), n)
			}
		}
	}
}

// checkEachRun compares eachRun with a byte-by-byte run search.
func checkEachRun(t *testing.T, v string, n int) {
	t.Helper()
	var want, got [][2]int
	for i := 0; i < len(v); {
		j := i + 1
		for j < len(v) && v[j] == v[i] {
			j++
		}
		if j-i >= n {
			want = append(want, [2]int{i, j})
		}
		i = j
	}
	eachRun(v, n, func(i, j int) { got = append(got, [2]int{i, j}) })
	if len(got) != len(want) {
		t.Fatalf("eachRun(%q, %d) = %v, want %v", v, n, got, want)
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("eachRun(%q, %d) = %v, want %v", v, n, got, want)
		}
	}
}

// FuzzIndexFoldLong checks indexFold on values long enough for its
// anchored and paired searches against the naive one, the value shifted
// by each of eight pads.
func FuzzIndexFoldLong(f *testing.F) {
	f.Add("a SYSTEM 'x' in the system of the sYstem", "system")
	f.Add("dataFormatAs and DATAFORMATAS", "dataformatas")
	f.Add("\u212a\u017fk sy\u017ftem systen SySTEM", "system")
	f.Add("the theme of them", "the")
	f.Add("<!DOCTYPE x [ <!ENTITY", "<!doctype")
	// the needle last, its anchor lower- and upper-case; a lower-case
	// anchor just before an upper-case one, and just after another
	f.Add("in the system", "system")
	f.Add("in the SYSTEM", "system")
	f.Add("a jJ b", "jj")
	f.Add("a jjx", "jx")
	f.Fuzz(func(t *testing.T, s, needle string) {
		needle = strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			if r >= 0x80 {
				return -1
			}
			return r
		}, needle)
		for pad := 0; pad < 8; pad++ {
			v := strings.Repeat("the sun ", 8)[:56+pad] + s
			if got, want := indexFold(v, needle), indexFoldNaive(v, needle); got != want {
				t.Fatalf("indexFold(%q, %q) = %d, want %d", v, needle, got, want)
			}
		}
	})
}

// FuzzClassify checks classify, sixteen bytes a round, then eight, then
// one, against the classes of the bytes or-ed one by one; each byte of
// the fuzzed text is also tried alone at every offset of a value of
// letters long enough for two rounds and the tails.
func FuzzClassify(f *testing.F) {
	f.Add("the quick brown fox; jumps (over) the \"lazy\" dog's back.")
	f.Add("abcdefghijklmnop<")
	f.Add("abcdefghijklmnopqrstuvw\xff")
	f.Add("\x00\x7f`~!@#$%^&*()[]{}|\\;:'\",.<>/?=-_+ \t\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		plain := func(s string) cls {
			var m cls
			for i := 0; i < len(s); i++ {
				m |= classes[s[i]]
			}
			return m
		}
		if got, want := classify(s), plain(s); got != want {
			t.Fatalf("classify(%q) = %#x, want %#x", s, got, want)
		}
		const letters = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
		for i := 0; i < min(len(s), 4); i++ {
			for off := 0; off <= 40; off++ {
				v := letters[:off] + s[i:i+1] + letters[:off%7]
				if got, want := classify(v), plain(v); got != want {
					t.Fatalf("classify(%q) = %#x, want %#x", v, got, want)
				}
			}
		}
	})
}

// FuzzClassifyLower checks classifyLower, and input.classify, which
// calls it for a value longer than sharedLower, against the classes of
// the bytes or-ed one by one and lowerTable byte by byte.
func FuzzClassifyLower(f *testing.F) {
	f.Add("The Quick brown FOX; jumps (over) the \"LAZY\" dog's back.", 1)
	f.Add("ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{\x80\xc1\xda", 20)
	f.Add("\x00\x7f`~!@#$%^&*()[]{}|\\;:'\",.<>/?=-_+ \t\r\nZ", 17)
	f.Fuzz(func(t *testing.T, s string, n int) {
		check := func(v string, m cls, lo []byte) {
			t.Helper()
			var want cls
			wantLo := make([]byte, len(v))
			for i := 0; i < len(v); i++ {
				want |= classes[v[i]]
				wantLo[i] = lowerTable[v[i]]
			}
			if m != want || string(lo) != string(wantLo) {
				t.Fatalf("classifyLower(%q) = %#x, %q, want %#x, %q", v, m, lo, want, wantLo)
			}
		}
		d := make([]byte, len(s)+5)
		m := classifyLower(d, s)
		check(s, m, d[:len(s)])
		// a value long enough to be lower-cased with its classes
		v := strings.Repeat("x", min(max(n, 0), 40)) + s
		for len(v) <= sharedLower {
			v += s + "y"
		}
		in := input{value: v}
		m = in.classify()
		if !in.lowered {
			t.Fatalf("input.classify of %d bytes did not lower-case the value", len(v))
		}
		check(v, m, in.lo)
		if lo := in.lowerValue(); string(lo) != string(in.lo) {
			t.Fatal("lowerValue after classify returned another copy")
		}
		in.release()
	})
}

// FuzzIndexLetterPair checks indexLetterPair, eight positions at a time,
// against a byte loop, for the pair the fuzzer picks (as two letters) and
// for "on", with the fuzzed text also after letters that shift it across
// the eight-byte rounds.
func FuzzIndexLetterPair(f *testing.F) {
	f.Add("the lion and the moon, NO ON oN On", byte('o'), byte('n'), 3)
	f.Add("xxxxxxxOn", byte('o'), byte('n'), 0)
	f.Add("xxxxxxxxO", byte('o'), byte('n'), 7)
	f.Add("\xcf\xce\x4f\x6e/n.nOO@N\x0e", byte('o'), byte('n'), 1)
	f.Add("ZZzz zZ", byte('z'), byte('z'), 5)
	f.Fuzz(func(t *testing.T, s string, a, b byte, n int) {
		a, b = 'a'+a%26, 'a'+b%26
		plain := func(s string, a, b byte) int {
			for i := 0; i+1 < len(s); i++ {
				if lowerTable[s[i]] == a && lowerTable[s[i+1]] == b {
					return i
				}
			}
			return -1
		}
		v := strings.Repeat("x", min(max(n, 0), 20)) + s
		for _, p := range [][2]byte{{a, b}, {'o', 'n'}} {
			for _, v := range []string{s, v} {
				if got, want := indexLetterPair(v, p[0], p[1]), plain(v, p[0], p[1]); got != want {
					t.Fatalf("indexLetterPair(%q, %q, %q) = %d, want %d", v, p[0], p[1], got, want)
				}
			}
		}
	})
}
