package signature

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Unsigned JSON Web Tokens (CRS 934230): a token whose header names the
// algorithm "none" carries no signature, and a verifier that honours the
// header (CVE-2015-9235 and its many successors) takes whatever claims
// it holds. An issuer signs every token it hands out, so a client sends
// one only when it forged it. The header is the token's first part,
// base64url JSON: {"alg":"none","typ":"JWT"} is "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0".

// jwtHeaderMax bounds the encoded header read: real headers are tens of
// bytes, a few hundred with a key id and a certificate URL.
const jwtHeaderMax = 512

// jwtNone reports whether v is a JSON Web Token, alone or after an
// Authorization scheme ("Bearer ", "JWT "), whose header names the
// algorithm "none" in any case. It reads only values that open as a
// token does ("eyJ", the encoding of `{"`, or another '{').
func jwtNone(v string) bool {
	if len(v) < 20 {
		return false
	}
	if v[0] != 'e' {
		sp := strings.IndexByte(v[:9], ' ')
		if sp < 0 {
			return false
		}
		v = strings.TrimLeft(v[sp:], " ")
	}
	// '{' and a quote or space encode as "ey", '{' and a line break as "ew"
	if len(v) < 3 || v[0] != 'e' || v[1] != 'y' && v[1] != 'w' {
		return false
	}
	dot := strings.IndexByte(v, '.')
	if dot < 0 || dot > jwtHeaderMax {
		return false
	}
	seg := strings.TrimRight(v[:dot], "=")
	var buf [jwtHeaderMax * 3 / 4]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(seg))
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(buf[:], []byte(seg))
		if err != nil {
			return false
		}
	}
	return algNone(buf[:n])
}

// algNone reports whether h, a token's JSON header, sets "alg" to "none"
// in any case. Without escapes it is read in place, every "alg" key
// (a header may repeat one: parsers keep the first or the last); with
// escapes ("\u006eone") it is decoded as a JSON object.
func algNone(h []byte) bool {
	if bytes.IndexByte(h, '\\') >= 0 {
		var hd map[string]any
		if json.Unmarshal(h, &hd) != nil {
			return false
		}
		for k, a := range hd {
			if s, ok := a.(string); ok && strings.EqualFold(k, "alg") && strings.EqualFold(strings.TrimSpace(s), "none") {
				return true
			}
		}
		return false
	}
	for off := 0; off < len(h); {
		k := bytes.Index(h[off:], []byte(`"alg"`))
		if k < 0 {
			return false
		}
		i := off + k + 5
		off = i
		for i < len(h) && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n') {
			i++
		}
		if i >= len(h) || h[i] != ':' {
			continue
		}
		i++
		for i < len(h) && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n') {
			i++
		}
		if i < len(h) && h[i] == '"' {
			e := bytes.IndexByte(h[i+1:], '"')
			if e >= 0 && bytes.EqualFold(bytes.TrimSpace(h[i+1:i+1+e]), []byte("none")) {
				return true
			}
		}
	}
	return false
}
