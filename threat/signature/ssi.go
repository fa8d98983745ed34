package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSI finds server-side include directives (<!--#exec cmd="id" -->,
// <!--#include virtual="/etc/passwd" -->, <!--#echo var="DOCUMENT_ROOT"
// -->, <!--#config ...-->, <!--#printenv -->), with the spacing variants
// parsers forgive, and edge-side includes (<esi:include src=...>,
// <esi:vars>, <!--esi ...-->, $(HTTP_COOKIE) variables) that caches
// expand.

const (
	ssiDirective = iota
	ssiESI
)

// ssiElements are the directives of Apache's mod_include, nginx's ssi
// module and IIS.
var ssiElements = words("exec", "include", "echo", "config", "printenv", "set", "fsize", "flastmod", "if", "elif",
	"else", "endif", "block", "fileinfo", "var")

// esiTags are the elements of the ESI 1.0 language and Akamai's
// extensions.
var esiTags = words("include", "vars", "assign", "debug", "inline", "choose", "when", "otherwise", "try", "attempt",
	"except", "remove", "comment", "eval", "function", "text", "foreach", "return", "break")

func scanSSI(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&cLT == 0 && m&(cDollar|cParen) != cDollar|cParen {
		return dst, hit
	}
	v := in.value
	if m&cLT != 0 {
		if i, conf := ssiComment(v); i >= 0 && seen.mark(&hit, ssiDirective) {
			dst = append(dst, signal(nameSSI, "ssi.directive", conf, in, i, i+16))
		}
		if i := esiTag(v); i >= 0 && seen.mark(&hit, ssiESI) {
			dst = append(dst, signal(nameSSI, "ssi.esi", 0.99, in, i, i+16))
			return dst, hit
		}
	}
	if m&(cDollar|cParen) == cDollar|cParen {
		if i := esiVariable(v); i >= 0 && seen.mark(&hit, ssiESI) {
			dst = append(dst, signal(nameSSI, "ssi.esi", 0.95, in, i, i+16))
		}
	}
	return dst, hit
}

// ssiComment finds "<!--" + optional spaces + '#' + a directive.
func ssiComment(v string) (int, float64) {
	best, bi := 0.0, -1
	for off := 0; off < len(v); {
		k := strings.Index(v[off:], "<!--")
		if k < 0 {
			break
		}
		i := off + k
		off = i + 4
		j := skipSpaceStr(v, off)
		if j >= len(v) || v[j] != '#' {
			continue
		}
		j = skipSpaceStr(v, j+1)
		var buf [16]byte
		w := lower(buf[:0], v[j:min(len(v), j+12)])
		if mt, ok := hasPrefixAny(w, ssiElements); ok {
			end := len(ssiElements.kws[mt])
			if end == len(w) || !isWord(w[end]) {
				return i, 0.99
			}
		}
		if best < 0.9 {
			best, bi = 0.9, i
		}
	}
	return bi, best
}

// esiTag finds an ESI element, "<esi:include", or an ESI comment,
// "<!--esi".
func esiTag(v string) int {
	for off := 0; off < len(v); {
		k := strings.IndexByte(v[off:], '<')
		if k < 0 {
			return -1
		}
		i := off + k
		off = i + 1
		s := v[i+1:]
		if hasPrefixFold(s, "!--esi") {
			return i
		}
		if s != "" && s[0] == '/' {
			s = s[1:]
		}
		if !hasPrefixFold(s, "esi:") {
			continue
		}
		var buf [16]byte
		w := lower(buf[:0], s[4:min(len(s), 16)])
		if mt, ok := hasPrefixAny(w, esiTags); ok {
			end := len(esiTags.kws[mt])
			if end == len(w) || !isWord(w[end]) {
				return i
			}
		}
	}
	return -1
}

// esiVariable finds an ESI variable reference: $(HTTP_COOKIE),
// $(HTTP_HOST), $(QUERY_STRING{'a'}).
func esiVariable(v string) int {
	for off := 0; off < len(v); {
		k := strings.Index(v[off:], "$(")
		if k < 0 {
			return -1
		}
		i := off + k
		off = i + 2
		s := v[i+2:]
		for _, p := range [...]string{"HTTP_", "QUERY_STRING", "REMOTE_ADDR", "REQUEST_METHOD", "REQUEST_PATH", "SERVER_"} {
			if strings.HasPrefix(s, p) {
				return i
			}
		}
	}
	return -1
}
