package signature

import (
	"strings"
	"testing"
)

// FuzzJavaBareValue checks that javaBareValue never panics and agrees with
// a plain reading: the value, spaces and quotes trimmed and its ASCII
// letters lower-cased, is a key of javaBareNames.
func FuzzJavaBareValue(f *testing.F) {
	for _, s := range []string{"classLoader", "com.opensymphony.xwork2", " 'Sun.Reflect' ", "org.apache.commons",
		"classloaders", "java.io.File", "\"", "''", "java.beans.XMLDecode\t", "java.io.InputStreamReader", "java.net.URLx", "java.io.Filer.", "java.evil.runtime", "sun.x..ProcessImpl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		found, pkg := javaBareValue(v)
		w := []byte(strings.Trim(v, " \t\"'"))
		for i, c := range w {
			if 'A' <= c && c <= 'Z' {
				w[i] = c + 'a' - 'A' // ASCII only, as the engine reads names
			}
		}
		wantPkg, want := javaBareNames[string(w)]
		if !want {
			// a listed class whose last name goes on in letters and digits
			tw := strings.Trim(v, " \t\"'")
			d := strings.LastIndexByte(tw, '.')
			if d > 0 && d+2 < len(tw) && 'A' <= tw[d+1] && tw[d+1] <= 'Z' &&
				strings.Trim(tw[d+1:], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == "" &&
				strings.Trim(tw[:d], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._") == "" {
				for k := d + 2; k < len(tw); k++ {
					if p, ok := javaBareNames[string(w[:k])]; ok && !p && len(tw)-k <= javaSuffixMax {
						want = true
					}
				}
			}
		}
		if !want {
			// a command-running class in any package of Java's namespaces
			parts := strings.Split(strings.ToLower(strings.Trim(v, " \t\"'")), ".")
			if n := len(parts); n >= 3 && (parts[0] == "java" || parts[0] == "javax" || parts[0] == "jdk" || parts[0] == "sun") &&
				(parts[n-1] == "runtime" || parts[n-1] == "processbuilder" || parts[n-1] == "processimpl" || parts[n-1] == "unixprocess") {
				want = true
				for _, p := range parts[1 : n-1] {
					if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
						want = false
					}
				}
			}
		}
		if len(v) > javaBareMax+javaSuffixMax {
			want, wantPkg = false, false // longer values are not read
		}
		if found != want || found && pkg != wantPkg {
			t.Fatalf("%q: javaBareValue = %v, %v; want %v, %v", v, found, pkg, want, wantPkg)
		}
	})
}

// plainWord asks javaBare only of words of letters and '_': the names of
// javaBareNames without a '.' must be such words.
func TestJavaBareWordsAreLetters(t *testing.T) {
	for w := range javaBareNames {
		if strings.IndexByte(w, '.') >= 0 {
			continue // plainWord passes no '.' by
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !('a' <= c && c <= 'z' || c == '_') {
				t.Fatalf("%q: plainWord's quick test would miss it", w)
			}
		}
	}
}
