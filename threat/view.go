package threat

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// Limits bound the work and memory the request view may take. The zero
// value of each field selects the default in its comment.
type Limits struct {
	MaxBodyPeek  int // bytes of the body inspected (64 KiB); the handler still reads it all
	MaxParams    int // decoded values kept (512)
	MaxValueLen  int // bytes of one raw value decoded (8 KiB); longer values are cut
	MaxQueryLen  int // bytes of the raw query parsed (64 KiB)
	MaxJSONDepth int // nesting depth of a JSON body (32)
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyPeek <= 0 {
		l.MaxBodyPeek = 64 << 10
	}
	if l.MaxParams <= 0 {
		l.MaxParams = 512
	}
	if l.MaxValueLen <= 0 {
		l.MaxValueLen = 8 << 10
	}
	if l.MaxQueryLen <= 0 {
		l.MaxQueryLen = 64 << 10
	}
	if l.MaxJSONDepth <= 0 {
		l.MaxJSONDepth = 32
	}
	return l
}

// NewRequest builds the read-only view of r that detectors inspect. When r
// has a textual body, at most lim.MaxBodyPeek bytes are read and r.Body is
// replaced by a reader that yields the same, complete body to the handler.
// Binary bodies (images, archives, octet-stream) are not read at all.
func NewRequest(r *http.Request, client, route string, lim Limits) *Request {
	req := &Request{}
	fillRequest(req, r, client, route, lim.withDefaults())
	req.Time = time.Now()
	return req
}

func fillRequest(req *Request, r *http.Request, client, route string, lim Limits) {
	req.Method = r.Method
	req.RawPath = r.URL.EscapedPath()
	req.Path = decode.Value(r.URL.Path, false)
	req.RawQuery = r.URL.RawQuery
	req.Proto = r.Proto
	req.Host = r.Host
	if ua := r.Header["User-Agent"]; len(ua) > 0 { // canonical key: no Get
		req.UserAgent = ua[0]
	}
	req.RemoteAddr = r.RemoteAddr
	req.Client = client
	req.Route = route
	req.Header = r.Header

	q := r.URL.RawQuery
	if len(q) > lim.MaxQueryLen {
		q = q[:lim.MaxQueryLen]
		req.Truncated = true
	}
	req.addPairs(SourceQuery, q, '&', true, lim)
	for _, c := range r.Header["Cookie"] {
		req.addPairs(SourceCookie, c, ';', false, lim)
	}
	req.peekBody(r, lim)
}

// addPairs splits s on sep into name=value pairs and appends them decoded.
func (req *Request) addPairs(src Source, s string, sep byte, plus bool, lim Limits) {
	for s != "" {
		var pair string
		if i := strings.IndexByte(s, sep); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			pair, s = s, ""
		}
		if src == SourceCookie {
			pair = strings.TrimSpace(pair)
		}
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		req.add(src, name, value, plus, lim)
		if req.Truncated && len(req.Params) >= lim.MaxParams {
			return
		}
	}
}

func (req *Request) add(src Source, name, raw string, plus bool, lim Limits) {
	if len(req.Params) >= lim.MaxParams {
		req.Truncated = true
		return
	}
	if len(raw) > lim.MaxValueLen {
		raw = raw[:lim.MaxValueLen]
		req.Truncated = true
	}
	if len(name) > 256 {
		name = name[:256]
		req.Truncated = true
	}
	req.Params = append(req.Params, Param{
		Source: src,
		Name:   decode.Value(name, plus),
		Value:  decode.Value(raw, plus),
		Raw:    raw,
	})
}

// peekBody reads the first bytes of a textual body and parses form or JSON
// bodies into values. The handler gets the whole body back.
func (req *Request) peekBody(r *http.Request, lim Limits) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	ct := r.Header.Get("Content-Type")
	mt := ct
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	kind := bodyKind(mt)
	if kind == bodyBinary {
		return
	}
	n := lim.MaxBodyPeek
	if r.ContentLength > 0 && r.ContentLength < int64(n) {
		n = int(r.ContentLength)
	}
	buf := make([]byte, n)
	got, err := io.ReadFull(r.Body, buf)
	buf = buf[:got]
	rest := r.Body
	if err != nil {
		// The body ended (or failed) within the peek: nothing more to read
		// after the peeked bytes except the error, which the handler sees.
		r.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), errReader{err}), closer: rest}
	} else {
		r.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), closer: rest}
		if r.ContentLength < 0 || r.ContentLength > int64(got) {
			req.Truncated = true
		}
	}
	switch kind {
	case bodyForm:
		req.addPairs(SourceForm, string(buf), '&', true, lim)
	case bodyJSON:
		req.addJSON(buf, lim)
	default:
		req.BodyPeek = buf
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == io.ErrUnexpectedEOF {
		return 0, io.EOF
	}
	return 0, e.err
}

type peekedBody struct {
	io.Reader
	closer io.Closer
}

func (b *peekedBody) Close() error { return b.closer.Close() }

type kindOfBody uint8

const (
	bodyText kindOfBody = iota
	bodyForm
	bodyJSON
	bodyBinary
)

func bodyKind(mt string) kindOfBody {
	switch {
	case mt == "application/x-www-form-urlencoded":
		return bodyForm
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return bodyJSON
	case mt == "", strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "xml"),
		strings.HasPrefix(mt, "multipart/form-data"), mt == "application/graphql",
		mt == "application/javascript":
		return bodyText
	}
	if _, _, err := mime.ParseMediaType(mt); err != nil {
		// An unparsable content type is inspected as text: attackers use
		// them to slip past filters.
		return bodyText
	}
	return bodyBinary
}

// addJSON flattens the keys and the string and number values of a JSON
// body, bounded by depth and by the parameter cap. Malformed JSON is kept as
// a raw peek for the detectors that scan bytes.
func (req *Request) addJSON(buf []byte, lim Limits) {
	type frame struct {
		object, wantKey bool
		key             string
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.UseNumber()
	stack := make([]frame, 0, 8)
	// value marks the end of a value in the enclosing object: the next
	// string there is a key again.
	value := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	name := func() string {
		if n := len(stack); n > 0 {
			return stack[n-1].key
		}
		return ""
	}
	for len(req.Params) < lim.MaxParams {
		tok, err := dec.Token()
		if err != nil {
			if err != io.EOF {
				req.BodyPeek = buf
			}
			return
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) >= lim.MaxJSONDepth {
					req.Truncated = true
					req.BodyPeek = buf
					return
				}
				stack = append(stack, frame{object: v == '{', wantKey: v == '{', key: name()})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = v, false
				// Keys are input too: prototype pollution and injection
				// hide in them.
				req.add(SourceJSON, "(key)", v, false, lim)
				continue
			}
			req.add(SourceJSON, name(), v, false, lim)
			value()
		case json.Number:
			req.add(SourceJSON, name(), string(v), false, lim)
			value()
		default: // bool, nil
			value()
		}
	}
	req.Truncated = true
}
