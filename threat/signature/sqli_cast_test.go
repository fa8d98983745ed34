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
