package threat

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// TestXMLDocumentDecoded checks the document value of XML bodies, which
// the view decodes only once it knows that no markup-only copy replaces
// it: a document with no long run of text keeps its raw bytes in Raw and
// their decoding in Value; one with a long run gets its markup, decoded.
func TestXMLDocumentDecoded(t *testing.T) {
	long := strings.Repeat("plain words of a note ", 4) // a run the markup copy cuts
	cases := []struct {
		name, ctype, body string
		raws              []string // the Raw of each "(document)", in order
		cut               []bool   // whether that document's run of text was cut
	}{
		{"short", "application/xml", `<a x="&#x3c;b&#x3e;">&lt;script&gt;</a>`,
			[]string{`<a x="&#x3c;b&#x3e;">&lt;script&gt;</a>`}, []bool{false}},
		{"long run", "application/xml", `<a x="&amp;q"><b>` + long + `</b>&lt;i&gt;</a>`,
			nil, []bool{true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ctype)
			req := NewRequest(r, "c", "", Limits{})
			var docs []Param
			for _, p := range req.Params {
				if p.Source == SourceXML && p.Name == "(document)" {
					docs = append(docs, p)
				}
			}
			if len(docs) != len(c.cut) {
				t.Fatalf("%d documents, want %d: %+v", len(docs), len(c.cut), req.Params)
			}
			for i, d := range docs {
				if d.Value != decode.Value(d.Raw, false) {
					t.Errorf("document %d: Value %q is not Raw %q decoded", i, d.Value, d.Raw)
				}
				if c.raws != nil && d.Raw != c.raws[i] {
					t.Errorf("document %d: Raw %q, want %q", i, d.Raw, c.raws[i])
				}
				if c.cut[i] && strings.Contains(d.Raw, long) {
					t.Errorf("document %d: Raw %q still holds the long run", i, d.Raw)
				}
				if d.Value == d.Raw {
					t.Errorf("document %d: Value %q not decoded", i, d.Value)
				}
			}
		})
	}
}
