package signature

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/cputime"
	"github.com/bulwarkhq/bulwark/threat"
)

// The path, command and SSRF families stay linear in the length of a
// value however its separators, quotes, backticks and dots repeat: 32 KiB
// of any one pattern costs about four times 8 KiB of it (a quadratic
// reading would cost sixteen), and 8 KiB of a pattern at most a bounded
// multiple of 8 KiB of prose. The bounds are generous (the VMs are noisy,
// and -race slows every run): they catch a reading that is quadratic,
// not one that is a little slower.
func TestFamiliesStayLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	// the thread's CPU time, not the clock: a loaded machine (go test
	// ./... runs packages side by side) took turns from the longer runs
	// more than from the shorter ones
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	run := func(v string) time.Duration {
		in := input{src: threat.SourceQuery, name: "q", value: v, raw: v}
		in.m = classify(v)
		best := time.Duration(1 << 62)
		for range 5 {
			start := cputime.Thread()
			for range 10 {
				var seen [3]rules
				scanTraversal(&in, &seen[0], nil)
				scanCommand(&in, &seen[1], nil)
				scanSSRF(&in, &seen[2], nil)
			}
			best = min(best, cputime.Thread()-start)
		}
		return best
	}
	const n = 8 << 10
	fill := func(p string, n int) string { return strings.Repeat(p, n/len(p)+1)[:n] }
	base := run(fill("The quick brown fox jumps over the lazy dog; then it rests. ", n))
	for _, p := range []string{"`id` ", "`id`", ";id", "|id|", "$(id)", "../", "..%2f", "%25", "%%32%65", "\xc0\xae",
		"a'b'", "c'a't ", "{cat,", "${IFS}", "http://a@b@c/", "/etc/passwd ", "./", "&&", "\n", "w\\h", "/???/??t ",
		"%c0%qf", "....", "0x2e", "{", "${a:0:1}"} {
		d, d4 := run(fill(p, n)), run(fill(p, 4*n))
		t.Logf("%q: %v, at four times the length %v (prose %v)", p, d, d4, base)
		if d4 > 8*d+5*time.Millisecond {
			t.Errorf("%q repeated to 32 KiB: %v, to 8 KiB %v: more than linear", p, d4, d)
		}
		if d > 100*base+20*time.Millisecond {
			t.Errorf("%q repeated to 8 KiB: %v, prose %v", p, d, base)
		}
	}
}
