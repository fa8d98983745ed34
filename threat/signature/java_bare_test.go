package signature_test

import "testing"

// A Java class, an internal package or a gadget's name alone, where a
// deserialiser or a binder reads a class by name (the CRS's 944130 tests
// put each name of its java-classes list in every place of a request); a
// public package alone is metadata, unless it is a parameter's name.
func TestJavaNameAlone(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	xml := "body:application/xml"
	json := "body:application/json"
	checkFamily(t, "code", []familyCase{
		{"q", "com.opensymphony.xwork2", 0.99},
		{"q", "com.sun.org.apache", 0.99},
		{"q", "Sun.Reflect", 0.99},
		{"q", "classLoader", 0.99},
		{"q", "declaredClass", 0.99},
		{"q", "OgnlContext", 0.99},
		{"q", "PropertyUtilsBean", 0.99},
		{"q", "javassist", 0.99},
		{"q", "InvokerTransformer", 0.99},
		{"q", " 'java.beans.XMLDecode' ", 0.99},
		{form, "com.opensymphony.xwork2=test", 0.99},
		{form, "org.apache.commons=test", 0.99},
		{form, "javax.xml.parsers=1", 0.99},
		{"header:Cookie", "test=com.sun.org.apache", 0.99},
		{"header:Cookie", "classLoader=test", 0.99},
		{"header:X-Test", "com.opensymphony.xwork2", 0.99},
		{xml, `<?xml version="1.0"?><xml><element attribute_name="com.sun.org.apache">element_value</element></xml>`, 0.99},
		{xml, `<?xml version="1.0"?><xml><l1><l2><element a="v">OgnlUtil</element></l2></l1></xml>`, 0.99},
		{json, `{"test": "sun.reflect"}`, 0.99},
		{json, `{"org.xml.sax": "test"}`, 0.99},
		{"body:text/plain", "test=com.opensymphony.xwork2", 0.99},
	}, []familyCase{
		// public packages alone are metadata: a groupId, an import, a search
		{"q", "org.apache.commons", 0},
		{"q", "java.nio.file", 0},
		{json, `{"groupId": "org.apache.struts"}`, 0},
		{xml, "<project><groupId>org.apache.struts</groupId><artifactId>struts2-core</artifactId></project>", 0},
		// words and sentences around a name: javaCode's to judge
		{"q", "classloaders", 0},
		{"q", "class loader", 0},
		{"q", "what does the classLoader do in java", 0},
		{"q", "javassist tutorial", 0},
		{"q", "sun reflection", 0},
		{form, "declared=1&class=economy", 0},
		{"header:Cookie", "loader=class", 0},
	}, 0.9)
}

// TestJavaClassNamedForAListedOne: a class whose name goes on from a
// listed class's (java.io.InputStreamReader, java.lang.StringBuilder,
// java.net.URLClassLoader) is read as one, in any place; a package's name
// never goes on so, and words after a class are a sentence.
func TestJavaClassNamedForAListedOne(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	xml := "body:application/xml"
	json := "body:application/json"
	checkFamily(t, "code", []familyCase{
		{"q", "java.io.InputStreamReader", 0.99},
		{"q", "java.lang.StringBuilder", 0.99},
		{"q", "java.net.URLClassLoader", 0.99},
		{form, "java.io.InputStreamReader=test", 0.99},
		{"header:Cookie", "test=java.lang.StringBuilder", 0.99},
		{"header:Test", "java.lang.StringBuilder", 0.99},
		{xml, `<?xml version="1.0"?><xml><element attribute_name="java.io.InputStreamReader">element_value</element></xml>`, 0.99},
		{json, `{"java.lang.StringBuilder": "test"}`, 0.99},
		{"body:text/plain", "test=java.io.InputStreamReader", 0.99},
	}, []familyCase{
		{"q", "java.lang.reflection", 0},
		{"q", "org.apache.commonsx", 0},
		{"q", "java.lang.Stringy stuff", 0},
		{"q", "java.lang.Str", 0},
	}, 0.9)
}

// TestPHPCallInANameWithAVariable: a parameter's name that is a call on a
// variable ("eval\r($foo)", a form body without '=') is read as the call
// it is, as one without a '$' is.
func TestPHPCallInANameWithAVariable(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "code", []familyCase{
		{form, "eval%0D%28%24foo%29", 0.99},
		{form, "system%28%24_GET%5Bc%5D%29", 0.99},
		{form, "%24d%5B%27o%27%5D%289%29", 0.99},
	}, []familyCase{
		{form, "price%28%24%29=10", 0},
		{form, "total%20(%24)", 0},
	}, 0.9)
}

// TestJavaExecClassInAnyPackage: a class that runs commands (Runtime,
// ProcessBuilder, ProcessImpl, UNIXProcess) named in a dotted name of
// Java's namespaces, whatever the package between (the CRS's 944250
// spells it java.evil.runtime); Java's system properties and other
// languages' names are not.
func TestJavaExecClassInAnyPackage(t *testing.T) {
	json := "body:application/json"
	checkFamily(t, "code", []familyCase{
		{"q", "java.evil.runtime", 0.99},
		{"q", "java.evil.processbuilder", 0.99},
		{"q", "java.lang.ProcessImpl", 0.99},
		{"q", "sun.misc.UNIXProcess", 0.99},
		{json, `{"java.evil.runtime": "test"}`, 0.99},
		{"header:Cookie", "test=java.evil.processbuilder", 0.99},
	}, []familyCase{
		{"q", "java.runtime.version", 0},
		{"q", "javascript.runtime", 0},
		{"q", "java..runtime", 0},
		{"q", "node.process.runtime", 0},
	}, 0.9)
}
