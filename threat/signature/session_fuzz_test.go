package signature

import (
	"strings"
	"testing"
)

// FuzzSessionName holds sessionName to its definition: one of
// sessionNames in any ASCII case, or "aspsessionid" and a suffix of at
// most 16 bytes. Its quick rejections (length, first letter) must never
// drop a name the definition keeps.
func FuzzSessionName(f *testing.F) {
	for _, s := range []string{"jsessionid", "PHPSESSID", "ASPSESSIONIDQQGGGNCG", "asp.net_SessionId", "cfid", "CFTOKEN", "session_id", "jsession", "aspsessionid0123456789abcdefg", "ĴSESSIONID"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		lo := asciiLower(name)
		want := sessionNames[lo] || strings.HasPrefix(lo, "aspsessionid") && len(lo) <= len("aspsessionid")+16
		if got := sessionName(name); got != want {
			t.Fatalf("sessionName(%q) = %v, want %v", name, got, want)
		}
	})
}

// asciiLower lowers s's ASCII letters and leaves every other byte as it
// is, invalid UTF-8 included: the case the name rules ignore (the fuzz
// targets' definitions use it).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FuzzSameSite reads hostile Referer and Host values: it never panics, a
// Referer of the host's own pages is always the same site, and for plain
// names the answer does not depend on which of the two is the Referer.
func FuzzSameSite(f *testing.F) {
	f.Add("http://www.attackersite.com/test", "localhost")
	f.Add("https://localhost.attackersite.com/", "localhost")
	f.Add("https://user@www.example.com:8443/a?b#c", "example.com:443")
	f.Add("http://[::1]/", "[::1]:8080")
	f.Add("http", "")
	f.Add("://", "[")
	f.Fuzz(func(t *testing.T, ref, host string) {
		_ = sameSite(ref, host)
		if hostOnly(host) != "" && !strings.ContainsAny(host, "/?#@") {
			if !sameSite("https://"+host+"/x", host) {
				t.Fatalf("sameSite(https://%s/x, %q) = false", host, host)
			}
		}
		plain := func(s string) bool {
			return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") == ""
		}
		if plain(ref) && plain(host) && sameSite("http://"+ref+"/", host) != sameSite("http://"+host+"/", ref) {
			t.Fatalf("sameSite is not symmetric for %q and %q", ref, host)
		}
	})
}
