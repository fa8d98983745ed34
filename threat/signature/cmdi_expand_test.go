package signature_test

import "testing"

// Shell expansions where a command goes: the tilde's directories, history
// events, and brace expansion that makes a command. Public samples: the
// OWASP CRS regression tests of its rules 932270, 932280 and 932330
// (Apache-2.0).
var expansionAttacks = []placedCase{
	{"~+", nil},
	{"~-", nil},
	{"~-1", nil},
	{"~+5", nil},
	{"cmd;~+1", nil},
	{"cmd|~-3", nil},
	{"x=`~+1`", nil},
	{"$(~+1)", nil},
	{"!-1!-2", nil},
	{"{l,-lh}s", nil},
	{"{,ifconfig}", nil},
	{"{,ifconfig,eth0}", nil},
	{"a;{id,}", nil},
}

// expansionBenign are notes with tildes, bangs and braces.
var expansionBenign = []placedCase{
	{"~/notes.txt", nil},
	{"~0", nil},
	{"about ~-1 degrees", nil},
	{"~user/public_html", nil},
	{"{a,b}", nil},
	{"{cat,dog}", nil},
	{"!!", nil},
	{"wow!!", nil},
	{"*.{js,ts}", nil},
	{`{"id":1,"x":2}`, nil},
	{"great!-1 for me", nil},
}

func TestShellExpansionWords(t *testing.T) {
	checkPlaced(t, "cmdi", expansionAttacks, 0.99, expansionBenign, 0.75)
}
