package signature_test

import "testing"

// TestSQLiBetweenRange: sqlmap's between tamper writes "x=x" as "x between
// x and x" and "5650=convert(...)" as "5650 between convert and
// convert(...)": a range of one name, or one whose upper bound is a query's
// call, is the test it replaces. A range of two names or of a name and a
// number is how prose says between.
func TestSQLiBetweenRange(t *testing.T) {
	attacks := []familyCase{
		{"q", " OR x BETWEEN x AND x", 0.99},
		{"q", " OR x BETWEEN x AND x-- ", 0.99},
		{"q", "' or name between name and name--", 0.99},
		{"q", " AND 5650 BETWEEN CONVERT AND CONVERT(INT,(SELECT CHAR(113)+CHAR(118)+CHAR(106)))-- ", 0.99},
		{"q", "1 AND A BETWEEN B AND B--", 0.9},
		{"q", "' AND 1 BETWEEN 1 AND 1 AND 'a'='a", 0.99},
	}
	benign := []familyCase{
		{"q", "Find flights between Paris and Rome or trains between Rome and Rome", 0},
		{"q", "choose a number between one and one", 0},
		{"q", "and prices between low and high", 0},
		{"q", "or the age between 20 and 30 matters", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiLikeItselfAndDelayJunk: WAF-A-MoLE writes "x=x" as "x like
// x", a name matched against itself; sqlmap's scientific tamper and
// WAF-A-MoLE put junk between "waitfor delay" and its time (".e0",
// "%0x14"). A name liked in a sentence and "waitfor delay" before words
// are not the shape.
func TestSQLiLikeItselfAndDelayJunk(t *testing.T) {
	attacks := []familyCase{
		{"q", " OR x LIKE x", 0.99},
		{"q", "/**/OR x like x", 0.99},
		{"q", "\vOR x LIKE x--\xa0", 0.99},
		{"q", "\")%20waitfor%20delay%20.e0'0.e0:0.e0:20.e0'%20.e0--", 0.99},
		{"q", "',NULL)%20waitfor%20delay%20.e0'0.e0:0.e0:20.e0'%20.e0/*", 0.99},
		{"q", "\")%20waitfor%20delay%0x14'0:0:20'%20--", 0.99},
	}
	benign := []familyCase{
		{"q", "cats or dogs like dogs", 0},
		{"q", "Some like it hot, and others like others", 0},
		{"q", "I waitfor delay and 'then' go", 0},
		{"q", "waitfor delay the 'end'", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
