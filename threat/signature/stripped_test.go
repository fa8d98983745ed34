package signature_test

import "testing"

// TestTagStrippedPayloads: a keyword split by an empty or one-letter tag
// is read as a tag-stripping filter passes it on (gotestwaf's
// "un<>ion sel<>ect" and "autof<x>ocus o<x>nfocus=alert<x>(1)"); markup's
// own tags and generic types are not stripped into anything.
func TestTagStrippedPayloads(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", `"un<>ion sel<>ect"`, 0.99},
		{"q", "1' un<x>ion sel<x>ect password fr<>om users--", 0.99},
		// decoded first, then stripped: percent escapes in JSON
		{"body:application/json", `{"a":"%22un%3C%3Eion+sel%3C%3Eect%22"}`, 0.99},
	}, []familyCase{
		{"q", "un<b>bold</b>ed union of selected items", 0},
		{"q", "Hello<br>world, select one", 0},
		{"q", "a<>b and c<>d", 0},
	}, 0.9)
	checkFamily(t, "xss", []familyCase{
		{"q", `\"autof<x>ocus o<x>nfocus=alert<x>(1)//`, 0.99},
		{"body:application/json", `{"n":"\" onmo<>useover=al<>ert(1) x=\""}`, 0.99},
		// base64 of `\"autof<x>ocus o<x>nfocus=alert<x>(1)//`
		{"q", "XCJhdXRvZjx4Pm9jdXMgbzx4Pm5mb2N1cz1hbGVydDx4PigxKS8v", 0.99},
	}, []familyCase{
		{"q", "List<T>x and Map<K,V>y", 0},
		{"q", "a<x>b", 0},
	}, 0.9)
}
