package signature_test

import "testing"

// A DOCTYPE or ENTITY declaration written in UTF-7, in any split of its
// runs: "+ADw-!DOCTYPE" ('<' alone), "+ADwAIQ-DOCTYPE" ("<!" in one run,
// as Wallarm's gotestwaf sends it), "+ADwAIQ-ENTITY".
func TestXXEInUTF7(t *testing.T) {
	checkFamily(t, "xxe", []familyCase{
		{"body:application/xml", "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n+ADw-!DOCTYPE foo+AFs +ADw-!ENTITY xxe SYSTEM +ACI-file:///etc/passwd+ACI- +AD4AXQA+-", 0.99},
		{"body:application/xml", "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n+ADwAIQ-DOCTYPE foo+AFsAPAAh-ENTITY example SYSTEM +ACI-/etc/passwd+ACI-+AD4AXQA+-\n+ADw-stockCheck+AD4-+ACY-example+ADs-+ADw-/stockCheck+AD4-", 0.99},
		{"q", "+ADwAIQ-ENTITY x SYSTEM +ACI-http://evil.example/x+ACI-+AD4-", 0.99},
	}, []familyCase{
		{"q", "C+ADw-D is a UTF-7 example of a less-than sign", 0},
		{"q", "a+AC0-b, 2+AD0-3", 0},
	}, 0.9)
}
