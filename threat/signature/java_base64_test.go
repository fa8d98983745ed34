package signature_test

import (
	"encoding/base64"
	"testing"
)

// A gadget's name in base64, at any of the three alignments, in every
// place of a request (the CRS's 944300 tests), and a serialised object's
// class names in a stream that does not open with the magic; base64 of
// ordinary text, tokens and words is not.
func TestJavaBase64Names(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	// a stream cut one byte in: "rO0AB" is gone, the class names are not
	stream := base64.StdEncoding.EncodeToString([]byte("\x05sr\x00:org.apache.commons.collections.functors.InvokerTransformer\x87\xe8\xffk{|\xce8\x02"))
	checkFamily(t, "code", []familyCase{
		{form, "test=cHJvY2Vzc2J1aWxkZXI", 0.99},
		{form, "HByb2Nlc3NidWlsZGVy=test", 0.99},
		{"header:Cookie", "test=Bwcm9jZXNzYnVpbGRlcg", 0.99},
		{"header:X-Test", "aW52b2tlcnRyYW5zZm9ybWVy", 0.99},
		{"body:application/json", `{"test": "Zm9yY2xvc3VyZQ"}`, 0.99},
		{"body:application/xml", `<?xml version="1.0"?><xml><element attribute_name="d2hpbGVjbG9zdXJl">v</element></xml>`, 0.99},
		{"q", stream, 0.99},
		{"q", base64.URLEncoding.EncodeToString([]byte("xx.TemplatesImpl")), 0.99},
	}, []familyCase{
		{"q", base64.StdEncoding.EncodeToString([]byte(`{"runtime": "python3.12", "handler": "app.main"}`)), 0},
		{"q", base64.StdEncoding.EncodeToString([]byte("The process builder of the new plant was late.")), 0},
		{"header:Cookie", "session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", 0},
		{"q", "cnVudGltZQ", 0}, // "runtime": a word
		{"q", "transformer", 0},
	}, 0.9)
}
