package signature_test

import (
	"encoding/base64"
	"testing"
)

// Mail commands and response splitting sent base64-encoded: the decoded
// text's carriage returns make it text an attack could be made of.
func TestCRLFInBase64(t *testing.T) {
	b64 := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	checkFamily(t, "crlf", []familyCase{
		{"q", b64("\r\nV100 CAPABILITY\r\nV101 FETCH 4791"), 0.99},
		{"q", b64("\r\nQUIT\r\n"), 0.9},
		{"q", b64("x\r\nSet-Cookie: session=evil"), 0.9},
	}, []familyCase{
		{"q", b64("Dear team,\r\nthe report is attached.\r\nRegards"), 0},
	}, 0.8)
}
