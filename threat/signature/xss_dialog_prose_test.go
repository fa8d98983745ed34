package signature_test

import "testing"

// TestXSSDialogNamedInProse: a dialog's name in a note is no call when a
// string follows a word inside its brackets ("prompt (or \"repl\")"), when
// "--" makes it an option ("`--print`"), or when backticks enclose it
// ("`prompt`"). The probes with brackets and templates stay.
func TestXSSDialogNamedInProse(t *testing.T) {
	attacks := []familyCase{
		{"q", "alert`1`", 0.99},
		{"q", "prompt`1`", 0.99},
		{"q", "${alert`1`}", 0.99},
		{"q", "-alert(1)-", 0.99},
		{"q", "alert(typeof \"x\")", 0.99},
		{"q", "alert(\"x\")", 0.99},
		{"q", "confirm (1)", 0.99},
		{"q", "\"><svg onload=print`1`>", 0.99},
	}
	benign := []familyCase{
		{"q", "start the interactive prompt (or \"repl\" for \"read-eval-print loop\") with no file", 0},
		{"q", "Code passed via `--eval`, `--print`, or `STDIN` is read as a script.", 0},
		{"q", "moves the configured `prompt` to a new line in `output`", 0},
	}
	checkFamily(t, "xss", attacks, benign, 0.9)
}
