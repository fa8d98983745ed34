package signature_test

import "testing"

// Error-based injection through a PostgreSQL cast in a numeric parameter,
// and a value that names a server's system catalog. Public samples: the
// OWASP CRS regression tests of its rules 942140, 942151 and 942320
// (Apache-2.0).
var castCatalogAttacks = []placedCase{
	{"starts_with(password,'a')::int", nil},
	{"jsonb_pretty(...(1,password)::jsonb)::int", nil},
	{"unistr(password)::int", nil},
	{"password::int", nil},
	{"information_schema", nil},
	{"InFoRmaTioN_ScHemA", nil},
	{"pg_catalog", nil},
	{"information_schema.tables", nil},
	{"mysql.db", nil},
	{"sqlite_master", nil},
}

// castCatalogBenign are C++, Ruby and notes with "::" and the words.
var castCatalogBenign = []placedCase{
	{"std::int32_t", nil},
	{"Foo::Integer", nil},
	{"1::int", nil},
	{"a::text and more", nil},
	{"user_tables", nil},
	{"time 10::30", nil},
	{"information about schemas", nil},
	{"schema_name", nil},
}

func TestSQLCastsAndCatalogs(t *testing.T) {
	checkPlaced(t, "sqli", castCatalogAttacks, 0.99, castCatalogBenign, 0.75)
}
