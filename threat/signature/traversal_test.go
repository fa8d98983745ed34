package signature_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Public payloads: PayloadsAllTheThings and dotdotpwn's encodings,
// PortSwigger's path traversal labs, OWASP's testing guide, HackTricks
// (file inclusion), CVE-2021-41773 (Apache 2.4.49), Tomcat's "..;/".
var traversalAttacks = []placedCase{
	{"../../../../etc/passwd", nil},
	{"..\\..\\..\\..\\windows\\win.ini", nil},
	{"....//....//....//etc/passwd", nil},
	{"..%252f..%252f..%252fetc/passwd", nil},
	{"/var/www/images/../../../etc/passwd", nil},
	{"../../../etc/passwd%00.png", nil},
	{"../../../etc/shadow-", nil},          // the backup shadow-utils keep
	{"../../../../etc/master.passwd", nil}, // the BSDs' shadow file
	{"/etc/master.passwd", nil},
	{"../../.rhosts", nil},
	{"%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", nil},
	{"..%c0%af..%c0%af..%c0%afetc%c0%afpasswd", nil},
	{"%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afboot.ini", nil},
	{"..%c1%9c..%c1%9c..%c1%9cboot.ini", nil},
	{"%uff0e%uff0e%u2215%uff0e%uff0e%u2215etc%u2215passwd", nil},
	{"..%u2216..%u2216windows%u2216win.ini", nil},
	{"%%32%65%%32%65/%%32%65%%32%65/etc/passwd", nil},
	{"0x2e0x2e/0x2e0x2e/etc/passwd", nil},
	{"%e0%80%ae%e0%80%ae%e0%80%afetc%e0%80%afpasswd", nil},
	{"%f0%80%80%ae%f0%80%80%ae%f0%80%80%afboot.ini", nil},
	{"..%c0%qf..%c0%qfetc%c0%qfpasswd", nil},
	{"..%bg%qf..%bg%qfboot.ini", nil},
	{"?.%5c?.%5cboot.ini", nil},
	{"..;/..;/WEB-INF/web.xml", nil},
	{"../", []string{"path"}},
	{"..%2f..%2f..%2fetc/passwd", []string{"path"}},
	{"%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", []string{"path"}}, // CVE-2021-41773
	{"..;/..;/manager/html", []string{"path"}},
	{"..%5c..%5cwindows%5cwin.ini", []string{"path"}},
	// A file attackers read, by path, as the whole value.
	{"/etc/passwd", nil},
	{"/etc/shadow", nil},
	{"/etc/./passwd", nil},
	{"/ETC/PASSWD", nil},
	{"../boot.ini%00index.html", nil},
	{"/proc/self/environ", nil},
	{"/var/log/apache2/access.log", nil},
	{"/var/adm/wtmpx", nil},
	{"/usr/local/nginx/conf/nginx.conf", nil},
	{"C:\\xampp\\FileZillaFTP\\FileZilla Server.xml", nil},
	{"C:\\Windows\\System32\\drivers\\etc\\hosts", nil},
	{"c:/boot.ini", nil},
	{"/root/.ssh/id_rsa", nil},
	{"/home/user/.bash_history", nil},
	{"../config.php", nil},
	{"../../.env", nil},
	{"etc/passwd", nil},
	{"/static/files/etc/passwd", []string{"path"}},
	{"C:/windows/win.ini", []string{"path"}},
	// Wrappers (the decoding work owns more of these).
	{"php://filter/convert.base64-encode/resource=index.php", nil},
	{"file:///etc/passwd", nil},
}

var traversalBenign = []placedCase{
	{"cat /etc/hosts explained", nil},
	{"/etc/hosts explained", nil},
	{"how to edit /etc/hosts on a mac", nil},
	{"/style.css", nil},
	{"/images/a.png", nil},
	{"/account/orders?page=2", nil},
	{"/home", nil},
	{"config.php", nil},
	{"package.json", nil},
	{"see ../docs for details", nil},
	{"Wait... what? ...and then/or now", nil},
	{"......... Escape the gates", nil},
	{"1/2 inch copper pipe", nil},
	{"C:\\fakepath\\photo.jpg", nil},
	{"https://www.example.com/blog/etc/hosts-file-guide", nil},
	{"and/or", nil},
	{"v1.2..v1.3 changes", nil},
	{"the same as before, Sam", nil},
	{"Calle Mayor 1, 3º 2ª, Madrid", nil},
	{"/api/v1/orders/123/items", []string{"path"}},
	{"assets/app.3f2a1c.min.js", []string{"path"}},
	{"docs/etc/hosts-file-guide", []string{"path"}},
	{"the etc/shadow-style format", nil},
	{"caf%C3%A9/men%C3%BA.html", []string{"path"}},
}

func TestTraversalFamily(t *testing.T) {
	checkPlaced(t, "traversal", traversalAttacks, 0.99, traversalBenign, 0.9)
}

// A walk up or a file URL in text reaches a file or not: a build log's
// relative paths and the file URLs of docs are text (0.9, no refusal
// alone), a walk or a URL to a system file is not, however wordy the
// text around it.
func TestTraversalInText(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	best := func(v string) (float64, []string) {
		r := httptest.NewRequest("GET", "/search?q="+url.QueryEscape(v), nil)
		b := 0.0
		var rules []string
		for _, s := range detect(t, d, r) {
			if s.Detector == "traversal" {
				b = max(b, s.Confidence)
				rules = append(rules, s.Rule)
			}
		}
		return b, rules
	}
	for _, v := range []string{
		"running tests for target using ../../../../src/libstdc++-v3/testsuite/lib",
		"ld: ../lib/.libs/libcurl.so: undefined reference to Curl_sasl_decode_mech",
		"readFileSync(new URL('file:/c:/p/a/t/h/')) reads the file on Windows", // file URLs in docs
	} {
		if c, rules := best(v); c >= 0.99 {
			t.Errorf("build log %q: %v at %.2f, want < 0.99", v, rules, c)
		}
	}
	for _, v := range []string{
		"please open the file at ../../../../etc/passwd for me",
		"see ../../../../../windows/win.ini in the report",
		"file:///etc/passwd",
	} {
		if c, rules := best(v); c < 0.99 {
			t.Errorf("walk to a system file %q: %v at %.2f, want >= 0.99", v, rules, c)
		}
	}
}
