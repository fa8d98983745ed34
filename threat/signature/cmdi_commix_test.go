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

// TestCmdiCarets: cmd.exe takes out a '^' before a letter, so commix's
// caret spells a command with one before most of its letters, the first
// too ("^d^i^r", "/^u^s^r/^b^i^n/^i^d"). A regular expression's anchor, a
// power and an emoticon are not a chain.
func TestCmdiCarets(t *testing.T) {
	attacks := []familyCase{
		{"q", "&& ^d^i^r C:\\", 0.9},
		{"q", "|/^u^s^r/^b^i^n/^i^d", 0.9},
		{"q", "; ^n^c -^l^v^v^p 4444 -^e /^b^i^n/^s^h;", 0.9},
		{"q", "^ca^t /^e^t^c/^h^o^s^t^s", 0.9},
		{"q", "| ^n^e^t ^l^o^ca^l^g^r^o^u^p A^d^m^i^n^i^s^t^ra^t^o^r^s ^ha^c^k^e^r /A^D^D", 0.9},
	}
	benign := []familyCase{
		{"q", "match lines with ^cat or ^id$ and ^ls in grep", 0},
		{"q", "x^2 + y^2 = r^2, then e^ix and ^_^ ok", 0},
		{"q", "Footnote[^1] cites a^b^c notation for powers", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
