package signature_test

import "testing"

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
