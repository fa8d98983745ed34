package signature

import "strings"

// Script written so that no keyword of it reads plainly: JSFuck (only the
// six bytes []()!+, with its '+' read as spaces when a form decodes it),
// and the document's or window's properties reached through comments,
// parentheses and brackets ("document /*x*/ . cookie",
// "(document)["cookie"]", "self["alert"]("xss")). Prose writes none of
// these.

// jsFuck reports whether v is JSFuck: nothing but []()!+ and spaces, with
// "![]" in it (false, the seed of every JSFuck expression).
func jsFuck(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) < 4 || !strings.Contains(t, "![]") {
		return false
	}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '[', ']', '(', ')', '!', '+', ' ', '\t':
		default:
			return false
		}
	}
	return true
}

// domObjects are the objects whose properties a payload reaches for.
var domObjects = []string{"document", "window", "self", "top", "parent", "frames", "globalthis"}

// domProps are the properties and functions that make such an access a
// payload.
var domProps = set("cookie", "location", "domain", "write", "writeln", "alert", "eval", "prompt", "confirm",
	"localstorage", "sessionstorage", "open", "fetch", "execscript", "settimeout", "setinterval", "function")

// domObfuscated finds an access to a property of the document or the
// window that hides itself: a comment inside it, the object in
// parentheses, or the property named by a string in brackets. lo is the
// value in lower case.
func domObfuscated(lo string) (int, int, bool) {
	var closes nextMatch
	for _, o := range domObjects {
		for k := 0; k < len(lo); {
			p := strings.Index(lo[k:], o)
			if p < 0 {
				break
			}
			p += k
			k = p + len(o)
			if p > 0 && (isWord(lo[p-1]) || lo[p-1] == '.') {
				continue
			}
			g := jsGap(lo, k, &closes)
			hidden := g.comment
			e := g.end
			if e < len(lo) && lo[e] == ')' && p > 0 && lo[p-1] == '(' {
				// (document), (document/*x*/)
				g = jsGap(lo, e+1, &closes)
				hidden, e = true, g.end
			}
			if e >= len(lo) {
				continue
			}
			var prop string
			switch lo[e] {
			case '.':
				g2 := jsGap(lo, e+1, &closes)
				hidden = hidden || g2.comment
				s := g2.end
				t := s
				for t < len(lo) && isWord(lo[t]) {
					t++
				}
				prop, e = lo[s:t], t
			case '[':
				s := jsGap(lo, e+1, &closes).end
				if s >= len(lo) || lo[s] != '"' && lo[s] != '\'' && lo[s] != '`' {
					continue
				}
				q := strings.IndexByte(lo[s+1:min(len(lo), s+40)], lo[s])
				if q < 0 {
					continue
				}
				prop, e = lo[s+1:s+1+q], s+2+q
				hidden = true
				if strings.HasPrefix(prop, "\\x") || strings.HasPrefix(prop, "\\u") {
					return p, e, true // self["\x24"]: a name spelt in escapes
				}
			default:
				continue
			}
			if hidden && domProps[prop] {
				return p, e, true
			}
		}
	}
	return 0, 0, false
}

type gapEnd struct {
	end     int
	comment bool
}

// commentClose returns where the first "*/" at or after k starts, or
// len(lo).
func commentClose(lo string, k int) int {
	if at := strings.Index(lo[k:], "*/"); at >= 0 {
		return k + at
	}
	return len(lo)
}

// jsGap skips spaces and /* comments */ (of at most 256 bytes) from i.
func jsGap(lo string, i int, closes *nextMatch) gapEnd {
	g := gapEnd{end: i}
	for g.end < len(lo) {
		switch {
		case lo[g.end] == ' ' || lo[g.end] == '\t' || lo[g.end] == '\n' || lo[g.end] == '\r':
			g.end++
		case strings.HasPrefix(lo[g.end:], "/*"):
			c := closes.next(lo, g.end+2, commentClose)
			if c >= len(lo) || c-g.end > 256 {
				return g
			}
			g.end = c + 2
			g.comment = true
		default:
			return g
		}
	}
	return g
}

// spacedTaggedCall finds call, apply or bind used as a template's tag
// with spaces or comments around the dots and before the template
// ("[ ] . sort . call ` ${ alert } 1337 `"): the value is read with them
// dropped, and taggedCall judges the template there.
func (x *xssScan) spacedTaggedCall(v string) {
	if strings.IndexByte(v, '`') < 0 {
		return
	}
	var stack [512]byte
	c := stack[:0]
	for i := 0; i < len(v) && len(c) < cap(stack); i++ {
		switch {
		case v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r':
		case strings.HasPrefix(v[i:], "/*"):
			e := strings.Index(v[i+2:], "*/")
			if e < 0 {
				i = len(v)
				continue
			}
			i += e + 3
		default:
			c = append(c, v[i])
		}
	}
	s := string(c)
	for k := 0; k < len(s); {
		p := strings.IndexByte(s[k:], '`')
		if p < 0 {
			return
		}
		p += k
		k = p + 1
		for _, w := range []string{"call", "apply", "bind"} {
			if p >= len(w) && equalFold(s[p-len(w):p], w) && p > len(w) && s[p-len(w)-1] == '.' {
				x.taggedCall(s, p-len(w), p)
			}
		}
	}
}

// domSinks are the document's and window's properties a script writes
// to steal or redirect: a name that is one of them is no form field's.
var domSinks = set("document.cookie", "document.domain", "document.location", "document.url", "document.write",
	"window.location", "window.name", "location.href", "top.location", "self.location", "parent.location")

// domSinkName reports whether v, in any case, is one of domSinks.
func domSinkName(v string) bool {
	if len(v) < len("window.name") || len(v) > len("document.location") {
		return false
	}
	var stack [24]byte
	return domSinks[string(lower(stack[:0], v))]
}
