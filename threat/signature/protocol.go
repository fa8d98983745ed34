package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/internal/body"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanProtocol finds HTTP protocol attacks: methods that are not tokens
// or that only attackers send (TRACE, TRACK, DEBUG), request smuggling
// markers (Content-Length with Transfer-Encoding, obfuscated or repeated
// framing headers, a request line inside a parameter, a GET with a body),
// NUL bytes and line breaks in the path or parameter names, hostile Host,
// Range and Content-Type values (UTF-7 and EBCDIC charsets), the httpoxy
// Proxy header, invalid percent-escapes and fullwidth %uFFxx forms, and
// unknown protocol versions.
//
// Go's own server rejects many malformed requests before any handler runs;
// these rules cover what it lets through and requests that reach bulwark
// by other routes (proxies, replays, evaluation files).

const (
	protoMethod = iota
	protoSmuggling
	protoNUL
	protoHost
	protoRange
	protoVersion
	protoCharset
	protoCRLFPath
	protoHeaderPolicy
	protoBody
	protoEscape
	protoFullwidth
	protoCRLFName
	protoSession
)

func scanProtocol(req *threat.Request, h *headerFacts, pf *paramFacts, dst []threat.Signal) []threat.Signal {
	var seen rules
	in := func(src threat.Source, name, v string) *input {
		return &input{src: src, name: name, value: v}
	}
	if conf, rule := methodRisk(req.Method); conf > 0 && seen.first(protoMethod) {
		dst = append(dst, signal(nameProtocol, rule, conf, in(threat.SourceHeader, "(method)", req.Method), 0, len(req.Method)))
	}
	switch req.Proto {
	case "", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0", "HTTP/3", "HTTP/3.0":
	default:
		if seen.first(protoVersion) {
			dst = append(dst, signal(nameProtocol, "protocol.version", 0.8, in(threat.SourceHeader, "(proto)", req.Proto), 0, len(req.Proto)))
		}
	}
	if len(h.override) > 0 && seen&(1<<protoMethod) == 0 {
		// a method smuggled past the request line, as frameworks honour it
		if conf, rule := methodRisk(strings.ToUpper(strings.TrimSpace(h.override[0]))); conf >= 0.9 && seen.first(protoMethod) {
			dst = append(dst, signal(nameProtocol, rule, conf, in(threat.SourceHeader, "X-HTTP-Method-Override", h.override[0]), 0, len(h.override[0])))
		}
	}
	te, cl := h.te, h.cl
	if len(te) == 0 {
		te = req.TransferEncoding // net/http moves it out of the header map
	}
	conf, why := smuggling(te, cl)
	switch {
	case conf > 0:
	case len(h.te) > 0 && (req.Proto == "HTTP/1.0" || req.Proto == "HTTP/0.9"):
		// net/http ignores Transfer-Encoding on HTTP/1.0 (and leaves it in
		// the header map); a proxy in front may have honoured it
		conf, why = 0.9, "Transfer-Encoding on "+req.Proto
	case h.framingAlias != "":
		// proxies that turn '_' into '-' read a second framing header
		conf, why = 0.9, "framing header alias "+excerpt(h.framingAlias, 0, len(h.framingAlias), 32)
	}
	if conf > 0 && seen.first(protoSmuggling) {
		dst = append(dst, signal(nameProtocol, "protocol.smuggling", conf, in(threat.SourceHeader, "Transfer-Encoding", why), 0, len(why)))
	}
	if hosts := h.host; len(hosts) > 1 || badHost(req.Host) {
		if seen.first(protoHost) {
			dst = append(dst, signal(nameProtocol, "protocol.host", 0.85, in(threat.SourceHeader, "Host", req.Host), 0, len(req.Host)))
		}
	}
	if r := h.rng; len(r) > 0 {
		conf := rangeRisk(r[0])
		if len(r) > 1 {
			conf = 0.9
		}
		if conf > 0 && seen.first(protoRange) {
			dst = append(dst, signal(nameProtocol, "protocol.range", conf, in(threat.SourceHeader, "Range", r[0]), 0, len(r[0])))
		}
	}
	if len(h.ct) > 1 && seen.first(protoCharset) {
		// two Content-Types: the backend and bulwark may read the body by
		// different ones
		dst = append(dst, signal(nameProtocol, "protocol.content_type", 0.9, in(threat.SourceHeader, "Content-Type", h.ct[1]), 0, len(h.ct[1])))
	}
	for _, ct := range h.ct {
		if conf := contentTypeRisk(ct); conf > 0 && seen.first(protoCharset) {
			dst = append(dst, signal(nameProtocol, "protocol.content_type", conf, in(threat.SourceHeader, "Content-Type", ct), 0, len(ct)))
		}
	}
	if j := indexLineBreak(req.Path); j >= 0 && seen.first(protoCRLFPath) {
		// a line break in the request target: response splitting and
		// header injection through the path (no client sends one)
		dst = append(dst, signal(nameProtocol, "protocol.crlf_path", 0.99, in(threat.SourcePath, "", req.Path), j, j+1))
	}
	if h.proxy != nil && seen.first(protoHeaderPolicy) {
		// httpoxy (CVE-2016-5385): CGI turns it into HTTP_PROXY
		dst = append(dst, signal(nameProtocol, "protocol.httpoxy", 0.99, in(threat.SourceHeader, "Proxy", h.proxy[0]), 0, len(h.proxy[0])))
	}
	if (req.Method == "GET" || req.Method == "HEAD") && (req.ContentLength > 0 || len(req.TransferEncoding) > 0) &&
		seen.first(protoBody) {
		// a body where none is defined: smuggling through servers that
		// ignore it, and a way past filters that read no GET body
		dst = append(dst, signal(nameProtocol, "protocol.get_body", 0.9, in(threat.SourceHeader, "(method)", req.Method), 0, len(req.Method)))
	}
	for _, raw := range [2]string{req.RawPath, req.RawQuery} {
		if i, bad := badEscape(raw); i >= 0 {
			if bad && seen.first(protoEscape) {
				dst = append(dst, signal(nameProtocol, "protocol.bad_escape", 0.8, in(threat.SourcePath, "", raw), i, i+3))
			} else if !bad && seen.first(protoFullwidth) {
				dst = append(dst, signal(nameProtocol, "protocol.fullwidth", 0.8, in(threat.SourcePath, "", raw), i, i+6))
			}
		}
	}
	if strings.Contains(req.RawPath, "%00") || strings.IndexByte(req.Path, 0) >= 0 {
		if seen.first(protoNUL) {
			// no path holds a NUL but to cut a name short (CRS's rule
			// 920270 refuses it at its first paranoia level too)
			dst = append(dst, signal(nameProtocol, "protocol.nul_path", 0.99, in(threat.SourcePath, "", req.RawPath), 0, len(req.RawPath)))
		}
	}
	if pf.session > 0 && seen.first(protoSession) {
		// a platform's session identifier in a link no page of the site
		// referred (session.go)
		if ref := req.Header.Get("Referer"); !sameSite(ref, req.Host) {
			p := &req.Params[pf.session-1]
			x := input{src: p.Source, name: "(name)", value: p.Name}
			dst = append(dst, signal(nameProtocol, "session.fixation", 0.99, &x, 0, len(p.Name)))
		}
	}
	// a query parameter's raw form is a piece of the raw query: without a
	// "%00" there, none holds one (and the raw query's bad escapes were
	// looked for above). A view built by hand may have no raw query.
	queryNUL := seen&(1<<protoNUL) == 0 && (req.RawQuery == "" || strings.Contains(req.RawQuery, "%00"))
	for i := range req.Params {
		if pf.plain.has(i) {
			continue // no '%', line break or control byte to find
		}
		p := &req.Params[i]
		// the escapes of the raw form, for both questions, in one walk;
		// none to find when the raw form decodes plainly to a value
		// without a NUL (a form field of prose: its escapes are read
		// once, by scanTraversal)
		nul, esc, bad := -1, -1, false
		wantEsc := p.Source == threat.SourceForm && seen&(1<<protoEscape) == 0
		if (seen&(1<<protoNUL) == 0 && p.Source != threat.SourceJSON && (p.Source != threat.SourceQuery || queryNUL) || wantEsc) &&
			!(pf.escPlain.has(i) && strings.IndexByte(p.Value, 0) < 0) {
			nul, esc, bad = rawEscapes(p.Raw)
		}
		if seen&(1<<protoNUL) == 0 && p.Source != threat.SourceJSON && nul >= 0 {
			seen.first(protoNUL)
			x := input{src: p.Source, name: p.Name, value: p.Raw}
			if nulTruncation(p.Raw, nul) {
				// "shell.php%00.jpg": a check reads the extension after the
				// NUL, a C string ends before it
				dst = append(dst, signal(nameProtocol, "protocol.nul_truncation", 0.99, &x, nul, len(p.Raw)))
			} else {
				dst = append(dst, signal(nameProtocol, "protocol.nul", 0.7, &x, nul, nul+3))
			}
		}
		if j := indexLineBreak(p.Name); j >= 0 && seen&(1<<protoCRLFName) == 0 && namedBy(p.Source) {
			seen.first(protoCRLFName)
			x := input{src: p.Source, name: "(name)", value: p.Name}
			dst = append(dst, signal(nameProtocol, "protocol.crlf_name", 0.95, &x, j, j+1))
		}
		if seen&(1<<protoSmuggling) == 0 && hasByte(p.Value, '\n') {
			if j := smuggledRequest(p.Value); j >= 0 {
				seen.first(protoSmuggling)
				x := input{src: p.Source, name: p.Name, value: p.Value}
				dst = append(dst, signal(nameProtocol, "protocol.smuggling", 0.99, &x, j, j+24))
			}
		}
		if wantEsc && esc >= 0 && bad {
			seen.first(protoEscape)
			x := input{src: p.Source, name: p.Name, value: p.Raw}
			dst = append(dst, signal(nameProtocol, "protocol.bad_escape", 0.8, &x, esc, esc+3))
		}
	}
	return dst
}

// indexLineBreak returns the index of the first CR or LF in s, or -1.
func indexLineBreak(s string) int {
	if len(s) < 32 {
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' || s[i] == '\r' {
				return i
			}
		}
		return -1
	}
	i := strings.IndexByte(s, '\n')
	if j := strings.IndexByte(s, '\r'); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	return i
}

// hasByte reports whether s holds c: a loop for short strings, where a
// vectorised search costs more than it saves.
func hasByte(s string, c byte) bool {
	if len(s) < 32 {
		for i := 0; i < len(s); i++ {
			if s[i] == c {
				return true
			}
		}
		return false
	}
	return strings.IndexByte(s, c) >= 0
}

// contentTypeRisk rates a Content-Type value: 0.99 for a charset that
// moves ASCII (UTF-7, EBCDIC: a way past filters that read bytes as
// ASCII, and no browser sends one), 0.9 for repeated charset or boundary
// parameters and for a value that is no media type.
func contentTypeRisk(ct string) float64 {
	// a parameter needs an '=', a repeated one two: most values hold
	// none ("application/json") or one
	if eq := strings.Count(ct, "="); eq > 0 {
		if cs := body.Param1(ct, "charset"); cs != "" {
			c := strings.ToLower(cs)
			if strings.Contains(c, "utf-7") || strings.Contains(c, "utf7") || body.Exotic(cs) {
				return 0.99
			}
		}
		if eq > 1 {
			lo := strings.ToLower(ct)
			if strings.Count(lo, "boundary=") > 1 || strings.Count(lo, "charset=") > 1 {
				return 0.9
			}
		}
	}
	mt := strings.TrimSpace(ct)
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !token(typ) || !token(sub) {
		return 0.9
	}
	return 0
}

func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar(s[i]) {
			return false
		}
	}
	return true
}

// badEscape finds the first escape of s that is not one: a '%' without
// two hex digits after it (bad), or a %uFFxx fullwidth form (not bad, a
// Unicode normalisation trick). It returns -1 when there is neither.
func badEscape(s string) (int, bool) {
	for i := strings.IndexByte(s, '%'); i >= 0 && i < len(s); {
		switch {
		case i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && allHex(s[i+2:i+6]):
			if (s[i+2] == 'f' || s[i+2] == 'F') && (s[i+3] == 'f' || s[i+3] == 'F') {
				return i, false
			}
			i += 6
		case i+2 < len(s) && allHex(s[i+1:i+3]):
			i += 3
		default:
			return i, true
		}
		j := strings.IndexByte(s[i:], '%')
		if j < 0 {
			break
		}
		i += j
	}
	return -1, false
}

// rawEscapes is strings.Index(s, "%00") and badEscape(s) in one walk over
// the '%' of s: a form field of prose has one every few dozen bytes, and
// each walk finds each of them anew. The walk visits every '%' (no escape
// badEscape steps over holds one), and stops once it has both answers.
func rawEscapes(s string) (nul, esc int, bad bool) {
	nul, esc = -1, -1
	escDone := false
	for i := strings.IndexByte(s, '%'); i >= 0; {
		if nul < 0 && i+2 < len(s) && s[i+1] == '0' && s[i+2] == '0' {
			nul = i
		}
		if !escDone {
			switch {
			case i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && allHex(s[i+2:i+6]):
				if (s[i+2] == 'f' || s[i+2] == 'F') && (s[i+3] == 'f' || s[i+3] == 'F') {
					esc, escDone = i, true
				}
			case i+2 < len(s) && allHex(s[i+1:i+3]):
			default:
				esc, bad, escDone = i, true, true
			}
		}
		if escDone && nul >= 0 {
			break
		}
		if i+3 < len(s) && s[i+3] == '%' && s[i+1] != '%' && s[i+2] != '%' {
			i += 3 // the next escape right after this one: a payload escaped whole
			continue
		}
		k := strings.IndexByte(s[i+1:], '%')
		if k < 0 {
			break
		}
		i += k + 1
	}
	return nul, esc, bad
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// smuggledRequest finds an HTTP request line after a line break in v ("\r\nGET
// /admin HTTP/1.1"): a request smuggled in a parameter, for a backend that
// writes it into an upstream request. It returns the line break's index
// or -1.
func smuggledRequest(v string) int {
	for i := strings.IndexByte(v, '\n'); i >= 0; {
		line := v[i+1:]
		if k := strings.IndexByte(line, '\n'); k >= 0 {
			line = line[:k]
		}
		if m, rest, ok := strings.Cut(strings.TrimLeft(line, " \t"), " "); ok && m != "" && token(m) &&
			strings.ToUpper(m) == m && strings.Contains(rest, " HTTP/") {
			return i
		}
		j := strings.IndexByte(v[i+1:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
	}
	return -1
}

// methodRisk rates a request method: 0 for the common ones.
func methodRisk(m string) (float64, string) {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "":
		return 0, ""
	case "TRACE", "TRACK", "DEBUG":
		return 0.95, "protocol.method_trace"
	case "CONNECT":
		return 0.8, "protocol.method_connect"
	case "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "MKACTIVITY",
		"CHECKOUT", "MERGE", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "LINK", "UNLINK", "QUERY":
		return 0.4, "protocol.method_webdav"
	}
	for i := 0; i < len(m); i++ {
		if !tchar(m[i]) {
			return 0.99, "protocol.method_invalid"
		}
	}
	return 0.9, "protocol.method_unknown"
}

// tchar reports whether c may appear in an HTTP token (RFC 9110 5.6.2).
func tchar(c byte) bool { return tchars[c] }

// tchars marks the bytes of a token (RFC 9110): letters, digits and
// "!#$%&'*+-.^_`|~".
var tchars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
	}
	return t
}()

// smuggling rates the framing headers of a request: both Content-Length
// and Transfer-Encoding, an obfuscated Transfer-Encoding, several or
// non-numeric Content-Length values.
func smuggling(te, cl []string) (float64, string) {
	if len(te) > 0 && len(cl) > 0 {
		return 0.95, "Content-Length with Transfer-Encoding"
	}
	if len(te) > 1 {
		return 0.9, "repeated Transfer-Encoding"
	}
	if len(te) == 1 {
		switch strings.ToLower(te[0]) {
		case "chunked", "identity", "gzip, chunked", "deflate, chunked", "br, chunked":
		default:
			return 0.9, "unusual Transfer-Encoding " + excerpt(te[0], 0, len(te[0]), 32)
		}
	}
	if len(cl) > 1 {
		return 0.9, "repeated Content-Length"
	}
	if len(cl) == 1 {
		for i := 0; i < len(cl[0]); i++ {
			if c := cl[0][i]; c < '0' || c > '9' {
				return 0.9, "non-numeric Content-Length"
			}
		}
	}
	return 0, ""
}

// rangeRisk rates a Range header (RFC 9110 14.1.2): 0.9 for one that is
// not a byte-range set (a unit other than bytes, a range whose last byte
// comes before its first, garbage), for more than ten ranges or ranges
// that overlap (CVE-2011-3192, "Apache Killer"); 0.95 for an end past
// 2^53 (CVE-2015-1635, HTTP.sys); 0 for a plain range.
func rangeRisk(v string) float64 {
	unit, set, ok := strings.Cut(strings.TrimSpace(v), "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return 0.9
	}
	n := 0
	type span struct{ first, last uint64 }
	var spans [10]span
	for _, spec := range strings.Split(set, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		n++
		if n > len(spans) {
			return 0.9
		}
		a, b, ok := strings.Cut(spec, "-")
		if !ok || a == "" && b == "" {
			return 0.9
		}
		first, okA := rangeNumber(a)
		last, okB := rangeNumber(b)
		if !okA || !okB {
			return 0.9
		}
		if first > 1<<53 || last > 1<<53 {
			return 0.95
		}
		if a == "" { // a suffix: the last bytes
			first, last = 1<<62-last, 1<<62
		} else if b == "" {
			last = 1 << 62
		} else if last < first {
			return 0.9
		}
		for _, s := range spans[:n-1] {
			if first <= s.last && s.first <= last {
				return 0.9
			}
		}
		spans[n-1] = span{first, last}
	}
	if n == 0 {
		return 0.9
	}
	return 0
}

// rangeNumber reads the digits of a range bound; "" is 0.
func rangeNumber(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 1 << 63, true
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// framingAlias reports a header name that reads as Content-Length or
// Transfer-Encoding once '_' becomes '-'.
func framingAlias(name string) bool {
	if strings.IndexByte(name, '_') < 0 {
		return false
	}
	n := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	return n == "content-length" || n == "transfer-encoding"
}

// badHost reports a Host value with bytes no host name, address or port has.
func badHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_':
		default:
			return true
		}
	}
	return false
}

// nulTruncation reports whether the escaped NUL at raw[nul:] ("%00")
// stands between a file name's extension and another one that ends the
// value: "shell.php%00.jpg", "../../etc/passwd%00.png"; or ends a value
// that names a file with an extension in a folder ("/x.jsp%00"). An
// upload's or an include's check reads the last extension; the file
// system, in C, stops at the NUL.
func nulTruncation(raw string, nul int) bool {
	if nul+3 > len(raw) || raw[nul:nul+3] != "%00" {
		return false
	}
	ext := func(s string) bool { // ".ext": 1 to 5 letters or digits
		if len(s) < 2 || len(s) > 6 || s[0] != '.' {
			return false
		}
		for i := 1; i < len(s); i++ {
			if !isAlnum(s[i]) {
				return false
			}
		}
		return true
	}
	before := raw[:nul]
	dot := strings.LastIndexByte(before, '.')
	if raw[nul+3:] == "" {
		// the NUL ends the value after a file's name in a folder
		// ("currentfolder=/x.jsp%00", "local_path=macros/a.macro%00"):
		// the application's own suffix is what it cuts off
		return dot > 0 && ext(before[dot:]) && strings.Contains(before, "/")
	}
	if !ext(raw[nul+3:]) {
		return false
	}
	return dot > 0 && ext(before[dot:]) || strings.Contains(before, "/")
}
