package threat_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/bulwarkhq/bulwark/internal/cputime"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// shaped is a request before it is built: a test builds a fresh
// http.Request from it for every run, since a view reads the body.
type shaped struct {
	path, query string
	header      http.Header
	body        []byte
}

// request builds the request s describes, with the headers a browser
// sends. It is put together by hand, not by httptest.NewRequest, so that
// the path, query and headers hold any bytes a client can send.
func (s shaped) request() *http.Request {
	r := &http.Request{
		Method: "GET", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		URL:        &url.URL{Path: s.path, RawQuery: s.query},
		Host:       "shop.example.com",
		RemoteAddr: "203.0.113.7:41000",
		Header: http.Header{
			"User-Agent":      {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"},
			"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
			"Accept-Language": {"en-GB,en;q=0.9"},
		},
	}
	if r.URL.Path == "" {
		r.URL.Path = "/notes"
	}
	for k, v := range s.header {
		r.Header[k] = v
	}
	if s.body != nil {
		r.Method = "POST"
		r.Body = io.NopCloser(bytes.NewReader(s.body))
		r.ContentLength = int64(len(s.body))
	}
	return r
}

// A placement puts a value where a client can: a query value, a form
// field, a JSON string, an XML attribute, a header.
type placement struct {
	name  string
	build func(v string) shaped
}

// posted is a body of content type ct (none when ct is "").
func posted(ct string, body []byte) shaped {
	s := shaped{body: body, header: http.Header{}}
	if ct != "" {
		s.header["Content-Type"] = []string{ct}
	}
	return s
}

// chunks splits v into pieces of n bytes, the last shorter.
func chunks(v string, n int) []string {
	var out []string
	for len(v) > n {
		out = append(out, v[:n])
		v = v[n:]
	}
	return append(out, v)
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

// utf16LE encodes s as UTF-16LE after a byte order mark; bytes that are
// not UTF-8 become U+FFFD.
func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func multipartShaped(file bool, v string) shaped {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("title", "notes")
	if file {
		f, _ := w.CreateFormFile("notes", "notes.txt")
		io.WriteString(f, v)
	} else {
		w.WriteField("body", v)
	}
	w.Close()
	return posted(w.FormDataContentType(), b.Bytes())
}

// placements are the places of a request a hostile value can fill, each
// read by its own parser and decoders before the detectors see it.
var placements = []placement{
	{"query", func(v string) shaped { return shaped{query: "id=7&q=" + v} }},
	{"path", func(v string) shaped { return shaped{path: "/notes/" + v} }},
	{"header", func(v string) shaped { return shaped{header: http.Header{"X-Note": {v}}} }},
	{"cookie", func(v string) shaped {
		return shaped{header: http.Header{"Cookie": {"session=4f1c9a2e8b7d; note=" + v}}}
	}},
	{"headers", func(v string) shaped {
		h := http.Header{}
		for i, c := range chunks(v, 512) {
			h["X-Note-"+strconv.Itoa(i)] = []string{c}
		}
		return shaped{header: h}
	}},
	{"cookies", func(v string) shaped {
		var b strings.Builder
		for i, c := range chunks(v, 100) {
			b.WriteString("c" + strconv.Itoa(i) + "=" + c + "; ")
		}
		return shaped{header: http.Header{"Cookie": {b.String()}}}
	}},
	{"form", func(v string) shaped { return posted("application/x-www-form-urlencoded", []byte("id=7&note="+v)) }},
	{"form-fields", func(v string) shaped {
		var b strings.Builder
		for i, c := range chunks(v, 100) {
			b.WriteString("f" + strconv.Itoa(i) + "=" + c + "&")
		}
		return posted("application/x-www-form-urlencoded", []byte(b.String()))
	}},
	{"json", func(v string) shaped { return posted("application/json", []byte(`{"id":7,"note":"`+v+`"}`)) }},
	{"json-key", func(v string) shaped { return posted("application/json", []byte(`{"`+v+`":7}`)) }},
	{"json-values", func(v string) shaped {
		return posted("application/json", []byte(`["`+strings.Join(chunks(v, 100), `","`)+`"]`))
	}},
	{"json-keys", func(v string) shaped {
		var b strings.Builder
		b.WriteString("{")
		for i, c := range chunks(v, 100) {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"k` + strconv.Itoa(i) + `":"` + c + `"`)
		}
		b.WriteString("}")
		return posted("application/json", []byte(b.String()))
	}},
	{"json-nested", func(v string) shaped {
		// arrays nested to just under the depth limit (128), a string at
		// the bottom of each
		open, closing := strings.Repeat("[", 120), strings.Repeat("]", 120)
		var b strings.Builder
		b.WriteString("[")
		for i, c := range chunks(v, 512) {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(open + `"` + c + `"` + closing)
		}
		b.WriteString("]")
		return posted("application/json", []byte(b.String()))
	}},
	{"xml-text", func(v string) shaped {
		return posted("application/xml", []byte(`<?xml version="1.0"?><note>`+v+`</note>`))
	}},
	{"xml-attr", func(v string) shaped { return posted("application/xml", []byte(`<note id="7" text="`+v+`"/>`)) }},
	{"xml-attrs", func(v string) shaped {
		var b strings.Builder
		b.WriteString("<note")
		for i, c := range chunks(v, 100) {
			b.WriteString(" a" + strconv.Itoa(i) + `="` + c + `"`)
		}
		b.WriteString("/>")
		return posted("application/xml", []byte(b.String()))
	}},
	{"xml-cdata", func(v string) shaped {
		return posted("application/xml", []byte(`<note><![CDATA[`+v+`]]></note>`))
	}},
	{"xml-comment", func(v string) shaped { return posted("application/xml", []byte(`<note><!--`+v+`--></note>`)) }},
	{"xml-doctype", func(v string) shaped {
		return posted("application/xml", []byte(`<?xml version="1.0"?><!DOCTYPE note [<!ENTITY e "`+v+`">]><note>&e;</note>`))
	}},
	{"multipart", func(v string) shaped { return multipartShaped(false, v) }},
	{"multipart-file", func(v string) shaped { return multipartShaped(true, v) }},
	{"multipart-parts", func(v string) shaped {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for i, c := range chunks(v, 200) {
			w.WriteField("f"+strconv.Itoa(i), c)
		}
		w.Close()
		return posted(w.FormDataContentType(), b.Bytes())
	}},
	{"multipart-nested", func(v string) shaped {
		// multipart parts nested to just under the depth limit, each
		// level read whole again to find the next
		body := "Content-Disposition: form-data; name=\"note\"\r\n\r\n" + v
		for i := range 120 {
			bd := "b" + strconv.Itoa(i)
			body = "Content-Type: multipart/mixed; boundary=" + bd + "\r\n\r\n--" + bd + "\r\n" + body + "\r\n--" + bd + "--\r\n"
		}
		ct, _, _ := strings.Cut(body, "\r\n\r\n")
		return posted(strings.TrimPrefix(ct, "Content-Type: "), []byte(body[len(ct)+4:]))
	}},
	{"text", func(v string) shaped { return posted("text/plain", []byte(v)) }},
	{"octet-stream", func(v string) shaped { return posted("application/octet-stream", []byte(v)) }},
	{"no-type", func(v string) shaped { return posted("", []byte(v)) }},
	{"form-gzip", func(v string) shaped {
		s := posted("application/x-www-form-urlencoded", gzipped("id=7&note="+v))
		s.header["Content-Encoding"] = []string{"gzip"}
		return s
	}},
	{"form-utf16", func(v string) shaped {
		return posted("application/x-www-form-urlencoded; charset=utf-16", utf16LE("id=7&note="+v))
	}},
	{"form-ibm037", func(v string) shaped {
		// a charset that moves ASCII: the form is read as sent and decoded
		return posted("application/x-www-form-urlencoded; charset=ibm037", []byte("id=7&note="+v))
	}},
	{"text-utf16-raw", func(v string) shaped {
		// v's bytes read as UTF-16 code units, lone surrogates and all
		return posted("text/plain; charset=utf-16le", append([]byte{0xff, 0xfe, 'n', 0, '=', 0}, v...))
	}},
}

// linearPatterns are what a hostile value repeats: the bytes each parser
// and decoder does something with (escapes, quotes, brackets, markup,
// separators), alone and combined.
var linearPatterns = []string{
	`\n`, `\u00e9`, `\"`, `\\`, `\ud800`, `\x41`,
	"%41", "%25", "%u0041", "%%", "%zz", "%2525", "%c0%ae", "%", "%00", "%0d%0a",
	"&amp;", "&#x41;", "&#65;", "&lt;", "&e;", "&",
	"'", `"`, "`", `a'b"c`, "'||'", "''", `""`,
	"(", "[", "{", "<", "<a ", "<!--", "<![CDATA[", ")", "]", "}", ">", "<a>", "</a>", "<a b='",
	"--", "/*", "*/", ";", "|", "$(", "${", "{{", "<%", "#{", "\\",
	"../", "..\\", "://", "http://a/", "@", ".", "=", "+", ",", ":", "/", "a=b&",
	"QUJD", "0x41", "414243", "aaaaaaaaaaaaaaaa",
	"select ", "union ", " or ", "1 or 1=1 ", "javascript:", "onx=", "<script>", "alert(",
	"--x\r\n", "\r\n", "\n", "\r", "\t", " ", "\x00",
	"\xc3\xa9", "\xff", "\xed\xa0\x80", "\x00\xd8", "\xe2\x80\xae",
	"+ADw-", "=?utf-8?b?", "\\u003c", "\\x3c", "&#0000060", "0x", "eval(", "cat /etc/passwd ",
}

// linearResult is one pattern in one placement: the best CPU times at n
// and at 4n bytes.
type linearResult struct {
	place, pattern string
	size           int // bytes of the value at 4n (of the pattern, before any encoding)
	d, d4          time.Duration
}

func (r linearResult) mbps() float64 { return float64(r.size) / r.d4.Seconds() / 1e6 }

// The whole request path stays linear in the size of a hostile request:
// a value that repeats one pattern to four times the length, in any
// placement (query, path, headers, cookies, every body format, a gzip or
// UTF-16 body), costs about four times as much to parse and assess, and
// n bytes of any pattern at most a generous multiple of n bytes of prose
// in the same place. Each pair runs the whole engine: the view (body
// parsers, content and charset decoding, URL, base64 and hex decoding)
// and every detector of the default engine. A detector's panic, which the
// engine recovers from, fails the test too.
//
// The bounds are loose (the VMs are noisy, and -race slows every run):
// they catch a reading that is quadratic, such as a buffer grown by the
// room asked for at every escape, not one that is a little slower.
func TestRequestPathStaysLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	// One run of each size, and five more of both when a pair looks
	// superlinear or slow. n is more than twice the window of the
	// signature detector (8 KiB), which reads a value of up to one window
	// in one go and a longer one in windows (the first window of a value
	// is often cheaper than the rest: some families stop at a strong
	// match at the value's start). 32 KiB and 128 KiB keep the sweep
	// within a minute; the race detector slows every run about ten times,
	// and under it the sweep takes 16 KiB and 64 KiB and every other
	// pattern, the others in the next placement.
	n, every := 32<<10, 1
	if raceBuild {
		n, every = 16<<10, 2
	}
	var panics []string
	dets, err := standard.Detectors(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range dets {
		dets[i] = watch(d, func(msg string) { panics = append(panics, msg) })
	}
	model, err := standard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	e, err := threat.New(threat.Config{Detectors: dets, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	// the thread's CPU time, not the clock: a loaded machine takes turns
	// from the longer runs more than from the shorter ones
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clients := 0
	run := func(s shaped, reps int) (best time.Duration) {
		best = 1 << 62
		for range reps {
			r := s.request()
			// a client of its own each run: the behavioural detector
			// would score one client's burst of requests as a flood
			clients++
			now = now.Add(time.Second)
			start := cputime.Thread()
			assessAt(e, r, "lin-"+strconv.Itoa(clients), now, threat.Limits{})
			best = min(best, cputime.Thread()-start)
		}
		return best
	}
	fill := func(p string, n int) string { return strings.Repeat(p, n/len(p)+1)[:n] }
	var results []linearResult
	start := time.Now()
	for i, pl := range placements {
		base := run(pl.build(prose(n)), 3)
		for j, p := range linearPatterns {
			if (i+j)%every != 0 {
				continue
			}
			s, s4 := pl.build(fill(p, n)), pl.build(fill(p, 4*n))
			var d, d4 time.Duration
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s %q: panic: %v\n%s", pl.name, p, r, debug.Stack())
					}
				}()
				d, d4 = run(s, 1), run(s4, 1)
				if d4 > 8*d+5*time.Millisecond || d > 60*base+10*time.Millisecond {
					// measured again, longer, before it fails: one run may
					// have met a collection or a busy core
					d, d4 = min(d, run(s, 5)), min(d4, run(s4, 5))
				}
			}()
			for _, msg := range panics {
				t.Errorf("%s %q: a detector panicked: %s", pl.name, p, msg)
			}
			panics = panics[:0]
			res := linearResult{pl.name, p, 4 * n, d, d4}
			results = append(results, res)
			t.Logf("%s %q: %v, at four times the size %v (%.1f MB/s; prose %v)", pl.name, p, d, d4, res.mbps(), base)
			if d4 > 8*d+5*time.Millisecond {
				t.Errorf("%s: %q repeated to %d bytes: %v, to %d bytes %v: more than linear", pl.name, p, 4*n, d4, n, d)
			}
			if d > 60*base+10*time.Millisecond {
				t.Errorf("%s: %q repeated to %d bytes: %v, prose %v", pl.name, p, n, d, base)
			}
		}
	}
	slices.SortFunc(results, func(a, b linearResult) int { return int(b.d4 - a.d4) }) // the values are all 4n long
	var tab strings.Builder
	for _, r := range results[:min(40, len(results))] {
		fmt.Fprintf(&tab, "\n%-16s %-14q %8.1f MB/s  %v at %d bytes", r.place, r.pattern, r.mbps(), r.d4, r.size)
	}
	t.Logf("%d pairs in %v; the slowest:%s", len(results), time.Since(start).Round(time.Millisecond), tab.String())
}

// watched reports a detector's panics before the engine recovers from
// them (it drops the detector's signals and carries on, as it should in
// service, but a test must see them).
type watched struct {
	threat.Detector
	report func(string)
}

func (w watched) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	defer func() {
		if r := recover(); r != nil {
			w.report(fmt.Sprintf("%s: %v\n%s", w.Name(), r, debug.Stack()))
			panic(r)
		}
	}()
	return w.Detector.Detect(req, dst)
}

// watchedGroup is a watched detector that runs sub-detectors, whose names
// the engine reads.
type watchedGroup struct {
	watched
	g threat.Grouped
}

func (w watchedGroup) Detectors() []string { return w.g.Detectors() }

func watch(d threat.Detector, report func(string)) threat.Detector {
	w := watched{d, report}
	if g, ok := d.(threat.Grouped); ok {
		return watchedGroup{w, g}
	}
	return w
}
