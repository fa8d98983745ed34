package signature

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzAlgNone holds algNone to its definition: a header whose decoded
// JSON object has an "alg" of "none" in any case, read in place when it
// has no escapes. Whatever it is given it never panics.
func FuzzAlgNone(f *testing.F) {
	for _, s := range []string{`{"alg":"none"}`, `{"alg" : "NoNe","typ":"JWT"}`, `{"alg":"\u006eone"}`, `{"alg":"HS256","alg":"none"}`,
		`{"kid":"none","alg":"RS256"}`, `{"alg":`, `"alg":"none`, `{"alg":"none "}`, `{"typ":"x","note":"alg"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, h []byte) {
		got := algNone(h)
		if bytes.IndexByte(h, '\\') >= 0 {
			var hd map[string]any
			want := false
			if json.Unmarshal(h, &hd) == nil {
				for k, a := range hd {
					if s, ok := a.(string); ok && strings.EqualFold(k, "alg") && strings.EqualFold(strings.TrimSpace(s), "none") {
						want = true
					}
				}
			}
			if got != want {
				t.Fatalf("%q: algNone %v, want %v", h, got, want)
			}
			return
		}
		if got && !bytes.Contains(bytes.ToLower(h), []byte("none")) {
			t.Fatalf("%q: algNone without a none", h)
		}
		// a well-formed object without escapes: its decoding decides
		var hd map[string]json.RawMessage
		if json.Unmarshal(h, &hd) == nil {
			var alg string
			if raw, ok := hd["alg"]; ok && json.Unmarshal(raw, &alg) == nil && strings.EqualFold(strings.TrimSpace(alg), "none") && !got {
				t.Fatalf("%q: alg %q missed", h, alg)
			}
		}
	})
}

// FuzzJWTNone checks that jwtNone never panics and finds only values that
// open as a token does.
func FuzzJWTNone(f *testing.F) {
	for _, s := range []string{"Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ0ZXN0In0.", "eyJhbGciOiJub25lIn0=.x.",
		"Bearer        eyJ.", "JWT ewoiYWxnIjoibm9uZSJ9.a.", "eyes. closed", "e", "Bearer "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !jwtNone(v) {
			return
		}
		tok := v
		if sp := strings.IndexByte(v, ' '); sp >= 0 && sp < 9 {
			tok = strings.TrimLeft(v[sp:], " ")
		}
		if !strings.HasPrefix(tok, "ey") && !strings.HasPrefix(tok, "ew") || !strings.Contains(tok, ".") {
			t.Fatalf("%q: found, but no token opens it", v)
		}
	})
}
