package signature_test

import "testing"

// An empty substitution inside a command's name ("pi$()ng", or a pair of
// backquotes): the shell drops it and runs the name (the CRS's 932240
// tests). Backquotes and "$()" in prose and in a price are no command.
func TestEmptySubstitutionInCommand(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "cmdi", []familyCase{
		{form, "x=ping`` 127.0.0.1", 0.99},
		{form, "x=pi``ng 127.0.0.1", 0.99},
		{form, "x=ping$() 127.0.0.1", 0.99},
		{form, "x=pi$()ng 127.0.0.1", 0.99},
		{"q", ";c$()at /etc/passwd", 0.99},
	}, []familyCase{
		{"q", "use `` for code and $() for substitution", 0},
		{"q", "he said ``hello`` to me", 0},
		{"q", "costs $() nothing", 0},
		{"q", "the ping`` of the bell", 0},
	}, 0.9)
}
