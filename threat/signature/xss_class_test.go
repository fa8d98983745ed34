package signature

import (
	"strings"
	"testing"
)

// FuzzXSSClassCursor checks that scan finds the same when the cursors of
// sinks and styles (called on attribute values and style sheets by tag)
// skip the bytes the value's classes lack as when they search for every
// byte of their sets (plain). (Values of 64 bytes or more: on shorter
// ones the cursors find every byte of their sets.)
func FuzzXSSClassCursor(f *testing.F) {
	for _, s := range []string{"alert(1)", "a=alert,a(1)", "x.innerHTML=y", "window['al'+'ert'](1)", "&{alert(1)};",
		"<div style=\"width: expression(alert(1))\">", "<style>@import 'x.css'; a{-moz-binding:url(x)}</style>",
		"<p style='behavior: url(x.htc)'>", "location=`javascript:x`", strings.Repeat("The (quick) fox: it's. ", 6) + "alert`1`",
		strings.Repeat("word ", 20) + "<a style=x:expression(1)>", strings.Repeat("word ", 20) + "<p style='behavior: url(x.htc)'>",
		strings.Repeat("prose ", 12) + "x=alert;x(1) y[0] z.w &{alert(1)};", strings.Repeat("word ", 13) + "a{behavior: url(x.htc)}",
		strings.Repeat("word ", 13) + "@import 'x.css'; b{-moz-binding: url(x)}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := xssScan{}, xssScan{plain: true}
		got.scan(s, classify(s))
		want.scan(s, classify(s))
		if got.best != want.best {
			t.Fatalf("%q: with the value's classes %+v, plain %+v", s, got.best, want.best)
		}
	})
}

// FuzzUTF7Start checks utf7Start against the two searches it replaces.
func FuzzUTF7Start(f *testing.F) {
	for _, s := range []string{"+ADw-script+AD4-", "a+b +AC +A+AD", "+AC", "+A", "C++ and a+b", "x+ACIAPgA8-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Index(s, "+AD")
		if j := strings.Index(s, "+AC"); j >= 0 && (want < 0 || j < want) {
			want = j
		}
		if got := utf7Start(s); got != want {
			t.Fatalf("utf7Start(%q) = %d, want %d", s, got, want)
		}
	})
}

// FuzzXSSSpots checks that scan finds the same when schemes, sinks and
// styles read the spots of the value's '(', ':' and '.' (xssSpots) as
// when they search for them with their cursors. Values of 64 bytes or
// more are read with spots; n repeats s to make one.
func FuzzXSSSpots(f *testing.F) {
	for _, s := range []string{"alert(1)", "x.innerHTML=y", "javascript:alert(1)", "a{behavior: url(x.htc)}",
		"the (quick) fox: it's. window.name (really): ", "expression(alert(1)) -moz-binding: url(x)", "@import 'x.css';",
		"eval(atob('x')) x.y.z: self.location javascript : vbscript: data:text/html,", "a.b(c).d:e(f)",
		"((((((((((((((((((((((((((((((((((((", "::::::::::::::::::::::::::::::::::::::::", "..................................."} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		v := strings.Repeat(s, 1+min(max(n, 0), 70))
		got, want := xssScan{}, xssScan{cursors: true}
		got.scan(v, classify(v))
		want.scan(v, classify(v))
		if got.best != want.best {
			t.Fatalf("%q: with spots %+v, with cursors %+v", v, got.best, want.best)
		}
	})
}
