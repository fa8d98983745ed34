package signature

import (
	"bytes"

	libinjection "github.com/corazawaf/libinjection-go"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSQLi finds SQL injection. libinjection's tokenizer and fingerprint
// set does the heavy lifting; a few keyword rules catch what fingerprints
// miss (time-based blind injection, schema probing, stacked queries,
// boolean tautologies after a closing quote or bracket).

// Rule bits.
const (
	sqliLib = iota
	sqliTiming
	sqliUnion
	sqliSchema
	sqliFunc
	sqliBoolean
	sqliStacked
	sqliComment
)

var (
	sqliTimingWords = words("sleep(", "benchmark(", "pg_sleep(", "waitfor delay", "waitfor time", "dbms_pipe.receive_message(",
		"dbms_lock.sleep(", "user_lock.sleep(", "randomblob(", "regexp_substring(repeat(", "generate_series(")
	sqliSchemaWords = words("information_schema", "sysobjects", "syscolumns", "sysdatabases", "master..", "sys.databases",
		"sys.tables", "rdb$", "sqlite_master", "sqlite_schema", "pg_catalog", "pg_shadow", "pg_user", "sysibm.", "all_tables", "all_users",
		"user_tables", "mysql.user", "msysaccessobjects", "msysobjects", "from dual", "sysusers", "systables", "v$version", "@@version",
		"domain.domains", "information_schema.")
	sqliFuncWords = words("extractvalue(", "updatexml(", "concat(0x", "concat_ws(", "group_concat(", "load_file(", "into outfile",
		"into dumpfile", "xp_cmdshell", "sp_executesql", "sp_oacreate", "exec master", "utl_inaddr.", "utl_http.", "ctxsys.", "make_set(",
		"elt(", "procedure analyse(", "json_keys(", "gtid_subset(", "exp(~(", "floor(rand(", "version()", "char(", "chr(",
		"dbms_xmlgen.", "xmltype(", "case when", "select count(", "select null", "select (", "select *", "select case",
		"cast(", "convert(", "ascii(substr", "ord(mid(", "substring(", "iif(", "nvl(", "ifnull(", "isnull(", "current_user", "database()",
		"schema()", "user()", "@@hostname", "pg_read_file(", "lo_import(", "copy (", "load data")
	sqliStackWords = words("select", "insert", "update", "delete", "drop", "create", "alter", "exec", "execute", "declare",
		"shutdown", "call", "begin", "waitfor", "truncate", "grant", "revoke", "set ", "union", "having", "order by", "if(", "if ")
	sqliBoolOps = words(" or ", " and ", " xor ", "||", "&&", " or(", " and(", ")or ", ")and ", "'or ", "'and ", "\"or ", "\"and ",
		" rlike ", " regexp ", " div ", " not ", " having ")
	sqliCompare = words("=", "<>", "!=", "<", ">", " like ", " is ", " in(", " in (", " between ", " regexp ", " rlike ",
		" sounds like ", " glob ", " match ")
)

// sqlStrong are the classes of SQL syntax other than spaces and plain
// punctuation; a value without them needs a keyword to be SQL.
const sqlStrong = cQuote | cDQuote | cBacktick | cParen | cSemi | cHash | cStar | cEq | cLT | cGT | cPipe | cAmp | cAt | cNL

// sqliKeywords are the words an injection without quotes, brackets or
// operators must use.
var sqliKeywords = words("union", "select", "or", "and", "xor", "having", "order", "group", "sleep", "benchmark", "waitfor",
	"exec", "execute", "drop", "insert", "update", "delete", "like", "rlike", "regexp", "between", "case", "when", "null",
	"into", "from", "where", "limit", "procedure", "div", "mod", "not", "is", "true", "false", "declare", "shutdown",
	"truncate", "load_file", "outfile", "information_schema", "dual", "version", "user", "database", "if", "else", "end",
	"begin", "call", "sounds", "collate", "offset", "by")

// sqlChars are the classes without which a value cannot carry SQL syntax.
const sqlChars = cQuote | cDQuote | cBacktick | cParen | cSemi | cHash | cDash | cStar | cEq | cComma | cSpace |
	cLT | cGT | cPipe | cAmp | cSlash | cAt | cNL

func scanSQLi(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	v := in.value
	m := in.m
	if m&sqlChars == 0 {
		return dst, hit
	}
	if in.src == threat.SourcePath && m&(cQuote|cDQuote|cParen|cSpace) == 0 {
		return dst, hit // a plain path is never SQL
	}
	sq := squeeze(stack[:0], v)
	if m&sqlStrong == 0 && !bytes.Contains(sq, []byte("--")) {
		// Letters, digits, spaces and plain punctuation: SQL needs a
		// keyword here ("1 union select 1", "1 or true").
		if _, ok := findAny(sq, sqliKeywords, true); !ok {
			return dst, hit
		}
	}
	header := in.src == threat.SourceHeader
	if !header || m&(cQuote|cDQuote|cBacktick) != 0 {
		if ok, fp := libinjection.IsSQLi(v); ok && seen.mark(&hit, sqliLib) {
			conf, rule := 0.99, "sqli.libinjection"
			if fp == "1c" || fp == "nc" || fp == "c" {
				// a bare value and a comment ("50% off -- today"): the
				// shape of an injection that does nothing
				conf, rule = 0.6, "sqli.libinjection_comment"
			}
			s := signal(NameSQLi, rule, conf, in, 0, len(v))
			prefix := "fp " + fp + ": "
			s.Evidence = prefix + excerpt(v, 0, len(v), 48-len(prefix))
			dst = append(dst, s)
		}
	}
	if m&cParen != 0 || bytes.Contains(sq, []byte("waitfor")) {
		if mt, ok := findAny(sq, sqliTimingWords, true); ok && seen.mark(&hit, sqliTiming) {
			dst = append(dst, signal(NameSQLi, "sqli.timing", 0.99, in, mt.i, mt.j))
		}
	}
	if i := unionSelect(sq); i >= 0 && seen.mark(&hit, sqliUnion) {
		dst = append(dst, signal(NameSQLi, "sqli.union", 0.99, in, i, i+12))
	}
	if mt, ok := findAny(sq, sqliSchemaWords, true); ok && seen.mark(&hit, sqliSchema) {
		dst = append(dst, signal(NameSQLi, "sqli.schema", 0.9, in, mt.i, mt.j))
	}
	if m&cParen != 0 || m&cSpace != 0 {
		if mt, ok := findAny(sq, sqliFuncWords, true); ok && seen.mark(&hit, sqliFunc) {
			conf, rule := 0.6, "sqli.function_bare"
			if m&(cQuote|cDQuote|cParen|cComma) != 0 && m&(cQuote|cDQuote|cHash|cDash|cSemi|cEq) != 0 {
				conf, rule = 0.85, "sqli.function"
			}
			dst = append(dst, signal(NameSQLi, rule, conf, in, mt.i, mt.j))
		}
	}
	if m&(cEq|cLT|cGT|cSpace) != 0 {
		if i, j := tautology(sq); i >= 0 && seen.mark(&hit, sqliBoolean) {
			conf, rule := 0.6, "sqli.boolean_bare" // "price < 100 and rating > 4" reads the same
			if m&(cQuote|cDQuote|cParen|cHash|cSemi|cBacktick) != 0 || bytes.Contains(sq, []byte("--")) {
				conf, rule = 0.9, "sqli.boolean"
			}
			dst = append(dst, signal(NameSQLi, rule, conf, in, i, j))
		}
	}
	if m&cSemi != 0 {
		if i := stacked(sq); i >= 0 && seen.mark(&hit, sqliStacked) {
			dst = append(dst, signal(NameSQLi, "sqli.stacked", 0.85, in, i, i+16))
		}
	}
	if m&(cQuote|cDQuote|cParen) != 0 && m&(cDash|cHash|cStar) != 0 {
		if i := quoteComment(sq); i >= 0 && seen.mark(&hit, sqliComment) {
			dst = append(dst, signal(NameSQLi, "sqli.comment", 0.75, in, i, i+4))
		}
	}
	return dst, hit
}

// unionSelect finds "union [all|distinct] select" or "union(select".
func unionSelect(b []byte) int {
	off := 0
	for {
		i := bytes.Index(b[off:], []byte("union"))
		if i < 0 {
			return -1
		}
		i += off
		j := skipSpace(b, i+5)
		if j < len(b) && b[j] == '(' {
			j = skipSpace(b, j+1)
		}
		for _, w := range []string{"all", "distinct"} {
			if hasWordAt(b, j, w) {
				j = skipSpace(b, j+len(w))
			}
		}
		if (i == 0 || !isWord(b[i-1])) && hasWordAt(b, j, "select") {
			return i
		}
		off = i + 5
	}
}

// tautology finds a boolean operator followed by a comparison of two
// operands, as in "' or 1=1", ") and 'a'='a", "or 9323=9323#", and returns
// its span.
func tautology(b []byte) (int, int) {
	for _, op := range sqliBoolOps.kws {
		off := 0
		for off < len(b) {
			i := bytes.Index(b[off:], op)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			j := skipSpace(b, i+len(op))
			k, ok := operand(b, j)
			if !ok {
				continue
			}
			k = skipSpace(b, k)
			for _, c := range sqliCompare.kws {
				if bytes.HasPrefix(b[k:], c) {
					if c[len(c)-1] == '(' {
						return i, k + len(c)
					}
					if _, ok := operand(b, skipSpace(b, k+len(c))); ok {
						return i, k + len(c) + 4
					}
				}
			}
		}
	}
	return -1, -1
}

// operand parses a number, a quoted string, an identifier (optionally a
// function call's name) or a parenthesised expression start at b[i:].
func operand(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '\'' || c == '"' || c == '`':
		end := bytes.IndexByte(b[i+1:], c)
		if end < 0 {
			return len(b), true // the application's own closing quote ends it
		}
		return i + 1 + end + 1, true
	case c == '(':
		return i + 1, true
	case c == '-' || c == '@' || isWord(c):
		j := i + 1
		for j < len(b) && (isWord(b[j]) || b[j] == '.' || b[j] == '@' || b[j] == '$') {
			j++
		}
		if j < len(b) && b[j] == '(' {
			// a function call: skip to its closing parenthesis
			depth := 0
			for ; j < len(b); j++ {
				if b[j] == '(' {
					depth++
				} else if b[j] == ')' {
					depth--
					if depth == 0 {
						j++
						break
					}
				}
			}
		}
		return j, true
	}
	return i, false
}

// stacked finds ';' followed by a SQL statement keyword.
func stacked(b []byte) int {
	for off := 0; off < len(b); {
		i := bytes.IndexByte(b[off:], ';')
		if i < 0 {
			return -1
		}
		i += off
		off = i + 1
		j := skipSpace(b, i+1)
		for _, w := range sqliStackWords.kws {
			if bytes.HasPrefix(b[j:], w) && (j+len(w) == len(b) || !isWord(b[j+len(w)]) || !isWord(w[len(w)-1])) {
				return i
			}
		}
	}
	return -1
}

// quoteComment finds a closing quote or bracket followed by a comment that
// cuts off the rest of the application's query: "'--", "')#", "\" /*".
func quoteComment(b []byte) int {
	for i := 0; i < len(b); i++ {
		if c := b[i]; c != '\'' && c != '"' && c != ')' {
			continue
		}
		j := skipSpace(b, i+1)
		if j < len(b) && (b[j] == '#' || bytes.HasPrefix(b[j:], []byte("--")) || bytes.HasPrefix(b[j:], []byte("/*")) ||
			bytes.HasPrefix(b[j:], []byte(";%00")) || b[j] == 0) {
			return i
		}
	}
	return -1
}
