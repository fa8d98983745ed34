package signature

import (
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// Every URL of the CRS ssrf list, and every name of its ssrf-no-scheme
// list with a path, is found on its own.
func TestSSRFFindsTheCRSLists(t *testing.T) {
	check := func(v string) {
		t.Helper()
		in := input{src: threat.SourceQuery, name: "url", value: v}
		in.m = classify(v)
		var seen rules
		best := 0.0
		sigs, _ := scanSSRF(&in, &seen, nil)
		for _, s := range sigs {
			best = max(best, s.Confidence)
		}
		if best < 0.95 {
			t.Errorf("%q: best ssrf confidence %.2f, want >= 0.95 (%v)", v, best, sigs)
		}
	}
	for _, e := range crsList("ssrf") {
		if strings.Contains(e, "nicob.net") {
			continue // a public redirector: what it redirects to is not in the URL's host
		}
		check(e)
	}
	for _, e := range crsList("ssrf-no-scheme") {
		check(e + "admin")
	}
}
