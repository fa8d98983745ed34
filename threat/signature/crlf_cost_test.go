package signature

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
	"github.com/bulwarkhq/bulwark/internal/cputime"
)

// The CRLF family reads every byte for a line break, raw or encoded. A
// '%' is tested only against the encoded forms whose second byte follows
// it: against all two dozen of them, 64 KiB of '%' (a header, a JSON or
// XML value) cost 28 times 64 KiB of prose, and about four times after.
// The bound is loose (the VMs are noisy, and -race slows every run).
func TestSplittingReadsPercentRunsCheaply(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	run := func(v string) time.Duration {
		best := time.Duration(1 << 62)
		for range 7 {
			start := cputime.Thread()
			splitting(v)
			best = min(best, cputime.Thread()-start)
		}
		return best
	}
	const n = 64 << 10
	base := run(benchtext.Prose(n))
	for _, p := range []string{"%", "%%", "%c"} {
		d := run(strings.Repeat(p, n/len(p)))
		t.Logf("%q: %v, prose %v", p, d, base)
		if d > 12*base+time.Millisecond/2 {
			t.Errorf("%q repeated to 64 KiB: %v, prose %v", p, d, base)
		}
	}
}
