package signature_test

import "testing"

// Public payloads: OWASP's HTTP response splitting and testing guide,
// PortSwigger's header injection research, CRLF lists of bug bounty
// reports, and the mail header injection examples of OWASP and PHP's
// mail() documentation.
var crlfAttacks = []familyCase{
	{"q", "x\r\nSet-Cookie: session=attacker", 0.99},
	{"q", "/%0d%0aSet-Cookie:crlf=injection", 0.99},
	{"q", "/%250aSet-Cookie:crlf=injection", 0.99},
	{"q", "/%%0a0aSet-Cookie:crlf=injection", 0.99},
	{"q", "/%E5%98%8A%E5%98%8DSet-Cookie:crlf=injection", 0.99},
	{"q", "/%u000aSet-Cookie:crlf=injection", 0.99},
	{"q", "en\r\nLocation: https://evil.example/", 0.99},
	{"q", "x%0d%0aContent-Length:%200%0d%0a%0d%0aHTTP/1.1%20200%20OK%0d%0aContent-Type:%20text/html", 0.99},
	{"q", "x\r\n\r\n<script>alert(1)</script>", 0.9},
	{"q", "%0d%0aX-XSS-Protection:0", 0.99},
	{"q", "x%0d%0aAccess-Control-Allow-Origin: *", 0.99},
	{"q", "victim@example.com%0aBcc:attacker@evil.example", 0.99},
	{"q", "victim@example.com%0d%0aCc: a@evil.example%0d%0aBcc: b@evil.example", 0.99},
	{"q", "user@example.com\nTo: other@evil.example", 0.99},
	{"q", "INBOX%0d%0aV100 CAPABILITY%0d%0aV101 FETCH 4791", 0.99},
	{"q", "x\r\nRCPT TO:<attacker@evil.example>", 0.99},
	{"q", "\r\nRETR 123", 0.99}, // POP3 after a line break: the CRS's 932320 tests
	{"q", "\r\nTOP 1 2", 0.99},
	{"q", "\r\nAPOP corerulest 7d0a3bd8e5b2abcfb3e256633c23b891", 0.99},
	{"q", "victim@example.com%0d%0aDELE 1", 0.99},
	{"q", "victim@example.com%0d%0aAUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=", 0.97},
	{"q", "x\r\nGET /admin HTTP/1.1\r\nHost: internal", 0.99},
	{"q", "x%0d%0a<html><script>alert(1)</script></html>", 0.99},
	{"q", "%0AHeader-Test:BLATRUC", 0.99},
	{"q", "/%%0d0d%%0a0aSet-Cookie:crlf=injection", 0.99},
	{"q", "/%0d%0a%20Set-Cookie:crlf=injection", 0.99},
	{"path", "/static/%0d%0aSet-Cookie:crlf=injection", 0.99},
	{"path", "/redirect%0d%0aLocation:%20https://evil.example", 0.99},
	{"header:X-Filter", "/%0aSet-Cookie:crlf=injection", 0.99},
	{"header:X-Filter", "/%25%30%61Set-Cookie:crlf=injection", 0.99},
	{"header:X-Filter", `x\r\nSet-Cookie: a=b`, 0.99},
	{"body:application/json", `{"lang":"en\r\nSet-Cookie: a=b"}`, 0.99},
}

// Multi-line text: letters, notes and pasted snippets with "Word:" lines.
var crlfBenign = []familyCase{
	{"body:application/x-www-form-urlencoded", "text=Hello+team%2C%0D%0ALocation%3A+Berlin+office%0D%0ATime%3A+10am", 0},
	{"body:application/x-www-form-urlencoded", "text=Dear+Ana%2C%0D%0ASubject%3A+your+order%0D%0AThanks", 0},
	{"body:application/x-www-form-urlencoded", "text=From%3A+a%40b.example+and+friends%0D%0ATo%3A+c%40d.example", 0},
	{"body:application/json", `{"note":"Q: why?\nA: because.\nNote: see above"}`, 0},
	{"body:application/json", `{"note":"line one\n\nline two"}`, 0},
	{"q", "printf(\"hello\\n\")", 0},
	{"q", "100%0a", 0},
	{"body:application/json", `{"note":"Server: down again\nStatus: fixed"}`, 0},
	{"body:application/json", `{"note":"fix the parser\n\n    Co-Authored-By: Ana <ana@example.com>\n    Cc: Bo <bo@example.com>"}`, 0},
	{"body:application/json", "{\"note\":\"set it like this:\n```\nX-Forwarded-For: <client IP>\n```\"}", 0},
	{"body:application/json", `{"note":"const options = {\n  host: '127.0.0.1',\n  port: 8080,\n};"}`, 0},
	{"body:application/json", `{"note":"to send an\nHTTP/2 request to the server"}`, 0},
	{"body:application/json", `{"note":"socat UDP:host:port\nUDP-CONNECT:host:port"}`, 0},
	{"body:application/json", `{"note":"Shopping list:\r\nTOP 10 tips"}`, 0},
	{"body:application/json", `{"note":"My day was fine.\r\nRETR 1 is what the client sends"}`, 0},
	{"body:application/json", `{"note":"Notes\r\nLIST\r\nmilk"}`, 0},
	{"body:application/json", `{"note":"me@x.org\r\nUSER admin"}`, 0},
}

func TestCRLF(t *testing.T) { checkFamily(t, "crlf", crlfAttacks, crlfBenign, 0.9) }
