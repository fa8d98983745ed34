package signature_test

import "testing"

// A package of the CRS's Java list named alone is metadata (a Maven
// groupId, an import, an OSGi export), where a class named alone is code.
func TestJavaPackageAlone(t *testing.T) {
	checkFamily(t, "code", []familyCase{
		{"q", "java.lang.Runtime", 0.99},
		{"q", "javax.script.ScriptEngineManager", 0.99},
		{"q", "T(org.apache.commons.io.FileUtils).readFileToString(new java.io.File('/etc/passwd'))", 0.99},
	}, []familyCase{
		{"q", "org.apache.commons", 0},
		{"q", "javax.xml.parsers", 0},
		{"body:application/xml", "<project><groupId>org.apache.commons</groupId><artifactId>commons-io</artifactId></project>", 0},
		{"q", "java.nio.file", 0},
	}, 0.9)
}
