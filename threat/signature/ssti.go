package signature

import (
	"bytes"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSTI finds server-side template and expression-language injection
// (Jinja, Twig, Freemarker, Velocity, Thymeleaf, Mako, ERB, SpEL, OGNL,
// EL): a template opener whose contents compute, reach into the runtime or
// call out.

const (
	sstiTemplate = iota
)

var (
	templateWords = words("__class__", "__globals__", "__builtins__", "__subclasses__", "__mro__", "__init__", "__import__",
		"config.", "config}", "config|", "self.", "self._", "request.", "request|", "lipsum", "cycler", "joiner", "namespace",
		".mro", "|attr(", "constructor.constructor", "_self.env", "getfilter", "registerundefinedfiltercallback", "t(java",
		"t (java", "java.lang", "runtime", ".getclass(", ".forname(", "new java", "freemarker", "?new(", "@java", "#this",
		"#_memberaccess", "#context", "application.", "facescontext", "pagecontext", "session.", "product.getclass", "''.class",
		"\"\".class", "popen(", "os.system", "subprocess", "eval(", "exec(", "system(", "{php}", "include(", "dump(", "range(")
	templateOpens = words("{{", "${", "#{", "*{", "@{", "<%=", "<%", "{%", "<#assign", "<#", "#set(", "#foreach", "$class.", "${{",
		"{php}", "{system", "{self", "[[${", "__${", "%{")
)

func scanSSTI(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	m := in.m
	if m&(cBrace|cLT|cPercent|cHash|cDollar) == 0 {
		return dst, hit
	}
	lo := lower(stack[:0], in.value)
	if i, conf, rule := template(lo); i >= 0 && seen.mark(&hit, sstiTemplate) {
		dst = append(dst, signal(NameSSTI, rule, conf, in, i, i+16))
	}
	return dst, hit
}

// template finds a server-side template or expression-language payload: a
// template opener whose contents compute (7*7), reach into the runtime
// (__class__, T(java.lang.Runtime), .getClass()) or call out. It returns
// where and how sure.
func template(lo []byte) (int, float64, string) {
	for k, open := range templateOpens.kws {
		off := 0
		for off < len(lo) {
			i := bytes.Index(lo[off:], open)
			if i < 0 {
				break
			}
			i += off
			off = i + len(open)
			body := lo[i+len(open):]
			if len(body) > 256 {
				body = body[:256]
			}
			if _, ok := findAny(body, templateWords, false); ok {
				return i, 0.99, "ssti.runtime"
			}
			if arithmetic(body) {
				return i, 0.95, "ssti.arithmetic"
			}
			if k >= 6 && k <= 8 { // <#assign, <#, #set( : directives themselves
				return i, 0.8, "ssti.directive"
			}
		}
	}
	return -1, 0, ""
}

// arithmetic reports whether b starts (after spaces) with a small
// arithmetic expression such as "7*7", "7 * '7'" or "1337+1": the classic
// probe whose evaluated answer reveals template injection.
func arithmetic(b []byte) bool {
	i := skipSpace(b, 0)
	digits := func() bool {
		if i < len(b) && (b[i] == '\'' || b[i] == '"') {
			i++
		}
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i < len(b) && (b[i] == '\'' || b[i] == '"') {
			i++
		}
		return i > s
	}
	if !digits() {
		return false
	}
	i = skipSpace(b, i)
	if i >= len(b) || (b[i] != '*' && b[i] != '+' && b[i] != '-' && b[i] != '/' && b[i] != '%') {
		return false
	}
	i = skipSpace(b, i+1)
	if !digits() {
		return false
	}
	i = skipSpace(b, i)
	return i < len(b) && (b[i] == '}' || b[i] == ']' || b[i] == '%' || b[i] == ')')
}
