package signature

import (
	"strings"
	"testing"
)

// Oracles for the searches of the NoSQL and LDAP families that skip the
// bytes a value's classes lack: each finds the same given the value's
// classes as given every class (^cls(0)), which searches for every byte
// as the former code did. Values are the fuzzed text after n words of
// prose, so that the cursors (64 bytes or more) are reached.

// classSeeds are payloads of both families and prose around them.
var classSeeds = []string{"';return true;var x='", "' && this.password.match(/.*/)//", "'|| 1==1", "1; sleep(5000)",
	"x' || 'a'=='a", "*)(uid=*))(|(uid=*", "admin*)((|userPassword=*)", "*(|(objectclass=*))", "*))%00", "*)\x00",
	"x' or name()='a' or 'x'='y", "count(/child::node())", "'] | //user/*", "')]|//*", "\"' or count(/*)=1 or ('",
	"it's (really) \"quoted\": ok; then -- done!", "(&(a=b)(c:dn:=d))", "x\" and contains(name(),'a') and \"y"}

// classPad returns s after |n| words of prose (a few hundred bytes at
// most): plain words for n > 0 (a quote of s stays the value's first),
// punctuated ones for n < 0.
func classPad(s string, n int) string {
	if n < 0 {
		return strings.Repeat("the (quick) fox; it's \"so\": ", min(-n, 12)) + s
	}
	return strings.Repeat("the quick brown fox ", min(n, 12)) + s
}

// FuzzBreakoutClasses checks jsBreakout given the value's classes
// against jsBreakout searching for every byte of breakoutBytes.
func FuzzBreakoutClasses(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s, 0)
		f.Add(s, 4)
		f.Add(s, -3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		v := classPad(s, n)
		gi, gj, gc := jsBreakout(v, classify(v))
		if wi, wj, wc := jsBreakout(v, ^cls(0)); gi != wi || gj != wj || gc != wc {
			t.Fatalf("jsBreakout(%q) with its classes = %d %d %v, with every byte %d %d %v", v, gi, gj, gc, wi, wj, wc)
		}
	})
}

// FuzzLDAPClasses checks ldapInjection, xpathInjection and firstQuote
// given the value's classes against the same searching for every byte
// (firstQuote against strings.IndexAny, which it replaced).
func FuzzLDAPClasses(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s, s, 0)
		f.Add(s, "%00", 4)
		f.Add(s, s, -3)
	}
	f.Fuzz(func(t *testing.T, s, raw string, n int) {
		v := classPad(s, n)
		m := classify(v)
		gi, gj, gc := ldapInjection(v, raw, m)
		if wi, wj, wc := ldapInjection(v, raw, ^cls(0)); gi != wi || gj != wj || gc != wc {
			t.Fatalf("ldapInjection(%q, %q) with its classes = %d %d %v, with every byte %d %d %v", v, raw, gi, gj, gc, wi, wj, wc)
		}
		gi, gj = xpathInjection(v, m)
		if wi, wj := xpathInjection(v, ^cls(0)); gi != wi || gj != wj {
			t.Fatalf("xpathInjection(%q) with its classes = %d %d, with every byte %d %d", v, gi, gj, wi, wj)
		}
		for _, w := range []string{s, v} {
			want := strings.IndexAny(w, "'\"")
			for _, k := range []cls{classify(w), ^cls(0)} {
				if got := firstQuote(w, k); got != want {
					t.Fatalf("firstQuote(%q, %b) = %d, want %d", w, k, got, want)
				}
			}
		}
	})
}
