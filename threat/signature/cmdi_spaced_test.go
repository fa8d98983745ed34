package signature_test

import "testing"

// TestCommandIFSNamedInASentence: $IFS stands in for a blank, so a use of
// it is glued to a word on one side at least; a sentence that names it
// between blanks ("when $IFS is empty") uses nothing.
func TestCommandIFSNamedInASentence(t *testing.T) {
	attacks := []familyCase{
		{"q", "cat$IFS/etc/passwd", 0.99},
		{"q", ";ls${IFS}-la", 0.99},
		{"q", "a;cat$IFS$9/etc/passwd", 0.99},
		{"q", "cat ${IFS}/etc/passwd", 0.99},
		{"q", "{cat,$IFS/etc/passwd}", 0.99},
	}
	benign := []familyCase{
		{"q", "Fixed a bug in word splitting when $IFS is not the default.", 0},
		{"q", "Fixed a bug that split case patterns containing characters in $IFS.", 0},
		{"q", "Changes to IFS made with ${IFS:=value} now apply to the expansions before it.", 0},
		{"q", "Fixed $* expanding with the first character of $IFS as a separator in that context.", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}

// TestCommandShellshockNotANamedFunction: Shellshock's function
// definition stands where a variable's value starts, unnamed; a snippet of
// code names its function, glued to the brackets or a blank before them.
func TestCommandShellshockNotANamedFunction(t *testing.T) {
	attacks := []familyCase{
		{"q", "() { :;}; echo vulnerable", 0.99},
		{"q", " () { :;}; ping -c 1 10.0.0.1", 0.99},
		{"q", "x=() { :;};id", 0.99},
		{"header:User-Agent", "() { :; }; /bin/bash -c 'id'", 0.99},
	}
	benign := []familyCase{
		{"q", "define get_flags () { variable flags; (,,,flags) = getbuf_info (); return flags; }", 0},
		{"q", "private define eof_handler () { () = fputs (\"Done\\n\", stdout); }", 0},
		{"q", "int main () { return 0; }", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}

// TestCommandBacktickLeavesAQuoteOpen: GNU's notes quote `like this', and
// the substitution a shell would read from such a backtick leaves a quote
// open, a syntax error that runs nothing. A substitution whose quotes
// close runs.
func TestCommandBacktickLeavesAQuoteOpen(t *testing.T) {
	attacks := []familyCase{
		{"q", "x`id`", 0.99},
		{"q", ";`cat /etc/passwd`", 0.99},
		{"q", "`bash -c 'id'`", 0.99},
		{"q", "a`bash -c \"id\"`", 0.99},
		{"q", "'`cat /etc/passwd`'", 0.99},
	}
	benign := []familyCase{
		{"q", "Fixed a bug with `bash -c command' where `command' ended with a backslash.", 0},
		{"q", "Changed `bash -r' to turn on restrictions before reading the startup files.", 0},
		{"q", "The shell now behaves as `bash -i script' did.", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
