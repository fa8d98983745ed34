package signature_test

import "testing"

// TestPHPCallInKeyAndAfterBlock: a PHP call in a parameter's key, where a
// string breaks out of an array's index (Zabbix's locales.php, as Fwaf's
// corpus logs it), and a call after a block that closes a function the
// value defines (XOOPS's mydirname: "a(){}system(...)"). The value is cut
// at the raw '&' as a server cuts it. A key that names a call in words,
// or braces of prose before a word, are not the shape.
func TestPHPCallInKeyAndAfterBlock(t *testing.T) {
	attacks := []familyCase{
		{"path", "/zabbix/locales.php?download=1&langto=1&extlang[%22.system('/./tmp/symxvqrirx0+%3E+/dev/null+&').%22]=1", 0.99},
		{"path", "/p.php?a=1&%22.passthru('id').%22=1", 0.99},
		{"q", "a(){}system('/./tmp/ybuoueddeq.sh > /dev/null ", 0.99},
		{"q", "{system('id')}", 0.99},
	}
	benign := []familyCase{
		{"path", "/api/items?filter(name)=1&sort(desc)=2&system(x)=3&fields(id,name)=y", 0},
		{"path", "/api/items?where[system]=linux&select[eval]=score", 0},
		{"q", "the {curly} system (as designed) runs", 0},
		{"q", "use {braces}, then system('x') is called", 0},
	}
	checkFamily(t, "code", attacks, benign, 0.9)
}
