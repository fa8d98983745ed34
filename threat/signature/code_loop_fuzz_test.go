package signature

import (
	"bytes"
	"testing"
)

// FuzzInfiniteLoop checks that infiniteLoop never panics and that a span
// it returns opens with "while" and ends with the condition's ')'.
func FuzzInfiniteLoop(f *testing.F) {
	for _, s := range []string{"while(true);", "while(!0)", "while((true)))", "while (x) {}", "while(", "while(((((",
		"while(!!", "while()", "while(new )", "while('')", "while(1e9)"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lo := bytes.ToLower(b)
		i, j := infiniteLoop(lo)
		if i < 0 {
			return
		}
		if j <= i || j > len(lo) || !bytes.HasPrefix(lo[i:], []byte("while")) || lo[j-1] != ')' {
			t.Fatalf("%q: span [%d,%d)", lo, i, j)
		}
	})
}
