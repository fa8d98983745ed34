// Package body turns request bodies into the values a handler could read
// from them: form fields, JSON strings and keys, XML text and attribute
// values, multipart fields and text-like file contents, or the whole body
// as text. It sniffs what a body is from its bytes, the declared media type
// being only a hint, so that a body with a missing or false Content-Type is
// still read for what it holds.
//
// Every parser here is tolerant (it reads what a lenient backend would
// read from malformed input rather than giving up), linear in the size of
// its input, bounded in nesting, and never panics. Values are substrings of
// the input where they can be (no copy); decoded ones (JSON escapes, XML
// entities, base64 parts) are never longer than their source.
package body

import (
	"strings"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// Format is what a body holds.
type Format uint8

// Formats.
const (
	FormatEmpty Format = iota
	FormatBinary
	FormatForm
	FormatJSON
	FormatXML
	FormatMultipart
	FormatText
)

var formatNames = [...]string{"empty", "binary", "form", "json", "xml", "multipart", "text"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}

// Kind says where in a body a value was found.
type Kind uint8

// Kinds of values.
const (
	Form      Kind = iota // a form field (Name=Value, still URL-encoded)
	JSON                  // a JSON string; Name is the key of its object
	JSONKey               // a JSON object key
	XMLText               // the text of an element: entities decoded, CDATA sections joined
	XMLAttr               // an attribute value, entities decoded; Name is the attribute
	XMLMarkup             // a DOCTYPE (with its ENTITY declarations), comment or processing instruction, raw
	XMLDoc                // a whole XML or HTML document, raw: markup is the attack in SVG and XHTML
	Field                 // a multipart field that is not a file
	FileName              // the file name of a multipart file part
	File                  // the contents of a text-like multipart file part
	Text                  // a text body, whole
	// XMLDocMarkup is the markup of the XMLDoc emitted last: the document
	// with each run of text of at least XMLTextCut bytes that came as an
	// XMLText value of its own cut to one space. It is emitted when the
	// parse of that document ends without stopping, and only when text was
	// cut; it stands for the document, which it replaces.
	XMLDocMarkup
)

// XMLTextCut is the shortest run of an XML document's text that
// XMLDocMarkup leaves out: shorter runs stay, with the markup around them.
const XMLTextCut = 32

// Value is one value found in a body.
type Value struct {
	Kind  Kind
	Name  string
	Value string
}

// Parser parses bodies into values. A Parser is not safe for concurrent
// use; its zero value is usable (MaxDepth 0 means 64).
type Parser struct {
	// MaxDepth bounds nesting: JSON and XML levels whose names are kept,
	// multipart parts nested in parts. Values deeper still are emitted
	// (under the name of the deepest kept level), and Deep is set.
	MaxDepth int
	// Emit receives every value in document order. It returns false to
	// stop the parse (the caller's value cap is reached).
	Emit func(Value) bool

	// SkipWords leaves out JSON strings and keys, and XML text and
	// attribute values, that are one plain word (plainWord): the caller
	// inspects none of them, and bulk documents hold thousands, each of
	// which would otherwise be a call of Emit.
	SkipWords bool

	// Deep reports that nesting went past MaxDepth.
	Deep bool
	// Malformed reports that a JSON, XML or multipart body was not well
	// formed where the parser had to guess; the caller may inspect the
	// body whole as text too.
	Malformed bool

	stopped bool
	depth   int   // multipart nesting
	arena   arena // the decoded JSON strings with escapes
}

func (p *Parser) maxDepth() int {
	if p.MaxDepth <= 0 {
		return 64
	}
	return p.MaxDepth
}

// emit hands one value on; it reports false once the caller has stopped.
func (p *Parser) emit(k Kind, name, value string) bool {
	if p.stopped {
		return false
	}
	if p.SkipWords && k <= XMLAttr && k != Form && plainWord(value) {
		return true
	}
	if p.Emit != nil && !p.Emit(Value{Kind: k, Name: name, Value: value}) {
		p.stopped = true
		return false
	}
	return true
}

// plainWord reports whether s is a short word of letters, digits, '-' and
// '_' that no detector reads: not "__" (prototype pollution), not the
// start of a serialised object, not long enough to be base64.
func plainWord(s string) bool {
	if len(s) == 0 || len(s) >= decode.MinEncoded {
		return false
	}
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !wordBytes[c] || c == '_' && prev == '_' {
			return false
		}
		prev = c
	}
	return true
}

// wordBytes marks the bytes of a plain word: letters, digits, '-', '_'.
var wordBytes = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
	}
	return t
}()

// Stopped reports whether Emit stopped the parse.
func (p *Parser) Stopped() bool { return p.stopped }

// Parse emits the values of b, read as the format f (see Sniff). boundary
// is the multipart boundary the request declared, if any.
func (p *Parser) Parse(b string, f Format, boundary string) {
	switch f {
	case FormatForm:
		p.form(b)
	case FormatJSON:
		if !p.json(b) {
			p.Malformed = true
		}
	case FormatXML:
		p.xml(b)
	case FormatMultipart:
		if !p.multipart(b, boundary) {
			p.Malformed = true
			p.emit(Text, "", b)
		}
	case FormatText:
		p.emit(Text, "", b)
	}
}

// form emits the name=value pairs of a URL-encoded form, raw.
func (p *Parser) form(b string) {
	for b != "" {
		var pair string
		if i := strings.IndexByte(b, '&'); i >= 0 {
			pair, b = b[:i], b[i+1:]
		} else {
			pair, b = b, ""
		}
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if !p.emit(Form, name, value) {
			return
		}
	}
}

// Sniff says what b holds. declared is the media type the request claims,
// lower-cased and without parameters ("" when there is none); it decides
// only where the bytes leave a choice: a declared multipart body is read as
// multipart when its boundary is there, and a body whose first bytes are
// a binary format's magic number is binary unless a parseable text type
// is declared (a backend would parse it by that type).
func Sniff(b, declared, boundary string) Format {
	if len(b) == 0 {
		return FormatEmpty
	}
	textual := DeclaredText(declared)
	if !textual && Binary(b) {
		return FormatBinary
	}
	if strings.HasPrefix(declared, "multipart/") && boundary != "" && containsBoundary(b, boundary) {
		return FormatMultipart
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	if i == len(b) {
		return FormatText
	}
	switch b[i] {
	case '{', '[':
		return FormatJSON
	case '<':
		return FormatXML
	case '-':
		if SniffBoundary(b) != "" {
			return FormatMultipart
		}
	}
	if FormShaped(b) || declared == "application/x-www-form-urlencoded" && keysOnly(b) {
		return FormatForm
	}
	// Text, whatever was declared: a body that is no form, JSON, XML or
	// multipart is read whole, so nothing in it escapes inspection.
	return FormatText
}

// DeclaredText reports whether a declared media type is one a backend
// parses as text of some kind (form, JSON, XML, multipart, text/*).
func DeclaredText(mt string) bool {
	switch {
	case mt == "application/x-www-form-urlencoded", mt == "application/json", strings.HasSuffix(mt, "+json"),
		strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "xml"), strings.HasPrefix(mt, "multipart/"),
		mt == "application/graphql", mt == "application/javascript", mt == "application/x-ndjson":
		return true
	}
	return false
}

func containsBoundary(b, boundary string) bool {
	return len(boundary) <= 200 && strings.Contains(b, "--"+boundary)
}

// SniffBoundary returns the multipart boundary of a body that starts with a
// delimiter line ("--boundary") followed by part headers, or "".
func SniffBoundary(b string) string {
	i := 0
	for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
		i++
	}
	b = b[i:]
	if len(b) < 3 || b[0] != '-' || b[1] != '-' {
		return ""
	}
	end := strings.IndexByte(b, '\n')
	if end < 0 || end > 202 {
		return ""
	}
	line := strings.TrimRight(b[2:end], " \t\r")
	if line == "" {
		return ""
	}
	for k := 0; k < len(line); k++ {
		if c := line[k]; c < ' ' || c == 0x7f {
			return ""
		}
	}
	head := b[end+1:]
	if len(head) > 1024 {
		head = head[:1024]
	}
	if !containsFold(head, "content-disposition") && !containsFold(head, "content-type") {
		return ""
	}
	return line
}

// containsFold reports whether b contains the lower-case ASCII word w in
// any case.
func containsFold(b, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		if lowerEq(b[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

func lowerEq(b, w string) bool {
	for j := 0; j < len(w); j++ {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// FormShaped reports whether b reads as a URL-encoded form: at least one
// '=', and every '&'-separated pair's name made of the bytes field names
// are written with (letters, digits, "_-.[]%+*:@!$~,"), 256 bytes at most.
// Prose with an '=' in it ("x = 5") is not a form.
func FormShaped(b string) bool {
	eq := false
	for b != "" {
		// a name up to '=' or '&'
		i := 0
		for i < len(b) && nameByte[b[i]] {
			i++
		}
		if i > 256 {
			return false
		}
		if i == len(b) {
			return eq
		}
		switch b[i] {
		case '&':
			b = b[i+1:]
			continue
		case '=':
			if i == 0 {
				return false
			}
			eq = true
		default:
			return false
		}
		// the value, up to the next '&'
		j := strings.IndexByte(b[i:], '&')
		if j < 0 {
			return true
		}
		b = b[i+j+1:]
	}
	return eq
}

// keysOnly reports whether b is a form of names alone, with no '=': what
// a backend that parses a declared form reads as its keys, '+' and
// escapes decoded ("1+UNION+ALL+SELECT+1" is the key "1 UNION ALL SELECT
// 1"). Read as text, the '+' would stay.
func keysOnly(b string) bool {
	n := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '&':
			n = 0
		case !nameByte[c]:
			return false
		default:
			if n++; n > 256 {
				return false
			}
		}
	}
	return true
}

var nameByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "_-.[]%+*:@!$~," {
		t[c] = true
	}
	return t
}()

// magic numbers of binary formats that requests carry (uploads).
var magic = []string{
	"\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "GIF87a", "GIF89a", "%PDF-", "PK\x03\x04", "PK\x05\x06", "\x1f\x8b",
	"BZh", "\xfd7zXZ\x00", "7z\xbc\xaf\x27\x1c", "Rar!\x1a\x07", "\x28\xb5\x2f\xfd", "\x00asm", "\x7fELF", "MZ",
	"\xca\xfe\xba\xbe", "\xcf\xfa\xed\xfe", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OggS", "fLaC", "ID3", "\x1aE\xdf\xa3",
	"II*\x00", "MM\x00*", "BM", "\x00\x00\x01\x00", "wOFF", "wOF2", "\x00\x01\x00\x00\x00", "SQLite format 3\x00",
	"\x80\x04\x95", // pickle protocol 4 is code, but not text either: the code family reads base64 forms
}

// Binary reports whether b is binary content: a binary format's magic
// number (images, archives, documents, executables, media), a RIFF or ISO
// media container, or more than one byte in 16 of its first kilobyte a
// control byte that text does not hold. UTF-16 and UTF-32 text is not
// binary: decode it first (see DecodeCharset).
func Binary(b string) bool {
	for _, m := range magic {
		if strings.HasPrefix(b, m) {
			// "BM" and "MZ" begin words too: demand a binary byte soon after
			if len(m) <= 2 && !controlWithin(b, 64) {
				continue
			}
			return true
		}
	}
	if len(b) >= 12 && (b[:4] == "RIFF" || b[4:8] == "ftyp") {
		return true
	}
	n := len(b)
	if n > 1024 {
		n = 1024
	}
	ctl := 0
	for i := 0; i < n; i++ {
		c := b[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return ctl*16 > n
}

func controlWithin(b string, n int) bool {
	if len(b) < n {
		n = len(b)
	}
	for i := 0; i < n; i++ {
		c := b[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
	}
	return false
}
