package signature_test

import "testing"

// TestSplitScheme: string literals that join, across the operators
// between them, into "javascript:" (the XSS cheat sheet's "Remote IE URL
// overloading" and PHPIDS's fragmented vectors, as SecLists carries
// them) are a script URL assembled to pass a filter; into eval, unescape
// or alert whole, a sink's name hidden from a filter. Literals that join
// only across prose, a scheme whole in one literal (another rule's),
// words that only contain a name ('sev'+'eral') and English words a
// label joins are not.
func TestSplitScheme(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'+'ale'+'';s3=''+'rt'+''+'(1)'+''; u1=s1+s2+s3;URL=u1", 0.99},
		{"q", "s1=!''&&'jav';s2=!''&&'ascript';s3=!''&&':';s4=!''&&'aler';s5=!''&&'t';s6=!''&&'(1)';s7=s1+s2+s3+s4+s5+s6;URL=s7;", 0.99},
		{"q", "s1=0?'':'i';s2=0?'':'fr';s3=0?'':'ame';i1=s1+s2+s3;s1=0?'':'jav';s2=0?'':'ascr';s3=0?'':'ipt';s4=0?'':':';i2=s1+s2+s3+s4;", 0.99},
		{"q", "s1=['java'+''+''+'scr'+'ipt'+':'+'aler'+'t'+'(1)'];", 0.99},
		{"q", `location = "JAVA" + "SCRIPT" + ":alert(1)"`, 0.99},
		{"body:application/json", `{"u":"a='vb'+'script:msgbox(1)'"}`, 0.99},
		// a sink's or a decoder's name from pieces, used by name
		{"q", "a=0||'ev'+'al',b=0||location.hash,c=0||'sub'+'str',1[a](b[c](1))", 0.99},
		{"q", "d=0||'une'+'scape'||0;a=0||'ev'+'al'||0;b=0||'locatio';b+=0||'n'||0;c=b[a];d=c(d);c(d(c(b)))", 0.99},
		{"q", "top['al'+'ert'](1)", 0.99},
		{"q", `x=window["set"+"Timeout"];x("alert(1)")`, 0.99},
	}, []familyCase{
		{"q", "x = 'sev' + 'eral' + ' more'", 0},
		{"q", "label = 'Cook' + 'ie' + ' policy'", 0},
		{"q", "k = 'Lo' + 'cation: ' + city", 0},
		{"q", "s = 'eval' + 'uate' + ' it'", 0},
		{"q", "He said 'java' and then 'script: a guide'", 0},
		{"q", "The words 'java', 'script' and 'type: x' are keys", 0},
		{"q", "var a = 'java'; // the language\nvar b = 'script: none';", 0},
		{"q", "x = 'http' + '://' + host + '/api'", 0},
		{"q", "msg = 'Error: ' + code + ' at ' + line + ': ' + text", 0},
		{"q", "It's the 'java' team's 'script': ours", 0},
	}, 0.9)
}

// TestEvalInsideWith: eval of a bare name inside with(location) or
// with(document) reads the page's own strings ("with(location)
// with(hash)eval(substring(1))", the dotless vector of SecLists' XSS
// lists), as eval(location.hash) does. eval of a bare name elsewhere
// stays a hint, and a with on anything else changes nothing.
func TestEvalInsideWith(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "with(location)with(hash)eval(substring(1))", 0.99},
		{"q", "with (document) { eval(x) }", 0.99},
		{"q", "with(window)setTimeout(name)", 0.99},
	}, []familyCase{
		{"q", "eval(substring(1))", 0.95},
		{"q", "with(locations)eval(x)", 0.95},
		{"q", "notwith(location)eval(x)", 0.95},
	}, 0.9)
}
