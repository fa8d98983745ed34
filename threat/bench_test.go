package threat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// browserGET is a typical benign request: five query parameters and the
// headers a browser sends.
func browserGET(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-GB,en;q=0.9,es;q=0.8")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("Referer", "https://shop.example.com/catalog")
	r.Header.Set("Cookie", "session=4f1c9a2e8b7d; theme=dark")
	return r
}

// assessAt builds the view of r, assesses it and releases the view, as
// bulwark's decision core does for each request.
func assessAt(e *threat.Engine, r *http.Request, client string, now time.Time, lim threat.Limits) threat.Assessment {
	req := e.Parse(r, client, "", now, lim)
	defer e.Release(req)
	return e.Assess(context.Background(), req)
}

// benchAssess scores target from 1024 clients picked at random, on a
// simulated clock that moves 5.5 ms per request: each client sends about one
// request every 5.6 s, as people do. On the real clock a benchmark loop
// would make every client flood, and be scored as one.
func benchAssess(b *testing.B, target string) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	e, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := browserGET(target)
	clients := make([]string, 1024)
	for i := range clients {
		clients[i] = "198.51.100." + strconv.Itoa(i%250) + "-" + strconv.Itoa(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int, 1<<16)
	for i := range order {
		order[i] = rng.IntN(len(clients))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		now.Add(int64(5500 * time.Microsecond))
		assessAt(e, r, clients[order[i%len(order)]], clock(), threat.Limits{})
		i++
	}
}

// BenchmarkBaselineView builds only the request view: the floor under
// every Assess.
func BenchmarkBaselineView(b *testing.B) {
	r := browserGET("/search?q=red+running+shoes&size=42&color=blue&page=2&sort=price_asc")
	b.ReportAllocs()
	for b.Loop() {
		threat.NewRequest(r, "c", "", threat.Limits{})
	}
}

func BenchmarkAssessBenign(b *testing.B) {
	benchAssess(b, "/search?q=red+running+shoes&size=42&color=blue&page=2&sort=price_asc")
}

func BenchmarkAssessAttack(b *testing.B) {
	benchAssess(b, "/search?q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--&size=42&color=%3Cscript%3Ealert(1)%3C/script%3E&page=2&sort=price_asc")
}

// prose returns n bytes of English-like prose (internal/benchtext).
func prose(n int) string { return benchtext.Prose(n) }

// benchBody assesses a POST of body under ctype, reporting bytes a second;
// with view set it only builds the request view (parsing, decoding), the
// floor under the detectors.
func benchBody(b *testing.B, ctype, body string, view bool) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := httptest.NewRequest("POST", "/notes", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		if view {
			if req := threat.NewRequest(r, "c", "", threat.Limits{}); req.Uninspected != 0 || len(req.Params) == 0 {
				b.Fatalf("uninspected %v, %d values", req.Uninspected, len(req.Params))
			}
			continue
		}
		a := assessAt(e, r, "bench-"+strconv.Itoa(i&1023), time.Now(), threat.Limits{})
		if a.Uninspected != 0 {
			b.Fatalf("uninspected %v", a.Uninspected)
		}
		i++
	}
}

const benchMiB = 1<<20 - 4096 // a little under the default body limit

// proseForm is a 1 MiB form of 4,000-byte prose fields.
func proseForm() string {
	var s strings.Builder
	text := prose(benchMiB)
	for i := 0; s.Len() < benchMiB-8192; i++ {
		s.WriteString("field" + strconv.Itoa(i) + "=" + url.QueryEscape(text[i*4000:(i+1)*4000]) + "&")
	}
	return s.String()
}

// proseJSON is a 1 MiB JSON array of comment objects.
func proseJSON() string {
	text := prose(benchMiB)
	var items []map[string]any
	size := 0
	for i := 0; size < benchMiB-4096; i++ {
		c := text[i*600 : (i+1)*600]
		items = append(items, map[string]any{"id": i, "author": "user" + strconv.Itoa(i), "comment": c, "tags": []string{"a", "b"}})
		size += len(c) + 70
	}
	js, _ := json.Marshal(items)
	return string(js)
}

// proseMultipart is a 1 MiB multipart form of prose fields and a text file.
func proseMultipart() (string, string) {
	text := prose(benchMiB)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; buf.Len() < benchMiB/2; i++ {
		w.WriteField("field"+strconv.Itoa(i), text[i*2000:(i+1)*2000])
	}
	f, _ := w.CreateFormFile("notes", "notes.txt")
	io.WriteString(f, text[benchMiB/2+1000:benchMiB-2000])
	w.Close()
	return buf.String(), w.FormDataContentType()
}

// proseXML is a 1 MiB XML document of prose elements.
func proseXML() string {
	text := prose(benchMiB)
	var s strings.Builder
	s.WriteString(`<?xml version="1.0"?><notes>`)
	for i := 0; s.Len() < benchMiB-4096; i++ {
		s.WriteString(`<note id="n` + strconv.Itoa(i) + `">` + strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(text[i*1000:(i+1)*1000]) + "</note>")
	}
	s.WriteString("</notes>")
	return s.String()
}

// The Body benchmarks assess a 1 MiB body of prose; the View ones only
// build its request view.
func BenchmarkBodyText1MiB(b *testing.B) { benchBody(b, "text/plain", prose(benchMiB), false) }
func BenchmarkBodyForm1MiB(b *testing.B) {
	benchBody(b, "application/x-www-form-urlencoded", proseForm(), false)
}
func BenchmarkBodyJSON1MiB(b *testing.B) { benchBody(b, "application/json", proseJSON(), false) }
func BenchmarkViewText1MiB(b *testing.B) { benchBody(b, "text/plain", prose(benchMiB), true) }
func BenchmarkViewForm1MiB(b *testing.B) {
	benchBody(b, "application/x-www-form-urlencoded", proseForm(), true)
}
func BenchmarkViewJSON1MiB(b *testing.B) { benchBody(b, "application/json", proseJSON(), true) }
func BenchmarkViewXML1MiB(b *testing.B)  { benchBody(b, "application/xml", proseXML(), true) }
func BenchmarkBodyXML1MiB(b *testing.B)  { benchBody(b, "application/xml", proseXML(), false) }
func BenchmarkBodyMultipart1MiB(b *testing.B) {
	body, ct := proseMultipart()
	benchBody(b, ct, body, false)
}
func BenchmarkViewMultipart1MiB(b *testing.B) {
	body, ct := proseMultipart()
	benchBody(b, ct, body, true)
}

// BenchmarkHeaders1MiB: a GET with 1 MiB of headers: 250 custom headers
// of 4,000 bytes of prose and a 32 KiB Cookie header of 1,300 cookies.
func BenchmarkHeaders1MiB(b *testing.B) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	text := prose(benchMiB)
	r := browserGET("/")
	n := 0
	for i := 0; i < 250; i++ {
		v := text[i*4000 : (i+1)*4000]
		r.Header.Set("X-Custom-"+strconv.Itoa(i), v)
		n += len(v)
	}
	var c strings.Builder
	for i := 0; c.Len() < 32<<10; i++ {
		c.WriteString("pref" + strconv.Itoa(i) + "=" + url.QueryEscape(text[i*16:i*16+16]) + "; ")
	}
	r.Header.Set("Cookie", c.String())
	n += c.Len()
	b.SetBytes(int64(n))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if a := assessAt(e, r, "bench-"+strconv.Itoa(i&1023), time.Now(), threat.Limits{}); a.Uninspected != 0 {
			b.Fatalf("uninspected %v", a.Uninspected)
		}
		i++
	}
}

// payloadsData is the labelled attack set beside the repository
// (../shared/data/README.md); BenchmarkAssessPayloads skips without it.
const payloadsData = "../../shared/data/requests-payloads.jsonl.gz"

// BenchmarkAssessPayloads replays every 8th row of requests-payloads
// (2,155 attacks of every family and placement, padded ones included),
// each from a fresh client, as examples/evaluate does: the set whose mean
// check time is the highest. Run it 2155x for one pass: a second pass
// finds the clean header and cookie values of the first in the
// signature detector's cache, which the evaluation never does.
func BenchmarkAssessPayloads(b *testing.B) {
	if _, err := os.Stat(payloadsData); err != nil {
		b.Skip("no shared data:", err)
	}
	rows, err := labelled.ReadReplays(payloadsData, 8)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC() // the whole set is garbage: collect it before the loop, not in it
	e, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var r http.Request
		rows[i%len(rows)].Into(&r)
		now = now.Add(time.Millisecond)
		assessAt(e, &r, "payload-"+strconv.Itoa(i), now, threat.Limits{})
		i++
	}
}
