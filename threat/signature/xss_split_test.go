package signature_test

import "testing"

// TestSplitScheme: string literals that join, across the operators
// between them, into "javascript:" (the XSS cheat sheet's "Remote IE URL
// overloading" and PHPIDS's fragmented vectors, as SecLists carries
// them) are a script URL assembled to pass a filter. Literals that join
// only across prose, a scheme whole in one literal (another rule's), and
// code whose literals spell no scheme are not.
func TestSplitScheme(t *testing.T) {
	checkFamily(t, "xss", []familyCase{
		{"q", "s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'+'ale'+'';s3=''+'rt'+''+'(1)'+''; u1=s1+s2+s3;URL=u1", 0.99},
		{"q", "s1=!''&&'jav';s2=!''&&'ascript';s3=!''&&':';s4=!''&&'aler';s5=!''&&'t';s6=!''&&'(1)';s7=s1+s2+s3+s4+s5+s6;URL=s7;", 0.99},
		{"q", "s1=0?'':'i';s2=0?'':'fr';s3=0?'':'ame';i1=s1+s2+s3;s1=0?'':'jav';s2=0?'':'ascr';s3=0?'':'ipt';s4=0?'':':';i2=s1+s2+s3+s4;", 0.99},
		{"q", "s1=['java'+''+''+'scr'+'ipt'+':'+'aler'+'t'+'(1)'];", 0.99},
		{"q", `location = "JAVA" + "SCRIPT" + ":alert(1)"`, 0.99},
		{"body:application/json", `{"u":"a='vb'+'script:msgbox(1)'"}`, 0.99},
	}, []familyCase{
		{"q", "He said 'java' and then 'script: a guide'", 0},
		{"q", "The words 'java', 'script' and 'type: x' are keys", 0},
		{"q", "var a = 'java'; // the language\nvar b = 'script: none';", 0},
		{"q", "x = 'http' + '://' + host + '/api'", 0},
		{"q", "msg = 'Error: ' + code + ' at ' + line + ': ' + text", 0},
		{"q", "It's the 'java' team's 'script': ours", 0},
	}, 0.9)
}
