package signature_test

import "testing"

// A PostgreSQL cast ends the operand it casts: the error-based probe
// "' and f(x)::int--" is a condition cut off by a comment, as "' and
// f(x)--" is. C++ scopes and casts written in notes are not.
func TestSQLCastOperand(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", "1' and unistr(password)::bool--", 0.99},
		{"q", "1' or version()::int--", 0.99},
		{"q", "x' and current_user::text::int=1--", 0.99},
	}, []familyCase{
		{"q", "std::string and std::vector -- notes", 0},
		{"q", "use value::text or cast it first", 0},
		{"q", "Foo::bar() and Baz::qux()", 0},
	}, 0.9)
}

// A ';' that ends the value right after a break-out quote ends the
// statement as "--" would cut it: "admin@example.com';".
func TestSQLBreakOutSemicolon(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"body:application/x-www-form-urlencoded", "email=admin%40juice-sh.op%27%3B", 0.99},
		{"q", "admin';", 0.99},
		{"q", "1');", 0.99},
		{"q", "root@example.com\"; ", 0.99},
	}, []familyCase{
		{"q", "he said 'yes';", 0},
		{"q", "O'Brien;", 0},
		{"q", "rock'n'roll;", 0},
		{"q", "5;", 0},
		{"q", "it's late, isn't it?';", 0},
	}, 0.9)
}

// After a break-out quote, a column tested against a column or by a
// postfix null test, the rest of the query cut off: the login bypasses
// of OWASP Juice Shop's write-ups and the CRS's 942120 tests
// (Apache-2.0). Comparisons with a subquery's rows ("= all (select
// ...)") read as subqueries; a collation may follow the break-out
// ("user'collate nocase--"). Words like "like" and "glob" between words
// of a sentence, and a comment after them, are prose.
func TestSQLColumnTestAfterBreakOut(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "sqli", []familyCase{
		{form, "email=z'or email notnull--", 0.99},
		{form, "email=x' or username like totpSecret escape 'x';", 0.99},
		{form, "email=admin@juice-sh.op' and email ilike email--", 0.99},
		{form, "email=admin@juice-sh.op' and password glob password;", 0.99},
		{form, "email=admin@juice-sh.op' and email = all (select email)--", 0.99},
		{"q", "x' or name isnull#", 0.99},
		{form, "var=user'collate nocase--", 0.99}, // a collation set after the break-out
		{"q", "user' collate utf8mb4_general_ci--", 0.99},
	}, []familyCase{
		{"q", "it's a collate nocase-- thing", 0},
		{"q", "sort them with collate nocase -- fine", 0},
		{"q", "I like email -- more than calls", 0},
		{"q", "cats glob together-- odd", 0},
		{"q", "it's notnull -- said the linter", 0},
		{"q", "I want all (select few) of them", 0},
		{"q", "don't use isnull(x) here", 0},
	}, 0.9)
}

// A file function of the database called on a file named by a string or
// a hex literal or character codes: PostgreSQL's lo_import and
// pg_read_file, MySQL's
// load_file (the CRS's 942320 tests, Apache-2.0). Named in a sentence
// without a file, it is documentation.
func TestSQLFileFunctionOnAFile(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", "lo_import('/etc' || '/pass' || 'wd')", 0.99},
		{"q", "lo_import('/tmp/x')", 0.99},
		{"q", "pg_read_file('postgresql.conf')", 0.99},
		{"q", "load_file(0x2f6574632f706173737764)", 0.99},
		// or built by a function (character codes, a concatenation), past
		// a quote filter (SecLists' Generic-SQLi list)
		{"q", "1;(load_file(char(47,101,116,99,47,112,97,115,115,119,100)))", 0.99},
		{"q", "load_file(CHR(47)||CHR(101))", 0.99},
		{"q", "1 and load_file(concat(0x2f,'etc/passwd'))", 0.99},
	}, []familyCase{
		{"q", "use LOAD_FILE() to read a file into a column", 0.95}, // a hint, as before: no file named
		{"q", "the docs say load_file (the function) needs FILE privilege", 0},
		{"q", "the load_file(charset) option", 0.95}, // a hint: a name, not a call of char()
	}, 0.9)
}
