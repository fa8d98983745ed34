package body

import (
	"strings"
	"unicode/utf8"
)

// xml emits the values of an XML (or HTML) document: the document itself,
// raw (XMLDoc: in SVG, XHTML and HTML the markup is the attack); the text of
// each element with entities decoded and CDATA sections joined (XMLText,
// named by the element); every attribute value (XMLAttr); and DOCTYPE
// declarations with their internal subset, comments and processing
// instructions other than the XML declaration, raw (XMLMarkup). It never
// rejects input: what is not markup is text. Once the parse ends, the
// document's markup without its long runs of text follows (XMLDocMarkup):
// those runs were values of their own, and reading them again in the
// document doubled the work of the families that read markup.
func (p *Parser) xml(b string) {
	if !p.emit(XMLDoc, "(document)", b) {
		return
	}
	var stackBuf [16]string
	stack := stackBuf[:0]
	max := p.maxDepth()
	depth := 0
	// the markup: b without the runs of text cut so far, up to b[kept:]
	var markup []byte
	kept := 0
	// open elements whose text is code or markup (script, style): their
	// text stays in the markup, where the families read it in its element.
	// So does text with references in it ("&lt;script&gt;"): the families
	// read the document decoded, and references are how markup hides in
	// the text of an XML document.
	rawOpen := 0
	// amp says whether b[i:j] holds a '&' (addText looked)
	cut := func(i, j int, amp bool) {
		if j-i >= XMLTextCut && rawOpen == 0 && depth <= len(stack) && !amp {
			markup = append(markup, b[kept:i]...)
			markup = append(markup, ' ')
			kept = j
		}
	}
	defer func() {
		if markup != nil { // emit refuses once the parse was stopped
			markup = append(markup, b[kept:]...)
			p.emit(XMLDocMarkup, "(document)", string(markup))
		}
	}()
	// text of the current element since its last child tag: one chunk
	// is kept as it is, several are joined ("<![CDATA[<scr]]><![CDATA[ipt>]]>")
	var one string
	var joined strings.Builder
	chunks := 0
	flush := func() bool {
		if chunks == 0 {
			return true
		}
		s := one
		if chunks > 1 {
			s = joined.String()
			joined.Reset()
		}
		chunks, one = 0, ""
		s = strings.TrimSpace(s)
		if s == "" {
			return true
		}
		name := ""
		if n := len(stack); n > 0 {
			name = stack[n-1]
		}
		return p.emit(XMLText, name, s)
	}
	// addText reports whether s held a '&' it decoded (entities only)
	addText := func(s string, entities bool) bool {
		amp := entities && strings.IndexByte(s, '&') >= 0
		if amp {
			s = xmlUnescape(s)
		}
		if chunks == 0 && strings.TrimSpace(s) == "" {
			return amp
		}
		switch chunks {
		case 0:
			one = s
		case 1:
			joined.WriteString(one)
			fallthrough
		default:
			joined.WriteString(s)
		}
		chunks++
		return amp
	}
	i := 0
	for i < len(b) {
		lt := strings.IndexByte(b[i:], '<')
		if lt < 0 {
			cut(i, len(b), addText(b[i:], true))
			break
		}
		cut(i, i+lt, addText(b[i:i+lt], true))
		i += lt
		rest := b[i:]
		switch {
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest, "]]>")
			if end < 0 {
				addText(rest[9:], false)
				p.Malformed = true
				i = len(b)
				continue
			}
			addText(rest[9:end], false)
			i += end + 3
			continue
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				end = len(rest)
				p.Malformed = true
			} else {
				end += 7
			}
			if !p.emit(XMLMarkup, "(comment)", rest[:end]) {
				return
			}
			i += end
			continue
		case strings.HasPrefix(rest, "<!"):
			end := declEnd(rest)
			if !p.emit(XMLMarkup, "(doctype)", rest[:end]) {
				return
			}
			i += end
			continue
		case strings.HasPrefix(rest, "<?"):
			end := strings.Index(rest, "?>")
			if end < 0 {
				end = len(rest)
				p.Malformed = true
			} else {
				end += 2
			}
			if !strings.HasPrefix(rest, "<?xml ") && !p.emit(XMLMarkup, "(pi)", rest[:end]) {
				return
			}
			i += end
			continue
		}
		// a start or end tag, or a '<' that is text ("a < b")
		j := 1
		closing := j < len(rest) && rest[j] == '/'
		if closing {
			j++
		}
		k := j
		for k < len(rest) && nameChar(rest[k]) {
			k++
		}
		if k == j {
			addText("<", false)
			p.Malformed = true
			i++
			continue
		}
		name := rest[j:k]
		if !flush() {
			return
		}
		if closing {
			end := strings.IndexByte(rest[k:], '>')
			if end < 0 {
				return
			}
			i += k + end + 1
			if depth > 0 {
				if depth <= len(stack) {
					if rawTextElement(stack[len(stack)-1]) {
						rawOpen--
					}
					stack = stack[:len(stack)-1]
				}
				depth--
			}
			continue
		}
		n, selfClosing, ok := p.attributes(rest[k:])
		if !ok {
			return
		}
		i += k + n
		if !selfClosing && !voidElement(name) {
			depth++
			if depth > max {
				p.Deep = true
			} else {
				stack = append(stack, name)
				if rawTextElement(name) {
					rawOpen++
				}
			}
		}
	}
	flush()
}

// attributes emits the attribute values of a start tag, b being the tag
// after its name; it returns the bytes up to and including the tag's '>'.
func (p *Parser) attributes(b string) (int, bool, bool) {
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '>':
			return i + 1, i > 0 && b[i-1] == '/', true
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/':
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] != '=' && b[j] != '>' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' && !(b[j] == '/' && j+1 < len(b) && b[j+1] == '>') {
			j++
		}
		if j == i { // a stray '=' or '/'
			j++
		}
		attr := b[i:j]
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
			j++
		}
		if j >= len(b) || b[j] != '=' {
			i = j
			continue
		}
		j++
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
			j++
		}
		var v string
		if j < len(b) && (b[j] == '"' || b[j] == '\'') {
			end := strings.IndexByte(b[j+1:], b[j])
			if end < 0 {
				p.Malformed = true
				v, j = b[j+1:], len(b)
			} else {
				v, j = b[j+1:j+1+end], j+end+2
			}
		} else {
			k := j
			for k < len(b) && b[k] != '>' && b[k] != ' ' && b[k] != '\t' && b[k] != '\r' && b[k] != '\n' {
				k++
			}
			v, j = b[j:k], k
		}
		if strings.IndexByte(v, '&') >= 0 {
			v = xmlUnescape(v)
		}
		if v != "" && !p.emit(XMLAttr, attr, v) {
			return 0, false, false
		}
		i = j
	}
	p.Malformed = true
	return len(b), false, true
}

// declEnd returns the length of the declaration at the start of b
// ("<!DOCTYPE x [ ... ]>", "<!ENTITY ...>"), as encoding/xml reads a
// directive: up to the '>' that closes it outside quotes, where each '<'
// (but a comment's) opens a nesting that a '>' closes, or all of b. As in
// encoding/xml, the byte right after "<!" is taken as it is: it opens no
// quote and closes nothing; brackets mean nothing.
func declEnd(b string) int {
	depth := 0
	var quote byte
	for i := 3; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			if depth == 0 {
				return i + 1
			}
			depth--
		case c == '<':
			if strings.HasPrefix(b[i:], "<!--") {
				e := strings.Index(b[i+4:], "-->")
				if e < 0 {
					return len(b)
				}
				i += 4 + e + 2
				continue
			}
			depth++
		}
	}
	return len(b)
}

func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == ':' || c == '_' || c == '-' ||
		c == '.' || c >= 0x80
}

// rawTextElement reports the HTML elements whose text a browser does not
// read as text: script and style (code), the raw text and RCDATA elements
// that hold markup as it is written (xmp, iframe, noembed, noframes,
// noscript, plaintext, textarea, title). It runs at each start and end
// tag: an ASCII name is folded into a buffer and looked up once, rather
// than compared with each of the ten; a name with other bytes goes to
// rawTextElementFold, whose Unicode folding matches "ſcript" too.
func rawTextElement(name string) bool {
	if len(name) < 3 || len(name) > 9 {
		return false
	}
	var lo [9]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			return rawTextElementFold(name)
		}
		// c|0x20 is a lower-case letter exactly when c is that letter in
		// either case: the names below have letters only
		lo[i] = c | 0x20
	}
	switch string(lo[:len(name)]) {
	case "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", "textarea", "title":
		return true
	}
	return false
}

// rawTextElementFold is rawTextElement by strings.EqualFold.
func rawTextElementFold(name string) bool {
	for _, e := range [...]string{"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", "textarea", "title"} {
		if strings.EqualFold(name, e) {
			return true
		}
	}
	return false
}

// voidElement reports HTML elements that have no end tag, so that an HTML
// body does not nest every element under <br>. An ASCII name is folded as
// in rawTextElement; strings.ToLower reads the others ("trac\u212a", the
// Kelvin sign, lowers to "track").
func voidElement(name string) bool {
	if len(name) > 6 {
		for i := 0; i < len(name); i++ {
			if name[i] >= 0x80 {
				return voidElementLower(name)
			}
		}
		return false
	}
	var lo [6]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			return voidElementLower(name)
		}
		lo[i] = c | 0x20
	}
	switch string(lo[:len(name)]) {
	case "br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "source", "track", "wbr", "param":
		return true
	}
	return false
}

// voidElementLower is voidElement by strings.ToLower.
func voidElementLower(name string) bool {
	switch strings.ToLower(name) {
	case "br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "source", "track", "wbr", "param":
		return true
	}
	return false
}

// xmlUnescape decodes the predefined entities and character references;
// others (&xxe;) stay as they are, for the families to see.
func xmlUnescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '&' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:min(len(s), i+12)], ';')
		if end < 0 {
			b.WriteByte(c)
			continue
		}
		ent := s[i+1 : i+end]
		switch ent {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				b.WriteByte(c)
				continue
			}
			b.WriteRune(r)
		}
		i += end
	}
	return b.String()
}

// charRef decodes "#65" or "#x41".
func charRef(e string) (rune, bool) {
	if len(e) < 2 || e[0] != '#' {
		return 0, false
	}
	base := rune(10)
	e = e[1:]
	if e[0] == 'x' || e[0] == 'X' {
		base, e = 16, e[1:]
	}
	if e == "" {
		return 0, false
	}
	var r rune
	for i := 0; i < len(e); i++ {
		c := e[i]
		var v rune
		switch {
		case '0' <= c && c <= '9':
			v = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + v
		if r > utf8.MaxRune {
			return 0, false
		}
	}
	return r, true
}
