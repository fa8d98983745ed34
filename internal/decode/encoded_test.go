package decode

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tt := range []struct {
		in, want, via string
	}{
		{base64.StdEncoding.EncodeToString([]byte("' or 1=1--")), "' or 1=1--", "base64"},
		{base64.RawURLEncoding.EncodeToString([]byte("<svg/onload=alert(1)>")), "<svg/onload=alert(1)>", "base64"},
		{strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte("a>>>?~~~b")), "+", " "), "a>>>?~~~b", "base64"},
		{hex.EncodeToString([]byte("../../etc/passwd")), "../../etc/passwd", "hex"},
		{base64.StdEncoding.EncodeToString([]byte("the quick brown fox")), "", ""},               // text, no punctuation
		{base64.StdEncoding.EncodeToString([]byte("two\nlines")), "", ""},                        // a line feed alone: text
		{base64.RawStdEncoding.EncodeToString([]byte("\r\nQUIT\r\n")), "\r\nQUIT\r\n", "base64"}, // a mail command injected
		// one NUL inside a keyword (gotestwaf's "<scr\0ipt"); SASL's
		// "\0user\0password" and binary data hold more, or at an end
		{base64.RawStdEncoding.EncodeToString([]byte("<scr\x00ipt/src=//x.example/x.js>")), "<scr\x00ipt/src=//x.example/x.js>", "base64"},
		{base64.StdEncoding.EncodeToString([]byte("\x00user\x00p@ss:word")), "", ""},
		{base64.StdEncoding.EncodeToString([]byte("a=b\x00c=d\x00e")), "", ""},
		{base64.StdEncoding.EncodeToString([]byte("<script>\x00")), "", ""},
		{"4f1c9a2e8b7d6c5a", "", ""},                 // a token
		{"d41d8cd98f00b204e9800998ecf8427e", "", ""}, // a hash
		{"password", "", ""},
		{"2226226735734653", "", ""}, // a card number reads as hex `"&"g5sFS`
		{"short", "", ""},
		{"YWJj+-_=", "", ""}, // mixed alphabets
		// SQL's hexadecimal literals, in ASCII and in UTF-16 (NVARCHAR)
		{"0x77616974666F722064656C61792027303A303A313027", "waitfor delay '0:0:10'", "hex"},
		{"0x770061006900740066006F0072002000640065006C006100790020002700300027002000", "waitfor delay '0' ", "hex"},
		{"0x5f1c9a2e8b7d6c5a4f1c9a2e8b7d6c5a4f1c9a2e", "", ""}, // an address of 20 bytes
		{"0x12345678", "", ""},
		{"0x", "", ""},
	} {
		var buf [256]byte
		got, via := Text(buf[:0], tt.in)
		if string(got) != tt.want || via != tt.via {
			t.Errorf("Text(%q) = %q, %q; want %q, %q", tt.in, got, via, tt.want, tt.via)
		}
	}
}

// FuzzText: Text never panics, writes only within dst's capacity, and
// what it decodes is what the standard decoders read.
func FuzzText(f *testing.F) {
	f.Add("JyBvciAxPTEtLQ==")
	f.Add("3c7376673e3c2f7376673e")
	f.Add("PHN2Zy9vbmxvYWQ9YWxlcnQoMSk-")
	f.Add("eyJhbGciOiJIUzI1NiJ9")
	f.Add("0x77616974666F722064656C61792027303A303A313027")
	f.Add("0x770061006900740066006F007200")
	f.Fuzz(func(t *testing.T, s string) {
		buf := make([]byte, 0, 64)
		out, via := Text(buf, s)
		switch via {
		case "":
			if out != nil {
				t.Fatal("text without a decoding")
			}
		case "hex":
			if d, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
				// the literal's bytes, or its UTF-16 squeezed
				raw, err := hex.DecodeString(d)
				if err != nil || string(raw) != string(out) && string(squeezeUTF16(raw)) != string(out) {
					t.Fatalf("hex literal %q from %q (%v)", out, s, err)
				}
				break
			}
			if !strings.EqualFold(hex.EncodeToString(out), s) {
				t.Fatalf("hex %q from %q", out, s)
			}
		case "base64":
			in := strings.ReplaceAll(strings.TrimRight(s, "="), " ", "+")
			want, err := base64.RawStdEncoding.DecodeString(in)
			if err != nil {
				want, err = base64.RawURLEncoding.DecodeString(in)
			}
			if err != nil || string(want) != string(out) {
				t.Fatalf("base64 %q from %q, want %q (%v)", out, s, want, err)
			}
		}
		if len(out) > cap(buf) {
			t.Fatal("past dst's capacity")
		}
	})
}
