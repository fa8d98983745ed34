package threat

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

func find(req *Request, src Source, name string) (Param, bool) {
	for _, p := range req.Params {
		if p.Source == src && p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

func TestNewRequestDecodes(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string
		ctype   string
		body    string
		cookie  string
		src     Source
		param   string
		want    string
		wantRaw string
	}{
		{name: "query", target: "/s?q=%27%20OR%201%3D1--", src: SourceQuery, param: "q", want: "' OR 1=1--", wantRaw: "%27%20OR%201%3D1--"},
		{name: "double encoded query", target: "/f?file=%252e%252e%252fetc%252fpasswd", src: SourceQuery, param: "file", want: "../etc/passwd"},
		{name: "plus in query", target: "/s?q=red+shoes", src: SourceQuery, param: "q", want: "red shoes"},
		{name: "percent u", target: "/s?q=%u003cscript%u003e", src: SourceQuery, param: "q", want: "<script>"},
		{name: "form body", method: "POST", target: "/login", ctype: "application/x-www-form-urlencoded", body: "user=ann&pass=%3Cb%3E", src: SourceForm, param: "pass", want: "<b>"},
		{name: "json body", method: "POST", target: "/api", ctype: "application/json; charset=utf-8", body: `{"user":{"name":"\u003cimg src=x\u003e","age":3}}`, src: SourceJSON, param: "name", want: "<img src=x>"},
		{name: "json key", method: "POST", target: "/api", ctype: "application/json", body: `{"__proto__":{"admin":true}}`, src: SourceJSON, param: "(key)", want: "__proto__"},
		{name: "json sent as text", method: "POST", target: "/api", ctype: "text/json", body: `{"id":42,"q":"a\u0027b"}`, src: SourceJSON, param: "q", want: "a'b"},
		{name: "cookie", target: "/", cookie: "session=abc; theme=%3Csvg%3E", src: SourceCookie, param: "theme", want: "<svg>"},
		{name: "html entity", target: "/s?q=%26lt%3Bscript%26gt%3B", src: SourceQuery, param: "q", want: "<script>"},
		{name: "overlong utf-8", target: "/f?p=..%c0%af..%c0%afetc", src: SourceQuery, param: "p", want: "../../etc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(method, tt.target, body)
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			req := NewRequest(r, "c", "", Limits{})
			p, ok := find(req, tt.src, tt.param)
			if !ok {
				t.Fatalf("param %q not found in %+v", tt.param, req.Params)
			}
			if p.Value != tt.want {
				t.Errorf("value = %q, want %q", p.Value, tt.want)
			}
			if tt.wantRaw != "" && p.Raw != tt.wantRaw {
				t.Errorf("raw = %q, want %q", p.Raw, tt.wantRaw)
			}
		})
	}
}

func TestBodyStaysReadable(t *testing.T) {
	big := strings.Repeat("a=b&", 50000) // 200 KB, more than the peek
	r := httptest.NewRequest("POST", "/upload", strings.NewReader(big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req := NewRequest(r, "c", "", Limits{MaxBody: 1024})
	if req.Uninspected&UninspectedBody == 0 {
		t.Error("a body larger than MaxBody is not marked uninspected")
	}
	got, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != big {
		t.Fatalf("handler read %d bytes, want %d", len(got), len(big))
	}
}

func TestShortBodyStaysReadable(t *testing.T) {
	r := httptest.NewRequest("POST", "/x", strings.NewReader("hello"))
	r.ContentLength = -1 // unknown length, ends inside the peek
	r.Header.Set("Content-Type", "text/plain")
	req := NewRequest(r, "c", "", Limits{})
	if p, ok := find(req, SourceText, ""); !ok || p.Value != "hello" {
		t.Errorf("text value = %q (%v) in %+v", p.Value, ok, req.Params)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != "hello" {
		t.Fatalf("handler read %q, %v", got, err)
	}
}

type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) { c.n += len(p); return len(p), nil }

func TestBinaryBodyIsNotRead(t *testing.T) {
	src := &countingReader{}
	r := httptest.NewRequest("POST", "/img", io.LimitReader(src, 12<<20))
	r.ContentLength = 12 << 20
	r.Header.Set("Content-Type", "image/png")
	req := NewRequest(r, "c", "", Limits{})
	if src.n > sniffLen || len(req.Params) != 0 || req.Uninspected != 0 {
		t.Fatalf("binary body read: %d bytes, %d values, uninspected %v", src.n, len(req.Params), req.Uninspected)
	}
}

func TestHostileInputIsBounded(t *testing.T) {
	var q bytes.Buffer
	for i := 0; i < 10000; i++ {
		q.WriteString("p=%25%32%35&")
	}
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	huge := "/s?q=" + strings.Repeat("%41", 1<<20/3)
	tests := []struct {
		name, target, ctype, body string
	}{
		{name: "10000 params", target: "/s?" + q.String()},
		{name: "1 MB query", target: huge},
		{name: "deep json", target: "/api", ctype: "application/json", body: deep},
		{name: "invalid utf-8 and percent", target: "/s?q=%ff%fe%zz%\xff\xfe"},
		{name: "broken json", target: "/api", ctype: "application/json", body: `{"a":"\ud800`},
	}
	lim := Limits{}.withDefaults()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{Method: "GET", Header: http.Header{}, Body: http.NoBody}
			path, query, _ := strings.Cut(tt.target, "?")
			r.URL = &url.URL{Path: path, RawQuery: query}
			if tt.body != "" {
				r.Method = "POST"
				r.Body = io.NopCloser(strings.NewReader(tt.body))
				r.ContentLength = int64(len(tt.body))
				r.Header.Set("Content-Type", tt.ctype)
			}
			req := NewRequest(r, "c", "", Limits{})
			if len(req.Params) > lim.MaxParams {
				t.Errorf("%d params kept, cap %d", len(req.Params), lim.MaxParams)
			}
			for _, p := range req.Params {
				if len(p.Value) > len(p.Raw) && p.Via == "" {
					t.Errorf("value of %d bytes decoded from %d", len(p.Value), len(p.Raw))
				}
			}
		})
	}
}

// FuzzRequestBody: any body under any declared type and coding builds a
// view without panic, within the limits, and the handler reads the body
// byte for byte.
func FuzzRequestBody(f *testing.F) {
	f.Add([]byte("a=1&b=%27"), "application/x-www-form-urlencoded", "")
	f.Add([]byte(`{"a":["b",{"c":"d"}]}`), "text/json", "")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--"), "multipart/form-data; boundary=x", "")
	f.Add([]byte("<a b='c'>d</a>"), "", "")
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), "text/plain", "gzip")
	f.Add([]byte("\xff\xfea\x00=\x00b\x00"), "text/plain; charset=utf-16", "")
	lim := Limits{MaxBody: 512, MaxParams: 16, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, b []byte, ctype, coding string) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(b))
		r.Header.Set("Content-Type", ctype)
		if coding != "" {
			r.Header.Set("Content-Encoding", coding)
		}
		req := NewRequest(r, "c", "", lim)
		if len(req.Params) > lim.MaxParams {
			t.Fatalf("%d values past the cap", len(req.Params))
		}
		for _, p := range req.Params {
			if len(p.Raw) > 2*lim.MaxBody {
				t.Fatalf("a value of %d bytes from a %d-byte limit", len(p.Raw), lim.MaxBody)
			}
		}
		got, err := io.ReadAll(r.Body)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("the handler read %d bytes (%v) of %d", len(got), err, len(b))
		}
	})
}

// endless yields n bytes of a repeating pattern without holding them.
type endless struct {
	pattern string
	n, off  int
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && e.n > 0 {
		c := copy(p[k:min(len(p), k+e.n)], e.pattern[e.off:])
		e.off = (e.off + c) % len(e.pattern)
		k += c
		e.n -= c
	}
	return k, nil
}

// TestViewMemoryIsBounded builds views of 64 MiB hostile bodies (deep
// JSON, a form of tiny fields, a zip bomb, multipart of tiny parts, XML of
// empty elements, a JSON string of escapes past the limit) and checks that the view allocates a few times its
// limits, not the body's size, and still leaves the whole body to the
// handler.
func TestViewMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB bodies")
	}
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte("a=b&"), 16<<20))
	zw.Close()
	lim := Limits{}.withDefaults()
	const size = 64 << 20
	tests := []struct {
		name, ctype, encoding, pattern string
		n                              int
	}{
		{"deep json", "application/json", "", `{"a":[`, size},
		{"tiny fields", "application/x-www-form-urlencoded", "", "a=1&", size},
		{"tiny parts", "multipart/form-data; boundary=x", "", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n<b>\r\n", size},
		{"empty elements", "application/xml", "", "<a x='1'/>", size},
		{"one string of escapes", "application/json", "", `"` + strings.Repeat(`\n`, 1<<20), size},
		{"zip bomb", "application/x-www-form-urlencoded", "gzip", bomb.String(), bomb.Len()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", &endless{pattern: tt.pattern, n: tt.n})
			r.ContentLength = -1
			r.Header.Set("Content-Type", tt.ctype)
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			req := NewRequest(r, "c", "", Limits{})
			runtime.ReadMemStats(&after)
			got, bound := after.TotalAlloc-before.TotalAlloc, uint64(8*(lim.MaxBody+lim.MaxDecoded))
			if got > bound {
				t.Errorf("the view allocated %d bytes, more than %d", got, bound)
			}
			t.Logf("%d bytes allocated, %d values, uninspected %v", got, len(req.Params), req.Uninspected)
			if req.Uninspected == 0 {
				t.Error("a body past the limits is not marked")
			}
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil || n != int64(tt.n) {
				t.Errorf("the handler read %d bytes (%v), want %d", n, err, tt.n)
			}
		})
	}
}

// failingReader yields its text, then err (with the last bytes when
// withLast is set), and err again on every later read.
type failingReader struct {
	s        string
	err      error
	withLast bool
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.s == "" {
		return 0, f.err
	}
	n := copy(p, f.s)
	f.s = f.s[n:]
	if f.s == "" && f.withLast {
		return n, f.err
	}
	return n, nil
}

// TestPeekedBodyReadsAsMultiReader checks the body the handler reads, read
// after read (results and errors, past the end too), against the
// io.MultiReader of the peeked bytes and the rest (or an error reader for
// a body that ended within them) that it replaces.
func TestPeekedBodyReadsAsMultiReader(t *testing.T) {
	type errReader struct{ err error }
	readErr := func(e errReader) io.Reader {
		return iotestReader(func([]byte) (int, error) {
			if e.err == io.ErrUnexpectedEOF {
				return 0, io.EOF
			}
			return 0, e.err
		})
	}
	broken := io.ErrClosedPipe
	for _, tc := range []struct {
		name string
		body func() io.Reader
		max  int
	}{
		{"short", func() io.Reader { return strings.NewReader("hello=world") }, 0},
		{"past the limit", func() io.Reader { return strings.NewReader(strings.Repeat("a=b&", 600)) }, 1024},
		{"at the limit", func() io.Reader { return strings.NewReader(strings.Repeat("a=b&", 256)) }, 1024},
		{"fails early", func() io.Reader { return &failingReader{s: "a=b&c=d", err: broken} }, 0},
		{"fails late", func() io.Reader { return &failingReader{s: strings.Repeat("a=b&", 600), err: broken} }, 1024},
		{"EOF with bytes", func() io.Reader { return &failingReader{s: strings.Repeat("a=b&", 600), err: io.EOF, withLast: true} }, 1024},
		{"cut short", func() io.Reader { return &failingReader{s: "a=b", err: io.ErrUnexpectedEOF} }, 0},
	} {
		for _, size := range []int{0, 1, 7, 512, 4096} {
			r := httptest.NewRequest("POST", "/x", tc.body())
			r.ContentLength = -1
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			NewRequest(r, "c", "", Limits{MaxBody: tc.max})
			pb := r.Body.(*peekedBody)
			// the reference: the same peeked bytes and the same rest
			var tail io.Reader = pb.rest
			if pb.err != nil {
				tail = readErr(errReader{pb.err})
			}
			want := io.MultiReader(bytes.NewReader(pb.buf), tail)
			wantRest := tc.body()
			if pb.rest != nil {
				// both sides read the rest: give each its own copy
				io.CopyN(io.Discard, wantRest, int64(len(pb.buf)))
				want = io.MultiReader(bytes.NewReader(append([]byte(nil), pb.buf...)), wantRest)
			}
			for k := 0; k < 2000; k++ {
				gb, wb := make([]byte, size), make([]byte, size)
				gn, gerr := r.Body.Read(gb)
				wn, werr := want.Read(wb)
				if gn != wn || gerr != werr || !bytes.Equal(gb[:gn], wb[:wn]) {
					t.Fatalf("%s, reads of %d: read %d: got %d %v, want %d %v", tc.name, size, k, gn, gerr, wn, werr)
				}
				if gerr != nil && k > 1000 {
					break
				}
				if gerr != nil && size > 0 {
					k = max(k, 1000) // a few reads past the end
				}
			}
		}
	}
}

type iotestReader func([]byte) (int, error)

func (f iotestReader) Read(p []byte) (int, error) { return f(p) }
