package signature

import (
	"strings"
	"testing"
)

// A NUL between a file name's extension and another one is the classic
// extension check bypass ("shell.php%00.jpg", OWASP's null byte
// injection), and so is one that ends a file's name in a folder
// ("currentfolder=/x.jsp%00", FCKeditor's upload); a NUL elsewhere stays
// a hint.
func TestNulTruncation(t *testing.T) {
	for raw, want := range map[string]bool{
		"shell.php%00.jpg":              true,
		"../../etc/passwd%00.png":       true,
		"report.pdf%00.jpg":             true,
		"/var/www/x%00.html":            true,
		"id%00":                         false,
		"something%00html":              false,
		"abc%00def":                     false,
		"a.b%00.toolongext":             false,
		"name%00.jpg":                   false, // no extension before, no path
		"shell.php%00.jpg&x":            false, // raw of one value never holds '&'; no extension at the end
		"%00.jpg":                       false,
		"photo.jpeg%00%2e%6a%70%67":     false,
		"x.php%00.j+g":                  false,
		"archive.tar.gz%00.txt":         true,
		"/dqoamjxrgv.jsp%00":            true, // the application's own suffix is cut
		"macros/100-siteframe.macro%00": true,
		"report.pdf%00":                 false, // no folder
		"a/b%00":                        false, // no extension
		strings.Repeat("a", 9) + "%0":   false,
	} {
		nul := strings.Index(raw, "%00")
		if nul < 0 {
			nul = len(raw)
		}
		if got := nulTruncation(raw, nul); got != want {
			t.Errorf("nulTruncation(%q) = %v, want %v", raw, got, want)
		}
	}
}

// FuzzNulTruncation: nulTruncation stays in bounds and holds only where
// the escape is.
func FuzzNulTruncation(f *testing.F) {
	f.Add("shell.php%00.jpg", 9)
	f.Add("%00", 0)
	f.Add("a%0", 1)
	f.Fuzz(func(t *testing.T, raw string, nul int) {
		if nul < 0 || nul > len(raw) {
			return
		}
		if nulTruncation(raw, nul) && !strings.HasPrefix(raw[nul:], "%00.") && raw[nul:] != "%00" {
			t.Fatalf("%q at %d", raw, nul)
		}
	})
}
