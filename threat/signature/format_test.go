package signature_test

import (
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Format-string probes (CWE-134): OWASP's "Format string attack" page,
// SecLists' FormatString-Jhaddix and UnixAttacks lists, the exploit
// write-ups' dotted stack dumps and positional writes. "q" URL-encodes
// the value once, as a client does: "%08x" goes as "%2508x", which the
// view's repeated decoding would turn into a control byte. (A width
// from 0x20 to 0x7f that the decoder reads as an escape, "%2564x." in a
// query or "%64x." in JSON, becomes a letter or a digit and is not looked
// for in the raw form: formatProbes.)
var formatAttacks = []familyCase{
	{"q", "%x%x%x%x", 0.99},
	{"q", "%s%s%s%s%s%s%s%s%s%s", 0.99},
	{"q", "%n%n%n%n%n", 0.99},
	{"q", "%p%p%p%p%p%p%p%p", 0.99},
	{"q", "%d%d%d%d%d%d", 0.99},
	{"q", "%u%u%u%u", 0.99},
	{"q", "%s%p%x%d", 0.99},
	{"q", "XXXXX%x%x%x%x%x", 0.99},
	{"q", "%08x.%08x.%08x.%08x.%08x", 0.99},
	{"q", "%.8x.%.8x.%.8x.%.8x", 0.99},
	{"q", "%.64x.%.64x.%.64x.%.64x", 0.99},
	{"q", "ABCD|%8.8x|%8.8x|%8.8x|%8.8x|%8.8x|", 0.99}, // SecLists' UnixAttacks
	{"q", "%99$n", 0.99},
	{"q", "AAAA%10$n", 0.99},
	{"q", "\x10\x01\x48\x08%6$hn", 0.99},
	{"path", "/search?q=%x%x%x%x%x%x", 0.99}, // invalid escapes, kept as they came
	{"header:X-Api-Version", "%s%s%s%s%s%s", 0.99},
	{"ua", "Mozilla/5.0 %n%n%n%n", 0.99},
	{"body:application/json", `{"name":"%08x.%08x.%08x.%08x"}`, 0.99},
	{"body:application/json", `{"name":"AAAA%12$n"}`, 0.99},
	{"body:application/json", `{"name":"%10x.%10x.%10x.%10x"}`, 0.99},
	{"body:application/x-www-form-urlencoded", "user=%25x%25x%25x%25x%25x&pass=x", 0.99},
	{"body:application/x-www-form-urlencoded", "user=%2508x.%2508x.%2508x.%2508x&pass=x", 0.99},
}

// Conversions in what people write: SQL and log templates, date formats,
// printf calls that pad their fields, percentages, and URL escapes.
var formatBenign = []familyCase{
	{"q", "INSERT INTO t VALUES (%s, %s, %s, %s)", 0},
	{"q", `printf("%d %d %d %d\n", a, b, c, d);`, 0},
	{"q", `sprintf(buf, "%02x%02x%02x%02x%02x%02x", mac[0], mac[1])`, 0},
	{"q", "uuid %08x-%04x-%04x-%04x-%012x", 0},
	{"q", "%Y-%m-%d %H:%M:%S", 0},
	{"q", "%d.%m.%Y", 0},
	{"q", "date +%Y%m%d%H%M%S", 0},
	{"q", "50% off, 20% more, 10%% extra", 0},
	{"q", "100%25 cotton", 0},
	{"q", "%s|%s|%s|%s", 0},
	{"q", "%8s|%8s|%d", 0},
	{"q", "%5.2f|%s|%5.2f|%s", 0},
	{"q", "%x %x %x %x", 0},
	{"q", "I got 3 %s and 2 %d in the template", 0},
	{"q", "%.2f%%", 0},
	{"q", "%1$s and %2$s", 0},
	{"body:application/json", `{"fmt":"%-10s%-10s%8.2f"}`, 0},
	{"path", "/search?q=caf%C3%A9%20au%20lait%20100%25", 0},
}

func TestFormatStringProbes(t *testing.T) {
	checkFamily(t, "traversal", formatAttacks, formatBenign, 0.9)
}

// FuzzFormatProbe: what formatProbe reports lies in the value and
// covers a conversion, whatever the value.
func FuzzFormatProbe(f *testing.F) {
	for _, c := range formatAttacks {
		f.Add(c.value)
	}
	for _, c := range formatBenign {
		f.Add(c.value)
	}
	f.Add("%")
	f.Add("%1234567890123$n")
	f.Add("%.%.%.%")
	f.Add("%-+ #0-+ #0-+ #0x%x%x%x")
	f.Fuzz(func(t *testing.T, v string) {
		i, j, ok := signature.FormatProbe(v)
		if !ok {
			if i != -1 || j != -1 {
				t.Fatalf("%q: no probe, but %d:%d", v, i, j)
			}
			return
		}
		if i < 0 || j > len(v) || i >= j || v[i] != '%' {
			t.Fatalf("%q: probe at %d:%d", v, i, j)
		}
	})
}
