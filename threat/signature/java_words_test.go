package signature_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Java's Runtime and ProcessBuilder named short (java.Runtime), as the
// OWASP CRS regression tests of its rule 944110 (Apache-2.0) send them;
// the system properties named like them are not payloads.
func TestJavaRuntimeShort(t *testing.T) {
	checkPlaced(t, "code",
		[]placedCase{{"java.Runtime", nil}, {"java.ProcessBuilder", nil}, {"T(java.Runtime)", nil}},
		0.99,
		[]placedCase{{"I use java.runtime.version in logs", nil}, {"java.runtime.name=OpenJDK", nil}, {"the java runtime", nil}},
		0.75)
}

// A Java class named by an XML element or attribute is the schema's
// structure (the CRS's false-positive tests of its rules 944100-944120);
// XStream's payloads name classes so too, and carry their <command>, a
// dynamic proxy or a handler class, and are attacks.
func TestJavaClassesAsXMLNames(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	score := func(doc string) (float64, []string) {
		r := httptest.NewRequest("POST", "http://shop.example/post", strings.NewReader(doc))
		r.Header.Set("Content-Type", "application/xml")
		best := 0.0
		var rules []string
		for _, s := range detect(t, d, r) {
			rules = append(rules, s.Rule)
			if s.Detector == "code" {
				best = max(best, s.Confidence)
			}
		}
		return best, rules
	}
	for _, doc := range []string{
		`<?xml version="1.0"?><xml><java.lang.Runtime attribute_name="attribute_value">value</java.lang.Runtime></xml>`,
		`<?xml version="1.0"?><xml><element java.lang.ProcessBuilder="attribute_value">element_value</element></xml>`,
		`<?xml version="1.0"?><xml><ProcessBuilder.evil.invokertransformer a="b">value</ProcessBuilder.evil.invokertransformer></xml>`,
	} {
		if got, rules := score(doc); got >= 0.75 {
			t.Errorf("names only %q: %.2f (%v)", doc, got, rules)
		}
	}
	for _, doc := range []string{
		`<java.lang.ProcessBuilder><command><string>calc</string></command></java.lang.ProcessBuilder>`,
		`<?xml version="1.0"?><xml><element attribute_name="java.lang.Runtime">x</element></xml>`,
		`<?xml version="1.0"?><xml><element>java.lang.Runtime.getRuntime().exec("id")</element></xml>`,
	} {
		if got, rules := score(doc); got < 0.99 {
			t.Errorf("attack %q: %.2f (%v)", doc, got, rules)
		}
	}
}
