package threat

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/bulwarkhq/bulwark/internal/body"
	"github.com/bulwarkhq/bulwark/internal/decode"
)

// Limits bound the work and memory the request view may take. Within them
// every byte a handler could read is inspected whole: the query, each
// cookie, every header, the path and its matrix parameters, and the body
// parsed by what it holds (form, JSON, XML, multipart, text), after
// undoing its content coding and charset. A request that goes past a limit
// is inspected up to it and marked (Request.Uninspected, and the
// Assessment's): the middleware refuses it by default.
//
// The zero value of each field selects the default in its comment. A
// request view holds at most about MaxBody + MaxDecoded bytes of body,
// whatever the size of the body; the handler still reads all of it.
type Limits struct {
	// MaxBody is how many bytes of a body are read and inspected
	// (1 MiB). Bodies whose first bytes are a binary format's (images,
	// archives) are not read past those bytes, unless a text type is
	// declared.
	MaxBody int
	// MaxDecoded is how many bytes a compressed or re-encoded body may
	// decode to (MaxBody): a zip bomb stops there.
	MaxDecoded int
	// MaxParams is how many values are inspected: query and form
	// parameters, cookies, JSON strings and keys, XML text and
	// attributes, multipart parts (10,000).
	MaxParams int
	// MaxQuery is how many bytes of the query string are inspected
	// (1 MiB; net/http's default header limit is 1 MB).
	MaxQuery int
	// MaxDepth bounds the nesting of JSON, XML and multipart bodies
	// (128). Deeper values are still inspected.
	MaxDepth int
}

// Default limits, as the fields above say.
const (
	defaultMaxBody   = 1 << 20
	defaultMaxParams = 10000
	defaultMaxQuery  = 1 << 20
	defaultMaxDepth  = 128
)

func (l Limits) withDefaults() Limits {
	if l.MaxBody <= 0 {
		l.MaxBody = defaultMaxBody
	}
	if l.MaxDecoded <= 0 {
		l.MaxDecoded = l.MaxBody
	}
	if l.MaxParams <= 0 {
		l.MaxParams = defaultMaxParams
	}
	if l.MaxQuery <= 0 {
		l.MaxQuery = defaultMaxQuery
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	return l
}

// over returns l with its zero fields taken from base: a route's limits
// over the engine's.
func (l Limits) over(base Limits) Limits {
	if l.MaxBody <= 0 {
		l.MaxBody = base.MaxBody
	}
	// a route that takes larger bodies takes them decoded too
	if l.MaxDecoded <= 0 {
		l.MaxDecoded = max(base.MaxDecoded, l.MaxBody)
	}
	if l.MaxParams <= 0 {
		l.MaxParams = base.MaxParams
	}
	if l.MaxQuery <= 0 {
		l.MaxQuery = base.MaxQuery
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = base.MaxDepth
	}
	return l
}

// NewRequest builds the read-only view of r that detectors inspect. When r
// has a body, at most lim.MaxBody bytes of it are read, and r.Body is
// replaced by a reader that yields the same, complete body, byte for byte,
// to the handler. A panic while the view is built is caught and marks it
// UninspectedFailed, as in Engine.Parse.
func NewRequest(r *http.Request, client, route string, lim Limits) (req *Request) {
	lim = lim.withDefaults()
	req = &Request{Time: time.Now()}
	defer func() {
		if recover() != nil {
			req.Uninspected |= UninspectedFailed
		}
	}()
	// Params sized once for the query's and the cookies' pairs, where
	// growing it from none took four allocations for a handful of pairs.
	// Engine.Parse's views come from a pool with room for sixteen.
	n := pairSlots(r.URL.RawQuery, '&')
	for _, c := range r.Header["Cookie"] {
		n += pairSlots(c, ';')
	}
	if n > 0 {
		req.Params = make([]Param, 0, min(n, lim.MaxParams))
	}
	fillRequest(req, r, client, route, lim)
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
	req.ContentLength = r.ContentLength
	req.TransferEncoding = r.TransferEncoding

	q := r.URL.RawQuery
	if len(q) > lim.MaxQuery {
		q = q[:lim.MaxQuery]
		req.Uninspected |= UninspectedQuery
	}
	req.growFor(q)
	req.addPairs(SourceQuery, q, '&', true, lim)
	for _, c := range r.Header["Cookie"] {
		req.addPairs(SourceCookie, c, ';', false, lim)
	}
	if strings.IndexByte(req.RawPath, ';') >= 0 {
		req.addMatrix(req.RawPath, lim)
	}
	req.readBody(r, lim)
}

// addPairs splits s on sep into name=value pairs and appends them decoded.
// A query with a segment that has no '=' is read again by addJoined.
func (req *Request) addPairs(src Source, s string, sep byte, plus bool, lim Limits) {
	all, unpaired := s, false
	for s != "" {
		var pair string
		if i := strings.IndexByte(s, sep); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			pair, s = s, ""
		}
		if src == SourceCookie && pair != "" && (trimmable[pair[0]] || trimmable[pair[len(pair)-1]]) {
			pair = strings.TrimSpace(pair)
		}
		if pair == "" {
			continue
		}
		name, value := pair, ""
		if i := strings.IndexByte(pair, '='); i >= 0 {
			name, value = pair[:i], pair[i+1:]
		} else {
			unpaired = true
		}
		if !req.add(src, name, value, plus, "", lim.MaxParams) {
			return
		}
	}
	if src == SourceQuery && unpaired {
		req.addJoined(all, plus, lim)
	}
}

// addJoined appends, for each pair of the query q that segments with no
// '=' follow (unpairedTail), its value joined to them by their '&', as a
// CGI script or anything that reads the query string whole sees it:
// Nessus's probes carry a command across a raw '&' ("stuff=\"ping;-w;1&rem;"
// is a parameter stuff and one named "rem;").
func (req *Request) addJoined(q string, plus bool, lim Limits) {
	for q != "" {
		pair, rest, _ := strings.Cut(q, "&")
		q = rest
		i := strings.IndexByte(pair, '=')
		if i < 0 || rest == "" {
			continue
		}
		if tail := unpairedTail(rest); tail != "" {
			if !req.add(SourceQuery, pair[:i], pair[i+1:]+"&"+tail, plus, "", lim.MaxParams) {
				return
			}
		}
	}
}

// unpairedTail returns the segments that open s (what follows a pair and
// its '&') with no '=' in them, joined by their '&', when one of them
// holds a byte no plain flag has ("rem;", "uname #"); otherwise "". Flags
// of words ("&desc", "&download") are left to stand alone. The tail is
// cut at 1 KiB.
func unpairedTail(s string) string {
	end, odd := 0, false
	for end < len(s) && end < 1024 {
		seg := s[end:]
		if k := strings.IndexByte(seg, '&'); k >= 0 {
			seg = seg[:k]
		}
		if strings.IndexByte(seg, '=') >= 0 {
			break
		}
		for k := 0; k < len(seg) && !odd; k++ {
			c := seg[k]
			odd = !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.')
		}
		end += len(seg)
		if end < len(s) {
			end++ // the '&'
		}
	}
	if !odd {
		return ""
	}
	return strings.TrimSuffix(s[:min(end, len(s), 1024)], "&")
}

// trimmable marks the bytes strings.TrimSpace may trim from: ASCII white
// space, and the lead bytes of Unicode's (all from 0x80). A cookie pair
// whose ends are neither, most of them, is kept as it is without a call.
var trimmable = func() (t [256]bool) {
	for _, c := range []byte{'\t', '\n', '\v', '\f', '\r', ' '} {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// pairSlots returns how many pairs addPairs may take from s: one more
// than its separators, none when s is empty.
func pairSlots(s string, sep byte) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, string(sep)) + 1
}

// growFor makes room in Params for the pairs of a long query or form, so
// that hundreds of parameters are not copied as the slice grows.
func (req *Request) growFor(pairs string) {
	if len(pairs) < 256 {
		return
	}
	if n := strings.Count(pairs, "&") + 1; n > 16 {
		req.Params = slices.Grow(req.Params, min(n, defaultMaxParams))
	}
}

// addMatrix adds the matrix parameters of the path's segments
// ("/users;id=7/orders;sort=asc"), which Java and other servers read as
// parameters, as path values named by their parameter.
//
// The segments and pairs are cut in place, not split into slices: a path
// of a million ';' would otherwise cost a slice of a million strings.
func (req *Request) addMatrix(raw string, lim Limits) {
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "/")
		_, params, ok := strings.Cut(seg, ";")
		if !ok {
			continue
		}
		for params != "" {
			var pair string
			pair, params, _ = strings.Cut(params, ";")
			if pair == "" {
				continue
			}
			name, value, _ := strings.Cut(pair, "=")
			if !req.add(SourcePath, name, value, false, "", lim.MaxParams) {
				return
			}
		}
	}
}

// add appends one decoded value; it reports false once the value cap,
// maxParams, is reached.
func (req *Request) add(src Source, name, raw string, plus bool, via string, maxParams int) bool {
	if len(req.Params) >= maxParams {
		req.Uninspected |= UninspectedParams
		return false
	}
	// most names and many values are short and plain: tested inline, and
	// decoded by a call only when they are not
	decName, value := name, raw
	if !decode.Plain(name, plus) {
		decName = decode.Value(name, plus)
	}
	if !decode.Plain(raw, plus) {
		value = decode.Value(raw, plus)
	}
	// written in place: an append of a Param literal builds it on the
	// stack and copies it
	n := len(req.Params)
	if n == cap(req.Params) {
		req.Params = slices.Grow(req.Params, 1)
	}
	req.Params = req.Params[:n+1]
	p := &req.Params[n]
	p.Source, p.Name, p.RawName, p.Value, p.Raw, p.Via = src, decName, name, value, raw, via
	return true
}

// decodeDoc decodes the Value of the XML document Params[i] from its Raw,
// for a document no XMLDocMarkup replaced. (A method rather than a
// closure of parseData: the Emit closure, which calls it, escapes, and
// would take a closure it calls to the heap with it.)
func (req *Request) decodeDoc(i int) {
	d := &req.Params[i]
	d.Value = decode.Value(d.Raw, false)
}

// sniffLen is how much of a body is read to recognise binary uploads
// before reading the rest.
const sniffLen = 512

// readBody reads up to lim.MaxBody bytes of the body, gives the handler a
// body that yields every byte, and parses what was read by what it is.
func (req *Request) readBody(r *http.Request, lim Limits) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	ct := ""
	if v := r.Header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	mt := body.MediaType(ct)
	if strings.HasPrefix(mt, "application/grpc") {
		// gRPC streams protobuf frames both ways: reading ahead would
		// stall a stream, and no text parser reads them
		return
	}
	codings := strings.Join(r.Header["Content-Encoding"], ",")

	// Read what fits in the limit, one byte more to know whether the body
	// goes past it. A declared length saves the growing; it is trusted
	// only up to the limit.
	want := lim.MaxBody + 1
	if r.ContentLength > 0 && r.ContentLength < int64(want) {
		want = int(r.ContentLength)
	}
	// a declared length sizes the buffer (up to the limit); an unknown one
	// grows it from 64 KiB
	size := min(want, 64<<10)
	if r.ContentLength > 0 {
		size = want
	}
	buf := make([]byte, 0, size)
	buf, err := readAtMost(r.Body, buf, min(want, sniffLen))
	binary := err == nil && codings == "" && !body.DeclaredText(mt) && body.Binary(unsafeString(buf))
	if err == nil && !binary && len(buf) < want {
		buf, err = readAtMost(r.Body, buf, want)
	}
	pb := &peekedBody{buf: buf, rest: r.Body, closer: r.Body}
	if err != nil {
		// The body ended (or failed) within what was read: nothing more to
		// read after it but the error, which the handler sees.
		pb.rest, pb.err = nil, err
	}
	r.Body = pb
	if binary {
		return
	}
	data := buf
	if len(data) > lim.MaxBody {
		data = data[:lim.MaxBody]
		req.Uninspected |= UninspectedBody
	}
	req.parseBody(data, ct, mt, codings, lim)
}

// parseBody undoes the body's content coding and charset and parses it.
func (req *Request) parseBody(data []byte, ct, mt, codings string, lim Limits) {
	via := ""
	if codings != "" {
		out, err := body.Inflate(data, codings, lim.MaxDecoded)
		switch err {
		case nil:
			data, via = out, strings.ToLower(strings.TrimSpace(codings))
		case body.ErrTooLarge:
			data, via = out, strings.ToLower(strings.TrimSpace(codings))
			req.Uninspected |= UninspectedDecoded
		case body.ErrUnsupported:
			req.Uninspected |= UninspectedEncoding
		}
		// a corrupt coding is inspected as it came: a backend that reads it
		// reads these bytes
	}
	charset := body.Param1(ct, "charset")
	if out, ok, err := body.DecodeCharset(data, "", lim.MaxDecoded); ok {
		// UTF-16 or UTF-32 by their bytes, or a UTF-8 byte order mark
		data = out
		if err == body.ErrTooLarge {
			req.Uninspected |= UninspectedDecoded
		}
		if via == "" {
			via = "charset"
		}
	} else if body.Exotic(charset) {
		// A declared charset that moves ASCII (charset=ibm037): a backend
		// that honours it reads the body decoded, one that does not reads
		// it as it came. Inspect both, and the form values as bytes
		// percent-decoded and then decoded, as ASP.NET reads them.
		cs := strings.ToLower(charset)
		if out, ok, err := body.DecodeCharset(data, charset, lim.MaxDecoded); ok {
			if err == body.ErrTooLarge {
				req.Uninspected |= UninspectedDecoded
			}
			req.parseData(out, ct, mt, cs, "", lim)
		}
		req.parseData(data, ct, mt, via, cs, lim)
		return
	}
	req.parseData(data, ct, mt, via, "", lim)
}

// parseData parses a decoded body by what it is; values come from via (a
// decoding named in their Location). formCharset, when set, adds each form
// value percent-decoded and then decoded from that charset.
func (req *Request) parseData(data []byte, ct, mt, via, formCharset string, lim Limits) {
	s := unsafeString(data)
	boundary := body.Param1(ct, "boundary")
	f := body.Sniff(s, mt, boundary)
	if f == body.FormatBinary || f == body.FormatEmpty {
		return
	}
	if f == body.FormatForm {
		req.growFor(s)
	}
	// JSON and XML keys and values of one plain word ("id", "en", "true")
	// hold nothing to inspect, and bulk documents hold thousands: the
	// parser leaves them out, and they do not count against MaxParams
	p := body.Parser{MaxDepth: lim.MaxDepth, SkipWords: true}
	// doc is the index in Params of the XML document emitted last, while
	// its Value is still its raw bytes: the markup that follows most
	// documents (XMLDocMarkup) replaces Value and Raw, so the document is
	// decoded only when none does (decodeDoc), rather than decoded whole
	// and the result dropped
	doc := -1
	p.Emit = func(v body.Value) bool {
		src, name, plus := SourceText, v.Name, false
		if v.Kind == body.XMLDocMarkup {
			// the document's markup stands for the document: its long
			// runs of text are values of their own
			if doc >= 0 {
				d := &req.Params[doc]
				d.Value, d.Raw = decode.Value(v.Value, false), v.Value
				doc = -1
			}
			return true
		}
		if v.Kind == body.XMLDoc {
			if doc >= 0 {
				req.decodeDoc(doc)
				doc = -1
			}
			// added empty (nothing to decode), then given its bytes
			if !req.add(SourceXML, name, "", false, via, lim.MaxParams) {
				return false
			}
			doc = len(req.Params) - 1
			req.Params[doc].Value, req.Params[doc].Raw = v.Value, v.Value
			return true
		}
		switch v.Kind {
		case body.Form:
			src, plus = SourceForm, true
			if formCharset != "" {
				if d, ok := body.DecodeString(decode.Percent(v.Value, true), formCharset, len(v.Value)*3); ok &&
					!req.add(SourceForm, name, d, false, formCharset, lim.MaxParams) {
					return false
				}
			}
		case body.JSON, body.JSONKey:
			src = SourceJSON
		case body.XMLText, body.XMLAttr, body.XMLMarkup:
			src = SourceXML
		case body.Field:
			src = SourceMultipart
		case body.FileName:
			src, name = SourceFile, "(filename)"
		case body.File:
			src = SourceFile
		}
		return req.add(src, name, v.Value, plus, via, lim.MaxParams)
	}
	p.Parse(s, f, boundary)
	if doc >= 0 {
		req.decodeDoc(doc)
	}
	if p.Deep {
		req.Uninspected |= UninspectedDepth
	}
	if p.Malformed && f == body.FormatJSON && !p.Stopped() {
		// what a lenient parser makes of broken JSON is anyone's guess:
		// inspect the body whole too
		req.add(SourceText, "", s, false, via, lim.MaxParams)
	}
}

// readAtMost appends from r to buf until it holds n bytes or r ends. It
// returns a nil error only when buf holds n bytes.
func readAtMost(r io.Reader, buf []byte, n int) ([]byte, error) {
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), 4096), n))
			copy(grown, buf)
			buf = grown
		}
		k, err := r.Read(buf[len(buf):min(cap(buf), n)])
		buf = buf[:len(buf)+k]
		if err != nil {
			if len(buf) == n && err == io.EOF {
				return buf, nil
			}
			return buf, err
		}
	}
	return buf, nil
}

// unsafeString views b as a string without copying. The view's body
// buffers are never written after they are read, and the strings made
// from them live no longer than the buffers.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// peekedBody is the body the handler reads: the bytes the view read, then
// the rest of the original body, or the error that ended it within them (an
// early end of the body reads as its end). One allocation a request, where
// an io.MultiReader of a bytes.Reader and an error reader took four.
type peekedBody struct {
	buf    []byte    // read ahead and not yet handed out
	rest   io.Reader // the original body after buf; nil once it returned io.EOF, or when err is set
	err    error     // what ended the original body within buf
	closer io.Closer
}

func (b *peekedBody) Read(p []byte) (int, error) {
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	if b.rest == nil {
		if b.err == nil || b.err == io.ErrUnexpectedEOF {
			return 0, io.EOF
		}
		return 0, b.err
	}
	n, err := b.rest.Read(p)
	if err == io.EOF {
		b.rest = nil // as io.MultiReader: the end, whatever the body does next
	}
	return n, err
}

func (b *peekedBody) Close() error { return b.closer.Close() }
