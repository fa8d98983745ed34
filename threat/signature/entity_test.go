package signature

import "testing"

// An entity reference no parser can resolve, in an XML document without a
// document type, is an XXE probe; the five predefined entities and
// character references are XML itself.
func TestUndeclaredEntity(t *testing.T) {
	cases := []struct {
		v    string
		want bool
	}{
		{"<a>&foo;</a>", true},
		{"&systemEntity;", true},
		{"<a>&lt;b&gt; &amp; &quot;x&quot; &apos;</a>", false},
		{"<a>&#60;&#x3c;</a>", false},
		{`<!DOCTYPE a [<!ENTITY foo "bar">]><a>&foo;</a>`, false}, // declared: xmlAttack's to judge
		{"<a>R &amp; D, 50% off</a>", false},
		{"%foo;", true}, // a parameter entity outside any DTD
		{"<a>%xxe;</a>", true},
		{`<!DOCTYPE a [<!ENTITY % p SYSTEM "x.dtd"> %p;]><a/>`, false},
		{"<fmt>%s; %d;</fmt>", false},      // format strings
		{`<a href="/caf%C3%A9;x">`, false}, // a percent escape before a ';'
		{"<a>50%; 20% off; 100%</a>", false},
	}
	for _, c := range cases {
		if got := undeclaredEntity(c.v) >= 0; got != c.want {
			t.Errorf("undeclaredEntity(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}
