package signature

import (
	"strings"
	"testing"

	libinjection "github.com/corazawaf/libinjection-go"
)

// Names libinjection might list: HTML, SVG and MathML elements and
// attributes, old IE and Opera ones, and libXSSMay's own lists.
var (
	htmlTagNames = strings.Fields(`a abbr acronym address animate animatemotion animatetransform applet area
		article aside audio b base basefont bdi bdo bgsound big blink blockquote body br button canvas caption
		center circle cite clippath code col colgroup comment data datalist dd defs del desc details dfn dialog
		dir div dl dt ellipse em embed event-source feimage fieldset figcaption figure filter font footer
		foreignobject form frame frameset g h1 h2 h3 h4 h5 h6 handler head header hgroup hr html i iframe ilayer
		image img import input ins isindex kbd keygen label layer legend li line lineargradient link listener
		main map mark marquee math menu menuitem meta meter mglyph mi mo mtext nav nobr noembed noframes
		noscript object ol optgroup option output p param path pattern picture plaintext polygon polyline
		portal pre progress q rect rp rt ruby s samp script search section select set slot small source span
		stop strike strong style sub summary sup svg switch symbol table tbody td template text textarea
		textpath tfoot th thead time title tr track tspan tt u ul use var video view vmlframe wbr xml xmp xss
		xsl xslt xsl:stylesheet svg:svg`)
	htmlAttrNames = strings.Fields(`accept accesskey action align alink allow alt archive async attributename
		autocomplete autofocus autoplay background begin bgcolor border by cellpadding charset checked cite
		class classid code codebase color cols colspan content contenteditable controls coords crossorigin
		data datafld dataformatas datasrc datetime decoding default defer dir dirname disabled download
		draggable dur dynsrc enctype end enterkeyhint fill filter folder for form formaction formenctype
		formmethod formnovalidate formtarget frame from handler headers height hidden high href hreflang
		http-equiv icon id inert inputmode integrity is ismap itemprop kind label lang language list loading
		longdesc loop low lowsrc manifest max maxlength media method min multiple muted name nohref novalidate
		onload onerror onclick onmouseover onfocus onbegin onend ontoggle onanimationstart onpointerenter
		open optimum pattern ping placeholder popover poster preload profile radiogroup readonly referrerpolicy
		rel repeat required rev rows rowspan sandbox scope scrolling seamless selected shape size sizes slot
		span spellcheck src srcdoc srclang srcset start step style summary tabindex target title to translate
		type usemap valign value values values version width wrap xlink xlink:href xml:base xmlns xmlns:xlink`)
)

// TestLibXSSMayKnowsLibinjection holds libXSSMay to the libinjection it
// stands in front of: every tag and attribute name above that libinjection
// flags in the usual shapes, libXSSMay lets through. A libinjection that
// lists a new name fails here (if the name is above), before the check
// silently stops running on it.
func TestLibXSSMayKnowsLibinjection(t *testing.T) {
	var probes []string
	for _, n := range append(htmlTagNames, "SCRIPT", "ScRiPt", "s\x00cript", "svgfoo", "xslt") {
		probes = append(probes, "<"+n+">", "<"+n+" x=1>", "</"+n+" >", "<"+n, "x <"+n+"/>")
	}
	for _, n := range append(htmlAttrNames, "ONLOAD", "on\x00load", "OnErRoR", "xlink:HREF") {
		for _, v := range []string{"x", "javascript:alert(1)", "onload", "data:text/html,x", "`x`"} {
			probes = append(probes, "<a "+n+"="+v+">", "<a "+n+" = \""+v+"\">", n+"="+v, "\" "+n+"="+v,
				"' "+n+"='"+v+"'", "x\""+n+"="+v, "x'"+n+"="+v, "x`"+n+"="+v,
				"<a/"+n+"="+v+">", "<a\x00"+n+"="+v+">")
		}
	}
	probes = append(probes, "<!DOCTYPE html>", "<!-- [if IE]>", "<!--`-->", "<?import x>", "<!ENTITY x>",
		"<% x %>", "<%`%>", "<%xml x%>", "</ x>", "</1`>", "<![CDATA[x]]>", "<!x>")
	flagged := 0
	for _, p := range probes {
		if libinjection.IsXSS(p) {
			flagged++
			if !libXSSMay(p) {
				t.Errorf("libinjection flags %q; libXSSMay says it cannot", p)
			}
		}
	}
	if flagged < len(probes)/10 {
		t.Fatalf("libinjection flagged %d of %d probes: the probes no longer test anything", flagged, len(probes))
	}
	// and the shapes it is there to skip
	for _, s := range []string{`<note id="n1">some text, a = b</note>`, "x = 1 and y=2", "<b>bold</b>",
		`<item key="a" value="b"/>`} {
		if libXSSMay(s) {
			t.Errorf("libXSSMay(%q) = true", s)
		}
	}
}

// FuzzLibXSSMay: whatever libinjection flags, libXSSMay lets through.
func FuzzLibXSSMay(f *testing.F) {
	for _, s := range []string{"<script>alert(1)</script>", `<img src=x onerror=alert(1)>`, `" onmouseover="alert(1)`,
		`<a href="javascript:alert(1)">`, "<svg/onload=alert(1)>", "<!DOCTYPE x>", "<!--[if IE]>", "<?xml x?>",
		`<note id="n1">text</note>`, "a'onclick=x", "<x =onload=x>", "<a\x00 on\x00error=x>", "</a onclick=x>",
		"<a b=x' c=\"'>\" onclick=alert(1)>", "style=x", "<%x%>", "</1>", "<a\tstyle\f=\vx>", "x`onload=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if libinjection.IsXSS(s) && !libXSSMay(s) {
			t.Fatalf("libinjection flags %q; libXSSMay says it cannot", s)
		}
	})
}
