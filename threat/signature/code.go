package signature

import (
	"bytes"
	"sort"
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
	codeScript
	codeUpload
	codeAuth
	codeORM
)

var (
	// javaWords are Java gadgets, OGNL and expression internals that have
	// no business in a request, whatever their context.
	javaWordList = []string{"getruntime().exec", "getruntime()", "processbuilder(", "class.forname(", "class.module.classloader",
		"getclassloader()", "_memberaccess", "@ognl", "ognl.ognl", "#context[", "ysoserial", "invokertransformer",
		"chainedtransformer", "constanttransformer", "instantiatetransformer", "jdbcrowsetimpl", "com.sun.rowset",
		"templatesimpl", "bsh.interpreter", "org.springframework.context.support", "<java version", "new java.lang",
		"new java.io", "new java.net", "new java.util", "new javax.", "scriptenginemanager", "ognlcontext", "ognlutil",
		"propertyutilsbean", "javassist", "@type\":", "\"@type\"", "'@type'", "redirect:${", "action:${",
		"redirectaction:${", ".getdeclaredmethod(", ".getmethod(\"", ".getmethod('", ".newinstance()", "java.lang.runtime",
		"java.lang.processbuilder", "javax.naming.initialcontext", "javax.script.", "xmldecoder", "jndi:rmi:", "jndi:ldap:",
		"clonetransformer", "forclosure", "instantiatefactory", "prototypeclonefactory", "prototypeserializationfactory",
		"whileclosure", "filesystemxmlapplicationcontext", "classpathxmlapplicationcontext", "java.runtime",
		"java.processbuilder"}
	// javaClasses are the CRS java-classes list: named in a request as
	// code (T(java.lang.Runtime), @java.lang.Runtime@getRuntime(), new
	// java.io.File(...), forName("java.lang.Runtime")), never in a stack
	// trace's frame.
	javaClasses, javaPackages = func() (*quadset, []bool) {
		var l []string
		for _, c := range crsList("java-classes") {
			if strings.Contains(c, ".") {
				l = append(l, c)
			}
		}
		// longest first, so that java.io.FileOutputStream is found whole
		// rather than as java.io.File
		sort.SliceStable(l, func(a, b int) bool { return len(l[a]) > len(l[b]) })
		// the list names packages too (org.apache.commons, java.nio.file,
		// javax.xml.parsers): a last segment in lower case, where a
		// class's is capitalised
		pkg := make([]bool, len(l))
		for k, c := range l {
			last := c[strings.LastIndexByte(c, '.')+1:]
			pkg[k] = last != "" && last[0] >= 'a' && last[0] <= 'z'
			l[k] = strings.ToLower(c)
		}
		return quads(l...), pkg
	}()
	// dotnetBinaryBase64 is the base64 of the header every BinaryFormatter
	// stream opens with.
	dotnetBinaryBase64 = "AAEAAAD/////"
	javaMagic          = []string{"rO0AB", "aced0005", "ACED0005", "\xac\xed\x00\x05", "H4sIAAAAAAAAAJ"}
	// javaMagicSet finds javaMagic (at most 8 needles: scanCode's array)
	javaMagicSet = needlesOf(javaMagic...)
	phpWordList  = []string{"<?php", "allow_url_include", "auto_prepend_file", "auto_append_file",
		"disable_functions=", "open_basedir=", "allow_url_fopen=", "safe_mode=", "register_globals=", "suhosin.",
		"php://", "phar://", "expect://", "zip://", "glob://", "ssh2.shell://", "ssh2.exec://",
		"ssh2.tunnel://", "ssh2.sftp://", "ssh2.scp://", "rar://", "ogg://", "zlib://", "bzip2://", "compress.zlib://",
		"compress.bzip2://", "phpinfo()", "$http_raw_post_data", "$http_get_vars", "$http_post_vars",
		"$http_cookie_vars", "$http_server_vars", "$http_env_vars", "$http_post_files", "$http_request_vars"}
	// phpGlobals are the CRS php-variables superglobals: indexed, called
	// or read in a statement they are code.
	phpGlobals = quads("$_get", "$_post", "$_request", "$_server", "$_cookie", "$_files", "$_env", "$_session",
		"$globals")
	// phpCalls are the functions whose call with a literal argument is PHP
	// code: what runs commands, evaluates code, reads and writes files,
	// decodes payloads, and the CRS's list of high-risk function names.
	phpCalls = func() map[string]bool {
		m := set("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "eval", "assert",
			"create_function", "call_user_func", "call_user_func_array", "preg_replace", "include", "require",
			"include_once", "require_once", "file_get_contents", "file_put_contents", "fopen", "fwrite", "fputs",
			"readfile", "highlight_file", "show_source", "phpinfo", "base64_decode", "str_rot13", "gzinflate",
			"gzuncompress", "unserialize", "move_uploaded_file", "putenv", "ini_set", "array_map", "usort", "uasort",
			"uksort", "array_filter", "array_walk", "fsockopen", "curl_exec", "symlink", "unlink", "copy", "chmod",
			"mkdir", "rmdir", "scandir", "glob", "opendir", "file", "parse_str", "extract", "mail", "dl",
			"set_time_limit", "print_r", "var_dump", "var_export", "getenv", "get_current_user", "getcwd",
			"php_uname", "phpversion", "posix_getpwuid", "posix_uname", "chr", "hex2bin", "strrev",
			"register_shutdown_function", "ob_start", "sleep", "usleep")
		for _, f := range crsList("php-function-names-933150") {
			m[strings.ToLower(f)] = true
		}
		return m
	}()
	// phpWordNames are PHP functions named like English or C words; an
	// expression in parentheses is not evidence for them.
	phpWordNames = set("copy", "file", "mail", "glob", "chr", "sleep", "usleep", "chmod", "mkdir", "rmdir", "unlink",
		"symlink", "dirname", "strlen", "settype", "getenv", "assert", "extract", "print_r")
	// phpEcho are PHP's output and control constructs that a payload
	// calls inside complex string syntax: ${@print(1)}.
	phpEcho = set("print", "echo", "die", "exit", "sleep", "usleep", "printf", "var_dump", "print_r")
	// phpExec run what their argument names, even a bare word: system(id);
	phpExec = set("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "eval", "assert")
	// phpFiles take a file name; only a remote, wrapped, absolute or
	// climbing one, or a variable, is a payload.
	phpFiles = set("include", "require", "include_once", "require_once")
	// phpInfoCalls need no argument to leak: phpinfo();, getcwd().
	phpInfoCalls = set("phpinfo", "getcwd", "get_current_user", "phpversion", "php_uname", "getmypid", "getmyuid",
		"getmygid", "get_defined_vars", "get_defined_functions", "get_defined_constants", "posix_getuid",
		"posix_geteuid", "posix_uname", "sys_get_temp_dir", "ini_get_all", "getenv", "scandir", "system")
	deserWordList = []string{"aaeaaad/////", "\"$type\"", "'$type'", "system.windows.data.objectdataprovider",
		"system.configuration.install.assemblyinstaller", "system.activities.presentation.workflowdesigner",
		"system.data.services.internal.expandedwrapper", "system.data.services",
		"system.diagnostics.process", "!!python/object/apply:", "!!python/object/new:", "!!python/name:", "!!python/module:",
		"!!python/", "__reduce__", "c__builtin__\neval", "c__builtin__\nexec", "c__builtin__", "cposix\nsystem", "cos\nsystem", "!ruby/",
		"!!javax.", "!!java.", "!!com.", "!!org.", "!!sun.", "objectstateformatter", "losformatter",
		"<java>", "<object class=", "_$$nd_func$$_", "__js_function", "typeconfusedelegate", "textformattingrunproperties",
		"windowsidentity",
		// server-side JavaScript reaching for Node's process outside a
		// sandbox (deserNode: reported as script.injection)
		"this.constructor.constructor", "require.main.constructor", "process.mainmodule", "process[\"env\"]",
		"process['env']", "process[req.", "require[req.", "process[mainmodule"}
	// deserCertain are the markers that only a payload carries: the
	// function markers of node-serialize and funcster, and deserNode.
	deserCertain = set("_$$nd_func$$_", "__js_function", "this.constructor.constructor", "require.main.constructor",
		"process.mainmodule", "process[\"env\"]", "process['env']", "process[req.", "require[req.",
		"process[mainmodule", "!!python/object/apply:", "!!python/object/new:", "!!python/name:", "!!python/module:",
		"system.windows.data.objectdataprovider", "typeconfusedelegate", "textformattingrunproperties",
		"system.configuration.install.assemblyinstaller", "system.activities.presentation.workflowdesigner",
		"system.data.services.internal.expandedwrapper",
		"cos\nsystem", "cposix\nsystem", "c__builtin__\neval", "c__builtin__\nexec")
	deserNode = set("this.constructor.constructor", "require.main.constructor", "process.mainmodule",
		"process[\"env\"]", "process['env']", "process[req.", "require[req.", "process[mainmodule")
	protoWordList = []string{"__proto__", "constructor.prototype", "constructor[prototype]", "[constructor][prototype]",
		"constructor][prototype", "prototype[", "object.prototype"}
	// scriptWords are server-side JavaScript, Python and Ruby reaching for
	// the process: require('child_process'), __import__('os').
	scriptWordList = []string{"process.mainmodule.require(", "process.binding('spawn_sync')", "process.binding(\"spawn_sync\")",
		".constructor.constructor(", "constructor.constructor('return", "constructor.constructor(\"return",
		"__import__('os')", "__import__(\"os\")", "__import__('subprocess')", "__import__(\"subprocess\")",
		"subprocess.popen(", "subprocess.check_output(", "subprocess.call(", "subprocess.run(", "os.popen(",
		"os.system(", "kernel.exec", "kernel.system", "io.popen(", ".send(:system", "open(\"|", "open('|",
		"runtime.getruntime", "eval(compile(", "exec(compile(", "process.spawn(", "new function(\"return",
		"new function('return", "function(\"return process", "function('return process"}
)

// typeGadgets are the .NET classes Json.NET's and JavaScriptSerializer's
// type hints name in ysoserial.net's payloads: an object of one runs a
// method or a process as it is built. An application's own types are
// its namespaces'.
var typeGadgets = []string{"system.windows.data.objectdataprovider", "system.diagnostics.process",
	"system.configuration.install.assemblyinstaller", "system.activities.presentation.workflowdesigner",
	"system.data.services.internal.expandedwrapper", "system.windows.resourcedictionary"}

// typeGadget reports whether a type hint's value, lower-cased, names a
// gadget within the next 512 bytes.
func typeGadget(lo []byte) bool {
	lo = lo[:min(len(lo), 512)]
	for _, g := range typeGadgets {
		if bytes.Contains(lo, []byte(g)) {
			return true
		}
	}
	return false
}

// The code family's keyword lists, read in one pass over a value.
const (
	groupJava = iota
	groupPHP
	groupDeser
	groupProto
	groupScript
	groupJavaPackage
	groupASP
	codeGroups
)

var (
	codeWords = quadGroupsOf([]bool{groupScript: true, groupJavaPackage: false, groupProto: false, groupASP: false},
		javaWordList, phpWordList, deserWordList, protoWordList, scriptWordList,
		[]string{"java", "org.", "com.", "sun.", "freemarker."}, aspWordList)
	phpWords = quads(phpWordList...)
	// javaNameWords are what a parameter's name reaches the server's
	// objects or Java's runtime with, as Spring binds it.
	javaNameWords = quads(append([]string{"class.classloader", "class[classloader]", "class[module]", "class['module']",
		"class[\"module\"]", ".classloader.", "java.lang.runtime", "java.lang.processbuilder", "java.lang.system"},
		javaWordList...)...)
	protoWords = quads(protoWordList...)
)

const codeChars = cDollar | cBrace | cLT | cAt | cDot | cParen | cBracket | cPercent | cQuote | cDQuote | cHash | cStar | cColon | cNL | cCtl | cHigh

func scanCode(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	v := in.value
	m := in.m
	if m&cDollar != 0 && m&cBrace != 0 {
		if i := jndi(v); i >= 0 && seen.mark(&hit, codeJNDI) {
			dst = append(dst, signal(nameCode, "jndi.lookup", 0.995, in, i, i+12))
		}
	}
	if m&cAt != 0 && m&cBrace != 0 && m&cBracket != 0 {
		if i, j, ok := perlCart(v); ok && seen.mark(&hit, codeScript) {
			dst = append(dst, signal(nameCode, "perl.injection", 0.99, in, i, j))
		}
	}
	if m&cDot != 0 && jwtNone(v) && seen.mark(&hit, codeAuth) {
		dst = append(dst, signal(nameCode, "auth.jwt_none", 0.99, in, 0, len(v)))
	}
	if in.src == threat.SourceFile && in.name == "(filename)" || in.src == threat.SourceHeader && uploadNameHeader(in.name) {
		if i, ok := scriptFileName(v); ok && seen.mark(&hit, codeUpload) {
			dst = append(dst, signal(nameCode, "upload.script", 0.99, in, i, len(v)))
		} else if i, ok := sessionFileName(v); ok && seen.mark(&hit, codeUpload) {
			dst = append(dst, signal(nameCode, "upload.session", 0.99, in, i, len(v)))
		}
	}
	if in.src == threat.SourceHeader && !attackHeader(in.name) {
		// Structured headers: JNDI (Log4Shell went through any logged
		// header) and OGNL (Struts read it from Content-Type).
		if m&cBrace != 0 && m&(cHash|cAt) != 0 {
			if i := ognl(v); i >= 0 && seen.mark(&hit, codeJava) {
				dst = append(dst, signal(nameCode, "java.injection", 0.99, in, i, i+16))
			}
		}
		return dst, hit
	}
	dataType := in.src == threat.SourceXML && javaDataType(v)
	if m&^(cDot|cDash|cSpace|cQuote|cDQuote) == 0 && len(v) >= javaBareMin && !dataType {
		if found, pkg := javaBareValue(v); found && (!pkg || in.name == "(name)" || in.name == "(key)") &&
			seen.mark(&hit, codeJava) {
			dst = append(dst, signal(nameCode, "java.class", 0.99, in, 0, len(v)))
		}
	}
	if len(v) >= javaBase64Min && m&^(cDash|cSlash|cEq) == 0 {
		// a gadget's name in base64: a serialised object cut or embedded
		if i := javaBase64(v); i >= 0 && seen.mark(&hit, codeDeser) {
			dst = append(dst, signal(nameCode, "deser.java_base64", 0.99, in, i, min(len(v), i+javaBase64Min)))
		}
	}
	if m&cEq != 0 && len(v) >= 6 {
		// a php.ini line: "auto_prepend_file=/tmp/x.jpg" (php_ini.go)
		if i, j, ok := phpIniLine(v); ok && seen.mark(&hit, codePHP) {
			dst = append(dst, signal(nameCode, "php.ini_directive", 0.99, in, i, j))
		}
	}
	if len(v) >= 7 && len(v) <= phpRiskTokenMax && m&cSpace == 0 {
		// a token holding a function only payloads call: "base64_decode",
		// "FOOcall_user_func", "Shell_exec" as a parameter's name
		if i, j, ok := phpRiskToken(v); ok && seen.mark(&hit, codePHP) {
			dst = append(dst, signal(nameCode, "php.injection", 0.99, in, i, j))
		}
	}
	if (in.name == "(name)" || in.name == "(key)") && len(v) <= ormNameMax && strings.Contains(v, "__") {
		var stack [ormNameMax]byte
		if i, j, ok := ormLeak(unsafeString(lower(stack[:0], v))); ok && seen.mark(&hit, codeORM) {
			dst = append(dst, signal(nameCode, "orm.secret_filter", 0.99, in, i, j))
		}
	}
	if in.name == "(name)" {
		var stack [512]byte
		lo := lower(stack[:0], v)
		if m&(cBracket|cDot|cDollar) != 0 {
			if mt, ok := protoWords.find(lo, false); ok && seen.mark(&hit, codeProto) {
				dst = append(dst, signal(nameCode, "proto.pollution", 0.99, in, mt.i, mt.j))
			}
		}
		// a parameter named for a superglobal: PHP's extract() and
		// register_globals overwrite the variable ("_SERVER[DOCUMENT_ROOT]",
		// "$_COOKIE", "GLOBALS[a]")
		if i, j, ok := superglobalName(lo); ok && seen.mark(&hit, codePHP) {
			dst = append(dst, signal(nameCode, "php.injection", 0.99, in, i, j))
		}
		// PHP-CGI reads a query without '=' as its command line:
		// ?-d+allow_url_include%3d1+-d+auto_prepend_file%3dphp://input
		if mt, ok := phpWords.find(lo, false); ok && seen.mark(&hit, codePHP) {
			dst = append(dst, signal(nameCode, "php.injection", 0.99, in, mt.i, mt.j))
		} else if m&cParen != 0 {
			// a body of code without '=' is one parameter's name:
			// $d['o'](9), eval\r($foo); or a call in a parameter's key,
			// where PHP's string breaks out of an array index:
			// extlang[".system('id')."]
			i, j, conf := -1, 0, 0.0
			if m&cDollar != 0 {
				if i, j = phpVarCall(lo); i >= 0 {
					conf = 0.99
				}
			}
			if i < 0 {
				i, j, conf = phpCall(lo)
			}
			if conf >= 0.99 && seen.mark(&hit, codePHP) {
				dst = append(dst, signal(nameCode, "php.call", conf, in, i, j))
			}
		}
		// Spring binds a parameter's name to a property path:
		// class.module.classLoader.resources... (Spring4Shell) sets the
		// server's own objects; a Java gadget named as a parameter has no
		// business there either
		if m&(cDot|cBracket) != 0 {
			if mt, ok := javaNameWords.find(lo, false); ok && seen.mark(&hit, codeJava) {
				dst = append(dst, signal(nameCode, "java.injection", 0.99, in, mt.i, mt.j))
			}
		}
		return dst, hit
	}
	// the first of javaMagic found, in the list's order
	var at [8]int
	javaMagicIndex(v, m, at[:])
	for n, i := range at[:len(javaMagic)] {
		if i >= 0 {
			if seen.mark(&hit, codeDeser) {
				dst = append(dst, signal(nameCode, "deser.java", 0.99, in, i, i+len(javaMagic[n])))
			}
			break
		}
	}
	// .NET's BinaryFormatter stream header in base64 (ysoserial.net's
	// payloads for cookies, ViewState fields and remoting): its bytes
	// 00 01 00 00 00 FF FF FF FF hold no code character, so the search
	// is before the return below
	if m&cSlash != 0 && !hit {
		if i := indexRare(v, dotnetBinaryBase64); i >= 0 && seen.mark(&hit, codeDeser) {
			dst = append(dst, signal(nameCode, "deser.dotnet", 0.99, in, i, i+len(dotnetBinaryBase64)))
		}
	}
	if m&codeChars == 0 && !strings.Contains(v, "__") {
		return dst, hit
	}
	var lo []byte
	if len(v) > 512 {
		lo = in.lowerValue() // the SSRF family may have made it
	} else {
		// declared here, the buffer is cleared only for the short values
		// lower-cased into it
		var stack [512]byte
		lo = lower(stack[:0], v)
	}
	var gm [codeGroups]groupMatch
	codeWords.find(lo, gm[:])
	if m&(cDot|cParen|cAt|cHash|cLT|cQuote|cDQuote) != 0 && !dataType {
		if i, j, conf := javaCode(lo, gm[groupJava], gm[groupJavaPackage].ok); conf > 0 && !(in.xmlData && xmlNameOnly(lo, i)) &&
			seen.mark(&hit, codeJava) {
			dst = append(dst, signal(nameCode, "java.injection", conf, in, i, j))
		}
	}
	colons := lazySpots{s: unsafeString(lo), c: ':'} // for phpInclude and phpObject, which both stop at every ':'
	if i, j, conf, rule := phpCode(lo, m, gm[groupPHP], &colons); conf > 0 && seen.mark(&hit, codePHP) {
		dst = append(dst, signal(nameCode, rule, conf, in, i, j))
	}
	if m&cParen != 0 {
		if mt := gm[groupScript]; mt.ok && seen.mark(&hit, codeScript) {
			dst = append(dst, signal(nameCode, "script.injection", 0.99, in, mt.i, mt.j))
		} else if i, j := childProcess(lo); i >= 0 && seen.mark(&hit, codeScript) {
			dst = append(dst, signal(nameCode, "script.injection", 0.99, in, i, j))
		} else if gm[groupASP].ok {
			if i, j := aspCode(lo); i >= 0 && seen.mark(&hit, codeScript) {
				dst = append(dst, signal(nameCode, "asp.injection", 0.99, in, i, j))
			}
		}
	}
	if m&cColon != 0 && m&(cBrace|cDQuote) != 0 {
		if i := phpObject(lo, &colons); i >= 0 && seen.mark(&hit, codePHPObject) {
			dst = append(dst, signal(nameCode, "php.object", 0.99, in, i, i+8))
		}
	}
	if mt := gm[groupDeser]; mt.ok {
		w := deserWordList[mt.k]
		switch {
		case deserNode[w]:
			if seen.mark(&hit, codeScript) {
				dst = append(dst, signal(nameCode, "script.injection", 0.99, in, mt.i, mt.j))
			}
		case seen.mark(&hit, codeDeser):
			conf := 0.97
			if deserCertain[w] || w[1] == '$' && typeGadget(lo[mt.j:]) {
				conf = 0.99
			}
			dst = append(dst, signal(nameCode, "deser.marker", conf, in, mt.i, mt.j))
		}
	}
	if m&cParen != 0 && len(lo) >= 8 {
		if i, j := infiniteLoop(lo); i >= 0 && seen.mark(&hit, codeScript) {
			dst = append(dst, signal(nameCode, "script.loop", 0.99, in, i, j))
		}
	}
	if m&(cBracket|cDot|cQuote|cDQuote) != 0 || in.src == threat.SourceJSON {
		if g := gm[groupProto]; g.ok && seen.mark(&hit, codeProto) {
			mt := match{g.k, g.i, g.j}
			conf := 0.9
			if protoKey(lo, mt) || in.name == "(key)" && mt.i == 0 && mt.j == len(lo) {
				conf = 0.99 // a path or a key: __proto__[admin], {"__proto__":
			}
			dst = append(dst, signal(nameCode, "proto.pollution", conf, in, mt.i, mt.j))
		}
	}
	return dst, hit
}

// javaBinaryClasses are the classes of javaMagic's binary header.
var javaBinaryClasses = classify(javaMagic[3])

// javaMagicIndex is javaMagicSet.indexIn(v, m, at): at[n] is the first
// offset of javaMagic[n] in v, or -1. "rO0AB", "aced0005" and "ACED0005"
// all hold a '0' (at offsets 2, 4 and 4), so one walk over the '0's finds
// the three, where the set walks the '0's for the first and the '5's for
// the others: every value goes through here, and a walk reads all of a
// value without them. "H4sIAAAAAAAAAJ" is found from its rarest byte, and
// the binary header only in a value with high and control bytes, as the
// set finds them. TestJavaMagicIndexOffsets holds javaMagic to the
// offsets this reads.
func javaMagicIndex(v string, m cls, at []int) {
	at = at[:len(javaMagic)]
	for n := range at {
		at[n] = -1
	}
	left := 3
	for p := 0; left > 0 && p < len(v); p++ {
		j := strings.IndexByte(v[p:], '0')
		if j < 0 {
			break
		}
		p += j
		if at[0] < 0 && p >= 2 && strings.HasPrefix(v[p-2:], javaMagic[0]) {
			at[0], left = p-2, left-1
		}
		if p >= 4 {
			if at[1] < 0 && strings.HasPrefix(v[p-4:], javaMagic[1]) {
				at[1], left = p-4, left-1
			}
			if at[2] < 0 && strings.HasPrefix(v[p-4:], javaMagic[2]) {
				at[2], left = p-4, left-1
			}
		}
	}
	if javaBinaryClasses&^m == 0 {
		at[3] = indexRare(v, javaMagic[3])
	}
	// "H4sIAAAAAAAAAJ" from its last byte, its rarest, as the set walks
	// it (indexRare would work out the rarest byte for each value)
	const j4 = len("H4sIAAAAAAAAA")
	for p := j4; p < len(v); p++ {
		j := strings.IndexByte(v[p:], 'J')
		if j < 0 {
			break
		}
		p += j
		if v[p-j4] == 'H' && strings.HasPrefix(v[p-j4:], javaMagic[4]) {
			at[4] = p - j4
			break
		}
	}
}

// childProcess finds Node's child_process module loaded and called with
// a command in one expression, as payloads do:
// require('child_process').exec('id'). Naming the module or calling it
// through a variable, as documentation does, is not enough.
func childProcess(lo []byte) (int, int) {
	for off := 0; off < len(lo); {
		k := indexRare(lo[off:], "child_process")
		if k < 0 {
			return -1, -1
		}
		i := off + k
		off = i + 13
		if i == 0 || lo[i-1] != '\'' && lo[i-1] != '"' && lo[i-1] != '`' || off+2 > len(lo) || lo[off] != lo[i-1] || lo[off+1] != ')' {
			continue // the module loaded in place: require('child_process')
		}
		rest := lo[off+2 : min(len(lo), off+24)]
		for _, f := range [...]string{".exec(", ".execsync(", ".spawn(", ".spawnsync(", ".execfile(", ".execfilesync(", ".fork("} {
			if bytes.HasPrefix(rest, []byte(f)) {
				a := skipSpace(rest, len(f))
				if a < len(rest) && (rest[a] == '\'' || rest[a] == '"' || rest[a] == '`') {
					return i, off + 2 + a
				}
			}
		}
	}
	return -1, -1
}

// javaCode finds Java injected as code: gadget and OGNL words anywhere,
// and the CRS's Java classes where the value uses them (T(...), @...@,
// new ..., forName("..."), a method called on them). A stack trace's frame
// ("at java.lang.Runtime.exec(Runtime.java:450)") names classes too and
// weighs little.
// word is the leftmost of javaWordList in lo; pkg says whether lo names
// a package the CRS's classes live in (java, org., com., sun.,
// freemarker.).
func javaCode(lo []byte, word groupMatch, pkg bool) (int, int, float64) {
	if word.ok {
		if stackFrame(lo, word.j) {
			return word.i, word.j, 0.7
		}
		if javaWordList[word.k] == "java.runtime" && word.j < len(lo) && (lo[word.j] == '.' || isWord(lo[word.j])) {
			return -1, -1, 0 // java.runtime.version: a system property's name
		}
		return word.i, word.j, 0.99
	}
	if !pkg {
		return -1, -1, 0 // every class of the list is in one of these packages
	}
	off := 0
	for off < len(lo) {
		mt, ok := javaClasses.find(lo[off:], false)
		if !ok {
			break
		}
		i, j := off+mt.i, off+mt.j
		off = j
		if i > 0 && (isWord(lo[i-1]) || lo[i-1] == '.') || j < len(lo) && isWord(lo[j]) {
			continue
		}
		if stackFrame(lo, j) {
			continue
		}
		before := lo[max(0, i-8):i]
		switch {
		case bytes.HasSuffix(before, []byte("t(")), bytes.HasSuffix(before, []byte("t (")),
			bytes.HasSuffix(before, []byte("new ")), bytes.HasSuffix(before, []byte("@")),
			bytes.HasSuffix(before, []byte("(\"")), bytes.HasSuffix(before, []byte("('")),
			bytes.HasSuffix(before, []byte("!!")):
			return i, j, 0.99
		}
		if j < len(lo) {
			switch lo[j] {
			case '(', ')', '@':
				return i, j, 0.99
			case '.':
				k := j + 1
				for k < len(lo) && isWord(lo[k]) {
					k++
				}
				if k > j+1 && k < len(lo) && lo[k] == '(' {
					return i, j, 0.99 // a static method called: java.lang.System.getenv(
				}
			}
		}
		if bytes.IndexByte(lo, ' ') < 0 && !javaPackages[mt.k] {
			return i, j, 0.99 // a class name as a whole value: no sentence about it
		}
		// in a sentence; or a package named alone, as a Maven groupId,
		// an import or an OSGi export is ("org.apache.commons")
		return i, j, 0.6
	}
	return -1, -1, 0
}

// ognl finds an OGNL expression of the Struts exploits: %{...} or ${...}
// reaching #_memberAccess, #context, @ognl or a static Java call.
func ognl(v string) int {
	i := strings.Index(v, "%{")
	if i < 0 {
		i = strings.Index(v, "${")
	}
	if i < 0 {
		return -1
	}
	for _, w := range [...]string{"_memberaccess", "@ognl", "ognlcontext", "#context", "@java.lang", "#_=", "(#"} {
		if indexFold(v[i:], w) >= 0 {
			return i
		}
	}
	return -1
}

// stackFrame reports whether the class named just before j sits in a
// stack trace's frame: ".method(File.java:123)", "(Native Method)",
// "(Unknown Source)".
func stackFrame(lo []byte, j int) bool {
	rest := lo[j:min(len(lo), j+120)]
	p := bytes.IndexByte(rest, '(')
	if p < 0 {
		return false
	}
	after := rest[p+1:]
	return bytes.HasPrefix(after, []byte("native method")) || bytes.HasPrefix(after, []byte("unknown source")) ||
		bytes.Contains(after[:min(len(after), 60)], []byte(".java:"))
}

// shortTagCode reports whether PHP code follows the short open tag whose
// space is at lo[off]: its first word (after a "php" that a space parted
// from the tag) is a PHP function or echo, or a
// '$', '(', ';' or backquote comes before the tag closes (in the next
// 128 bytes). It returns the end of what it read.
func shortTagCode(lo []byte, off int) (int, bool) {
	a := skipSpaceLine(lo, off)
	w := a
	for w < len(lo) && isWord(lo[w]) {
		w++
	}
	if string(lo[a:w]) == "php" && w < len(lo) && isPHPSpace(lo[w]) {
		// "<? php echo": the long tag with a space in it
		a = skipSpaceLine(lo, w)
		for w = a; w < len(lo) && isWord(lo[w]); w++ {
		}
	}
	if w > a && (phpCalls[string(lo[a:w])] || phpEcho[string(lo[a:w])]) {
		return w, true
	}
	end := min(len(lo), a+128)
	if k := bytes.Index(lo[a:end], []byte("?>")); k >= 0 {
		end = a + k
	}
	if k := bytes.IndexAny(lo[a:end], "$(;`"); k >= 0 {
		return a + k + 1, true
	}
	return off + 1, false
}

// isPHPSpace reports whether c is whitespace to PHP's lexer after an
// open tag.
func isPHPSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpaceLine returns the index of the first byte at or after i that
// is not a space, tab or line break.
func skipSpaceLine(b []byte, i int) int {
	for i < len(b) && isPHPSpace(b[i]) {
		i++
	}
	return i
}

// superglobals are PHP's superglobal arrays and their long names of PHP 4,
// lower-cased, without the '$'.
var superglobals = [...]string{"_server", "_get", "_post", "_cookie", "_request", "_env", "_files", "_session", "globals",
	"http_server_vars", "http_get_vars", "http_post_vars", "http_cookie_vars", "http_env_vars", "http_post_files",
	"http_session_vars"}

// superglobalName reports whether a lower-cased parameter name names one
// of PHP's superglobals: with its '$' ("$_cookie"), or indexed
// ("_server[document_root]", "globals[a]"), the form parse_str and
// extract() turn into the variable itself. It returns the name's span.
func superglobalName(lo []byte) (int, int, bool) {
	i := 0
	if len(lo) > 0 && lo[0] == '$' {
		i = 1
	}
	for _, g := range superglobals {
		if len(lo)-i < len(g) || string(lo[i:i+len(g)]) != g {
			continue
		}
		j := i + len(g)
		if j < len(lo) && lo[j] == '[' || i == 1 && (j == len(lo) || !isWord(lo[j])) {
			return 0, j, true
		}
	}
	return 0, 0, false
}

// phpCode finds PHP: open tags, superglobals used as code, and calls of
// PHP functions written as statements. It returns where, how sure and
// the rule.
// word is the leftmost of phpWordList in lo.
func phpCode(lo []byte, m cls, word groupMatch, colons *lazySpots) (int, int, float64, string) {
	if word.ok {
		return word.i, word.j, 0.99, "php.injection"
	}
	if m&cLT != 0 {
		// <?system('id');?>: an open tag glued to a call
		for off := 0; off < len(lo); {
			k := bytes.Index(lo[off:], []byte("<?"))
			if k < 0 {
				break
			}
			i := off + k
			off = i + 2
			if off < len(lo) && lo[off] == '=' {
				return i, off + 1, 0.99, "php.injection" // <?= : the short echo tag
			}
			if off < len(lo) && isPHPSpace(lo[off]) {
				// <? : the short open tag (a space, tab or line break after it), when code follows it ("<? system($_GET[c]); ?>",
				// "<? echo 1 ?>"); "&lt;? and ?&gt; are short tags" is prose about it
				if j, ok := shortTagCode(lo, off); ok {
					return i, j, 0.99, "php.injection"
				}
				continue
			}
			w := off
			for w < len(lo) && isWord(lo[w]) {
				w++
			}
			if w > off && (phpCalls[string(lo[off:w])] || phpEcho[string(lo[off:w])]) {
				return i, w, 0.99, "php.injection"
			}
		}
	}
	if m&(cDollar|cBrace) == cDollar|cBrace {
		if i, j := phpVarVar(lo); i >= 0 {
			return i, j, 0.99, "php.injection"
		}
	}
	if m&cDollar != 0 {
		for off := 0; off < len(lo); {
			mt, ok := phpGlobals.find(lo[off:], true)
			if !ok {
				break
			}
			i, j := off+mt.i, off+mt.j
			off = j
			a := skipSpace(lo, j)
			if a < len(lo) && (lo[a] == '[' || lo[a] == '(' || lo[a] == ')' || lo[a] == ';' || lo[a] == '{' || lo[a] == '.') {
				return i, a + 1, 0.99, "php.injection"
			}
			if bytes.IndexByte(lo, ' ') < 0 {
				return i, j, 0.99, "php.injection" // $_SERVER alone: no sentence around it
			}
		}
	}
	if m&(cQuote|cDQuote) != 0 {
		if i, j := phpInclude(lo, m, colons); i >= 0 {
			return i, j, 0.99, "php.injection"
		}
	}
	if m&cParen == 0 {
		return -1, -1, 0, ""
	}
	if m&cDollar != 0 {
		if i, j := phpVarCall(lo); i >= 0 {
			return i, j, 0.99, "php.call"
		}
	}
	if m&(cBracket|cBrace) != 0 || bytes.Count(lo, []byte("(")) > 1 {
		if i, j := phpGroupCall(lo); i >= 0 {
			return i, j, 0.99, "php.call"
		}
	}
	if i, j, conf := phpCall(lo); conf > 0 {
		return i, j, conf, "php.call"
	}
	return -1, -1, 0, ""
}

// phpCall finds a PHP function called as code: a phpCalls function with a
// literal, variable or nested-call argument ("system('id')",
// "eval($_POST[x])", "base64_decode(\"...\")"), an information function
// with none ("phpinfo();"), a function named by a string or a variable
// ("(system)(ls);", "('sys'.'tem')('id')", "$f('id');"), or a call inside
// PHP's complex string syntax ("${@print(1)}", "{${sleep(3)}}"). A call
// written as a statement (at the value's start, after a quote, ';', '@'
// or an operator, or ending in ';' or '?>') is code; a call inside a
// sentence ("PHP's system() function") is at most a hint.
func phpCall(lo []byte) (int, int, float64) {
	best, bi, bj := 0.0, -1, -1
	var ends callEnds
	for off := 0; off < len(lo); {
		p := bytes.IndexByte(lo[off:], '(')
		if p < 0 {
			break
		}
		p += off
		off = p + 1
		e, gap := callGap(lo, p)
		s := e
		for s > 0 && isWord(lo[s-1]) {
			s--
		}
		var name []byte
		dynamic := false
		switch {
		case s < e:
			name = lo[s:e]
		case e > 0 && lo[e-1] == ')':
			// (system)(ls), ('sys'.'tem')('id'): a name in parentheses
			o := bytes.LastIndexByte(lo[max(0, e-64):e-1], '(')
			if o < 0 {
				continue
			}
			o += max(0, e-64)
			name = unquoteConcat(lo[o+1 : e-1])
			if name == nil || !phpCalls[string(name)] {
				continue
			}
			s, dynamic = o, true
		case e > 0 && (lo[e-1] == '\'' || lo[e-1] == '"'):
			// 'system'('id'), "sys"."tem"("id"): a name as a string
			o := stringCallee(lo[:e])
			if o < 0 {
				continue
			}
			name = unquoteConcat(lo[o:e])
			if name == nil || !phpCalls[string(name)] {
				continue
			}
			s, dynamic = o, true
		case e > 0 && lo[e-1] == ']':
			// $_GET[a]($_GET[b]), $x['f']('id')
			o := bytes.LastIndexByte(lo[max(0, e-64):e-1], '[')
			if o < 0 {
				continue
			}
			o += max(0, e-64)
			v := o
			for v > 0 && isWord(lo[v-1]) {
				v--
			}
			if v == 0 || lo[v-1] != '$' || v == o {
				continue
			}
			s, dynamic = v-1, true
		default:
			continue
		}
		if e < p && !statementStart(lo, s) {
			continue // "the system ('x')": PHP callers write no space
		}
		complex := complexSyntax(lo, s) && (phpCalls[string(name)] || phpEcho[string(name)] || s > 0 && lo[s-1] == '@')
		if gap != gapSpaces && !dynamic && phpCalls[string(name)] && statementStart(lo, s) {
			// a comment between the name and its '(' ("exec //x\n (id)"),
			// or a line break before an argument only code writes ("eval\r($x)",
			// "file\r\n()"): PHP's grammar, no sentence's
			a := skipSpace(lo, p+1)
			complex = complex || gap == gapComment ||
				a < len(lo) && (lo[a] == ')' || lo[a] == '$' || lo[a] == '\'' || lo[a] == '"')
		}
		if !dynamic && !complex {
			if s > 0 && lo[s-1] == '$' {
				// $f('id'): a variable function
				if s-1 > 0 && isWord(lo[s-2]) {
					continue
				}
				s--
				dynamic = true
			} else if s > 1 && (lo[s-1] == '.' && (isWord(lo[s-2]) || lo[s-2] == ')') ||
				lo[s-1] == '>' && lo[s-2] == '-' || lo[s-1] == ':') {
				continue // a method: obj.system(), $o->exec(), Foo::eval()
			} else if !phpCalls[string(name)] {
				continue
			}
		}
		a := skipSpace(lo, p+1)
		arg := a < len(lo) && (lo[a] == '\'' || lo[a] == '"' || lo[a] == '$' || lo[a] == '`' ||
			lo[a] == '(' && !phpWordNames[string(name)] || nestedCall(lo[a:]))
		empty := a < len(lo) && lo[a] == ')'
		bare := dynamic && (lo[s] == '(' || lo[s] == '\'' || lo[s] == '"') && a < len(lo) && isWord(lo[a]) // (system)(ls)
		end := ends.at(lo, p)
		if !arg && !bare && !complex && !(empty && !dynamic && phpInfoCalls[string(name)]) {
			// system(id); $f(); : a bare word or nothing, then ';'
			w := a
			for w < len(lo) && isWord(lo[w]) {
				w++
			}
			word := w > a && w == end && phpExec[string(name)]
			if !(word || empty && dynamic) || !semicolonAfter(lo, end) {
				continue
			}
		}
		if end < len(lo) && (bytes.Contains(lo[p:end], []byte("=>")) || bytes.IndexByte(lo[p:end], '\n') >= 0) {
			continue // a callback or a block among the arguments: program code, not a payload
		}
		if phpFiles[string(name)] && arg && !dangerousPath(lo[a:]) {
			continue // require('node:assert'), include("header.php"): a module, not a payload
		}
		conf := 0.0
		if empty && !dynamic && !complex {
			// phpinfo(); getcwd(): nothing to run but the call itself
			if statementStart(lo, s) && (semicolonAfter(lo, end) || end == len(lo)-1) {
				conf = 0.99
			}
			if conf > best {
				best, bi, bj = conf, s, min(len(lo), end+1)
			}
			continue
		}
		switch {
		case complex:
			conf = 0.99
		case statementStart(lo, s) || statementEnd(lo, end):
			conf = 0.99
		case dynamic:
			conf = 0.9
		case arg:
			conf = 0.8 // a call inside a sentence
		}
		if conf > best {
			best, bi, bj = conf, s, min(len(lo), end+1)
			if best >= 0.99 {
				break
			}
		}
	}
	return bi, bj, best
}

// phpInclude finds include or require of a remote or wrapped file
// without parentheses: include 'http://evil/shell.txt'; the first
// include, or else the first require. m holds the classes of lo's bytes
// (those of the value lo is the lower-case copy of).
//
// It starts from the bytes every prefix holds within its first seven
// bytes, ':' (php:, data:, expect: ...), '/' (//) and '\' (\\), which
// prose has far fewer of than quotes or the letters of "include", and
// looks back from each for the quote its prefix would follow: a quote
// whose string starts with a remote or wrapped prefix, after one or more
// blanks, after the keyword (and "_once"), which no word byte precedes.
// A prefix holds no quote, so each quote is first read at the first such
// byte of its prefix, and the quotes are read in their order; between an
// include and its quote there are only blanks, so includes come in the
// order of their quotes.
func phpInclude(lo []byte, m cls, colons *lazySpots) (int, int) {
	ri, rj := -1, -1 // the first require
	if m&(cQuote|cDQuote) == 0 || m&(cColon|cSlash|cBackslash) == 0 {
		return ri, rj
	}
	s := unsafeString(lo)
	cur := anchorsOf(s, m)
	if cur.colons && colons != nil {
		if sp := colons.get(); sp.n >= 0 {
			cur.sp = sp // read the colons from there
		}
	}
	from := 0 // bytes before it have been read as quotes
	for c := cur.next(0); c < len(lo); c = cur.next(c + 1) {
		a := max(c-maxPrefixAnchor, from)
		if !quoteBefore(s, c) {
			a = c // no quote to read back from
		}
		for ; a < c; a++ {
			if lo[a] != '\'' && lo[a] != '"' {
				continue
			}
			p := includePrefix(lo[a+1:])
			if p == 0 {
				continue
			}
			j := a
			for j > 0 && (lo[j-1] == ' ' || lo[j-1] == '\t') {
				j--
			}
			if j == a {
				continue // no blank before the quote
			}
			if j >= 5 && string(lo[j-5:j]) == "_once" {
				j -= 5
			}
			i := j - len("include") // as long as "require"
			if i < 0 || i > 0 && isWord(lo[i-1]) {
				continue
			}
			switch string(lo[i:j]) {
			case "include":
				return i, a + 1 + p
			case "require":
				if ri < 0 {
					ri, rj = i, a+1+p
				}
			}
		}
		from = c
	}
	return ri, rj
}

// includeAnchors are the bytes one of which each prefix of includePrefix
// and externalURI holds, within its first maxPrefixAnchor bytes after
// the quote ("expect:", "netdoc:": the ':' seven bytes on).
var includeAnchors = finder(":/\\")

const maxPrefixAnchor = 7

// anchorCursor finds the includeAnchors of a value: with one
// strings.IndexByte a query when the value holds no '/' or '\' (prose,
// which has ':' now and then), else with a byteCursor.
type anchorCursor struct {
	colons bool
	cur    byteCursor
	// sp, when set, holds the offsets of the colons, read from at[k] on
	sp *spots
	k  int
}

// anchorsOf returns an anchorCursor over s, whose classes m holds.
func anchorsOf(s string, m cls) (a anchorCursor) {
	if m&(cSlash|cBackslash) == 0 {
		a.colons, a.cur.s = true, s
	} else {
		a.cur = newClassCursor(includeAnchors, s, m)
	}
	return a
}

// next returns the index of the first anchor at or after i (0 <= i <=
// len(s)), or len(s).
func (a *anchorCursor) next(i int) int {
	if a.sp != nil {
		if a.k > 0 && int(a.sp.at[a.k-1]) >= i {
			a.k = 0 // behind the last query: start over
		}
		for a.k < a.sp.n && int(a.sp.at[a.k]) < i {
			a.k++
		}
		if a.k < a.sp.n {
			return int(a.sp.at[a.k])
		}
		return len(a.cur.s)
	}
	if a.colons {
		if j := strings.IndexByte(a.cur.s[i:], ':'); j >= 0 {
			return i + j
		}
		return len(a.cur.s)
	}
	return a.cur.next(i)
}

// quoteBefore reports whether one of the maxPrefixAnchor bytes before c
// in s may be a quote: false when none of the eight bytes before c is a
// single or double quote, tested as one word (a byte of x equal to b
// leaves a zero byte in x^b·0x0101…, and (t-0x0101…)&^t&0x8080… is not
// zero exactly when t has one). Most ':' of prose follow a word, and no
// quote.
func quoteBefore(s string, c int) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if c < 8 {
		return true
	}
	x := le64(s[c-8 : c])
	t, u := x^'\''*ones, x^'"'*ones
	return ((t-ones)&^t|(u-ones)&^u)&highs != 0
}

// includePrefix returns the length of the remote or wrapped prefix b
// starts with, or 0.
func includePrefix(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[0] {
	case 'h', 'f', 'p', 'd', 'e', 'z', '/', '\\':
	default:
		return 0 // most strings of prose
	}
	for _, p := range [...]string{"http:", "https:", "ftp:", "php:", "data:", "expect:", "zip:", "phar:", "//", "\\\\"} {
		if bytes.HasPrefix(b, []byte(p)) {
			return len(p)
		}
	}
	return 0
}

// dangerousPath reports whether an include's argument (b starts at it)
// is a variable, a remote or wrapped URL, an absolute path or a climb.
func dangerousPath(b []byte) bool {
	if len(b) > 0 && b[0] == '$' {
		return true
	}
	if len(b) > 0 && (b[0] == '\'' || b[0] == '"') {
		b = b[1:]
	}
	for _, p := range [...]string{"http:", "https:", "ftp:", "php:", "data:", "expect:", "zip:", "phar:", "glob:", "//",
		"\\\\", "/etc/", "/proc/", "/var/log", "/tmp/", "/dev/", "c:/windows", "c:\\windows", "../..", "..\\.."} {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// nestedCall reports whether b starts with a call of a phpCalls function:
// the argument of "print_r(scandir('/'))".
func nestedCall(b []byte) bool {
	k := 0
	for k < len(b) && k < 32 && isWord(b[k]) {
		k++
	}
	return k > 0 && k < len(b) && b[k] == '(' && phpCalls[string(b[:k])]
}

// stringCallee returns where the string literals that end b begin,
// joined by '.': "'sys'.'tem'" in "('sys'.'tem')(...)"; -1 if b does
// not end with one.
func stringCallee(b []byte) int {
	e := len(b)
	start := -1
	for n := 0; n < 8; n++ {
		if e == 0 || b[e-1] != '\'' && b[e-1] != '"' {
			return start
		}
		q := b[e-1]
		o := bytes.LastIndexByte(b[:e-1], q)
		if o < 0 || e-1-o > 32 {
			return start
		}
		start = o
		k := o
		for k > 0 && (b[k-1] == ' ' || b[k-1] == '\t') {
			k--
		}
		if k == 0 || b[k-1] != '.' {
			return start
		}
		k--
		for k > 0 && (b[k-1] == ' ' || b[k-1] == '\t') {
			k--
		}
		e = k
	}
	return start
}

// unquoteConcat turns a function name written as a string or a
// concatenation of strings ("'sys'.'tem'", "system", "\"exec\"") into the
// name, or nil.
func unquoteConcat(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		part := b
		rest := []byte(nil)
		if k := bytes.IndexByte(b, '.'); k >= 0 {
			part, rest = b[:k], b[k+1:]
		}
		b = rest
		part = bytes.TrimSpace(part)
		if len(part) >= 2 && (part[0] == '\'' || part[0] == '"') && part[len(part)-1] == part[0] {
			part = part[1 : len(part)-1]
		}
		for _, c := range part {
			if !isWord(c) {
				return nil
			}
		}
		out = append(out, part...)
	}
	return out
}

// callWindow is how far callEnd reads for a call's closing parenthesis.
const callWindow = 512

// callEnd returns the index of the ')' that closes the call opened at p,
// skipping quoted strings; len(lo) if it does not close within
// callWindow bytes.
func callEnd(lo []byte, p int) int {
	depth := 0
	var q byte
	for i := p; i < len(lo) && i < p+callWindow; i++ {
		c := lo[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"' || c == '`':
			q = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(lo)
}

// callEnds answers callEnd for the calls of one value, in the order
// they open, at a cost linear in the value. A value of nested calls that
// never close ("eval(eval(eval(...") would have callEnd read callWindow
// bytes for each of them, about a hundred reads a byte.
//
// A scan from p also finds the ends of the calls it meets outside
// quotes: a scan from such a call would start in the same state (no
// quote) and read the same bytes, so its ')' is the one that brings the
// depth back to where it was before the call, as in matching brackets
// with a stack. One scan keeps a stack of the calls it met whose end it
// does not know yet, drops the oldest as unclosed once it has read
// callWindow bytes past it, and stops when none is left. A call it meets
// whose end is known already is stepped over to that end (its brackets
// are balanced, and the scan is outside quotes there too), and one known
// to be unclosed leaves every call below it unclosed (each would have to
// close after it, beyond its own window). A later scan starts only from a
// call that every earlier scan met inside a quote.
//
// The first few calls are plain callEnd scans; the table of ends, two
// bytes a byte of the value, is made only for a value with more.
//
// lo is passed to each call rather than kept in the struct: kept, it
// would escape with the struct's tables, and a short value's lower-case
// copy, on scanCode's stack, with it.
type callEnds struct {
	// for a '(' of lo: 0 not known yet, 1 no ')' within callWindow,
	// k+2 its ')' k bytes on
	known []uint16
	calls int
	stack []int
}

// at returns callEnd(lo, p); lo is the same value at every call.
func (e *callEnds) at(lo []byte, p int) int {
	if e.known == nil {
		if e.calls++; e.calls <= 16 {
			return callEnd(lo, p)
		}
		e.known = make([]uint16, len(lo))
	}
	if e.known[p] == 0 {
		e.scan(lo, p)
	}
	if k := e.known[p]; k > 1 {
		return p + int(k) - 2
	}
	return len(lo)
}

// scan finds the end of the call at p and of every call it meets
// outside quotes before it stops.
func (e *callEnds) scan(lo []byte, p int) {
	known := e.known
	st := append(e.stack[:0], p)
	head := 0 // st[head:] are the calls not resolved yet, oldest first
	var q byte
	for i := p + 1; i < len(lo); i++ {
		for head < len(st) && i-st[head] >= callWindow {
			known[st[head]] = 1
			head++
		}
		if head == len(st) {
			break
		}
		c := lo[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"' || c == '`':
			q = c
		case c == '(':
			switch k := known[i]; {
			case k == 0:
				st = append(st, i)
			case k == 1:
				for _, o := range st[head:] {
					known[o] = 1
				}
				head = len(st)
			default:
				i += int(k) - 2 // to its ')': the loop's i++ steps past it
			}
		case c == ')':
			if head < len(st) {
				o := st[len(st)-1]
				st = st[:len(st)-1]
				known[o] = uint16(i - o + 2)
			}
		}
	}
	for _, o := range st[head:] {
		known[o] = 1 // the value ended first
	}
	e.stack = st[:0]
}

// statementStart reports whether a call starting at s begins a statement
// or an injected expression: at the value's start, after ';', '@', '{', '}',
// '|', '&', a backtick or a newline, or after a quote that closes the
// string the value was pasted into ("x';system('id');", "'.exec('id').'").
func statementStart(lo []byte, s int) bool {
	b := s - 1
	for b >= 0 && (lo[b] == ' ' || lo[b] == '\t') {
		b--
	}
	if b < 0 {
		return true
	}
	c := lo[b]
	if c == '.' && b > 0 && (lo[b-1] == '\'' || lo[b-1] == '"') {
		b--
		c = lo[b]
	}
	switch c {
	case ';', '@', '|', '&', '`', '{', '}':
		return true // '{' and '}': a block's first statement, or the one after a block ("a(){}system(...)")
	case '\'', '"':
		return bytes.IndexByte(lo[:b], c) < 0
	}
	return false
}

// statementEnd reports whether the call closing at end ends a statement:
// ';', '?>', a comment, or the value's end.
func statementEnd(lo []byte, end int) bool {
	if end >= len(lo) {
		return false // an unclosed call: no statement
	}
	a := skipSpace(lo, end+1)
	if a >= len(lo) {
		return true
	}
	switch lo[a] {
	case ';', '#':
		return true
	case '?':
		return a+1 < len(lo) && lo[a+1] == '>'
	case '/':
		return a+1 < len(lo) && (lo[a+1] == '/' || lo[a+1] == '*')
	}
	return false
}

// semicolonAfter reports whether the call closing at end is followed by
// ';' or '?>'.
func semicolonAfter(lo []byte, end int) bool {
	if end >= len(lo) {
		return false
	}
	a := skipSpace(lo, end+1)
	return a < len(lo) && (lo[a] == ';' || lo[a] == '?' && a+1 < len(lo) && lo[a+1] == '>')
}

// complexSyntax reports whether the call at s sits inside PHP's complex
// string syntax: "${@print(1)}", "{${sleep(3)}}", "${system('id')}".
func complexSyntax(lo []byte, s int) bool {
	b := s - 1
	if b >= 0 && lo[b] == '@' {
		b--
	}
	return b >= 1 && lo[b] == '{' && lo[b-1] == '$'
}

// protoKey reports whether a prototype word is used as a key or a path:
// __proto__[admin], "__proto__": {, constructor[prototype][x], __proto__.x=.
func protoKey(lo []byte, mt match) bool {
	j := mt.j
	if j >= len(lo) {
		return false
	}
	switch lo[j] {
	case '[', ']':
		return true
	case '"', '\'':
		a := skipSpace(lo, j+1)
		return a < len(lo) && lo[a] == ':'
	case '.':
		if !bytes.HasPrefix(lo[mt.i:], []byte("__proto__")) {
			return false // Object.prototype.x = ...: program code
		}
		k := j + 1
		for k < len(lo) && isWord(lo[k]) {
			k++
		}
		a := skipSpace(lo, k)
		return k > j+1 && a < len(lo) && (lo[a] == '=' && (a+1 >= len(lo) || lo[a+1] != '=') || lo[a] == '[')
	}
	return false
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

// phpObject finds a serialised PHP object or array: O:8:"stdClass":1:{,
// a:2:{i:0;, C:11:"ArrayObject".
//
// It visits the colons (at i+1) with IndexByte rather than every byte:
// prose has few.
func phpObject(lo []byte, colons *lazySpots) int {
	var sp *spots
	if colons != nil {
		if sp = colons.get(); sp.n < 0 {
			sp = nil
		}
	}
	for p, k := 1, 0; p+3 < len(lo); p++ {
		if sp != nil {
			// the next colon at or after p, from the spots
			for k < sp.n && int(sp.at[k]) < p {
				k++
			}
			if k == sp.n || int(sp.at[k]) >= len(lo)-3 {
				return -1
			}
			p = int(sp.at[k])
		} else {
			n := bytes.IndexByte(lo[p:len(lo)-3], ':')
			if n < 0 {
				return -1
			}
			p += n
		}
		i := p - 1
		c := lo[i]
		if (c != 'o' && c != 'a' && c != 'c') || (i > 0 && isWord(lo[i-1])) {
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

// uploadNameHeader reports the headers that carry an uploaded file's name
// where a client sends the file as the whole body (the OWASP CRS reads
// the same four).
func uploadNameHeader(name string) bool {
	return len(name) >= 10 && (strings.EqualFold(name, "X-Filename") || strings.EqualFold(name, "X_Filename") ||
		strings.EqualFold(name, "X.Filename") || strings.EqualFold(name, "X-File-Name"))
}

// scriptFileName reports whether an uploaded file's name ends with an
// extension a web server runs as a script, returning where the extension
// starts: PHP's (.php, .php3 to .php8, .phtml, .phar, .pht, .phpt,
// .phps) and JSP and ASP.NET pages. The trailing dots and spaces Windows
// drops ("shell.php...") and an NTFS stream ("shell.php::$DATA") do not
// hide it. An upload that stores such a file where the server runs
// scripts is a web shell.
func scriptFileName(v string) (int, bool) {
	if len(v) > 7 && strings.EqualFold(v[len(v)-7:], "::$data") {
		v = v[:len(v)-7]
	}
	v = strings.TrimRight(v, ". ")
	dot := strings.LastIndexByte(v, '.')
	if dot < 0 || len(v)-dot-1 > 8 {
		return 0, false
	}
	var buf [8]byte
	ext := lower(buf[:0], v[dot+1:])
	switch string(ext) {
	case "php", "phtml", "phar", "pht", "phpt", "phps", "jsp", "jspx", "jspf", "asp", "aspx", "ashx", "asmx", "asa":
		return dot, true
	}
	if len(ext) > 3 && string(ext[:3]) == "php" && isNumber(ext[3:]) {
		return dot, true // .php5, .php907: Apache's handlers match "php" and digits
	}
	return 0, false
}

// sessionFileName reports whether an uploaded file's name is a PHP
// session file's, "sess_" and a session id (20 or more of PHP's id
// bytes: letters, digits, ',' and '-'), returning where it starts: an
// upload that writes it plants a session, whose serialised variables PHP
// then reads back.
func sessionFileName(v string) (int, bool) {
	b := max(strings.LastIndexByte(v, '/'), strings.LastIndexByte(v, '\\')) + 1
	n := v[b:]
	if len(n) < 25 || !hasPrefixFold(n, "sess_") {
		return 0, false
	}
	for i := 5; i < len(n); i++ {
		c := n[i]
		if !(isAlnum(c) || c == ',' || c == '-') {
			return 0, false
		}
	}
	return b, true
}

// infiniteLoop finds a value that is nothing but a JavaScript loop whose
// condition is a constant that is always true: "while(true);",
// "while(!0)", "while(new Date)", "while(!!{})". Injected where a server
// evaluates JavaScript, it hangs the event loop. Code quoted in a comment
// has a body after its loop ("while (true) { work(); }") and a program's
// condition names a variable ("while (!done)").
func infiniteLoop(lo []byte) (int, int) {
	i := skipSpace(lo, 0)
	if !bytes.HasPrefix(lo[i:], []byte("while")) {
		return -1, -1
	}
	k := skipSpace(lo, i+5)
	if k >= len(lo) || lo[k] != '(' {
		return -1, -1
	}
	// the condition: its parentheses balanced, up to the value's end but
	// for ';', "{}" and spaces
	depth, e := 0, -1
	for p := k; p < len(lo) && p-k < 64; p++ {
		switch lo[p] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				e = p
			}
		}
		if e >= 0 {
			break
		}
	}
	if e < 0 {
		return -1, -1
	}
	rest := bytes.TrimRight(lo[e+1:], " \t\r\n;)")
	rest = bytes.TrimSpace(bytes.TrimSuffix(rest, []byte("{}")))
	if len(bytes.TrimRight(rest, " \t\r\n;")) != 0 {
		return -1, -1
	}
	if !truthyConstant(bytes.TrimSpace(lo[k+1 : e])) {
		return -1, -1
	}
	return i, e + 1
}

// truthyConstant reports whether c, a loop's condition, is a constant
// that is always true: true, a number other than 0, Infinity, this, an
// object, array, function or string literal, new X, a negated falsy
// constant ("!0", "!null", "!”"), or "!!" before any of these.
func truthyConstant(c []byte) bool {
	for len(c) > 2 && c[0] == '(' && c[len(c)-1] == ')' {
		c = bytes.TrimSpace(c[1 : len(c)-1])
	}
	for bytes.HasPrefix(c, []byte("!!")) {
		c = bytes.TrimSpace(c[2:])
	}
	if len(c) > 0 && c[0] == '!' {
		switch string(bytes.TrimSpace(c[1:])) {
		case "false", "null", "undefined", "nan", "0", "-0", "+0", `""`, "''", "``":
			return true
		}
		return false
	}
	s := string(bytes.TrimLeft(c, "+-"))
	switch s {
	case "true", "infinity", "this", "string", "object", "number", "boolean", "date", "error", "regexp", "array",
		"function", "{}", "[]":
		return true
	}
	if len(s) > 0 && s[0] >= '1' && s[0] <= '9' && isNumber([]byte(s)) {
		return true
	}
	if strings.HasPrefix(s, "new ") {
		return true
	}
	if len(s) >= 3 && (s[0] == '"' || s[0] == '\'' || s[0] == '`') && s[len(s)-1] == s[0] {
		return true
	}
	return false
}

// phpRiskNames are the PHP functions of the CRS's 933150 list that run
// commands, evaluate, decode or inflate payloads, open sockets or list
// the interpreter's insides: names no text but a payload (or PHP code)
// holds. The list's everyday functions (str_replace, json_encode,
// is_array) are left out.
var phpRiskNames = quads(phpRiskNameList...)

var phpRiskNameList = []string{"base64_decode", "call_user_func", "shell_exec", "proc_open", "fsockopen", "pfsockopen",
	"gzinflate", "gzuncompress", "gzdecode", "bzdecompress", "zlib_decode", "get_defined_vars", "get_defined_functions",
	"get_defined_constants", "phpinfo", "posix_getpwuid", "posix_getpwnam", "posix_getegid", "posix_geteuid",
	"posix_kill", "posix_mkfifo", "runkit_function", "runkit_method", "register_tick_function",
	"header_register_callback", "move_uploaded_file", "curl_init", "curl_exec", "stream_socket_client",
	"php_uname", "get_current_user", "ini_get_all", "create_function", "pcntl_exec", "assert_options"}

// phpRiskTokenMax bounds the tokens phpRiskToken reads.
const phpRiskTokenMax = 128

// phpRiskToken finds one of phpRiskNames in v, a token without spaces,
// that no letter follows ("base64_decoder" is another name) and no '.'
// comes before ("safe.phpinfo" is a file's name).
func phpRiskToken(v string) (int, int, bool) {
	if len(v) > phpRiskTokenMax {
		return 0, 0, false
	}
	var stack [phpRiskTokenMax]byte
	lo := lower(stack[:0], v)
	for off := 0; off < len(lo); {
		mt, ok := phpRiskNames.find(lo[off:], false)
		if !ok {
			return 0, 0, false
		}
		i, j := off+mt.i, off+mt.j
		if (j == len(lo) || !isLetter(lo[j])) && (i == 0 || lo[i-1] != '.') {
			return i, j, true // "safe.phpinfo" names a file
		}
		off = i + 1
	}
	return 0, 0, false
}

// phpRiskPair reports whether a, b (lower case) are two letters after a
// '_' in phpRiskNames: de, us, ex, op, ge, ki, mk, fu, me, ti, re, up,
// in, so, un, cu (a switch: a map's hashing cost more than the rest of
// the test).
func phpRiskPair(a, b byte) bool {
	switch a {
	case 'd', 'g', 'm', 'r':
		return b == 'e' || a == 'm' && b == 'k'
	case 'u':
		return b == 's' || b == 'p' || b == 'n'
	case 'e':
		return b == 'x'
	case 'o':
		return b == 'p'
	case 'k':
		return b == 'i'
	case 'f':
		return b == 'u'
	case 't':
		return b == 'i'
	case 'i':
		return b == 'n'
	case 's':
		return b == 'o'
	case 'c':
		return b == 'u'
	}
	return false
}

// javaDataType reports whether v is, whole, one of the classes of the
// CRS's list that hold data rather than run anything: the types an XML
// configuration names for a value (Spring's <constructor-arg
// type="java.lang.String">, MyBatis's resultType="java.lang.Integer",
// Jetty's <Arg type="java.lang.Integer">). Named alone in an XML value
// they are a declaration; a document that builds an object graph names
// its other classes too, and those are read.
func javaDataType(v string) bool {
	switch v {
	case "java.lang.String", "java.lang.Integer", "java.lang.Number":
		return true
	}
	return false
}

// xmlNameOnly reports whether lo[i:], in an XML document of data, sits in
// the name of an element or an attribute (inside a tag, outside quotes)
// of a document that has none of XStream's shapes. A class named by an
// element or attribute is structure a schema chose
// ("<java.lang.Runtime attr=...>"); XStream's payloads name it so too,
// and then carry its <command>, <string>, a dynamic proxy or a handler
// class.
func xmlNameOnly(lo []byte, i int) bool {
	lt := bytes.LastIndexByte(lo[:i], '<')
	if lt < 0 || bytes.LastIndexByte(lo[:i], '>') > lt {
		return false // in text between tags
	}
	tag := lo[lt:i]
	if (bytes.Count(tag, []byte(`"`))+bytes.Count(tag, []byte("'")))%2 != 0 {
		return false // inside an attribute's value
	}
	for _, w := range []string{"<command", "<string", "dynamic-proxy", "<handler", "<sorted-set", "class=", "<void", "<object", "<java "} {
		if bytes.Contains(lo, []byte(w)) {
			return false
		}
	}
	return true
}

// What stands between a function's name and its '(' (callGap).
const (
	gapSpaces  = iota // spaces and tabs, or nothing
	gapBreak          // a line break among them
	gapComment        // a comment: // or # to the line's end, or /* */
)

// callGap returns where the name before lo[p], a '(', ends, and what
// stands between them: PHP lets spaces, line breaks and comments stand
// there ("exec #x\n (id)", "eval /*x*/ ('id')").
func callGap(lo []byte, p int) (int, int) {
	e, gap := p, gapSpaces
	for n := 0; n < 8; n++ {
		brk := false // a line break just skipped: the line before may end in a comment
		for e > 0 && (lo[e-1] == ' ' || lo[e-1] == '\t' || lo[e-1] == '\r' || lo[e-1] == '\n') {
			if lo[e-1] == '\r' || lo[e-1] == '\n' {
				gap, brk = max(gap, gapBreak), true
			}
			e--
		}
		switch {
		case e >= 2 && lo[e-1] == '/' && lo[e-2] == '*':
			o := bytes.LastIndex(lo[max(0, e-256):e-2], []byte("/*"))
			if o < 0 {
				return e, gap
			}
			e, gap = max(0, e-256)+o, gapComment
		case brk:
			// the line before the break: a comment to its end?
			ls := bytes.LastIndexAny(lo[max(0, e-256):e], "\r\n") + 1 + max(0, e-256)
			if ls > 0 && ls == max(0, e-256) {
				return e, gap // a long line: no comment read
			}
			c := bytes.IndexByte(lo[ls:e], '#')
			if d := bytes.Index(lo[ls:e], []byte("//")); d >= 0 && (c < 0 || d < c) {
				c = d
			}
			if c < 0 || c == 0 && ls == 0 {
				return e, gap
			}
			e, gap = ls+c, gapComment
		default:
			return e, gap
		}
	}
	return e, gap
}
