package signature_test

import "testing"

// Remote file inclusion: a URL value ending in the '?' that swallows the
// extension a server appends, or naming a script on a host given by its
// IP address. Public samples: the OWASP CRS regression tests of its rules
// 931100 and 931120 (Apache-2.0).
var rfiAttacks = []placedCase{
	{"https://foo.bar?", nil},
	{"http://evil.example/shell.txt?", nil},
	{"http://66.240.183.75/crash.php", nil},
	{"http://1.2.3.4/x.php?a=b", nil},
	{"ftp://10.1.1.1:21/inc.txt", nil},
	// the NUL after the '?' that ends the path for C, and a URL in the
	// quotes of the string it breaks into (Nessus's probes, Fwaf's
	// corpus)
	{"http://192.168.202.118:8080/ghl9il?\x00", nil},
	{"'http://192.168.202.118:8080/zz5thkvtmlgl?'", nil},
}

// rfiBenign are links people share.
var rfiBenign = []placedCase{
	{"see https://example.com/page? for more", nil},
	{"http://93.184.216.34/", nil},
	{"https://example.com/a.php", nil},
	{"https://example.com/search?q=shoes", nil},
	{"http://93.184.216.34/index.html", nil},
	{"'https://example.com/page?/'", nil},
	{"\"see https://example.com/faq?\"", nil},
}

// Headers carry URLs of their own (Referer, Origin, Link): the family
// reads remote inclusion in parameters and bodies.
var rfiPlaces = []string{"query", "form", "json", "cookie"}

func TestRemoteIncludeURLs(t *testing.T) {
	for k := range rfiAttacks {
		rfiAttacks[k].places = rfiPlaces
	}
	checkPlaced(t, "traversal", rfiAttacks, 0.99, rfiBenign, 0.75)
}
