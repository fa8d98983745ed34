// Package labelled reads and writes labelled HTTP requests in the
// project's JSONL format (see ../shared/data/README.md), plain or
// gzip-compressed, and turns each row into an *http.Request.
package labelled

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Row is one labelled request.
type Row struct {
	ID       string            `json:"id"`
	Method   string            `json:"method"`
	URI      string            `json:"uri"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	Label    string            `json:"label"`
	Category string            `json:"category"`
	Client   string            `json:"client,omitempty"` // optional: rows sharing a client
}

// Attack reports whether the row is labelled as an attack.
func (r *Row) Attack() bool { return r.Label == "attack" }

// Read reads every row of a .jsonl or .jsonl.gz file.
func Read(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var in io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		in = gz
	}
	var rows []Row
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var r Row
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// Writer writes rows to a .jsonl file, or a .jsonl.gz file gzip-compressed,
// one JSON line a row, with '<', '>' and '&' written as they are.
type Writer struct {
	f   *os.File
	zw  *gzip.Writer // nil for a plain file
	bw  *bufio.Writer
	enc *json.Encoder
	n   int
}

// Create creates (or truncates) the file at path for writing rows,
// gzip-compressed when path ends in ".gz".
func Create(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f}
	var out io.Writer = f
	if strings.HasSuffix(path, ".gz") {
		w.zw = gzip.NewWriter(f)
		out = w.zw
	}
	w.bw = bufio.NewWriter(out)
	w.enc = json.NewEncoder(w.bw)
	w.enc.SetEscapeHTML(false)
	return w, nil
}

// Write writes r as one line.
func (w *Writer) Write(r Row) error {
	if err := w.enc.Encode(r); err != nil {
		return err
	}
	w.n++
	return nil
}

// Count is the number of rows written.
func (w *Writer) Count() int { return w.n }

// Close flushes what is buffered, ends the gzip stream and closes the
// file, and returns the first error of these. Call it once.
func (w *Writer) Close() error {
	err := w.bw.Flush()
	if w.zw != nil {
		if e := w.zw.Close(); err == nil {
			err = e
		}
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	return err
}

// Request builds the *http.Request a server would have parsed from the row.
// URIs that net/url rejects are kept raw rather than dropped: hostile rows
// are the point of the data.
func (r *Row) Request() *http.Request {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.ParseRequestURI(r.URI)
	if err != nil {
		path, query, _ := strings.Cut(r.URI, "?")
		u = &url.URL{Path: path, RawQuery: query}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
	}
	req := &http.Request{
		Method:     method,
		URL:        u,
		RequestURI: r.URI,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, len(r.Headers)),
		RemoteAddr: "192.0.2.10:40000",
		Body:       http.NoBody,
	}
	for k, v := range r.Headers {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	req.Host = req.Header.Get("Host")
	if r.Body != "" {
		req.Body = io.NopCloser(strings.NewReader(r.Body))
		req.ContentLength = int64(len(r.Body))
	}
	return req
}

// Replay is a row's request, built once, to be sent again and again (the
// benchmarks that replay a labelled set).
type Replay struct {
	req  *http.Request
	body string
}

// ReadReplays reads path and returns every n-th row (n ≥ 1) as a Replay.
func ReadReplays(path string, n int) ([]Replay, error) {
	rows, err := Read(path)
	if err != nil {
		return nil, err
	}
	var out []Replay
	for i := 0; i < len(rows); i += max(n, 1) {
		out = append(out, Replay{rows[i].Request(), rows[i].Body})
	}
	return out, nil
}

// Into sets *r to the row's request again, its body unread. r may live on
// the caller's stack: only the body's reader is allocated.
func (p *Replay) Into(r *http.Request) {
	*r = *p.req
	if p.body != "" {
		r.Body = io.NopCloser(strings.NewReader(p.body))
	}
}
