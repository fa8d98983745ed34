package signature_test

import "testing"

// TestSQLiQuotedSymbolInASentence: a sentence that quotes an operator's
// symbol, an option or a placeholder, with words after it, is no
// break-out, though libinjection reads the words before the quote as the
// string broken out of and the symbol as its operator ("sos"), whatever
// SQL words the sentence holds. The break-outs of the auth-bypass lists
// stay: the quote opens the value or closes the one word before it.
func TestSQLiQuotedSymbolInASentence(t *testing.T) {
	attacks := []familyCase{
		{"q", "'-'", 0.9},
		{"q", "'&'", 0.9},
		{"q", "'^'", 0.9},
		{"q", "'*'", 0.9},
		{"q", "admin'-'", 0.9},
		{"q", "admin '-'", 0.9},
		{"q", "x' = 'x", 0.9},
		{"q", "' or ''-'", 0.9},
		{"q", "the shop' or 'a'='a", 0.9},
	}
	benign := []familyCase{
		{"q", "ls, du and stat now process --help and --version in order, regardless of any other arguments set before an optional '--' end-of-options marker.", 0},
		{"q", "Read the set of keys from the file and protect the sign in the order shown, then strip the spaces around '='. See the manual.", 0},
		{"q", "keys are now marked in listings with a '#' after the \"sec\", and in the other listings by showing no capabilities", 0},
		{"q", "update the examples in the manual and in the tests showing how to print a single '-n' string.", 0},
		{"q", "options should work independently of each other and also work with and without the '--no-' prefix as documented.", 0},
		{"q", "This function sets the value of the pseudo file \"<default>\" and is used when none was given", 0},
		{"q", "Fix the exit code for an operation in a loop without \"-d DIRECTORY\"; before, only the first", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
