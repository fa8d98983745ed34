package signature

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// sqliBest runs the SQL injection family alone over one value and returns
// its strongest signal.
func sqliBest(t testing.TB, src threat.Source, v string) threat.Signal {
	t.Helper()
	in := input{src: src, name: "q", value: v, m: classify(v)}
	var seen rules
	sigs, hit := scanSQLi(&in, &seen, nil)
	if hit != (len(sigs) > 0) {
		t.Fatalf("%q: hit %v with %d signals", v, hit, len(sigs))
	}
	var best threat.Signal
	for _, s := range sigs {
		if s.Detector != nameSQLi || s.Confidence <= 0 || s.Confidence > 1 || len(s.Evidence) > 48 {
			t.Fatalf("%q: malformed signal %+v", v, s)
		}
		if s.Confidence > best.Confidence {
			best = s
		}
	}
	return best
}

// Public payloads: OWASP's testing guide and cheat sheets, sqlmap's
// boundaries and payload templates, PortSwigger's SQL injection cheat
// sheet and labs, PayloadsAllTheThings' generic lists. Each must block on
// its own (confidence >= 0.99).
var sqliAttacks = []string{
	// sqlmap's conditionals on a constant truth, sent without the value
	// they follow
	"OR CASE WHEN 7577=7577 THEN 7577 ELSE JSON('nbib') END",
	",IIF(3979=3979,1,1/0)",
	",(CASE WHEN 5302=5302 THEN 1 ELSE NULL END)",
	"AND IF((4411=4411),SLEEP(5),4411)",
	// boolean tests, with and without a break-out
	"' OR '1'='1",
	"' or 1=1;#",
	" OR 1=1-- ",
	"1234 OR 1=1",
	"1 AND 1=1",
	"AND false",
	"' or true--",
	"\" or \"\"=\"",
	"' OR 'x'='x",
	" OR x=x",
	"1) AND 1234=1234 AND (5678=5678",
	"1')) AND 1234=1234 AND (('abcd'='abcd",
	"1%' AND 1234=1234 AND '%'='",
	"-5678' OR 1234=1234#",
	"1 OR NOT 1234=1235",
	"admin') or ('1'='1'--",
	"' AND 1=utl_inaddr.get_host_address((SELECT banner FROM v$version WHERE rownum=1)) AND 'i'='i",
	"xyz' AND SUBSTRING((SELECT Password FROM Users WHERE Username = 'Administrator'), 1, 1) > 'm",
	"1 AND ASCII(SUBSTRING((SELECT TOP 1 name FROM sysobjects),1,1))>64",
	"'+OR+1=1--",
	// probing
	" ORDER BY 3-- ",
	" HAVING 1=1",
	"' group by userid having 1=1--",
	"1' ORDER BY 1--+",
	"1' GROUP BY 1,2,3--+",
	// union
	" UNION SELECT @@VERSION,SLEEP(5),3#",
	"-1' UNION/**/SELECT/**/username,password/**/FROM/**/users#",
	"/*!50000UNION*//*!50000SELECT*/1,2",
	"1 UNION ALL SELECT NULL,NULL,CONCAT(0x71,0x72)-- -",
	"' UNION SELECT username || '~' || password FROM users--",
	// subqueries and error-based extraction
	"1(select*from(select(sleep(5)))d)",
	"1 AND (SELECT 1234 FROM(SELECT COUNT(*),CONCAT(0x71,(SELECT (ELT(1234=1234,1))),0x71,FLOOR(RAND(0)*2))x FROM INFORMATION_SCHEMA.PLUGINS GROUP BY x)a)",
	"1' AND extractvalue(rand(),concat(0x3a,(SELECT concat(0x3a,schema_name) FROM information_schema.schemata LIMIT 0,1)))-- -",
	"1 AND 1234=CONVERT(INT,(SELECT CHAR(113)+CHAR(118)+(SELECT (CASE WHEN (1234=1234) THEN CHAR(49) ELSE CHAR(48) END))))",
	"1 AND 1234=CTXSYS.DRITHSX.SN(1234,(CHR(113)||CHR(118)))",
	"1,exp(~(select * from (select user())x))",
	"' || (SELECT '' FROM dual) || '",
	// time delays
	"SLEEP(5)--",
	"&&SLEEP(5)#",
	"1 AND 1234=BENCHMARK(5000000,MD5(0x41414141))",
	"1 AND 1234=(SELECT 1234 FROM PG_SLEEP(5))",
	"1'; WAITFOR DELAY '0:0:5'--",
	"1 AND 1234=DBMS_PIPE.RECEIVE_MESSAGE(CHR(65)||CHR(66),5)",
	"1 AND 1234=LIKE(CHAR(65,66,67),UPPER(HEX(RANDOMBLOB(500000000/2))))",
	"' || pg_sleep(10)--",
	// stacked and break-out statements
	"1; DROP TABLE users--",
	"1;DECLARE @x CHAR(9);SET @x=0x303a303a35;WAITFOR DELAY @x--",
	"'; exec master..xp_cmdshell 'ping 127.0.0.1'--",
	"exec ('select 1')",
	"exec(@cmd)",
	"admin' || '1",
	"admin'--ab'",
	"';exec'xp_cmdshell 'dir''--",
	"'; exec 'select 1'--",
	"CREATE FUNCTION hello (s CHAR(20)) RETURNS CHAR(50) DETERMINISTIC RETURN CONCAT('Hello, ',s,'!');",
	"x' --x",
	"x'+'y",
	"exec (N'select name from sys.tables')",
	"'; INSERT INTO users VALUES ('hacker','pw'); --",
	"1';select case when 6555=7349 then 1 else null end--",
	"' grant connect to name; grant resource to name; --",
	// a procedure called on SQL's own functions: a regular expression's
	// denial of service (SecLists' quick-SQLi)
	";CALL REGEXP_SUBSTRING(REPEAT(RIGHT(CHAR(7618),0),500000000),NULL)",
	"select @@version",
	// a call that delays or tests a condition alone (sqlmap's
	// boolean-based payloads)
	"sleep(5)",
	"pg_sleep(5)",
	"elt(2567=9921,9921)",
	"iif(2976=2976,1,1/0)",
	// a comment after a break-out
	"admin'--",
	"admin' #",
	"1')--",
}

// Benign values that share tokens with SQL: none may reach 0.9.
var sqliBenign = []string{
	"case when the weather is nice then we go out",
	"if (a == b) { return 1; }",
	"when 2 = 2 I stop",
	"if 1 = 1 holds, the test is moot",
	"exec (",          // the CRS's 933150 false-positive test
	"Exec (Director)", // a title
	"We are done; call me (tomorrow, after noon)",
	"the exec (executive) board met", // libinjection's nT(n
	"* Install sysusers.d and tmpfiles.d man pages in standalone packages (Closes: #1021933)", // systemd's folder
	// a quoted keyword, C's select() and build logs' relative paths
	"If the `exec' builtin fails, and the shell does not exit, the fd is closed",
	"* Remove unnecessary 'exec' instructions before 'noop'",
	"Fix a hang due to use of `select()` rather than `poll()`",
	// quoted command-line options: a quote, "--" and a name, a quote
	"The '--warning' command line option allows to suppress particular warning messages",
	"`--with-mpfr' Build GDB with GNU MPFR, a library for multiple-precision floating-point computation.",
	"- `--host=foo` overrides `PIP_HOST=foo`",
	"The \"--regex\" option of locate now assumes the regular expression to be in the same syntax",
	// changelog lines quoting a symbol: libinjection's "sos"
	"[ Simon McVittie ] * Add patch to fix display of URLs containing '&' in avahi-discover * Standards-Version: 4.6.0",
	"- booleansearchparser.py added to examples directory, PR submitted by xecgr. Builds on searchparser.py, adding support for '*' wildcards and non-Western alphabets.",
	"2. Fix the parser so that a lone \"|\" is an error, as the \"&\" is",
	"cut now diagnoses the '-' in \"cut -f -\" as an invalid range, rather than interpreting it as the last field.",
	"* debian/rules (CONFLICTS): remove spurious '|' from the list",
	`"No good deed goes unpunished." -- Clare Booth Luce`,
	"I call them as I see them. If I can't see them, I make them up. -- Biff Barf",
	"Tr0ub4dor&3'--",
	"O'Brien",
	"rock and roll or jazz",
	"50% off -- today",
	"select a size",
	"Select all that apply",
	"Select right size",
	"union of workers",
	"The union select committee met today",
	"drop me a line",
	"price < 100 and rating > 4",
	"true or false",
	"I have 2 or 3 cats",
	"having 2 or more pets",
	"Order by 5pm for same-day delivery",
	"sleep(8) hours a night",
	// one function called on plain numbers: SVG transforms, math
	"translate(-58.849156,-94.408659)",
	"max(3,4)",
	"translate(10, 20.5)",
	"cats and (dogs or birds)",
	"1 or 2 or 3",
	"where x = 1 and y = 2",
	"If a=b and b=c then a=c",
	"He said 'yes' or 'no' -- I forget",
	"The Who's \"Tommy\" -- a rock opera",
	"It's 5' 11\" tall",
	"C# or F# -- which one?",
	"Call me at 555-1234 -- John",
	"Insert into slot A, then press",
	"drop table tennis",
	"create user account",
	"Don't worry, be happy -- Bobby McFerrin",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"2020-01-01 --",
	"we're #1 -- again",
	"all fortran programs look like `firsts') -- Olaf Kirch",
	"And this is good old Boston, the home of the bean and the cod",
	"I don't know half of you half as well as I should like; and I like less than half of you",
}

func TestSQLiAttacks(t *testing.T) {
	for _, v := range sqliAttacks {
		if s := sqliBest(t, threat.SourceQuery, v); s.Confidence < 0.99 {
			t.Errorf("%q: best %s %.2f, want >= 0.99", v, s.Rule, s.Confidence)
		}
	}
}

func TestSQLiBenign(t *testing.T) {
	for _, v := range sqliBenign {
		for _, src := range []threat.Source{threat.SourceQuery, threat.SourceHeader} {
			if s := sqliBest(t, src, v); s.Confidence >= 0.9 {
				t.Errorf("%q: %s %.2f (%q), want < 0.9", v, s.Rule, s.Confidence, s.Evidence)
			}
		}
	}
}

// A header value arrives as sent: the family decodes it as the view decodes
// a parameter.
func TestSQLiEncodedHeader(t *testing.T) {
	for _, v := range []string{"%27%20OR%201%3D1--%20", "'),NULL)%20waitfor%20delay%20'0:0:20'%20--", "1%20UNION%20SELECT%20NULL,NULL--"} {
		if s := sqliBest(t, threat.SourceHeader, v); s.Confidence < 0.99 {
			t.Errorf("header %q: best %s %.2f, want >= 0.99", v, s.Rule, s.Confidence)
		}
	}
}

// Payloads after padding or prose, and windows of a long value that start
// in the middle of a word or a string, are found where the injection
// starts; libinjection only reads the start of what it is given.
func TestSQLiMidValue(t *testing.T) {
	pad := strings.Repeat("A", 9000)
	prose := strings.Repeat("It's a great product and I'd buy it again, or so I thought. ", 40)
	for _, c := range []string{
		pad + " UNION SELECT 1,2,3--",
		pad + "' UNION SELECT password FROM users--",
		pad + " HAVING 1=1",
		pad + "')) or pg_sleep(5)--",
		"great product' OR 1=1--",
		"It's a great product, I don't regret it' OR 1=1--",
		prose + "' OR 1=1--",
		prose + "1; DROP TABLE users--",
		prose + "' AND extractvalue(1,concat(0x7e,version()))-- -",
		"ing in the middle of a string' UNION ALL SELECT NULL,NULL--",
		"dle of the value\" or \"1\"=\"1",
	} {
		if s := sqliBest(t, threat.SourceForm, c); s.Confidence < 0.99 {
			t.Errorf("...%q: best %s %.2f, want >= 0.99", c[max(0, len(c)-60):], s.Rule, s.Confidence)
		}
	}
	if s := sqliBest(t, threat.SourceForm, prose); s.Confidence >= 0.9 {
		t.Errorf("prose alone: %s %.2f (%q)", s.Rule, s.Confidence, s.Evidence)
	}
}

// The scan is linear in the value: inputs built to make lookahead and
// bracket or string matching rescan the value finish quickly at 512 KiB
// (a quadratic scan would take hours).
func TestSQLiLinear(t *testing.T) {
	for _, unit := range []string{"' or (", "((((", "or or ", "'", "/*", "select ", "union ", "' or '",
		"or 1=(", "order by (", "a;", "--", "@@", "sleep(", "1 and '", "\"'`", "a.b.", "/*!"} {
		v := strings.Repeat(unit, (512<<10)/len(unit))
		start := time.Now()
		sqliBest(t, threat.SourceForm, v)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%q x %d: %v", unit, len(v)/len(unit), d)
		}
	}
}

func TestSQLLexer(t *testing.T) {
	type tk struct {
		kind sqlKind
		text string
	}
	for _, c := range []struct {
		in   string
		want []tk
	}{
		{"1union select", []tk{{sNum, "1"}, {sWord, "union"}, {sWord, "select"}}},
		{"3pm or 1st", []tk{{sWord, "3pm"}, {sWord, "or"}, {sWord, "1st"}}},
		{"UNION/**/SELECT/*!50000 1*/", []tk{{sWord, "UNION"}, {sWord, "SELECT"}, {sNum, "1"}}},
		{"union+select", []tk{{sWord, "union"}, {sWord, "select"}}},
		{"a%20or%0a1", []tk{{sWord, "a"}, {sWord, "or"}, {sNum, "1"}}},
		{"@@version<>0x7e--x", []tk{{sVar, "@@version"}, {sOp, "<>"}, {sNum, "0x7e"}, {sComment, "--"}, {sWord, "x"}}},
		{"'a'||\"b\"", []tk{{sQuote, "'"}, {sWord, "a"}, {sQuote, "'"}, {sOp, "||"}, {sQuote, "\""}, {sWord, "b"}, {sQuote, "\""}}},
		{"x/* open", []tk{{sWord, "x"}, {sComment, "/*"}, {sWord, "open"}}},
	} {
		lx := newSQLLexer(c.in)
		var got []tk
		for p := 0; ; {
			tok := lx.next(p)
			if tok.kind == sEnd {
				break
			}
			got = append(got, tk{tok.kind, c.in[tok.i:tok.j]})
			p = tok.j
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: tokens %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: token %d %v, want %v", c.in, i, got[i], c.want[i])
			}
		}
	}
}

func FuzzSQLi(f *testing.F) {
	for _, v := range sqliAttacks {
		f.Add(v)
	}
	for _, v := range sqliBenign {
		f.Add(v)
	}
	f.Add("/*!12345'*/ or/**/'1'='1'#\x00")
	f.Fuzz(func(t *testing.T, v string) {
		lx := newSQLLexer(v)
		for p, n := 0, 0; ; n++ {
			tok := lx.next(p)
			if tok.kind == sEnd {
				break
			}
			if tok.i < p || tok.j <= tok.i || tok.j > len(v) || n > len(v) {
				t.Fatalf("%q: token %+v after %d", v, tok, p)
			}
			p = tok.j
		}
		for _, src := range []threat.Source{threat.SourceQuery, threat.SourceHeader} {
			s := sqliBest(t, src, v)
			for i := 0; i < len(s.Evidence); i++ {
				if c := s.Evidence[i]; c < 0x20 || c >= 0x7f {
					t.Fatalf("unprintable evidence %q", s.Evidence)
				}
			}
		}
	})
}

// FuzzPlainNumberCall: what plainNumberCall calls a call on plain numbers
// is a name, one bracketed list of numbers and spaces.
func FuzzPlainNumberCall(f *testing.F) {
	for _, s := range []string{"translate(1,2)", "elt(1=1,1)", "max(3,4) ", "f(1)x", "(1)", "sleep(", "a.b(-1.5, +2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if !plainNumberCall(w) {
			return
		}
		o := strings.IndexByte(w, '(')
		c := strings.IndexByte(w, ')')
		if o <= 0 || c < o || strings.Trim(w[o+1:c], "0123456789-+., ") != "" || strings.TrimSpace(w[c+1:]) != "" {
			t.Fatalf("%q read as a call on plain numbers", w)
		}
	})
}
