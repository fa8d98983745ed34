package signature_test

import (
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// A structured header that applications read as data (Accept-Language,
// If-None-Match, ...) holding what its grammar never does is read as any
// header is: applications load a locale by the name Accept-Language
// gives, and look entity tags up. The values browsers and clients send
// stay unread by the value families.
func TestStructuredHeaderOutsideGrammar(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ where, value string }{
		{"header:Accept-Language", "../../../../etc/passwd"},
		{"header:Accept-Language", "en-US,en;q=0.9' AND SLEEP(5)-- -"},
		{"header:If-None-Match", "'; DROP TABLE users--"},
		{"header:Content-Language", "en\"><script>alert(1)</script>"},
	} {
		if len(detect(t, d, build(t, c.where, c.value))) == 0 {
			t.Errorf("%s %q: no signal", c.where, c.value)
		}
	}
	for _, c := range []struct{ where, value string }{
		{"header:Accept-Language", "de-CH,de;q=0.9,en-US;q=0.8,en;q=0.7"},
		{"header:Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
		{"header:If-None-Match", `W/"5e15153d-120f", "a/b+c=="`},
		{"header:Sec-Ch-Ua", `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`},
		{"header:Cache-Control", "max-age=0, no-cache"},
		{"header:Accept-Encoding", "gzip, deflate, br, zstd"},
	} {
		if s := detect(t, d, build(t, c.where, c.value)); len(s) != 0 {
			t.Errorf("%s %q: %v", c.where, c.value, s)
		}
	}
}
