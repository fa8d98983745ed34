package signature

import (
	"bytes"
	"testing"
)

func TestTimingBranch(t *testing.T) {
	for in, want := range map[string]string{
		"; if [ 2 -ne ${s} ]; then sleep 0; else sleep 1; fi": "then sleep 0; else sleep 1",
		"x\nthen\tsleep 5\nelse sleep 0":                      "then\tsleep 5\nelse sleep 0",
		"; then sleep 8 hours; else sleep 6":                  "",
		"then sleep 1; else sleep 2":                          "", // "then" opens no command
		"; then sleep 1; fi":                                  "",
		"; athen sleep 1; else sleep 2":                       "",
	} {
		i, k := timingBranch([]byte(in))
		got := ""
		if i >= 0 {
			got = in[i:k]
		}
		if got != want {
			t.Errorf("timingBranch(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTimingBranch: a branch found lies within the value, opens with
// "then" and ends in a digit after "sleep".
func FuzzTimingBranch(f *testing.F) {
	for _, s := range []string{"; then sleep 0; else sleep 1", ";then sleep 1;else sleep", "; then", "\nthen sleep 9\nelse sleep 9 |"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, k := timingBranch([]byte(s))
		if i < 0 {
			if k >= 0 {
				t.Fatalf("%q: %d, %d", s, i, k)
			}
			return
		}
		if i >= k || k > len(s) || !bytes.HasPrefix([]byte(s[i:]), []byte("then")) || s[k-1] < '0' || s[k-1] > '9' ||
			!bytes.Contains([]byte(s[i:k]), []byte("else")) {
			t.Fatalf("%q: branch %d:%d %q", s, i, k, s[max(0, i):min(len(s), max(k, 0))])
		}
	})
}

func TestCloserAndCommentTail(t *testing.T) {
	for in, want := range map[string]bool{"'": true, "\" )": true, "')]": true, "": false, "a'": false, " ": false} {
		if got := closersOnly([]byte(in)); got != want {
			t.Errorf("closersOnly(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]bool{" q1 #": true, "\tq1\t#\t": true, " x#": false, " a; b #": false, " #": false, " q #x": false} {
		if got := commentTail([]byte(in)); got != want {
			t.Errorf("commentTail(%q) = %v", in, got)
		}
	}
}
