package signature

import (
	"strings"
	"testing"
)

// Stream wrappers count where a word starts: PHP reads them only at the
// start of a path. Names that hold one inside a word are other names;
// a run of them is reported itself, so it hides no wrapper after it.
func TestWrapperWord(t *testing.T) {
	tests := []struct {
		v    string
		want string // the wrapper found, "" for none
	}{
		{"php://filter/resource=index.php", "php:/"},
		{"url:file:///etc/passwd", "file:/"},
		{"x=ssh2.exec://u@h/id", "ssh2."},
		{"see http://www.libssh2.org/mail/", ""},
		{"the gzip:/ and metadata:/ prefixes", ""},
		{"libssh2.org then ssh2.shell://h", "ssh2."},
		{"* d/patches: fix ssh2.sh test, cut down example of ssh2.c", ""},
		{"ssh2.sftp://user@host/etc/passwd", "ssh2."},
		{strings.Repeat("xfile:/ ", 8) + "php://input", "php:/"},
		// past eight names in words, the ninth search reports what it
		// finds: a run of them is read as the wrapper it spells
		{strings.Repeat("xfile:/ ", 20) + "php://input", "file:/"},
		{strings.Repeat("xfile:/", 20), "file:/"},
	}
	for _, tt := range tests {
		mt, ok := wrapperWord([]byte(tt.v))
		got := ""
		if ok {
			got = tt.v[mt.i:mt.j]
		}
		if got != tt.want {
			t.Errorf("wrapperWord(%.40q) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
