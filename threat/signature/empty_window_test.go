package signature_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// A value longer than the window that decodes to nothing ("%00" or "\x00"
// repeated: decoding drops NULs) is read in windows as an empty value. It
// took scanWindows to its padding test, which read the first byte of the
// empty value and panicked; the engine recovers from a detector's panic by
// dropping all of the detector's signals, so one such header hid every
// payload of the request.
func TestValueThatDecodesToNothing(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	nul := strings.Repeat("%00", 4000)
	for _, where := range []string{"header", "query"} {
		r := httptest.NewRequest("GET", "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--", nil)
		if where == "header" {
			r.Header.Set("X-Note", nul)
		} else {
			r.URL.RawQuery += "&pad=" + nul
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s of %d bytes that decode to nothing: panic: %v", where, len(nul), p)
				}
			}()
			if sigs := detect(t, d, r); !hasFamily(sigs, "sqli") {
				t.Errorf("%s of %d bytes that decode to nothing: the query's SQL injection not found: %v", where, len(nul), rulesOf(sigs))
			}
		}()
	}
}
