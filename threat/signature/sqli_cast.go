package signature

import "strings"

// A PostgreSQL cast of a column or a call to a type it cannot hold
// ("password::int", "unistr(password)::int", "(...)::jsonb") makes the
// database's error message print the value: error-based injection in a
// numeric parameter, with no quote to break out of. The operand must be
// a name or a call's ')' glued to "::", the type one of SQL's, spelt in
// one case, and nothing but an operator, a comment or the value's end
// after it: C++'s "std::int32_t" and Ruby's "Foo::Integer" are no casts.

var sqlCastTypes = []string{"int", "int2", "int4", "int8", "integer", "bigint", "smallint", "numeric", "bool",
	"boolean", "text", "varchar", "json", "jsonb", "date", "float", "float8", "real", "regclass", "xml", "bytea"}

// sqlCast finds such a cast in v and returns its span.
func sqlCast(v string) (int, int) {
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "::")
		if p < 0 {
			return -1, -1
		}
		p += k
		k = p + 2
		if p == 0 {
			continue
		}
		b := v[p-1]
		if !(isWord(b) || b == ')') {
			continue
		}
		s := p - 1
		for s > 0 && isWord(v[s-1]) {
			s--
		}
		e := k
		for e < len(v) && e-k < 12 && isAlnum(v[e]) {
			e++
		}
		t := v[k:e]
		if t == "" || e < len(v) && (isWord(v[e]) || v[e] == ':' || v[e] == '.') {
			continue
		}
		if t != strings.ToLower(t) && t != strings.ToUpper(t) {
			continue // "Foo::Integer"
		}
		lt := strings.ToLower(t)
		known := false
		for _, ty := range sqlCastTypes {
			if lt == ty {
				known = true
				break
			}
		}
		if !known {
			continue
		}
		if b != ')' && (s == p || v[s] >= '0' && v[s] <= '9') {
			continue // "1::int" casts a literal: nothing leaks
		}
		r := e
		for r < len(v) && (v[r] == ' ' || v[r] == '\t') {
			r++
		}
		if r < len(v) && !strings.ContainsRune(")=<>!,;-+*/|&#", rune(v[r])) {
			continue // "Cpp::int and more": words after it
		}
		return s, e
	}
	return -1, -1
}

// sqlCatalogs are the system catalogs and schemas of SQL servers: a value
// that is one of them ("information_schema", "pg_catalog.pg_user") asks a
// query to read the server's own tables.
var sqlCatalogs = []string{"information_schema", "pg_catalog", "pg_shadow", "pg_user", "sqlite_master",
	"sqlite_schema", "msysaccessobjects", "msysobjects", "mysql.user", "mysql.db", "sys.sysobjects", "sysobjects",
	"sys.objects", "master..sysdatabases", "all_tables", "user_tables"}

// sqlCatalogValue reports whether v, quotes and backticks aside, is a
// system catalog, alone or with a table of it after a '.'.
func sqlCatalogValue(v string) bool {
	if len(v) < 6 || len(v) > 70 {
		return false
	}
	if c := v[0]; c == ' ' || c == '\t' || c == '\'' || c == '"' || c == '`' || v[len(v)-1] < 'A' {
		v = strings.Trim(v, " \t'\"`")
		if len(v) < 6 || len(v) > 64 {
			return false
		}
	}
	// the first two letters pick the catalogs to compare
	switch v[0] | 0x20 {
	case 'i':
		if v[1]|0x20 != 'n' {
			return false
		}
	case 'p':
		if v[1]|0x20 != 'g' {
			return false
		}
	case 's':
		if c := v[1] | 0x20; c != 'q' && c != 'y' {
			return false
		}
	case 'm':
		if c := v[1] | 0x20; c != 's' && c != 'y' && c != 'a' {
			return false
		}
	case 'a', 'u':
		if c := v[1] | 0x20; c != 'l' && c != 's' {
			return false
		}
	default:
		return false
	}
	for _, c := range sqlCatalogs {
		if len(v) >= len(c) && strings.EqualFold(v[:len(c)], c) && (len(v) == len(c) || v[len(c)] == '.') {
			if c == "all_tables" || c == "user_tables" || c == "sysobjects" {
				return len(v) == len(c) && v == strings.ToUpper(v) // Oracle's views, as its queries spell them
			}
			return true
		}
	}
	return false
}

// sqlJSONOps are PostgreSQL's, MySQL's and SQLite's JSON operators.
var sqlJSONOps = []string{"<@", "@>", "->>", "->", "#>>", "#>", "?|", "?&", "@?", "@@", "?"}

// sqlJSONCondition finds a condition on a JSON literal after OR or AND:
// "OR '{"b":2}'::jsonb <@ '{"a":1, "b":2}'", "or '[1,2]' ? '1'", "OR
// '{...}' -> '$.c' = 7". A condition no rule set of 2022 parsed (Team82's
// JSON-based bypass of WAFs); nothing but SQL puts a quoted JSON
// document between a boolean operator and a JSON operator.
func sqlJSONCondition(v string) (int, int) {
	for k := 0; k < len(v); {
		q := strings.IndexByte(v[k:], '\'')
		if q < 0 {
			return -1, -1
		}
		q += k
		k = q + 1
		if k >= len(v) || v[k] != '{' && v[k] != '[' {
			continue
		}
		// OR or AND (or || and &&) right before the literal
		b := q
		for b > 0 && (v[b-1] == ' ' || v[b-1] == '\t' || v[b-1] == '(') {
			b--
		}
		s := -1
		for _, w := range []string{"or", "and", "||", "&&"} {
			if b >= len(w) && strings.EqualFold(v[b-len(w):b], w) && (b == len(w) || !isWord(v[b-len(w)-1])) {
				s = b - len(w)
				break
			}
		}
		if s < 0 || b == q {
			continue
		}
		e := strings.IndexByte(v[k:min(len(v), k+512)], '\'')
		if e < 0 {
			continue
		}
		e += k + 1
		if c := v[e-2]; c != '}' && c != ']' || !jsonish(v[k:e-1]) {
			continue
		}
		r := e
		if strings.HasPrefix(v[r:], "::") {
			r += 2
			for r < len(v) && isWord(v[r]) {
				r++
			}
		}
		for r < len(v) && (v[r] == ' ' || v[r] == '\t') {
			r++
		}
		for _, op := range sqlJSONOps {
			if strings.HasPrefix(v[r:], op) {
				return s, r + len(op)
			}
		}
	}
	return -1, -1
}

// sqlVersionedComment finds MySQL's executable comment, "/*!" and an
// optional version before a keyword ("/*!50000select", "/*!union"): MySQL
// runs what it holds, other servers and filters read a comment.
func sqlVersionedComment(v string) (int, int) {
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "/*!")
		if p < 0 {
			return -1, -1
		}
		p += k
		k = p + 3
		i := k
		for i < len(v) && i-k < 6 && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		for i < len(v) && v[i] == ' ' {
			i++
		}
		e := i
		for e < len(v) && e-i < 20 && isWord(v[e]) {
			e++
		}
		var stack [20]byte
		if e > i && (e == len(v) || !isWord(v[e])) && versionedWords[string(lower(stack[:0], v[i:e]))] {
			return p, e
		}
	}
	return -1, -1
}

// versionedWords are the SQL words a versioned comment runs.
var versionedWords = set("select", "union", "from", "where", "and", "or", "insert", "update", "delete", "order", "into",
	"sleep", "benchmark", "concat", "having", "limit", "group", "information_schema", "database", "user", "version",
	"load_file", "outfile", "null", "all", "distinct")

// jsonish reports whether d, a quoted literal opening with '{' or '[',
// reads as JSON: it holds a string, or only numbers, commas, spaces and
// brackets ("[1,2]"). "{a}" and "[x]" of notes do not.
func jsonish(d string) bool {
	if strings.IndexByte(d, '"') >= 0 {
		return true
	}
	digits := false
	for i := 0; i < len(d); i++ {
		switch c := d[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == ',' || c == ' ' || c == '[' || c == ']' || c == '.' || c == '-':
		default:
			return false
		}
	}
	return digits
}

// catalogLead reports whether a value opening with c may be one of
// sqlCatalogs (or a quoted one).
func catalogLead(c byte) bool {
	switch c | 0x20 {
	case 'i', 'p', 's', 'm', 'a', 'u', '\'', '"', '`', ' ':
		return true
	}
	return c == '\t'
}
