package signature

import "bytes"

// aspCode finds classic ASP's server-side script (VBScript or JScript) in
// a lower-cased value, as web shells send it: the China Chopper one-liner
// that runs what another parameter holds (<%eval request("x")%>,
// execute(request.form("c")), eval(request.item["p"],"unsafe")), a shell
// object made (createobject("wscript.shell")), or a dropper's preamble
// (server.scripttimeout=3600:on error resume next). VBScript named in a
// sentence ("eval requests", "the request is executed") is none of these.
// It returns the span of the first found, or -1.
func aspCode(lo []byte) (int, int) {
	if i, j := aspEvalRequest(lo); i >= 0 {
		return i, j
	}
	for off := 0; ; {
		k := bytes.Index(lo[off:], []byte("createobject"))
		if k < 0 {
			break
		}
		i := off + k
		off = i + len("createobject")
		a := skipSpace(lo, off)
		if a >= len(lo) || lo[a] != '(' {
			continue
		}
		a = skipSpace(lo, a+1)
		if a >= len(lo) || lo[a] != '"' && lo[a] != '\'' {
			continue
		}
		a++
		for _, obj := range aspShellObjects {
			if bytes.HasPrefix(lo[a:], []byte(obj)) && a+len(obj) < len(lo) && lo[a+len(obj)] == lo[a-1] {
				return i, a + len(obj) + 1
			}
		}
	}
	if i := bytes.Index(lo, []byte("server.scripttimeout")); i >= 0 && bytes.Contains(lo, []byte("on error resume next")) {
		return i, i + len("server.scripttimeout")
	}
	return -1, -1
}

// aspWordList gates aspCode: each of its finds begins with one of them
// (codeWords finds them in the pass it makes for the other groups).
var aspWordList = []string{"request", "createobject", "server.scripttimeout"}

// aspShellObjects are the COM objects a web shell makes to run commands
// and reach files.
var aspShellObjects = [...]string{"wscript.shell", "scripting.filesystemobject", "shell.application"}

// aspEvalRequest finds eval, execute or executeglobal applied to the
// request object: "eval request(", "execute(request.form(",
// "eval (request.item[".
func aspEvalRequest(lo []byte) (int, int) {
	for off := 0; ; {
		k := bytes.Index(lo[off:], []byte("request"))
		if k < 0 {
			return -1, -1
		}
		r := off + k
		off = r + len("request")
		// what follows: a call, a member or an index
		a := skipSpace(lo, off)
		if a >= len(lo) || lo[a] != '(' && lo[a] != '.' && lo[a] != '[' {
			continue
		}
		// what precedes: blanks and at most one '(' after the verb
		b := r
		for b > 0 && isPHPSpace(lo[b-1]) {
			b--
		}
		if b > 0 && lo[b-1] == '(' {
			b--
			for b > 0 && isPHPSpace(lo[b-1]) {
				b--
			}
		}
		if b == r {
			continue // "evalrequest(": one word
		}
		for _, verb := range [...]string{"eval", "execute", "executeglobal"} {
			s := b - len(verb)
			if s >= 0 && string(lo[s:b]) == verb && (s == 0 || !isWord(lo[s-1])) {
				return s, off
			}
		}
	}
}
