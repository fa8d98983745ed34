package signature_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// A weak match of a rule early in a request does not shadow a certain
// match of the same rule after it: the request's signal for the rule is
// the stronger, and there is one signal a rule.
func TestWeakMatchDoesNotShadow(t *testing.T) {
	d := newDetector(t)
	for _, order := range [][2]string{
		{"see javascript:void", "javascript:alert(document.domain)"},
		{"javascript:alert(document.domain)", "see javascript:void"},
	} {
		q := "a=" + url.QueryEscape(order[0]) + "&b=" + url.QueryEscape(order[1])
		req := threat.NewRequest(httptest.NewRequest("GET", "/notes?"+q, nil), "c", "", threat.Limits{})
		var uri []threat.Signal
		for _, s := range d.Detect(req, nil) {
			if s.Rule == "xss.uri" {
				uri = append(uri, s)
			}
		}
		if len(uri) != 1 || uri[0].Confidence < 0.99 {
			t.Errorf("%q then %q: xss.uri signals %+v, want one at 0.99", order[0], order[1], uri)
		}
	}
}
