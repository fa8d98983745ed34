package signature_test

import "testing"

// TestWindowsPathsAreNoEscapes: a Windows path's "\ntuser.dat" or "\temp"
// is read as the path it is, not as the line break or tab a JavaScript
// escape would make of it, wherever the path is sent: as text, in JSON,
// as a form's or a multipart part's name (gotestwaf's
// "\\::1\c$\users\default\ntuser.dat" in a part's name). Escaped line
// breaks in text that names no file stay text.
func TestWindowsPathsAreNoEscapes(t *testing.T) {
	const mp = "multipart/form-data; boundary=b3"
	checkFamily(t, "traversal", []familyCase{
		{"body:text/plain", `\::1\c$\users\default\ntuser.dat`, 0.99},
		{"body:application/json", `{"f":"\\users\\default\\ntuser.dat"}`, 0.99},
		{"body:application/json", `{"\\users\\default\\ntuser.dat":1}`, 0.99},
		{"body:application/x-www-form-urlencoded", `%5Cwindows%5Cntuser.dat=1`, 0.99},
		{"body:" + mp, "--b3\nContent-disposition: form-data; name=\"\\\\::1\\c$\\users\\default\\ntuser.dat\"\n\nTest\n--b3--\n", 0.99},
		{"body:" + mp, "--b3\r\nContent-Disposition: form-data; name=\"\\\\localhost\\c$\\windows\\win.ini\"\r\n\r\nTest\r\n--b3--\r\n", 0.99},
	}, []familyCase{
		{"body:application/json", `{"msg":"line one\nline two\tand a tab"}`, 0},
		{"body:text/plain", `printf("done\n"); puts("a\tb");`, 0},
		{"body:application/x-www-form-urlencoded", `note=first%5Cnsecond%5Ctthird`, 0},
	}, 0.9)
}

// TestFunctionTemplateCall: JavaScript's Function constructor called with
// a template's strings as the body, which new (or a second call) runs:
// PortSwigger's "new Function`al\ert\`1\“", also in a tag whose spaces a
// form's '+' stands for. Prose and Markdown that name the constructor, or
// "a new function `name'", are not code.
func TestFunctionTemplateCall(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "<marquee+loop=1+width=0+onfinish='new+Function`al\\ert\\`1\\``'>", 0.99},
		{"q", "x=new Function`al\\ert\\`1\\``", 0.99},
		{"q", "Function`alert\\x281\\x29```", 0.99},
	}, []familyCase{
		{"q", "avoid `new Function` and `eval` in this code", 0},
		{"q", "A new function `defcolor' defines colors", 0},
		{"q", "use `Function`s `bind` here", 0},
		{"q", "the renew Function`x` case", 0},
	}, 0.9)
}

// TestNessusPluginAgent: Nessus's probes name the plugin that sends them
// (gotestwaf's "mercuryboard_user_agent_sql_injection.nasl'"); browsers,
// libraries and crawlers name no .nasl file.
func TestNessusPluginAgent(t *testing.T) {
	checkFamily(t, "scanner", []familyCase{
		{"ua", "mercuryboard_user_agent_sql_injection.nasl'", 0.99},
		{"ua", "Mozilla/4.0 (compatible; http_version.nasl)", 0.99},
	}, []familyCase{
		{"ua", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", 0},
		{"ua", "nasl-parser/1.2 (+https://example.org/bot)", 0},
		{"ua", "python-requests/2.32.3", 0},
	}, 0.5)
}

// TestEvalAliasCalled: eval under another name, then called (RSnake's
// "_=eval,__=unescape,___=document.URL,_(__(___))", the EnDe lists'
// "$$$=eval,$$$($$($))"). A name that only ends with the alias, or an
// alias never called, is not the call.
func TestEvalAliasCalled(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "_=eval,__=unescape,___=document.URL,_(__(___))", 0.99},
		{"q", "$=document,$=$.URL,$$=unescape,$$$=eval,$$$($$($))", 0.99},
		{"q", "a = eval; a(location.hash.slice(1))", 0.99},
	}, []familyCase{
		{"q", "x=eval;data(1)", 0},
		{"q", "the value=eval, then (x) follows", 0},
		{"q", "x=evaluate;x(1)", 0},
		{"q", "mode=eval and run(the tests)", 0},
	}, 0.9)
}
