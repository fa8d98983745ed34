package signature_test

import "testing"

// Script that hides its keywords: JSFuck (its '+' read as spaces where a
// form decodes it), the document's properties reached through comments,
// parentheses and string keys, and a tag spelt in UTF-7. Public samples:
// the OWASP CRS regression tests of its rules 941350, 941360 and 941370
// (Apache-2.0).
var obfScriptAttacks = []placedCase{
	{"(![] [])[ ! []]", nil},
	{" !![]", nil},
	{"(![]+[])[+!+[]]", nil},
	{"document /*foo*/ .     cookie", nil},
	{"document/*foo*/./*bar*/cookie", nil},
	{`self  /*jhb*/  [  /*bar*/  "alert"]("xss")`, nil},
	{`(document)["cookie"]`, nil},
	{`(document/*foo*/)["cookie"]`, nil},
	{"window['location']='//evil.example'", nil},
	{"+ADw-script+AD4-alert(1)+ADw-/script+AD4-", []string{"query", "json"}},
	// call as a template's tag, spaced and commented (CRS rule 941400)
	{"[  ] . sort . call ` ${ alert } 1337 `", nil},
	{"[  ] . /**/ sort . call ` ${ alert } 1337 `", nil},
}

// obfScriptBenign are notes that name the objects plainly, and brackets
// and bangs of prose.
var obfScriptBenign = []placedCase{
	{"!!", nil},
	{"[] ()", nil},
	{"wow!! [sic]", nil},
	{`top["menu"]`, nil},
	{"(window) location", nil},
	{`document["title"]`, nil},
	{"the parent . location of it", nil},
	{"C++ADT and A+AD", nil},
	{"use fn . call ` ${ user } ` here", nil},
}

func TestObfuscatedScript(t *testing.T) {
	checkPlaced(t, "xss", obfScriptAttacks, 0.99, obfScriptBenign, 0.75)
}
