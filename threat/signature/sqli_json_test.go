package signature_test

import "testing"

// Conditions on JSON literals (Team82's JSON-based bypass, 2022) and
// MySQL's executable comments. Public samples: the OWASP CRS regression
// tests of its rules 942500 and 942550 (Apache-2.0).
var sqlJSONAttacks = []placedCase{
	{`OR '{"b":2}'::jsonb <@ '{"a":1, "b":2}'::jsonb`, nil},
	{`OR '{"a":"b"}' ? 'a'`, nil},
	{`OR '[1,2]' ? '1'`, nil},
	{`OR '{"a":2,"c":[4,5,{"f":7}]}' -> '$.c[2].f' = 7`, nil},
	{`OR '{"name":"asd"}' ?| array['a','name']`, nil},
	{`OR '[1,2,3]'::json ->> 2='3'`, nil},
	{"9999 or {if length((/*!5000select username/*!50000from*/user where id=1))>0}", nil},
	{"1 /*!union*/ /*!select*/ 1", nil},
}

// sqlJSONBenign are notes with arrows, quotes, brackets and comments.
var sqlJSONBenign = []placedCase{
	{"and '[x]' -> done", nil},
	{"this or '{a}' maybe?", nil},
	{"/*! important */", nil},
	{`config or '{"debug": true}' in the file`, nil},
}

func TestSQLJSONConditions(t *testing.T) {
	checkPlaced(t, "sqli", sqlJSONAttacks, 0.99, sqlJSONBenign, 0.75)
}
