package signature_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Reading short values of prose with brackets, quotes and calls in them
// allocates nothing: the families lower-case a short value into a buffer
// on the stack, and a buffer that escapes (a struct that keeps the value
// and is handed to a method that leaks it) costs an allocation a value.
func TestShortValuesAllocateNothing(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"note":  {"Call f(x) and g(y) later (see the notes) - it's Bob's turn; print(report) after lunch."},
		"title": {"The \"quick\" fox's (brown) notes: a list (of ideas) & plans"},
		"quote": {"\"Be yourself; everyone else is already taken.\" -- Oscar Wilde (attributed)"},
	}
	req := threat.NewRequest(httptest.NewRequest("GET", "/notes?"+q.Encode(), nil), "c", "", threat.Limits{})
	dst := make([]threat.Signal, 0, 16)
	if s := d.Detect(req, dst); len(s) != 0 {
		t.Fatalf("prose flagged: %+v", s)
	}
	if n := testing.AllocsPerRun(50, func() { d.Detect(req, dst[:0]) }); n != 0 {
		t.Errorf("%v allocations a request of three short values", n)
	}
}
