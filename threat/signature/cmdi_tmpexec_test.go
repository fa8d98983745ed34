package signature_test

import "testing"

// TestTmpExec: a file run from /tmp, /var/tmp or /dev/shm in a command's
// position is a dropper's second stage (Fwaf's awstats
// "|echo;/./tmp/x.sh;echo|"); such a path as a value, in a sentence, in
// a Markdown table's cell or code span, is not run.
func TestTmpExec(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", "|echo;/./tmp/wgwvwkorhp.sh;echo|awstats540737.txt", 0.99},
		{"q", "|echo;/./tmp/yzicxmyifv0 > /dev/null &;echo|", 0.99},
		{"q", "x;/tmp/x.sh;", 0.99},
		{"q", "$(/dev/shm/.x)", 0.99},
		{"q", "a && //var/tmp/run", 0.99},
		{"q", "id|/tmp/x", 0.99},
	}, []familyCase{
		{"q", "/tmp/x.sh", 0.9},
		{"q", "files live in /tmp/cache; see docs", 0.9},
		{"q", "a repository in `/tmp/.git`, in a mounted drive", 0.9},
		{"q", "| /tmp/gconfd-.* -d | user_u:object_r |", 0.9},
		{"q", "a;/tmp/", 0.9},
	}, 0.9)
}
