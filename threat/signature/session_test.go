package signature_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Session identifiers in links: the CRS's session-fixation requests
// (943110, 943120) and the same links sent from the site's own pages.
func TestSessionFixation(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target, host, referer string
		want                  bool
	}{
		// another site, or no page at all, hands out the session
		{"/login.php?jsessionid=74B0CB414BD77D17B5680A6386EF1666", "localhost", "http://www.attackersite.com/test", true},
		{"/?phpsessid=asdfdasfadsads", "localhost", "https://localhost.attackersite.com/", true},
		{"/?PHPSESSID=asdfdasfadsads", "localhost", "https://attackersite.com/", true},
		{"/get/login.php?jsessionid=74B0CB414BD77D17B5680A6386EF1666", "localhost", "", true},
		{"/?ASPSESSIONIDQQGGGNCG=LKJHGFDSA&page=1", "shop.example", "", true},
		{"/?ASP.NET_SessionId=x1y2z3&page=1", "shop.example", "", true},
		{"/index.cfm?CFID=1234&CFTOKEN=5678", "shop.example", "http://evil.example/", true},
		{"/x?jsessionid=74B0", "localhost", "http", true},                           // no page's address
		{"/x?jsessionid=74B0", "example.com", "https://example.com.evil.io/", true}, // a look-alike
		// the site's own pages, which may rewrite links with the session
		{"/login.php?jsessionid=74B0CB414BD77D17B5680A6386EF1666", "localhost", "http://localhost/test", false},
		{"/x?jsessionid=74B0", "example.com", "https://www.example.com:8443/a", false},
		{"/x?jsessionid=74B0", "shop.example.com:443", "https://example.com/a", false},
		{"/x?jsessionid=74B0", "[::1]:8080", "http://[::1]/", false},
		// generic names are ordinary API parameters; an empty value fixes nothing
		{"/success?session_id=cs_test_a1b2c3", "shop.example.com", "https://checkout.stripe.com/", false},
		{"/x?session-id=1", "shop.example.com", "", false},
		{"/x?jsessionid=", "localhost", "", false},
		{"/x?myjsessionid=1&sessionid=2", "localhost", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		r.Host = tt.host
		if tt.referer != "" {
			r.Header.Set("Referer", tt.referer)
		}
		got := slices.Contains(rulesOf(detect(t, d, r)), "session.fixation")
		if got != tt.want {
			t.Errorf("%s (Host %s, Referer %q): session.fixation %v, want %v", tt.target, tt.host, tt.referer, got, tt.want)
		}
	}
	// in a form body too
	r := httptest.NewRequest("POST", "/login", strings.NewReader("user=a&PHPSESSID=fixed123"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !slices.Contains(rulesOf(detect(t, d, r)), "session.fixation") {
		t.Error("form PHPSESSID without Referer: no session.fixation")
	}
}
