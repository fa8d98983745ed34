package signature_test

import "testing"

// TestSQLiCallTestedAfterBreakOut: a function of a column tested for its
// truth right after a break-out quote, the rest cut off by a comment or the
// application's quote rebalanced, whatever the function (SQLite's
// unlikely, PostgreSQL's starts_with, MySQL's JSON functions). A quote in
// a sentence, a comment that goes on in words, a parenthesis of prose and
// a call left open to the query's rest are not the shape.
func TestSQLiCallTestedAfterBreakOut(t *testing.T) {
	attacks := []familyCase{
		{"q", "admin@juice-sh.op'and unlikely (id)--", 0.9},
		{"q", "1' and starts_with(password,'$2') and 'true", 0.9},
		{"q", "1' or json_search(json_array(password),'one','a%')#", 0.9},
		{"q", "1\"and json_search (json_array(password),0b1100001,\"t___\")#", 0.9},
		{"q", "x' or likelihood(id,0.5);", 0.9},
		{"q", "alice' and instr_custom(pass, 'a')-- -", 0.9},
	}
	benign := []familyCase{
		{"q", "The boys' and girls(age 5) -- joined", 0},
		{"q", "The boys' and girls(age) --", 0},
		{"q", "x' and foo(bar)", 0},
		{"q", "it's and f(x)--", 0},
		{"q", "Rock' and roll(music) -- a history of the genre", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiCollationQuotedAsIdentifier: a break-out that sets a collation
// named in backticks or double quotes, the rest cut off, as it does with a
// bare name. A collation named in a sentence is no break-out.
func TestSQLiCollationQuotedAsIdentifier(t *testing.T) {
	attacks := []familyCase{
		{"q", "user'collate`nocase`--", 0.9},
		{"q", "user'collate`utf8mb4_general_ci`--", 0.9},
		{"q", "user'collate\"\\utf8mb4_general_ci\"--", 0.9},
		{"q", "user' collate nocase--", 0.9},
	}
	benign := []familyCase{
		{"q", "Sort names with collate `nocase` -- see docs", 0},
		{"q", "It's \"fine\" -- Bob", 0},
		{"q", "use `collate` and `order` -- both work", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiPostfixNullAndBracketedTestCutOff: the application's string
// tested by a postfix null test right after the break-out, and a test in
// brackets cut off by a comment, as the unbracketed test is.
func TestSQLiPostfixNullAndBracketedTestCutOff(t *testing.T) {
	attacks := []familyCase{
		{"q", "' notnull --", 0.9},
		{"q", "x' notnull--", 0.9},
		{"q", "' isnull --", 0.9},
		{"q", "'or(id glob 1)--", 0.9},
		{"q", "admin' and (name like name)--", 0.9},
	}
	benign := []familyCase{
		{"q", "The value is 'notnull' -- see docs", 0},
		{"q", "set it to 'notnull--'", 0},
		{"q", "Check \"x\" notnull -- ok", 0},
		{"q", "pick one (a or b) -- thanks", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiQuotedTitleInProse: a sentence quoting a title whose words are
// SQL's ("Between Time and Timbuktu") is prose; a quotation before a real
// break-out hides nothing.
func TestSQLiQuotedTitleInProse(t *testing.T) {
	checkFamily(t, "sqli", []familyCase{
		{"q", `He said "hi" then admin' or 1=1--`, 0.99},
		{"q", `x "y" and 1' union select password from users--`, 0.99},
	}, []familyCase{
		{"q", `I will vanish -- never to be seen again. -- Kurt Vonnegut Jr., "Between Time and Timbuktu"`, 0},
		{"q", `Our reading group chose "Between Order and Chaos" for May.`, 0},
	}, 0.9)
}
