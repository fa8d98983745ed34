package location

import "testing"

func TestParam(t *testing.T) {
	for loc, want := range map[string]string{
		"query:q": "q", "json:user.name (base64)": "user.name", "header:X-Search": "X-Search",
		"path": "", "body": "", "": "", "cookie:": "", "form:a:b": "a:b",
	} {
		if got := Param(loc); got != want {
			t.Errorf("Param(%q) = %q, want %q", loc, got, want)
		}
	}
}
