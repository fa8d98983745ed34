package signature

import (
	"regexp"
	"strings"
	"testing"
)

// shortTagRE is stripShortTags' reading as a regular expression.
var shortTagRE = regexp.MustCompile(`</?[A-Za-z]{0,8}>`)

// FuzzStripShortTags holds stripShortTags to the regular expression it
// stands for (a tag-stripping filter's reading of short tags), and
// gluedTag to its description: what it reports holds a letter, "<>" or a
// one-letter tag other than HTML's, and a letter.
func FuzzStripShortTags(f *testing.F) {
	for _, s := range []string{`"un<>ion sel<>ect"`, "autof<x>ocus o<x>nfocus=alert<x>(1)", "Hello<br>world", "a<b>c", "<</x>>", "x<", "<>", "a<xyzzyabcd>b", "List<T>x"} {
		f.Add(s)
	}
	glued := regexp.MustCompile(`[A-Za-z]<([A-Za-z]?)>[A-Za-z]`)
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := string(stripShortTags(nil, v)), shortTagRE.ReplaceAllString(v, ""); got != want {
			t.Fatalf("stripShortTags(%q) = %q, want %q", v, got, want)
		}
		// a match anchored at every offset: FindAll's matches would not
		// overlap ("a<>b<>c")
		want := false
		for i := 0; !want && i < len(v); i++ {
			if m := glued.FindStringSubmatchIndex(v[i:]); m != nil && m[0] == 0 {
				want = m[3] == m[2] || !strings.ContainsAny(v[i+m[2]:i+m[3]], "abipqsuABIPQSU")
			}
		}
		if got := gluedTag(v); got != want {
			t.Fatalf("gluedTag(%q) = %v, want %v", v, got, want)
		}
	})
}

// FuzzASPCode holds aspCode to its contract: it never panics, and a span
// it reports lies in the value and starts with a verb or object it names.
func FuzzASPCode(f *testing.F) {
	for _, s := range []string{`<%eval request("x")%>`, `execute(request.form("c"))`, `createobject("wscript.shell")`, "server.scripttimeout=1:on error resume next", "eval (request[", "evalrequest(", "request"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lo := []byte(strings.ToLower(v))
		i, j := aspCode(lo)
		if i < 0 {
			return
		}
		if j <= i || j > len(lo) {
			t.Fatalf("%q: span %d..%d", v, i, j)
		}
		s := string(lo[i:j])
		if !strings.HasPrefix(s, "eval") && !strings.HasPrefix(s, "execute") && !strings.HasPrefix(s, "createobject") && !strings.HasPrefix(s, "server.scripttimeout") {
			t.Fatalf("%q: span %q", v, s)
		}
	})
}
