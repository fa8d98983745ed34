package signature

import (
	"strings"
	"testing"
)

// FuzzSlashHandler holds slashHandler to its contract: -1, or the index of
// an '=' that ends "/on" and an event's name.
func FuzzSlashHandler(f *testing.F) {
	f.Add("x/onerror=xxx")
	f.Add("/online=yes")
	f.Add("x/on")
	f.Add("a/ONLOAD=1/onclick=2")
	f.Fuzz(func(t *testing.T, v string) {
		j := slashHandler(v)
		if j == -1 {
			return
		}
		if j < 0 || j >= len(v) || v[j] != '=' {
			t.Fatalf("slashHandler(%q) = %d: no '=' there", v, j)
		}
		k := strings.LastIndexByte(v[:j], '/')
		if k < 0 || !hasFold(v[k+1:j], "on") || !handlerName(strings.ToLower(v[k+3:j])) {
			t.Fatalf("slashHandler(%q) = %d: no handler's name before it", v, j)
		}
	})
}
