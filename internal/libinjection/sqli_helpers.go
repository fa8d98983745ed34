package libinjection

import (
	"strings"
	"unicode/utf8"
)

func flag2Delimiter(flag int) byte {
	switch {
	case (flag & sqliFlagQuoteSingle) != 0:
		return byteSingle
	case (flag & sqliFlagQuoteDouble) != 0:
		return byteDouble
	default:
		return byteNull
	}
}

// OK! "	\"	" one backslash = escaped!
//
//		   "   \\"	" two backslash = not escaped!
//	    "  \\\"	" three backslash = escaped!
func isBackslashEscaped(str string) bool {
	count := 0
	for i := len(str) - 1; i >= 0; i-- {
		if str[i] == '\\' {
			count++
		} else {
			break
		}
	}
	// if number of backslashes is odd, it is escaped
	return count%2 != 0
}

func isDoubleDelimiterEscaped(str string) bool {
	return len(str) >= 2 && str[0] == str[1]
}

func isByteWhite(ch byte) bool {
	// ' '  space is 0x32
	// '\t  0x09 \011 horizontal tab
	// '\n' 0x0a \012 new line
	// '\v' 0x0b \013 vertical tab
	// '\f' 0x0c \014 new page
	// '\r' 0x0d \015 carriage return
	// 0x00 \000 null (oracle)
	// 0xa0 \240 is Latin-1
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r' || ch == '\240' || ch == '\000'
}

// Find the largest string containing certain characters.
//
// if accept is "ABC", then this function would be similar to
// regexp.match(str, "[ABC]*")
func strLenSpn(s string, length int, accept string) int {
	for i := 0; i < length; i++ {
		if s[i] == 0 {
			// C's strchr(accept, ch) also matches the NUL terminating
			// `accept`, so a NUL byte belongs to every accept set and does
			// not end the span: "0x<NUL>1" stays one hex number.
			continue
		}
		if strings.IndexByte(accept, s[i]) == -1 {
			return i
		}
	}

	return length
}

func strLenCSpn(s string, length int, accept []byte) int {
	for i := 0; i < length; i++ {
		if s[i] == 0 || accept[s[i]] == 1 {
			// Same strchr semantics, from the rejecting side: a NUL byte
			// ends every complement span, spelled out in the table or not.
			return i
		}
	}

	return length
}

// This detects MySQL comments, comments that
// start with /x! We just ban these now but
// previously we attempted to parse the inside.
//
// For reference:
// the form of /x![anything]x/ or /x!12345[anything]x/
//
// MySQL3 (maybe 4), allowed this:
//
//	/x!0selectx/ 1;
//
// where 0 could be any number
//
// The last version of MySQL 3 was in 2003.
//
// It is unclear if the MySQL 3 syntax was allowed
// in MySQL 4. The last version of MySQL 4 was in 2008.
func isMysqlComment(s string, pos int) bool {
	// so far...
	// s[pos] == '/' && s[pos+1] == '*'
	if pos+2 >= len(s) {
		return false
	}

	if s[pos+2] != '!' {
		return false
	}

	return true
}

func toUpperCmp(expectedUpper, s string) bool {
	if len(expectedUpper) != len(s) {
		return false
	}
	for i := 0; i < len(expectedUpper); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 0x20
		}
		if expectedUpper[i] != c {
			return false
		}
	}
	return true
}

func searchKeyword(key string, keywords map[string]byte) byte {
	// An ASCII key is upper-cased into a buffer on the stack: a map index
	// with string(b) does not allocate. strings.ToUpper allocated for
	// every key with a lower-case letter, which is most words of prose.
	var buf [tokenSize]byte
	if len(key) <= len(buf) {
		b := buf[:len(key)]
		ascii := true
		for i := 0; i < len(key); i++ {
			c := key[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b[i] = c
		}
		if ascii {
			if val, ok := keywords[string(b)]; ok {
				return val
			}
			return byteNull
		}
	}
	// Other keys go through strings.ToUpper, whose Unicode case mapping
	// makes some of them ASCII keywords ("unıon", with a dotless i, reads
	// as UNION).
	upperKey := strings.ToUpper(key)

	if val, ok := keywords[upperKey]; ok {
		return val
	}

	return byteNull
}
