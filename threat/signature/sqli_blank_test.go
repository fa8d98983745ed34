package signature_test

import "testing"

// TestSQLiNoBreakSpaceAsBlank: a no-break space between keywords, as
// sqlmap's space2mysqlblank tamper sends it (a Latin-1 0xa0) and as
// WAF-A-MoLE's mutations write it (U+00A0 in UTF-8), reads as the blank
// it stands for. Prose with no-break spaces (French punctuation, units,
// a name kept on one line) holds no SQL for it to join.
func TestSQLiNoBreakSpaceAsBlank(t *testing.T) {
	attacks := []familyCase{
		{"q", " UNION ALL\u00a0SELECT 1,2,3,4,5,6", 0.9},
		{"q", "-1/*OAtx3VEG*/UniOn SElECT\u00a01 InTO @,@,@", 0.9},
		{"q", "admin'\u00a0#hsey", 0.9},
		{"q", "\"/**/or\u00a0\"\"*\"", 0.9},
		{"q", "')\u00a0wAiTfor\fdelAy/**/'0:0:20' /* ", 0.9},
		{"q", "\xa0ORDER BY (SELECT\xa012)# ", 0.9},
		{"q", "1 UNION ALL\xa0SELECT user,password FROM users", 0.9},
		{"q", "1\u00a0UNION\u00a0SELECT\u00a0password\u00a0FROM\u00a0users", 0.9}, // no ASCII blank at all
		{"q", "1\xa0UNION\xa0SELECT\xa0password\xa0FROM\xa0users", 0.9},
	}
	benign := []familyCase{
		{"q", "Prix\u00a0: 10\u00a0€ or more, select the size\u00a0!", 0},
		{"q", "Union\u00a0Pacific select trains or buses", 0},
		{"q", "à la carte or à volonté: ORDER BY\u00a0phone", 0},
		{"q", "caf\u00e9\u00a0cr\u00e8me\u00a0br\u00fbl\u00e9e", 0},
		{"q", "Mr.\u00a0O'Brien and Mrs.\u00a0O'Neil -- friends", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiUnionSelectOfLiteralsInABoolean: a select list whose literal
// is joined by a boolean or a match ("union all select 'a' or 'b',2")
// is SQL's, as the one joined by '||' is. (A sentence that opens "union
// select" is read as SQL already, literals or not: it is no look-alike.)
func TestSQLiUnionSelectOfLiteralsInABoolean(t *testing.T) {
	attacks := []familyCase{
		{"q", " UNION ALL SELECT 'INJ' OR 'ECT'||'XXX',2,3,4,5,6,7,8", 0.9},
		{"q", " UNION ALL SELECT 'INJ' OR 'ECT' or 'XXX',2,3,4,5,6,7,8", 0.9},
		{"q", "union select 1 and 2", 0.9},
		{"q", "union select 'a' like 'a'", 0.9},
	}
	benign := []familyCase{
		{"q", "a union of 'tea' or 'coffee' drinkers", 0},
		{"q", "the union's 'tea' or 'coffee' vote", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiLineCommentAsBlank: a line comment that a line break ends, SQL
// going on after it, is a blank to SQL (sqlmap's space2hash for MySQL,
// space2dash for MSSQL and SQLite); one that runs to the end still cuts
// the query off. Markdown headings, hashtags and signatures over several
// lines are prose.
func TestSQLiLineCommentAsBlank(t *testing.T) {
	attacks := []familyCase{
		{"q", "1#xKpQ\nUNION#aBc\nSELECT#zz\n1,2,3", 0.9},
		{"q", "'#ukDCqo\nor#ivDpGm\n1=1#", 0.9},
		{"q", "select#zapBAo\n@@version", 0.9},
		{"q", "'--lbJhxd\nOR--dnGbGn\n'x'='x", 0.9},
		{"q", "1--x\nunion--y\nselect--z\nnull,null--", 0.9},
		{"q", "#fJtmFn\nOR#HfChJh\nx=x", 0.9},
		{"q", "#utifcz\nHAVING#JzIdzt\n1=1", 0.9},
		{"q", "--slAECF\nHAVING--ErEHmE\n1=1", 0.9},
		{"q", "#rtjjpu\nor#Hwkpum\n1=1--", 0.9},
		{"q", "admin'#", 0.9},
		{"q", "admin'-- ", 0.9},
	}
	benign := []familyCase{
		{"q", "# Heading\nSelect a size or colour from the list", 0},
		{"q", "Thanks --\nBob or Alice", 0},
		{"q", "#tbt\nthe union of two sets, or one", 0},
		{"q", "## Install\n\nRun make or make install -- then\nselect the target", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiMultibyteLeadBeforeBreakOut: a value whose break-out quote
// follows a byte above ASCII and is then cut off by a comment: the lead
// byte of a GBK character that swallows the backslash addslashes puts
// before the quote (sqlmap's unmagicquotes), or a name in another script.
// The same bytes in a sentence are prose.
func TestSQLiMultibyteLeadBeforeBreakOut(t *testing.T) {
	attacks := []familyCase{
		{"q", "admin\xbf' ---- -", 0.9},
		{"q", "admin\xbf' #-- -", 0.9},
		{"q", "\u7528\u6237' -- ", 0.9},
	}
	benign := []familyCase{
		{"q", "Caf\u00e9 'Le Monde' -- open late", 0},
		{"q", "\u00ab Bonjour \u00bb 'dit-il' -- Hugo", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiControlBytesAsBlanks: SQL Server reads the control bytes
// 0x01-0x1f as blanks (sqlmap's space2mssqlblank); so does the lexer.
// Text with a stray control byte holds no SQL for it to join.
func TestSQLiControlBytesAsBlanks(t *testing.T) {
	attacks := []familyCase{
		{"q", "')\x08waitfor\tdelay\x0e'0:0:20'\x0b--", 0.9},
		{"q", "1\x02union\x03select\x04@@version--", 0.9},
		{"q", "'\x07or\x061=1--", 0.9},
		{"q", "x'\x02HAVING\x0e1=1--\x03", 0.9},
	}
	benign := []familyCase{
		{"q", "line one\x1fline two or three", 0},
		{"q", "select\x01a size or colour\x02from the list", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiKeywordsSplitByComments: keywords split by empty comments, for
// an application that strips comments before it builds its query
// (sqlmap's randomcomments, which splits a keyword once or more; the CRS
// removes comments the same way). Code with such a comment, a glob's
// "**" between directories, or comments between words joins to no SQL.
func TestSQLiKeywordsSplitByComments(t *testing.T) {
	attacks := []familyCase{
		{"q", " U/**/NI/**/ON A/**/L/**/L S/**/ELEC/**/T 1,2,3-- ", 0.9},
		{"q", "' union (s/**/e/**/lect NULL, (s/**/e/**/l/**/e/**/c/**/t @@version)) --", 0.9},
		{"q", "-1 UNI/**/ON SELE/**/CT 1 I/**/NT/**/O @,@,@", 0.9},
		{"q", "' O/**/R 1=1-- ", 0.9},
		{"q", " UNI/**/ON ALL SELECT 1,2,3,4,5,6,7,8,9,10,11,12", 0.9},
		{"q", "&&S/**/LEEP(5)", 0.9},
	}
	benign := []familyCase{
		{"q", "int/**/x = 1; select a value or two", 0},
		{"q", "see /**/ and /**/ in C or SQL", 0},
		{"q", "match src/**/test or docs/**/index and select the files", 0},
		{"q", "a/**/or b/**/and c are globs, or/**/and in a path", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiLeadByteBeforeQuote: a byte above ASCII alone before a quote is
// sqlmap's unmagicquotes (in GBK the byte and the backslash addslashes puts
// before the quote are one character, and the quote closes the string).
// Prose in UTF-8 ends a character before a quote with a continuation byte
// after a lead byte, never after an ASCII one.
func TestSQLiLeadByteBeforeQuote(t *testing.T) {
	attacks := []familyCase{
		{"q", " UNION ALL SELECT \xbf'INJ'||'ECT'||'XXX',2,3,4-- -", 0.9},
		{"q", "\" waitfor delay \xbf'0:0:20' ---- -", 0.9},
		{"q", "1\xbf' AND SLEEP(5)-- -", 0.9},
	}
	benign := []familyCase{
		{"q", "Caf\u00e9' menu, or the na\u00efve 'select' \u2019union\u2019 -- a note", 0},
		{"q", "\u00bfQu\u00e9 tal?' dijo, and 'or' el otro", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
