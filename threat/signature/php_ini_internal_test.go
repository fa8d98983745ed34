package signature

import (
	"strings"
	"testing"
)

// FuzzPHPIniLine holds phpIniLine to its contract: it never panics, and a
// line it finds opens a line of v (blanks and "-d" aside) with a listed
// directive, or one of a listed section, then blanks and one '='.
func FuzzPHPIniLine(f *testing.F) {
	for _, s := range []string{"opcache.jit=50", "x\n -d allow_url_include=1", "a==b", "session.=1", "mail.log=\n", "-d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, ok := phpIniLine(v)
		if !ok {
			return
		}
		if i < 0 || j <= i || j > len(v) {
			t.Fatalf("%q: span %d..%d", v, i, j)
		}
		line := v[strings.LastIndexByte(v[:i], '\n')+1 : i]
		if strings.Trim(strings.Replace(line, "-d", "", 1), " \t") != "" {
			t.Fatalf("%q: the directive at %d does not open its line", v, i)
		}
		name := v[i:j]
		listed := phpIniDirectives[name]
		for _, s := range phpIniSections {
			listed = listed || strings.HasPrefix(name, s) && len(name) > len(s)
		}
		if !listed || name != strings.ToLower(name) {
			t.Fatalf("%q: %q is not a listed directive", v, name)
		}
		rest := strings.TrimLeft(v[j:], " \t")
		if !strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "==") {
			t.Fatalf("%q: no single '=' after %q", v, name)
		}
	})
}
