package signature_test

import "testing"

// TestXSSSlashHandler covers a handler written after a '/' inside an
// unquoted attribute value (gotestwaf's "<img/src=x/onerror=xxx"): the
// browser reads it as part of src, a filter that splits attributes at '/'
// reads a handler, and so does the probe's author. URLs whose segments
// start with "on" are no handler.
func TestXSSSlashHandler(t *testing.T) {
	attacks := []familyCase{
		{"q", "<img/src=x/onerror=xxx", 0.99},
		{"q", "<img src=x/onerror=xxx>", 0.99},
		{"q", "<IMG/SRC=x/OnLoad=foo>", 0.99},
		{"path", "/<img/src=x/onerror=xxx", 0.99},
	}
	benign := []familyCase{
		{"q", "<a href=http://x.example/online=yes>x</a>", 0},
		{"q", "<a href=/x/onion=1>onions</a>", 0},
		{"q", "<img src=/img/onload.png>", 0},
		{"q", "<a href=/docs/onerror>the onerror handler</a>", 0},
	}
	checkFamily(t, "xss", attacks, benign, 0.9)
}
