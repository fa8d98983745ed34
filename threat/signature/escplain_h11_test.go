package signature

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// TestEscPlainProtocol checks the protocol family's use of what
// scanTraversal learnt of a long form value's escapes (paramFacts.
// escPlain): Detect reports what scanProtocol finds with nothing known,
// for a raw form whose escapes are all plain, and for ones with an escape
// of NUL, a bad escape, a %u escape and an escaped escape, which must
// still be found. The first case checks that scanTraversal does mark the
// plain one, so that the comparison covers the shortcut.
func TestEscPlainProtocol(t *testing.T) {
	prose := strings.Repeat("It's a long note, with commas. And \"quotes\"; and more words: ", 12) // > loweredFold
	plainRaw := url.QueryEscape(prose)
	in := input{src: threat.SourceForm, name: "note", value: prose, raw: plainRaw}
	in.m = in.classify()
	var seen rules
	scanTraversal(&in, &seen, nil)
	in.release()
	if !in.escPlain {
		t.Fatalf("scanTraversal did not find the raw form of a prose field plain")
	}
	cases := []struct {
		name       string
		value, raw string
		rule       string // a protocol rule Detect must report, "" for none
	}{
		{"plain", prose, plainRaw, ""},
		{"nul", prose + "\x00x", plainRaw + "%00x", "protocol.nul"},
		{"bad escape", prose + "%zz", plainRaw + "%zz", "protocol.bad_escape"},
		{"percent u", prose + "\uff01", plainRaw + "%uff01", ""},
		{"escaped escape", prose + "%2e", plainRaw + "%252e", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := protocolPair(t, threat.Param{Source: threat.SourceForm, Name: "note", Value: c.value, Raw: c.raw})
			if !sameSignals(got, want) {
				t.Fatalf("Detect's protocol signals %v, scanProtocol alone %v", got, want)
			}
			found := ""
			for _, s := range got {
				if s.Rule == c.rule {
					found = s.Rule
				}
			}
			if c.rule != "" && found == "" {
				t.Fatalf("no %s in %v", c.rule, got)
			}
		})
	}
}

// TestEscPlainNUL checks scanProtocol's own guard: a parameter marked
// escPlain whose value holds a NUL still has its "%00" found (an escape
// of NUL is plain to decode.DecodesPlainlyTo).
func TestEscPlainNUL(t *testing.T) {
	p := threat.Param{Source: threat.SourceForm, Name: "q", Value: "a\x00b", Raw: "a%00b"}
	req := &threat.Request{Method: "GET", Path: "/", RawPath: "/", Proto: "HTTP/1.1", Params: []threat.Param{p}}
	var pf paramFacts
	pf.escPlain.add(0)
	for _, s := range scanProtocol(req, &headerFacts{walked: true}, &pf, nil) {
		if s.Rule == "protocol.nul" {
			return
		}
	}
	t.Fatal("no protocol.nul for an escPlain parameter holding a NUL")
}
