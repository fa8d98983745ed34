package signature_test

import "testing"

// TestCRLFMailCommandOpensValue: a value that opens with a line break and
// then a bare SMTP command ("\r\nQUIT\r\n", gotestwaf's mail injection,
// plain or in base64) ends the server's own command and starts the
// sender's; the same word on a line of a note is weighed as before.
func TestCRLFMailCommandOpensValue(t *testing.T) {
	checkFamily(t, "crlf", []familyCase{
		{"q", "\r\nQUIT\r\n", 0.99},
		{"q", "\nRSET\n", 0.99},
		{"q", "\r\nDATA\r\nSubject: x", 0.99},
		{"q", "DQpRVUlUDQo", 0.99}, // base64 of "\r\nQUIT\r\n"
		{"path", "/DQpRVUlUDQo", 0.99},
	}, []familyCase{
		{"q", "Commands:\r\nQUIT\r\nexits the program", 0.95},
		{"q", "notes\r\n\r\nQUIT\r\nthe program", 0.95},
		{"q", "QUIT", 0},
		{"q", "\r\nQuit smoking\r\n", 0},
	}, 0.9)
}
