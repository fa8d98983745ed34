package signature

import (
	"strings"
	"testing"
)

// FuzzQuotedSymbol holds quotedSymbol to its contract on any value and
// quote position: it never panics, and a quote it accepts follows a blank
// or a bracket after two words, and its partner comes within 32 bytes.
func FuzzQuotedSymbol(f *testing.F) {
	for _, s := range []string{
		"any other arguments before an optional '--' marker.",
		"admin '-'",
		"'-'",
		"the file \"<default>\" is used",
		"a b '",
		"a b ''",
	} {
		f.Add(s, strings.IndexAny(s, `'"`))
	}
	f.Fuzz(func(t *testing.T, s string, q int) {
		if !quotedSymbol(s, q) {
			return
		}
		if q <= 0 || q >= len(s) || s[q] != '\'' && s[q] != '"' {
			t.Fatalf("accepted %q at %d, not a quote", s, q)
		}
		if c := s[q-1]; c != ' ' && c != '\t' && c != '(' {
			t.Fatalf("accepted %q at %d after %q", s, q, c)
		}
		end := strings.IndexByte(s[q+1:], s[q])
		if end <= 0 || end > 32 {
			t.Fatalf("accepted %q at %d, partner at %d", s, q, end)
		}
		if !strings.Contains(strings.TrimSpace(s[:q]), " ") {
			t.Fatalf("accepted %q at %d after one word", s, q)
		}
	})
}

// FuzzCodeIf: codeIf never panics, and what it accepts opens, after
// blanks and C comments, with "if" and a bracket.
func FuzzCodeIf(f *testing.F) {
	for _, s := range []string{"if (a) b(c)", "if(NOT X) set(Y 1)", "/* c */ if (x) { y }", "if(1=1,sleep(5),0)", "if (1) if (2) f()", "if(", "/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !codeIf(s) {
			return
		}
		r := strings.TrimLeft(s, " \t\r\n")
		for strings.HasPrefix(r, "/*") {
			r = strings.TrimLeft(r[strings.Index(r[2:], "*/")+4:], " \t\r\n")
		}
		if !strings.EqualFold(r[:2], "if") || !strings.HasPrefix(strings.TrimLeft(r[2:], " \t"), "(") {
			t.Fatalf("codeIf(%q) accepted, not an if", s)
		}
	})
}

// FuzzGenericTypeAt: genericTypeAt and genericTypesOnly never panic, and
// a '<' read as a type's parameter follows a name and opens one.
func FuzzGenericTypeAt(f *testing.F) {
	for _, s := range []string{"Local<Object> x", "static_cast<Isolate*>(a)", "x<script>", "<a>", "a<", "a<b::c&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		genericTypesOnly(s)
		for i := 0; i < len(s); i++ {
			if s[i] == '<' && genericTypeAt(s, i) && (i == 0 || !isWord(s[i-1]) || i+1 >= len(s) || !isAlpha(s[i+1]) || strings.IndexByte(s[i:], '>') < 0) {
				t.Fatalf("genericTypeAt(%q, %d) accepted", s, i)
			}
		}
	})
}
