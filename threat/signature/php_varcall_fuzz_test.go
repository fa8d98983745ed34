package signature

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzPHPVarCall checks that phpVarCall never panics and returns a span
// inside its value holding a '$' and a '('.
func FuzzPHPVarCall(f *testing.F) {
	for _, s := range []string{"$a(1)", "@$__[o](4)", "${'a'}(11)", "$_ab[5]['d'] /*x*/ (17)", "foo::$v()", "$f->$g()",
		"$", "${", "$a[", "$a/*", "$a#", "$a->", "::$", strings.Repeat("$a[", 200), strings.Repeat("$$$$(", 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lo := bytes.ToLower(b)
		i, j := phpVarCall(lo)
		if i < 0 {
			return
		}
		if j <= i || j > len(lo) || bytes.IndexByte(lo[i:j], '$') < 0 || bytes.IndexByte(lo[i:j], '(') < 0 {
			t.Fatalf("%q: span [%d,%d)", lo, i, j)
		}
	})
}

// FuzzPHPGroupCall checks that phpGroupCall never panics and, when it
// finds a call, reports the value whole.
func FuzzPHPGroupCall(f *testing.F) {
	for _, s := range []string{"(sy.(st).em)('uname');", "[system][0](ls);", "(/* x */system)(ls);", "(['system'])[0]('id')",
		"/*", "(", ")(", "](", "$y='sys'.'tem';($y)('id');", "'a'.'", "(x)(@", strings.Repeat("[system](", 200), strings.Repeat("/* ", 500)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lo := bytes.ToLower(b)
		i, j := phpGroupCall(lo)
		if i >= 0 && (i != 0 || j != len(lo)) {
			t.Fatalf("%q: span [%d,%d)", lo, i, j)
		}
	})
}

// FuzzPHPVarVar checks that phpVarVar never panics and reports a span
// from a '$' to a '}'.
func FuzzPHPVarVar(f *testing.F) {
	for _, s := range []string{"${'ff'}", "$ {$a}", "${'a'.'b'}", "${", "$ {", "${'}", "${$}", strings.Repeat("$ ", 100) + "{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		i, j := phpVarVar(b)
		if i < 0 {
			return
		}
		if j <= i || j > len(b) || b[i] != '$' || b[j-1] != '}' {
			t.Fatalf("%q: span [%d,%d)", b, i, j)
		}
	})
}
