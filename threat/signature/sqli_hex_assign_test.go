package signature_test

import "testing"

// TestSQLiHexAssignedToAVariable: T-SQL's statements need no separator,
// so a SELECT or SET that gives a variable a long hex string (the
// obfuscated command of the DECLARE ... EXEC(@q) injections) counts
// wherever it stands, in a value or a path; a short hex number or a
// sentence is not one.
func TestSQLiHexAssignedToAVariable(t *testing.T) {
	attacks := []familyCase{
		{"q", "x declare @q nvarchar (200) select @q = 0x770061006900740066006F0072002000640065006C0061007900 exec(@q)", 0.99},
		{"q", "1) set @S = cast(0x4400450043004C0041005200450020 as varchar(255)) exec(@S)", 0.99},
		{"path", "/are%20@q%20nvarchar%20(200)%20select%20@q%20=%200x770061006900740066006F00720020%20exec(", 0.99},
	}
	benign := []familyCase{
		{"q", "We select @home = 0x1F in the config", 0},
		{"q", "the colour set @ 0xFFFFFFFFFFFFFFFF is white", 0},
		{"q", "please select @alice = the owner of 0x77006100 block", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
