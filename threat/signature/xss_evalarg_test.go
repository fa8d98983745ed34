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
