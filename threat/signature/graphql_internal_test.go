package signature

import (
	"strings"
	"testing"
)

// FuzzGraphQLIntrospection holds graphQLIntrospection to its contract: it
// never panics, and what it finds is "__schema" before '{' or "__type"
// before '(' (blanks, commas or a form's '+' between), a whole name, inside a
// selection set a '{' opened before it.
func FuzzGraphQLIntrospection(f *testing.F) {
	for _, s := range []string{"{__schema{types{name}}}", `{ __type(name: "A") { name } }`, "{ __typename }", "a__schema{", "{__schema", "{ __type ,\n(", "__"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		i, j, ok := graphQLIntrospection(v)
		if !ok {
			return
		}
		if i < 0 || j <= i || j > len(v) {
			t.Fatalf("%q: span %d..%d", v, i, j)
		}
		found := v[i:j]
		var name string
		switch {
		case strings.HasPrefix(found, "__schema") && strings.HasSuffix(found, "{"):
			name = "__schema"
		case strings.HasPrefix(found, "__type") && strings.HasSuffix(found, "("):
			name = "__type"
		default:
			t.Fatalf("%q: found %q", v, found)
		}
		if strings.Trim(found[len(name):len(found)-1], " \t\r\n,+") != "" {
			t.Fatalf("%q: %q holds more than blanks between the name and its bracket", v, found)
		}
		if i > 0 && isWord(v[i-1]) || !strings.Contains(v[:i], "{") {
			t.Fatalf("%q: %q is part of a name, or outside a selection set", v, found)
		}
	})
}
