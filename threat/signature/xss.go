package signature

import (
	"strings"

	libinjection "github.com/corazawaf/libinjection-go"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanXSS finds cross-site scripting. It reads a value the way a browser's
// HTML tokenizer would: every "<" that opens a tag (any name, custom ones
// included) starts a tag whose attributes are parsed as HTML5 does
// (separated by spaces, "/", control bytes, or nothing after a quoted
// value). A tag is an attack when it carries an event handler (any on*
// attribute), a script-bearing URI (javascript:, vbscript:, data:text/html
// in any attribute, spaces and control bytes inside the scheme ignored), a
// script-running style, or is itself dangerous (script, iframe, object,
// embed, base, meta refresh, link, style with expression or import).
// Outside tags it looks for what is injected into an attribute or a script
// block: a handler after a break-out quote, a javascript: URL followed by
// code (not by prose), calls of the dialog and code sinks (alert, eval,
// Function, top[...](...)) and CSS expressions. Bare or harmless markup
// (</a>, <br/>, <h1>) is at most a weak hint. libinjection's HTML5 check
// runs on parameter values too. Header values, which nothing decodes
// before the families, are URL- and entity-decoded here, and UTF-7
// (+ADw-script+AD4-) is decoded where it appears.

const (
	xssLib = iota
	xssTag
	xssURI
	xssHandler
	xssScript
	xssStyle
	xssNumRules
)

var xssRuleNames = [xssNumRules]string{
	xssLib:     "xss.libinjection",
	xssTag:     "xss.tag",
	xssURI:     "xss.uri",
	xssHandler: "xss.handler",
	xssScript:  "xss.script",
	xssStyle:   "xss.style",
}

const htmlChars = cLT | cGT | cColon | cEq | cParen | cDQuote | cQuote | cBacktick | cAmp | cBracket | cDot

// Bounds that keep the work on one value linear in its length.
const (
	xssTagBound  = 1024 // bytes one tag's attributes are read over
	xssTagBudget = 8    // tag bytes read per byte of value, at most
)

func scanXSS(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	v := in.value
	m := in.m
	x := xssScan{xml: in.xmlData}
	if in.src == threat.SourceHeader && m&(cPercent|cAmp|cBackslash) != 0 {
		// headers reach the families as sent: decode them as a parameter
		if d := decode.Value(v, false); d != v {
			if dm := classify(d); dm&htmlChars != 0 {
				x.scan(d, dm)
			}
		}
	}
	if (in.name == "(name)" || in.name == "(key)") && m&cDot != 0 && domSinkName(v) {
		// a parameter or cookie named for the page's cookie or location: a
		// page that copies names into script assigns through them
		x.hit(xssScript, 0.99, v, 0, len(v))
	}
	if m&cBang != 0 && m&cBracket != 0 && jsFuck(v) {
		x.hit(xssScript, 0.99, v, 0, len(v))
	}
	if m&(cQuote|cDQuote) != 0 && len(v) >= 12 && (m&(cColon|cAmp|cPipe) != 0 || strings.IndexByte(v, '+') >= 0) {
		// quoted pieces joined by '+', "&&" or "||" (a scheme's pieces
		// hold its ':')
		if i, j, ok := splitScheme(v); ok {
			x.hit(xssScript, 0.99, v, i, j)
		}
	}
	if m&(cDot|cBracket) != 0 && m&(cStar|cParen|cBracket) != 0 && len(v) >= 7 {
		var lo []byte
		if len(v) > 512 {
			lo = in.lowerValue() // shared with the code and SSRF families
		} else {
			var stack [512]byte
			lo = lower(stack[:0], v)
		}
		if i, j, ok := domObfuscated(unsafeString(lo)); ok {
			x.hit(xssScript, 0.99, v, i, j)
		}
	}
	if m&htmlChars == 0 || in.src == threat.SourcePath && m&(cLT|cGT|cDQuote|cQuote|cParen) == 0 {
		if u, ok := utf7(v); ok && in.src != threat.SourcePath {
			x.scan(u, classify(u)) // "+ADw-script+AD4-": a tag in UTF-7
		}
		return x.report(in, seen, dst)
	}
	x.scan(v, m)
	if m&cBacktick != 0 && m&cSpace != 0 && len(v) <= 512 {
		x.spacedTaggedCall(v)
	}
	if m&(cLT|cGT) != 0 && in.raw != "" && (strings.IndexByte(in.raw, '&') >= 0 || strings.Contains(in.raw, "%26")) {
		// the decoder has read character references: look at them as sent
		x.entities(decode.Percent(in.raw, true))
	}
	if u, ok := utf7(v); ok {
		x.scan(u, classify(u))
	}
	// libinjection reports a tag, an attribute or a comment: without a
	// '<' or an '=' there is none of them (a quote alone, as prose has,
	// only starts an attribute value it has no name for).
	if m&(cLT|cEq) != 0 && in.src != threat.SourceBody && !in.xmlData {
		if i, j, ok := libXSS(v); ok {
			conf := 0.99
			if m&cLT != 0 && (onlyXMLDeclaration(v) || m&cBacktick != 0 && codeSpanComments(v) || genericTypesOnly(v)) || m&cLT == 0 && styleDeclarations(v) {
				// libinjection reads a processing instruction as a tag and
				// "style=" as an attribute that runs; an XML declaration
				// alone, and plain CSS declarations, run nothing (the
				// style rule reads CSS that does); nor do comments whose
				// backticks are Markdown's code spans
				conf = 0.6
			}
			x.hit(xssLib, conf, v, i, j)
		}
	}
	return x.report(in, seen, dst)
}

// genericTypeAt reports whether the '<' at s[i] opens a type's parameter
// in C++, Java or TypeScript rather than an element: it follows a name
// at once, and a name, maybe a '*' or '&', and '>' close it ("Local<Object>",
// "static_cast<Isolate*>", "List<String>"). A tag written into a page
// follows a quote or a bracket it breaks out of, and one that does harm
// has attributes; the script element runs glued to a word too, and is
// read as one.
func genericTypeAt(s string, i int) bool {
	if i == 0 || !isWord(s[i-1]) {
		return false
	}
	j := i + 1
	for j < len(s) && (isWord(s[j]) || s[j] == ':' && j+1 < len(s) && s[j+1] == ':') {
		if s[j] == ':' {
			j++
		}
		j++
	}
	if j == i+1 || !isAlpha(s[i+1]) {
		return false
	}
	if j < len(s) && (s[j] == '*' || s[j] == '&') {
		j++
	}
	return j < len(s) && s[j] == '>'
}

// genericTypesOnly reports whether every '<' of v opens a type's
// parameter (genericTypeAt), none of them the script element's name.
func genericTypesOnly(v string) bool {
	n := 0
	for i := strings.IndexByte(v, '<'); i >= 0; {
		if !genericTypeAt(v, i) || hasFold(v[i+1:], "script") {
			return false
		}
		n++
		k := strings.IndexByte(v[i+1:], '<')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return n > 0
}

// codeSpanComments reports a value whose only markup is HTML comments
// that hold Markdown's code spans: every '<' opens a comment, each
// comment holds an even number of backticks, no '<', and none of the words
// libinjection reads a comment for ("[if", "xml", "import", "entity"),
// and no '=' gives libinjection an attribute to read. libinjection flags
// a comment holding a backtick, which Internet Explorer ended a tag at;
// an issue template or a documentation note ("<!-- Paste the output of
// `npm ls` here -->") holds them as code.
func codeSpanComments(v string) bool {
	if strings.IndexByte(v, '=') >= 0 {
		return false
	}
	for i := 0; i < len(v); {
		k := strings.IndexByte(v[i:], '<')
		if k < 0 {
			return true
		}
		i += k
		if !strings.HasPrefix(v[i:], "<!--") {
			return false
		}
		e := strings.Index(v[i+4:], "-->")
		if e < 0 {
			return false
		}
		c := v[i+4 : i+4+e]
		if strings.Count(c, "`")%2 != 0 || strings.IndexByte(c, '<') >= 0 || indexFold(c, "[if") >= 0 || indexFold(c, "xml") >= 0 ||
			indexFold(c, "import") >= 0 || indexFold(c, "entity") >= 0 {
			return false
		}
		i += 4 + e + 3
	}
	return true
}

// xssLibSpan is the context libinjection reads on each side of a '<' or
// an '=' in a long value.
const xssLibSpan = 512

// libXSS runs libinjection's XSS check over v: whole when v is short, and
// otherwise over the spans of xssLibSpan bytes around each '<' and '='
// (merged where they overlap). A tag, an attribute or a comment starts at
// one of them; libinjection tries every quoting context a span may start
// in, and reads the whole value five times over, one pass per context, so
// prose with an '=' every few kilobytes is read once, not five times.
func libXSS(v string) (int, int, bool) {
	if len(v) <= 2*xssLibSpan {
		return 0, len(v), libXSSMay(v) && libinjection.IsXSS(v)
	}
	lo, hi := -1, -1
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '<' && c != '=' {
			continue
		}
		a, b := max(0, i-xssLibSpan), min(len(v), i+xssLibSpan)
		if lo >= 0 && a <= hi {
			hi = b
			continue
		}
		if lo >= 0 && libXSSMay(v[lo:hi]) && libinjection.IsXSS(v[lo:hi]) {
			return lo, hi, true
		}
		lo, hi = a, b
	}
	if lo >= 0 && libXSSMay(v[lo:hi]) && libinjection.IsXSS(v[lo:hi]) {
		return lo, hi, true
	}
	return 0, 0, false
}

// xmlDeclaration returns the length of the XML declaration v starts with
// ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", after a byte order mark),
// or 0. It needs one pseudo-attribute at least (the version), and only
// pseudo-attributes whose quoted values are names are read:
// anything else inside is not a declaration and is left to libinjection.
func xmlDeclaration(v string) int {
	i := 0
	if strings.HasPrefix(v, "\ufeff") {
		i = 3
	}
	if !strings.HasPrefix(v[i:], "<?xml") {
		return 0
	}
	i += 5
	for attrs := 0; ; attrs++ {
		sp := i
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
			i++
		}
		if attrs > 0 && strings.HasPrefix(v[i:], "?>") {
			return i + 2
		}
		if i == sp {
			return 0 // a pseudo-attribute needs a space before it
		}
		n := i
		for i < len(v) && isAlpha(v[i]) {
			i++
		}
		if i == n || i+2 >= len(v) || v[i] != '=' || v[i+1] != '"' && v[i+1] != '\'' {
			return 0
		}
		q := v[i+1]
		i += 2
		for i < len(v) && (isAlpha(v[i]) || isDigit(v[i]) || v[i] == '.' || v[i] == '-' || v[i] == '_' || v[i] == ':') {
			i++
		}
		if i >= len(v) || v[i] != q {
			return 0
		}
		i++
	}
}

// onlyXMLDeclaration reports whether v is an XML declaration and nothing
// else but spaces.
func onlyXMLDeclaration(v string) bool {
	n := xmlDeclaration(v)
	return n > 0 && strings.TrimSpace(v[n:]) == ""
}

// styleDeclarations reports whether v is a style attribute of plain CSS
// declarations ("style=color:red;background:white"): names, values,
// numbers, colours and url()s, with no quote, markup, escape or entity,
// and none of the words CSS runs script or loads code with.
func styleDeclarations(v string) bool {
	if len(v) < 7 || len(v) > 1024 || !strings.EqualFold(v[:5], "style") {
		return false
	}
	i := 5
	for i < len(v) && v[i] == ' ' {
		i++
	}
	if i >= len(v) || v[i] != '=' {
		return false
	}
	rest := v[i+1:]
	for k := 0; k < len(rest); k++ {
		c := rest[k]
		if !isAlnum(c) && strings.IndexByte(" :;,.#%-_()/!+", c) < 0 {
			return false
		}
	}
	for _, w := range [...]string{"expression", "script", "behavior", "binding", "import", "eval"} {
		if indexFold(rest, w) >= 0 {
			return false
		}
	}
	return true
}

// xmlData reports whether a document is XML data rather than HTML or a
// fragment of markup: it opens with the XML declaration, or its root
// element declares a namespace (after a byte order mark, space, comments,
// processing instructions and a document type without an internal subset).
// SVG, XHTML, SOAP, feeds and configuration files are; an HTML page or a
// payload is not.
func xmlData(v string) bool {
	if xmlDeclaration(v) > 0 {
		return true
	}
	i := 0
	if strings.HasPrefix(v, "\ufeff") {
		i = 3
	}
	for n := 0; ; n++ {
		for i < len(v) && htmlSpace(v[i]) {
			i++
		}
		if n == 8 || i+1 >= len(v) || v[i] != '<' {
			return false
		}
		if isAlpha(v[i+1]) {
			break // the root element
		}
		e := strings.IndexByte(v[i:], '>')
		if strings.HasPrefix(v[i:], "<!--") {
			e = strings.Index(v[i:], "-->") + 2
		} else if v[i+1] != '?' && v[i+1] != '!' {
			return false
		}
		if e < 0 || e < 2 {
			return false
		}
		i += e + 1
	}
	end := strings.IndexByte(v[i:], '>')
	if end < 0 {
		return false
	}
	tag := v[i : i+end]
	for k := 0; ; {
		j := strings.Index(tag[k:], "xmlns")
		if j < 0 {
			return false
		}
		j += k
		if n := j + 5; htmlSpace(tag[j-1]) && n < len(tag) && (tag[n] == '=' || tag[n] == ':') {
			return true
		}
		k = j + 5
	}
}

// libXSSMay reports whether libinjection's XSS check could flag s, in any
// of the five contexts it reads s in; when it reports false, the check is
// not run. libinjection flags only these tokens of its HTML5 tokenizer:
// a DOCTYPE; a comment holding a backtick, "[if", "xml", "import" or
// "entity"; an opening tag whose name is on its list; and an attribute
// value whose attribute's name is on its lists. Each needs a '<' or an
// '=' where this finds one: a '<' before '!', '?' or '%' (declarations
// and comments) or a '/' and no letter (a bogus comment); a '<' or "</"
// before a tag name that may be listed; an '=' after a name that may be.
// A tag of an XML document ("<note id=\"n1\">"), or an '=' in prose
// after a word such as "x", holds none of them, and libinjection, whose
// four attribute contexts tokenize every word of prose as an attribute,
// is the most expensive check an XML body had. The names are judged as
// libinjection judges them (upper case, NULs dropped); where a name may
// start is widened (after any quote or NUL), never narrowed: this errs
// only towards running the check. TestLibXSSMayKnowsLibinjection and
// FuzzLibXSSMay hold it to libinjection.
func libXSSMay(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if i+1 >= len(s) {
				return false
			}
			switch c := s[i+1]; {
			case c == '!' || c == '?' || c == '%':
				return true
			case c == '/':
				if i+2 < len(s) {
					if d := s[i+2]; isAlpha(d) {
						if xssBlackTag(s[i+2:]) {
							return true
						}
					} else if d != '>' {
						return true // a bogus comment
					}
				}
			case isAlpha(c) || c == 0:
				if xssBlackTag(s[i+1:]) {
					return true
				}
			}
		case '=':
			if xssBlackAttrBefore(s, i) {
				return true
			}
		}
	}
	return false
}

// libinjection's lists (xss_decls.go of libinjection-go v0.3.6): tag names,
// and attribute names other than the event handlers ("on" and a name).
var (
	xssLibTags = map[string]bool{"APPLET": true, "BASE": true, "COMMENT": true, "EMBED": true, "FRAME": true,
		"FRAMESET": true, "HANDLER": true, "IFRAME": true, "IMPORT": true, "ISINDEX": true, "LINK": true,
		"LISTENER": true, "META": true, "NOSCRIPT": true, "OBJECT": true, "SCRIPT": true, "STYLE": true,
		"VMLFRAME": true, "XML": true, "XSS": true}
	xssLibAttrs = map[string]bool{"ACTION": true, "ATTRIBUTENAME": true, "BY": true, "BACKGROUND": true,
		"DATAFORMATAS": true, "DATASRC": true, "DYNSRC": true, "FILTER": true, "FORMACTION": true, "FOLDER": true,
		"FROM": true, "HANDLER": true, "HREF": true, "LOWSRC": true, "POSTER": true, "SRC": true, "STYLE": true,
		"TO": true, "VALUES": true, "XLINK:HREF": true, "XMLNS": true, "XLINK": true}
)

// xssNameMax is the longest name libXSSMay judges (libinjection's is 64
// bytes without NULs); a longer one counts as listed.
const xssNameMax = 64

// xssUpper returns s upper-cased without NULs in buf, and false when it
// does not fit.
func xssUpper(buf *[xssNameMax]byte, s string) (string, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			continue
		}
		if n == len(buf) {
			return "", false
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return string(buf[:n]), true
}

// xssBlackTag reports whether the tag name at the start of s (up to a
// space, '/' or '>') may be one libinjection lists: a name on its list or
// one that starts with SVG or XSL.
func xssBlackTag(s string) bool {
	end := 0
	for end < len(s) && !h5Space(s[end]) && s[end] != '/' && s[end] != '>' {
		end++
	}
	var buf [xssNameMax]byte
	name, ok := xssUpper(&buf, s[:end])
	if !ok {
		return true
	}
	return xssLibTags[name] || strings.HasPrefix(name, "SVG") || strings.HasPrefix(name, "XSL")
}

// xssBlackAttrBefore reports whether the '=' at s[e] may end the name of
// an attribute libinjection lists. The name ends before the spaces (and
// NULs) ahead of the '='; it is a tail of the run of bytes before them
// that holds no space, '/', '=' or '>', starting at the run's start or
// after a quote or a NUL in it.
func xssBlackAttrBefore(s string, e int) bool {
	q := e
	for q > 0 && (h5Space(s[q-1]) || s[q-1] == 0) {
		q--
	}
	r := q
	for r > 0 && !h5Space(s[r-1]) && s[r-1] != '/' && s[r-1] != '=' && s[r-1] != '>' {
		r--
		if q-r > 4*xssNameMax {
			return true // a long run: let libinjection read it
		}
	}
	for p := r; p < q; p++ {
		if p > r && s[p-1] != '\'' && s[p-1] != '"' && s[p-1] != '`' && s[p-1] != 0 {
			continue
		}
		var buf [xssNameMax]byte
		name, ok := xssUpper(&buf, s[p:q])
		if !ok || len(name) >= 3 && name[0] == 'O' && name[1] == 'N' || xssLibAttrs[name] {
			return true
		}
	}
	return false
}

// h5Space reports whether c is a space to libinjection's HTML5 tokenizer.
func h5Space(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// report appends a signal for each rule that matched.
func (x *xssScan) report(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	for r := range x.best {
		h := &x.best[r]
		if h.conf == 0 || !seen.mark(&hit, uint(r)) {
			continue
		}
		s := bareSignal(nameXSS, xssRuleNames[r], h.conf, in)
		s.Evidence = excerpt(h.src, h.i, h.j, 48)
		dst = append(dst, s)
	}
	return dst, hit
}

type xssHit struct {
	conf float64
	src  string
	i, j int
}

// xssScan holds the best match of each rule over the forms of one value.
type xssScan struct {
	best   [xssNumRules]xssHit
	budget int
	// m holds the classes of the value scan reads, of which sinks and
	// styles read parts: their cursors skip the bytes it lacks (all
	// bytes are searched for when plain is set, as the tests do to check
	// that nothing is skipped that was there)
	m     cls
	plain bool
	// cursors is set by the tests to read with the cursors where the
	// spots of the value would serve (xssSpots)
	cursors bool
	// xml is set for an XML document of data (input.xmlData)
	xml bool
}

func (x *xssScan) hit(rule int, conf float64, s string, i, j int) {
	if h := &x.best[rule]; conf > h.conf {
		*h = xssHit{conf, s, i, j}
	}
}

func (x *xssScan) scan(s string, m cls) {
	x.budget = xssTagBudget*len(s) + xssTagBound
	x.m = m
	if x.plain {
		x.m = ^cls(0)
	}
	if m&cLT != 0 {
		for i := 0; i < len(s); {
			k := strings.IndexByte(s[i:], '<')
			if k < 0 {
				break
			}
			x.tag(s, i+k)
			x.endTag(s, i+k)
			i += k + 1
		}
		x.comment(s)
	}
	if m&cAmp != 0 {
		x.entities(s)
	}
	var sp xssSpots
	sp.fill(s, x.m, x.plain || x.cursors)
	if m&cColon != 0 {
		x.schemes(s, &sp)
	}
	if m&cEq != 0 {
		x.handlers(s)
	}
	if m&(cParen|cBacktick|cBracket|cBrace|cDot) != 0 {
		x.sinks(s, &sp)
	}
	if m&(cParen|cColon|cAt) != 0 {
		x.styles(s, 0, len(s), false, &sp)
	}
}

// xssSpots are the spots of the '(', ':' and '.' of a value that schemes,
// sinks and styles all stop at: of prose, the only bytes of their sets.
// Each is found in one walk instead of one walk (or cursor) of each
// loop. A loop whose set holds another byte the value has uses its
// cursor, as do all when the value is short (a cursor reads it eight
// bytes at a time) or has more of a byte than spots holds.
type xssSpots struct {
	ok                bool  // the spots were filled
	sinks, styles     bool  // and serve the loop's whole set
	paren, colon, dot spots // n is 0 for a byte the value lacks
}

// fill finds the spots of s, whose classes m holds, unless s is short or
// plain is set (xssScan.plain: the loops search for every byte of their
// sets).
func (sp *xssSpots) fill(s string, m cls, plain bool) {
	if plain || len(s) < shortCursor || len(s) >= 1<<31 || m&(cParen|cColon|cDot) == 0 {
		return
	}
	sp.ok = true
	if m&cParen != 0 {
		sp.paren.fill(s, '(')
	}
	if m&cColon != 0 {
		sp.colon.fill(s, ':')
	}
	if m&cDot != 0 && m&(cBacktick|cBracket|cEq|cAmp) == 0 {
		sp.dot.fill(s, '.')
	}
	// sinks' set is "(`[.=&", styles' "(:@": the classes of the others
	// must be absent (newClassCursor would search for them)
	sp.sinks = m&(cBacktick|cBracket|cEq|cAmp) == 0 && sp.paren.n >= 0 && sp.dot.n >= 0
	sp.styles = m&cAt == 0 && sp.paren.n >= 0 && sp.colon.n >= 0
}

// htmlSpace reports whether c separates attributes: HTML's spaces, and
// any other control byte, which browsers have treated alike.
func htmlSpace(c byte) bool { return c <= ' ' }

// hasFold reports whether s has prefix p, ignoring ASCII case; p is lower
// case.
func hasFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// Tag classes.
const (
	tagOther  = iota
	tagHint   // markup that can carry script (img, svg, body, input ...): a hint alone
	tagScript // script
	tagFrame  // iframe, frame, frameset
	tagObject // object, embed, applet
	tagBase   // base
	tagMeta   // meta
	tagLink   // link
	tagStyle  // style
	tagImport // ?import, xss, xml with namespace tricks
)

var tagClasses = map[string]int{
	"script": tagScript, "iframe": tagFrame, "frame": tagFrame, "frameset": tagFrame, "object": tagObject,
	"embed": tagObject, "applet": tagObject, "vmlframe": tagFrame, "base": tagBase, "meta": tagMeta, "link": tagLink, "style": tagStyle,
	"import": tagImport, "xss": tagImport, "isindex": tagHint, "img": tagHint, "image": tagHint, "svg": tagHint,
	"math": tagHint, "body": tagHint, "input": tagHint, "video": tagHint, "audio": tagHint, "source": tagHint,
	"form": tagHint, "button": tagHint, "details": tagHint, "marquee": tagHint, "template": tagHint, "xml": tagHint,
	"bgsound": tagHint, "layer": tagHint, "ilayer": tagHint, "textarea": tagHint, "keygen": tagHint, "select": tagHint,
	"animate": tagHint, "set": tagHint, "handler": tagHint, "listener": tagHint, "a": tagHint, "table": tagHint,
	"td": tagHint, "div": tagHint, "html": tagHint, "plaintext": tagHint, "xmp": tagHint, "noscript": tagHint,
	"noembed": tagHint, "title": tagHint, "comment": tagHint, "blink": tagHint, "event-source": tagHint,
}

// tagClass returns the class of a tag name.
func tagClass(name string) int {
	if len(name) > 12 {
		return tagOther
	}
	var buf [12]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	n := string(buf[:len(name)])
	if k := strings.IndexByte(n, ':'); k >= 0 && k+1 < len(n) {
		n = n[k+1:] // svg:script, html:iframe
	}
	return tagClasses[n]
}

// tag reads the tag opened at s[i] == '<'.
func (x *xssScan) tag(s string, i int) {
	j := i + 1
	if j < len(s) && s[j] == '?' {
		j++ // <?import implementation=..>, <?xml-stylesheet href=..>
	}
	if j >= len(s) || !isAlpha(s[j]) {
		return
	}
	k := j
	for k < len(s) && !htmlSpace(s[k]) && s[k] != '/' && s[k] != '>' {
		k++
	}
	name := s[j:k]
	class := tagClass(name)
	if s[i+1] == '?' && class == tagOther {
		class = tagImport
	}
	if class != tagScript && genericTypeAt(s, i) {
		return // "Local<Object> exports": a type's parameter in code, no element
	}
	end := len(s)
	if end-k > xssTagBound {
		end = k + xssTagBound
	}
	if x.budget < 0 {
		return
	}
	dangerous := false
	closed := false
	p := k
	var rel, equiv string
	for n := 0; p < end && n < 64; n++ {
		for p < end && (htmlSpace(s[p]) || s[p] == '/') {
			p++
		}
		if p >= end {
			break
		}
		if s[p] == '>' {
			closed = true
			p++
			break
		}
		a := p
		p++ // a name may start with '=' or a quote
		for p < end && !htmlSpace(s[p]) && s[p] != '/' && s[p] != '>' && s[p] != '=' {
			p++
		}
		attr := s[a:p]
		q := p
		for q < end && htmlSpace(s[q]) {
			q++
		}
		var val string
		vi, vj := p, p
		if q < end && s[q] == '=' {
			q++
			for q < end && htmlSpace(s[q]) {
				q++
			}
			if q < end && (s[q] == '"' || s[q] == '\'') {
				c := strings.IndexByte(s[q+1:end], s[q])
				vi = q + 1
				if c < 0 {
					vj = end
					p = end
				} else {
					vj = q + 1 + c
					p = vj + 1
				}
			} else {
				vi = q
				vj = q
				for vj < end && !htmlSpace(s[vj]) && s[vj] != '>' {
					vj++
				}
				p = vj
				// "<img/src=x/onerror=alert(1)>": to the browser the
				// handler is part of src's unquoted value, but a filter
				// that splits attributes at '/' as it does after a tag's
				// name reads a handler, and so does the probe's author
				if h := slashHandler(s[vi:vj]); h >= 0 {
					x.hit(xssHandler, 0.99, s, i, vi+h)
					dangerous = true
				}
			}
			val = s[vi:vj]
		}
		switch {
		case len(attr) > 2 && hasFold(attr, "on") && isAlpha(attr[2]) && !notHandler(attr):
			x.hit(xssHandler, 0.99, s, i, vj)
			dangerous = true
		case hasFold(attr, "style"):
			if x.styles(val, 0, len(val), true, nil) {
				dangerous = true
			}
		case hasFold(attr, "srcdoc") && strings.IndexByte(val, '<') >= 0:
			x.hit(xssTag, 0.99, s, i, vj)
			dangerous = true
		case hasFold(attr, "rel"):
			rel = val
		case class == tagFrame && equalFold(attr, "src") && val != "" && len(name) >= 8 && equalFold(name[len(name)-8:], "vmlframe"):
			// VML's frame loads and runs the document it names: only old
			// Internet Explorer reads it, and only a payload sends it
			x.hit(xssTag, 0.99, s, i, vj)
			dangerous = true
		case hasFold(attr, "http-equiv"):
			equiv = val
		}
		if strings.HasPrefix(val, "&{") {
			x.hit(xssScript, 0.99, s, i, vj) // Netscape's &{code}; in an attribute
			dangerous = true
		}
		if val != "" {
			u := val
			if class == tagMeta {
				if c := indexFold(u, "url="); c >= 0 {
					u = u[c+4:]
				}
			}
			if _, ok := scriptScheme(u); ok {
				x.hit(xssURI, 0.99, s, i, vj)
				dangerous = true
			}
		}
	}
	x.budget -= p - i
	conf := 0.0
	switch class {
	case tagScript:
		if closed || p >= len(s) || p > k {
			conf = 0.99
		}
	case tagFrame, tagObject:
		conf = 0.95
	case tagBase, tagImport:
		conf = 0.9
	case tagMeta:
		if hasFold(strings.TrimSpace(equiv), "refresh") || hasFold(strings.TrimSpace(equiv), "set-cookie") {
			conf = 0.99
		} else {
			conf = 0.6
		}
	case tagLink:
		conf = 0.6
		if r := strings.ToLower(rel); strings.Contains(r, "import") || strings.Contains(r, "stylesheet") {
			conf = 0.9
		}
	case tagStyle:
		conf = 0.6
		if closed && x.budget > 0 {
			// the style sheet, up to its end tag, within the budget
			end := min(len(s), p+min(xssTagBound, x.budget))
			if c := indexFold(s[p:end], "</style"); c >= 0 {
				end = p + c
			}
			x.budget -= end - p
			if x.styles(s, p, end, true, nil) {
				conf = 0.99
			}
		}
	case tagHint:
		conf = 0.5
		if namespaceOrRaw(name) {
			conf = 0.99
		}
	}
	if x.xml {
		// an XML document of data: its element names are its vocabulary
		// (title, link, meta, style, import, svg ...), not even a hint
		// (a family reports a rule once a request, and a hint here would
		// mask the rule's stronger reading of a value); what runs script
		// (script, frames and objects, handlers, script URLs, a refresh,
		// style sheets that run code) counts
		switch class {
		case tagHint, tagImport:
			conf = 0
		case tagMeta, tagLink, tagStyle:
			if conf < 0.99 {
				conf = 0
			}
		}
	}
	if !dangerous && conf > 0 {
		x.hit(xssTag, conf, s, i, p)
	}
}

// endTag reads the end tag at s[i] == '<'. An end tag of an element whose
// content a browser reads as raw text (script, style, textarea, title,
// xmp, noscript, iframe ...) closes the context a value was written into:
// it is how an injection breaks out, and no user types one. The end tag of
// another known element is markup injection, which a field of text does
// not hold either; "<nick>" in a pasted chat log is no element.
func (x *xssScan) endTag(s string, i int) {
	if x.xml {
		return // a document holds end tags: they break out of nothing
	}
	if i+2 >= len(s) || s[i+1] != '/' || !isAlpha(s[i+2]) {
		return
	}
	k := i + 2
	for k < len(s) && k-i < 16 && (isAlpha(s[k]) || isDigit(s[k]) || s[k] == '-' || s[k] == ':') {
		k++
	}
	if k < len(s) && !htmlSpace(s[k]) && s[k] != '>' {
		return
	}
	name := s[i+2 : k]
	switch {
	case rawTextElement(name):
		x.hit(xssTag, 0.99, s, i, k)
	case tagClass(name) != tagOther || htmlElement(name):
		x.hit(xssTag, 0.6, s, i, k)
	}
}

// namespaceOrRaw reports whether an opening tag switches the parser to
// another namespace (svg, math), where script and style rules differ, or
// to raw text that swallows the rest of the page (xmp, plaintext,
// noscript, noembed, textarea): a tag no text field holds, written to
// change how the page around it is parsed.
func namespaceOrRaw(name string) bool {
	for _, e := range [...]string{"svg", "math", "xmp", "plaintext", "noscript", "noembed", "textarea", "isindex",
		"template", "frameset"} {
		if equalFold(name, e) {
			return true
		}
	}
	return false
}

// rawTextElement reports whether name is an element whose content HTML
// parses as raw or escapable raw text, or one that ends the document.
func rawTextElement(name string) bool {
	for _, e := range [...]string{"script", "style", "textarea", "title", "xmp", "noscript", "noembed", "noframes",
		"iframe", "plaintext", "template", "body", "html", "head", "svg", "math", "option", "select", "form"} {
		if equalFold(name, e) {
			return true
		}
	}
	return false
}

// htmlElement reports whether name is an HTML element beyond those of
// tagClasses.
func htmlElement(name string) bool {
	for _, e := range [...]string{"p", "span", "b", "i", "u", "em", "strong", "h1", "h2", "h3", "h4", "h5", "h6",
		"li", "ul", "ol", "tr", "th", "tbody", "thead", "label", "pre", "code", "center", "font", "nav", "section",
		"article", "header", "footer", "main", "aside", "canvas", "object", "param", "map", "area", "frame", "fieldset",
		"legend", "caption", "dl", "dt", "dd", "hr", "br", "sup", "sub", "small", "big", "strike", "tt", "abbr",
		"address", "blockquote", "cite", "q", "s", "ins", "del", "kbd", "samp", "var", "bdo", "figure", "figcaption",
		"picture", "track", "dialog", "summary", "output", "progress", "meter", "slot", "portal", "xsl:stylesheet",
		"xsl:template", "foreignobject"} {
		if equalFold(name, e) {
			return true
		}
	}
	return false
}

// probeComment bounds the inside of a comment that is a value's only
// content for comment to read it as a probe: "<!-- hidden -->" is one, a
// note kept in a comment ("<!-- YAML added: v11.8.0 changes: ... -->",
// Node.js's documentation) is a paragraph. A comment that opens with '#'
// is a server-side include's shape, of any length.
const probeComment = 64

// comment finds an HTML comment written into a value: a conditional
// comment ("<!--[if"), whose inside old browsers run; the "--!>" that
// closes a comment where a filter looks for "-->"; markup inside the
// comment or around it, the shape of the parser-confusion payloads
// ("<!--<img src=\"--><img src=x onerror=alert(1)//\">"); or a value
// that is a short comment and nothing else, a probe of whether the page
// reflects markup. A comment of words inside prose is what Markdown and
// issue templates hold ("Steps: <!-- describe them --> 1. open"): it
// hides nothing reflected. An opener alone is a hint: it hides the page
// that follows.
func (x *xssScan) comment(s string) {
	if x.xml {
		return // a document holds comments: they hide nothing
	}
	i := strings.Index(s, "<!--")
	if i < 0 {
		return
	}
	rest := s[i+4:]
	end := strings.Index(rest, "-->")
	switch {
	case strings.Contains(rest, "--!>"), hasFold(strings.TrimLeft(rest, " "), "[if"):
		x.hit(xssTag, 0.99, s, i, i+4)
	case end < 0:
		x.hit(xssTag, 0.6, s, i, i+4)
	case strings.TrimSpace(s[:i]) == "" && strings.TrimSpace(rest[end+3:]) == "" &&
		(end <= probeComment || strings.HasPrefix(rest, "#")),
		strings.ContainsAny(rest[:end], "<>") || strings.ContainsAny(s[:i], "<>") || strings.IndexByte(rest[end+3:], '<') >= 0:
		x.hit(xssTag, 0.99, s, i, i+4)
	}
}

// entities finds numeric character references to '<' or '>' written with
// leading zeros (&#x0003c, &#00060;): an encoder writes &lt; or &#60;, a
// probe pads the number to slip past a filter that looks for those.
func (x *xssScan) entities(s string) {
	for i := 0; i+3 < len(s); i++ {
		if s[i] != '&' || s[i+1] != '#' {
			continue
		}
		j := i + 2
		hex := j < len(s) && (s[j] == 'x' || s[j] == 'X')
		if hex {
			j++
		}
		zeros := 0
		for j < len(s) && s[j] == '0' {
			j++
			zeros++
		}
		d := j
		for j < len(s) && (isDigit(s[j]) || hex && isHex(s[j])) {
			j++
		}
		if zeros == 0 || j-d > 2 {
			continue
		}
		v := strings.ToLower(s[d:j])
		if hex && (v == "3c" || v == "3e") || !hex && (v == "60" || v == "62") {
			x.hit(xssTag, 0.99, s, i, j)
			return
		}
	}
}

// scriptScheme reports whether u starts, after spaces and control bytes,
// with a URL scheme that runs script, and returns where the scheme ends.
// Spaces and control bytes inside the scheme are ignored, as browsers did
// ("java\tscript:").
func scriptScheme(u string) (int, bool) {
	var buf [12]byte
	n := 0
	i := 0
	for ; i < len(u) && n < len(buf); i++ {
		c := u[i]
		switch {
		case c <= ' ':
			continue
		case isAlpha(c):
			buf[n] = c | 0x20
			n++
			continue
		case c == ':':
		default:
			return 0, false
		}
		break
	}
	if i >= len(u) || u[i] != ':' {
		return 0, false
	}
	switch string(buf[:n]) {
	case "javascript", "vbscript", "livescript", "mocha", "jscript", "ecmascript":
		return i + 1, true
	case "data":
		rest := strings.TrimLeft(u[i+1:], " \t\r\n")
		for _, t := range dataScript {
			if hasFold(rest, t) {
				return i + 1, true
			}
		}
	}
	return 0, false
}

var dataScript = []string{"text/html", "image/svg", "application/xhtml", "text/xml", "application/xml",
	"text/javascript", "application/javascript", "application/x-javascript", "text/ecmascript",
	"application/ecmascript", "text/vbscript", "text/x-scriptlet", ",<", "base64,phnjcmlwd", "base64,pgi", "base64,pg"}

// schemes finds script URLs outside tags: the whole value, or a URL after
// '=' or a quote or url(, followed by code. "javascript: the good parts"
// is a book.
func (x *xssScan) schemes(s string, sp *xssSpots) {
	colons := sp.ok && sp.colon.n >= 0
	for off, n := 0, 0; off < len(s); {
		var c int
		if colons {
			if n == sp.colon.n {
				return
			}
			c = int(sp.colon.at[n])
			n++
		} else if c = strings.IndexByte(s[off:], ':'); c < 0 {
			return
		} else {
			c += off
		}
		off = c + 1
		// back over the scheme's letters (and spaces or control bytes)
		b := c
		letters := 0
		for b > 0 && letters < 12 && (isAlpha(s[b-1]) || s[b-1] < ' ' && s[b-1] != 0) {
			if isAlpha(s[b-1]) {
				letters++
			}
			b--
		}
		if letters < 4 {
			continue
		}
		end, ok := scriptScheme(s[b:])
		if !ok {
			continue
		}
		end += b
		// what precedes: start, '=', a quote, '(' (url(), spaces
		p := b
		for p > 0 && (s[p-1] == ' ' || s[p-1] == '\t') {
			p--
		}
		start := p == 0 || strings.IndexByte("=\"'`(>[,", s[p-1]) >= 0
		code := jsAfter(s, end)
		isData := s[b]|0x20 == 'd'
		switch {
		case (code || isData) && start:
			x.hit(xssURI, 0.99, s, b, end+16)
		case code:
			x.hit(xssURI, 0.9, s, b, end+16)
		case start && p == 0 && end == len(s):
			x.hit(xssURI, 0.6, s, b, end) // "javascript:" alone
		}
	}
}

// jsAfter reports whether code follows offset i: a call, a member or
// index expression, an assignment, a string or template, an operator or
// bracket; not a sentence.
func jsAfter(s string, i int) bool {
	i0 := i
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= len(s) {
		return false
	}
	c := s[i]
	if strings.IndexByte("+-!~", c) >= 0 {
		// A unary operator: code when something after it can act, a call,
		// a template, an assignment or an escape ("javascript:+alert(1)",
		// "-confirm`1`"). "JavaScript:+Basics+of+JavaScript" is a title
		// whose spaces a form encoded as '+'.
		r := s[i+1:]
		if len(r) > 256 {
			r = r[:256]
		}
		return strings.ContainsAny(r, "(`=\\%&")
	}
	if strings.IndexByte("('\"`[{/%\\;0123456789", c) >= 0 {
		return true
	}
	if !isWord(c) && c != '$' {
		return false
	}
	j := i
	for j < len(s) && (isWord(s[j]) || s[j] == '$' || s[j] == '.') {
		j++
	}
	if j >= len(s) {
		return j-i > 3 && i == i0 // javascript:alert, not "javascript: stuff"
	}
	switch s[j] {
	case '(', '[', '=', '`', ';', ':', '+':
		return true
	}
	return false
}

// nextOn returns the offset of the first "on", in any case, at or after
// off in s, or -1: off + indexFold(s[off:], "on"). Prose has "on" every
// few words, and an 'n' more often: the pair is searched for eight
// positions at a time (indexLetterPair), not at each 'n'.
func nextOn(s string, off int) int {
	if off > len(s) {
		return -1
	}
	if k := indexLetterPair(s[off:], 'o', 'n'); k >= 0 {
		return off + k
	}
	return -1
}

// handlers finds an event handler attribute outside a tag: injected into
// an existing tag after a break-out quote (" onmouseover=alert(1) x=").
func (x *xssScan) handlers(s string) {
	for off := 0; off+2 < len(s); {
		i := nextOn(s, off)
		if i < 0 {
			return
		}
		off = i + 2
		if i > 0 && (isWord(s[i-1]) || s[i-1] >= 0x80) {
			continue
		}
		j := i + 2
		for j < len(s) && isAlpha(s[j]) {
			j++
		}
		if j-i < 5 {
			continue
		}
		k := j
		for k < len(s) && (htmlSpace(s[k]) || s[k] == '/') {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			continue
		}
		known := handlerName(strings.ToLower(s[i+2 : j]))
		code := handlerCode(s, k+1)
		// what precedes: the start, a quote, spaces or '/'
		p := i
		for p > 0 && (htmlSpace(s[p-1]) || s[p-1] == '/') {
			p--
		}
		quote := p > 0 && (s[p-1] == '"' || s[p-1] == '\'' || s[p-1] == '`')
		conf := 0.0
		switch {
		case quote && (known || code):
			conf = 0.99
		case p == 0 && known && code:
			conf = 0.99
		case known && code:
			conf = 0.9
		case known && (quote || p == 0):
			conf = 0.75
		}
		if conf > 0 {
			x.hit(xssHandler, conf, s, i, k+1)
		}
	}
}

// slashHandler returns the index of the '=' after a '/' and the name of
// an event handler in v ("x/onerror=xxx"), or -1.
func slashHandler(v string) int {
	for off := 0; off+2 < len(v); {
		i := indexLetterPair(v[off:], 'o', 'n')
		if i < 0 {
			return -1
		}
		i += off
		off = i + 2
		if i == 0 || v[i-1] != '/' {
			continue
		}
		j := i + 2
		for j < len(v) && isAlpha(v[j]) {
			j++
		}
		if j-i >= 5 && j < len(v) && v[j] == '=' && handlerName(strings.ToLower(v[i+2:j])) {
			return j
		}
	}
	return -1
}

// notHandler reports whether an on* attribute name is an English word no
// event is named after ("one", "only", "onion").
func notHandler(attr string) bool {
	for _, w := range []string{"one", "ones", "only", "onion", "onto", "onset", "onward", "onwards", "ongoing", "onboard",
		"onsite", "onstage", "onscreen"} {
		if equalFold(attr, w) {
			return true
		}
	}
	return false
}

// handlerCode reports whether a handler's value at offset i reads as code.
func handlerCode(s string, i int) bool {
	for i < len(s) && htmlSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		i++
	}
	if _, ok := scriptScheme(s[i:]); ok {
		return true
	}
	return jsAfter(s, i)
}

// handlerName reports whether name (after "on", lower case) is a DOM event
// name prefix.
func handlerName(name string) bool {
	_, ok := hasPrefixAny([]byte(name), eventPrefixes)
	return ok
}

var eventPrefixes = words("load", "error", "mouse", "click", "dblclick", "focus", "blur", "key", "submit", "change",
	"abort", "unload", "beforeunload", "resize", "scroll", "select", "drag", "drop", "input", "invalid", "reset", "search",
	"toggle", "wheel", "copy", "cut", "paste", "play", "pause", "animation", "transition", "pointer", "touch", "message",
	"hashchange", "popstate", "pageshow", "pagehide", "readystatechange", "begin", "end", "start", "finish", "auxclick",
	"contextmenu", "afterprint", "beforeprint", "show", "storage", "online", "offline", "canplay", "ended", "seek",
	"volumechange", "waiting", "progress", "durationchange", "emptied", "stalled", "suspend", "timeupdate", "activate",
	"beforeactivate", "deactivate", "filterchange", "help", "move", "propertychange", "rowenter", "bounce", "formchange",
	"forminput", "cellchange", "datasetchanged", "errorupdate", "losecapture", "controlselect", "layoutcomplete",
	"repeat", "zoom", "loadstart", "loadend", "beforeinput", "beforetoggle", "content", "data", "focusin", "focusout",
	"gotpointercapture", "lostpointercapture", "securitypolicyviolation", "slotchange", "webkit")

// sinks finds script sinks outside tags, from the punctuation each needs:
// a call's "(" or "`", an index's "[", a member's ".", an assignment's
// "=", Netscape's "&{". Each is judged from the words around it, so that
// the pass costs a byte loop on values without any.
func (x *xssScan) sinks(s string, sp *xssSpots) {
	var cur stopCursor
	if sp.ok && sp.sinks {
		cur.spotted = true
		cur.sc.set(&sp.paren, &sp.dot, len(s))
	} else {
		cur.bc = newClassCursor(sinkBytes, s, x.m)
	}
	for p := 0; p < len(s); p++ {
		if p = cur.next(p); p >= len(s) {
			break // none of the cases below
		}
		switch s[p] {
		case '(', '`':
			x.call(s, p)
		case '[':
			x.index(s, p)
		case '.':
			x.member(s, p)
		case '=':
			if w := wordBefore(s, p); equalFold(s[w:wordAt(s, w)], "location") && (w == 0 || s[w-1] != '.') {
				x.assign(s, w, p, p+1)
			}
			// onerror=alert, x=alert;x(1): a dialog assigned, to be called
			if e := wordAt(s, p+1); e > p+1 && (e == len(s) || strings.IndexByte(";,)<>} \t", s[e]) >= 0) && dialog(s[p+1:e]) {
				conf := 0.95
				if w := wordBefore(s, p); w < p {
					// the alias called afterwards: a=alert,a(1)
					alias := s[w:wordAt(s, w)]
					if k := strings.Index(s[e:min(len(s), e+64)], alias+"("); alias != "" && k >= 0 {
						conf = 0.99
					}
				}
				x.hit(xssScript, conf, s, p, e)
			} else if q := skipSpaceStr(s, p+1); strings.HasPrefix(s[q:], "eval") {
				// _=eval,...,_(__(___)): eval under another name, then
				// called; a call of the name itself is what runs code
				e := q + len("eval")
				if e == len(s) || strings.IndexByte(";, \t", s[e]) >= 0 {
					if w := wordBefore(s, p); w < p && aliasCalled(s[e:min(len(s), e+96)], s[w:wordAt(s, w)]) {
						x.hit(xssScript, 0.99, s, w, e)
					}
				}
			}
		case '&':
			if p+1 < len(s) && s[p+1] == '{' && strings.IndexByte(s[p+2:min(len(s), p+258)], '}') > 0 {
				x.hit(xssScript, 0.95, s, p, p+16) // Netscape's JavaScript entity &{code};
			}
		}
	}
}

// aliasCalled reports whether s calls the identifier alias: alias, not
// the end of a longer name, then "(".
func aliasCalled(s, alias string) bool {
	for off := 0; alias != ""; {
		k := strings.Index(s[off:], alias+"(")
		if k < 0 {
			return false
		}
		k += off
		if k == 0 || !isWord(s[k-1]) && s[k-1] != '$' {
			return true
		}
		off = k + 1
	}
	return false
}

// sinkBytes are the bytes sinks looks at.
var sinkBytes = finder("(`[.=&")

// wordBefore returns where the identifier ending at p (spaces before p
// skipped) starts; p itself when there is none.
func wordBefore(s string, p int) int {
	e := p
	for e > 0 && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	w := e
	for w > 0 && (isWord(s[w-1]) || s[w-1] == '$') {
		w--
	}
	if w == e {
		return p
	}
	return w
}

// wordAt returns the end of the identifier starting at p.
func wordAt(s string, p int) int {
	for p < len(s) && (isWord(s[p]) || s[p] == '$') {
		p++
	}
	return p
}

// equalFold reports whether s equals the lower-case word w, ignoring ASCII
// case.
func equalFold(s, w string) bool { return len(s) == len(w) && hasFold(s, w) }

// accessBefore returns where the member access ending at p ("." or
// optional chaining's "?.") starts, or -1 when there is none.
func accessBefore(s string, p int) int {
	switch {
	case p == 0 || s[p-1] != '.':
		return -1
	case p > 1 && s[p-2] == '?':
		return p - 2
	}
	return p - 1
}

// globalNames are the names of the global object, whose members are the
// page's own dialogs and sinks.
var globalNames = []string{"window", "top", "self", "parent", "this", "frames", "globalthis", "parentwindow", "opener", "content"}

// objectBefore reports whether the identifier ending at p, before a '.'
// or a "?.", is one of the names.
func objectBefore(s string, p int, names ...string) bool {
	d := accessBefore(s, p)
	if d < 0 {
		return false
	}
	w := wordBefore(s, d)
	for _, n := range names {
		if equalFold(s[w:wordAt(s, w)], n) {
			return true
		}
	}
	return false
}

// call judges the call whose "(" or "`" is at p.
func (x *xssScan) call(s string, p int) {
	w := wordBefore(s, p)
	if w == p && s[p] == '(' && p > 1 && s[p-1] == '.' && s[p-2] == '?' {
		// alert?.(1): an optional call calls the name before its "?."
		w = wordBefore(s, p-2)
	}
	name := s[w:wordAt(s, w)]
	if s[p] == '(' && (w > 0 && s[w-1] == '.' || equalFold(name, "settimeout") || equalFold(name, "setinterval")) {
		// [1].find(alert), setTimeout(alert): a dialog handed to a call
		if a := wordAt(s, p+1); a > p+1 && a < len(s) && (s[a] == ')' || s[a] == ',') && dialog(s[p+1:a]) {
			x.hit(xssScript, 0.99, s, w, a+1)
		}
	}
	if name == "" {
		// (alert)(1): a name in brackets, called
		if p > 1 && s[p-1] == ')' {
			o := strings.LastIndexByte(s[max(0, p-24):p-1], '(')
			if o >= 0 {
				o += max(0, p-24)
				if n := strings.TrimSpace(s[o+1 : p-1]); dialog(n) {
					x.hit(xssScript, 0.99, s, o, p+8)
				}
			}
		}
		return
	}
	dotted := w > 0 && s[w-1] == '.'
	switch {
	case dialog(name):
		if equalFold(name, "print") && !(p+1 < len(s) && (s[p] == '`' || s[p+1] == ')')) {
			return // print(...) is as often Python; print() and print`` are the probes
		}
		if w >= 2 && (s[w-2:w] == "--" || s[w-2:w] == "++") {
			return // "--print`": an option; --alert(1) is no expression a page runs
		}
		if s[p] == '`' && w > 0 && s[w-1] == '`' {
			return // "`prompt`": a template's (or Markdown's) text, not its tag
		}
		if !jsCall(s, p) {
			return
		}
		conf := 0.99
		if dotted && !objectBefore(s, w, globalNames...) {
			conf = 0.95 // a method of that name
		}
		x.hit(xssScript, conf, s, w, p+8)
	case dotted && (equalFold(name, "call") || equalFold(name, "apply") || equalFold(name, "bind")):
		x.indirect(s, w, p)
	case name == "Function" && s[p] == '`':
		// new Function`al\ert\`1\``: the tag's strings become the body,
		// and new calls it (Function('code') alone only makes it);
		// Function`...```() calls it too. Case and all, as JavaScript
		// reads it: "a new function `defcolor'" is prose, and so is
		// "`Function`", Markdown's code span.
		markdown := w > 0 && s[w-1] == '`'
		if e := templateEnd(s, p); !markdown && (newBefore(s, w) || e < len(s) && (s[e] == '(' || s[e] == '`')) {
			x.hit(xssScript, 0.99, s, w, p+8)
		}
	case s[p] != '(':
	case equalFold(name, "eval") || equalFold(name, "settimeout") || equalFold(name, "setinterval") || equalFold(name, "execscript"):
		if dotted && !objectBefore(s, w, "window", "top", "self", "this") {
			return
		}
		a := strings.TrimLeft(s[p+1:min(len(s), p+65)], " ")
		switch {
		case a == "" || a[0] == ')':
		case strings.IndexByte("'\"`/", a[0]) >= 0 || evalArg(a) || withPage(s[max(0, w-64):w]):
			// a string, a decoded or page-sourced one, or any argument
			// inside with(location) or with(document): there a bare
			// name is the page's own ("with(location)with(hash)
			// eval(substring(1))" runs the fragment)
			x.hit(xssScript, 0.99, s, w, p+8)
		default:
			x.hit(xssScript, 0.9, s, w, p+8)
		}
	case equalFold(name, "function"):
		if a := strings.TrimLeft(s[p+1:min(len(s), p+8)], " "); a != "" && strings.IndexByte("'\"`", a[0]) >= 0 {
			x.hit(xssScript, 0.95, s, w, p+8) // Function('code')
		}
	case equalFold(name, "constructor"):
		if dotted {
			x.hit(xssScript, 0.95, s, w, p+8) // [].constructor.constructor('code')
		}
	case equalFold(name, "fromcharcode"):
		if objectBefore(s, w, "string") {
			x.hit(xssScript, 0.9, s, w, p+8)
		}
	case equalFold(name, "open") && objectBefore(s, w, "window"),
		equalFold(name, "write") && objectBefore(s, w, "document"),
		equalFold(name, "writeln") && objectBefore(s, w, "document"):
		conf := 0.9
		if a := strings.TrimLeft(s[p+1:min(len(s), p+65)], " "); !equalFold(name, "open") && evalArg(a) {
			// the page writes a decoded or page-sourced string into
			// itself, as eval runs one: document.write(unescape(...)),
			// document.write(location.hash)
			conf = 0.99
		}
		x.hit(xssScript, conf, s, w, p+8)
	case equalFold(name, "createelement"):
		// a script element made and given a source or a place in the
		// page: what a <script src> tag does, written as DOM calls
		// (createElement('script') ... .src=, appendChild)
		a := strings.TrimLeft(s[p+1:min(len(s), p+16)], " ")
		if len(a) > 7 && (a[0] == '\'' || a[0] == '"' || a[0] == '`') && hasPrefixFold(a[1:], "script") && a[7] == a[0] {
			rest := s[p+8 : min(len(s), p+8+xssTagBound)]
			if indexFold(rest, ".src") >= 0 || indexFold(rest, "appendchild(") >= 0 || indexFold(rest, "insertbefore(") >= 0 {
				x.hit(xssScript, 0.99, s, w, p+8)
			}
		}
	case equalFold(name, "atob") || equalFold(name, "unescape") || equalFold(name, "fetch") ||
		equalFold(name, "import") || equalFold(name, "xmlhttprequest"),
		equalFold(name, "image") && w > 0 && equalFold(s[wordBefore(s, w):wordAt(s, wordBefore(s, w))], "new"):
		x.hit(xssScript, 0.7, s, w, p+8)
	}
}

// newBefore reports whether the operator new, then spaces or a form's
// '+' for one, ends at w.
func newBefore(s string, w int) bool {
	e := w
	for e > 0 && (s[e-1] == ' ' || s[e-1] == '\t' || s[e-1] == '+') {
		e--
	}
	return e < w && e >= 3 && equalFold(s[e-3:e], "new") && (e == 3 || !isWord(s[e-4]) && s[e-4] != '`')
}

// templateEnd returns the offset just past the template literal whose
// opening '`' is at p, reading past backslash escapes, or len(s) when it
// does not close within 256 bytes.
func templateEnd(s string, p int) int {
	for i := p + 1; i < len(s) && i-p <= 256; i++ {
		switch s[i] {
		case '\\':
			i++
		case '`':
			return i + 1
		}
	}
	return len(s)
}

// indirect judges the call of Function.prototype's call, apply or bind
// whose name starts at w and whose "(" or "`" is at p: alert.call(null,1),
// prompt.apply(null,[1]), confirm.bind(null,1)(), the forms cheat sheets
// give for a filter that looks for a dialog's name before a bracket. The
// dialog must be the object, and the call must have its arguments (a bound
// dialog its own call after them), so that prose naming alert.call, or
// code calling a function of its own through call, is not read as one.
func (x *xssScan) indirect(s string, w, p int) {
	if s[p] == '`' {
		x.taggedCall(s, w, p)
		return
	}
	d := accessBefore(s, w)
	o := wordBefore(s, d)
	if o == d {
		return
	}
	if callee := s[o:wordAt(s, o)]; !dialog(callee) {
		x.indirectEval(s, callee, o, w, p)
		return
	}
	j := p
	if equalFold(s[w:wordAt(s, w)], "bind") {
		// bound, the dialog runs when the result is called
		if s[p] != '(' {
			return
		}
		e := strings.IndexByte(s[p:min(len(s), p+256)], ')')
		if e < 0 {
			return
		}
		j = p + e + 1
	}
	if !jsCall(s, j) {
		return
	}
	conf := 0.99
	if o > 0 && s[o-1] == '.' && !objectBefore(s, o, globalNames...) {
		conf = 0.95 // a method of that name
	}
	x.hit(xssScript, conf, s, o, j+8)
}

// indirectEval judges eval, setTimeout or setInterval at s[o:] called
// through call or apply at s[w:], whose '(' is at p: the argument after
// the first (call's this) is the code, as eval's own first argument is
// ("eval.call(this,unescape.call(this,location))", "eval.apply(null,
// [name])"). A string or a decoded or page-sourced argument is the payload.
func (x *xssScan) indirectEval(s, callee string, o, w, p int) {
	if !(equalFold(callee, "eval") || equalFold(callee, "settimeout") || equalFold(callee, "setinterval")) ||
		s[p] != '(' || equalFold(s[w:wordAt(s, w)], "bind") {
		return
	}
	if o > 0 && s[o-1] == '.' && !objectBefore(s, o, "window", "top", "self", "this") {
		return // a method of that name
	}
	c := strings.IndexByte(s[p+1:min(len(s), p+33)], ',')
	if c < 0 {
		return
	}
	a := strings.TrimLeft(s[p+2+c:min(len(s), p+2+c+65)], " ")
	if equalFold(s[w:wordAt(s, w)], "apply") {
		if a == "" || a[0] != '[' {
			return
		}
		a = strings.TrimLeft(a[1:], " ")
	}
	if a != "" && (strings.IndexByte("'\"`", a[0]) >= 0 || evalArg(a)) {
		x.hit(xssScript, 0.99, s, o, p+8)
	}
}

// taggedCall judges call, apply or bind at s[w:] used as a template's tag
// at p: [].sort.call`${alert}1337` hands the function substituted in the
// template to the call as its argument, and sort calls it; so do map,
// find and Reflect.apply. A dialog or eval substituted first is the
// payload; a template of text, or of a variable of the page, is not.
func (x *xssScan) taggedCall(s string, w, p int) {
	e := strings.IndexByte(s[p+1:min(len(s), p+257)], '`')
	if e < 0 {
		return
	}
	t := s[p+1 : p+1+e]
	k := strings.Index(t, "${")
	if k < 0 {
		return
	}
	r := strings.TrimLeft(t[k+2:], " ")
	if taggedSink(r) {
		x.hit(xssScript, 0.99, s, w, p+2+e)
	}
}

// taggedSink reports whether the substitution r opens with a function
// that runs or navigates to the text it is given: a dialog, eval,
// Function, the timers (which run a string), or a navigation
// (Reflect.apply.call`${navigation.navigate}${navigation}${[name]}`
// navigates to window.name, a javascript: URL the attacker set).
func taggedSink(r string) bool {
	n := wordAt(r, 0)
	name, rest := r[:n], r[n:]
	method := func(m string) bool {
		return len(rest) > len(m) && rest[0] == '.' && equalFold(rest[1:1+len(m)], m) && (len(rest) == 1+len(m) || !isWord(rest[1+len(m)]))
	}
	switch {
	case dialog(name), equalFold(name, "eval"), equalFold(name, "function"), equalFold(name, "settimeout"), equalFold(name, "setinterval"):
		return true
	case equalFold(name, "navigation"):
		return method("navigate")
	case equalFold(name, "location"):
		return method("assign") || method("replace")
	case equalFold(name, "document"):
		return method("write") || method("writeln")
	}
	return false
}

// dialog reports whether name is one of the dialogs every XSS proof calls.
func dialog(name string) bool {
	return equalFold(name, "alert") || equalFold(name, "prompt") || equalFold(name, "confirm") || equalFold(name, "print")
}

// index judges the "[" at p: top['al'+'ert'](1) calls a computed member of
// the global object.
func (x *xssScan) index(s string, p int) {
	w := wordBefore(s, p)
	if w == p && p > 1 && s[p-1] == '.' && s[p-2] == '?' {
		w = wordBefore(s, p-2) // window?.['alert'](1): optional chaining
	}
	if w == p {
		return
	}
	name := s[w:wordAt(s, w)]
	if equalFold(name, "document") || equalFold(name, "window") {
		// document['cookie']: a secret read by a computed member, which
		// a filter looking for document.cookie does not see
		if e := strings.IndexByte(s[p:min(len(s), p+128)], ']'); e >= 0 {
			k := strings.TrimSpace(s[p+1 : p+e])
			if len(k) > 2 && strings.IndexByte("'\"`", k[0]) >= 0 && k[len(k)-1] == k[0] && secret(name, k[1:len(k)-1]) {
				x.read(s, w, p+e+1, true)
			}
		}
	}
	if w > 0 && (isWord(s[w-1]) || s[w-1] == '.') {
		return
	}
	switch {
	case equalFold(name, "top"), equalFold(name, "self"), equalFold(name, "window"), equalFold(name, "parent"),
		equalFold(name, "this"), equalFold(name, "frames"), equalFold(name, "globalthis"), equalFold(name, "content"),
		equalFold(name, "document"):
	default:
		return
	}
	if e := strings.IndexByte(s[p:min(len(s), p+128)], ']'); e >= 0 && p+e+1 < len(s) && (s[p+e+1] == '(' || s[p+e+1] == '`') {
		x.hit(xssScript, 0.99, s, w, p+e+2)
	}
}

// secret reports whether the member prop of obj holds what an attack reads
// out of the page: the cookie, the domain a proof names, window.name that
// a payload may be carried in.
func secret(obj, prop string) bool {
	return equalFold(obj, "document") && (equalFold(prop, "cookie") || equalFold(prop, "domain")) ||
		equalFold(obj, "window") && equalFold(prop, "name")
}

// read judges the read of a secret at s[w:e]. code is set when the access
// is itself script syntax, which prose does not have (document['cookie'],
// document?.cookie): it then counts as a read in a script.
func (x *xssScan) read(s string, w, e int, code bool) {
	conf := 0.7
	if code || jsContext(s, w, e) {
		conf = 0.9
	}
	b := w
	for b > 0 && s[b-1] == ' ' {
		b--
	}
	if b > 0 && strings.IndexByte("+(,=", s[b-1]) >= 0 || e < len(s) && s[e] == '+' ||
		e+1 < len(s) && s[e] == '=' && s[e+1] != '=' {
		conf = 0.99 // read into an expression, or the cookie written
	}
	x.hit(xssScript, conf, s, w, e)
}

// member judges the "." at p: document.cookie, window.location,
// /al/.source.
func (x *xssScan) member(s string, p int) {
	e := wordAt(s, p+1)
	prop := s[p+1 : e]
	if prop == "" {
		return
	}
	q := p
	if q > 0 && s[q-1] == '?' {
		q-- // document?.cookie: optional chaining
	}
	w := wordBefore(s, q)
	obj := s[w:wordAt(s, w)]
	switch {
	case secret(obj, prop):
		// read into an expression: +document.cookie, (document.cookie)
		x.read(s, w, e, q < p)
	case equalFold(prop, "location") && (equalFold(obj, "document") || equalFold(obj, "window") || equalFold(obj, "top") || equalFold(obj, "self")),
		equalFold(obj, "location") && (equalFold(prop, "href") || equalFold(prop, "hash") || equalFold(prop, "replace") || equalFold(prop, "assign")):
		x.assign(s, w, e, e)
	case equalFold(prop, "source") && p > 0 && s[p-1] == '/':
		x.hit(xssScript, 0.9, s, w, e) // /al/.source+/ert/.source
	case equalFold(prop, "innerhtml") || equalFold(prop, "outerhtml"):
		conf := 0.7
		if jsContext(s, p, e) {
			conf = 0.9
		}
		x.hit(xssScript, conf, s, p, e)
	}
}

// assign judges a location at s[w:e] given a value from offset v:
// location='//evil/', location.href="javascript:...".
func (x *xssScan) assign(s string, w, e, v int) {
	conf := 0.7
	if jsContext(s, w, e) {
		conf = 0.9
	}
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v == e { // after a member: an assignment must follow
		if v >= len(s) || s[v] != '=' && s[v] != '(' || s[v] == '=' && v+1 < len(s) && s[v+1] == '=' {
			x.hit(xssScript, conf, s, w, e)
			return
		}
		v++
		for v < len(s) && s[v] == ' ' {
			v++
		}
	}
	if v < len(s) && strings.IndexByte("'\"`", s[v]) >= 0 {
		conf = 0.95
	}
	x.hit(xssScript, conf, s, w, e)
}

// evalArg reports whether a starts, in any case, with what code-running
// sinks are fed in attacks: decoded or fetched strings, the page's own
// strings ("String.fromCharCode(", "atob(", "location.hash"); a decoder
// called through call or apply too ("unescape.call(this,location)").
func evalArg(a string) bool {
	if a == "" || strings.IndexByte("asudlnwt$", a[0]|0x20) < 0 {
		return false // the first bytes of the prefixes below, any case
	}
	for _, p := range []string{"atob(", "atob.", "string.fromcharcode", "unescape(", "unescape.", "decodeuri", "location", "name",
		"document.", "window.", "top.", "self.", "this.", "localstorage", "url", "$"} {
		if hasPrefixFold(a, p) {
			switch p {
			case "location", "name", "url":
				// the global itself, not a word that opens with it ("Names")
				return len(a) == len(p) || !isWord(a[len(p)])
			}
			return true
		}
	}
	return false
}

// withPage reports whether s, what comes before a sink's name, holds a
// with statement on the page's location, document or window
// ("with(location)", "with ( document )"), whose properties the bare
// names inside it read.
func withPage(s string) bool {
	for {
		i := indexFold(s, "with")
		if i < 0 {
			return false
		}
		a := strings.TrimLeft(s[i+4:], " ")
		if (i == 0 || !isWord(s[i-1])) && a != "" && a[0] == '(' {
			a = strings.TrimLeft(a[1:], " ")
			for _, o := range []string{"location", "document", "window", "top", "self"} {
				if hasPrefixFold(a, o) && (len(a) == len(o) || !isWord(a[len(o)])) {
					return true
				}
			}
		}
		s = s[i+4:]
	}
}

// jsCall reports whether a call's arguments follow offset j: "(...)" with
// its closing bracket, or a template literal.
func jsCall(b string, j int) bool {
	for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
		j++
	}
	if j >= len(b) {
		return false
	}
	switch b[j] {
	case '`':
		return true
	case '(':
		e := j + 1
		for e < len(b) && e-j < 256 && b[e] != ')' {
			e++
		}
		return e < len(b) && b[e] == ')' && !proseArgs(b[j+1:e])
	}
	return false
}

// proseArgs reports whether a, what a call's brackets hold, reads as
// words of a sentence and not as arguments: two names in a row with only
// spaces between them, neither an operator word ("prompt (one with
// embedded newlines)"), or an operator word first ("prompt (in
// contrib/)"). No expression holds either. Strings and regular
// expressions are read past: "alert('a b')" and "alert(/x y/)" hold
// code.
func proseArgs(a string) bool {
	prev := "" // the name just read, when only spaces follow it
	first := true
	for i := 0; i < len(a); {
		c := a[i]
		switch {
		case c == '\'', c == '"', c == '`':
			if c != '`' && prev != "" && !jsOperatorWord(prev) {
				return true // a name, then a string: "prompt (or \"repl\")"
			}
			k := strings.IndexByte(a[i+1:], c)
			if k < 0 {
				return false
			}
			i += k + 2
			prev, first = "", false
		case c == '/' && prev == "" && jsRegexStart(a, i):
			k := strings.IndexByte(a[i+1:], '/')
			if k < 0 {
				return false
			}
			i += k + 2
			prev, first = "", false
		case isWord(c) || c == '$':
			e := wordAt(a, i)
			w := a[i:e]
			if first && jsInfixWord(w) {
				return true
			}
			if prev != "" && !jsOperatorWord(prev) && !jsInfixWord(w) && !isDigit(w[0]) && !isDigit(prev[0]) {
				return true
			}
			prev, first = w, false
			i = e
		case c == ' ' || c == '\t':
			i++
		default:
			prev, first = "", false
			i++
		}
	}
	return false
}

// jsRegexStart reports whether the '/' at a[i] may open a regular
// expression: nothing but spaces, '(' , ',' or an operator before it.
func jsRegexStart(a string, i int) bool {
	k := i - 1
	for k >= 0 && (a[k] == ' ' || a[k] == '\t') {
		k--
	}
	return k < 0 || strings.IndexByte("(,=:[!&|?{};+-*%<>~^", a[k]) >= 0
}

// jsOperatorWord reports whether w is a keyword a name may follow in an
// expression: "typeof x", "new Image", "void 0".
func jsOperatorWord(w string) bool {
	switch w {
	case "typeof", "void", "new", "await", "delete", "yield", "in", "instanceof", "of", "return", "async", "function", "class", "let", "var", "const":
		return true
	}
	return false
}

// jsInfixWord reports whether w is an operator word between two operands:
// "a in b", "a instanceof B".
func jsInfixWord(w string) bool { return w == "in" || w == "instanceof" }

// jsContext reports whether the bytes around b[i:j] are script syntax: an
// assignment, a concatenation, a statement end, a call.
func jsContext(b string, i, j int) bool {
	lo, hi := max(0, i-4), min(len(b), j+8)
	for k := lo; k < hi; k++ {
		if k >= i && k < j {
			continue
		}
		switch b[k] {
		case '=', '+', ';', '(', ')', '\'', '"', '`', '>', '<':
			return true
		}
	}
	return false
}

// styleNameEnd reports whether the name before the '(' or ':' at p (the
// word wordBefore finds) may be one styles looks for there: whether its
// last byte is the last of "expression" for a '(', of "behavior",
// "behaviour" or "binding" for a ':', in either case. It reads one byte
// where wordBefore and wordAt read the word.
func styleNameEnd(s string, p int) bool {
	e := p
	for e > 0 && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	if e == 0 {
		return false
	}
	l := s[e-1] | 0x20
	if s[p] == '(' {
		return l == 'n'
	}
	return l == 'r' || l == 'g'
}

// styleBytes are the bytes styles looks at: '(', ':' and '@'.
var styleBytes = finder("(:@")

// styles finds CSS that runs script in s[i:j]: expression(),
// -moz-binding:, behavior:, @import, from the punctuation each needs.
// attr says s[i:j] is style markup (an attribute or a style element),
// where any of them is an attack.
func (x *xssScan) styles(s string, i, j int, attr bool, sp *xssSpots) bool {
	conf := 0.0
	var cur stopCursor
	if sp != nil && sp.ok && sp.styles && j == len(s) {
		cur.spotted = true
		cur.sc.set(&sp.paren, &sp.colon, j)
	} else {
		cur.bc = newClassCursor(styleBytes, s[:j], x.m)
	}
	for p := i; p < j; p++ {
		if p = cur.next(p); p >= j {
			break
		}
		c := s[p]
		if c != '@' && !styleNameEnd(s, p) {
			continue // most parentheses and colons of prose
		}
		w := wordBefore(s, p)
		name := s[w:wordAt(s, w)]
		switch {
		case c == '(' && equalFold(name, "expression"):
			conf = max(conf, 0.85)
		case c == ':' && (equalFold(name, "behavior") || equalFold(name, "behaviour")):
			conf = max(conf, 0.85)
		case c == ':' && equalFold(name, "binding") && w >= 5 && hasFold(s[w-5:], "-moz-"):
			conf = max(conf, 0.85)
			if v := strings.TrimLeft(s[p+1:j], " \t"); hasFold(v, "url(") {
				conf = 0.99 // an XBL binding loaded from a URL: Firefox ran its script
			}
		case c == '@' && hasFold(s[p+1:], "import") && (p == 0 || !isWord(s[p-1]) && s[p-1] != '.'):
			n := p + 7
			for n < len(s) && s[n] <= ' ' {
				n++
			}
			if n < len(s) && (s[n] == '"' || s[n] == '\'' || hasFold(s[n:], "url(")) {
				conf = max(conf, 0.7)
			}
		}
	}
	if conf == 0 {
		return false
	}
	if attr {
		conf = 0.99
	}
	x.hit(xssStyle, conf, s, i, j)
	return true
}

// utf7 decodes the UTF-7 runs of s ("+ADw-script+AD4-" is "<script>")
// that hide ASCII, and reports whether it found any.
func utf7(s string) (string, bool) {
	i := utf7Start(s)
	if i < 0 {
		return "", false
	}
	out := make([]byte, 0, len(s))
	out = append(out, s[:i]...)
	found := false
	for i < len(s) {
		c := s[i]
		if c != '+' {
			out = append(out, c)
			i++
			continue
		}
		// a base64 run of UTF-16BE code units, ended by '-' or any other byte
		j := i + 1
		var acc uint32
		bits := 0
		var unit [2]byte
		nu := 0
		for ; j < len(s); j++ {
			d := b64(s[j])
			if d < 0 {
				break
			}
			acc = acc<<6 | uint32(d)
			bits += 6
			if bits >= 8 {
				bits -= 8
				unit[nu] = byte(acc >> bits)
				nu++
				if nu == 2 {
					nu = 0
					r := rune(unit[0])<<8 | rune(unit[1])
					if r > 0 && r < 0x80 {
						out = append(out, byte(r))
						found = true
					}
				}
			}
		}
		if j == i+1 {
			out = append(out, '+')
			i++
			continue
		}
		if j < len(s) && s[j] == '-' {
			j++
		}
		i = j
	}
	return string(out), found
}

// utf7Start returns the index of the first "+AD" or "+AC" in s, or -1:
// one walk over the '+'s, which prose lacks, rather than a search of the
// whole value for each.
func utf7Start(s string) int {
	for p := 0; p+3 <= len(s); p++ {
		k := strings.IndexByte(s[p:len(s)-2], '+')
		if k < 0 {
			break
		}
		p += k
		if s[p+1] == 'A' && (s[p+2] == 'D' || s[p+2] == 'C') {
			return p
		}
	}
	return -1
}

func b64(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
