package signature_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// flat is base64 without its padding, as scanners put it in a path.
func flat(s string) string {
	return strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(s)), "=")
}

// A payload sent as a base64 or hex token in the path, the whole path
// after its '/' or one segment of it, is read decoded, as the same token
// is in a parameter.
func TestPathTokensAreDecoded(t *testing.T) {
	long := strings.Repeat("a harmless sentence of text. ", 400) + "<script>alert(1)</script>"
	for _, c := range []struct{ family, path string }{
		{"xss", "/" + flat("<body onload=alert('test1')>")},
		{"traversal", "/" + flat("/static/img/../../etc/passwd")},
		{"sqli", "/files/" + flat("'or 123.22=123.22") + "/raw"},
		{"ssi", "/" + flat(`<!--#exec cmd="ls" -->`)},
		{"ssti", "/" + base64.URLEncoding.EncodeToString([]byte("{{1337*1338}}"))},
		{"xss", "/api/" + hex.EncodeToString([]byte("<svg onload=alert(1)>"))},
		{"xss", "/" + flat(long)}, // past the window: read in windows
		// past the eight segments of a token's alphabet read in one pass
		{"xss", "/" + strings.Repeat("segments/", 9) + flat("<svg onload=alert(1)>")},
	} {
		got, rules := best(t, newDetector(t), c.family, "path", c.path)
		if got < 0.8 {
			t.Errorf("%s in path %.60q: confidence %.2f, want >= 0.8 (%v)", c.family, c.path, got, rules)
		}
	}
	// a base64 token with '/' in it: the whole path after its first '/'
	p := flat("<img src=x onerror=alert(1)>???>>>")
	if !strings.Contains(p, "/") {
		t.Fatalf("test token %q has no '/'", p)
	}
	if got, rules := best(t, newDetector(t), "xss", "path", "/"+p); got < 0.8 {
		t.Errorf("xss in a path token with a '/': %.2f (%v)", got, rules)
	}
}

// Paths of words, numbers, ids and tokens that decode to nothing textual
// stay clean.
func TestPathTokensBenign(t *testing.T) {
	d := newDetector(t)
	for _, p := range []string{
		"/products/settings/notifications",
		"/api/v1/users/1234567890/orders",
		"/files/" + flat("quarterly report, final version (2).pdf"),
		"/u/dGhlIHF1aWNrIGJyb3duIGZveA", // "the quick brown fox"
		"/static/app.3f2a9c81d4e5b6a7.js",
		"/c/9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d",
		"/docs/" + url.PathEscape("How to use base64 in paths"),
	} {
		if sigs := detect(t, d, build(t, "path", p)); len(sigs) > 0 {
			t.Errorf("benign path %q: %v", p, rulesOf(sigs))
		}
	}
}

// NoSQL operators in the path, where a route hands a segment to a query.
func TestNoSQLInPath(t *testing.T) {
	checkFamily(t, "nosql", []familyCase{
		{"path", "/api/items/" + url.PathEscape("true, $where: '1 == 1'"), 0.8},
		{"path", "/api/items/" + url.PathEscape("db.injection.insert({success:1});"), 0.8},
	}, []familyCase{
		{"path", "/api/items/where-to-buy", 0},
		{"path", "/wiki/$where_clause_(SQL)", 0},
	}, 0.8)
}

func newDetector(t *testing.T) *signature.Detector {
	t.Helper()
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// SQL's hexadecimal string literals are read decoded as a hex token is:
// DECLARE @s ...; SET @s=0x...; EXEC(@s) runs what they spell, in ASCII or
// in UTF-16 (an NVARCHAR). Addresses and hashes written as 0x literals
// decode to no text.
func TestHexLiteralsAreDecoded(t *testing.T) {
	utf16 := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			b.WriteString(hex.EncodeToString([]byte{s[i], 0}))
		}
		return b.String()
	}
	for _, v := range []string{"0x" + hex.EncodeToString([]byte("waitfor delay '0:0:10'")),
		"0X" + strings.ToUpper(hex.EncodeToString([]byte("' union select password from users--"))),
		"0x" + utf16("select @@version")} {
		if got, rules := best(t, newDetector(t), "sqli", "q", v); got < 0.8 {
			t.Errorf("%.60q: sqli %.2f, want >= 0.8 (%v)", v, got, rules)
		}
	}
	for _, v := range []string{"0x5f1c9a2e8b7d6c5a4f1c9a2e8b7d6c5a4f1c9a2e",
		"0x4a6f686e20446f65", // "John Doe": text, no attack's punctuation
		"0xdeadbeefcafebabe"} {
		for _, fam := range []string{"sqli", "xss", "cmdi"} {
			if got, rules := best(t, newDetector(t), fam, "q", v); got >= 0.5 {
				t.Errorf("%q: %s %.2f (%v)", v, fam, got, rules)
			}
		}
	}
}
