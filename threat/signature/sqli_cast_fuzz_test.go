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

// FuzzSQLJSONCondition checks that sqlJSONCondition and
// sqlVersionedComment never panic and return spans inside their value.
func FuzzSQLJSONCondition(f *testing.F) {
	for _, s := range []string{`OR '{"b":2}'::jsonb <@ '{}'`, "or '[1]' ?", "/*!50000select", "'", "or '", "or '{", "/*!",
		strings.Repeat("or '{", 100), strings.Repeat("/*!5", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if i, j := sqlJSONCondition(v); i >= 0 && (j <= i || j > len(v)) {
			t.Fatalf("%q: condition span [%d,%d)", v, i, j)
		}
		if i, j := sqlVersionedComment(v); i >= 0 && (j <= i || j > len(v) || !strings.HasPrefix(v[i:], "/*!")) {
			t.Fatalf("%q: comment span [%d,%d)", v, i, j)
		}
	})
}
