package signature_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Paths to secret files that only a shell resolves: letters replaced by
// wildcards ('?', '*', "[...]") or broken up by expansions that vanish
// ("$u", "${u}", "$@", "$()", empty quotes, a backslash). Public samples:
// PayloadsAllTheThings' command injection filter bypasses and HackTricks'
// bypass of Linux restrictions.
var obfPathAttacks = []placedCase{
	{"/e?c/?asswd", nil},
	{"/??c/?assw?", nil},
	{"/e*c/*asswd", nil},
	{"/???/??ss??", nil},
	{"/e[t]c/pa[s]swd", nil},
	{"/e[a-z]c/s[h]adow", nil},
	{"cat /etc/pa?swd", nil},
	{"cat /etc/pa**wd", nil},
	{"cat /et?/pa??wd", nil},
	{";/???/??t /???/p??s??", nil},
	{"cat /???/??????", nil},
	{"; head -n 1 /e*c/sh*d?w", nil},
	{";$u cat /etc$u/passwd$u", nil},
	{"/etc$u/passwd$u", nil},
	// '+' for the spaces, left as sent where it was percent-encoded
	{";+$u+cat+/etc$u/passwd$u", nil},
	{";+$u+cat+/etc$u/passwd+\\#", nil}, // gotestwaf: the '+' ends the path too
	{"cat /e${u}tc/pa${u}sswd", nil},
	{"cat /e$@tc/pa$()sswd", nil},
	// a header's "\t" is read as a tab before the family sees it
	{`/e\tc/pa\sswd`, []string{"query", "form", "json", "cookie"}},
	{`/e"t"c/pa""sswd`, nil},
	{"'/e?c/passwd'", nil},
	{"/pr?c/self/envi*n", nil},
	{"/root/.ssh/id_?sa", nil},
	{"/bin/b?sh", nil},
	{"/etc//pa?swd", nil},
}

// obfPathBenign are globs and paths of notes, code and URLs that look
// like the attacks: listings of a folder, extensions, patterns of a build
// tool, a URL's query.
var obfPathBenign = []placedCase{
	{"what is /etc/?", nil},
	{"files like /tmp/*.log", nil},
	{"src/**/*.go", nil},
	{"/api/v1/users?id=3", nil},
	{"/usr/share/doc/*", nil},
	{"back up /etc/* before the upgrade", nil},
	{"the list is in /etc/*", nil},
	{"/*/*", nil},
	{"/**/*.js", nil},
	{"https://example.com/etc/pa?swd=1", nil},
	{"https://cdn.example.com/img/*.png", nil},
	{"//cdn.example.com/e?c/passwd", nil},
	{"/search?q=shoes&page=2", nil},
	{"/etc/passwd?", nil},
	{"/home/$USER/.ssh/id_rsa.pub", nil},
	{"/proc/$pid/status", nil},
	{"/^[a-z]+$/", nil},
	{"/* a comment */", nil},
	{"/e?c/notes.txt", nil},
	{"/var/log/*.log", nil},
	{"/opt/g++/bin/*", nil},
	{"/etc/pass+wd$1", nil},
	{"/proc/*/status", nil},
	{"**/etc/passwd**", []string{"query", "json"}},
}

func TestObfuscatedPaths(t *testing.T) {
	checkPlaced(t, "cmdi", obfPathAttacks, 0.99, obfPathBenign, 0.75)
}

// TestObfuscatedPathShapes checks the bounds on what is literal: a
// pattern of wildcards alone has only a target's shape, less than an
// attack alone until a command reads it, and a listing glob counts for
// nothing.
func TestObfuscatedPathShapes(t *testing.T) {
	shapes := []familyCase{
		{"q", "/???/??????", 0.75},
		{"q", "/???/??", 0.75},
		{"q", "cat /???/??????", 0.99},
	}
	notAlone := []familyCase{
		{"q", "/???/??????", 0.99},
		{"q", "/???/??", 0.99},
		{"q", "cat /etc/*", 0.99},
		{"q", "/e*/*", 0},
		{"q", "/???/*", 0},
	}
	checkFamily(t, "cmdi", shapes, notAlone, 0.75)
}

// TestObfuscatedPathLinear checks that a long value of globbed words
// costs about what a value of prose of the same length does: a word is
// read once, its pattern is bounded, and the matcher backtracks to the
// last '*' only.
func TestObfuscatedPathLinear(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const size = 64 << 10
	fill := func(p string) string { return strings.Repeat(p, size/len(p)+1)[:size] }
	cost := func(v string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			detect(t, d, build(t, "body:text/plain", v))
			best = min(best, time.Since(start))
		}
		return best
	}
	prose := cost(fill("the quick brown fox jumps over the lazy dog, "))
	for _, p := range []string{"/*?", " /*?", " /e?c/x", " /e*c/*asswx", " /?*?*?*?*?*?*?*?*/?*?*?*?*?*?x", " /[a-z]", " /e$u"} {
		v := fill(p)
		if got := cost(v); got > 20*prose+50*time.Millisecond {
			t.Errorf("%q x %d: %v, prose %v", p, size/len(p), got, prose)
		}
	}
}

// A shell's "&&" or "||" between spaces in a URL path chains a command
// ("/ping/127.0.0.1 && ls /etc", its spaces escaped as the path needs);
// '&' and '|' in names, and "&&" in a title of words, do not.
func TestPathAndOrChain(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/ping/127.0.0.1%20&&%20ls%20/etc",
		"/cmd%3D127.0.0.1+%26%26+ls+%2Fetc",
		"/x/a%20&&%20id",
		"/lookup/example.com%20||%20cat%20/etc/hosts",
	} {
		if got, rules := best(t, d, "cmdi", "path", p); got < 0.99 {
			t.Errorf("path %q: cmdi %.3f, want >= 0.99 (%v)", p, got, rules)
		}
	}
	for _, p := range []string{
		"/wiki/read%20&&%20write",
		"/search/cats%20&&%20dogs",
		"/blog/find%20&&%20replace%20tips",
		"/tags/rock%20%26%26%20roll",
		"/docs/true%20||%20false",
		"/brands/A&&B/items",
		"/a||b/c",
	} {
		if got, rules := best(t, d, "cmdi", "path", p); got >= 0.5 {
			t.Errorf("benign path %q: cmdi %.3f, want < 0.5 (%v)", p, got, rules)
		}
	}
}
