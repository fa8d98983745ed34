package signature

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// The path, command and SSRF families stay linear in the length of a
// value however its separators, quotes, backticks and dots repeat: an 8
// KiB window of any one pattern costs at most a small multiple of an 8
// KiB window of prose.
func TestFamiliesStayLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	run := func(v string) time.Duration {
		in := input{src: threat.SourceQuery, name: "q", value: v, raw: v}
		in.m = classify(v)
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			for range 10 {
				var seen [3]rules
				scanTraversal(&in, &seen[0], nil)
				scanCommand(&in, &seen[1], nil)
				scanSSRF(&in, &seen[2], nil)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	const n = 8 << 10
	fill := func(p string) string { return strings.Repeat(p, n/len(p)+1)[:n] }
	base := run(fill("The quick brown fox jumps over the lazy dog; then it rests. "))
	for _, p := range []string{"`id` ", "`id`", ";id", "|id|", "$(id)", "../", "..%2f", "%25", "%%32%65", "\xc0\xae",
		"a'b'", "c'a't ", "{cat,", "${IFS}", "http://a@b@c/", "/etc/passwd ", "./", "&&", "\n", "w\\h", "/???/??t ",
		"%c0%qf", "....", "0x2e", "{", "${a:0:1}"} {
		d := run(fill(p))
		t.Logf("%q: %v (prose %v)", p, d, base)
		if d > 40*base+10*time.Millisecond {
			t.Errorf("%q repeated to 8 KiB: %v, prose %v", p, d, base)
		}
	}
}
