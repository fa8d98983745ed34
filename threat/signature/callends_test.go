package signature

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkCallEnds asks callEnds, with its table from the first call, for
// the end of every '(' of lo in order (as phpCall does) and compares each
// with callEnd's scan from it.
func checkCallEnds(t *testing.T, lo []byte) {
	t.Helper()
	e := callEnds{known: make([]uint16, len(lo))}
	for p := 0; p < len(lo); p++ {
		if lo[p] != '(' {
			continue
		}
		if got, want := e.at(lo, p), callEnd(lo, p); got != want {
			t.Fatalf("call at %d of %q: callEnds %d, callEnd %d", p, lo, got, want)
		}
	}
}

// callPieces are what the generated values are made of: calls, closes,
// the three quotes, and runs long enough to put ends past callWindow.
var callPieces = []string{"(", ")", "'", `"`, "`", "eval(", "a", " ", "('", `("`, "(`", "x)", "');",
	strings.Repeat("b", 100), strings.Repeat("(", 7), strings.Repeat(")", 5)}

func callValue(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(callPieces[r.IntN(len(callPieces))])
	}
	return b.Bytes()
}

// callEnds's table gives the ends callEnd's scans give, on values of
// calls nested, closed, unclosed, quoted and longer than the window.
func TestCallEndsMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		checkCallEnds(t, callValue(r, 1+r.IntN(3000)))
	}
	for _, p := range []string{"eval(", "eval('", `eval("`, "('(\"(`", "(a)(", "((()", "(')", "(x'"} {
		checkCallEnds(t, bytes.Repeat([]byte(p), 4000/len(p)))
	}
}

// A value of calls that never close costs callEnds a few reads a byte,
// not callWindow reads a call.
func TestCallEndsReadsLinearly(t *testing.T) {
	for _, p := range []string{"eval(", "eval('", "('(\"(`(", "(a'"} {
		lo := bytes.Repeat([]byte(p), 8192/len(p))
		e := callEnds{known: make([]uint16, len(lo))}
		scans := 0
		for i, c := range lo {
			if c != '(' {
				continue
			}
			if e.known[i] == 0 {
				scans++
			}
			e.at(lo, i)
		}
		// every scan starts at a call no earlier scan met outside quotes:
		// a handful for a repeated pattern (one a quoting state), where
		// callEnd scans once a call
		t.Logf("%q: %d scans", p, scans)
		if calls := bytes.Count(lo, []byte("(")); scans > 8 {
			t.Errorf("%q repeated: %d scans for %d calls", p, scans, calls)
		}
	}
}

func FuzzCallEnds(f *testing.F) {
	f.Add([]byte("eval(eval('x')(system('id'));"))
	f.Add(bytes.Repeat([]byte("eval('"), 200))
	f.Fuzz(func(t *testing.T, lo []byte) {
		checkCallEnds(t, lo)
	})
}
