package signature

import (
	"strings"
	"testing"
)

// FuzzSQLCast checks that sqlCast never panics and returns a span holding
// "::", and that sqlCatalogValue never panics.
func FuzzSQLCast(f *testing.F) {
	for _, s := range []string{"password::int", "f(x)::jsonb", "::", "a::", "::int", "std::int32_t", strings.Repeat("a::", 100),
		"information_schema", "`pg_catalog`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, j := sqlCast(v); i >= 0 && (j <= i || j > len(v) || !strings.Contains(v[i:j], "::")) {
			t.Fatalf("%q: span [%d,%d)", v, i, j)
		}
		_ = sqlCatalogValue(v)
	})
}
