package signature_test

import "testing"

// TestASPWebShell: classic ASP's web shells (China Chopper's one-liner,
// a shell object made, a dropper's preamble, gotestwaf's obfuscated
// VBScript) are code in any value; VBScript's words in a sentence are not.
func TestASPWebShell(t *testing.T) {
	checkFamily(t, "code", []familyCase{
		{"q", `<%eval request("x")%>`, 0.99},
		{"q", `<%execute(request("cmd"))%>`, 0.99},
		{"q", `<%ExecuteGlobal request.form("c")%>`, 0.99},
		{"q", `<%@ Page Language="Jscript"%><%eval(Request.Item["pass"],"unsafe");%>`, 0.99},
		{"body:application/json", `{"c":"Set o = CreateObject(\"WScript.Shell\") : o.Run(\"cmd /c whoami\")"}`, 0.99},
		{"q", `Set fs = Server.CreateObject ( 'Scripting.FileSystemObject' )`, 0.99},
		{"q", `Ev al ("Ex"&"e"&"cute(""Server.ScriptTimeout=3600:On Error Resume Next:Function bd(byVal s):For i=1 To Len(s) Step 2:c=M"&"i"&"d(s,i,1)")`, 0.99},
	}, []familyCase{
		{"q", "we eval requests (quickly) here", 0},
		{"q", "the request (a GET) is executed", 0},
		{"q", "evaluate request(s) before they execute", 0},
		{"q", "createobject(name) makes a COM object", 0},
		{"q", "On Error Resume Next (VBScript) skips errors", 0},
		{"q", "set Server.ScriptTimeout (seconds) in IIS", 0},
	}, 0.9)
}
