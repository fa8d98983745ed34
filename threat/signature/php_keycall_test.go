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

// TestNULInPathAndAtAFilesEnd: a NUL in a URL path is refused (no path
// holds one but to cut a name short), and a NUL that ends a file's name in
// a folder cuts off the suffix the application adds (FCKeditor's upload
// folder, Fwaf's "currentfolder=/x.jsp%00"). A NUL after a bare name stays
// a hint.
func TestNULInPathAndAtAFilesEnd(t *testing.T) {
	attacks := []familyCase{
		{"path", "/id%00", 0.99},
		{"path", "/something%00html", 0.99},
		{"path", "/upload.cfm?command=fileupload&type=file&currentfolder=/dqoamjxrgv.jsp%00", 0.99},
		{"path", "/s.php?local_path=macros/100-siteframe.macro%00", 0.99},
	}
	benign := []familyCase{
		{"path", "/s.php?f=report.pdf%00", 0.9},
		{"path", "/s.php?f=a%00b", 0.9},
		{"path", "/files/report.pdf", 0},
	}
	checkFamily(t, "protocol", attacks, benign, 0.9)
}
