package signature_test

import (
	"net/url"
	"strings"
	"testing"
)

// A form-encoded payload (spaces as '+') where nothing form-decodes it —
// a JSON value, a custom header, the path — is read with its '+' as
// spaces too, as a backend that form-decodes it would read it.
func TestPlusAsSpace(t *testing.T) {
	enc := url.QueryEscape // spaces as '+'
	checkFamily(t, "sqli", []familyCase{
		{"body:application/json", `{"note":"` + enc("1' union select password from users--") + `"}`, 0.99},
		{"header:X-Search", enc("' union select username, password from users--"), 0.99},
		{"body:application/json", `{"q":"` + enc(`"union select -7431.1, name, @aaa from u_base--w-`) + `"}`, 0.99},
		{"header:X-Search", enc(`"union select -7431.1, name, @aaa from u_base--w-`), 0.99},
	}, nil, 0.99)
	checkFamily(t, "xss", []familyCase{
		{"body:application/json", `{"note":"` + enc(`<video src=x onerror="prompt(document.domain)">`) + `"}`, 0.99},
		{"path", "/p/" + enc(`<svg onload=alert(1)>`), 0.99},
		{"body:application/json", `{"note":"` + enc(`<video src=x onerror="prompt(xss">`) + `"}`, 0.99},
		{"header:X-Note", enc(`<base href=//evil.example>`), 0.9},
	}, nil, 0.99)
	d := newDetector(t)
	// an escaped '+' is a '+' to a form decoder too: no value is read
	// with it as a space
	for _, v := range []string{"john%2Bor%40var.es", "x%2Band%2By"} {
		for _, s := range detect(t, d, build(t, "header:X-Note", v)) {
			if strings.Contains(s.Location, "plus as space") {
				t.Errorf("header %q read with an escaped '+' as a space: %+v", v, s)
			}
		}
	}
	for _, v := range []string{"john+tag@example.com", "+1-555-0100", "2+2=4", "C++", "image/svg+xml",
		"application/atom+xml;charset=utf-8", "a+b>c+d", "Tr0ub4dor&3+x"} {
		for _, where := range []string{"header:X-Note", "path"} {
			val := v
			if where == "path" {
				val = "/t/" + url.PathEscape(v)
			}
			if sigs := detect(t, d, build(t, where, val)); len(sigs) > 0 {
				t.Errorf("benign %s %q: %v", where, v, rulesOf(sigs))
			}
		}
	}
}
