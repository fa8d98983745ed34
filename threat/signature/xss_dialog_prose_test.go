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

// TestXSSGenericTypeIsNoTag: a name in angle brackets glued to a name
// before it and closed at once is a type's parameter in C++, Java or
// TypeScript ("Local<Object> exports"); a tag that breaks out, has
// attributes or is the script element stays a tag.
func TestXSSGenericTypeIsNoTag(t *testing.T) {
	attacks := []familyCase{
		{"q", "abc<svg onload=alert(1)>", 0.99},
		{"q", "x<script>alert(1)</script>", 0.99},
		{"q", "x<script>", 0.99},
		{"q", "\"><object data=javascript:alert(1)>", 0.99},
		{"q", "a<iframe src=javascript:alert(1)>", 0.99},
		{"q", "<object>", 0.95},
	}
	benign := []familyCase{
		{"q", "void Init(Local<Object> exports, Local<Object> module) {", 0},
		{"q", "Isolate* isolate = static_cast<Isolate*>(arg);", 0},
		{"q", "Local<Value> argv[argc] = { args[0] };", 0},
	}
	checkFamily(t, "xss", attacks, benign, 0.9)
}
