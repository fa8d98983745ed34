package signature_test

import "testing"

// PHP lets comments and line breaks stand between a function's name and
// its '(' (the CRS's 933160 tests); prose that breaks a line before a
// parenthesis, or writes '#' before one, is no call.
func TestPHPCallAcrossGaps(t *testing.T) {
	checkFamily(t, "code", []familyCase{
		{"q", "exec //comment\r\n (blah)", 0.99},
		{"q", "exec #comment\r\n (blah)", 0.99},
		{"q", "exec#\n (blah)", 0.99},
		{"q", "exec \t #\n ()", 0.99},
		{"q", "FILE\r\n()", 0.99},
		{"body:application/x-www-form-urlencoded", "a=eval%0D(%24foo)", 0.99},
		{"q", "eval /*x*/ ('id')", 0.99},
		{"q", "system /* a */ /* b */ ('id')", 0.99},
	}, []familyCase{
		{"q", "see the attached file\n(optional)", 0},
		{"q", "I will exec\n(maybe) tomorrow", 0},
		{"q", "the system # of units\n(see table)", 0},
		{"q", "file // notes\nthe second line (a) of it", 0},
		{"q", "#include <stdio.h>\nsystem (status)", 0},
	}, 0.9)
}
