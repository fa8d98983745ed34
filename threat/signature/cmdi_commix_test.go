package signature_test

import "testing"

// TestCmdiCommixTampers: commix's tamper scripts spell a command with
// empty expansions between its letters (uninitializedvariable's "${Nq}",
// dollaratsigns' "$@", backslashes' "\" in a path) and its slashes as
// "${PATH%%u*}" (slash2env); the
// shell folds them back. A template literal, a price and a set variable
// are not the shape.
func TestCmdiCommixTampers(t *testing.T) {
	attacks := []familyCase{
		{"q", "';${Nq}i${Nq}d;'", 0.9},
		{"q", "|/${Nq}u${Nq}s${Nq}r/${Nq}b${Nq}i${Nq}n/${Nq}i${Nq}d", 0.9},
		{"q", "';$@i$@d;'", 0.9},
		{"q", "|/$@u$@s$@r/$@b$@i$@n/$@i$@d", 0.9},
		{"q", "|${PATH%%u*}usr${PATH%%u*}bin${PATH%%u*}id", 0.9},
		{"q", "a);${PATH%%u*}usr${PATH%%u*}bin${PATH%%u*}id|", 0.9},
		{"q", ";c${Ab}a${Ab}t ${Ab}/e${Ab}t${Ab}c/p${Ab}a${Ab}s${Ab}s${Ab}w${Ab}d", 0.9},
		{"q", `|/\u\s\r/\b\i\n/\i\d`, 0.9},
		{"q", `a);/\u\s\r/\b\i\n/\i\d|`, 0.9},
	}
	benign := []familyCase{
		{"q", "const label = `item${i}x` or `${name}s`", 0},
		{"q", "A $5k budget; $2bn raised | $@home", 0},
		{"q", "Set ${HOME}bin or ${USER}name in your profile", 0},
		{"q", "strip it with ${path%%/*} in bash", 0},
		{"q", `see C:\Users\bin\id and /\d+/ or /\w+/g`, 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
