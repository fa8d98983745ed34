package body

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// DecodeCharset returns b as UTF-8 when it is text in a charset whose
// bytes do not read as ASCII: UTF-16 or UTF-32 (by byte order mark, by the
// declared charset, or by the NUL bytes between ASCII letters), EBCDIC
// (IBM037 and kin, a known way past filters that read bytes as ASCII) and
// other declared charsets that move the ASCII letters. Text in an ASCII
// superset (Latin-1, windows-1252, Shift_JIS ...) is returned as it is:
// its ASCII bytes, where attacks live, read the same. It returns at most
// max bytes, and ErrTooLarge past them. The second result reports
// whether b was decoded.
func DecodeCharset(b []byte, charset string, max int) ([]byte, bool, error) {
	var enc encoding.Encoding
	skip := 0
	switch {
	case len(b) >= 4 && string(b[:4]) == "\xff\xfe\x00\x00":
		enc, skip = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), 4
	case len(b) >= 4 && string(b[:4]) == "\x00\x00\xfe\xff":
		enc, skip = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), 4
	case len(b) >= 2 && string(b[:2]) == "\xff\xfe":
		enc, skip = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), 2
	case len(b) >= 2 && string(b[:2]) == "\xfe\xff":
		enc, skip = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), 2
	case len(b) >= 3 && string(b[:3]) == "\xef\xbb\xbf":
		return b[3:], true, nil
	default:
		if order := utf16Order(b); order != 0 {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
			if order == 'b' {
				enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
			}
		} else if charset != "" && !wideCharset(charset) {
			// a UTF-16 or UTF-32 declaration over bytes that do not
			// look it (the XML declaration of an ASCII document says
			// "utf-16" as often as not) is not believed
			enc = lookupCharset(charset)
		}
	}
	if enc == nil {
		return b, false, nil
	}
	out, err := readMax(transform.NewReader(bytes.NewReader(b[skip:]), enc.NewDecoder()), max)
	if err != nil && err != ErrTooLarge {
		return b, false, nil
	}
	return out, true, err
}

// Exotic reports whether charset names a known charset that moves the
// ASCII letters (EBCDIC and kin): text declared in it reads differently to
// a backend that honours the declaration and to one that does not.
// UTF-16 and UTF-32 are recognised by their bytes instead.
func Exotic(charset string) bool {
	return charset != "" && !wideCharset(charset) && lookupCharset(charset) != nil
}

// DecodeString decodes s from charset (see Exotic) to UTF-8, at most max
// bytes of it; it reports false when charset is not exotic or s does not
// decode.
func DecodeString(s, charset string, max int) (string, bool) {
	if !Exotic(charset) {
		return "", false
	}
	out, err := readMax(transform.NewReader(strings.NewReader(s), lookupCharset(charset).NewDecoder()), max)
	if err != nil && err != ErrTooLarge {
		return "", false
	}
	return string(out), true
}

// utf16Order sniffs UTF-16 text without a byte order mark: 'l' when most
// odd bytes of its start are NUL and even ones are not (little endian
// ASCII), 'b' for the reverse, 0 otherwise.
func utf16Order(b []byte) byte {
	n := min(len(b), 256) &^ 1
	if n < 4 || bytes.IndexByte(b[:n], 0) < 0 {
		// no NUL, the common case, found a vector at a time: neither
		// count below could reach three quarters
		return 0
	}
	evenNUL, oddNUL := 0, 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			evenNUL++
		}
		if b[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := n / 2
	switch {
	case oddNUL*4 >= pairs*3 && evenNUL*8 < pairs:
		return 'l'
	case evenNUL*4 >= pairs*3 && oddNUL*8 < pairs:
		return 'b'
	}
	return 0
}

// wideCharset reports UTF-16, UTF-32 and UCS-2 names.
func wideCharset(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "utf-16") || strings.Contains(n, "utf16") || strings.Contains(n, "utf-32") ||
		strings.Contains(n, "utf32") || strings.Contains(n, "ucs-2") || strings.Contains(n, "ucs2") ||
		strings.Contains(n, "unicode")
}

// charsets caches the decoders of the charsets that move ASCII (nil for
// those that keep it). Only names the indexes know are stored, so an
// attacker cannot grow it.
var charsets sync.Map

func lookupCharset(name string) encoding.Encoding {
	if len(name) > 64 {
		return nil
	}
	name = strings.ToLower(strings.Trim(name, "\" '"))
	switch name {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252":
		return nil
	}
	if e, ok := charsets.Load(name); ok {
		enc, _ := e.(encoding.Encoding)
		return enc
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		enc, err = htmlindex.Get(name)
		if err != nil || enc == nil {
			return nil
		}
	}
	var keep encoding.Encoding
	if !keepsASCII(enc) {
		keep = enc
	}
	charsets.Store(name, keep)
	return keep
}

// keepsASCII reports whether enc decodes the printable ASCII bytes to
// themselves.
func keepsASCII(enc encoding.Encoding) bool {
	var ascii [95]byte
	for i := range ascii {
		ascii[i] = byte(' ' + i)
	}
	out, err := enc.NewDecoder().Bytes(ascii[:])
	return err == nil && string(out) == string(ascii[:]) && utf8.Valid(out)
}
