package signature

import (
	"bytes"
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSTI finds server-side template and expression-language injection
// (Jinja, Twig, Tornado, Mako, Freemarker, Velocity, Thymeleaf, Pebble,
// Smarty, Handlebars, ERB, EJS, Pug, Razor, SpEL, OGNL, EL). It reads the
// grammar every engine shares: an opener ({{ ${ #{ *{ @{ ~{ <%= {% <# [# [[
// @( #set( ...) whose contents, up to the closer, compute (7*7, 7*'7'),
// reach into the runtime (__class__, T(java.lang.Runtime), |attr(,
// .getClass(), constructor, ?new()), call a dangerous function with a
// literal argument, call a method on a literal ('a'.upper()), or name an
// object that only a probe asks for ({{config}}, {$smarty.version}). A
// placeholder holding a plain identifier ({{name}}, ${price}) is what
// templates look like in notes and is not reported.

const (
	sstiRuntime = iota
	sstiArithmetic
	sstiProbe
	sstiDirective
)

var sstiRules = [...]string{sstiRuntime: "ssti.runtime", sstiArithmetic: "ssti.arithmetic", sstiProbe: "ssti.probe",
	sstiDirective: "ssti.directive"}

func scanSSTI(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&(cBrace|cPercent|cHash|cBracket) == 0 && m&(cAt|cParen) != cAt|cParen {
		// no opener: only Freemarker's ?new() and Velocity's $class
		// tool run without one
		if m&cParen != 0 {
			v := in.value
			i := strings.Index(v, "?new(")
			if i < 0 && m&cDollar != 0 {
				i = indexFold(v, "$class.")
			}
			if i >= 0 && seen.mark(&hit, sstiRuntime) {
				dst = append(dst, signal(nameSSTI, "ssti.runtime", 0.99, in, i, i+8))
			}
		}
		return dst, hit
	}
	f := findTemplate(in.value)
	if f.conf > 0 && seen.mark(&hit, uint(f.rule)) {
		dst = append(dst, signal(nameSSTI, sstiRules[f.rule], f.conf, in, f.i, f.j))
	}
	return dst, hit
}

// finding is the strongest template payload found in a value.
type finding struct {
	i, j int
	conf float64
	rule int
}

func (f *finding) keep(i, j int, conf float64, rule int) {
	if conf > f.conf {
		*f = finding{i: i, j: j, conf: conf, rule: rule}
	}
}

// Kinds of template opener: how much their contents say.
const (
	tmplExpr   = iota // {{ ${ #{ *{ @{ ~{ <%= @( [= : evaluated expressions
	tmplSingle        // { : Smarty tags, but also JSON and prose
	tmplStmt          // {% : statements
	tmplInline        // [[ : Thymeleaf and Angular inlining
	tmplFTL           // <# [# : Freemarker directives
	tmplVTL           // #set( #foreach( ... : Velocity directives
)

// findTemplate returns the strongest template payload in v. The work is
// linear in len(v): each opener's body is read up to its closer, at most
// 512 bytes, within an overall budget.
func findTemplate(v string) finding {
	var f finding
	budget := 2*len(v) + 1024
	first, last := 0, len(v) // the value without surrounding spaces
	for first < last && (v[first] == ' ' || v[first] == '\t') {
		first++
	}
	for last > first && (v[last-1] == ' ' || v[last-1] == '\t') {
		last--
	}
	for i := 0; i+1 < len(v) && budget > 0; i++ {
		c, d := v[i], v[i+1]
		open, closer, kind := 0, "", tmplExpr
		switch c {
		case '{':
			switch d {
			case '{':
				open, closer = 2, "}}"
			case '%':
				open, closer, kind = 2, "%}", tmplStmt
			default:
				open, closer, kind = 1, "}", tmplSingle
			}
			if i > 0 && strings.IndexByte("$#*@~%{", v[i-1]) >= 0 {
				continue // the opener was read at the byte before
			}
			if open == 2 && d == '{' && i+2 < len(v) && v[i+2] == '{' {
				open, closer = 3, "}}}" // Handlebars' raw output
			}
		case '$', '#', '*', '@', '~', '%':
			switch {
			case d == '{':
				open, closer = 2, "}"
				if i+2 < len(v) && v[i+2] == '{' {
					open, closer = 3, "}}" // ${{7*7}}
				}
			case c == '@' && d == '(':
				open, closer = 2, ")" // Razor
			case c == '#' && velocityDirective(v[i+1:]):
				open, closer, kind = 1, ")", tmplVTL
			default:
				continue
			}
		case '<':
			switch d {
			case '%':
				open, closer = 2, "%>"
			case '#':
				open, closer, kind = 2, ">", tmplFTL
			default:
				continue
			}
		case '[':
			switch d {
			case '#':
				open, closer, kind = 2, "]", tmplFTL
			case '[':
				open, closer, kind = 2, "]]", tmplInline
			case '=':
				open, closer = 2, "]"
			default:
				continue
			}
		default:
			continue
		}
		bs := i + open
		end := min(len(v), bs+512)
		be := strings.Index(v[bs:end], closer)
		closed := be >= 0
		if closed {
			be += bs
		} else {
			be = min(len(v), bs+160) // a payload cut by the window's end is short
		}
		if kind == tmplInline && (!closed || strings.IndexByte(v[bs:be], '\n') >= 0) {
			continue // [[...: a wiki or Markdown link unless it closes on its line
		}
		budget -= be - bs + 1
		whole := i <= first && (!closed || be+len(closer) >= last)
		conf, rule := templateBody(v[bs:be], kind, whole)
		if conf < 0.99 && (c == '<' || c == '#') && kind == tmplExpr && strings.IndexByte(v[bs:be], '`') >= 0 {
			conf, rule = 0.99, sstiRuntime // <%= `id` %>, #{`id`}: Ruby's backticks
		}
		f.keep(i, be+len(closer), conf, rule)
		if f.conf >= 0.99 {
			return f
		}
		if !closed {
			i = be - 1 // the rest of an unclosed body was read with it
		}
	}
	if f.conf < 0.99 && len(v) <= 128 {
		if i := polyglot(v); i >= 0 {
			f.keep(i, len(v), 0.99, sstiProbe)
		}
	}
	if f.conf < 0.99 {
		// Freemarker's ?new() and Velocity's $class tool need no opener.
		for _, w := range [...]string{"?new(", "freemarker.template.utility", "$class.inspect(", "$class.type"} {
			if k := indexFold(v, w); k >= 0 {
				f.keep(k, k+len(w), 0.99, sstiRuntime)
				break
			}
		}
	}
	return f
}

// polyglot finds the template polyglot that makes every engine fail to
// parse, "${{<%[%'\"}}%\\.": three kinds of opener and closer and nothing
// else. It returns where it starts or -1.
func polyglot(v string) int {
	kinds, first := 0, -1
	for _, t := range [...]string{"${", "{{", "<%", "[%", "#{", "}}", "%>", "{%", "%]"} {
		if k := strings.Index(v, t); k >= 0 {
			kinds++
			if first < 0 || k < first {
				first = k
			}
		}
	}
	if kinds < 3 {
		return -1
	}
	letters := 0
	for i := 0; i < len(v); i++ {
		if 'a' <= v[i]|0x20 && v[i]|0x20 <= 'z' {
			letters++
		}
	}
	if letters > len(v)/3 {
		return -1 // words between the braces: a template, not a polyglot
	}
	return first
}

// velocityDirective reports whether s (after a '#') starts a Velocity
// directive with arguments: set( foreach( if( evaluate( ...
func velocityDirective(s string) bool {
	if len(s) < 3 || strings.IndexByte("sfiedmpSFIEDMP", s[0]) < 0 {
		return false // no directive's first letter: most '#'s, at one test each
	}
	for _, w := range [...]string{"set(", "foreach(", "if(", "elseif(", "evaluate(", "define(", "macro(", "include(", "parse("} {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) {
			return true
		}
	}
	return false
}

// sstiWords are what template payloads reach for inside an expression:
// Python's object graph, Java reflection and its runtime, the JavaScript
// Function constructor, Ruby's shell doors, Twig's and Smarty's internals.
var sstiWords = words(
	// Python (Jinja, Mako, Tornado, Django)
	"|attr(", "|attr (", "os.popen", "os.system", "popen(", "subprocess", "__import__", "import(", "getattr(", "globals",
	"builtins", "subclasses", ".mro", "mro(", "lipsum.", "lipsum|", "cycler.", "joiner.", "namespace.", "url_for.",
	"get_flashed_messages.", "self._templatereference", "_templatereference__context", "config.items(", "config.iteritems(", "config.from",
	"config.__", "request.application", "request.environ", "self.module", "self.template", "self.context", "self.attr",
	"self.__", "module.runtime", "module.cache", "module.filters", "compat.inspect", "linecache", "os.environ",
	// Java (Freemarker, Velocity, Thymeleaf, Pebble, SpEL, OGNL, EL)
	"t(java", "t (java", "t(javax", "t(org.", "t(com.", "java.lang", "javax.", "java.io", "java.net", "java.nio", ".getclass",
	"getclass(", ".forname(", ".class.", "''.class", "\"\".class", "[].class", "@java.", "@org.", "#_memberaccess",
	"#context", "_memberaccess", "getruntime", "processbuilder", "scriptengine", "classloader", ".newinstance(",
	"getmethod(", "getdeclared", ".invoke(", "?new(", "?api", "freemarker.", "objectconstructor", "jythonruntime",
	"pagecontext", "applicationscope", "sessionscope", "facescontext", "getenv(", "getproperty(", "new java.",
	"new javax.", "org.apache.", "org.springframework", "class.inspect", "$class.", ".getruntime(",
	// JavaScript (Handlebars, Pug, EJS, Nunjucks, AngularJS)
	"constructor.constructor", "constructor(", "\"constructor\"", "'constructor'", "[constructor]", "$on.constructor",
	".constructor.prototype", "process.mainmodule", "process.binding", "child_process",
	"require(", "execsync", "spawnsync", "global.process", "root.process", "this.__proto__",
	// Ruby (ERB, Slim, Haml)
	"%x(", "file.open", "file.read", "io.popen", "io.read", "kernel.", "dir.entries", "dir.glob", ".send(",
	"instance_eval", "class_eval", "open3",
	// PHP (Twig, Smarty, Blade, Latte)
	"_self.env", "_self.getenvironment", "registerundefinedfiltercallback", "getfilter(", "app.request", "dump(app",
	"$smarty.", "smarty_internal", "self::", "php}", "|file_excerpt(", "passthru(", "shell_exec(", "system(", "exec(", "eval(", "assert(",
	"file_get_contents(", "readfile(", "include(\"/", "include('/", "source(\"/", "source('/",
)

// filterCalls are the filters that take a function by name, which a
// payload hands a command runner: {{['id']|filter('system')}},
// |map("passthru").
var filterCalls = words("|filter(", "|map(", "|sort(", "|reduce(", "|filter (", "|map (", "|sort (", "|reduce (")

// probeObjects are template globals that only a probe prints whole:
// {{config}}, {{self}}, {{request}}, ${applicationScope}.
var probeObjects = set("config", "self", "request", "settings", "_self", "app", "smarty", "environ", "lipsum",
	"cycler", "joiner", "namespace", "url_for", "get_flashed_messages", "applicationscope", "sessionscope",
	"requestscope", "pagecontext", "facescontext", "initparam", "dump(app)", "dump()", "_context")

// templateBody says how sure it is that body, the contents of a template
// opener of the given kind, is a payload. whole says the value is nothing
// but this template expression.
func templateBody(body string, kind int, whole bool) (float64, int) {
	var buf [512]byte
	b := lower(buf[:0], body)
	// whitespace control and output markers: {{- x -}}, <%= x %>, {{= x}}
	for len(b) > 0 && (b[0] == '=' || b[0] == '-' || b[0] == '~' || b[0] == '+' || b[0] == ' ' || b[0] == '\t' ||
		b[0] == '\n' || b[0] == '\r') {
		if b[0] == '-' && len(b) > 1 && b[1] >= '0' && b[1] <= '9' {
			break // a negative number
		}
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == '-' || b[len(b)-1] == '~' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t' ||
		b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, 0
	}
	if kind == tmplSingle {
		// One brace is JSON, code and prose as often as Smarty: only a
		// one-line tag that is a Smarty statement counts.
		if strings.IndexByte(body, '\n') >= 0 {
			return 0, 0
		}
		s := b
		if hasPrefix(s, "if ") {
			s = s[3:]
		}
		if _, ok := hasPrefixAny(s, smartyTags); ok || string(b) == "php" || string(b) == "/php" {
			return 0.99, sstiRuntime
		}
		if dangerousCall(s, true) && callEnd(s, strings.IndexByte(string(s), '(')) >= len(s)-1 {
			return 0.99, sstiRuntime // {system('id')}: the tag is the call
		}
		if arithmetic(b) {
			if multiplies(b) {
				return 0.99, sstiArithmetic // {7*7}: what Smarty prints as 49
			}
			return 0.9, sstiArithmetic
		}
		return 0, 0
	}
	if dunder(b) {
		return 0.99, sstiRuntime
	}
	if _, ok := findAny(b, sstiWords, false); ok {
		return 0.99, sstiRuntime
	}
	if mt, ok := findAny(b, filterCalls, false); ok {
		a := skipSpace(b, mt.j)
		if a < len(b) && (b[a] == '\'' || b[a] == '"') && dangerousName(b[a+1:]) {
			return 0.99, sstiRuntime
		}
	}
	if dangerousCall(b, false) || fileCall(b) {
		return 0.99, sstiRuntime
	}
	if arithmetic(b) {
		if kind == tmplInline && !multiplies(b) {
			return 0.95, sstiArithmetic
		}
		if kind == tmplExpr || kind == tmplInline {
			return 0.99, sstiArithmetic
		}
		return 0.9, sstiArithmetic
	}
	// Freemarker's special variables: ${.now}, <#list .data_model?keys ...>
	if kind == tmplExpr || kind == tmplFTL {
		c := b
		if kind == tmplFTL {
			if sp := strings.IndexByte(string(c), ' '); sp >= 0 {
				c = c[sp+1:]
			}
		}
		if len(c) > 1 && c[0] == '.' {
			if _, ok := hasPrefixAny(c[1:], ftlSpecials); ok {
				return 0.99, sstiProbe
			}
		}
	}
	switch kind {
	case tmplFTL:
		if hasPrefix(b, "assign") || hasPrefix(b, "global") || hasPrefix(b, "local") {
			return 0.9, sstiDirective
		}
		return 0, 0
	case tmplVTL:
		if hasPrefix(b, "set(") && len(b) > 4 && b[skipSpace(b, 4)] == '$' {
			if eq := strings.IndexByte(string(b), '='); eq > 0 && arithmetic(b[eq+1:]) {
				return 0.99, sstiArithmetic // #set($x = 7*7)
			}
			return 0.9, sstiDirective
		}
		return 0, 0
	case tmplStmt:
		switch {
		case hasPrefix(b, "import ") || hasPrefix(b, "from ") && strings.Contains(string(b), " import "):
			return 0.99, sstiRuntime
		case hasPrefix(b, "print ") && arithmetic(b[6:]):
			return 0.99, sstiArithmetic // {% print 7*7 %}
		case hasPrefix(b, "debug") || hasPrefix(b, "load "):
			if whole {
				return 0.99, sstiProbe
			}
			return 0.95, sstiProbe
		}
		return 0, 0
	}
	if kind == tmplExpr && literalCall(b) {
		return 0.99, sstiProbe
	}
	// {{config}}, {{ request }}, {{config.items}}, ${applicationScope}
	k := 0
	for k < len(b) && (isWord(b[k]) || b[k] == '(' || b[k] == ')') {
		k++
	}
	if k > 0 && probeObjects[string(b[:k])] {
		if k == len(b) {
			if whole {
				return 0.99, sstiProbe
			}
			return 0.9, sstiProbe
		}
		if b[k] == '.' || b[k] == '|' || b[k] == '[' {
			if whole {
				return 0.99, sstiProbe // {{config.SECRET_KEY}}
			}
			return 0.9, sstiProbe
		}
	}
	return 0, 0
}

// ftlSpecials are Freemarker's special variables, read as ${.name}.
var ftlSpecials = words("data_model", "globals", "vars", "main", "now", "version", "locale", "template_name",
	"current_template_name", "main_template_name", "namespace", "lang", "node", "output_encoding", "error",
	"url_escaping_charset", "caller_template_name", "get_optional_template", "pass")

// multiplies reports whether arithmetic b multiplies, the operator of
// every engine's probe (7*7, 7*'7').
func multiplies(b []byte) bool { return strings.IndexByte(string(b), '*') >= 0 }

// smartyTags are Smarty tags that run code.
var smartyTags = words("$smarty.", "system(", "exec(", "passthru(", "shell_exec(", "eval(", "self::",
	"smarty_internal_write_file", "include file=", "fetch file=", "math equation=", "popen(")

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// dunder reports whether b holds a Python special name (__class__,
// __globals__, __import__ ...), other than __proto__, which is
// JavaScript's and the code family's.
func dunder(b []byte) bool {
	for i := 0; i+4 < len(b); i++ {
		if b[i] != '_' || b[i+1] != '_' || (i > 0 && b[i-1] == '_') {
			continue
		}
		j := i + 2
		for j < len(b) && ('a' <= b[j] && b[j] <= 'z' || b[j] >= '0' && b[j] <= '9') {
			j++
		}
		if j-i > 3 && j+1 < len(b) && b[j] == '_' && b[j+1] == '_' && string(b[i+2:j]) != "proto" {
			return true
		}
	}
	return false
}

// dangerousName reports whether b starts with the name of a function that
// runs commands or code.
func dangerousName(b []byte) bool {
	k := 0
	for k < len(b) && isWord(b[k]) {
		k++
	}
	return runFuncs[string(b[:k])]
}

// runFuncs run commands, code or read files in the languages templates
// are written in.
var runFuncs = set("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "eval", "assert",
	"spawn", "spawnsync", "execsync", "execfile", "require", "import", "__import__", "readfile", "file_get_contents",
	"fopen", "getruntime", "forname", "loadclass", "call_user_func", "create_function", "include", "open")

// dangerousCall reports whether b holds a call of a runFuncs function
// with a literal argument ("system('id')", "popen(`ls`)"); at says it must
// start b.
func dangerousCall(b []byte, at bool) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '(' {
			continue
		}
		s := i
		for s > 0 && isWord(b[s-1]) {
			s--
		}
		if at && s != 0 {
			return false
		}
		if s == i || !runFuncs[string(b[s:i])] {
			if at {
				return false
			}
			continue
		}
		a := skipSpace(b, i+1)
		if a < len(b) && (b[a] == '\'' || b[a] == '"' || b[a] == '`' || b[a] == '$' || b[a] == '[') {
			return true
		}
		if at {
			return false
		}
	}
	return false
}

// fileCall reports whether b holds a call, of any function, whose first
// argument is a string naming a system file ("get_user_file('/etc/passwd')",
// "read_file('c:\boot.ini')"): a template that reads one, whatever the
// helper is called in that application.
func fileCall(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '(' || i == 0 || !isWord(b[i-1]) {
			continue
		}
		a := skipSpace(b, i+1)
		if a >= len(b) || b[a] != '\'' && b[a] != '"' && b[a] != '`' {
			continue
		}
		e := bytes.IndexByte(b[a+1:], b[a])
		if e < 0 {
			continue
		}
		arg := b[a+1 : a+1+e]
		if len(arg) < 2 || len(arg) > 256 || !(arg[0] == '/' || arg[0] == '\\' || arg[1] == ':') {
			continue // an absolute path, as a file's reader is given
		}
		var buf [256]byte
		p := buf[:len(arg)]
		for k, c := range arg {
			if c == '\\' {
				c = '/' // a Windows path's separators
			}
			p[k] = c
		}
		if k, j, tier := findTarget(p); tier == tierSystem && k <= 3 && (j == len(p) || p[j-1] == '/') {
			return true
		}
	}
	return false
}

// literalCall reports whether b starts with a literal (string, list,
// tuple, dict) followed by a member access or a filter: 'a'.upper(),
// [].class, ().__class__, ['id']|filter.
func literalCall(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	var end int
	switch b[0] {
	case '\'', '"':
		k := strings.IndexByte(string(b[1:]), b[0])
		if k < 0 {
			return false
		}
		end = k + 2
	case '[', '(', '{':
		closer := map[byte]byte{'[': ']', '(': ')', '{': '}'}[b[0]]
		k := strings.IndexByte(string(b[1:]), closer)
		if k < 0 || k > 0 && b[1] != '\'' && b[1] != '"' {
			return false // a literal is empty or holds strings
		}
		end = k + 2
	default:
		return false
	}
	end = skipSpace(b, end)
	return end+2 < len(b) && (b[end] == '.' || b[end] == '|') && ('a' <= b[end+1] && b[end+1] <= 'z' || b[end+1] == '_') &&
		isWord(b[end+2])
}

// arithmetic reports whether b is nothing but arithmetic on number
// literals, as template probes are: "7*7", "7 * '7'", "(1337+1)*2",
// "191*7". At least one operator is required.
func arithmetic(b []byte) bool {
	i, ops, terms := 0, 0, 0
	depth := 0
	expectTerm := true
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			break
		}
		c := b[i]
		if expectTerm {
			switch {
			case c == '(':
				depth++
				i++
				continue
			case c == '-' || c == '+':
				i++ // unary sign
				continue
			case c == '\'' || c == '"':
				j := i + 1
				for j < len(b) && b[j] >= '0' && b[j] <= '9' {
					j++
				}
				if j == i+1 || j >= len(b) || b[j] != c {
					return false
				}
				i = j + 1
			case c >= '0' && c <= '9':
				for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.') {
					i++
				}
			default:
				return false
			}
			terms++
			expectTerm = false
			continue
		}
		switch c {
		case ')':
			if depth == 0 {
				return false
			}
			depth--
			i++
		case '*', '+', '-', '/', '%', '^':
			ops++
			i++
			if i < len(b) && b[i] == '*' {
				i++ // **
			}
			expectTerm = true
		default:
			return false
		}
	}
	return ops > 0 && terms > ops && !expectTerm
}
