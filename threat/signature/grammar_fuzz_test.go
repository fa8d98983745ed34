package signature

import (
	"strings"
	"testing"
)

// The grammars of the ssti, xxe, nosql, ldap, crlf, ssi and code families
// read attacker bytes with hand-written scanners: each must stay in
// bounds, return positions inside the value and end on any input.

func inBounds(t *testing.T, what, v string, i, j int) {
	t.Helper()
	if i < -1 || i > len(v) || j < -1 || j > len(v)+64 {
		t.Fatalf("%s(%q): span %d..%d outside the value", what, v, i, j)
	}
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"{{7*7}}", "${{7*7}}", "<%= 7*7 %>", "#set($x=1)", "{% for x in ().__class__ %}", "{php}",
		"${{<%[%'\"}}%\\.", "[[${7*7}]]", "{{{{{{", "@(1+2)", "<#assign x=1>", "{{'a'.upper()}}", "{7*'7'}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := findTemplate(v)
		if r.conf > 0 {
			inBounds(t, "findTemplate", v, r.i, r.j)
		}
		arithmetic([]byte(v))
		literalCall([]byte(v))
		dunder([]byte(v))
	})
}

func FuzzLDAP(f *testing.F) {
	for _, s := range []string{"*)(uid=*))(|(uid=*", "admin*)((|userPassword=*)", "*(|(objectclass=*))", "*))%00",
		"x' or name()='a' or 'x'='y", "count(/child::node())", "(&(a=b)(c:dn:=d))", "(((((", "*)(&",
		"userPassword:2.5.13.18:=123", ":dn:=", "a:.1.:=", "x:dn:1.2.3:="} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, v, raw string) {
		if i, j, c := ldapInjection(v, raw, classify(v)); c > 0 {
			inBounds(t, "ldapInjection", v, i, j)
		}
		if i, j := xpathInjection(v, classify(v)); i >= 0 {
			inBounds(t, "xpathInjection", v, i, j)
		}
		if i, j, c := ldapExtensible(v); c > 0 {
			inBounds(t, "ldapExtensible", v, i, j)
		}
	})
}

func FuzzCRLF(f *testing.F) {
	for _, s := range []string{"/%0d%0aSet-Cookie:a=b", "x\r\nLocation: /", "%%0a0a", "%E5%98%8A%E5%98%8D", "a\nBcc: b@c",
		"x%0d%0aV1 FETCH 1", "\\r\\n", "%u000a", "\r\n\r\n<html>", "\r\nRETR 1", "x\r\nTOP 1 2", "\r\nAPOP a 7d0a3bd8e5b2abcfb3e256633c23b891"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, c, _ := splitting(v); c > 0 {
			inBounds(t, "splitting", v, i, i)
		}
		if c := pop3Command(v); c > 0 && (v == "" || v[0] < 'A' || v[0] > 'Z') {
			t.Fatalf("pop3Command(%q) = %v: no upper-case verb", v, c)
		}
		for i := range v {
			if n := lineBreak(v, i); n < 0 || i+n > len(v) {
				t.Fatalf("lineBreak(%q, %d) = %d", v, i, n)
			}
		}
	})
}

func FuzzXML(f *testing.F) {
	for _, s := range []string{`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>`, `<!DOCTYPE html>`,
		`<xi:include href="x"/>`, `<![CDATA[<]]>`, `+ADw-!DOCTYPE`, `SYSTEM "http://x"`, `<?xml-stylesheet href="http://x"?>`,
		`<xsl:value-of select="document('/etc/passwd')"/>`, `<!--#exec cmd="id"-->`, `<esi:include src="x"/>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, c, _ := xmlAttack(v, classify(v)); c > 0 {
			inBounds(t, "xmlAttack", v, i, i)
		}
		if i, _ := ssiComment(v); i >= 0 {
			inBounds(t, "ssiComment", v, i, i)
		}
		inBounds(t, "esiTag", v, esiTag(v), 0)
	})
}

func FuzzNoSQL(f *testing.F) {
	for _, s := range []string{`{"$gt": ""}`, "', $or: [ {}, { 'a':'a", "';return true;var x='", "|| 1==1", "db.users.find()",
		"' && this.password.match(/.*/)//", "[$ne]=1", "$", "';", "this.",
		`x"+(function(){var a=new Date();do{}while(new Date()-a<9e3)}())+"`, "' (function", "'(function f(", "'(function("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, j := breakoutFunction(v); i >= 0 {
			inBounds(t, "breakoutFunction", v, i, j)
			if v[i] != '\'' && v[i] != '"' || !strings.Contains(v[i:j], "function") {
				t.Fatalf("breakoutFunction(%q) = %q", v, v[i:j])
			}
		}
		if i, j, c := operatorInText(v); c > 0 {
			inBounds(t, "operatorInText", v, i, j)
		}
		if i, j, c := jsBreakout(v, classify(v)); c > 0 {
			inBounds(t, "jsBreakout", v, i, j)
		}
		if i, j := mongoShell(v); i >= 0 {
			inBounds(t, "mongoShell", v, i, j)
		}
		if i, j := fieldMatch(v); i >= 0 {
			inBounds(t, "fieldMatch", v, i, j)
		}
	})
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"system('id');", "(system)(ls);", "('sys'.'tem')('id')", "${@print(1)}", "$_GET[a]($_GET[b])",
		"include 'http://x';", "T(java.lang.Runtime)", "at java.lang.Runtime.exec(Runtime.java:1)", "((((", "'''('", "%{(#_=1)}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lo := lower(nil, v)
		if i, j, c := phpCall(lo); c > 0 {
			inBounds(t, "phpCall", v, i, j)
		}
		var gm [codeGroups]groupMatch
		codeWords.find(lo, gm[:])
		if i, j, c := javaCode(lo, gm[groupJava], gm[groupJavaPackage].ok); c > 0 {
			inBounds(t, "javaCode", v, i, j)
		}
		if i, j := phpInclude(lo, classify(v), nil); i >= 0 {
			inBounds(t, "phpInclude", v, i, j)
		}
		stringCallee(lo)
		ognl(v)
	})
}
