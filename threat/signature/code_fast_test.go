package signature

import (
	"strings"
	"testing"
)

// phpIncludeQuotes is phpInclude as it was before it read from the
// prefixes' ':', '/' and '\': from every quote of lo, with a cursor.
func phpIncludeQuotes(lo []byte) (int, int) {
	ri, rj := -1, -1 // the first require
	cur := newCursor(quoteFinderPlain, lo)
	for a := cur.next(0); a < len(lo); a = cur.next(a + 1) {
		p := includePrefix(lo[a+1:])
		if p == 0 {
			continue
		}
		j := a
		for j > 0 && (lo[j-1] == ' ' || lo[j-1] == '\t') {
			j--
		}
		if j == a {
			continue // no blank before the quote
		}
		if j >= 5 && string(lo[j-5:j]) == "_once" {
			j -= 5
		}
		i := j - len("include") // as long as "require"
		if i < 0 || i > 0 && isWord(lo[i-1]) {
			continue
		}
		switch string(lo[i:j]) {
		case "include":
			return i, a + 1 + p
		case "require":
			if ri < 0 {
				ri, rj = i, a+1+p
			}
		}
	}
	return ri, rj
}

var quoteFinderPlain = finder("'\"")

// proseFragments are what plantedProse builds text of: words and
// punctuation of prose, and the pieces of include and SYSTEM literals
// (keywords, blanks, quotes, every prefix and near misses).
var proseFragments = []string{"the ", "word ", "it's ", "don't ", "O'Brien ", ", ", ". ", ": ", " -- ", `"quoted" `,
	" (really) ", "and/or ", "a:b ", "include", "require", "_once", "INCLUDE ", "xinclude ", "system", "SYSTEM",
	"systems ", "xsystem", " ", "  ", "\t", "'", `"`, "http:", "https:", "ftp:", "php:", "data:", "expect:", "zip:",
	"phar:", "//", `\\`, `\`, "/", ":", "file:", "jar:", "netdoc:", "gopher:", "ldap:", "dict:", "sftp:", "tftp:",
	"/etc/", "/proc/", "c:/", `c:\`, "C:/", "FILE:", "Http:", "expec:", "htt:", "evil/x", "passwd", "\n", "é", "\xff",
	"include '", "require \"", " include_once\t'", "REQUIRE_ONCE '", "system '", " SYSTEM \"", `<!ENTITY x SYSTEM "`,
	"System\t'"}

// plantedProse returns text made of the fragments picked by the bytes of
// b: prose with include and SYSTEM literals, whole or broken, planted at
// the places b picks.
func plantedProse(b string) string {
	var s strings.Builder
	for i := 0; i < len(b); i++ {
		s.WriteString(proseFragments[int(b[i])%len(proseFragments)])
	}
	return s.String()
}

// FuzzPHPIncludeAnchors checks phpInclude, read from the prefixes' ':',
// '/' and '\', against phpIncludeQuotes, on arbitrary input and on prose
// with include literals planted in it (long enough for the cursor to
// search with IndexByte).
func FuzzPHPIncludeAnchors(f *testing.F) {
	for _, s := range []string{"include 'http://evil/x.txt';", "require_once  \"php://input\"", "x; require 'ftp:a' include\t'//b'",
		"include'http:", "xinclude 'http:", "_once 'http:", "include_once_once 'zip:", "it's include \"data:x\" and require 'phar:",
		"require 'http: include 'data:", "\\\\ include \t \"\\\\srv\"", "include \"expect:", "include 'expect:'//x",
		"require '//a' include 'expect:x'"} {
		f.Add(s)
	}
	f.Add("\x00\x01\x0d\x16\x04\x1b\x22\x1c\x0e\x13\x19\x1a")
	f.Add(strings.Repeat("\x00\x03\x04\x0b", 20) + "\x0d\x16\x1a\x1c\x1d\x1e\x1f\x20\x21\x22\x0e\x16\x1a\x23")
	check := func(t *testing.T, s string) {
		lo := lower(nil, s)
		wi, wj := phpIncludeQuotes(lo)
		for _, colons := range []*lazySpots{nil, {s: string(lo), c: ':'}} {
			if gi, gj := phpInclude(lo, classify(s), colons); gi != wi || gj != wj {
				t.Fatalf("phpInclude(%q) = %d %d, want %d %d (spots %v)", lo, gi, gj, wi, wj, colons != nil)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		check(t, s)
		p := plantedProse(s)
		check(t, p)
		check(t, strings.Repeat("the word it's: a \"quoted\" one. ", 3)+p)
	})
}
