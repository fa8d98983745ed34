package signature

import (
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// FuzzEatenSpec holds eatenSpec, the gate that spares most raw forms a
// second reading, to what it stands for: a value whose '%' are escaped
// once ("%2508x" for "%08x", as a client sends a probe in a query) and
// whose probe the view's repeated decoding destroys must pass it, when the
// value's classes let formatProbes ask it at all.
func FuzzEatenSpec(f *testing.F) {
	for _, s := range []string{"%08x.%08x.%08x.%08x", "AAAA%10$n", "%0d.%0d.%0d.%0d", "%08.8x.%08.8x.%08.8x.%08.8x",
		"%1d.%1d.%1d.%1d", "%x%x%x%x", "%64x.%64x.%64x.%64x", "%10$hn", "%99$n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// printable ASCII without '+': the value's decoder changes
		// nothing else of it (a NUL it drops ends a C format anyway),
		// and '+' is a space in a query
		if len(s) > 200 || strings.ContainsAny(s, "+&\\") {
			return
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				return
			}
		}
		if l := strings.ToLower(s); strings.Contains(l, "%c0") || strings.Contains(l, "%c1") {
			return // an overlong lead: the decoder reads IIS's letters for hex after it
		}
		raw := strings.ReplaceAll(s, "%", "%25")
		if decode.Percent(raw, false) != s {
			return
		}
		v := decode.Value(raw, false)
		m := classify(v)
		if m&(cDot|cDollar) == 0 || m&(cCtl|cHigh|cDollar) == 0 {
			return // formatProbes does not read the raw form of such a value
		}
		if _, _, ok := formatProbe(s); !ok {
			return
		}
		if _, _, ok := formatProbe(v); ok {
			return
		}
		if !eatenSpec(raw, "%25") {
			t.Fatalf("%q (raw %q, value %q): a probe the decoding spoils, and eatenSpec passes it by", s, raw, v)
		}
		if !eatenSpec(s, "%") {
			t.Fatalf("%q: a probe the decoding spoils, and eatenSpec(%%) passes it by", s)
		}
	})
}

// FuzzAppendExcerpt holds appendExcerpt's eight-byte copy of printable
// bytes to the byte-at-a-time mapping it stands for.
func FuzzAppendExcerpt(f *testing.F) {
	f.Add("GET /index.php?id=1' OR '1'='1 HTTP/1.1", 5, 20, 48)
	f.Add("\x00\x1f\x7f\x80 abcdefgh~~~~~~~~ ijklmnop\xff", 0, 40, 48)
	f.Fuzz(func(t *testing.T, s string, i, j, n int) {
		if n < 0 || n > 256 {
			return
		}
		got := string(appendExcerpt([]byte("x"), s, i, j, n))
		// the reference: the window appendExcerpt picks, mapped one byte
		// at a time
		i0 := min(max(i, 0), len(s))
		j0 := max(min(j, len(s)), i0)
		if j0-i0 < n {
			i0 = max(i0-(n-(j0-i0))/2, 0)
			j0 = min(i0+n, len(s))
		} else {
			j0 = i0 + n
		}
		ref := []byte("x")
		for k := i0; k < j0; k++ {
			ref = append(ref, excerptByte[s[k]])
		}
		if got != string(ref) {
			t.Fatalf("appendExcerpt(%q, %d, %d, %d) = %q, want %q", s, i, j, n, got, ref)
		}
	})
}
