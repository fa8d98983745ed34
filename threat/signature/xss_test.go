package signature

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// xssBest runs the XSS family alone over one value and returns its
// strongest signal.
func xssBest(t testing.TB, src threat.Source, v string) threat.Signal {
	t.Helper()
	in := input{src: src, name: "q", value: v, m: classify(v)}
	var seen rules
	sigs, hit := scanXSS(&in, &seen, nil)
	if hit != (len(sigs) > 0) {
		t.Fatalf("%q: hit %v with %d signals", v, hit, len(sigs))
	}
	var best threat.Signal
	for _, s := range sigs {
		if s.Detector != nameXSS || s.Confidence <= 0 || s.Confidence > 1 || len(s.Evidence) > 48 {
			t.Fatalf("%q: malformed signal %+v", v, s)
		}
		for i := 0; i < len(s.Evidence); i++ {
			if c := s.Evidence[i]; c < 0x20 || c >= 0x7f {
				t.Fatalf("%q: unprintable evidence %q", v, s.Evidence)
			}
		}
		if s.Confidence > best.Confidence {
			best = s
		}
	}
	return best
}

// Public payloads: OWASP's XSS filter evasion cheat sheet, PortSwigger's
// XSS cheat sheet, the HTML5 Security Cheatsheet. Values reach the family
// decoded (URL, entities, JS escapes) as the request view decodes them.
var xssAttacks = []string{
	"<script>alert(1)</script>",
	"<IMG SRC=\"javascript:alert('XSS');\">",
	"<IMG SRC=javascript:alert('XSS')>",
	"<IMG SRC=\"jav\tascript:alert('XSS');\">",
	"<IMG SRC=\" \x0e  javascript:alert('XSS');\">",
	"<script>self['alert'](2)</script>",
	"<input onblur=javascript:alert(9642) autofocus>",
	"<x 1=\"1\"onxxx=1",
	"<x onxxx=1",
	"<x\ronxxx=1",
	"<svg/onload=alert(1)>",
	"<img src=x onerror=alert(document.domain)>",
	"<body onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
	"<style><img src=\"</style><img src=x onerror=alert(1)//\">",
	"<math href=\"javascript:javascript:alert(1)\">CLICKME</math>",
	"<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
	"<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
	"<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
	"<iframe srcdoc=\"<img src=x onerror=alert(1)>\">",
	"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
	"<DIV STYLE=\"width: expression(alert('XSS'));\">",
	"<svg><animate attributeName=href to=javascript:alert(1) /><a><text>x</text></a></svg>",
	"<form><button formaction=javascript:alert(1)>x</button></form>",
	"\"><svg onload=confirm(1)>",
	"\" onmouseover=\"alert(1)",
	"' autofocus onfocus=alert(1) x='",
	"javascript:alert(document.cookie)",
	"javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
	"\";alert('XSS');//",
	"';alert(String.fromCharCode(88,83,83))//",
	"top[/al/.source+/ert/.source](1)",
	"alert(1)",
	"alert`1`",
	"javascript:+alert(1)",
	`<?xml version="1.0"?><script>alert(1)</script>`,
	`<?xml:namespace prefix="t" ns="urn:schemas-microsoft-com:time"><?import namespace="t" implementation="#default#time2">`,
	"javascript:-confirm`1`",
	"javascript:!top[`al`+`ert`](1)",
	"(alert)(1)",
	"eval(atob('YWxlcnQoMSk='))",
	"+ADw-script+AD4-alert(+ACc-xss+ACc-)+ADw-+AC8-script+AD4-",
	"<scr<script>ipt>alert(1)</script>",
}

// Markup and prose that share tokens with XSS: none may reach 0.9.
var xssBenign = []string{
	"</a>",
	"<br/>",
	"<h1>",
	"<b>bold</b> and <i>italic</i>",
	"<Knghtbrd> hey, one=two",
	"javascript: the good parts",
	"JavaScript: The Definitive Guide",
	"JavaScript:+The+Definitive+Guide", // a title whose spaces a form encoded as '+'
	"javascript:-the-good-parts",
	"jambrina.hamissi@importadores.example",
	"a < b and c > d",
	"I <3 you",
	"x=1&y=2",
	"onion=3",
	"print(\"hello world\")",
	"if (a < b) { x = 1; }",
	"withthis[n]); foo(bar);",
	"<a href=\"https://example.com/\">example</a>",
	"Email me at <john@example.com>, thanks",
	"the button's onclick handler fires twice",
	"Use alert boxes sparingly",
	"<1991Apr29.072206.5621@jpl-devvax.jpl.nasa.gov>",
	"https://www.example.com/search?q=shoes&sort=price",
}

func TestXSSAttacks(t *testing.T) {
	for _, v := range xssAttacks {
		if s := xssBest(t, threat.SourceQuery, v); s.Confidence < 0.99 {
			t.Errorf("%q: best %s %.2f, want >= 0.99", v, s.Rule, s.Confidence)
		}
	}
}

func TestXSSBenign(t *testing.T) {
	for _, v := range xssBenign {
		for _, src := range []threat.Source{threat.SourceQuery, threat.SourceHeader} {
			if s := xssBest(t, src, v); s.Confidence >= 0.9 {
				t.Errorf("%q: %s %.2f (%q), want < 0.9", v, s.Rule, s.Confidence, s.Evidence)
			}
		}
	}
}

// Header values arrive as sent: the family decodes them.
func TestXSSEncodedHeader(t *testing.T) {
	for _, v := range []string{"%3Cx onxxx=alert(1)", "<x%0Donxxx=1",
		"%3c%73%63%72%69%70%74%3e%61%6c%65%72%74%28%22%48%69%22%29%3b%3c%2f%73%63%72%69%70%74%3e",
		"<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>"} {
		if s := xssBest(t, threat.SourceHeader, v); s.Confidence < 0.99 {
			t.Errorf("header %q: best %s %.2f, want >= 0.99", v, s.Rule, s.Confidence)
		}
	}
}

// Payloads after padding, and windows of a long value that start inside a
// tag or an attribute, are found.
func TestXSSMidValue(t *testing.T) {
	pad := strings.Repeat("A", 9000)
	prose := strings.Repeat("I <3 this shop, it's great & cheap -- 5 > 4 stars. ", 40)
	for _, c := range []string{
		pad + "<svg onload=alert(1)>",
		pad + " \"><img src=x onerror=alert(1)>",
		prose + "<script>alert(1)</script>",
		prose + "\" onfocus=\"alert(1)\" autofocus=\"",
		"ute value\" onerror=\"alert(1)\">",
		"f=\"javascript:alert(1)\">x</a>",
	} {
		if s := xssBest(t, threat.SourceForm, c); s.Confidence < 0.99 {
			t.Errorf("...%q: best %s %.2f, want >= 0.99", c[max(0, len(c)-50):], s.Rule, s.Confidence)
		}
	}
	if s := xssBest(t, threat.SourceForm, prose); s.Confidence >= 0.9 {
		t.Errorf("prose alone: %s %.2f (%q)", s.Rule, s.Confidence, s.Evidence)
	}
}

// The scan is linear in the value: 512 KiB of each shape finishes quickly
// (a quadratic scan would take hours).
func TestXSSLinear(t *testing.T) {
	for _, unit := range []string{"<a ", "<x onxxx=", "<", "<a b='", "javascript:", "on", "alert(", "top[", "<style>",
		"expression(", "+ADw-", "eval(", "<x a=\"1\"", "&{"} {
		v := strings.Repeat(unit, (512<<10)/len(unit))
		start := time.Now()
		xssBest(t, threat.SourceForm, v)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%q x %d: %v", unit, len(v)/len(unit), d)
		}
	}
}

func TestUTF7(t *testing.T) {
	for in, want := range map[string]string{
		"+ADw-script+AD4-alert(1)+ADw-/script+AD4-": "<script>alert(1)</script>",
		"+ADwAcwBjAHIAaQBwAHQAPg-":                  "<script>",
		"a+ACI- b":                                  "a\" b",
		"1+1=2 +AD":                                 "1+1=2 ",
	} {
		if got, _ := utf7(in); got != want {
			t.Errorf("utf7(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := utf7("C++ and a+b"); ok {
		t.Error("utf7 found runs in plain text")
	}
}

func TestScriptScheme(t *testing.T) {
	for u, want := range map[string]bool{
		"javascript:alert(1)":            true,
		" \tJaVa\x0bScRiPt:x":            true,
		"vbscript:msgbox(1)":             true,
		"data:text/html,<script>":        true,
		"data:image/svg+xml;base64,PHN2": true,
		"data:image/png;base64,iVBOR":    false,
		"https://example.com/":           false,
		"javascripts:x":                  false,
		"java script":                    false,
	} {
		if _, got := scriptScheme(u); got != want {
			t.Errorf("scriptScheme(%q) = %v, want %v", u, got, want)
		}
	}
}

func FuzzXSS(f *testing.F) {
	for _, v := range xssAttacks {
		f.Add(v)
	}
	for _, v := range xssBenign {
		f.Add(v)
	}
	f.Add("<a b='c\"d=e'f=g/h=`i`\x00j k=l<m n=o")
	f.Add("a.call`${navigation.navigate`")
	f.Add("x.apply`${ location.replace}${location}`")
	f.Fuzz(func(t *testing.T, v string) {
		if u, ok := utf7(v); ok && len(u) > len(v) {
			t.Fatalf("utf7(%q) grew to %q", v, u)
		}
		for _, src := range []threat.Source{threat.SourceQuery, threat.SourceHeader} {
			xssBest(t, src, v)
		}
	})
}

// Markup that breaks out of the context a value was written into: the end
// tag of a raw-text element, a tag that switches the parser's namespace,
// a complete or conditional HTML comment, and character references to '<'
// padded with zeros (HTML5 Security Cheatsheet, OWASP filter evasion).
func TestXSSBreakoutMarkup(t *testing.T) {
	for _, v := range []string{"</script>", "</style><script>", "</textarea>", "</title>", "x</noscript>",
		"<svg>", "<math>", "<xmp>", "<!-- hidden -->", "<!--[if IE]>", "</BODY></HTML>",
		"a <!-- b --!> c", "note <!-- <b> --> c", "<b>x</b> <!-- y -->", "text <!-- a --> <script>",
		"<!--`--><img src=x onerror=alert(1)>", "<!-- a ` b -->",
		// a server-side include's shape, however long
		`<!--#$@e$@x$@e$@c $@c$@m$@d="/$@b$@i$@n/$@ca$@t /$@e$@t$@c/$@pa$@s$@s$@w$@d"-->`} {
		if s := xssBest(t, threat.SourceQuery, v); s.Confidence < 0.99 {
			t.Errorf("%q: %s %.2f, want >= 0.99", v, s.Rule, s.Confidence)
		}
	}
	// character references as sent (the view decodes values; the raw form
	// keeps the reference)
	for _, raw := range []string{"%26%23x0003c", "&#00060;", "%26%23X00003C%3B"} {
		in := input{src: threat.SourceQuery, name: "q", value: "<", raw: raw, m: classify("<")}
		var seen rules
		sigs, _ := scanXSS(&in, &seen, nil)
		if len(sigs) == 0 || sigs[0].Confidence < 0.99 {
			t.Errorf("raw %q: %v, want a signal >= 0.99", raw, sigs)
		}
	}
	// harmless markup and chat-log nicks stay below blocking
	for _, v := range []string{"</a>", "<b>bold</b>", "</div>", "<Knghtbrd> hello", "<dark> ok", "&#60;", "a <!-- b",
		// Markdown and issue templates: a comment of words inside prose
		"Steps to reproduce: <!-- describe them here --> 1. open the app", "## Bug report <!-- Please describe the bug --> It crashes.",
		// a note kept in a comment, the whole value (Node.js's documentation)
		"<!-- YAML added: v11.8.0 changes: - version: v12.0.0 pr-url: https://github.com/nodejs/node/pull/27312 -->",
		// Markdown's code spans inside comments (libinjection reads a
		// backtick in a comment as Internet Explorer's tag end)
		"<!-- Paste the output of `npm ls` and `node -v` here, then describe what you expected to happen -->",
		"## Steps <!-- run `make check` first, then `make install` --> 1. open the app"} {
		if s := xssBest(t, threat.SourceQuery, v); s.Confidence >= 0.9 {
			t.Errorf("benign %q: %s %.2f, want < 0.9", v, s.Rule, s.Confidence)
		}
	}
}

func TestXMLDeclaration(t *testing.T) {
	for _, c := range []struct {
		v string
		n int
	}{
		{`<?xml version="1.0"?><a/>`, 21},
		{`<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>`, 56},
		{"\ufeff<?xml version=\"1.0\"?>", 24},
		{`<?xml?>`, 0},                                // no pseudo-attribute: no space before "?>"
		{`<?xml version="1.0"`, 0},                    // not closed
		{`<?xml version="1.0" <script>?>`, 0},         // markup inside
		{`<?xml version="1.0" x="<a onload=x>"?>`, 0}, // a value that is not a name
		{`<?xml-stylesheet href="x.xsl"?>`, 0},
		{` <?xml version="1.0"?>`, 0},
		{`<?XML version="1.0"?>`, 0},
	} {
		if n := xmlDeclaration(c.v); n != c.n {
			t.Errorf("xmlDeclaration(%q) = %d, want %d", c.v, n, c.n)
		}
	}
}

// FuzzXMLDeclaration: what xmlDeclaration reads as a declaration is one
// declaration whole, with no markup but its own brackets.
func FuzzXMLDeclaration(f *testing.F) {
	for _, s := range []string{`<?xml version="1.0"?>`, "\ufeff<?xml version='1.0' encoding='x'?><a>", `<?xml version="1.0" <a>?>`, `<?xml ?>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n := xmlDeclaration(v)
		if n == 0 {
			return
		}
		d := strings.TrimPrefix(v[:n], "\ufeff")
		if !strings.HasPrefix(d, "<?xml ") && !strings.HasPrefix(d, "<?xml\t") && !strings.HasPrefix(d, "<?xml\r") && !strings.HasPrefix(d, "<?xml\n") ||
			!strings.HasSuffix(d, "?>") || strings.Count(d, "<") != 1 || strings.Count(d, ">") != 1 || !strings.Contains(d, "=") {
			t.Fatalf("%q: left out %q", v, v[:n])
		}
	})
}

func TestXMLData(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{
		{`<?xml version="1.0"?><r/>`, true},
		{`<svg xmlns="http://www.w3.org/2000/svg"><path/></svg>`, true},
		{"\ufeff<!-- c --><?pi x?><!DOCTYPE r SYSTEM \"r.dtd\">\n<r:doc xmlns:r=\"urn:x\"/>", true},
		{`<html><body>hi</body></html>`, false},
		{`<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">`, true},
		{`<img src=x onerror=alert(1)>`, false},
		{`<a data-xmlns="x">`, false},
		{`<a xmlnsfoo="x">`, false},
		{`hello <svg xmlns="http://www.w3.org/2000/svg">`, false}, // text first: a fragment
		{`<!-- <x xmlns="a"> `, false},
		{`<!DOCTYPE r [<!ENTITY e "x">]><r xmlns="a"/>`, false}, // an internal subset is read no further
	} {
		if got := xmlData(c.v); got != c.want {
			t.Errorf("xmlData(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}

// FuzzXMLData: xmlData never panics, and calls data only a document with
// a declaration or a namespace.
func FuzzXMLData(f *testing.F) {
	for _, s := range []string{`<?xml version="1.0"?>`, `<!-- a --><r xmlns="x">`, `<!DOCTYPE a><b xmlns:c="d"/>`, `<a xmlns`, `<!--`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if xmlData(v) && xmlDeclaration(v) == 0 && !strings.Contains(v, "xmlns=") && !strings.Contains(v, "xmlns:") {
			t.Fatalf("%q read as XML data", v)
		}
	})
}

func TestCodeSpanComments(t *testing.T) {
	for in, want := range map[string]bool{
		"<!-- run `make` -->":                true,
		"text <!-- `a` --> and <!-- `b` -->": true,
		"no markup `x`":                      true,
		"<!-- a ` b -->":                     false, // an odd backtick: IE's tag end
		"<!-- `a` --><b>":                    false,
		"<!-- `a` [if IE] -->":               false,
		"<!-- `a` --> x=1":                   false,
		"<!-- `a`":                           false,
		"<!-- `xml` -->":                     false,
	} {
		if got := codeSpanComments(in); got != want {
			t.Errorf("codeSpanComments(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzCodeSpanComments: a value codeSpanComments passes has no '=' and
// opens a comment at every '<'.
func FuzzCodeSpanComments(f *testing.F) {
	for _, s := range []string{"<!-- `a` -->", "<!--", "<!-- ` -->", "a<b", "<!----><!---->"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !codeSpanComments(s) {
			return
		}
		if strings.IndexByte(s, '=') >= 0 {
			t.Fatalf("%q: passed with an '='", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] == '<' && !strings.HasPrefix(s[i:], "<!--") {
				t.Fatalf("%q: passed with a '<' at %d that opens no comment", s, i)
			}
		}
	})
}
