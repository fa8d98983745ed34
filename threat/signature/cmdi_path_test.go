package signature_test

import "testing"

// Commands in a URL path's segments (the CRS's 932235, 932340, 932280,
// 932330, 932270 path tests): a ';' that opens a segment and a name no
// English word is, and a segment that is a shell expansion. Matrix
// parameters, a user's home folder and CSS-like segments are not.
func TestCommandsInPathSegments(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"path", "/path/with/;adduser%20pawnd", 0.99},
		{"path", "/path/with/;dmesg", 0.99},
		{"path", "/path/with/%7Bid,%7D", 0.99},
		{"path", "/path/with/!-1!-2", 0.99},
		{"path", "/path/with/~-1", 0.99},
	}, []familyCase{
		{"path", "/shop/item;jsessionid=ABC123", 0},
		{"path", "/a/b;v=1.2/c", 0},
		{"path", "/~john/index.html", 0},
		{"path", "/a/!important/b", 0},
		{"path", "/a/%7Ba,b%7D/c", 0},
		{"path", "/news/~2/x", 0},
		{"path", "/docs/;about", 0},
	}, 0.9)
}
