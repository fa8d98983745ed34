package signature_test

import "testing"

// Script loaded by what old browsers read (VML frames, XBL bindings), and
// parameters named for the page's cookie or location (the CRS's 941200,
// 941170 and 941180 tests); prose about them is not.
func TestXSSLegacyLoadersAndSinkNames(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "xss", []familyCase{
		{form, `941200-1=<v:vmlframe src="foo.com/sup.fml"/>`, 0.99},
		{"header:Cookie", `%3Cv%3Avmlframe%20src%3D%22foo.com%2Fsup.fml%22%2F%3E=1`, 0.99},
		{"q", "style=-moz-binding:url(http://example.com/xss.xml#xss)", 0.99},
		{"q", "-moz-binding: url(x.xml#a)", 0.99},
		{form, "document.cookie=941180-2", 0.99},
		{"header:Cookie", "window.location=941180-3", 0.99},
		{"body:application/json", `{"Location.Href": "x"}`, 0.99},
	}, []familyCase{
		{"q", "the -moz-binding property was removed in Firefox", 0},
		{"q", "-moz-binding: none", 0},
		{"q", "how do I read document.cookie in javascript", 0},
		{form, "document.title=x&window.locations=y", 0},
		{"q", "window.location", 0},
	}, 0.9)
}

// TestXSSDeclarationAndPlainStyle: an XML declaration alone and a style
// attribute of plain CSS declarations run nothing (the CRS's false-positive
// tests of 933100 and 941140), though libinjection reads them as a tag and
// an attribute; CSS that runs or loads code, and markup after the
// declaration, are still XSS.
func TestXSSDeclarationAndPlainStyle(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "style=x:expression(alert(1))", 0.99},
		{"q", "style=background:url(javascript:alert(1))", 0.99},
		{"q", "style=-moz-binding:url(http://x/x.xml#xss)", 0.99},
		{"q", `style="color:red" onmouseover="alert(1)"`, 0.99},
		{"q", `<?xml version="1.0"?><script>alert(1)</script>`, 0.99},
	}, []familyCase{
		{"q", `<?xml version="1.0" encoding="UTF-8"?>`, 0},
		{"q", "<?xml\tversion=\"1.0\"?>", 0},
		{"q", "style=color:red;background:white", 0},
		{"q", "style=background:url(http://example.com/x)", 0},
		{"q", "style=a:b;a:b;a:b;a:b;a:b;a:b;a:b;a:b", 0},
	}, 0.9)
}
