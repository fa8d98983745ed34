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

// searchKeyword returns the type of key in sqlKeywords, case-folded as
// upstream folds it, or byteNull. (Upstream takes the map as a parameter;
// here it is always sqlKeywords, which keyFilter is built from.)
func searchKeyword(key string) byte {
	if n := len(key); n > 0 && n <= tokenSize && asciiOnly(key) {
		// keyFilter reads three bytes of the key, upper-cased: most words
		// of prose stop there, before the key is copied
		if !mayBeKey(upperASCII(key[0]), upperASCII(key[n/2]), upperASCII(key[n-1]), n) {
			return byteNull
		}
		// upper-cased into a buffer on the stack: a map index with
		// string(b) does not allocate, and strings.ToUpper allocated for
		// every key with a lower-case letter
		var buf [tokenSize]byte
		b := buf[:n]
		for i := range b {
			b[i] = upperASCII(key[i])
		}
		if val, ok := sqlKeywords[string(b)]; ok {
			return val
		}
		return byteNull
	}
	// Other keys go through strings.ToUpper, whose Unicode case mapping
	// makes some of them ASCII keywords ("unıon", with a dotless i, reads
	// as UNION).
	if val, ok := sqlKeywords[strings.ToUpper(key)]; ok {
		return val
	}
	return byteNull
}

// upperASCII upper-cases an ASCII letter.
func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c
}

// asciiOnly reports whether s has no byte above 0x7f.
func asciiOnly(s string) bool {
	var or byte
	for i := 0; i < len(s); i++ {
		or |= s[i]
	}
	return or < utf8.RuneSelf
}

// keyFilter has a bit set for the keyFilterHash of every upper-case
// ASCII key of sqlKeywords, the only map searchKeyword is given: a word
// whose bit is clear is no key, and costs no map lookup. With the
// table's keys and fingerprints about one bit in fifty is set.
var keyFilter = func() *[1 << 16 / 64]uint64 {
	var f [1 << 16 / 64]uint64
	for k := range sqlKeywords {
		if n := len(k); n > 0 {
			h := keyFilterHash(k[0], k[n/2], k[n-1], n)
			f[h/64] |= 1 << (h % 64)
		}
	}
	return &f
}()

// keyFilterHash mixes a key's length and its first, middle and last
// bytes into 16 bits.
func keyFilterHash(first, mid, last byte, n int) uint32 {
	x := uint32(first) | uint32(last)<<8 | uint32(mid)<<16 | uint32(n)<<24
	return (x * 0x9e3779b1) >> 16
}

// mayBeKey reports whether a key of n bytes (upper-case ASCII) whose
// first, middle and last bytes are these may be a key of sqlKeywords:
// false means it is not.
func mayBeKey(first, mid, last byte, n int) bool {
	h := keyFilterHash(first, mid, last, n)
	return keyFilter[h/64]&(1<<(h%64)) != 0
}
