package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanXXE finds XML external entity and document-type attacks wherever XML
// can arrive (a body, a file part, any value): entity declarations
// (<!ENTITY x SYSTEM "file:///etc/passwd">, parameter entities <!ENTITY %
// p SYSTEM "http://evil/x.dtd"> %p;, billion laughs), document types with
// an external identifier or an internal subset, external identifiers
// whose DOCTYPE fell outside the inspected window, XInclude, external
// stylesheets and XSLT that reads files or calls code, and the same in
// UTF-7. A plain <!DOCTYPE html> is a hint only, and the public
// identifiers of the W3C's own document types are what pasted HTML carries.

const (
	xxeEntity = iota
	xxeDoctype
	xxeInclude
	xxeXSLT
	xxeMarkup
)

var xxeRules = [...]string{xxeEntity: "xxe.entity", xxeDoctype: "xxe.doctype", xxeInclude: "xxe.xinclude",
	xxeXSLT: "xxe.xslt", xxeMarkup: "xxe.markup"}

func scanXXE(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&cLT == 0 && m&(cDash|cBang) != cDash|cBang && m&(cQuote|cDQuote) == 0 && (m&(cAmp|cPercent) == 0 || in.src != threat.SourceXML) &&
		(m&cDash == 0 || utf7Start(in.value) < 0) { // a UTF-7 run before a letter ends in '-'
		return dst, hit
	}
	i, conf, rule := xmlAttack(in.value, m)
	if conf < 0.99 && in.src == threat.SourceXML && m&(cAmp|cPercent) != 0 {
		if j := undeclaredEntity(in.value); j >= 0 {
			i, conf, rule = j, 0.99, xxeEntity
		}
	}
	if conf > 0 && seen.mark(&hit, uint(rule)) {
		dst = append(dst, signal(nameXXE, xxeRules[rule], conf, in, i, i+24))
	}
	return dst, hit
}

// undeclaredEntity finds, in an XML document without a document type, a
// reference to an entity other than XML's five and character references:
// no parser resolves one, so it is sent to see whether something will (an
// entity declared in an external DTD, a parser that expands what it does
// not know). A parameter-entity reference (%name;) means something only
// inside a DTD, so in a document it is the same probe, or the tail of a
// DTD payload whose declarations were cut off; one-letter names (%s;, a
// format string) and two hex digits (%A9;, a percent escape) are text.
func undeclaredEntity(v string) int {
	if indexFold(v, "<!doctype") >= 0 {
		return -1
	}
	for off := 0; off < len(v); {
		k := strings.IndexAny(v[off:], "&%")
		if k < 0 {
			return -1
		}
		i := off + k
		off = i + 1
		j := i + 1
		for j < len(v) && j-i <= 32 && (isAlpha(v[j]) || isDigit(v[j]) || v[j] == '_' || v[j] == '-' || v[j] == '.') {
			j++
		}
		if j == i+1 || j >= len(v) || v[j] != ';' || !isAlpha(v[i+1]) && v[i+1] != '_' {
			continue
		}
		name := v[i+1 : j]
		if v[i] == '%' {
			if len(name) < 2 || len(name) == 2 && isHex(name[0]) && isHex(name[1]) {
				continue
			}
			return i
		}
		switch name {
		case "lt", "gt", "amp", "quot", "apos":
			continue
		}
		return i
	}
	return -1
}

// xmlAttack returns the strongest XML attack in v: where, how sure, which
// rule. It visits each '<' once and reads what the markup opens.
func xmlAttack(v string, m cls) (int, float64, int) {
	best, bi, br := 0.0, -1, 0
	keep := func(i int, c float64, r int) {
		if c > best {
			best, bi, br = c, i, r
		}
	}
	island := false
	cdata := 0
	for off := 0; m&cLT != 0 && off < len(v); {
		k := strings.IndexByte(v[off:], '<')
		if k < 0 {
			break
		}
		i := off + k
		off = i + 1
		s := v[off:]
		if len(s) < 3 {
			break
		}
		switch s[0] {
		case '!':
			switch {
			case hasPrefixFold(s, "!entity"):
				if entityDecl(s[7:]) {
					return i, 0.99, xxeEntity
				}
				keep(i, 0.7, xxeEntity)
			case hasPrefixFold(s, "!doctype"):
				keep(i, doctype(s[8:min(len(s), 1032)]), xxeDoctype)
			case hasPrefixFold(s, "![cdata[") && cdata < 16:
				cdata++
				if cdataMarkup(s[8:]) {
					keep(i, 0.99, xxeMarkup)
				}
			}
		case '?':
			switch {
			case hasPrefixFold(s, "?xml-stylesheet"):
				pi := s[:min(len(s), 256)]
				h := indexFold(pi, "href")
				if h >= 0 && externalRef(pi[h+4:]) {
					keep(i, 0.99, xxeXSLT)
				} else {
					keep(i, 0.9, xxeXSLT)
				}
			case hasPrefixFold(s, "?import") && indexFold(s[:min(len(s), 256)], "implementation") >= 0:
				keep(i, 0.99, xxeMarkup) // an HTML component behaviour
			}
		case 'x', 'X':
			switch {
			case hasPrefixFold(s, "xi:include") || hasPrefixFold(s, "xinclude:include"):
				keep(i, 0.99, xxeInclude)
			case hasPrefixFold(s, "xsl:"):
				c := 0.9
				for _, w := range xslDoors {
					if indexFold(s, w) >= 0 {
						c = 0.99
						break
					}
				}
				keep(i, c, xxeXSLT)
			case hasPrefixFold(s, "xml ") || hasPrefixFold(s, "xml>"):
				island = true
				if tag := s[:min(len(s), 256)]; indexFold(tag[:max(0, strings.IndexByte(tag, '>'))], "src=") >= 0 {
					keep(i, 0.99, xxeMarkup) // <xml src=...>: an IE data island loading a document
				}
			}
		}
		if best >= 0.99 {
			return bi, best, br
		}
	}
	if island {
		if i := indexFold(v, "datasrc"); i >= 0 {
			keep(i, 0.99, xxeMarkup) // a data island bound into HTML
		}
	}
	if m&cLT != 0 && best < 0.99 {
		if i := indexFold(v, "dataformatas"); i >= 0 {
			keep(i, 0.99, xxeMarkup) // data binding that renders a field as HTML
		}
		if i := indexFold(v, "]]><![cdata["); i >= 0 {
			keep(i, 0.99, xxeMarkup) // adjacent CDATA sections splitting a keyword: javas]]><![CDATA[cript:
		}
	}
	if m&cLT != 0 {
		if i := indexFold(v, "www.w3.org/2001/xinclude"); i >= 0 {
			keep(i, 0.99, xxeInclude)
		}
		if i := markupFileRef(v); i >= 0 {
			keep(i, 0.99, xxeInclude)
		}
	}
	if i := utf7Start(v); i >= 0 {
		// UTF-7, which a parser reads when the document declares it:
		// "+ADw-!DOCTYPE" ('<' alone in a run) or "+ADwAIQ-DOCTYPE" ("<!"
		// in one run). A declaration written in it is an evasion.
		if u, ok := utf7(v[i:]); ok && (indexFold(u, "<!doctype") >= 0 || indexFold(u, "<!entity") >= 0) {
			keep(i, 0.99, xxeEntity)
		}
	}
	if best < 0.99 && m&(cQuote|cDQuote) != 0 && m&(cColon|cSlash|cBackslash) != 0 {
		// an external identifier whose declaration began before this window
		if i := externalSystem(v, m); i >= 0 {
			keep(i, 0.99, xxeEntity)
		}
	}
	return bi, best, br
}

// externalSystem returns the index of the first SYSTEM keyword (in any
// case, after no word byte) followed by blanks and a quoted externalURI
// ("SYSTEM 'file:///etc/passwd'"), or -1. m holds the classes of v's
// bytes.
//
// Prose holds the letters of "system" everywhere and few bytes of a URI's
// prefix: it starts from the ':', '/' and '\' one of which each prefix
// of externalURI holds within its first seven bytes, and looks back from
// each for the quote, the blanks and the keyword. A prefix holds no
// quote, so each quote is first read at the first such byte of its
// prefix, and the quotes, and the keywords before them, are read in
// their order.
func externalSystem(v string, m cls) int {
	cur := anchorsOf(v, m)
	from := 0 // bytes before it have been read as quotes
	for c := cur.next(0); c < len(v); c = cur.next(c + 1) {
		q := max(c-maxPrefixAnchor, from)
		if !quoteBefore(v, c) {
			q = c // no quote to read back from
		}
		for ; q < c; q++ {
			if v[q] != '"' && v[q] != '\'' {
				continue
			}
			j := q
			for j > 0 && (v[j-1] == ' ' || v[j-1] == '\t') {
				j-- // as skipSpaceStr skips
			}
			i := j - len("system")
			if i < 0 || i > 0 && isWord(v[i-1]) || !hasPrefixFold(v[i:], "system") || !externalURI(v[q+1:]) {
				continue
			}
			return i
		}
		from = c
	}
	return -1
}

// markupFileRef finds an href or src attribute inside markup that makes
// an XML or SVG processor open a local file or a wrapper:
// <image xlink:href="file:///etc/hostname">.
func markupFileRef(v string) int {
	for _, a := range [...]string{"href=", "src="} {
		for off := 0; off < len(v); {
			k := indexFold(v[off:], a)
			if k < 0 {
				break
			}
			i := off + k
			off = i + len(a)
			j := off
			if j < len(v) && (v[j] == '"' || v[j] == '\'') {
				j++
			}
			for _, p := range [...]string{"file:", "expect:", "php:", "jar:", "netdoc:", "gopher:"} {
				if hasPrefixFold(v[j:], p) {
					return i
				}
			}
		}
	}
	return -1
}

// xslDoors are what XSLT reads files, fetches URLs or runs code with.
var xslDoors = [...]string{"document(", "php:function", "system-property(", "unparsed-text", "<xsl:include",
	"<xsl:import", "xmlns:php", "xmlns:java", "xmlns:rt=", "xmlns:runtime", "java.lang", "exsl:document", "xmlns:exsl",
	"xalan://", "msxsl:script", "xmlns:msxsl", "saxon:", "xmlns:saxon"}

// cdataMarkup reports whether the CDATA section starting at s smuggles
// markup: a lone '<' or '>' that splits a tag past filters
// ("<![CDATA[<]]>script<![CDATA[>]]>"), or a script.
func cdataMarkup(s string) bool {
	body := s[:min(len(s), 256)]
	if e := strings.Index(body, "]]>"); e >= 0 {
		body = body[:e]
	}
	t := strings.TrimSpace(body)
	return t == "<" || t == ">" || t == "</" || t == "/>" || indexFold(body, "<script") >= 0 ||
		indexFold(body, "javascript:") >= 0
}

// entityDecl reports whether s (after "<!ENTITY") declares an entity: an
// optional '%', a name, then SYSTEM, PUBLIC or a quoted value.
func entityDecl(s string) bool {
	i := skipSpaceAll(s, 0)
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '%' {
		i = skipSpaceAll(s, i+1)
	}
	n := i
	for i < len(s) && (isWord(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == ':') {
		i++
	}
	if i == n {
		return false
	}
	i = skipSpaceAll(s, i)
	return i < len(s) && (s[i] == '"' || s[i] == '\'' || hasPrefixFold(s[i:], "system") || hasPrefixFold(s[i:], "public"))
}

// doctype weighs what follows "<!DOCTYPE": an internal subset ('[') with
// declarations or parameter-entity references, or an external identifier
// (SYSTEM "uri", PUBLIC "id" "uri") that makes the parser fetch a DTD.
// An external DTD is how an out-of-band XXE reads its entities from the
// attacker's host, and a file: or other local URI reads the server's own
// files, so both weigh 0.99; a DTD that only a standards body or a
// framework's publisher serves (publicDTD), one named beside the document
// (besideDTD), or a public identifier with no URI to fetch gives the
// attacker nothing to read or send, and weighs 0.5, as an HTML or SVG
// page's DOCTYPE does.
func doctype(s string) float64 {
	i := skipSpaceAll(s, 0)
	for i < len(s) && (isWord(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == ':') {
		i++ // the root element's name
	}
	i = skipSpaceAll(s, i)
	switch {
	case i < len(s) && s[i] == '[':
		sub := s[i+1:]
		if indexFold(sub, "<!element") >= 0 || indexFold(sub, "<!attlist") >= 0 || indexFold(sub, "<!notation") >= 0 {
			return 0.95
		}
		if p := strings.IndexByte(sub, '%'); p >= 0 && p+1 < len(sub) && isWord(sub[p+1]) {
			return 0.99 // a parameter entity reference
		}
		return 0.9
	case hasPrefixFold(s[i:], "system"):
		if uri, ok := quotedLiteral(s, skipSpaceAll(s, i+6)); ok && (publicDTD(uri) || besideDTD(uri)) {
			return 0.5
		}
		return 0.99
	case hasPrefixFold(s[i:], "public"):
		j := skipSpaceAll(s, i+6)
		id, ok := quotedLiteral(s, j)
		if !ok {
			return 0.99
		}
		j = skipSpaceAll(s, j+len(id)+2)
		if j < len(s) && s[j] != '"' && s[j] != '\'' {
			return 0.5 // a public identifier alone ("-//W3C//DTD HTML 4.01//EN"): nothing to fetch
		}
		uri, ok := quotedLiteral(s, j)
		switch {
		case ok && (publicDTD(uri) || besideDTD(uri)):
			return 0.5
		case ok && indexFold(id, "-//w3c//") >= 0 && !strings.ContainsAny(uri, ":/\\%&"):
			return 0.5 // "xhtml1-strict.dtd" beside the W3C's identifier: pasted HTML
		}
		return 0.99
	}
	return 0.5
}

// besideDTD reports whether uri is a bare file name ending in ".dtd"
// ("log4j.dtd", "gdb-target.dtd"): the DTD an application keeps beside
// its documents, which a parser looks up where it runs. It names no
// directory and no other kind of file, so it reaches no file the
// application does not ship as a DTD.
func besideDTD(uri string) bool {
	if len(uri) <= 4 || len(uri) > 64 || !strings.EqualFold(uri[len(uri)-4:], ".dtd") || uri[0] == '.' {
		return false
	}
	for k := 0; k < len(uri); k++ {
		if c := uri[k]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// quotedLiteral returns the literal quoted at s[i] (in double or single
// quotes) without its quotes, and whether it is closed.
func quotedLiteral(s string, i int) (string, bool) {
	if i >= len(s) || s[i] != '"' && s[i] != '\'' {
		return "", false
	}
	e := strings.IndexByte(s[i+1:], s[i])
	if e < 0 {
		return "", false
	}
	return s[i+1 : i+1+e], true
}

// dtdPublishers are the domains whose DTDs documents name in their
// DOCTYPE: standards bodies (the W3C, OASIS, freedesktop.org) and the
// publishers of frameworks configured in XML (Jetty, Spring, Hibernate,
// MyBatis, Apache's projects, Java EE, Apple's property lists). A parser
// that fetches one reads a file nobody sending a request writes, and sends
// nothing to the sender. Hosts where anyone can publish (sourceforge.net's
// project pages, github.io) are left out, save the two projects named.
var dtdPublishers = [...]string{
	"w3.org", "oasis-open.org", "freedesktop.org", "docbook.org", "ietf.org",
	"jetty.org", "eclipse.org", "eclipse.dev", "springframework.org", "hibernate.org",
	"jboss.org", "mybatis.org", "apache.org", "sun.com", "oracle.com", "jcp.org",
	"apple.com", "gnome.org", "kde.org", "mozilla.org", "netbeans.org", "checkstyle.org",
	"hibernate.sourceforge.net", "docbook.sourceforge.net",
}

// publicDTD reports whether uri is an http or https URL of a DTD on one of
// dtdPublishers' hosts (the domain itself or a name under it), with no
// user, port or other trick in its authority.
func publicDTD(uri string) bool {
	var rest string
	switch {
	case hasPrefixFold(uri, "https://"):
		rest = uri[8:]
	case hasPrefixFold(uri, "http://"):
		rest = uri[7:]
	default:
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if host == "" || len(host) > 64 {
		return false
	}
	for k := 0; k < len(host); k++ {
		if c := host[k]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '.' {
			return false // '@', ':', '%', '\\' or a byte a lenient parser reads otherwise
		}
	}
	for _, d := range dtdPublishers {
		if len(host) >= len(d) && strings.EqualFold(host[len(host)-len(d):], d) &&
			(len(host) == len(d) || host[len(host)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}

func skipSpaceAll(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// externalURI reports whether s starts with a URI an XML parser would
// fetch or open for an external entity.
func externalURI(s string) bool {
	for _, p := range [...]string{"file:", "http:", "https:", "ftp:", "php:", "expect:", "jar:", "netdoc:", "gopher:",
		"data:", "ldap:", "dict:", "sftp:", "tftp:", "/etc/", "/proc/", "c:/", "c:\\", "\\\\", "//"} {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	return false
}

// externalRef reports whether an href attribute's value (s starts after
// "href") points off the document: a scheme or a network path.
func externalRef(s string) bool {
	s = strings.TrimLeft(s, " \t=\"'")
	return externalURI(s)
}
