package signature_test

import "testing"

// TestSQLiCodeIfIsNotMySQLsIf: a value that opens with C's, JavaScript's
// or CMake's if (a condition in brackets with no comma, then a block or a
// call) is code, though libinjection reads "if(" as MySQL's IF(); MySQL's
// IF() has three arguments, and T-SQL's IF runs a statement.
func TestSQLiCodeIfIsNotMySQLsIf(t *testing.T) {
	attacks := []familyCase{
		{"q", "if(1=1,sleep(5),0)", 0.99},
		{"q", "if (1=1) waitfor delay '0:0:5'--", 0.99},
		{"q", "if(now()=sysdate(),sleep(3),0)", 0.99},
		{"q", "1 and if(1=1,1,0)", 0.99},
		{"q", "if (1=1) exec('xp_cmdshell dir')", 0.99},
		{"q", "if(ascii(substr(database(),1,1))>100) select 1", 0.99},
	}
	benign := []familyCase{
		{"q", "if (width > PNG_UINT_32_MAX/pixel_size) png_error (png_ptr, \"Image is too wide\");", 0},
		{"q", "if(NOT Intl_FOUND) add_compile_definitions(NO_GETTEXT) endif()", 0},
		{"q", "if (process.getuid && process.setuid) { console.log(process.getuid()); }", 0},
		{"q", "/* guard against overflow */ if (height > MAX/(sizeof (png_byte))) png_error(png_ptr, \"too large\");", 0},
		{"q", "if(WIN32) if(NOT MSVC) set(EXE windres) endif() endif()", 0},
	}
	checkFamily(t, "sqli", attacks, benign, 0.9)
}
