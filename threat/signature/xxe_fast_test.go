package signature

import (
	"strings"
	"testing"
)

// externalSystemPlain is externalSystem as xmlAttack first read it: from
// each SYSTEM keyword.
func externalSystemPlain(v string) int {
	for off := 0; off < len(v); {
		k := indexFold(v[off:], "system")
		if k < 0 {
			break
		}
		i := off + k
		off = i + 6
		if i > 0 && isWord(v[i-1]) {
			continue
		}
		j := skipSpaceStr(v, off)
		if j < len(v) && (v[j] == '"' || v[j] == '\'') && externalURI(v[j+1:]) {
			return i
		}
	}
	return -1
}

// FuzzExternalSystem checks externalSystem, read from the prefixes' ':',
// '/' and '\', against externalSystemPlain, on arbitrary input and on
// prose with SYSTEM literals planted in it.
func FuzzExternalSystem(f *testing.F) {
	for _, s := range []string{`<!ENTITY x SYSTEM "file:///etc/passwd">`, `SYSTEM 'http://x'`, `system"//a"`, "SYSTEM\t\t'\\\\srv'",
		`xsystem "file:" SYSTEM "netdoc:x"`, `system "c:/x"`, `system 'C:\x'`, `System  "/proc/self"`, `system "expect:id"`,
		`system "gopher:" system 'jar:'`, `a system: "file:"`, `systems "file:"`, `system "fil:" system '/etc/'`,
		`system ""file:`, "system 'ſ' 'http:'", `system "expect:`, `system '//'`} {
		f.Add(s)
	}
	f.Add("\x00\x01\x12\x16\x1a\x22\x1c\x0e\x12\x1b\x1a\x29")
	f.Add(strings.Repeat("\x00\x03\x04\x0b", 20) + "\x12\x16\x1a\x1c\x13\x17\x1a\x2f\x12\x16\x1b\x22\x2e")
	check := func(t *testing.T, s string) {
		if got, want := externalSystem(s, classify(s)), externalSystemPlain(s); got != want {
			t.Fatalf("externalSystem(%q) = %d, want %d", s, got, want)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		check(t, s)
		p := plantedProse(s)
		check(t, p)
		check(t, strings.Repeat("the word it's: a \"quoted\" one. ", 3)+p)
	})
}
