package body

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
)

// multipart emits the parts of a multipart body: a field's value (Field,
// named by the field), a file part's name (FileName) and, when the file is
// text-like, its contents (File; XML and JSON files parsed as such, nested
// multipart bodies as multipart). Binary files are skipped. It reads what
// lenient servers read: LF line ends, a missing final delimiter, folded or
// repeated headers, base64 and quoted-printable parts. boundary is the
// declared one; when it is missing or absent from the body, the body's
// first delimiter line gives it. It reports false when no part was found.
func (p *Parser) multipart(b, boundary string) bool {
	if boundary == "" || !strings.Contains(b, "--"+boundary) {
		boundary = SniffBoundary(b)
		if boundary == "" {
			return false
		}
	}
	delim := "--" + boundary
	// the first delimiter: at the start of the body or of a line
	i := 0
	for {
		j := strings.Index(b[i:], delim)
		if j < 0 {
			return false
		}
		if i+j == 0 || b[i+j-1] == '\n' {
			i += j
			break
		}
		i += j + len(delim)
	}
	found, first := false, true
	lf := false // the body's lines end in a bare LF: a CR before a delimiter is content
	for !p.stopped {
		i += len(delim)
		if strings.HasPrefix(b[i:], "--") {
			return found // the close delimiter
		}
		eol := strings.IndexByte(b[i:], '\n')
		if eol < 0 {
			p.Malformed = true
			return found
		}
		if first {
			// as mime/multipart decides it: the first delimiter line ends
			// in "\n" alone, after optional spaces and tabs
			lf, first = strings.TrimLeft(b[i:i+eol+1], " \t") == "\n", false
		}
		i += eol + 1
		var h partHeader
		i = h.read(b, i)
		// the content runs to the next delimiter, as mime/multipart (and
		// so the handler) reads it: at the start of the content, or after
		// the body's line end (CRLF, or LF in a bare-LF body), and followed
		// by a space, a tab, a line end, "--" or the end of the body; any
		// other "--boundary" is content
		end, next := len(b), len(b)
		for k := i; ; {
			j := strings.Index(b[k:], delim)
			if j < 0 {
				p.Malformed = true
				break
			}
			at := k + j
			if delimiterAt(b, at, at+len(delim), i, lf) {
				end, next = at-1, at
				if !lf && end > i {
					end-- // the CR of the CRLF
				}
				break
			}
			k = at + 1
		}
		if end < i {
			end = i
		}
		found = true
		p.part(&h, b[i:end])
		if next == len(b) {
			return found
		}
		i = next
	}
	return found
}

// delimiterAt reports whether the delimiter b[at:after] ends a part
// whose content starts at start, as mime/multipart decides it.
func delimiterAt(b string, at, after, start int, lf bool) bool {
	switch {
	case at == start:
		// the content is empty: the delimiter follows the headers
	case b[at-1] != '\n':
		return false
	case !lf && (at-2 < start || b[at-2] != '\r'):
		return false
	}
	if after == len(b) {
		return true
	}
	switch b[after] {
	case ' ', '\t', '\r', '\n':
		return true
	case '-':
		return after+1 < len(b) && b[after+1] == '-'
	}
	return false
}

type partHeader struct {
	name, filename, ctype, encoding string
	file, disposition               bool
}

// read parses the part headers from b[i:] up to the blank line that ends
// them and returns the index of the content.
func (h *partHeader) read(b string, i int) int {
	for i < len(b) {
		eol := strings.IndexByte(b[i:], '\n')
		line := b[i:]
		if eol >= 0 {
			line = b[i : i+eol]
			i += eol + 1
		} else {
			i = len(b)
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			return i
		}
		// folded lines continue the previous header: they add nothing we read
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key = strings.TrimSpace(key); {
		case strings.EqualFold(key, "content-disposition"):
			if !h.disposition {
				// a file is what mime/multipart (and so the handler)
				// takes for one: its first Content-Disposition parses, and
				// names a file; anything else is read, and inspected, as a
				// field. Without "filename" in any case it names none, and
				// mime's parse (a map a part) is not needed to say so.
				h.disposition = true
				if containsFold(value, "filename") {
					_, params, err := mime.ParseMediaType(value)
					h.file = err == nil && params["filename"] != ""
					if h.file {
						h.filename = params["filename"]
					}
				}
			}
			if v, ok := Param(value, "name"); ok {
				h.name = v
			}
			// the name a lenient server reads, for FileName
			if v, ok := Param(value, "filename"); ok && h.filename == "" {
				h.filename = v
			}
			if v, ok := Param(value, "filename*"); ok && h.filename == "" {
				// RFC 5987: charset'lang'percent-encoded; the view decodes escapes
				if k := strings.LastIndexByte(v, '\''); k >= 0 {
					v = v[k+1:]
				}
				h.filename = v
			}
		case strings.EqualFold(key, "content-type"):
			h.ctype = value
		case strings.EqualFold(key, "content-transfer-encoding"):
			h.encoding = strings.ToLower(value)
		}
	}
	return i
}

// part emits one part's values.
func (p *Parser) part(h *partHeader, content string) {
	switch h.encoding {
	case "base64":
		content = decodeBase64(content)
	case "quoted-printable":
		var sb strings.Builder
		sb.Grow(len(content))
		_, _ = io.Copy(&sb, quotedprintable.NewReader(strings.NewReader(content)))
		content = sb.String()
	}
	mt := MediaType(h.ctype)
	if h.filename != "" && !p.emit(FileName, h.name, h.filename) {
		return
	}
	if content == "" {
		return
	}
	f := Sniff(content, mt, Param1(h.ctype, "boundary"))
	if !h.file && !strings.HasPrefix(mt, "multipart/") {
		// a field: its value as sent, unless it is binary content
		if f != FormatBinary {
			p.emit(Field, h.name, content)
		}
		return
	}
	switch f {
	case FormatBinary, FormatEmpty:
	case FormatMultipart:
		if p.depth >= p.maxDepth() {
			p.Deep = true
			p.emit(File, h.name, content)
			return
		}
		p.depth++
		if !p.multipart(content, Param1(h.ctype, "boundary")) {
			p.emit(File, h.name, content)
		}
		p.depth--
	case FormatJSON:
		if !p.json(content) {
			p.emit(File, h.name, content)
		}
	case FormatXML:
		p.xml(content)
	default:
		if declaredXML(mt, h.filename) {
			// not markup, but the server hands the file to an XML parser:
			// an entity reference alone is an XXE probe there
			p.emit(XMLDoc, "(document)", content)
			return
		}
		p.emit(File, h.name, content)
	}
}

// declaredXML reports whether a part is declared XML, by its media type or
// its file name.
func declaredXML(mt, filename string) bool {
	if mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml") {
		return true
	}
	dot := strings.LastIndexByte(filename, '.')
	if dot < 0 {
		return false
	}
	switch strings.ToLower(filename[dot+1:]) {
	case "xml", "svg", "xsl", "xslt", "xsd", "dtd", "rss", "atom", "xhtml", "plist", "wsdl", "gpx", "kml":
		return true
	}
	return false
}

// decodeBase64 decodes a base64 part, ignoring line breaks and any other
// byte outside the alphabet, as MIME decoders do; it stops at the first
// '=' pad.
func decodeBase64(s string) string {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return string(out[:n])
}

// MediaType returns the media type of a Content-Type value, lower-cased,
// without parameters.
func MediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// tspecial reports whether c is one of RFC 2045's tspecials, the bytes
// a backslash escapes in a quoted parameter value.
func tspecial(c byte) bool { return strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 }

// Param1 returns the value of parameter key of a header value such as a
// Content-Type, or "".
func Param1(v, key string) string {
	s, _ := Param(v, key)
	return s
}

// Param returns the value of the parameter key (lower case) of a header
// value ("form-data; name=\"a\"; filename=b.txt"), unquoted, and whether it
// is there. It is lenient: parameters are found wherever a ';' starts
// them, quotes may be missing, the last of repeated parameters wins (as in
// PHP and most servers), and an unclosed quote runs to the end.
func Param(v, key string) (string, bool) {
	var val string
	found := false
	for v != "" {
		i := strings.IndexByte(v, ';')
		if i < 0 {
			break
		}
		v = strings.TrimLeft(v[i+1:], " \t")
		j := 0
		for j < len(v) && v[j] != '=' && v[j] != ';' {
			j++
		}
		if j == len(v) || v[j] != '=' {
			continue
		}
		k := strings.TrimSpace(v[:j])
		rest := strings.TrimLeft(v[j+1:], " \t")
		var s string
		if rest != "" && rest[0] == '"' {
			// quoted string. A backslash escapes a tspecial ("\"",
			// "\\") and is itself before any other byte, as Go's
			// mime reads it: browsers (MSIE's full paths among them)
			// send "C:\dev\a.txt" with no escape, and the handler a
			// Go server runs sees the backslashes.
			e := 1
			for e < len(rest) && rest[e] != '"' && rest[e] != '\\' {
				e++
			}
			s = rest[1:e]
			if e < len(rest) && rest[e] == '\\' {
				var sb strings.Builder
				sb.WriteString(s)
				for e < len(rest) && rest[e] != '"' {
					if rest[e] == '\\' && e+1 < len(rest) && tspecial(rest[e+1]) {
						e++
					}
					sb.WriteByte(rest[e])
					e++
				}
				s = sb.String()
			}
			if e < len(rest) {
				e++
			}
			v = rest[e:]
		} else {
			e := strings.IndexByte(rest, ';')
			if e < 0 {
				e = len(rest)
			}
			s = strings.TrimSpace(rest[:e])
			v = rest[e:]
		}
		if len(k) == len(key) && strings.EqualFold(k, key) {
			val, found = s, true
		}
	}
	return val, found
}
