package signature_test

import "testing"

// TestSQLGluedSelect: MySQL needs no blank between a statement's words
// when a sign or a number's dot stands there ("SELECT-id-1.FROM`test`",
// gotestwaf's community SQL injections); words hyphenated to "select" in
// prose are not a select list.
func TestSQLGluedSelect(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", "SELECT-id-1.FROM`test`", 0.99},
		{"q", "SELECT-id-1.FROM test", 0.99},
		{"body:application/x-www-form-urlencoded", "q=select-password%2b0.from%60users%60", 0.99},
		{"body:application/json", `{"q":"SELECT~id+2.FROM users"}`, 0.99},
		{"q", "select -1 from x", 0.99},
	}, []familyCase{
		{"q", "multi-select-box", 0},
		{"q", "select-all from the list", 0},
		{"q", "use select-1 from the menu", 0},
		{"q", "select-box-1 from the template", 0},
		{"q", "the select-1.from field", 0},
	}, 0.9)
}
