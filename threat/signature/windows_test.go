package signature_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// A window of a long value keeps minPadding bytes of a run of one letter
// or digit at either end, cut by a multiple of 4 at the start (base64
// alignment); other runs and short runs are left as they are.
func TestTrimRuns(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct{ w, want string }{
		{a(5000) + " union select", a(64) + " union select"},
		{a(5001) + "x", a(65) + "x"}, // 4936 cut: 5001-64 rounded down to a multiple of 4
		{"x" + a(5000), "x" + a(64)},
		{a(3000) + "<script>" + strings.Repeat("7", 3000), a(64) + "<script>" + strings.Repeat("7", 64)},
		{a(127) + "x" + a(127), a(127) + "x" + a(127)}, // shorter than two minPadding: kept
		{strings.Repeat("/", 3000) + "x", strings.Repeat("/", 3000) + "x"},
		{strings.Repeat(".", 3000), strings.Repeat(".", 3000)},
		{"ab" + a(3000) + "cd", "ab" + a(3000) + "cd"}, // a run inside: kept
		{a(4000), a(64)},
		{"", ""},
	}
	for _, c := range cases {
		if got := signature.TrimRuns(c.w); got != c.want {
			t.Errorf("trimRuns(%d bytes %.12q…) = %d bytes %.12q…, want %d bytes %.12q…", len(c.w), c.w, len(got), got, len(c.want), c.want)
		}
	}
}

// paddingOf's whole: the value is one run of a letter or digit from end
// to end, and nothing else.
func TestPaddingOfWhole(t *testing.T) {
	cases := []struct {
		v     string
		whole bool
	}{
		{strings.Repeat("a", 65), true},
		{strings.Repeat("7", 70000), true},
		{strings.Repeat("a", 100) + " x", false},
		{"x" + strings.Repeat("a", 100), false},
		{strings.Repeat("a", 100) + strings.Repeat("b", 100), false},
		{strings.Repeat("/", 100), false},
		{strings.Repeat("a", 64), false}, // too short for a tail: afterPadding's bound
	}
	for _, c := range cases {
		if _, _, _, whole := signature.PaddingOf(c.v); whole != c.whole {
			t.Errorf("paddingOf(%d bytes %.10q…) whole = %v, want %v", len(c.v), c.v, whole, c.whole)
		}
	}
}

// A payload between kilobytes of padding on both sides, in a value longer
// than the window and at offsets around the windows' seams, is caught by
// its family in every place a value can be; base64 behind 'A's (zero
// bytes, whole base64 groups) too.
func TestPayloadBetweenPaddingInWindows(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	payloads := map[string]string{
		"sqli":      "' union select password from users--",
		"traversal": "../../../../etc/passwd",
		"xss":       "<script>alert(document.cookie)</script>",
		"cmdi":      ";cat /etc/passwd;",
	}
	for fam, p := range payloads {
		for _, before := range []int{200, 7000, 7168, 7200, 8150, 9000} {
			v := strings.Repeat("a", before) + " " + p + " " + strings.Repeat("b", 9000)
			for _, where := range []string{"q", "header:X-Note", "body:application/x-www-form-urlencoded"} {
				val := v
				if strings.HasPrefix(where, "body:") {
					val = "note=" + strings.ReplaceAll(v, "&", "%26")
				}
				sigs := detect(t, d, build(t, where, val))
				if !caughtBy(sigs, fam) {
					t.Errorf("%s after %d bytes of padding in %s: %v", fam, before, where, rulesOf(sigs))
				}
			}
		}
	}
	b64 := strings.Repeat("A", 9000) + base64.StdEncoding.EncodeToString([]byte("' union select password from users--"))
	if sigs := detect(t, d, build(t, "q", b64)); !caughtBy(sigs, "sqli") {
		t.Errorf("base64 after 9000 'A's: %v", rulesOf(sigs))
	}
}

func caughtBy(sigs []threat.Signal, fam string) bool {
	for _, s := range sigs {
		if strings.HasPrefix(s.Rule, fam+".") && s.Confidence >= 0.9 {
			return true
		}
	}
	return false
}
