package signature_test

import "testing"

// TestCmdiScannerProbes: the command injection probes of Nessus and
// commix as Fwaf's corpus holds them. A command after a ';' that opens
// the value, or after the quote that closes the string it was written
// into, whose line a shell comment ends (";rm q88998669 #", the comment
// cuts off what the application appends), or a command line cmd.exe's
// "rem" ends after a pipe; cmd.exe's form feed and
// vertical tab between a command's arguments; and commix's time-based
// oracle, a conditional whose branches sleep. Prose with a '#', a quote
// before a ';', and a plan that sleeps are not the shape.
func TestCmdiScannerProbes(t *testing.T) {
	attacks := []familyCase{
		{"q", ";rm q88998669 #", 0.99},
		{"q", ";del q94314237 #", 0.99},
		{"q", "'; del q94314237 #", 0.99},
		{"q", "\";rm q43236884 #", 0.99},
		{"q", "';rm\tq56931967\t#", 0.99},
		{"q", "'\nrm\tq29624474\t#", 0.99},
		{"q", "\"\rdel q43695626 #", 0.99},
		// cmd.exe's other delimiters between a command's arguments
		{"q", "\"|ping\f-w\f8000\f-n\f1\f1.2.3.4|rem\f", 0.99},
		{"q", "\"|ping\v-w\v11000\v-n\v1\v4.3.2.1|rem\v", 0.99},
		// a command line that cmd.exe's comment ends
		{"q", "\"ping -w 8000 -n 1 4.3.2.1|rem ", 0.99},
		{"q", "ping -n 1 1.2.3.4&rem;", 0.99},
		{"q", "; str=$(echo ZSSQMT); str1=${#str}; if [ 2 -ne ${str1} ]; then sleep 0; else sleep 1; fi ", 0.99},
		{"q", "'; str=$(echo PUPQPK); str1=${#str}; if [ 1 -ne ${str1} ]; then sleep 0; else sleep 1; fi &", 0.99},
		{"path", "/%3B%20str%3D%24%28echo%20ZSSQMT%29%3B%20str1%3D%24%7B%23str%7D%3B%20if%20%5B%202%20-ne%20%24%7Bstr1%7D%20%5D%3B%20then%20sleep%200%3B%20else%20sleep%201%3B%20fi%20", 0.99},
	}
	benign := []familyCase{
		{"q", "Room 12; rm 4 is next door #signage", 0},
		{"q", "the 'quick' fix; delete the old row # later", 0},
		{"q", "If tired, then sleep 8 hours; else sleep 6 and rest", 0},
		{"q", "Plan: then sleep 8; else sleep 6 hours or more", 0},
		{"q", "Issue #12; see comment #3", 0},
		{"q", "first line\nrm 5 #", 0},
		{"q", "page one\fpage two | ping me\fat noon", 0},
		{"q", "sort the list | rem", 0},
		{"q", "Ping the team & remember the notes", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}

// TestCmdiCommaArgumentsBeforeRem: cmd.exe splits a command's arguments at
// commas as at blanks; Nessus's probe writes its ping so and ends the line
// with "|rem". A list of words or of sizes before "|rem" is no command.
func TestCmdiCommaArgumentsBeforeRem(t *testing.T) {
	attacks := []familyCase{
		{"q", "\"|ping,-w,11000,-n,1,1.2.3.4|rem,", 0.99},
		{"q", "|ping,-n,1,1.2.3.4|rem", 0.99},
		{"q", "x&ping,-w,10000,-n,1,1.2.3.4&rem", 0.99},
	}
	benign := []familyCase{
		{"q", "cat,dog,bird|rem", 0},
		{"q", "apples,pears|rem,", 0},
		{"q", "font sizes: 1rem,2rem|rem", 0},
		{"q", "see ping,traceroute|rem", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}

// TestCmdiRemLinesAndPathProbes: Nessus's cmd.exe probes separate
// arguments with any of cmd.exe's delimiters (';', ',', tabs, the vertical
// tab, no-break spaces) and end the line with "&rem"; commix's classic
// probe sums two numbers and echoes a tag; scanners put a shell operator
// at the start of a path segment. A sum in prose, a list before "&rem"
// and operators inside path names are not the shape.
func TestCmdiRemLinesAndPathProbes(t *testing.T) {
	attacks := []familyCase{
		{"q", "\"ping;-w;8000;-n;1;4.3.2.1&rem;", 0.99},
		{"q", "ver\v>q21316317&rem\v", 0.99},
		{"q", "\"&del\vq54461117&rem\v", 0.99},
		{"q", "\"rm\tq67284925&rem\t", 0.99},
		{"q", "\"&ping\xa0-w\xa07000\xa0-n\xa01\xa01.2.3.4&rem\xa0", 0.99},
		{"path", "/main.php?stuff=%22ping;-w;8000;-n;1;4.3.2.1&rem;", 0.99},
		{"path", "/main.php?logout=%22&uname%09%23", 0.99},
		{"path", "/help.php?q=%22&del%0Bq26193259&rem%0B", 0.99},
		{"q", ";echo$IFSCGVCXZ$((66+61))$(echo$IFSCGVCXZ)CGVCXZ", 0.99},
		{"path", "/%7C%7Cecho$IFSECAVFZ$((36%2B1))$(echo$IFSECAVFZ)ECAVFZ", 0.99},
		{"path", "/a;id|", 0.99},
		{"path", "/|id", 0.99},
		{"path", "/||/usr/bin/id|", 0.99},
		{"path", "/a);id", 0.99},
		{"path", "/a);/usr/bin/id", 0.99},
		{"path", "/a;id;", 0.99},
		{"path", "/index.html|id|", 0.99},
		{"path", "/thvgjebp.exe|dir", 0.99},
	}
	benign := []familyCase{
		{"q", "Now we can write $((var+1)) and $((1+2)) in scripts", 0},
		{"q", "Tom & Jerry & rem", 0},
		{"q", "I use vim & rem", 0},
		{"path", "/docs/a|b/c", 0},
		{"path", "/api/;jsessionid=abc", 0},
		{"path", "/users;id=7/orders;sort=asc", 0},
		{"path", "/cars;color/red", 0},
		{"path", "/x/&who/y", 0},
		{"path", "/search?q=cats&dogs!&page=2", 0},
		{"path", "/list?sort=name&desc&limit=10", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}

// TestCmdiQuotedLineCommentedOut: Nessus's probe breaks out of a quoted
// argument, runs a command on a file it names and comments out the rest
// of the line, with or without a '&' before the command. A quoted phrase
// that ends in '#' has no such argument.
func TestCmdiQuotedLineCommentedOut(t *testing.T) {
	attacks := []familyCase{
		{"q", "\"del q17133825 #", 0.99},
		{"q", "'del\tq23771746\t#", 0.99},
		{"q", "'&rm\tq79227952\t#", 0.99},
		{"path", "/main.php?stuff='&del%20q83741819%20%23", 0.99},
	}
	benign := []familyCase{
		{"q", "\"Sleep well #", 0},
		{"q", "'cat food #", 0},
		{"q", "\"the best #", 0},
		{"q", "'&more to say #", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
