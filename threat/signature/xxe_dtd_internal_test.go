package signature

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzDoctype holds doctype's external identifiers to their contract: it
// never panics, and a DOCTYPE it lets through at 0.5 names no URI, or one
// whose scheme and authority, as net/url parses them, have an http or https scheme, no user, no
// port and a host that is a listed publisher's domain or a name under it,
// or a bare file name ending in ".dtd".
func FuzzDoctype(f *testing.F) {
	for _, s := range []string{
		` Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">`,
		` foo SYSTEM "http://jetty.org@evil.example/x.dtd">`,
		` x SYSTEM "log4j.dtd">`, ` x SYSTEM 'a/b.dtd'>`, ` html PUBLIC "-//W3C//DTD HTML 4.01//EN">`,
		` x PUBLIC "a" "http://w3.org.evil/x"`, ` x SYSTEM "`, ` x PUBLIC`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := doctype(s)
		if c != 0.5 && c != 0.9 && c != 0.95 && c != 0.99 {
			t.Fatalf("%q: weight %v", s, c)
		}
		i := skipSpaceAll(s, 0)
		for i < len(s) && (isWord(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == ':') {
			i++
		}
		i = skipSpaceAll(s, i)
		var uri string
		var named bool
		switch {
		case hasPrefixFold(s[i:], "system"):
			uri, named = quotedLiteral(s, skipSpaceAll(s, i+6))
			if !named && c != 0.99 {
				t.Fatalf("%q: SYSTEM without a closed literal weighs %v", s, c)
			}
		case hasPrefixFold(s[i:], "public"):
			j := skipSpaceAll(s, i+6)
			id, ok := quotedLiteral(s, j)
			if !ok {
				if c != 0.99 {
					t.Fatalf("%q: PUBLIC without a closed literal weighs %v", s, c)
				}
				return
			}
			uri, named = quotedLiteral(s, skipSpaceAll(s, j+len(id)+2))
			if named && c == 0.5 && strings.Contains(strings.ToLower(id), "-//w3c//") && !strings.ContainsAny(uri, ":/\\%&") {
				return // the W3C's identifier beside a relative name
			}
		default:
			return
		}
		if c != 0.5 || !named {
			return
		}
		if !strings.ContainsAny(uri, "/\\:%") && strings.HasSuffix(strings.ToLower(uri), ".dtd") && len(uri) > 4 && uri[0] != '.' {
			return // beside the document
		}
		authority := uri // the scheme and authority; the path is the publisher's
		if k := strings.Index(uri, "//"); k >= 0 {
			if e := strings.IndexAny(uri[k+2:], "/?#"); e >= 0 {
				authority = uri[:k+2+e]
			}
		}
		u, err := url.Parse(authority)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Port() != "" || u.Opaque != "" {
			t.Fatalf("%q: %q lets through a URI that is not a plain web URL (%v)", s, uri, err)
		}
		host := strings.ToLower(u.Hostname())
		for _, d := range dtdPublishers {
			if host == d || strings.HasSuffix(host, "."+d) {
				return
			}
		}
		t.Fatalf("%q: %q's host %q is no listed publisher's", s, uri, host)
	})
}
