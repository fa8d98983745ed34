package signature

import "strings"

// A filter that strips tags before using a value (PHP's strip_tags, an
// HTML sanitiser's text) joins what a tag split: "un<>ion sel<>ect" is
// "union select" to the query it reaches, and "autof<x>ocus
// o<x>nfocus=alert<x>(1)" an event handler to the page it lands in.
// Payloads split a keyword with an empty tag or a one-letter tag no
// markup uses, glued inside a word; markup's own tags ("Hello<br>world",
// "un<b>bold</b>ed", List<T>) are left to the families as they are.

// gluedTag reports whether v splits a word with an empty tag or a
// one-letter tag that is no HTML element: a letter, "<>" or "<x>", and a
// letter.
func gluedTag(v string) bool {
	for off := 0; ; {
		k := strings.IndexByte(v[off:], '<')
		if k < 0 {
			return false
		}
		i := off + k
		off = i + 1
		if i == 0 || !isAlpha(v[i-1]) {
			continue
		}
		e := i + 1
		if e < len(v) && v[e] != '>' {
			if !isAlpha(v[e]) || strings.IndexByte("abipqsuABIPQSU", v[e]) >= 0 {
				continue
			}
			e++
		}
		if e+1 < len(v) && v[e] == '>' && isAlpha(v[e+1]) {
			return true
		}
	}
}

// stripShortTags appends v to buf without its tags of at most
// shortTagMax letters ("<>", "<x>", "</x>"), as a tag-stripping filter
// leaves it.
func stripShortTags(buf []byte, v string) []byte {
	for {
		k := strings.IndexByte(v, '<')
		if k < 0 {
			return append(buf, v...)
		}
		buf = append(buf, v[:k]...)
		v = v[k:]
		e := 1
		if e < len(v) && v[e] == '/' {
			e++
		}
		n := e
		for e < len(v) && e-n < shortTagMax && isAlpha(v[e]) {
			e++
		}
		if e < len(v) && v[e] == '>' {
			v = v[e+1:] // the tag goes
			continue
		}
		buf = append(buf, '<')
		v = v[1:]
	}
}

// shortTagMax is the longest tag name stripShortTags removes.
const shortTagMax = 8
