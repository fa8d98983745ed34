package decode

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// MinEncoded is the shortest base64 or hex token Text decodes: six bytes
// of text, as in "<svg/x" or "' or 1".
const MinEncoded = 8

// Encoded reports whether s could be a base64 or hex token that Text
// decodes: at least MinEncoded bytes of one alphabet, nothing else, of a
// length that alphabet allows. It is a cheap test before Text.
func Encoded(s string) bool {
	if len(s) < MinEncoded {
		return false
	}
	if t, ok := hexLiteral(s); ok {
		return len(t) >= MinEncoded && len(t)%2 == 0 && isHex(t)
	}
	end := len(s)
	for end > 0 && s[end-1] == '=' {
		end--
	}
	hexLen := end == len(s) && len(s)%2 == 0
	if !hexLen && (len(s)-end > 2 || end%4 == 1) {
		return false // no length base64 or hex takes
	}
	// the first bytes decide for most tokens, before a pass over all
	fits := byte(alphaHex | alphaStd | alphaURL)
	for i := 0; i < 4; i++ {
		fits &= alphabet[s[i]]
	}
	if fits&alphaHex != 0 && hexLen {
		hi, _ := unhex(s[0])
		lo, _ := unhex(s[1])
		hi2, _ := unhex(s[2])
		lo2, _ := unhex(s[3])
		if !textByte(hi<<4|lo) || !textByte(hi2<<4|lo2) {
			fits &^= alphaHex
		}
	}
	if fits&(alphaStd|alphaURL) != 0 {
		b0, b1, b2, b3 := b64[s[0]], b64[s[1]], b64[s[2]], b64[s[3]]
		if !textByte(b0<<2|b1>>4) || !textByte(b1<<4|b2>>2) || !textByte(b2<<6|b3) {
			fits &^= alphaStd | alphaURL
		}
	}
	if fits == 0 {
		return false
	}
	// one pass: the alphabets s's bytes fit
	digits := true
	for i := 0; i < end; i++ {
		c := s[i]
		fits &= alphabet[c]
		if fits == 0 {
			return false
		}
		digits = digits && '0' <= c && c <= '9'
	}
	if digits {
		return false // a number (an id, a card, a phone): never a token
	}
	if fits&alphaHex != 0 && hexLen {
		return true
	}
	return fits&(alphaStd|alphaURL) != 0 && end%4 != 1 && len(s)-end <= 2
}

// Alphabet bits: the encodings a byte belongs to.
const (
	alphaHex = 1 << iota
	alphaStd // base64, standard ('+' '/', and ' ' for a '+' a form decoder turned into a space)
	alphaURL // base64, URL-safe ('-' '_')
)

var alphabet, b64 = func() (t, v [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case 'A' <= c && c <= 'Z':
			t[c], v[c] = alphaStd|alphaURL, byte(c-'A')
		case 'a' <= c && c <= 'z':
			t[c], v[c] = alphaStd|alphaURL, byte(c-'a'+26)
		case '0' <= c && c <= '9':
			t[c], v[c] = alphaHex|alphaStd|alphaURL, byte(c-'0'+52)
		}
		if 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' {
			t[c] |= alphaHex
		}
	}
	t['+'], v['+'] = alphaStd, 62
	t[' '], v[' '] = alphaStd, 62
	t['/'], v['/'] = alphaStd, 63
	t['-'], v['-'] = alphaURL, 62
	t['_'], v['_'] = alphaURL, 63
	return t, v
}()

// textByte reports a byte attack text starts with: printable ASCII, tab,
// line breaks. (Text decodes what follows more leniently.)
func textByte(c byte) bool {
	return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r'
}

// Text decodes s when it is one base64 token (standard or URL alphabet,
// padded or not; a space stands for '+', as a form decoder leaves it) or
// one hex token, not all digits (numbers are numbers), and what it
// decodes to is text that could carry an attack: printable ASCII, tabs,
// line breaks and valid UTF-8, with at least one byte of the punctuation
// attacks are made of. Random tokens, hashes,
// session ids and binary data decode to no such text, so that encoded
// values are read without turning a token into a finding. It appends to
// dst and returns the text and "base64" or "hex", or nil and "".
func Text(dst []byte, s string) ([]byte, string) {
	if len(s) < MinEncoded {
		return nil, ""
	}
	if t, ok := hexLiteral(s); ok {
		// SQL's hexadecimal string literal: 0x77616974666f72 is "waitfor",
		// what SET @s=0x...;EXEC(@s) runs; 0x770061006900 the same
		// spelled in UTF-16 (an NVARCHAR)
		if len(t) < MinEncoded || len(t)%2 != 0 || !isHex(t) || cap(dst)-len(dst) < len(t)/2 {
			return nil, ""
		}
		out := dst[len(dst) : len(dst)+len(t)/2]
		for i := range out {
			hi, _ := unhex(t[2*i])
			lo, _ := unhex(t[2*i+1])
			out[i] = hi<<4 | lo
		}
		out = squeezeUTF16(out)
		if attackText(out) {
			return out, "hex"
		}
		return nil, ""
	}
	if isHex(s) && len(s)%2 == 0 && !allDigits(s) {
		n := len(s) / 2
		if cap(dst)-len(dst) >= n {
			out := dst[len(dst) : len(dst)+n]
			for i := range out {
				hi, _ := unhex(s[2*i])
				lo, _ := unhex(s[2*i+1])
				out[i] = hi<<4 | lo
			}
			if attackText(out) {
				return out, "hex"
			}
		}
	}
	url, ok := base64Alphabet(s)
	if !ok || allDigits(s) {
		return nil, ""
	}
	// strip the padding, turn spaces back into '+'
	end := len(s)
	for end > 0 && s[end-1] == '=' {
		end--
	}
	if len(s)-end > 2 || end%4 == 1 {
		return nil, ""
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	n := enc.DecodedLen(end)
	if cap(dst)-len(dst) < n {
		return nil, ""
	}
	out := dst[len(dst) : len(dst)+n]
	// the decoder only reads its input: s's bytes serve, unless spaces
	// must turn back into '+'
	in := unsafe.Slice(unsafe.StringData(s), end)
	if strings.IndexByte(s[:end], ' ') >= 0 {
		var small [512]byte
		if end <= len(small) {
			in = small[:end]
		} else {
			in = make([]byte, end)
		}
		copy(in, s[:end])
		for i, c := range in {
			if c == ' ' {
				in[i] = '+'
			}
		}
	}
	k, err := enc.Decode(out, in)
	if err != nil || !attackText(out[:k]) {
		return nil, ""
	}
	return out[:k], "base64"
}

// base64Alphabet reports whether s is made of one base64 alphabet's bytes
// ('=' only at its end), and whether that is the URL alphabet.
func base64Alphabet(s string) (url, ok bool) {
	std := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '+' || c == '/' || c == ' ':
			std = true
		case c == '-' || c == '_':
			url = true
		case c == '=':
			for j := i; j < len(s); j++ {
				if s[j] != '=' {
					return false, false
				}
			}
			return url, !(url && std)
		default:
			return false, false
		}
	}
	return url, !(url && std)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// attackText reports whether b is text with some punctuation in it.
// hexLiteral returns the digits of a "0x" literal.
func hexLiteral(s string) (string, bool) {
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' {
		return s[2:], true
	}
	return "", false
}

// squeezeUTF16 turns UTF-16LE text of ASCII (every second byte zero, the
// last one included) into ASCII in place, and returns b otherwise.
func squeezeUTF16(b []byte) []byte {
	if len(b) < 2 || len(b)%2 != 0 {
		return b
	}
	for i := 1; i < len(b); i += 2 {
		if b[i] != 0 || b[i-1] == 0 {
			return b
		}
	}
	for i := 0; i < len(b)/2; i++ {
		b[i] = b[2*i]
	}
	return b[:len(b)/2]
}

func attackText(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	punct, high, nul := false, false, false
	for i, c := range b {
		switch {
		case c == 0 && !nul && i > 0 && i < len(b)-1:
			// one NUL inside the text: an evasion's, splitting a keyword
			// for a filter that stops at it ("<scr\0ipt", "un\0ion");
			// binary data holds more of them, or other control bytes
			nul = true
		case c >= 0x80:
			high = true
		case c == '\r':
			// a carriage return: a line break of HTTP and mail, where an
			// injected header or command starts ("\r\nQUIT\r\n");
			// text typed on one system or another rarely holds one
			punct = true
		case c == '\t' || c == '\n':
		case c < 0x20 || c == 0x7f:
			return false
		case attackPunct[c]:
			punct = true
		}
	}
	return punct && (!high || utf8.Valid(b))
}

var attackPunct = func() (t [256]bool) {
	for _, c := range "'\"<>;|&$(){}[]\\/=%`*#@!:" {
		t[c] = true
	}
	return t
}()
