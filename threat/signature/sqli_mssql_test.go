package signature_test

import "testing"

// TestSQLiControlBlanksAndBulkInsert: SQL Server reads the control bytes
// 0x01-0x1f as blanks (sqlmap's space2mssqlblank and space2randomblank),
// so a value whose only separators are such bytes is read as SQL like one
// with spaces; and "bulk insert <table> from '<path>'" reads a server file
// whatever comes before it. Prose with a form feed, and a bulk insert from
// a string that holds no path, are not the shape.
func TestSQLiControlBlanksAndBulkInsert(t *testing.T) {
	attacks := []familyCase{
		{"q", "\fORDER\fBY\f15\f", 0.99},
		{"q", "\x03ORDER\x0fBY\v13\x06", 0.99},
		{"q", "\x04UNION\x0fALL\x04SELECT\x031", 0.99},
		{"q", "\for\ftrue", 0.99},
		{"q", "create table myfile (line varchar(8000))\" bulk insert foo from 'c:\\inetpub\\wwwroot\\auth.asp'\" select * from myfile\"--", 0.99},
		{"q", "create#6tjpH6\ntable#xgvkru\nmyfile#BkllU7\n(line#LI2MWR\nvarchar(8000))\" bulk insert foo from 'c:\\inetpub\\wwwroot\\auth.asp'\"#dgydT5\nselect", 0.99},
		{"q", "x'; bulk insert t from '/etc/passwd'--", 0.99},
	}
	benign := []familyCase{
		{"q", "We bulk insert rows from 'csv' files", 0},
		{"q", "Chapter one\fThe order by which we live\fPage two", 0},
		{"q", "bulk insert is faster than row by row", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}

// TestSQLiPercentage: ASP drops a '%' that starts no escape, so sqlmap's
// percentage tamper sends "%U%N%I%O%N %S%E%L%E%C%T" to an ASP page as
// UNION SELECT. Prose with a few percentages is not the shape.
func TestSQLiPercentage(t *testing.T) {
	attacks := []familyCase{
		{"q", "1 %U%N%I%O%N %S%E%L%E%C%T 1,2--", 0.99},
		{"q", "%' %O%R %1%=%1%-%-", 0.99},
		{"q", "1##%1%2%3%' %L%I%M%I%T %1%,%1 %U%N%I%O%N %A%L%L %S%E%L%E%C%T %C%O%N%C%A%T%(%0%x%3%a", 0.99},
	}
	benign := []familyCase{
		{"q", "50% off, 20% more and 30% less or so", 0},
		{"q", "Select 100% cotton, 50% wool or 10% silk", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
