package signature_test

import "testing"

// TestSQLDDLQuotedName: a DDL statement on a table whose name is quoted
// as MySQL quotes names ("ALTER TABLE `t` ADD `video` TEXT", the CRS's
// 942240) is SQL whatever leads to it; the same words about a table in a
// sentence stay below a refusal.
func TestSQLDDLQuotedName(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", "ALTER TABLE `mass_mails` CHANGE `receivers` `receivers` ENUM('A','B')", 0.99},
		{"q", "ALTER TABLE `tx` ADD `video` TEXT CHARACTER SET latin1", 0.99},
		{"body:application/x-www-form-urlencoded", "payload=CREATE%20TABLE`test`(", 0.99},
	}, []familyCase{
		{"q", "alter table users add column email", 0.9},
		{"q", "the `alter table` add docs", 0},
		{"q", "Alter table `x` and add", 0.9},
	}, 0.9)
}
