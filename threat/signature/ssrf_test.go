package signature_test

import "testing"

// Public payloads: PayloadsAllTheThings (SSRF, its localhost and cloud
// metadata bypasses), PortSwigger's SSRF labs and URL validation bypass
// cheat sheet, HackTricks (URL format bypass), the cloud providers'
// metadata documentation.
var ssrfAttacks = []placedCase{
	{"http://169.254.169.254/latest/meta-data/iam/security-credentials/", nil},
	{"http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", nil},
	{"http://169.254.169.254/metadata/instance?api-version=2021-02-01", nil},
	{"http://100.100.100.200/latest/meta-data/", nil},
	{"http://[fd00:ec2::254]/latest/meta-data/", nil},
	{"http://169.254.169.254.nip.io/latest/", nil},
	{"http://127.0.0.1:6379/", nil},
	{"http://localhost/admin", nil},
	{"http://127.1/", nil},
	{"http://0/", nil},
	{"http://0.0.0.0:8080/", nil},
	{"http://[::1]/", nil},
	{"http://[::]:80/", nil},
	{"http://[0000::1]/", nil},
	{"http://[::ffff:127.0.0.1]/", nil},
	{"http://[0:0:0:0:0:ffff:7f00:1]/", nil},
	{"http://2130706433/", nil},
	{"http://0x7f000001/", nil},
	{"http://0x7f.1/", nil},
	{"http://7147006462/", nil},         // 2^32 + 169.254.169.254: parsers that keep the low 32 bits (CRS 934120)
	{"http://0x41414141A9FEA9FE/", nil}, // the same in hex, its high bits filler
	{"http://6425673729/", nil},         // 2^32 + 127.0.0.1
	{"http://0177.0.0.1/", nil},
	{"http://017700000001/", nil},
	{"http://127.0.0.1.nip.io/", nil},
	// a wildcard DNS name spelling an internal address in its last labels
	// or dashes, whatever labels come first
	{"customer1.app.localhost.my.company.127.0.0.1.nip.io", []string{"query", "form", "json", "cookie"}}, // a header needs a scheme
	{"http://magic-10-0-0-5.sslip.io/admin", nil},
	{"http://spoofed.burpcollaborator.net/", nil},
	{"http://localtest.me/", nil},
	{"http://①②⑦.⓪.⓪.①/", nil},
	{"http://169。254。169。254/", nil},
	{"http://expected.example@127.0.0.1/", nil},
	{"http://127.0.0.1#@expected.example/", nil},
	{"http://expected.example#@127.0.0.1/", nil},
	{"http://127.0.0.1\\@expected.example/", nil},
	// a scheme of digits, which parsers that do not check read as one
	{"0://127.0.0.1:80;http://expected.example:80/", nil},
	// a port that does not parse: a parser that stops at the first ':'
	// reads the loopback before it (SecLists' SSRF list, after Orange
	// Tsai's "A New Era of SSRF")
	{"http://127.1.1.1:80:\\@@127.2.2.2:80/", nil},
	{"http://localhost:8080:/admin", nil},
	{"gopher://127.0.0.1:6379/_FLUSHALL", nil},
	{"dict://127.0.0.1:11211/stat", nil},
	{"jar:http://127.0.0.1!/", nil},
	{"netdoc:///etc/passwd", nil},
	{"ldap://127.0.0.1:389/%0astats%0aquit", nil},
	{"tftp://attacker.example:69/x", nil},
	{"http:127.0.0.1", nil},
	{"//169.254.169.254/latest/user-data", nil},
	{"http://x.oastify.com/", nil},
	{"http://kubernetes.default.svc.cluster.local/api", nil},
	{"http://host.docker.internal:2375/containers/json", nil},
}

var ssrfBenign = []placedCase{
	{"https://www.example.com/products?id=42&ref=home", nil},
	{"https://cdn.example.org/img/logo.png", nil},
	{"10.0.0.0/8 subnet calculator", nil},
	{"192.168.1.10", nil},
	{"the printer is at 192.168.1.10", nil},
	{"2130706433", nil},
	{"7147006462", nil},
	{"order 7147006462 shipped", nil},
	{"https://12345678901/receipt", []string{"referer"}},
	{"0:30", nil},
	{"12:30", nil},
	{"10.1:30", nil},
	{"1/2 inch copper pipe", nil},
	{"2024/05/01", nil},
	{"v1.2.3", nil},
	{"metadata/v1/schema", nil},
	{"localhost", nil},
	{"toast.pro is a bakery", nil},
	{"john.doe+shop@example.com", nil},
	{"http://localhost:3000/dashboard", []string{"referer"}},
	{"http://10.0.0.12/intranet/wiki", []string{"referer"}},
	{"http://example.com:80:81/", nil},
	{"see http://a:b:c/ docs", nil},
	{"10:30:00", nil},
	{"ratio 10://2", nil},
	{"0://cdn.example.org/a.png", nil},
	{"203.0.113.7, 10.0.0.1", []string{"header"}},
}

func TestSSRFFamily(t *testing.T) {
	checkPlaced(t, "ssrf", ssrfAttacks, 0.99, ssrfBenign, 0.9)
}

// TestSSRFAddressAfterAName: a URL's host whose last labels spell an
// internal address after a name ("example.com.127.0.0.1", the allow-list
// bypass of PayloadsAllTheThings and HackTricks): no DNS name ends in a
// number. Version strings, OIDs and public addresses stay clean.
func TestSSRFAddressAfterAName(t *testing.T) {
	checkFamily(t, "ssrf", []familyCase{
		{"q", "http://example.com.127.0.0.1", 0.99},
		{"q", "https://example.com.127.0.0.1/admin", 0.99},
		{"q", "http://trusted.example.169.254.169.254/latest/meta-data/", 0.99},
	}, []familyCase{
		{"q", "version 1.2.3.4.5", 0},
		{"q", "http://1.2.3.4.5/", 0},
		{"q", "http://example.com.8.8.8.8/", 0},
		{"q", "snmp 1.3.6.1.2.1.1", 0},
		{"q", "see 10.0.0.5.1 in the table", 0},
	}, 0.9)
}

// TestSSRFURLAsTheQuery: a query that is a URL and nothing else
// ("/proxy?http://169.254.169.254/"), the form of an open proxy or a
// CGI script that reads its query string whole, reaches the family as a
// parameter's name; so does a cookie with no '=' (the CRS's 934120
// stages, with 169.254.169.254 written as the decimal 2852039166). A
// public URL there, a return address, stays clean.
func TestSSRFURLAsTheQuery(t *testing.T) {
	checkFamily(t, "ssrf", []familyCase{
		{"path", "/proxy?http://169.254.169.254/latest/meta-data/", 0.99},
		{"path", "/get?http://2852039166/", 0.99},
		{"path", "/fetch?http://localhost:6379/", 0.99},
		{"header:Cookie", "http://2852039166/", 0.99},
	}, []familyCase{
		{"path", "/login?https://shop.example/account/orders", 0},
		{"path", "/r?https://www.example.org/docs/index.html", 0},
		{"header:Cookie", "https://shop.example/", 0},
	}, 0.9)
}

// TestSSRFNULInTheHost: a NUL inside a URL's host
// ("http://127.0.0.1%00.example.com", SecLists' SSRF list) passes a check
// of the name's end, and a fetcher written in C connects to what comes
// before it. The value's decoder drops the NUL; the family reads the raw
// form (a JSON string's holds the NUL itself). A NUL after a public host,
// or in the path, does not make an internal destination.
func TestSSRFNULInTheHost(t *testing.T) {
	js := "body:application/json"
	checkFamily(t, "ssrf", []familyCase{
		{"path", "/fetch?url=http://127.0.0.1%00.example.com/", 0.99},
		{"path", "/fetch?url=https://127.0.0.1%00example.com", 0.99},
		{"path", "/fetch?url=http://169.254.169.254%00.shop.example/latest", 0.99},
		{"path", "/fetch?host=127.0.0.1%00.shop.example", 0.99},
		{"body:application/x-www-form-urlencoded", "url=http%3A%2F%2Flocalhost%00.shop.example%2F", 0.99},
		{js, `{"url":"http://127.0.0.1\u0000.example.com/"}`, 0.99},
		// sent encoded twice: the application reads "%00" in the URL
		{"path", "/fetch?url=http%3A%2F%2F127.0.0.1%2500example.com", 0.99},
		{"body:application/x-www-form-urlencoded", "url=http%3A%2F%2F169.254.169.254%2500.shop.example%2F", 0.99},
	}, []familyCase{
		{"path", "/fetch?url=https://www.example.com%00/x", 0},
		{"path", "/fetch?url=https://cdn.example.org/a%00b.png", 0},
		{"path", "/fetch?url=https%3A%2F%2Fwww.example.com%2500%2Fx", 0},
		{"path", "/fetch?url=https%3A%2F%2Fcdn.example.org%2Fa%2500b.png", 0},
		{js, `{"note":"a\u0000b","url":"https://shop.example/"}`, 0},
	}, 0.9)
}
