package threat_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// Public payloads (OWASP testing guide, PortSwigger cheat sheets), one a
// family, that the families find in a plain query value.
const (
	sqliPayload = "1' UNION SELECT username, password FROM users--"
	xssPayload  = "<script>alert(document.cookie)</script>"
	travPayload = "../../../../../../etc/passwd"
	xxePayload  = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`
)

// blockAt is the score the default strictness refuses a request at.
const blockAt = 0.8

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.String()
}

func deflate(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	io.WriteString(w, s)
	w.Close()
	return b.String()
}

func multipartBody(t testing.TB, parts func(w *multipart.Writer)) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	parts(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

func utf16le(s string) string {
	var b strings.Builder
	b.WriteString("\xff\xfe")
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func params(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("p" + strconv.Itoa(i) + "=1&")
	}
	return b.String()
}

// TestFormerBlindSpots sends a known payload in each place the request
// view used not to read, behind each kind of padding, and in each body
// kind: the default engine must block it, and for its family's reason (a
// padded payload must be found, not refused for its size).
func TestFormerBlindSpots(t *testing.T) {
	field, fieldCT := multipartBody(t, func(w *multipart.Writer) {
		w.WriteField("user", sqliPayload)
		w.WriteField("password", "x")
	})
	file, fileCT := multipartBody(t, func(w *multipart.Writer) {
		w.WriteField("title", "notes")
		f, _ := w.CreateFormFile("upload", "notes.txt")
		io.WriteString(f, "meeting notes\n"+xssPayload+"\n")
	})
	xmlFile, xmlFileCT := multipartBody(t, func(w *multipart.Writer) {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="data.xml"`}
		h["Content-Type"] = []string{"application/xml"}
		f, _ := w.CreatePart(h)
		io.WriteString(f, xxePayload)
	})
	fileName, fileNameCT := multipartBody(t, func(w *multipart.Writer) {
		f, _ := w.CreateFormFile("upload", travPayload)
		io.WriteString(f, "hello")
	})
	padded, paddedCT := multipartBody(t, func(w *multipart.Writer) {
		w.WriteField("filler", strings.Repeat("b", 70_000))
		w.WriteField("q", sqliPayload)
	})
	deep := strings.Repeat(`{"a":`, 100) + `"` + xssPayload + `"` + strings.Repeat("}", 100)
	ebcdic, _ := charmap.CodePage037.NewEncoder().String("q=" + sqliPayload)
	ebcdicValue, _ := charmap.CodePage037.NewEncoder().String(sqliPayload)
	var percentEBCDIC strings.Builder
	for _, c := range []byte(ebcdicValue) {
		percentEBCDIC.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	longValue := strings.Repeat("A", 8200) + " " + sqliPayload
	tests := []struct {
		name, family, method, target, ctype, encoding, body string
		header                                              map[string]string
	}{
		{name: "multipart field", family: "sqli", ctype: fieldCT, body: field},
		{name: "multipart text file", family: "xss", ctype: fileCT, body: file},
		{name: "multipart xml file", family: "xxe", ctype: xmlFileCT, body: xmlFile},
		{name: "multipart file name", family: "traversal", ctype: fileNameCT, body: fileName},
		{name: "multipart without its content type", family: "sqli", body: field},
		{name: "multipart after a 70 KB field", family: "sqli", ctype: paddedCT, body: padded},
		{name: "xml body", family: "xxe", ctype: "application/xml", body: xxePayload},
		{name: "xml text", family: "sqli", ctype: "text/xml", body: "<q><name>" + strings.ReplaceAll(sqliPayload, "'", "&apos;") + "</name></q>"},
		{name: "xml text after 2 KB of prose", family: "sqli", ctype: "application/xml",
			body: `<?xml version="1.0"?><notes><n>` + prose(2000) + " " + strings.ReplaceAll(sqliPayload, "'", "&apos;") + "</n></notes>"},
		{name: "xml element after 2 KB of prose", family: "xss", ctype: "application/xml",
			body: `<?xml version="1.0"?><notes><n>` + prose(2000) + `</n><script>alert(document.cookie)</script></notes>`},
		{name: "xml attribute", family: "xss", ctype: "application/xml", body: `<a href="` + strings.ReplaceAll(xssPayload, "<", "&lt;") + `"/>`},
		{name: "text/plain", family: "sqli", ctype: "text/plain", body: sqliPayload},
		{name: "text/plain form", family: "sqli", ctype: "text/plain", body: "a=1&q=" + strings.ReplaceAll(sqliPayload, " ", "+")},
		{name: "octet-stream", family: "traversal", ctype: "application/octet-stream", body: "file=" + travPayload},
		{name: "no content type", family: "sqli", body: "q=" + strings.ReplaceAll(sqliPayload, " ", "%20")},
		{name: "json as text/json", family: "xss", ctype: "text/json", body: `{"comment":"` + xssPayload + `"}`},
		{name: "json as form", family: "xss", ctype: "application/x-www-form-urlencoded", body: `{"comment":"` + xssPayload + `"}`},
		{name: "json 100 deep", family: "xss", ctype: "application/json", body: deep},
		{name: "gzip form", family: "sqli", ctype: "application/x-www-form-urlencoded", encoding: "gzip", body: gz("q=" + strings.ReplaceAll(sqliPayload, " ", "+"))},
		{name: "deflate json", family: "xss", ctype: "application/json", encoding: "deflate", body: deflate(`{"c":"` + xssPayload + `"}`)},
		{name: "gzip in gzip", family: "sqli", ctype: "text/plain", encoding: "gzip, gzip", body: gz(gz(sqliPayload))},
		{name: "utf-16 json", family: "xss", ctype: "application/json; charset=utf-16", body: utf16le(`{"c":"` + xssPayload + `"}`)},
		{name: "ebcdic form", family: "sqli", ctype: "application/x-www-form-urlencoded; charset=ibm037", body: ebcdic},
		{name: "ebcdic form, percent-encoded", family: "sqli", ctype: "application/x-www-form-urlencoded; charset=ibm037", body: "q=" + percentEBCDIC.String()},
		{name: "ascii form declared ebcdic", family: "sqli", ctype: "application/x-www-form-urlencoded; charset=ibm037", body: "q=" + strings.ReplaceAll(sqliPayload, " ", "+")},
		{name: "after 700 form parameters", family: "sqli", ctype: "application/x-www-form-urlencoded", body: params(700) + "q=" + strings.ReplaceAll(sqliPayload, " ", "+")},
		{name: "after 700 query parameters", family: "sqli", method: "GET", target: "/s?" + params(700) + "q=" + strings.ReplaceAll(sqliPayload, " ", "+")},
		{name: "after 80 KB of query", family: "xss", method: "GET", target: "/s?pad=" + strings.Repeat("a", 80_000) + "&q=" + strings.ReplaceAll(xssPayload, " ", "+")},
		{name: "after 8,200 characters of the value", family: "sqli", method: "GET", target: "/s?q=" + strings.ReplaceAll(longValue, " ", "+")},
		{name: "after 70 KB of form body", family: "sqli", ctype: "application/x-www-form-urlencoded", body: "filler=" + strings.Repeat("b", 70_000) + "&q=" + strings.ReplaceAll(sqliPayload, " ", "+")},
		{name: "in a 9,000-character cookie", family: "sqli", method: "GET", target: "/", header: map[string]string{"Cookie": "pref=" + strings.Repeat("a", 9000) + strings.ReplaceAll(sqliPayload, " ", "%20")}},
		{name: "in a 9,000-character header", family: "sqli", method: "GET", target: "/", header: map[string]string{"X-Filter": strings.Repeat("a", 9000) + " " + sqliPayload}},
		{name: "matrix parameter", family: "sqli", method: "GET", target: "/users;id=" + strings.ReplaceAll(sqliPayload, " ", "%20") + "/profile"},
		{name: "base64 value", family: "sqli", method: "GET", target: "/s?data=" + base64.URLEncoding.EncodeToString([]byte(sqliPayload))},
		{name: "hex value", family: "xss", method: "GET", target: "/s?data=" + hex.EncodeToString([]byte(xssPayload))},
		{name: "basic credentials", family: "sqli", method: "GET", target: "/", header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(sqliPayload+":x"))}},
	}
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = "/submit"
			}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(method, target, body)
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			a := assessAt(e, r, "blind-"+strconv.Itoa(i), time.Now(), threat.Limits{})
			if a.Score < blockAt || !slices.ContainsFunc(a.Signals, func(r threat.Signal) bool { return r.Detector == tt.family }) {
				t.Errorf("score %.3f, want >= %v and a %s reason; reasons %+v", a.Score, blockAt, tt.family, a.Signals)
			}
			if a.Uninspected != 0 {
				t.Errorf("uninspected %v: the defaults must hold the padding", a.Uninspected)
			}
			got, err := io.ReadAll(r.Body)
			if err != nil || string(got) != tt.body {
				t.Errorf("the handler read %d bytes (%v), want the %d sent", len(got), err, len(tt.body))
			}
		})
	}
}

// TestXMLDocumentsPass checks that ordinary XML documents are not refused,
// and that script in one is. The XSS family read an XML document as an
// HTML fragment injected into a page: libinjection flagged the "<?xml"
// declaration and xmlns attributes, and element names (title, link, meta,
// style, body, svg), end tags and comments each counted as markup no text
// field holds, so that 98% of 1,963 XML files of this machine were refused.
// In a parameter the declaration is still markup where none belongs.
func TestXMLDocumentsPass(t *testing.T) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i, doc := range []string{
		`<?xml version="1.0"?><order><id>17</id><customer>Jane Doe</customer></order>`,
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<note>\n  <to>Tove</to>\n  <text>Don't forget me this weekend!</text>\n</note>",
		`<?xml version="1.0"?><methodCall><methodName>examples.getStateName</methodName><params><param><value><i4>41</i4></value></param></params></methodCall>`,
		"\ufeff" + `<?xml version='1.0' encoding='ISO-8859-1'?><feed><entry><summary>` + prose(300) + `</summary></entry></feed>`,
		`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetPrice xmlns="http://example.com/stock"><Item>Apples</Item></GetPrice></soap:Body></soap:Envelope>`,
		`<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://example.com/</link><item><title>` + prose(200) + `</title></item></channel></rss>`,
		`<?xml version="1.0"?><note><to>Tove</to><body>Don't forget me this weekend!</body><!-- sent by the app --></note>`,
		`<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><title>icon</title><style>.a{fill:#333}</style><path class="a" d="M1 1h14v14H1z"/></svg>`,
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!--\nLicensed to the Apache Software Foundation (ASF).\n-->\n" + `<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"><offline>false</offline><interactiveMode>true</interactiveMode></settings>`,
	} {
		r := httptest.NewRequest("POST", "/api/import", strings.NewReader(doc))
		r.Header.Set("Content-Type", "application/xml")
		if a := assessAt(e, r, "xmldoc-"+strconv.Itoa(i), time.Now(), threat.Limits{}); a.Score >= blockAt {
			t.Errorf("%.60q refused: %.3f %+v", doc, a.Score, a.Signals)
		}
	}
	for i, doc := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>`,
		`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`,
		`<?xml version="1.0"?><item><name>"}}&lt;/script&gt;'</name></item>`,
	} {
		r := httptest.NewRequest("POST", "/api/import", strings.NewReader(doc))
		r.Header.Set("Content-Type", "application/xml")
		if a := assessAt(e, r, "xmlxss-"+strconv.Itoa(i), time.Now(), threat.Limits{}); a.Score < blockAt {
			t.Errorf("%.60q passed: %.3f %+v", doc, a.Score, a.Signals)
		}
	}
	r := httptest.NewRequest("GET", "/s?q="+url.QueryEscape(`<?xml version="1.0"?><a/>`), nil)
	if a := assessAt(e, r, "xmldecl-param", time.Now(), threat.Limits{}); a.Score < blockAt {
		t.Errorf("an XML declaration in a parameter passed: %.3f %+v", a.Score, a.Signals)
	}
}

// TestEncodedTokensStayClean checks that values a base64 or hex decoder
// could read (JWTs, session ids, hashes, random tokens) do not turn into
// findings.
func TestEncodedTokensStayClean(t *testing.T) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	for i, v := range []string{
		jwt,
		"4f1c9a2e8b7d6c5a4f1c9a2e8b7d6c5a",
		"d41d8cd98f00b204e9800998ecf8427e",
		"dGhlIHF1aWNrIGJyb3duIGZveA==",             // "the quick brown fox"
		"SGVsbG8sIFdvcmxkIQ==",                     // "Hello, World!"
		"aHR0cHM6Ly9leGFtcGxlLmNvbS9wYXRoP3E9MQ==", // https://example.com/path?q=1
		"550e8400-e29b-41d4-a716-446655440000",
		"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGh",
	} {
		r := httptest.NewRequest("GET", "/s?token="+v, nil)
		r.Header.Set("Cookie", "session="+v)
		r.Header.Set("Authorization", "Bearer "+v)
		if a := assessAt(e, r, "token-"+strconv.Itoa(i), time.Now(), threat.Limits{}); a.Score >= blockAt {
			t.Errorf("%s blocked: %+v", v, a.Signals)
		}
	}
	for i, cred := range []string{"alice:correct horse battery staple", "bob:p@ssw0rd!", "svc-account:9f8e7d6c5b4a"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		if a := assessAt(e, r, "basic-"+strconv.Itoa(i), time.Now(), threat.Limits{}); a.Score >= blockAt {
			t.Errorf("Basic %s blocked: %+v", cred, a.Signals)
		}
	}
}

// TestUninspectedAboveLimits checks that what goes past a limit is marked,
// and that the handler still reads the whole body.
func TestUninspectedAboveLimits(t *testing.T) {
	bomb := gz(strings.Repeat("a", 8<<20))
	tests := []struct {
		name, ctype, encoding, body string
		lim                         threat.Limits
		want                        threat.Uninspected
	}{
		{name: "body", ctype: "text/plain", body: strings.Repeat("a ", 1<<20), want: threat.UninspectedBody},
		{name: "zip bomb", ctype: "text/plain", encoding: "gzip", body: bomb, want: threat.UninspectedDecoded},
		{name: "brotli", ctype: "application/json", encoding: "br", body: "\x1b\x03\x00", want: threat.UninspectedEncoding},
		{name: "params", ctype: "application/x-www-form-urlencoded", body: params(20_000), want: threat.UninspectedParams},
		{name: "depth", ctype: "application/json", body: strings.Repeat("[", 500) + strings.Repeat("]", 500), want: threat.UninspectedDepth},
		{name: "route limit", ctype: "application/json", body: `{"a":"` + strings.Repeat("b", 5000) + `"}`, lim: threat.Limits{MaxBody: 4096}, want: threat.UninspectedBody},
	}
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ctype)
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			a := assessAt(e, r, "c", time.Now(), tt.lim)
			if a.Uninspected&tt.want == 0 {
				t.Errorf("uninspected = %v, want %v", a.Uninspected, tt.want)
			}
			got, _ := io.ReadAll(r.Body)
			if string(got) != tt.body {
				t.Errorf("the handler read %d bytes, want %d", len(got), len(tt.body))
			}
		})
	}
}
