package signature

import (
	"bytes"

	libinjection "github.com/corazawaf/libinjection-go"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanXSS finds cross-site scripting: libinjection's HTML5 tokenizer
// over every context it knows, plus rules for script URIs, event handler
// attributes, dangerous tags and script sinks that reach an application
// without angle brackets.

const (
	xssLib = iota
	xssTag
	xssURI
	xssHandler
	xssScript
	xssStyle
)

var (
	xssTagWords = words("<script", "</script", "<iframe", "<svg", "<object", "<embed", "<applet", "<meta", "<base",
		"<link", "<style", "<frameset", "<frame", "<form", "<isindex", "<xss", "<img", "<body", "<input", "<video", "<audio",
		"<marquee", "<details", "<math", "<template", "<xml", "<bgsound", "<layer", "<ilayer", "<table", "<div", "<a ",
		"<button", "<textarea", "<keygen", "<select", "<br ", "<html", "<plaintext", "<!--", "<![cdata[", "<?xml-stylesheet",
		"<import", "<event-source", "<blink", "<comment")
	xssURIWords    = words("javascript:", "vbscript:", "livescript:", "mocha:", "data:text/html", "data:image/svg+xml", "jav&#", "java\x00script")
	xssCalls       = words("alert(", "prompt(", "confirm(", "eval(", "alert`", "prompt`", "confirm`", "print()")
	xssScriptWords = words("alert(", "prompt(", "confirm(", "document.cookie", "document.domain", "document.write(",
		"document.location", "window.location", "eval(", "string.fromcharcode(", "fromcharcode", "settimeout(", "setinterval(",
		"location.href", "innerhtml", "outerhtml", "window.open(", "self[", "top[", "constructor(", "atob(", "import(",
		"xmlhttprequest", "fetch(", ".source", "crosssitescripting", "alert`", "prompt`", "confirm`")
	xssStyleWords = words("expression(", "-moz-binding", "behavior:", "@import", "url(javascript", "background:url(")
)

const htmlChars = cLT | cGT | cColon | cEq | cParen | cDQuote | cQuote | cBacktick | cAmp | cBracket | cDot

func scanXSS(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack, stack2 [512]byte
	v := in.value
	m := in.m
	if m&htmlChars == 0 {
		return dst, hit
	}
	if in.src == threat.SourcePath && m&(cLT|cGT|cDQuote|cQuote|cParen) == 0 {
		return dst, hit
	}
	if m&(cLT|cGT|cDQuote|cQuote|cBacktick|cEq) != 0 && in.src != threat.SourceBody {
		if libinjection.IsXSS(v) && seen.mark(&hit, xssLib) {
			dst = append(dst, signal(NameXSS, "xss.libinjection", 0.99, in, 0, len(v)))
		}
	}
	lo := lower(stack[:0], v)
	var compact []byte
	if m&(cSpace|cNL|cCtl) != 0 {
		compact = compactSpace(stack2[:0], lo)
	} else {
		compact = lo
	}
	if m&cLT != 0 {
		if mt, ok := findAny(lo, xssTagWords, false); ok && seen.mark(&hit, xssTag) {
			conf, rule := 0.8, "xss.tag"
			if mt.k < 2 {
				conf, rule = 0.99, "xss.script_tag"
			}
			dst = append(dst, signal(NameXSS, rule, conf, in, mt.i, mt.j))
		}
	}
	if m&cColon != 0 || m&cAmp != 0 {
		if mt, ok := findAny(compact, xssURIWords, false); ok && seen.mark(&hit, xssURI) {
			dst = append(dst, signal(NameXSS, "xss.uri", 0.99, in, mt.i, mt.j))
		}
	}
	if m&cEq != 0 {
		if i, j := eventHandler(lo); i >= 0 && seen.mark(&hit, xssHandler) {
			conf, rule := 0.75, "xss.handler_bare"
			if m&(cLT|cDQuote|cQuote|cGT) != 0 {
				conf, rule = 0.95, "xss.handler"
			}
			dst = append(dst, signal(NameXSS, rule, conf, in, i, j))
		}
	}
	if m&(cParen|cDot|cBracket|cBacktick) != 0 || bytes.Contains(lo, []byte("crosssitescripting")) {
		if mt, ok := findAny(lo, xssScriptWords, false); ok && seen.mark(&hit, xssScript) {
			conf, rule := 0.7, "xss.script_bare"
			switch {
			case m&(cLT|cGT|cDQuote|cQuote|cSemi|cEq) != 0:
				conf, rule = 0.9, "xss.script"
			case scriptCall(lo):
				conf, rule = 0.95, "xss.script_call"
			}
			dst = append(dst, signal(NameXSS, rule, conf, in, mt.i, mt.j))
		}
	}
	if m&(cParen|cColon|cAt|cDash) != 0 {
		if mt, ok := findAny(compact, xssStyleWords, false); ok && seen.mark(&hit, xssStyle) {
			dst = append(dst, signal(NameXSS, "xss.style", 0.85, in, mt.i, mt.j))
		}
	}
	return dst, hit
}

// compactSpace appends b without whitespace and control bytes to out:
// browsers ignore them inside a scheme ("java\tscript:").
func compactSpace(out, b []byte) []byte {
	for _, c := range b {
		if c > ' ' {
			out = append(out, c)
		}
	}
	return out
}

// eventHandler finds an HTML event handler attribute: "on" and letters
// then optional space and '=' (onerror=, onload =, onmouseover=), preceded
// by a non-letter. Returns its span.
func eventHandler(b []byte) (int, int) {
	for off := 0; off+2 < len(b); {
		i := bytes.Index(b[off:], []byte("on"))
		if i < 0 {
			return -1, -1
		}
		i += off
		off = i + 2
		if i > 0 && (b[i-1] >= 'a' && b[i-1] <= 'z' || b[i-1] >= '0' && b[i-1] <= '9' || b[i-1] == '_') {
			continue
		}
		j := i + 2
		for j < len(b) && b[j] >= 'a' && b[j] <= 'z' {
			j++
		}
		if j-i < 5 { // on + at least three letters: onload, onerror
			continue
		}
		k := j
		for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '/' || b[k] == '\n' || b[k] == '\r') {
			k++
		}
		if k < len(b) && b[k] == '=' && handlerName(b[i+2:j]) {
			return i, k + 1
		}
	}
	return -1, -1
}

// handlerName reports whether name (after "on") is a DOM event name prefix.
func handlerName(name []byte) bool {
	_, ok := hasPrefixAny(name, eventPrefixes)
	return ok
}

var eventPrefixes = words("load", "error", "mouse", "click", "dblclick", "focus", "blur", "key", "submit", "change",
	"abort", "unload", "beforeunload", "resize", "scroll", "select", "drag", "drop", "input", "invalid", "reset", "search",
	"toggle", "wheel", "copy", "cut", "paste", "play", "pause", "animation", "transition", "pointer", "touch", "message",
	"hashchange", "popstate", "pageshow", "pagehide", "readystatechange", "begin", "end", "start", "finish", "auxclick",
	"contextmenu", "afterprint", "beforeprint", "show", "storage", "online", "offline", "canplay", "ended", "seek",
	"volumechange", "waiting", "progress", "durationchange", "emptied", "stalled", "suspend", "timeupdate", "activate",
	"beforeactivate", "deactivate", "filterchange", "help", "move", "propertychange", "rowenter", "bounce", "formchange",
	"forminput", "cellchange", "datasetchanged", "errorupdate", "losecapture", "controlselect", "layoutcomplete")

// scriptCall reports whether b calls alert, prompt, confirm or eval with an
// argument and a closing bracket: "alert(1)", "prompt(document.domain)".
func scriptCall(b []byte) bool {
	mt, ok := findAny(b, xssCalls, false)
	if !ok {
		return false
	}
	rest := b[mt.j:]
	close := bytes.IndexAny(rest, ")`")
	return close > 0 || close == 0 && b[mt.j-1] == '('
}
