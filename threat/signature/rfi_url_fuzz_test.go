package signature

import "testing"

// FuzzIPScriptURL checks that ipScriptURL and remoteInclude never panic
// and that a URL with a space is never an IP script URL.
func FuzzIPScriptURL(f *testing.F) {
	for _, s := range []string{"http://66.240.183.75/crash.php", "http:/1.2.3.4/x.txt?", "https://foo.bar?", "http://", ":/", "http://1.2.3.4:",
		"http://1.2.3.4/.", "ftp://a b/c.php"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ipScriptURL(b) {
			for _, c := range b {
				if c == ' ' {
					t.Fatalf("%q: a URL with a space", b)
				}
			}
		}
		_ = remoteInclude(b)
	})
}
