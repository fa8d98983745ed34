package signature_test

import "testing"

// Commands in a URL path's segments (the CRS's 932235, 932340, 932280,
// 932330, 932270 and 932140 path tests): a ';' that opens a segment and a
// name no English word is, a segment that is a shell expansion, and
// cmd.exe's IF and FOR after a '/'. Matrix
// parameters, a user's home folder and CSS-like segments are not.
func TestCommandsInPathSegments(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"path", "/path/with/;adduser%20pawnd", 0.99},
		{"path", "/path/with/;dmesg", 0.99},
		{"path", "/path/with/%7Bid,%7D", 0.99},
		{"path", "/path/with/!-1!-2", 0.99},
		{"path", "/path/with/~-1", 0.99},
		{"path", "/path/with/if%20exist%20StorageServer.port%20echo%20yay", 0.99},
		{"path", "/for%20%25i%20in%20(x)%20do%20echo", 0.99},
	}, []familyCase{
		{"path", "/docs/if%20you%20like/it", 0},
		{"path", "/for%20sale/in%20(paris)/do%20visit", 0},
		{"path", "/shop/item;jsessionid=ABC123", 0},
		{"path", "/a/b;v=1.2/c", 0},
		{"path", "/~john/index.html", 0},
		{"path", "/a/!important/b", 0},
		{"path", "/a/%7Ba,b%7D/c", 0},
		{"path", "/news/~2/x", 0},
		{"path", "/docs/;about", 0},
	}, 0.9)
}
