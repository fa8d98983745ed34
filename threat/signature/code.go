package signature

import (
	"bytes"
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanCode finds code and object injection: JNDI lookups (Log4Shell and
// its nested-lookup obfuscations), Java and PHP code, serialised objects of
// Java, PHP, .NET, Python, Ruby and YAML, and prototype pollution.

const (
	codeJNDI = iota
	codeJava
	codePHP
	codePHPObject
	codeDeser
	codeProto
)

var (
	javaWords = words("java.lang.runtime", "java.lang.processbuilder", "getruntime().exec", "getruntime()", "processbuilder(",
		"class.forname(", "java.lang.class", "javax.script", "classloader", "class.module", "_memberaccess", "@ognl", "ognl.ognl",
		"#context[", "xwork2.", "com.opensymphony", "java.io.file", "java.net.url", "java.net.socket", "java.util.scanner",
		"org.apache.commons.collections", "ysoserial", "com.sun.org.apache.xalan", "templatesimpl", "invokertransformer",
		"chainedtransformer", "jdbcrowsetimpl", "com.sun.rowset", "javax.naming", "javax.management", "bsh.interpreter",
		"groovy.lang", "org.springframework.context.support", "java.beans.xmldecoder", "<java version", "java.lang.system",
		"getclass().getclassloader", "new java.", "scriptenginemanager", "nashorn", "beanfactory", "@type\":", "\"@type\"",
		"'@type'", "java.rmi", "jrmp", "struts.", "redirect:${", "action:${")
	javaMagic = []string{"rO0AB", "aced0005", "ACED0005", "\xac\xed\x00\x05", "H4sIAAAAAAAAAJ"}
	phpWords  = words("<?php", "<?=", "<? ", "$_get[", "$_post[", "$_request[", "$_server[", "$_cookie[", "$_files[",
		"$_env[", "$_session[", "$globals[", "allow_url_include", "auto_prepend_file", "auto_append_file", "disable_functions",
		"safe_mode", "open_basedir", "php://input", "phpinfo()", "<?xml-stylesheet")
	phpCalls = set("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "eval", "assert", "base64_decode",
		"phpinfo", "file_get_contents", "file_put_contents", "fopen", "fwrite", "fputs", "include", "require", "include_once",
		"require_once", "create_function", "call_user_func", "call_user_func_array", "preg_replace", "str_rot13", "gzinflate",
		"gzuncompress", "unserialize", "move_uploaded_file", "pcntl_exec", "highlight_file", "show_source", "readfile",
		"print_r", "var_dump", "chr", "ini_set", "set_time_limit", "array_map", "usort", "mail", "putenv", "dl", "symlink")
	deserWords = words("aaeaaad/////", "\"$type\"", "'$type'", "system.windows.data.objectdataprovider", "system.data.services",
		"system.diagnostics.process", "!!python/", "__reduce__", "c__builtin__", "cposix\nsystem", "cos\nsystem", "!ruby/",
		"!!javax.", "!!java.", "!!com.", "!!org.", "!!sun.", "typeobject", "objectstateformatter", "losformatter",
		"<java>", "<object class=", "__wakeup", "__destruct", "marshal.load", "pickle.loads", "yaml.load")
	protoWords = words("__proto__", "constructor.prototype", "constructor[prototype]", "[constructor][prototype]",
		"constructor][prototype", "prototype[", "object.prototype")
)

const codeChars = cDollar | cBrace | cLT | cAt | cDot | cParen | cBracket | cPercent | cQuote | cDQuote | cHash | cStar | cColon | cNL | cCtl | cHigh

func scanCode(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	v := in.value
	m := in.m
	header := in.src == threat.SourceHeader
	if m&cDollar != 0 && m&cBrace != 0 {
		if i := jndi(v); i >= 0 && seen.mark(&hit, codeJNDI) {
			dst = append(dst, signal(NameCode, "jndi.lookup", 0.995, in, i, i+12))
		}
	}
	if header && in.name != "User-Agent" && in.name != "Referer" && in.name != "X-Forwarded-For" {
		return dst, hit // other headers: JNDI only (Log4Shell went through any logged header)
	}
	if in.name == "(name)" {
		if m&(cBracket|cDot|cDollar) != 0 {
			lo := lower(stack[:0], v)
			if mt, ok := findAny(lo, protoWords, false); ok && seen.mark(&hit, codeProto) {
				dst = append(dst, signal(NameCode, "proto.pollution", 0.99, in, mt.i, mt.j))
			}
		}
		return dst, hit
	}
	for _, magic := range javaMagic {
		if i := strings.Index(v, magic); i >= 0 && seen.mark(&hit, codeDeser) {
			dst = append(dst, signal(NameCode, "deser.java", 0.99, in, i, i+len(magic)))
			break
		}
	}
	if m&codeChars == 0 && !strings.Contains(v, "__") {
		return dst, hit
	}
	lo := lower(stack[:0], v)
	if m&(cDot|cParen|cAt|cHash|cLT|cQuote|cDQuote) != 0 {
		if mt, ok := findAny(lo, javaWords, false); ok && seen.mark(&hit, codeJava) {
			dst = append(dst, signal(NameCode, "java.injection", 0.99, in, mt.i, mt.j))
		}
	}
	if mt, ok := findAny(lo, phpWords, false); ok && seen.mark(&hit, codePHP) {
		dst = append(dst, signal(NameCode, "php.injection", 0.99, in, mt.i, mt.j))
	} else if m&cParen != 0 && m&(cSemi|cQuote|cDQuote|cDollar|cLT|cParen) != 0 {
		if i, j := phpCall(lo); i >= 0 && seen.mark(&hit, codePHP) {
			dst = append(dst, signal(NameCode, "php.call", 0.95, in, i, j))
		}
	}
	if m&cColon != 0 && m&(cBrace|cDQuote) != 0 {
		if i := phpObject(lo); i >= 0 && seen.mark(&hit, codePHPObject) {
			dst = append(dst, signal(NameCode, "php.object", 0.99, in, i, i+8))
		}
	}
	if mt, ok := findAny(lo, deserWords, false); ok && seen.mark(&hit, codeDeser) {
		dst = append(dst, signal(NameCode, "deser.marker", 0.97, in, mt.i, mt.j))
	}
	if m&(cBracket|cDot) != 0 || in.src == threat.SourceJSON {
		if mt, ok := findAny(lo, protoWords, false); ok && seen.mark(&hit, codeProto) {
			dst = append(dst, signal(NameCode, "proto.pollution", 0.97, in, mt.i, mt.j))
		}
	}
	return dst, hit
}

// jndi finds a Log4j JNDI lookup after resolving the nested lookups used to
// hide it: ${${lower:j}ndi:, ${${::-j}${::-n}di:, ${${env:X:-j}ndi:.
// Work is bounded by the value's length.
func jndi(v string) int {
	lo := strings.ToLower(v)
	if i := strings.Index(lo, "${jndi:"); i >= 0 {
		return i
	}
	first := strings.Index(lo, "${")
	if first < 0 {
		return -1
	}
	// Resolve innermost lookups, at most 64 of them.
	s := lo
	for n := 0; n < 64; n++ {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			break
		}
		start := strings.LastIndex(s[:end], "${")
		if start < 0 {
			break
		}
		inner := s[start+2 : end]
		var out string
		switch {
		case strings.Contains(inner, ":-"):
			out = inner[strings.Index(inner, ":-")+2:]
		case strings.HasPrefix(inner, "lower:"), strings.HasPrefix(inner, "upper:"):
			out = inner[6:]
		case strings.HasPrefix(inner, "jndi:"):
			return first
		default:
			out = "" // ${env:X}, ${sys:X}, ${date:..}: empty for our purpose
		}
		s = s[:start] + out + s[end+1:]
	}
	if strings.Contains(s, "jndi:") {
		return first
	}
	return -1
}

// phpCall finds a dangerous PHP function called with an argument, as in
// "system('id')" or "eval($_POST[x])", preceded by a non-word byte.
func phpCall(lo []byte) (int, int) {
	for off := 0; off < len(lo); {
		p := bytes.IndexByte(lo[off:], '(')
		if p < 0 {
			return -1, -1
		}
		p += off
		off = p + 1
		s := p
		for s > 0 && isWord(lo[s-1]) {
			s--
		}
		if s == p || s > 0 && (lo[s-1] == '.' || lo[s-1] == '$' || lo[s-1] == '>') {
			continue
		}
		name := lo[s:p]
		if !phpCalls[string(name)] {
			continue
		}
		a := skipSpace(lo, p+1)
		if a < len(lo) && (lo[a] == '\'' || lo[a] == '"' || lo[a] == '$' || lo[a] == '`' || lo[a] == '(' ||
			bytes.HasPrefix(lo[a:], []byte("chr(")) || bytes.HasPrefix(lo[a:], []byte("base64_decode"))) {
			return s, a + 1
		}
	}
	return -1, -1
}

// phpObject finds a serialised PHP object or array: O:8:"stdClass":1:{,
// a:2:{i:0;, C:11:"ArrayObject".
func phpObject(lo []byte) int {
	for i := 0; i+4 < len(lo); i++ {
		c := lo[i]
		if (c != 'o' && c != 'a' && c != 'c') || lo[i+1] != ':' || (i > 0 && isWord(lo[i-1])) {
			continue
		}
		j := i + 2
		if j < len(lo) && (lo[j] == '+' || lo[j] == '-') {
			j++
		}
		k := j
		for k < len(lo) && lo[k] >= '0' && lo[k] <= '9' {
			k++
		}
		if k == j || k+1 >= len(lo) || lo[k] != ':' {
			continue
		}
		switch {
		case c == 'a' && lo[k+1] == '{':
			if k+2 < len(lo) && (lo[k+2] == 'i' || lo[k+2] == 's') && k+3 < len(lo) && lo[k+3] == ':' {
				return i
			}
		case (c == 'o' || c == 'c') && lo[k+1] == '"':
			return i
		}
	}
	return -1
}

// set builds a lookup table of words.
func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
