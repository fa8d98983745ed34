package signature_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// TestProtocolFraming checks the framing and method rules on what net/http
// lets through (or what reaches bulwark by other routes), and that plain
// requests raise none of them.
func TestProtocolFraming(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		build func(r *http.Request)
		rule  string // "" for none
	}{
		{"plain", func(r *http.Request) {}, ""},
		{"plain range", func(r *http.Request) { r.Header.Set("Range", "bytes=0-499, 1000-") }, ""},
		{"suffix range", func(r *http.Request) { r.Header.Set("Range", "bytes=-500") }, ""},
		{"range of another unit", func(r *http.Request) { r.Header.Set("Range", "items=0-5") }, "protocol.range"},
		{"range backwards", func(r *http.Request) { r.Header.Set("Range", "bytes=500-100") }, "protocol.range"},
		{"range garbage", func(r *http.Request) { r.Header.Set("Range", "bytes=a-b") }, "protocol.range"},
		{"overlapping ranges", func(r *http.Request) { r.Header.Set("Range", "bytes=0-100,50-150") }, "protocol.range"},
		{"many ranges", func(r *http.Request) {
			r.Header.Set("Range", "bytes="+strings.Repeat("0-1,", 30)+"5-6")
		}, "protocol.range"},
		{"HTTP.sys range", func(r *http.Request) { r.Header.Set("Range", "bytes=0-18446744073709551615") }, "protocol.range"},
		{"chunked with a length", func(r *http.Request) {
			r.Method = "POST"
			r.TransferEncoding = []string{"chunked"}
			r.Header.Set("Content-Length", "4")
		}, "protocol.smuggling"},
		{"transfer-encoding on HTTP/1.0", func(r *http.Request) {
			r.Proto = "HTTP/1.0"
			r.Header.Set("Transfer-Encoding", "chunked")
		}, "protocol.smuggling"},
		{"underscore framing header", func(r *http.Request) { r.Header["Transfer_encoding"] = []string{"chunked"} }, "protocol.smuggling"},
		{"method override to TRACE", func(r *http.Request) { r.Header.Set("X-HTTP-Method-Override", "TRACE") }, "protocol.method_trace"},
		{"method override to PUT", func(r *http.Request) { r.Header.Set("X-HTTP-Method-Override", "PUT") }, ""},
		{"line break in the path", func(r *http.Request) { r.URL.Path = "/files/\r\nSet-Cookie: a=b" }, "protocol.crlf_path"},
		{"httpoxy", func(r *http.Request) { r.Header.Set("Proxy", "http://203.0.113.9:8080") }, "protocol.httpoxy"},
		{"get with a body", func(r *http.Request) { r.ContentLength = 12 }, "protocol.get_body"},
		{"post with a body", func(r *http.Request) { r.Method = "POST"; r.ContentLength = 12 }, ""},
		{"invalid escape", func(r *http.Request) { r.URL.RawQuery = "q=%zz1" }, "protocol.bad_escape"},
		{"valid escapes", func(r *http.Request) { r.URL.RawQuery = "q=caf%C3%A9+%u00e9&r=100%25" }, ""},
		{"fullwidth escape", func(r *http.Request) { r.URL.RawQuery = "q=%uff1cscript%uff1e" }, "protocol.fullwidth"},
		{"line break in a parameter name", func(r *http.Request) { r.URL.RawQuery = "a%0d%0aSet-Cookie=1" }, "protocol.crlf_name"},
		{"request smuggled in a value", func(r *http.Request) {
			r.URL.RawQuery = "next=%2F%0D%0A%0D%0AGET%20%2Fadmin%20HTTP%2F1.1%0D%0AHost%3A%20localhost"
		}, "protocol.smuggling"},
		{"a line break in prose", func(r *http.Request) { r.URL.RawQuery = "note=first%0AGET+ready+for+HTTP+day" }, ""},
		{"utf-7 charset", func(r *http.Request) { r.Header.Set("Content-Type", "text/html; charset=utf-7") }, "protocol.content_type"},
		{"ebcdic charset", func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=ibm037")
		}, "protocol.content_type"},
		{"latin-1 charset", func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
		}, ""},
		{"not a media type", func(r *http.Request) { r.Header.Set("Content-Type", "text/<script>") }, "protocol.content_type"},
		{"two boundaries, cased apart", func(r *http.Request) {
			r.Header.Set("Content-Type", "multipart/form-data; Boundary=a; BOUNDARY=b")
		}, "protocol.content_type"},
		{"two charsets, cased apart", func(r *http.Request) {
			r.Header.Set("Content-Type", "text/plain; charset=UTF-8; Charset=utf-16")
		}, "protocol.content_type"},
		{"utf-8 in capitals, one boundary", func(r *http.Request) {
			r.Header.Set("Content-Type", "multipart/form-data; charset=UTF-8; boundary=----WebKitFormBoundaryX3bY")
		}, ""},
		{"two content types", func(r *http.Request) {
			r.Header["Content-Type"] = []string{"application/json", "application/x-www-form-urlencoded"}
		}, "protocol.content_type"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/files/report.pdf", nil)
		tt.build(r)
		sigs := detect(t, d, r)
		var got []string
		for _, s := range sigs {
			if s.Detector == "protocol" {
				got = append(got, s.Rule)
			}
		}
		if tt.rule == "" && len(got) > 0 || tt.rule != "" && (len(got) != 1 || got[0] != tt.rule) {
			t.Errorf("%s: protocol rules %v, want %q", tt.name, got, tt.rule)
		}
	}
}
