package signature_test

import "testing"

// TestJavaDataTypeInXML: an XML value that is, whole, a class holding
// data (java.lang.String, Integer, Number: the type of a Spring, MyBatis
// or Jetty configuration's argument) is a declaration; the same name as
// a query value, as the CRS's 944130 tests it, and a document that builds
// an object graph with other classes, are still read.
func TestJavaDataTypeInXML(t *testing.T) {
	xml := "body:application/xml"
	checkFamily(t, "code", []familyCase{
		{"q", "java.lang.String", 0.99},
		{"q", "java.lang.Integer", 0.99},
		{xml, `<java><object class="java.lang.ProcessBuilder"><array class="java.lang.String" length="1"><void index="0"><string>id</string></void></array><void method="start"/></object></java>`, 0.99},
		{xml, `<?xml version="1.0"?><beans><bean class="java.lang.Runtime" factory-method="getRuntime"/></beans>`, 0.99},
		{xml, `<r><type>java.lang.String.valueOf(T(java.lang.Runtime).getRuntime().exec('id'))</type></r>`, 0.99},
	}, []familyCase{
		{xml, `<?xml version="1.0"?><beans><bean id="a" class="com.example.Y"><constructor-arg type="java.lang.String" value="b"/></bean></beans>`, 0.9},
		{xml, `<?xml version="1.0"?><mapper namespace="m"><resultMap id="r" type="com.example.User"><id property="id" javaType="java.lang.Integer"/></resultMap></mapper>`, 0.9},
		{xml, `<Configure><Set name="port"><Arg type="java.lang.Integer">8080</Arg></Set></Configure>`, 0.9},
		{xml, `<?xml version="1.0"?><param><name>limit</name><type>java.lang.Number</type></param>`, 0.9},
	}, 0.9)
}
