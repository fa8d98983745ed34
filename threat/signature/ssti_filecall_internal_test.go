package signature

import (
	"bytes"
	"testing"
)

// FuzzFileCall checks that fileCall never panics and finds a call only
// where b holds a '(' after a word's byte, and a quote.
func FuzzFileCall(f *testing.F) {
	f.Add([]byte(`get_user_file("/etc/passwd")`))
	f.Add([]byte(`x('c:\boot.ini')`))
	f.Add([]byte(`f('`))
	f.Add([]byte(`(('/etc/passwd'`))
	f.Fuzz(func(t *testing.T, b []byte) {
		called := false
		for i := 1; i < len(b); i++ {
			called = called || b[i] == '(' && isWord(b[i-1])
		}
		if fileCall(b) && (!called || !bytes.ContainsAny(b, "'\"`")) {
			t.Fatalf("fileCall(%q) with no call of a string", b)
		}
	})
}
