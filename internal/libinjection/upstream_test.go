package libinjection

import (
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	upstream "github.com/corazawaf/libinjection-go"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
)

// upstreamTests returns the module's test-suite directory (the module's
// zip holds it; the go command knows where it is unpacked).
func upstreamTests(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/corazawaf/libinjection-go").Output()
	if err != nil {
		tb.Fatalf("go list the libinjection-go module: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "tests")
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("the module's test suite: %v", err)
	}
	return dir
}

// suiteInputs returns the inputs of the module's SQL test files.
func suiteInputs(tb testing.TB) []string {
	dir := upstreamTests(tb)
	files, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var in []string
	for _, f := range files {
		if n := f.Name(); strings.Contains(n, "-sqli-") || strings.Contains(n, "-folding-") || strings.Contains(n, "-tokens") {
			in = append(in, readTestData(filepath.Join(dir, n))[sectionInput])
		}
	}
	if len(in) < 400 {
		tb.Fatalf("%d inputs in the module's suite, want its 400 and more", len(in))
	}
	return in
}

// tricky inputs: words that only strings.ToUpper's Unicode mapping makes
// keywords, phrases across the tokenSize bound, prose.
var tricky = []string{
	"1 unıon select 2", "ſelect * from users", "1' ᴜnion select", "1 UNİON SELECT",
	"x' or 'a'='a", "admin'--", "1 or 1=1", "1) union all select null--",
	"it's a nice day, isn't it? (yes) -- Bob",
	"try as three", "cats and (dogs or birds)", "1 union", "1 -- sp_password",
	"select " + strings.Repeat("a", 31) + " from t", "a " + strings.Repeat("b", 40) + " union select",
	"group by 1--", "1 order by 3#", "\\N union select", "\\n union select",
	"Q'{x}' or 1=1", "q'<x>' or 1", "1e1 union select", "0x4142 union select",
	"é union select 1", "\xff\xfe union select", "char(0x41) like 'a'", "not between 1 and 2",
}

func same(t *testing.T, s string) {
	t.Helper()
	gotOK, gotFP := IsSQLi(s)
	wantOK, wantFP := upstream.IsSQLi(s)
	if gotOK != wantOK || gotFP != wantFP {
		t.Errorf("IsSQLi(%q) = (%v, %q); the module says (%v, %q)", s, gotOK, gotFP, wantOK, wantFP)
	}
}

// TestMatchesUpstream compares every answer with the module's on its test
// suite's inputs, on each as lower and upper case, behind prose and cut
// short, and on prose windows as the signature detector sends them.
func TestMatchesUpstream(t *testing.T) {
	in := append(suiteInputs(t), tricky...)
	for _, s := range in {
		same(t, s)
		same(t, strings.ToLower(s))
		same(t, strings.ToUpper(s))
		same(t, "the words of a sentence "+s)
		same(t, s+" -- Olaf Kirch")
		for n := 1; n < len(s) && n < 48; n += 3 {
			same(t, s[:n])
		}
	}
	text := benchtext.Prose(64 << 10)
	for i := 0; i+1024 <= len(text); i += 97 {
		same(t, text[i:i+1024])
	}
}

// TestFingerprintOutlivesState checks that a returned fingerprint is not
// the state's buffer, which the next call overwrites.
func TestFingerprintOutlivesState(t *testing.T) {
	_, fp := IsSQLi("1 union select 1,2,3--")
	want := fp
	for range 100 {
		IsSQLi("admin'--")
		IsSQLi("x' or 'a'='a")
	}
	if fp != want || fp == "" {
		t.Fatalf("fingerprint changed from %q to %q", want, fp)
	}
}

func FuzzMatchesUpstream(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		same(t, s)
	})
}

// proseWindows are 1 KiB windows of the benchmarks' prose, as the
// signature detector sends them.
func proseWindows() []string {
	text := benchtext.Prose(256 << 10)
	var w []string
	for i := 0; i+1024 <= len(text); i += 1021 {
		w = append(w, text[i:i+1024])
	}
	return w
}

// BenchmarkIsSQLiProse compares this copy with the module on prose
// (run with -benchmem; benchstat the two sub-benchmarks' ratio).
func BenchmarkIsSQLiProse(b *testing.B) {
	ws := proseWindows()
	for _, c := range []struct {
		name string
		fn   func(string) (bool, string)
	}{{"copy", IsSQLi}, {"module", upstream.IsSQLi}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for i := range b.N {
				if ok, _ := c.fn(ws[i%len(ws)]); ok {
					n++
				}
			}
			_ = n
		})
	}
}

// TestKeyFilter checks that keyFilter passes every key searchKeyword can
// find (upper-case ASCII keys of sqlKeywords) and stops most words of
// prose before the map: a filter that passed everything would cost
// without saving.
func TestKeyFilter(t *testing.T) {
	set := 0
	for _, w := range keyFilter {
		set += bits.OnesCount64(w)
	}
	if frac := float64(set) / float64(len(keyFilter)*64); frac > 0.25 {
		t.Errorf("keyFilter has %.2f of its bits set", frac)
	}
	for k := range sqlKeywords {
		if n := len(k); n > 0 && !mayBeKey(k[0], k[n/2], k[n-1], n) {
			t.Errorf("key %q does not pass the filter", k)
		}
	}
	words, stopped := 0, 0
	for _, w := range strings.Fields(benchtext.Prose(64 << 10)) {
		w = strings.Trim(w, ".,;:!?\"'()")
		if w == "" || len(w) > tokenSize {
			continue
		}
		words++
		up, n := strings.ToUpper(w), len(w)
		if !mayBeKey(up[0], up[n/2], up[n-1], n) {
			stopped++
			if _, ok := sqlKeywords[up]; ok {
				t.Errorf("%q is a key, and the filter stopped it", w)
			}
		}
	}
	if words == 0 || float64(stopped)/float64(words) < 0.5 {
		t.Errorf("the filter stopped %d of %d words of prose", stopped, words)
	}
	t.Logf("%d of %d filter bits set; %d of %d words of prose stopped", set, len(keyFilter)*64, stopped, words)
}
