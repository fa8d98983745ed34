package signature_test

import "testing"

// TestPHPIniDirective: a value whose line opens by setting a php.ini
// directive that reads a file, runs code or lifts a limit, or one of an
// extension's section (the CRS's 933120 tests, a .user.ini, PHP-CGI's
// -d); a sentence that mentions one, code, and words that merely look
// like one are not.
func TestPHPIniDirective(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "code", []familyCase{
		{form, "var=opcache.jit_max_polymorphic_calls%3d50", 0.99},
		{form, "var=mbstring.regex_retry_limit%3dtrue", 0.99},
		{form, "var=unserialize_max_depth%3dtrue", 0.99},
		{"q", "auto_prepend_file=/tmp/x.jpg", 0.99},
		{"q", "-d allow_url_include=1", 0.99},
		{"q", "session.save_path = /tmp", 0.99},
		{"body:text/plain", "; uploaded .user.ini\nauto_prepend_file=shell.gif\n", 0.99},
	}, []familyCase{
		{"q", "set display_errors=Off in php.ini", 0},
		{"q", "MySQL.prototype.query = function query(a, b) { return a; }", 0},
		{"q", "engine=true", 0},
		{"q", "memory_limit == 5", 0},
		{"q", "Opcache.enable=1", 0},
		{"q", "session.name", 0},
	}, 0.9)
}
