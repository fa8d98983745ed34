package signature

import (
	"math/bits"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/libinjection"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanSQLi finds SQL injection. An injected value is a fragment of SQL
// that the application pastes into its query, after breaking out of a
// string literal (a quote), a number or a bracket. The family reads the
// value as SQL tokens and looks for the grammar of such fragments wherever
// they start, so that a payload after padding or prose is found too:
//
//   - a boolean test: a logical operator (or, and, xor, ||, &&, having,
//     where) followed by a comparison of operands (' or 1=1, and 'a'='a,
//     or x=x, and ascii(substr(...))>64) or by a lone truth value (and
//     false, or true--, and sleep(5));
//   - probing: order by / group by with a column number or an expression;
//   - union [all] select with a column list, a subquery in an expression
//     (=(select ...), 1(select ...));
//   - stacked statements after ';' and statements right after a break-out
//     quote (drop table, exec xp_cmdshell, declare @, waitfor delay);
//   - time delays (sleep, benchmark, pg_sleep, waitfor delay,
//     dbms_lock.sleep, randomblob) in any nesting;
//   - error-based and dangerous functions (extractvalue, updatexml,
//     utl_inaddr, xp_cmdshell, load_file, into outfile) and system objects
//     (information_schema, sysobjects, pg_catalog, sqlite_master, @@version);
//   - a comment that cuts the query right after a break-out (admin'--).
//
// How much each match weighs depends on what precedes it (its lead): a
// break-out quote, the start of the value, a number or an operator make it
// SQL; a sentence makes it prose ("rock and roll or jazz", a "quote" --
// Author attribution). libinjection's fingerprints run at the start of the
// value and at later break-out quotes, in bounded windows; a fingerprint
// whose tokens read as a sentence counts less.

// Rule bits.
const (
	sqliLib = iota
	sqliBoolean
	sqliUnion
	sqliProbe
	sqliTiming
	sqliStacked
	sqliStatement
	sqliComment
	sqliSubquery
	sqliFunc
	sqliSchema
	sqliNumRules
)

var sqliRuleNames = [sqliNumRules]string{
	sqliLib:       "sqli.libinjection",
	sqliBoolean:   "sqli.boolean",
	sqliUnion:     "sqli.union",
	sqliProbe:     "sqli.order_by",
	sqliTiming:    "sqli.timing",
	sqliStacked:   "sqli.stacked",
	sqliStatement: "sqli.statement",
	sqliComment:   "sqli.comment",
	sqliSubquery:  "sqli.subquery",
	sqliFunc:      "sqli.function",
	sqliSchema:    "sqli.schema",
}

// sqlStrong are the classes of SQL syntax other than spaces and plain
// punctuation; a value without them needs a keyword to be SQL.
const sqlStrong = cQuote | cDQuote | cBacktick | cParen | cSemi | cHash | cStar | cEq | cLT | cGT | cPipe | cAmp | cAt | cNL

// sqliKeywords are the words an injection without quotes, brackets or
// operators must use.
var sqliKeywords = words("union", "select", "or", "and", "xor", "having", "order", "group", "sleep", "benchmark", "waitfor",
	"exec", "execute", "drop", "insert", "update", "delete", "like", "rlike", "regexp", "between", "case", "when", "null",
	"into", "from", "where", "limit", "procedure", "div", "mod", "not", "is", "true", "false", "declare", "shutdown",
	"truncate", "load_file", "outfile", "information_schema", "dual", "version", "user", "database", "if", "else", "end",
	"begin", "call", "sounds", "collate", "offset", "by", "grant", "create", "alter")

// sqlChars are the classes without which a value cannot carry SQL syntax.
const sqlChars = cQuote | cDQuote | cBacktick | cParen | cSemi | cHash | cDash | cStar | cEq | cComma | cSpace |
	cLT | cGT | cPipe | cAmp | cSlash | cAt | cNL | cCtl

// Bounds that keep the work on one value linear in its length.
const (
	sqlLibWindow  = 1024 // bytes libinjection reads from a candidate start
	sqlLibStarts  = 6    // candidate starts after the value's own
	sqlGroupBound = 256  // bytes a bracket or string operand may span
)

func scanSQLi(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	if in.m&sqlChars == 0 && (in.src != threat.SourceHeader || in.m&cPercent == 0) &&
		(in.m&cHigh == 0 || strings.IndexByte(in.value, 0xa0) < 0) {
		// sqliValue would return at once, and no decoded form is read:
		// most values (numbers, names, tags), spared zeroing best
		return sqlCastOrCatalog(in, seen, dst, false)
	}
	var hit bool
	var best [sqliNumRules]sqlHit
	// Once the request has reported libinjection's rule at its highest
	// confidence, a later fingerprint cannot raise it (scan keeps the
	// stronger of a rule's signals): all it still decides is whether this
	// input matched at all (hit), which only the verdict cache reads, to
	// remember clean header and path values of at most maxCached bytes.
	// On an input of another source, or a longer one (the inputs it was
	// decoded or cut from are longer still), libinjection need not run;
	// on the others only when no other rule matched. A weaker fingerprint
	// reported before ("admin'--" scores 0.6) leaves it to run.
	lib := libRun
	if *seen&sqliLibCertain != 0 {
		lib = libUnlessHit
		if !mayCache(in.src, len(in.value)) {
			lib = libSkip
		}
	}
	hits := sqliValue(in.value, in.m, in.src, lib, &best)
	if in.m&cHigh != 0 {
		// a no-break space between keywords, in Latin-1 or UTF-8
		// ("UNION\xa0SELECT", sqlmap's space2mysqlblank and WAF-A-MoLE's
		// blanks), and a lone lead byte before a quote (GBK's, which
		// swallows the backslash addslashes puts before the quote:
		// sqlmap's unmagicquotes) are read as the blanks they stand for
		d, ok := in.value, false
		if k := strings.IndexByte(in.value, 0xa0); k >= 0 {
			d, ok = blankNBSP(d, k)
		}
		if in.m&(cQuote|cDQuote) != 0 {
			var lead bool
			d, lead = blankLeadBytes(d)
			ok = ok || lead
		}
		if ok {
			if best[sqliLib].conf >= 0.99 {
				lib = libSkip
			}
			hits |= sqliValue(d, classify(d), in.src, lib, &best)
		}
	}
	if in.src == threat.SourcePath && in.m&(cSpace|cParen) != 0 {
		if seg, ok := sqlSegment(in.value); ok {
			// "/declare @s varchar(200) select @s = 0x... exec(@s)": a
			// statement that opens a path's segment opens its value
			if best[sqliLib].conf >= 0.99 {
				lib = libSkip
			}
			hits |= sqliValue(seg, classify(seg), in.src, lib, &best)
		}
	}
	if in.m&cStar != 0 && in.m&cSlash != 0 {
		if d, ok := joinSplitKeywords(in.value); ok {
			// "UNI/**/ON SEL/**/ECT": keywords split by comments for a
			// filter that strips them (sqlmap's randomcomments)
			if best[sqliLib].conf >= 0.99 {
				lib = libSkip
			}
			hits |= sqliValue(d, classify(d), in.src, lib, &best)
		}
	}
	if in.m&cPercent != 0 {
		if d, ok := stripPercents(in.value); ok {
			// "%S%E%L%E%C%T": ASP drops a '%' that starts no escape
			// (sqlmap's percentage)
			if best[sqliLib].conf >= 0.99 {
				lib = libSkip
			}
			hits |= sqliValue(d, classify(d), in.src, lib, &best)
		}
	}
	if in.src == threat.SourceHeader && in.m&(cPercent|cAmp) != 0 {
		// headers reach the families as sent: decode them as a parameter
		if d := decode.Value(in.value, false); d != in.value {
			if best[sqliLib].conf >= 0.99 || lib == libUnlessHit && hits != 0 {
				// no fingerprint scores higher; or it would be dropped, and
				// the input matched already
				lib = libSkip
			}
			hits |= sqliValue(d, classify(d), in.src, lib, &best)
		}
	}
	for ; hits != 0; hits &= hits - 1 {
		r := bits.TrailingZeros16(hits)
		h := &best[r]
		if !seen.mark(&hit, uint(r)) {
			continue
		}
		s := bareSignal(nameSQLi, sqliRuleNames[r], h.conf, in)
		s.Evidence = excerpt(h.src, h.i, h.j, 48)
		if r == sqliLib {
			prefix := "fp " + h.fp + ": "
			s.Evidence = prefix + excerpt(h.src, h.i, h.j, 48-len(prefix))
			if h.conf >= 0.99 {
				*seen |= sqliLibCertain
			}
		}
		dst = append(dst, s)
	}
	return sqlCastOrCatalog(in, seen, dst, hit)
}

// sqlSegment returns the segment of the URL path v that holds its first
// blank or bracket, from after the '/' before it, when that segment is
// not where v starts: a statement that opens it opens a value of its
// own (a router hands the segment to the handler).
func sqlSegment(v string) (string, bool) {
	k := strings.IndexAny(v, " \t()")
	if k < 0 {
		return "", false
	}
	s := strings.LastIndexByte(v[:k], '/')
	if s < 0 || s+1 >= k {
		return "", false
	}
	return v[s+1:], true
}

// joinSplitKeywords returns v with the empty comments ("/**/") between
// two letters taken out, when it has one: "UNI/**/ON SEL/**/ECT" is "UNION
// SELECT" to an application that strips comments before it builds its
// query (sqlmap's randomcomments splits a keyword once as often as twice:
// " O/**/R 1=1"). It reports false, and v, otherwise. (A glob's
// "docs/**/index" joins to a word, which no SQL reading takes.)
func joinSplitKeywords(v string) (string, bool) {
	for off := 0; ; {
		k := strings.Index(v[off:], "/**/")
		if k < 0 {
			return v, false
		}
		k += off
		if k > 0 && k+4 < len(v) && isAlpha(v[k-1]) && isAlpha(v[k+4]) {
			break
		}
		off = k + 4
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '/' && i > 0 && i+4 < len(v) && v[i:i+4] == "/**/" && isAlpha(v[i-1]) && isAlpha(v[i+4]) {
			i += 3
			continue
		}
		b = append(b, v[i])
	}
	return string(b), true
}

// stripPercents returns v without the '%' bytes that start no escape (no
// two hex digits follow), when it has three or more: ASP's request
// decoding drops them, so that "%U%N%I%O%N %S%E%L%E%C%T" reaches an ASP
// page's query as UNION SELECT (sqlmap's percentage tamper). It reports
// false, and v, otherwise.
func stripPercents(v string) (string, bool) {
	n := 0
	for i := strings.IndexByte(v, '%'); i >= 0 && i < len(v); i++ {
		if v[i] == '%' && !hexPairAt(v, i+1) {
			n++
		}
	}
	if n < 3 {
		return v, false
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && !hexPairAt(v, i+1) {
			continue
		}
		b = append(b, v[i])
	}
	return string(b), true
}

// hexPairAt reports whether v holds two hex digits at offset i.
func hexPairAt(v string, i int) bool {
	return i+1 < len(v) && isHex(v[i]) && isHex(v[i+1])
}

// blankNBSP returns v with its no-break spaces made spaces, from offset
// k, the first byte 0xa0: U+00A0 in UTF-8 (0xc2 0xa0) becomes two spaces,
// a Latin-1 0xa0 after an ASCII byte one, so that offsets hold. It
// reports false, and v as it is, when v has neither.
func blankNBSP(v string, k int) (string, bool) {
	var b []byte
	for ; k >= 0 && k < len(v); k++ {
		if v[k] != 0xa0 {
			j := strings.IndexByte(v[k:], 0xa0)
			if j < 0 {
				break
			}
			k += j
		}
		switch {
		case k > 0 && v[k-1] == 0xc2:
			if b == nil {
				b = []byte(v)
			}
			b[k-1], b[k] = ' ', ' '
		case k == 0 || v[k-1] < 0x80:
			if b == nil {
				b = []byte(v)
			}
			b[k] = ' '
		}
	}
	if b == nil {
		return v, false
	}
	return string(b), true
}

// blankLeadBytes returns v with each lone byte above ASCII before a quote
// (a byte after an ASCII one: not the end of a UTF-8 character) made a
// space, and whether it changed any. "\xbf'" is how sqlmap's unmagicquotes
// sends a quote past addslashes: in GBK the 0xbf and the backslash added
// before the quote are one character, and the quote is left to close the
// string.
func blankLeadBytes(v string) (string, bool) {
	var b []byte
	for _, q := range [2]byte{'\'', '"'} {
		for off := 1; off < len(v); {
			k := strings.IndexByte(v[off:], q)
			if k < 0 {
				break
			}
			k += off
			if c := v[k-1]; c >= 0x80 && (k == 1 || v[k-2] < 0x80) {
				if b == nil {
					b = []byte(v)
				}
				b[k-1] = ' '
			}
			off = k + 1
		}
	}
	if b == nil {
		return v, false
	}
	return string(b), true
}

// sqlCastOrCatalog adds the cast and catalog rules (sqli_cast.go), which
// need none of the characters the other rules do.
func sqlCastOrCatalog(in *input, seen *rules, dst []threat.Signal, hit bool) ([]threat.Signal, bool) {
	if in.m&cColon != 0 {
		if i, j := sqlCast(in.value); i >= 0 && seen.mark(&hit, sqliFunc) {
			dst = append(dst, signal(nameSQLi, "sqli.cast", 0.99, in, i, j))
		}
	}
	if in.m&(cSpace|cParen|cLT|cGT) == 0 && len(in.value) >= 6 && catalogLead(in.value[0]) && sqlCatalogValue(in.value) &&
		seen.mark(&hit, sqliSchema) {
		dst = append(dst, signal(nameSQLi, "sqli.catalog", 0.99, in, 0, len(in.value)))
	}
	if in.m&cQuote != 0 && in.m&(cBrace|cBracket) != 0 {
		if i, j := sqlJSONCondition(in.value); i >= 0 && seen.mark(&hit, sqliBoolean) {
			dst = append(dst, signal(nameSQLi, "sqli.json_condition", 0.99, in, i, j))
		}
	}
	if in.m&cStar != 0 && in.m&cSlash != 0 {
		if i, j := sqlVersionedComment(in.value); i >= 0 && seen.mark(&hit, sqliComment) {
			dst = append(dst, signal(nameSQLi, "sqli.versioned_comment", 0.99, in, i, j))
		}
	}
	return dst, hit
}

// sqliLibCertain is set in the family's rules once libinjection's rule is
// reported at 0.99, the most a fingerprint scores.
const sqliLibCertain rules = 1 << 62

// When sqliValue runs libinjection (besides the value's own conditions).
const (
	libRun       = iota // always
	libUnlessHit        // only when no other rule matched
	libSkip             // never
)

// sqliValue runs the rules over v, with classes m, keeping the best match
// of each rule in best; lib says when libinjection runs. It returns a mask
// of the rules that matched in v (bit r: best[r].conf > 0).
func sqliValue(v string, m cls, src threat.Source, lib int, best *[sqliNumRules]sqlHit) uint16 {
	if m&sqlChars == 0 {
		return 0
	}
	if src == threat.SourcePath && m&(cQuote|cDQuote|cParen|cSpace) == 0 {
		return 0 // a plain path is never SQL
	}
	if m&sqlStrong == 0 && !strings.Contains(v, "--") {
		// Letters, digits, spaces and plain punctuation: SQL needs a
		// keyword here ("1 union select 1", "1 or true").
		var stack [512]byte
		lo, p := lowerLong(stack[:], v)
		_, ok := findAny(lo, sqliKeywords, true)
		if p != nil {
			longBuffers.Put(p)
		}
		if !ok {
			return 0
		}
	}
	// Declared, then set field by field: a composite literal is built in
	// a temporary, zeroed, and copied into sc, twice the stores of the
	// kilobyte sqlScan takes.
	var sc sqlScan
	sc.lx = newSQLLexer(v)
	sc.run()
	if sc.syntax && (src != threat.SourceHeader || m&(cQuote|cDQuote|cBacktick) != 0 || sc.found()) &&
		(lib == libRun || lib == libUnlessHit && !sc.found()) {
		sc.libinjection()
	}
	// Only the rules that matched can raise best: most values match none.
	for hits := sc.hits; hits != 0; hits &= hits - 1 {
		r := bits.TrailingZeros16(hits)
		if h := &sc.best[r]; h.conf > best[r].conf {
			best[r] = *h
			best[r].src = v
		}
	}
	return sc.hits
}

// found reports whether a rule matched.
func (sc *sqlScan) found() bool { return sc.hits != 0 }

// sqlKind is the kind of a SQL token.
type sqlKind uint8

const (
	sEnd     sqlKind = iota
	sWord            // identifier or keyword; id says which keyword
	sNum             // number, hex or binary literal
	sVar             // @name or @@name (id 2)
	sQuote           // ' " or ` (id): strings are read by the rules that need them
	sOp              // operator; id says which
	sOpen            // (
	sClose           // )
	sComma           // ,
	sSemi            // ;
	sDot             // .
	sComment         // -- # or an unterminated /*
	sNul             // NUL: ends the query for C-string APIs
	sOther           // any other punctuation
)

// Operator ids.
const (
	opArith  uint8 = iota + 1 // + - * / % ^ | & ~ << >>
	opEq                      // = == <=>
	opCmp                     // < > <= >= <> != !< !>
	opOr                      // ||
	opAnd                     // &&
	opNot                     // !
	opAssign                  // :=
	opCast                    // ::
)

// sqlTok is one token: its kind, keyword or operator id, span s[i:j], and
// for a quote whether it opens a string (an even number of the same quote
// precede it: the first quote of a value closes the application's string).
type sqlTok struct {
	kind sqlKind
	id   uint8
	open bool
	i, j int
}

// Keyword ids of words (sqlTok.id).
const (
	kwNone uint8 = iota
	kwOr
	kwAnd
	kwXor
	kwNot
	kwHaving
	kwWhere
	kwUnion
	kwSelect
	kwAll // all, distinct, distinctrow
	kwTop
	kwFrom
	kwJoin
	kwOrder
	kwGroup
	kwBy
	kwLimit // limit, offset, fetch
	kwInto
	kwValues
	kwLike // like, rlike, regexp, glob, match, similar
	kwBetween
	kwIn
	kwIs
	kwTrue // true, false
	kwNull
	kwCase
	kwWhen
	kwThen
	kwElse
	kwEnd
	kwAs
	kwAsc // asc, desc
	kwInsert
	kwUpdate
	kwDelete
	kwDrop
	kwCreate
	kwAlter
	kwTruncate
	kwExec // exec, execute
	kwDeclare
	kwShutdown
	kwGrant // grant, revoke
	kwWaitfor
	kwDelay // delay, time
	kwSet
	kwCall
	kwIf // if, iif
	kwObject
	kwIdentified
	kwProcedure
	kwOutfile // outfile, dumpfile
	kwLoad
	kwData
	kwInfile
	kwCopy
	kwProgram
	kwSounds
	kwDiv // div, mod
	kwCollate
	kwExists
	kwBegin
	kwMaster
	kwDual
	kwFunc       // a common SQL function: char, concat, substring, ascii, count, version ...
	kwSleep      // sleep, pg_sleep, pg_sleep_for, receive_message
	kwBenchmark  // benchmark
	kwRandomblob // randomblob, zeroblob
	kwErrFunc    // extractvalue, updatexml, xmltype, gtid_subset ... (error-based extraction)
	kwFileFunc   // load_file, pg_read_file, lo_import, sys_exec ...
	kwOraPkg     // utl_inaddr, utl_http, dbms_xmlgen, dbms_lock, ctxsys ...
	kwSysObj     // information_schema, sysobjects, pg_catalog, sqlite_master, all_tables ...
	kwProc       // xp_*, sp_* procedures
	kwExp        // exp: error-based only as exp(~(...))
	kwFloor      // floor: error-based as floor(rand(0)*2)
)

// sqlWords maps lower-case words to keyword ids.
var sqlWords = func() map[string]uint8 {
	m := map[string]uint8{}
	add := func(id uint8, ws ...string) {
		for _, w := range ws {
			m[w] = id
		}
	}
	add(kwOr, "or")
	add(kwAnd, "and")
	add(kwXor, "xor")
	add(kwNot, "not")
	add(kwHaving, "having")
	add(kwWhere, "where")
	add(kwUnion, "union")
	add(kwSelect, "select")
	add(kwAll, "all", "distinct", "distinctrow")
	add(kwTop, "top")
	add(kwFrom, "from")
	add(kwJoin, "join")
	add(kwOrder, "order")
	add(kwGroup, "group")
	add(kwBy, "by")
	add(kwLimit, "limit", "offset", "fetch")
	add(kwInto, "into")
	add(kwValues, "values")
	add(kwLike, "like", "rlike", "regexp", "glob", "match", "similar", "ilike")
	add(kwBetween, "between")
	add(kwIn, "in")
	add(kwIs, "is")
	add(kwTrue, "true", "false")
	add(kwNull, "null")
	add(kwCase, "case")
	add(kwWhen, "when")
	add(kwThen, "then")
	add(kwElse, "else")
	add(kwEnd, "end")
	add(kwAs, "as")
	add(kwAsc, "asc", "desc")
	add(kwInsert, "insert", "replace")
	add(kwUpdate, "update")
	add(kwDelete, "delete")
	add(kwDrop, "drop")
	add(kwCreate, "create")
	add(kwAlter, "alter")
	add(kwTruncate, "truncate")
	add(kwExec, "exec", "execute")
	add(kwDeclare, "declare")
	add(kwShutdown, "shutdown")
	add(kwGrant, "grant", "revoke")
	add(kwWaitfor, "waitfor")
	add(kwDelay, "delay", "time")
	add(kwSet, "set")
	add(kwCall, "call")
	add(kwIf, "if", "iif")
	add(kwObject, "table", "database", "schema", "user", "login", "view", "procedure", "function", "index", "trigger",
		"tablespace", "role", "column")
	add(kwIdentified, "identified")
	add(kwOutfile, "outfile", "dumpfile")
	add(kwLoad, "load")
	add(kwData, "data")
	add(kwInfile, "infile")
	add(kwCopy, "copy")
	add(kwProgram, "program")
	add(kwSounds, "sounds")
	add(kwDiv, "div", "mod")
	add(kwCollate, "collate")
	add(kwExists, "exists")
	add(kwBegin, "begin")
	add(kwMaster, "master")
	add(kwDual, "dual")
	add(kwFunc, "char", "chr", "nchar", "concat", "concat_ws", "group_concat", "string_agg", "listagg", "substring", "substr",
		"mid", "ascii", "ord", "unicode", "hex", "unhex", "bin", "length", "len", "count", "version", "database",
		"current_user", "system_user", "session_user", "user_name", "db_name", "host_name", "schema_name", "md5", "sha1",
		"ifnull", "isnull", "nvl", "coalesce", "nullif", "cast", "convert", "rand", "random", "lower", "upper", "left",
		"right", "reverse", "trim", "instr", "locate", "position", "strcmp", "make_set", "elt", "field", "lpad", "rpad",
		"conv", "compress", "uncompress", "to_char", "to_number", "decode", "utl_raw", "quote", "typeof", "sqlite_version",
		"current_database", "current_schema", "pg_typeof", "getdate", "now", "sysdate", "datalength", "row_count",
		"last_insert_id", "found_rows", "connection_id", "unistr", "soundex", "space", "repeat",
		"replicate", "stuff", "charindex", "patindex", "json_extract", "dbms_random", "object_id", "object_name",
		"has_dbaccess", "is_srvrolemember", "is_member", "suser_name", "suser_sname", "fn_varbintohexstr")
	add(kwSleep, "sleep", "pg_sleep", "pg_sleep_for", "pg_sleep_until", "receive_message")
	add(kwBenchmark, "benchmark")
	add(kwRandomblob, "randomblob", "zeroblob")
	add(kwErrFunc, "extractvalue", "updatexml", "xmltype", "gtid_subset", "gtid_subtract", "json_keys", "name_const",
		"polygon", "multipoint", "multipolygon", "multilinestring", "linestring", "geometrycollection",
		"st_latfromgeohash", "st_longfromgeohash", "st_pointfromgeohash", "xmlserialize", "dbms_xmlquery", "get_host_address",
		"get_host_name", "drithsx", "sqlid_to_sqlhash", "ordsys", "xmlquery", "xmlelement")
	add(kwFileFunc, "load_file", "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "lo_import", "lo_export",
		"sys_exec", "sys_eval", "openrowset", "opendatasource", "openquery", "bulk", "dblink", "dblink_connect", "utl_file",
		"dbms_java", "dbms_scheduler", "xp_dirtree", "load_extension")
	add(kwOraPkg, "utl_inaddr", "utl_http", "utl_tcp", "utl_smtp", "dbms_xmlgen", "dbms_lock", "dbms_pipe", "dbms_session",
		"dbms_utility", "ctxsys", "sys_context", "user_lock", "dbms_aw", "dbms_export_extension")
	add(kwSysObj, "information_schema", "sysobjects", "syscolumns", "sysdatabases", "sysusers", "sysprocesses",
		"sysservers", "syslogins", "sysxlogins", "sysfiles", "systypes", "syscomments", "pg_catalog", "pg_shadow",
		"pg_user", "pg_database", "pg_tables", "pg_group", "pg_roles", "pg_namespace", "pg_class", "pg_attribute",
		"pg_stat_activity", "pg_authid", "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_sequence",
		"all_tables", "all_users", "all_tab_columns", "all_objects", "all_views", "user_tables", "user_objects",
		"user_tab_columns", "user_users", "user_role_privs", "user_sys_privs", "dba_users", "dba_tables",
		"dba_role_privs", "dba_sys_privs", "session_roles", "v$version", "v$instance", "v$database", "v$session",
		"msysobjects", "msysaccessobjects", "msysqueries", "msysrelationships", "sysibm", "syscat", "rdb$relations",
		"rdb$database", "rdb$fields", "performance_schema", "innodb_table_stats", "sys_schema",
		"sysschemas", "systables", "spt_values", "sql_logins", "server_principals",
		"database_principals")
	add(kwExp, "exp")
	add(kwFloor, "floor")
	return m
}()

// sqlWordBits has a bit for the first two bytes, last two bytes and
// length of each keyword in sqlWords: most words of prose miss it, and
// skip the table. (With the first and last bytes only, "them", "form",
// "came" and "read" hit "trim", "from", "case" and "rand".)
var sqlWordBits = func() (bits [1 << 10]uint64) {
	for w := range sqlWords {
		h := sqlWordHash(w[0], w[1], w[len(w)-2], w[len(w)-1], len(w))
		bits[h>>6] |= 1 << (h & 63)
	}
	return bits
}()

func sqlWordHash(first, second, penult, last byte, n int) uint32 {
	k := uint64(first) | uint64(second)<<8 | uint64(penult)<<16 | uint64(last)<<24 | uint64(n)<<32
	return uint32(k * 0x9E3779B97F4A7C15 >> 48)
}

// sqlPairLens has, for the first two bytes of a word (sqlPair), a bit
// for the length of each keyword that starts with them, and every length
// over four for "xp" and "sp" (xp_ and sp_ procedures): a word whose bit
// is clear is no keyword. The lexer's loop asks it before it calls
// sqlKeyword: one load from a small table rejects "the", "of", "to",
// "you", "was", most words of prose.
var sqlPairLens = func() (t [1 << 10]uint32) {
	for w := range sqlWords {
		if len(w) <= sqlMaxWord {
			t[sqlPair(w[0], w[1])] |= 1 << len(w)
		}
	}
	for n := 5; n <= sqlMaxWord; n++ {
		t[sqlPair('x', 'p')] |= 1 << n
		t[sqlPair('s', 'p')] |= 1 << n
	}
	return t
}()

// sqlPair indexes sqlPairLens by two bytes, lower-cased: five bits of
// each, which lower-casing (ASCII only) leaves as they are (bytes that
// share them share an entry, which only lets more words through).
func sqlPair(a, b byte) int {
	return int(a&31)<<5 | int(b&31) // lower-casing keeps the low five bits
}

// sqlMaxWord is the length of the longest word sqlKeyword looks up.
const sqlMaxWord = 24

// sqlMayKeyword reports whether w may be a keyword: when it is false,
// sqlKeyword(w) is kwNone. It is the filter of sqlKeyword, which few
// words of prose pass. A keyword passes it: its hash is one sqlWordBits
// has.
func sqlMayKeyword(w string) bool {
	n := len(w)
	if n < 2 || n > sqlMaxWord {
		return false
	}
	second := lowerTable[w[1]]
	if n > 4 && second == 'p' && w[2] == '_' {
		return true // xp_ and sp_ procedures (and other words with "p_")
	}
	h := sqlWordHash(lowerTable[w[0]], second, lowerTable[w[n-2]], lowerTable[w[n-1]], n)
	return sqlWordBits[h>>6]&(1<<(h&63)) != 0
}

// sqlKeyword returns the keyword id of word w.
func sqlKeyword(w string) uint8 {
	if !sqlMayKeyword(w) {
		return kwNone
	}
	if len(w) > 4 && (lowerTable[w[0]] == 'x' || lowerTable[w[0]] == 's') && lowerTable[w[1]] == 'p' && w[2] == '_' {
		if id := sqlWord(w); id != kwNone {
			return id
		}
		return kwProc // xp_cmdshell, sp_executesql, sp_oacreate ...
	}
	return sqlWord(w)
}

// sqlWord looks w up in sqlWords, lower-cased, through sqlWordTable.
func sqlWord(w string) uint8 {
	h := uint32(2166136261)
	for k := 0; k < len(w); k++ {
		h = (h ^ uint32(lowerTable[w[k]])) * 16777619
	}
	for p := h; ; p++ {
		e := &sqlWordTable[p%uint32(len(sqlWordTable))]
		if e.key == "" {
			return kwNone
		}
		if len(e.key) == len(w) && equalLower(e.key, w) {
			return e.id
		}
	}
}

// equalLower reports whether w lower-cased (ASCII only) is key.
func equalLower(key, w string) bool {
	for k := 0; k < len(key); k++ {
		if lowerTable[w[k]] != key[k] {
			return false
		}
	}
	return true
}

// sqlShortKeyword returns sqlKeyword of a word of n < 8 bytes, the low
// bytes of x (the first of x its first), from the word itself: its bytes
// with bit 5 set (sqlFold) are looked up in sqlShortTable. Setting it
// lower-cases the letters and leaves digits and '$' as they are; it turns
// '_' into DEL, which no word holds, so two words fold alike only when
// they lower-case alike.
func sqlShortKeyword(x uint64, n int) uint8 {
	k := sqlFold(x, n)
	for h := k * 0x9E3779B97F4A7C15 >> (64 - sqlShortBits); ; h = (h + 1) & (1<<sqlShortBits - 1) {
		e := &sqlShortTable[h]
		if e.key == k {
			return e.id
		}
		if e.key == 0 {
			break
		}
	}
	if n > 4 && (x&0xffdfdf == '_'<<16|'P'<<8|'X' || x&0xffdfdf == '_'<<16|'P'<<8|'S') {
		return kwProc // xp_cmdshell, sp_who ... as sqlKeyword reads them
	}
	return kwNone
}

// sqlFold keeps the low n bytes of x, each with bit 5 set.
func sqlFold(x uint64, n int) uint64 {
	m := uint64(1)<<(8*uint(n)) - 1
	return (x | 0x2020202020202020) & m
}

// sqlShortBits is log2 of the size of sqlShortTable.
const sqlShortBits = 9

// sqlShortTable holds the keywords of sqlWords shorter than eight bytes,
// folded by sqlFold, open-addressed by sqlShortKeyword's hash.
var sqlShortTable = func() (t [1 << sqlShortBits]struct {
	key uint64
	id  uint8
}) {
	n := 0
	for w, id := range sqlWords {
		if len(w) >= 8 {
			continue
		}
		if n++; n > len(t)/2 {
			panic("signature: sqlShortTable is too small for sqlWords") // lookups need empty slots
		}
		var x uint64
		for k := len(w) - 1; k >= 0; k-- {
			x = x<<8 | uint64(w[k])
		}
		k := sqlFold(x, len(w))
		h := k * 0x9E3779B97F4A7C15 >> (64 - sqlShortBits)
		for t[h].key != 0 {
			h = (h + 1) & (1<<sqlShortBits - 1)
		}
		t[h].key, t[h].id = k, id
	}
	return t
}()

// sqlShortBloomBits is log2 of the number of bits of sqlShortBloom.
const sqlShortBloomBits = 14

// sqlShortBloom has a bit for each key of sqlShortTable, at its hash
// (sqlShortBloomHash): a word of fewer than eight bytes whose bit is clear
// is no keyword. About 150 keys set at most as many of its 16,384 bits
// (2 KiB), so it lets through about one word of prose in a hundred, where
// sqlPairLens lets through one in four ("that" and "this" share "then"'s
// first two letters and length).
var sqlShortBloom = func() (b [1 << sqlShortBloomBits / 64]uint64) {
	for _, e := range sqlShortTable {
		if e.key != 0 {
			h := sqlShortBloomHash(e.key)
			b[h/64] |= 1 << (h % 64)
		}
	}
	return b
}()

// sqlShortBloomHash hashes a word folded as sqlFold does.
func sqlShortBloomHash(k uint64) uint64 {
	return k * 0xff51afd7ed558ccd >> (64 - sqlShortBloomBits) // not sqlShortKeyword's multiplier: the compiler would keep one product for both
}

// sqlWordTable holds sqlWords open-addressed by the FNV-1a hash of the
// key, so that a word is looked up as it is lower-cased, with no copy and
// no map: the lexer asks for every word of a value.
var sqlWordTable = func() (t [1024]struct {
	key string
	id  uint8
}) {
	if len(sqlWords) > len(t)/2 {
		panic("signature: sqlWordTable is too small for sqlWords") // lookups need empty slots
	}
	for w, id := range sqlWords {
		h := uint32(2166136261)
		for k := 0; k < len(w); k++ {
			h = (h ^ uint32(w[k])) * 16777619
		}
		p := h
		for t[p%uint32(len(t))].key != "" {
			p++
		}
		t[p%uint32(len(t))].key, t[p%uint32(len(t))].id = w, id
	}
	return t
}()

// glued reports whether keyword id may follow a number without a space,
// as SQL tokenisers allow ("1union", "1or", "1e0union").
func glued(id uint8) bool {
	switch id {
	case kwOr, kwAnd, kwXor, kwUnion, kwOrder, kwGroup, kwHaving, kwLimit, kwLike, kwDiv, kwFrom, kwSelect, kwInto,
		kwWhere, kwProcedure:
		return true
	}
	return false
}

// clause reports whether id is a keyword that cannot be an operand.
func clause(id uint8) bool {
	switch id {
	case kwNone, kwTrue, kwNull, kwFunc, kwSleep, kwBenchmark, kwRandomblob, kwErrFunc, kwFileFunc, kwOraPkg, kwSysObj,
		kwProc, kwExp, kwFloor, kwMaster, kwDual, kwObject, kwData, kwDelay, kwIf:
		return false
	}
	return true
}

// sqlLexer reads a value as SQL tokens. next is stateless but for caches:
// one that keeps searches for the end of "/*" comments linear, and the
// last token it read.
type sqlLexer struct {
	s       string
	noClose int // no "*/" at or after this offset
	noEOL   int // no line break at or after this offset
	// budget bounds the bytes that string and bracket matching read over
	// the whole value, however many rules ask: a linear bound.
	budget int
	// at and tok are the offset next was last asked about and its token.
	// The rules read the tokens after a keyword again and again (boolean
	// reads the operand after "and", its end to find a comparison, the
	// word after that for a dotted name or a call), each time from the
	// same offset. lex is a function of s and the offset alone (noClose
	// only remembers what lex would find), so the cached token is the one
	// lex returns.
	at  int
	tok sqlTok
}

// newSQLLexer returns a lexer over s.
func newSQLLexer(s string) sqlLexer {
	return sqlLexer{s: s, noClose: len(s) + 1, noEOL: len(s) + 1, budget: 8*len(s) + 4*sqlGroupBound, at: -1}
}

// next returns the token at or after offset i (lex), from the cache when
// it was the last offset asked about.
func (lx *sqlLexer) next(i int) sqlTok {
	if i != lx.at {
		lx.tok = lx.lex(i)
		lx.at = i
	}
	return lx.tok
}

func sqlWordByte(c byte) bool { return sqlBytes[c]&sbWord != 0 }

// sqlWordEnd returns the first index at or after j whose byte is no
// sqlWordByte, or len(s). Eight bytes are classified at once: most words
// of prose end in the first eight, found without a branch for each byte
// (whose outcome, with words of every length, the processor mispredicts
// once a word).
func sqlWordEnd(s string, j int) int {
	for ; j+8 <= len(s); j += 8 {
		if nonword := sqlNonWord(le64(s[j : j+8])); nonword != 0 {
			return j + bits.TrailingZeros64(nonword)/8
		}
	}
	for j < len(s) && sqlWordByte(s[j]) {
		j++
	}
	return j
}

// sqlNonWord returns the high bit of each byte of x (eight bytes of a
// value, the first lowest) that is no sqlWordByte. In each byte of the
// low seven bits y, adding 0x80-lo sets the high bit where y >= lo; no
// carry crosses a byte.
func sqlNonWord(x uint64) uint64 {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	y := x & lows
	l := y | 0x20*ones // letters folded to lower case
	letter := (l + (0x80-'a')*ones) &^ (l + (0x80-'z'-1)*ones)
	digit := (y + (0x80-'0')*ones) &^ (y + (0x80-'9'-1)*ones)
	u := y ^ '_'*ones
	d := y ^ '$'*ones
	// ((z+0x7f)|z) has the high bit clear exactly where z is zero
	word := x | letter | digit | ^((u + lows) | u) | ^((d + lows) | d) // x: bytes >= 0x80
	return ^word & highs
}

// sqlLetters returns the index of the first byte of x (eight bytes of a
// value, the first lowest) after the first that is no ASCII letter, or 8.
// When that byte is a space, a word starting at x's first byte ends there,
// as sqlNonWord would find: letters are word bytes and a space is none. It
// costs half of sqlNonWord, and most words of prose end so.
func sqlLetters(x uint64) int {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	l := x&lows | 0x20*ones                                         // letters folded to lower case; no byte above 0x7f
	letter := (l + (0x80-'a')*ones) &^ (l + (0x80-'z'-1)*ones) &^ x // x: bytes >= 0x80 are no letters
	other := ^letter & (highs &^ 0xff)
	return bits.TrailingZeros64(other) / 8 // 64 / 8 when there is none
}

// Classes of bytes for the lexer (sqlBytes).
const (
	sbWord  = 1 << iota // a byte of a word: isWord, '$' or not ASCII
	sbStart             // a byte that starts a word token: sbWord but a digit
	sbSpace             // ' ', '\t', '\n', '\r', '\v', '\f'; and the control bytes 0x01-0x1f SQL Server reads as blanks
	sbSkip              // a byte next may skip but for what follows: 0xa0 + % / * # -
)

var sqlBytes = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if isWord(byte(c)) || c == '$' || c >= 0x80 {
			t[c] |= sbWord
			if !isDigit(byte(c)) {
				t[c] |= sbStart
			}
		}
	}
	for _, c := range []byte(" \t\n\r\v\f") {
		t[c] |= sbSpace
	}
	for c := 0x01; c < 0x20; c++ {
		t[c] |= sbSpace // "or\x02true" (sqlmap's space2mssqlblank)
	}
	for _, c := range []byte{0xa0, '+', '%', '/', '*', '#', '-'} {
		t[c] |= sbSkip
	}
	return t
}()

// lex returns the token at or after offset i. Spaces, "+" before a
// letter (a form-encoded space read raw), and closed /* */ comments are
// skipped; the content of a MySQL /*! */ comment is read as SQL.
func (lx *sqlLexer) lex(i int) sqlTok {
	s := lx.s
	for i < len(s) {
		c := s[i]
		f := sqlBytes[c]
		if f&sbSpace != 0 {
			i++
			continue
		}
		if f&sbSkip == 0 {
			break // none of the cases below
		}
		switch {
		case c == 0xa0 && (i == 0 || s[i-1] < 0x80):
			i++ // a Latin-1 no-break space, not a UTF-8 continuation byte
			continue
		case c == '+' && i+1 < len(s) && isAlpha(s[i+1]):
			i++
			continue
		case c == '%' && i+2 < len(s) && encodedSpace(s[i+1], s[i+2]):
			i += 3 // %20, %09, %0a ... left encoded where nothing decodes (headers)
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if i+2 < len(s) && s[i+2] == '!' {
				i += 3
				for k := 0; k < 6 && i < len(s) && isDigit(s[i]); k++ {
					i++
				}
				continue
			}
			if end := lx.commentEnd(i + 2); end >= 0 {
				i = end + 2
				continue
			}
			return sqlTok{kind: sComment, i: i, j: i + 2}
		case c == '*' && i+1 < len(s) && s[i+1] == '/':
			i += 2
			continue
		case c == '#' || c == '-' && i+1 < len(s) && s[i+1] == '-':
			// a line comment that a line break ends, SQL after it: a
			// blank ("union#x\nselect", sqlmap's space2hash and
			// space2dash); one that runs to the end cuts the query off
			if j := lx.lineCommentEnd(i); j > 0 {
				i = j
				continue
			}
		}
		break
	}
	if i >= len(s) {
		return sqlTok{kind: sEnd, i: len(s), j: len(s)}
	}
	c := s[i]
	if sqlBytes[c]&sbStart != 0 {
		return lx.word(i) // the case below a word's first byte reaches
	}
	t := sqlTok{i: i, j: i + 1}
	switch {
	case c == '\'' || c == '"' || c == '`':
		t.kind, t.id = sQuote, c
	case c == '(':
		t.kind = sOpen
	case c == ')':
		t.kind = sClose
	case c == ',':
		t.kind = sComma
	case c == ';':
		t.kind = sSemi
	case c == 0:
		t.kind = sNul
	case c == '#':
		t.kind = sComment
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		t.kind, t.j = sComment, i+2
	case c == '@':
		j := i + 1
		if j < len(s) && s[j] == '@' {
			j++
			t.id = 2
		}
		k := j
		for k < len(s) && (sqlWordByte(s[k]) || s[k] == '.') {
			k++
		}
		if k > j {
			t.kind, t.j = sVar, k
		} else {
			t.kind, t.id = sOther, 0
		}
	case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
		return lx.number(i)
	case sqlWordByte(c):
		return lx.word(i)
	case c == '.':
		t.kind = sDot
	default:
		return lx.operator(i)
	}
	return t
}

// encodedSpace reports whether %hl encodes a byte SQL reads as a space.
func encodedSpace(h, l byte) bool {
	switch h {
	case '0':
		return l == '9' || l|0x20 == 'a' || l|0x20 == 'b' || l|0x20 == 'c' || l|0x20 == 'd'
	case '2':
		return l == '0'
	case 'a', 'A':
		return l == '0'
	}
	return false
}

// lineCommentEnd returns the offset after the line break that ends the
// line comment at i, when a byte other than a blank follows it; or -1.
func (lx *sqlLexer) lineCommentEnd(i int) int {
	if i >= lx.noEOL {
		return -1
	}
	s := lx.s
	k := strings.IndexByte(s[i:], '\n')
	if k < 0 {
		lx.noEOL = i
		return -1
	}
	j := i + k + 1
	for e := j; e < len(s); e++ {
		if sqlBytes[s[e]]&sbSpace == 0 {
			return j
		}
	}
	return -1
}

func (lx *sqlLexer) commentEnd(i int) int {
	if i >= lx.noClose {
		return -1
	}
	k := strings.Index(lx.s[i:], "*/")
	if k < 0 {
		lx.noClose = i
		return -1
	}
	return i + k
}

func (lx *sqlLexer) number(i int) sqlTok {
	s := lx.s
	j := i
	if s[i] == '0' && i+2 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 'b') && isHex(s[i+2]) {
		j = i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
	} else {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			j++
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
		if j+1 < len(s) && s[j]|0x20 == 'e' && (isDigit(s[j+1]) || (s[j+1] == '+' || s[j+1] == '-') && j+2 < len(s) && isDigit(s[j+2])) {
			j += 2
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
	}
	if j < len(s) && (isWord(s[j]) || s[j] == '$') {
		// Glued letters: "3pm" and "1st" are words; "1union" and "1or" a
		// number and a keyword.
		if w := lx.word(j); glued(w.id) {
			return sqlTok{kind: sNum, i: i, j: j}
		}
		k := j
		for k < len(s) && sqlWordByte(s[k]) {
			k++
		}
		return sqlTok{kind: sWord, i: i, j: k}
	}
	return sqlTok{kind: sNum, i: i, j: j}
}

// word reads the word at offset i. Only a word whose first two bytes and
// length a keyword has (sqlPairLens) is looked up: run reads most words
// of prose with plainTokens, but the rules read the words after their
// keywords here, mostly plain ones.
func (lx *sqlLexer) word(i int) sqlTok {
	s := lx.s
	if i+8 <= len(s) {
		// Most words are letters followed by a byte of no word, in the
		// first eight bytes: read them with no call to sqlWordEnd, and
		// with sqlShortKeyword for sqlKeyword.
		x := le64(s[i : i+8])
		if e := sqlLetters(x); e < 8 && !sqlWordByte(byte(x>>(8*e))) {
			id := kwNone
			if e >= 2 && sqlPairLens[int(x&31)<<5|int(x>>8&31)]&(1<<e) != 0 {
				id = sqlShortKeyword(x, e)
			}
			return sqlTok{kind: sWord, id: id, i: i, j: i + e}
		}
	}
	j := sqlWordEnd(s, i)
	id := kwNone
	if n := j - i; n >= 2 && n <= sqlMaxWord && sqlPairLens[sqlPair(s[i], s[i+1])]&(1<<n) != 0 {
		id = sqlKeyword(s[i:j])
	}
	return sqlTok{kind: sWord, id: id, i: i, j: j}
}

func (lx *sqlLexer) operator(i int) sqlTok {
	s := lx.s
	var c2, c3 byte
	if i+1 < len(s) {
		c2 = s[i+1]
	}
	if i+2 < len(s) {
		c3 = s[i+2]
	}
	t := sqlTok{kind: sOp, i: i, j: i + 1}
	switch s[i] {
	case '=':
		t.id = opEq
		if c2 == '=' {
			t.j++
		}
	case '<':
		t.id = opCmp
		switch {
		case c2 == '=' && c3 == '>':
			t.id, t.j = opEq, i+3
		case c2 == '=' || c2 == '>':
			t.j++
		case c2 == '<':
			t.id, t.j = opArith, i+2
		}
	case '>':
		t.id = opCmp
		if c2 == '=' {
			t.j++
		} else if c2 == '>' {
			t.id, t.j = opArith, i+2
		}
	case '!':
		t.id = opNot
		if c2 == '=' || c2 == '<' || c2 == '>' {
			t.id, t.j = opCmp, i+2
		}
	case '|':
		t.id = opArith
		if c2 == '|' {
			t.id, t.j = opOr, i+2
		}
	case '&':
		t.id = opArith
		if c2 == '&' {
			t.id, t.j = opAnd, i+2
		}
	case ':':
		switch c2 {
		case '=':
			t.id, t.j = opAssign, i+2
		case ':':
			t.id, t.j = opCast, i+2
		default:
			t.kind = sOther
		}
	case '+', '-', '*', '/', '%', '^', '~':
		t.id = opArith
	default:
		t.kind = sOther
	}
	return t
}

// stringEnd returns the offset of the quote q closing a string whose
// content starts at i, -1 when the value ends first (the application's
// own quote closes it), or -2 when it runs on past sqlGroupBound bytes.
func (lx *sqlLexer) stringEnd(i int, q byte) int {
	s := lx.s
	for k := i; k < len(s); k++ {
		if k-i > sqlGroupBound || lx.budget <= 0 {
			return -2
		}
		lx.budget--
		switch s[k] {
		case '\\':
			k++
		case q:
			return k
		}
	}
	return -1
}

// group returns the offset after the bracket closing the one at i (the
// end of the value when it is never closed: the application closes it),
// or -1 when it runs on past sqlGroupBound bytes.
func (lx *sqlLexer) group(i int) int {
	s := lx.s
	depth := 0
	for k := i; k < len(s); k++ {
		if k-i > sqlGroupBound || lx.budget <= 0 {
			return -1
		}
		lx.budget--
		switch s[k] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return len(s)
}

// lead is what precedes a token, which says whether it continues SQL or
// prose.
type lead uint8

const (
	leadStart  lead = iota // nothing (or only brackets) before it
	leadBreak              // a quote that closes a string, maybe with ')' after it
	leadNum                // a number or variable
	leadExpr               // an operator, ',' or '(': inside an expression
	leadSemi               // ';'
	leadClause             // a SQL keyword
	leadCall               // ')' after a word: a call or a bracketed expression
	leadWord               // one word alone before it: "admin or 1=1", padding
	leadText               // a sentence
)

// sqlHit is the best match of one rule.
type sqlHit struct {
	conf float64
	i, j int
	fp   string // libinjection's fingerprint
	src  string // the form of the value it was found in
}

// sqlScan is one pass of the SQL rules over a value.
type sqlScan struct {
	lx     sqlLexer
	best   [sqliNumRules]sqlHit
	ring   [8]ringTok // the last tokens, ring[(n-1)%8] the latest
	n      int
	quotes [3]int // ' " ` seen so far
	starts [sqlLibStarts]int
	nstart int
	// syntax says the value has a token that SQL syntax needs: a quote,
	// a bracket, a comment, ';', a keyword, a comparison or logical
	// operator, a variable. Without one libinjection cannot match either.
	syntax bool
	// hits has bit r set once best[r] holds a match (conf > 0).
	hits uint16
}

func (sc *sqlScan) hit(rule int, conf float64, i, j int) {
	if h := &sc.best[rule]; conf > h.conf {
		h.conf, h.i, h.j = conf, i, j
		sc.hits |= 1 << rule
	}
}

// push appends a token to the ring. It stores the fields one by one: a
// token built in memory a field at a time and copied whole, sixteen bytes
// at a load, waits for its stores to reach memory (no store forwarding
// joins them), the most expensive line of the lexer's loop in profiles.
func (sc *sqlScan) push(kind sqlKind, id uint8, open bool, i, j int) {
	r := &sc.ring[uint(sc.n)%uint(len(sc.ring))].sqlTok
	r.kind, r.id, r.open, r.i, r.j = kind, id, open, i, j
	sc.n++
}

// ringTok is a token padded to 32 bytes, a power of two: the ring's slot
// is then a shift of n, and push stores each field at the slot plus its
// offset. Of 24-byte slots the compiler multiplies n by three and computes
// each field's address apart: 15 instructions a push (of each word of
// prose) instead of 9.
type ringTok struct {
	sqlTok
	_ int
}

// plainTokens reads, from offset p, the tokens of prose that need no
// rule, pushing each as run's loop would push lex's: words of ASCII
// letters that are no keyword, the punctuation , . ? : ! ( ) where lex
// reads them as one byte, the apostrophes of contractions, and the spaces
// between them. It stops at a keyword of letters, returning its offset,
// end and id, or at any other token (a word of eight bytes or more, one
// that goes on with a digit, a quote...) and eight bytes before the end,
// returning its offset and kwNone; run reads on from there. It makes no
// call, so that the compiler keeps its values in registers (read in run's
// loop, among its calls, a word cost about 75 instructions: the compiler
// spilled them and reloaded its constants).
func (sc *sqlScan) plainTokens(p int) (int, int, uint8) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	s := sc.lx.s
	n := sc.n
	for p < len(s)-7 { // p+8 <= len(s), without p+8's overflow that the compiler checks for
		x := le64(s[p:])
		// The bytes of x that are no ASCII letter, as in sqlLetters, but
		// for the first byte too, and without clearing the high bits
		// first: the sums then carry out of a byte of 0x80 or more, into
		// the bytes after it, but that byte itself is found to be no
		// letter, and only the first that is none is read.
		l := x | 0x20*ones // letters folded to lower case
		other := (^(l + (0x80-'a')*ones) | (l + (0x80-'z'-1)*ones)) & highs
		if other&0x80 != 0 {
			// A space, or one byte of punctuation that lex reads as a
			// token of its own, as its switch and operator read them.
			var kind sqlKind
			var id uint8
			switch after := byte(x >> 8); byte(x) {
			case ' ':
				p++
				continue
			case ',':
				kind = sComma
			case '?':
				kind = sOther
			case '.':
				if isDigit(after) {
					break // a number
				}
				kind = sDot
			case ':':
				if after != '=' && after != ':' {
					kind = sOther
				}
			case '!':
				if after != '=' && after != '<' && after != '>' {
					kind, id = sOp, opNot
					sc.syntax = true // as run's loop finds
				}
			case '(':
				kind = sOpen
				sc.syntax = true
			case ')':
				kind = sClose
				sc.syntax = true
			case '\'':
				// The apostrophe of it's or don't (contraction): a quote
				// to lex, which sets syntax, and sOther to run's loop.
				if p > 0 && isAlpha(s[p-1]) {
					// sh is 8 times the offset of the first byte after
					// it that is no letter; w the letters before it.
					sh := uint(bits.TrailingZeros64(other&^0x80|1<<63)) &^ 7
					switch w := l >> 8 & (1<<(sh-8) - 1); w {
					case 's', 't', 'd', 'm', 'l' | 'l'<<8, 'r' | 'e'<<8, 'v' | 'e'<<8:
						kind, id = sOther, '\''
						sc.syntax = true
					}
				}
			}
			if kind == sEnd {
				break
			}
			r := &sc.ring[uint(n)%uint(len(sc.ring))].sqlTok
			r.kind, r.id, r.open, r.i, r.j = kind, id, false, p, p+1
			n++
			if p++; byte(x>>8) == ' ' {
				p++
			}
			continue
		}
		// sh is 8 times the word's length, the offset of the first byte
		// that is no letter; 56 when x has letters only (then the byte it
		// reads is a letter). The bit set spares Ctz its case of zero.
		sh := uint(bits.TrailingZeros64(other|1<<63)) &^ 7
		after := byte(x >> sh)
		if after != ' ' && sqlWordByte(after) {
			break // the word goes on past its letters
		}
		// The first sh/8 bytes of l are the word folded as sqlFold folds
		// it: look it up as sqlShortKeyword does (but for xp_ and sp_,
		// which are no letters), when sqlShortBloom has its bit.
		k := l & (1<<sh - 1)
		id := kwNone
		if h := sqlShortBloomHash(k); sqlShortBloom[h/64]&(1<<(h%64)) != 0 {
			for h := k * 0x9E3779B97F4A7C15 >> (64 - sqlShortBits); ; h = (h + 1) & (1<<sqlShortBits - 1) {
				if e := &sqlShortTable[h]; e.key == k {
					if id = e.id; sqlWordRule[id] != wrNone {
						sc.n = n
						return p, p + int(sh/8), id
					}
					sc.syntax = true // a keyword with no rule ("in", "as", "from"), as run's loop finds
					break
				} else if e.key == 0 {
					break
				}
			}
		}
		r := &sc.ring[uint(n)%uint(len(sc.ring))].sqlTok
		r.kind, r.id, r.open, r.i, r.j = sWord, id, false, p, p+int(sh/8)
		n++
		if p += int(sh / 8); after == ' ' {
			p++ // as lex skips it, but without a turn of the loop
		}
	}
	sc.n = n
	return p, p, kwNone
}

// prev returns the k-th token before the current one (0: the latest).
func (sc *sqlScan) prev(k int) sqlTok {
	if k >= sc.n || k >= len(sc.ring) {
		return sqlTok{kind: sEnd}
	}
	return sc.ring[(sc.n-1-k)%len(sc.ring)].sqlTok
}

func quoteIndex(q byte) int {
	switch q {
	case '\'':
		return 0
	case '"':
		return 1
	}
	return 2
}

// run lexes the value once and tries each rule where its trigger token
// appears.
func (sc *sqlScan) run() {
	lx := &sc.lx
	for pos := 0; ; {
		// Most tokens of prose need no rule: plainTokens reads them, and
		// stops at a keyword of letters, which it returns, or at a token
		// it leaves to lex, after spaces only.
		p, j, id := sc.plainTokens(pos)
		if id != kwNone {
			sc.syntax = true
			sc.word(sqlTok{kind: sWord, id: id, i: p, j: j})
			sc.push(sWord, id, false, p, j)
			pos = j
			continue
		}
		t := lx.lex(p) // next would cache it, and the rules seldom ask for it
		if t.kind == sEnd {
			return
		}
		switch t.kind {
		case sQuote, sOpen, sClose, sSemi, sComment, sNul:
			sc.syntax = true
		case sWord:
			sc.syntax = sc.syntax || t.id != kwNone
		case sOp:
			sc.syntax = sc.syntax || t.id != opArith
		case sVar:
			sc.syntax = sc.syntax || t.i == 0 || !sqlWordByte(lx.s[t.i-1]) // not a@b.c
		}
		if t.kind == sQuote && contraction(lx.s, t.i) {
			t.kind = sOther // it's, don't: an apostrophe, not a string's quote
		}
		switch t.kind {
		case sQuote:
			k := quoteIndex(t.id)
			t.open = sc.quotes[k]%2 == 1
			sc.quotes[k]++
			if !t.open && sc.nstart < len(sc.starts) && sc.breakStart(t) {
				sc.starts[sc.nstart] = t.i
				sc.nstart++
			}
		case sWord:
			if t.id != kwNone { // sc.word has no rule for plain words
				sc.word(t)
			}
		case sVar:
			if t.id == 2 { // @@version, @@datadir
				conf := 0.99
				if sc.leadIn() == leadText {
					conf = 0.85
				}
				sc.hit(sqliSchema, conf, t.i, t.j)
			}
		case sOp:
			if t.id == opOr || t.id == opAnd {
				sc.boolean(t)
			}
		case sSemi:
			sc.stacked(t)
			if lx.next(t.j).kind == sEnd && sc.prevAfterClosers().kind == sQuote {
				// "admin@example.com';": the statement ended after the
				// break-out, as a comment would cut it
				sc.comment(t)
			}
		case sComment, sNul:
			sc.comment(t)
		}
		sc.push(t.kind, t.id, t.open, t.i, t.j)
		pos = t.j
	}
}

// contraction reports whether the quote at s[i] is the apostrophe of an
// English contraction (it's, don't, I'm, we'll, you're, I've, he'd): such
// quotes in the prose before an injection must not shift which quotes
// open and close strings.
func contraction(s string, i int) bool {
	if s[i] != '\'' || i == 0 || !isAlpha(s[i-1]) || i+1 >= len(s) {
		return false
	}
	j := i + 1
	for j < len(s) && j-i <= 3 && isAlpha(s[j]) {
		j++
	}
	if j < len(s) && isAlpha(s[j]) {
		return false
	}
	switch strings.ToLower(s[i+1 : j]) {
	case "s", "t", "d", "m", "ll", "re", "ve":
		return true
	}
	return false
}

// leadIn classifies what precedes the current token.
func (sc *sqlScan) leadIn() lead {
	k, closes := 0, 0
	for ; k < sc.n && k < len(sc.ring); k++ {
		if sc.prev(k).kind != sClose {
			break
		}
		closes++
	}
	if k >= sc.n {
		if closes > 0 {
			return leadBreak // "))) or 1=1": closing the application's brackets
		}
		return leadStart
	}
	if k >= len(sc.ring) {
		return leadCall
	}
	p := sc.prev(k)
	switch p.kind {
	case sQuote:
		if !p.open {
			return leadBreak
		}
		return leadText
	case sNum, sVar:
		return leadNum
	case sOp, sComma, sOpen:
		if closes > 0 {
			return leadCall
		}
		return leadExpr
	case sSemi:
		if q := sc.prev(k + 1); q.kind == sWord && q.id == kwNone && q.j-q.i > 1 {
			return leadText // "...as I should like; and I like less": a sentence goes on
		}
		return leadSemi
	case sWord:
		if p.id == kwTrue {
			return leadText // "true or false": a pair of words
		}
		if p.id != kwNone {
			return leadClause
		}
		if closes > 0 {
			return leadCall
		}
		q := sc.prev(k + 1)
		if q.kind == sEnd || q.kind == sWord && q.id != kwNone || q.kind == sOp || q.kind == sSemi || p.j-p.i > 64 {
			return leadWord
		}
	}
	return leadText
}

// breakStart reports whether a quote that closes a string is followed by
// SQL: where libinjection should start reading.
func (sc *sqlScan) breakStart(q sqlTok) bool {
	lx := &sc.lx
	t := lx.next(q.j)
	for k := 0; k < 4 && t.kind == sClose; k++ {
		t = lx.next(t.j)
	}
	switch t.kind {
	case sSemi, sComment, sNul:
		return true
	case sOp:
		return t.id != opArith || lx.s[t.i] == '+' || lx.s[t.i] == '|'
	case sWord:
		switch t.id {
		case kwOr, kwAnd, kwXor, kwUnion, kwSelect, kwOrder, kwGroup, kwHaving, kwWhere, kwLimit, kwProcedure, kwInto,
			kwWaitfor, kwExec, kwLike, kwIn, kwIs, kwBetween, kwDiv, kwInsert, kwUpdate, kwDelete, kwDrop, kwCreate,
			kwDeclare, kwGrant, kwShutdown, kwCollate, kwRandomblob, kwSleep, kwBenchmark, kwAs, kwFrom:
			return true
		}
	}
	return false
}

// Rules that keywords trigger (sqlWordRule).
const (
	wrNone        = iota
	wrBoolean     // boolean
	wrUnion       // union
	wrOrderBy     // orderBy
	wrSelect      // subquery, then statementHere
	wrStatement   // statementHere
	wrTiming      // timing
	wrFunction    // function
	wrSchema      // schema
	wrConditional // conditional
)

// sqlWordRule maps a keyword's id to the rules word applies where it
// appears. Run's loop only pushes a keyword that has none, as
// plainTokens does.
var sqlWordRule = func() (t [256]uint8) {
	for rule, ids := range map[uint8][]uint8{
		wrBoolean: {kwOr, kwAnd, kwXor, kwHaving, kwWhere},
		wrUnion:   {kwUnion},
		wrOrderBy: {kwOrder, kwGroup},
		wrSelect:  {kwSelect},
		wrStatement: {kwInsert, kwUpdate, kwDelete, kwDrop, kwCreate, kwAlter, kwTruncate, kwExec, kwDeclare, kwShutdown,
			kwGrant, kwSet, kwLoad, kwCopy},
		wrTiming:      {kwSleep, kwBenchmark, kwRandomblob, kwWaitfor},
		wrFunction:    {kwErrFunc, kwFileFunc, kwOraPkg, kwProc, kwExp, kwFloor, kwFunc, kwInto},
		wrSchema:      {kwSysObj, kwMaster},
		wrConditional: {kwWhen, kwIf},
	} {
		for _, id := range ids {
			t[id] = rule
		}
	}
	return t
}()

// word applies the rules of keyword t (sqlWordRule).
func (sc *sqlScan) word(t sqlTok) {
	switch sqlWordRule[t.id] {
	case wrBoolean:
		sc.boolean(t)
	case wrUnion:
		sc.union(t)
	case wrOrderBy:
		sc.orderBy(t)
	case wrSelect:
		sc.subquery(t)
		sc.statementHere(t)
	case wrStatement:
		sc.statementHere(t)
	case wrTiming:
		sc.timing(t)
	case wrFunction:
		sc.function(t)
	case wrSchema:
		sc.schema(t)
	case wrConditional:
		sc.conditional(t)
	}
}

// conditional judges a conditional expression on a constant truth: CASE
// WHEN 7577=7577 THEN, IIF(3979=3979,1,1/0), IF((1=1),...). sqlmap's
// boolean and error probes put one where a value or a column goes (",IIF(
// ...)" in an ORDER BY), and no query of an application tests a constant
// against itself. "when the sun sets then" and "if (a == b)" compare no
// literals.
func (sc *sqlScan) conditional(t sqlTok) {
	lx := &sc.lx
	i := t.j
	if t.id == kwIf {
		o := lx.next(t.j)
		if o.kind != sOpen {
			return
		}
		i = o.j
	}
	left := sc.operand(i)
	for k := 0; k < 3 && left.kind == oParen; k++ {
		left = sc.operand(lx.next(left.i).j) // when ((1=1)) then
	}
	if !literal(left) {
		return
	}
	r, ok := sc.comparison(left.j)
	if !ok {
		return
	}
	right := sc.operand(r)
	if !literal(right) || !strings.EqualFold(lx.s[left.i:left.j], lx.s[right.i:right.j]) {
		return
	}
	e := right.j
	n := lx.next(e)
	for k := 0; k < 3 && n.kind == sClose; k++ {
		e, n = n.j, lx.next(n.j)
	}
	switch {
	case t.id == kwWhen && n.kind == sWord && n.id == kwThen, t.id == kwIf && n.kind == sComma:
		sc.hit(sqliBoolean, 0.99, t.i, e)
	}
}

// operand kinds.
const (
	oNone    = iota
	oNum     // number
	oStr     // string literal
	oOpenStr // string the application's closing quote ends
	oLit     // true, false, null
	oVar     // @x, @@x
	oIdent   // a column or dotted name
	oCall    // name(...)
	oSQLCall // a known SQL function's call
	oParen   // (...)
	oSub     // (select ...)
)

type operand struct {
	kind int
	i, j int
}

// operand reads one operand at offset i: a number, string, variable,
// (dotted) name, call or bracketed expression, after unary operators.
func (sc *sqlScan) operand(i int) operand {
	lx := &sc.lx
	t := lx.next(i)
	for k := 0; k < 3; k++ {
		if t.kind == sOp && (t.id == opNot || t.id == opArith && strings.IndexByte("-+~", lx.s[t.i]) >= 0) ||
			t.kind == sWord && t.id == kwNot {
			t = lx.next(t.j)
			continue
		}
		break
	}
	switch t.kind {
	case sNum:
		return operand{oNum, t.i, t.j}
	case sVar:
		return operand{oVar, t.i, t.j}
	case sQuote:
		end := lx.stringEnd(t.j, t.id)
		switch {
		case end == -1:
			return operand{oOpenStr, t.i, len(lx.s)}
		case end < 0:
			return operand{}
		}
		return operand{oStr, t.i, end + 1}
	case sOpen:
		end := lx.group(t.i)
		if end < 0 {
			return operand{}
		}
		if n := lx.next(t.j); n.kind == sWord && n.id == kwSelect {
			return operand{oSub, t.i, end}
		}
		return operand{oParen, t.i, end}
	case sWord:
		switch t.id {
		case kwTrue, kwNull:
			return operand{oLit, t.i, t.j}
		case kwCase:
			return operand{oSQLCall, t.i, t.j}
		}
		if w := lx.s[t.i:t.j]; t.id == kwAll || strings.EqualFold(w, "any") || strings.EqualFold(w, "some") {
			// "= all (select email)": a comparison with a subquery's rows
			if lx.next(t.j).kind == sOpen {
				if o := sc.operand(t.j); o.kind == oSub {
					return operand{oSub, t.i, o.j}
				}
			}
		}
		if clause(t.id) {
			return operand{}
		}
		j := t.j
		last := t
		for k := 0; k < 4; k++ {
			d := lx.next(j)
			if d.kind != sDot {
				break
			}
			if d2 := lx.next(d.j); d2.kind == sDot { // master..sysdatabases
				d = d2
			}
			w := lx.next(d.j)
			if w.kind != sWord {
				break
			}
			j, last = w.j, w
		}
		if n := lx.next(j); n.kind == sOpen {
			end := lx.group(n.i)
			if end < 0 {
				return operand{}
			}
			kind := oCall
			if t.id != kwNone || last.id != kwNone {
				kind = oSQLCall
			}
			return operand{kind, t.i, end}
		}
		return operand{oIdent, t.i, j}
	}
	return operand{}
}

// comparison reads a comparison operator at offset i and returns where its
// right operand starts. The word comparators take only the right operands
// SQL gives them, so that English ("and I like less", "this is good")
// does not compare: is [not] null/true/false, like a pattern, in (...),
// between a value.
func (sc *sqlScan) comparison(i int) (int, bool) {
	lx := &sc.lx
	t := lx.next(i)
	if t.kind == sOp {
		return t.j, t.id == opEq || t.id == opCmp
	}
	if t.kind != sWord {
		return 0, false
	}
	if t.id == kwNot || t.id == kwSounds {
		n := lx.next(t.j)
		if n.kind != sWord || n.id != kwLike && (t.id == kwSounds || n.id != kwIn && n.id != kwBetween) {
			return 0, false
		}
		t = n
	}
	switch t.id {
	case kwLike, kwIn, kwBetween, kwIs:
	default:
		// any other word compares nothing: most often the word after an
		// operand of prose ("and the house"), whose operand would be read
		// for nothing, a token or two on
		return 0, false
	}
	r := sc.operand(t.j)
	switch t.id {
	case kwLike:
		return t.j, r.kind != oNone && r.kind != oIdent
	case kwIn:
		return t.j, r.kind == oParen || r.kind == oSub
	case kwBetween:
		return t.j, literal(r) || r.kind == oSQLCall || r.kind == oSub || sc.identRange(r)
	case kwIs:
		n := lx.next(t.j)
		if n.kind == sWord && n.id == kwNot {
			n = lx.next(n.j)
		}
		return t.j, n.kind == sWord && (n.id == kwNull || n.id == kwTrue)
	}
	return 0, false
}

// identRange reports whether the between range whose lower bound is the
// name lo ends in the same name or in a query's call: "x between x and
// x", "5650 between convert and convert(int,(...))", the shapes sqlmap's
// between tamper makes of "x=x" and "5650=convert(...)". A range of two
// names ("between low and high") is prose.
func (sc *sqlScan) identRange(lo operand) bool {
	if lo.kind != oIdent {
		return false
	}
	up, ok := sc.upperBound(lo.j)
	return ok && (up.kind == oSQLCall || up.kind == oSub || sameIdent(sc, lo, up))
}

// upperBound reads "and <operand>" at offset i, after a between's lower
// bound.
func (sc *sqlScan) upperBound(i int) (operand, bool) {
	a := sc.lx.next(i)
	if a.kind != sWord || a.id != kwAnd {
		return operand{}, false
	}
	up := sc.operand(a.j)
	return up, up.kind != oNone
}

// betweenUpper returns the upper bound of the between at offset i (after
// its left operand) whose lower bound ends at lo, and false where the
// comparator at i is another.
func (sc *sqlScan) betweenUpper(i, lo int) (operand, bool) {
	lx := &sc.lx
	t := lx.next(i)
	if t.kind == sWord && t.id == kwNot {
		t = lx.next(t.j)
	}
	if t.kind != sWord || t.id != kwBetween {
		return operand{}, false
	}
	return sc.upperBound(lo)
}

// bulkBefore reports whether s ends in the word "bulk" and blanks.
func bulkBefore(s string) bool {
	s = strings.TrimRight(s, " \t\r\n\v\f")
	return len(s) >= 4 && strings.EqualFold(s[len(s)-4:], "bulk") && (len(s) == 4 || !isWord(s[len(s)-5]))
}

// likeItself reads "like <left>" after the name left and returns where
// it ends.
func (sc *sqlScan) likeItself(left operand) (int, bool) {
	if left.kind != oIdent {
		return 0, false
	}
	t := sc.lx.next(left.j)
	if t.kind != sWord || t.id != kwLike {
		return 0, false
	}
	r := sc.operand(t.j)
	return r.j, sameIdent(sc, left, r)
}

// sameIdent reports whether a and b are the same name, whatever its case.
func sameIdent(sc *sqlScan, a, b operand) bool {
	return a.kind == oIdent && b.kind == oIdent && strings.EqualFold(sc.lx.s[a.i:a.j], sc.lx.s[b.i:b.j])
}

// ends reports whether t may end a SQL fragment or condition.
func ends(t sqlTok) bool {
	switch t.kind {
	case sEnd, sComment, sSemi, sNul, sClose, sQuote:
		return true
	case sOp:
		return t.id == opOr || t.id == opAnd
	case sWord:
		switch t.id {
		case kwOr, kwAnd, kwXor, kwLimit, kwOrder, kwGroup, kwUnion, kwInto, kwProcedure, kwHaving, kwThen, kwEnd,
			kwElse, kwCollate:
			return true
		}
	}
	return false
}

func literal(o operand) bool {
	return o.kind == oNum || o.kind == oStr || o.kind == oOpenStr || o.kind == oLit
}

// boolean tries a boolean test after the logical operator t. The lead
// is read once a test is found: "and" in prose is mostly followed by an
// operand and no comparison, and leadIn walks the ring.
func (sc *sqlScan) boolean(t sqlTok) {
	lx := &sc.lx
	if p := sc.prev(0); p.kind == sWord && (p.id == kwOr || p.id == kwAnd) || p.kind == sComma {
		return // "and/or", "this, and that": prose
	}
	left := sc.operand(t.j)
	opened := 0 // brackets the test is inside: "or(id glob 1)--"
	for k := 0; k < 3 && left.kind == oParen; k++ {
		if _, ok := sc.comparison(left.j); ok {
			break // or (1)=(1)
		}
		left = sc.operand(lx.next(left.i).j) // or ('1'='1
		opened++
	}
	if left.kind == oNone {
		return
	}
	left.j = sc.casts(left.j)
	clauseOp := t.kind == sWord && (t.id == kwHaving || t.id == kwWhere)
	var conf float64
	end := left.j
	if r, ok := sc.likeItself(left); ok {
		// "or x like x": a name matched against itself, as "x=x" is
		// after a break-out or at the value's start; after a word, it
		// is a phrase ("cats or dogs like dogs")
		end = r
		conf = boolConf(sc.leadIn(), 0.99, 0.99, 0.9, 0.6, 0.5)
		if n := lx.next(end); n.kind == sComment || n.kind == sNul || n.kind == sSemi {
			conf = max(conf, boolConf(sc.leadIn(), 0.99, 0.99, 0.9, 0.7, 0.6))
		}
	} else if r, ok := sc.comparison(left.j); ok {
		right := sc.operand(r)
		if right.kind == oNone {
			return
		}
		end = right.j
		upper := right // a between is judged by both its bounds
		if u, ok := sc.betweenUpper(left.j, right.j); ok {
			upper, end = u, u.j
		}
		l := sc.leadIn()
		switch {
		case literal(left) && literal(right) && (literal(upper) || upper.kind == oIdent),
			sameIdent(sc, left, right) && sameIdent(sc, left, upper):
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.99, 0.95)
		case left.kind >= oSQLCall || right.kind >= oSQLCall || upper.kind >= oSQLCall ||
			left.kind == oVar || right.kind == oVar || upper.kind == oVar:
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0.85)
		case left.kind == oCall || right.kind == oCall:
			conf = boolConf(l, 0.95, 0.9, 0.8, 0.7, 0.6)
		default: // a column against a value: "and rating > 4"
			conf = boolConf(l, 0.95, 0.95, 0.6, 0.7, 0.5)
			if clauseOp {
				conf = boolConf(l, 0.95, 0.8, 0.6, 0.7, 0.5) // "where x = 1" reads as a phrase too
			}
		}
		n := lx.next(end)
		for k := 0; k < opened && n.kind == sClose; k++ {
			n = lx.next(n.j)
		}
		if n.kind == sComment || n.kind == sNul || n.kind == sSemi {
			// a condition cut off by a comment: or x=y--, or(x=y)--
			conf = max(conf, boolConf(l, 0.99, 0.99, 0.9, 0.95, 0.6))
		}
	} else {
		if left.kind == oIdent && !clauseOp && sc.quotes[0]+sc.quotes[1] > 0 {
			// after a break-out, a column tested against a column or by a
			// postfix null test, the rest cut off: "' or email notnull--",
			// "' and email like email--", "' or name glob password;"
			if e, ok := sc.columnTest(left.j); ok && sc.leadIn() == leadBreak {
				sc.hit(sqliBoolean, 0.99, t.i, e)
				return
			}
		}
		if clauseOp || !ends(lx.next(left.j)) {
			return // "having 2 or more": a value alone tests nothing after having/where
		}
		l := sc.leadIn()
		switch left.kind {
		case oLit: // or true--, and false
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0)
		case oNum, oStr: // ' or 1--, and 'x'
			conf = boolConf(l, 0.99, 0.99, 0.6, 0.8, 0)
		case oSub, oSQLCall, oVar: // and (select ...), or sleep(5)
			conf = boolConf(l, 0.99, 0.95, 0.95, 0.9, 0.6)
		case oCall:
			// a function of the column tested for its truth right after a
			// break-out, the rest cut off or the application's quote
			// rebalanced: "' and unlikely(id)--", "' and
			// starts_with(password,'$2') and 'true", "' or
			// json_search(json_array(password),'one','a%')#". Whatever the
			// function, only a query holds that shape
			if l != leadBreak || !cutOrRebalanced(sc, left.j) || !sqlArgs(sc, left) || !oneWordBreak(lx.s) {
				return
			}
			conf = 0.99
		default:
			return
		}
	}
	if conf > 0 {
		sc.hit(sqliBoolean, conf, t.i, end)
	}
}

// cutOrRebalanced reports whether, at offset i after a condition, the
// value ends cut off (a comment with nothing but a few bytes after its
// marker, ';' or a NUL) or a conjunction opens a string the application's
// own quote closes ("and 'true"). A comment that goes on in words is a
// note ("girls(age 5) -- joined in").
func cutOrRebalanced(sc *sqlScan, i int) bool {
	lx := &sc.lx
	n := lx.next(i)
	switch {
	case n.kind == sComment:
		return len(strings.TrimSpace(lx.s[n.i:])) <= 4
	case n.kind == sSemi || n.kind == sNul:
		return true
	case n.kind == sWord && (n.id == kwAnd || n.id == kwOr) || n.kind == sOp && (n.id == opAnd || n.id == opOr):
		return sc.operand(n.j).kind == oOpenStr
	}
	return false
}

// oneWordBreak reports whether the value's first quote follows a value
// of one word ("admin'", "1'", "a@b.example'"), as a break-out's quote
// does, and not a sentence ("The boys' and girls").
func oneWordBreak(s string) bool {
	q := firstQuoteTick(s)
	return q > 0 && !strings.ContainsAny(s[:q], " \t\n")
}

// sqlArgs reports whether the call o's arguments read as SQL's: no two
// plain words in a row, as a parenthesis of prose holds ("girls(age 5)").
func sqlArgs(sc *sqlScan, o operand) bool {
	lx := &sc.lx
	prevWord := false
	for p := lx.next(o.i).j; p < o.j; {
		t := lx.next(p)
		if t.kind == sEnd || t.i >= o.j {
			break
		}
		w := t.kind == sWord && t.id == kwNone
		if w && prevWord {
			return false
		}
		prevWord = w
		p = t.j
	}
	return true
}

// columnTest reads, after a column at offset i, what comparison reads
// nothing of and only a query holds when a comment, ';' or a NUL cuts it
// off: a pattern test against another column ("like email", "glob
// password", with an "escape 'x'") or SQLite's and PostgreSQL's postfix
// null tests ("notnull", "isnull"). It returns where the test ends.
func (sc *sqlScan) columnTest(i int) (int, bool) {
	lx := &sc.lx
	n := lx.next(i)
	if n.kind != sWord {
		return 0, false
	}
	e := 0
	switch w := lx.s[n.i:n.j]; {
	case n.id == kwLike:
		r := sc.operand(n.j)
		if r.kind != oIdent {
			return 0, false
		}
		e = r.j
		if x := lx.next(e); x.kind == sWord && strings.EqualFold(lx.s[x.i:x.j], "escape") {
			if s := sc.operand(x.j); s.kind == oStr {
				e = s.j
			}
		}
	case strings.EqualFold(w, "notnull") || strings.EqualFold(w, "isnull") && lx.next(n.j).kind != sOpen:
		e = n.j
	default:
		return 0, false
	}
	switch lx.next(e).kind {
	case sComment, sSemi, sNul:
		return e, true
	}
	return 0, false
}

// casts returns the end of the PostgreSQL casts ("::int", "::bool") that
// follow offset i, or i: the operand they cast ends after them
// ("1' and unistr(password)::bool--", the error-based probe).
func (sc *sqlScan) casts(i int) int {
	lx := &sc.lx
	for k := 0; k < 4; k++ {
		n := lx.next(i)
		if n.kind != sOp || n.id != opCast {
			break
		}
		w := lx.next(n.j)
		if w.kind != sWord {
			break
		}
		i = w.j
	}
	return i
}

// boolConf picks a confidence by lead: after a break-out, at the start of
// the value, after a number, after one word, after a sentence.
func boolConf(l lead, brk, start, num, word, text float64) float64 {
	switch l {
	case leadBreak, leadSemi:
		return brk
	case leadStart:
		return start
	case leadNum, leadCall, leadClause, leadExpr:
		return num
	case leadWord:
		return word
	}
	return text
}

// selectList reports whether a select list starts at offset i: "select
// 1,2", "select null", "select *", "select @@version", "select name from",
// "select count(*)"; "select a size" is prose.
func (sc *sqlScan) selectList(i int) bool {
	lx := &sc.lx
	t := lx.next(i)
	for k := 0; k < 2 && t.kind == sWord && (t.id == kwAll || t.id == kwTop); k++ {
		top := t.id == kwTop
		t = lx.next(t.j)
		if top && t.kind == sNum {
			t = lx.next(t.j)
		}
	}
	switch t.kind {
	case sVar:
		return true
	case sOpen:
		return lx.next(t.j).kind != sClose // "select()" is C's call, no SQL
	case sOp:
		if t.i == i && t.id == opArith && strings.IndexByte("-+~", lx.s[t.i]) >= 0 {
			return sc.gluedSelect(t.i)
		}
		return lx.s[t.i] == '*'
	case sWord:
		if t.id == kwNull || t.id == kwCase {
			return true
		}
	case sEnd:
		return false
	}
	o := sc.operand(t.i)
	if o.kind == oNone || o.kind == oOpenStr {
		return false
	}
	if o.kind == oSQLCall || o.kind == oSub || o.kind == oIdent && niladic(lx.s[o.i:o.j]) {
		return true // count(*), (select ...), current_user
	}
	n := lx.next(o.j)
	if n.kind == sWord && n.id == kwAs {
		n = lx.next(lx.next(n.j).j)
	}
	switch n.kind {
	case sComma, sEnd, sComment, sSemi, sNul:
		return o.kind != oIdent || n.kind == sComma
	case sClose:
		return o.kind != oIdent
	case sOp:
		if o.kind == oNum && lx.s[n.i] == '%' && n.i == o.j && n.j < len(lx.s) && lx.s[n.j] == ' ' {
			return false // "select 100% cotton": a percentage, glued to its number
		}
		return o.kind != oIdent || n.id == opOr // 'a'||'b', 1+1
	case sWord:
		switch n.id {
		case kwFrom, kwInto, kwUnion, kwWhere, kwLimit, kwOrder, kwGroup:
			return true
		case kwOr, kwAnd, kwXor, kwLike:
			// a literal in a boolean or a match: "select 'a' or 'b'",
			// "select 1 and 2"; "select one or two" is prose
			return o.kind != oIdent
		}
	}
	return false
}

// alterAction reports whether w is what ALTER TABLE does to a table.
func alterAction(w string) bool {
	for _, a := range [...]string{"add", "drop", "change", "modify", "rename", "alter", "engine", "convert"} {
		if strings.EqualFold(w, a) {
			return true
		}
	}
	return false
}

// gluedSelect reads the select list that follows "select" with a sign
// and no blank, MySQL's way to need no space anywhere
// ("SELECT-id-1.FROM`test`", "select~1.from dual"): operands joined by
// arithmetic, up to FROM and a table. Prose glues a word to "select" with
// a hyphen ("multi-select-box") and never ends it in a number glued to
// "from".
func (sc *sqlScan) gluedSelect(i int) bool {
	lx := &sc.lx
	for k := 0; k < 8; k++ {
		o := sc.operand(i)
		if o.kind != oNum && o.kind != oIdent && o.kind != oStr {
			return false
		}
		n := lx.next(o.j)
		switch {
		case n.kind == sOp && n.id == opArith:
			i = n.j
			continue
		case n.kind == sWord && n.id == kwFrom && n.i == o.j && o.kind == oNum:
			f := lx.next(n.j)
			return f.kind == sQuote && lx.s[f.i] == '`' || f.kind == sWord && f.id == kwNone
		}
		return false
	}
	return false
}

// niladic reports whether w names a SQL function called without brackets.
func niladic(w string) bool {
	for _, n := range []string{"current_user", "session_user", "system_user", "current_date", "current_time",
		"current_timestamp", "localtimestamp", "sysdate", "systimestamp", "user"} {
		if equalFold(w, n) {
			return true
		}
	}
	return false
}

// union finds union [all] select.
func (sc *sqlScan) union(t sqlTok) {
	lx := &sc.lx
	n := lx.next(t.j)
	if n.kind == sWord && n.id == kwAll {
		n = lx.next(n.j)
	}
	for k := 0; k < 2 && n.kind == sOpen; k++ {
		n = lx.next(n.j)
	}
	if n.kind != sWord || n.id != kwSelect {
		return
	}
	conf := 0.8
	switch l := sc.leadIn(); {
	case sc.selectList(n.j):
		conf = 0.99
	case toggledCase(lx.s[t.i:t.j]) || toggledCase(lx.s[n.i:n.j]):
		conf = 0.99 // "UnIoN SeLeCt": a case toggled for a filter; prose and code write a keyword in one case
	case l != leadText && l != leadWord:
		conf = 0.95
	}
	sc.hit(sqliUnion, conf, t.i, n.j)
}

// toggledCase reports whether the word w mixes its letters' case other
// than as a capital and lower case ("UnIon", "sELECT"; not "Union",
// "UNION", "union").
func toggledCase(w string) bool {
	var lower, upperAfter bool
	for i := 0; i < len(w); i++ {
		c := w[i]
		lower = lower || 'a' <= c && c <= 'z'
		upperAfter = upperAfter || i > 0 && 'A' <= c && c <= 'Z'
	}
	return lower && upperAfter
}

// orderBy finds order by / group by with a column number or an expression:
// the probe for the number of columns.
func (sc *sqlScan) orderBy(t sqlTok) {
	lx := &sc.lx
	by := lx.next(t.j)
	if by.kind != sWord || by.id != kwBy {
		return
	}
	l := sc.leadIn()
	e := lx.next(by.j)
	var conf float64
	switch e.kind {
	case sNum:
		n := lx.next(e.j)
		if !ends(n) && n.kind != sComma && !(n.kind == sWord && (n.id == kwAsc || n.id == kwHaving)) {
			return
		}
		conf = boolConf(l, 0.99, 0.99, 0.99, 0.99, 0.7)
	case sOpen, sWord:
		o := sc.operand(e.i)
		switch {
		case o.kind == oSub || o.kind == oSQLCall:
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0.7)
		case o.kind == oIdent && l == leadBreak && ends(lx.next(o.j)):
			conf = 0.95 // ' order by name--
		default:
			return
		}
	default:
		return
	}
	sc.hit(sqliProbe, conf, t.i, e.j)
}

// subquery finds "(select ...)" inside an expression: =(select, 1(select,
// ,(select, ||(select.
func (sc *sqlScan) subquery(t sqlTok) {
	if sc.prev(0).kind != sOpen || !sc.selectList(t.j) {
		return
	}
	conf := 0.99
	if p := sc.prev(1); p.kind == sWord && p.id == kwNone {
		// a word before the bracket: "exists(select" is SQL, "see (select"
		// is not necessarily
		conf = 0.9
		if q := sc.prev(2); q.kind != sWord || q.id != kwNone {
			conf = 0.95
		}
	} else if p.kind == sQuote && p.open {
		conf = 0.9
	}
	sc.hit(sqliSubquery, conf, sc.prev(0).i, t.j)
}

// statement reads a statement at offset i and returns its strength: 3 for
// a shape only SQL has (insert into x values, exec xp_..., declare @x,
// select * from, drop table x;), 2 for a complete shape that a phrase can
// share ("drop table tennis", "create user account"), 1 for a plausible
// start, 0 for none.
func (sc *sqlScan) statement(i int) int {
	lx := &sc.lx
	t := lx.next(i)
	if t.kind != sWord || t.id == kwNone {
		return 0 // no keyword, as after most ';' of prose: the token after it is not read
	}
	n := lx.next(t.j)
	switch t.id {
	case kwSelect:
		if sc.selectList(t.j) {
			return 3
		}
	case kwInsert:
		if n.kind == sWord && n.id != kwInto && bulkBefore(lx.s[:t.i]) {
			// SQL Server's bulk insert reads a file of the server's:
			// "bulk insert foo from 'c:\inetpub\wwwroot\auth.asp'"
			// a path in its string: "rows from 'csv'" is a sentence
			if e := lx.next(sc.operand(n.i).j); e.kind == sWord && e.id == kwFrom {
				if q := lx.next(e.j); q.kind == sQuote {
					if end := lx.stringEnd(q.j, q.id); end > q.j && strings.ContainsAny(lx.s[q.j:end], "/\\") {
						return 3
					}
				}
			}
		}
		if n.kind == sWord && n.id == kwInto {
			o := sc.operand(n.j)
			if e := lx.next(o.j); o.kind == oCall || o.kind == oSQLCall || o.kind == oIdent && (e.kind == sOpen || e.kind == sWord && (e.id == kwValues || e.id == kwSelect || e.id == kwSet)) {
				return 3
			}
			return 1
		}
	case kwUpdate:
		if n.kind == sWord && !clause(n.id) {
			if s := lx.next(sc.operand(n.i).j); s.kind == sWord && s.id == kwSet {
				if c := sc.operand(s.j); c.kind == oIdent {
					if e := lx.next(c.j); e.kind == sOp && e.id == opEq {
						return 3
					}
				}
				return 1
			}
		}
	case kwDelete:
		if n.kind == sWord && n.id == kwFrom {
			o := sc.operand(n.j)
			if o.kind == oIdent {
				if e := lx.next(o.j); e.kind == sWord && e.id == kwWhere || e.kind == sComment || e.kind == sSemi {
					return 3
				}
				return 1
			}
		}
	case kwDrop, kwTruncate, kwCreate, kwAlter:
		if n.kind == sWord && n.id == kwObject {
			o := sc.operand(n.j)
			quoted := o.kind == oStr && lx.s[o.i] == '`' // MySQL's quoted name: no sentence writes one
			if o.kind != oIdent && o.kind != oSQLCall && o.kind != oCall && !quoted {
				return 0
			}
			e := lx.next(o.j)
			if quoted && t.id == kwAlter && e.kind == sWord && alterAction(lx.s[e.i:e.j]) {
				return 3 // "ALTER TABLE `t` ADD `video` TEXT"
			}
			switch {
			case e.kind == sSemi || e.kind == sComment || e.kind == sNul:
				return 3
			case t.id == kwDrop || t.id == kwTruncate:
				if ends(e) {
					return 2
				}
			case e.kind == sOpen || e.kind == sWord && (e.id == kwIdentified || e.id == kwSet):
				return 3
			case e.kind == sWord && e.id == kwAs || ends(e):
				return 2
			}
			return 1
		}
	case kwExec:
		switch {
		case n.kind == sQuote && n.i == t.j && t.i > 0 && strings.IndexByte("'\"`", lx.s[t.i-1]) >= 0:
			// "'exec'", "`exec' builtin": a word quoted in prose
		case n.kind == sWord && (n.id == kwProc || n.id == kwMaster || n.id == kwFileFunc),
			n.kind == sVar, n.kind == sQuote:
			return 3
		case n.kind == sOpen:
			// EXEC (string): dynamic SQL runs a string or a variable
			// ("exec('select 1')", "exec(@cmd)", "exec (N'...')");
			// "Exec (Director)" is a title
			e := lx.next(n.j)
			if e.kind == sWord && e.j == e.i+1 && lx.s[e.i]|0x20 == 'n' {
				e = lx.next(e.j)
			}
			if e.kind == sQuote || e.kind == sVar {
				return 3
			}
		case n.kind == sWord && n.id == kwNone:
			if e := lx.next(n.j); e.kind == sQuote || e.kind == sVar || e.kind == sDot {
				return 3
			}
		}
	case kwDeclare:
		if n.kind == sVar {
			return 3
		}
	case kwShutdown:
		if ends(n) || n.kind == sWord && lx.s[n.i]|0x20 == 'w' {
			return 2
		}
	case kwWaitfor:
		if n.kind == sWord && n.id == kwDelay {
			return 3
		}
	case kwGrant:
		for k, p := 0, n; k < 6 && p.kind != sEnd; k++ {
			if p.kind == sWord && p.id == kwNone && (strings.EqualFold(lx.s[p.i:p.j], "to") || strings.EqualFold(lx.s[p.i:p.j], "on")) {
				return 2
			}
			p = lx.next(p.j)
		}
	case kwSet:
		if n.kind == sVar {
			return 3
		}
	case kwLoad:
		if n.kind == sWord && n.id == kwData {
			return 2
		}
	case kwCopy:
		o := sc.operand(n.i)
		if e := lx.next(o.j); e.kind == sWord && e.id == kwFrom || e.kind == sWord && strings.EqualFold(lx.s[e.i:e.j], "to") {
			if f := lx.next(e.j); f.kind == sQuote || f.kind == sWord && f.id == kwProgram {
				return 3
			}
		}
	case kwIf:
		if n.kind == sOpen {
			left := sc.operand(n.j)
			if r, ok := sc.comparison(left.j); ok && literal(left) && literal(sc.operand(r)) {
				return 3
			}
			return 1
		}
	case kwCall:
		// "; call it(now)" is prose; a known function, or one called on
		// SQL's own calls, is a procedure the payload runs
		// ("CALL REGEXP_SUBSTRING(REPEAT(RIGHT(CHAR(7618),0),500000000),NULL)")
		switch o := sc.operand(n.i); {
		case (o.kind == oSQLCall || o.kind == oCall) && sc.callsSQL(o):
			return 3
		case o.kind == oSQLCall:
			return 2
		case o.kind == oCall:
			return 1
		}
	case kwBegin:
		if n.kind == sWord && (n.id == kwOraPkg || n.id == kwExec || n.id == kwDeclare) {
			return 2
		}
	}
	return 0
}

// callsSQL reports whether the arguments of the call o call a known SQL
// function, looking at its first sixteen tokens.
func (sc *sqlScan) callsSQL(o operand) bool {
	lx := &sc.lx
	open := lx.next(o.i)
	for open.kind != sOpen && open.kind != sEnd && open.j < o.j {
		open = lx.next(open.j)
	}
	t := lx.next(open.j)
	for k := 0; k < 16 && t.kind != sEnd && t.i < o.j; k++ {
		if t.kind == sWord && t.id != kwNone {
			if n := lx.next(t.j); n.kind == sOpen {
				return true
			}
		}
		t = lx.next(t.j)
	}
	return false
}

// stacked finds a statement after ';'.
func (sc *sqlScan) stacked(t sqlTok) {
	st := sc.statement(t.j)
	if st == 0 {
		return
	}
	l := sc.leadIn()
	var conf float64
	switch st {
	case 3:
		conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0.85)
	case 2:
		conf = boolConf(l, 0.99, 0.95, 0.95, 0.9, 0.7)
	default:
		conf = boolConf(l, 0.9, 0.85, 0.85, 0.75, 0.5)
	}
	sc.hit(sqliStacked, conf, t.i, t.j+16)
}

// statementHere finds a statement right after a break-out quote or at the
// start of the value: "'; drop" is stacked, "' drop table users --" and
// "exec master..xp_cmdshell 'dir'" are statements too.
func (sc *sqlScan) statementHere(t sqlTok) {
	if (t.id == kwSelect || t.id == kwSet) && sc.hexAssign(t) {
		// "select @q = 0x7700...", "SET @S=CAST(0x4400... AS NVARCHAR)":
		// T-SQL's statements need no separator, and a variable given a
		// long hex string is a command kept from the filters, whatever
		// stands before it ("declare @q nvarchar(200) select @q = 0x...")
		sc.hit(sqliStatement, 0.99, t.i, t.j+16)
		return
	}
	l := sc.leadIn()
	if l != leadBreak && l != leadStart && (t.id != kwInsert || !bulkBefore(sc.lx.s[:t.i])) {
		return // "bulk insert" is judged by its own shape, after whatever lead
	}
	st := sc.statement(t.i)
	if st == 0 {
		return
	}
	conf := 0.7
	switch {
	case st >= 2 && l == leadBreak, st == 3:
		conf = 0.99
	case l == leadBreak:
		conf = 0.9
	case st == 2:
		conf = 0.85
	}
	sc.hit(sqliStatement, conf, t.i, t.j+16)
}

// hexAssignMin is how many hex digits a literal assigned to a variable
// must have for hexAssign: four characters of UTF-16 at least.
const hexAssignMin = 16

// hexAssign reports whether SELECT or SET t assigns a T-SQL variable a
// hex literal of hexAssignMin digits or more, bare or cast:
// "@q = 0x7700...", "@S=CAST(0x4400... AS NVARCHAR(4000))".
func (sc *sqlScan) hexAssign(t sqlTok) bool {
	lx := &sc.lx
	v := lx.next(t.j)
	if v.kind != sVar {
		return false
	}
	e := lx.next(v.j)
	if e.kind != sOp || e.id != opEq {
		return false
	}
	s := lx.s[skipSpaceStr(lx.s, e.j):]
	if len(s) > 5 && hasFold(s, "cast") {
		s = strings.TrimLeft(s[4:], " \t")
		if s == "" || s[0] != '(' {
			return false
		}
		s = strings.TrimLeft(s[1:], " \t")
	}
	if len(s) < 2+hexAssignMin || s[0] != '0' || s[1]|0x20 != 'x' {
		return false
	}
	for _, c := range []byte(s[2 : 2+hexAssignMin]) {
		if !isHex(c) {
			return false
		}
	}
	return true
}

// timing finds time delays: sleep(5), benchmark(5000000,md5(1)),
// pg_sleep(5), waitfor delay '0:0:5', dbms_lock.sleep(5), randomblob(1e9).
func (sc *sqlScan) timing(t sqlTok) {
	lx := &sc.lx
	n := lx.next(t.j)
	l := sc.leadIn()
	if p := sc.prev(0); p.kind == sDot {
		if q := sc.prev(1); q.kind == sWord && q.id == kwOraPkg {
			l = leadExpr // dbms_lock.sleep, dbms_pipe.receive_message
		}
	}
	var conf float64
	switch t.id {
	case kwWaitfor:
		if n.kind == sWord && n.id == kwDelay {
			a := lx.next(n.j)
			if a.kind != sQuote && a.kind != sNum && a.kind != sVar {
				// up to two tokens of junk before a quoted time, which
				// the server refuses but a tamper writes: "delay
				// .e0'0:0:20'", "delay%0x14'0:0:20'"
				for b, k := a, 0; k < 2 && (b.kind == sDot || b.kind == sOp || b.kind == sNum ||
					b.kind == sWord && b.id == kwNone && b.j-b.i <= 3 && strings.ContainsAny(lx.s[b.i:b.j], "0123456789")); k++ {
					if b = lx.next(b.j); b.kind == sQuote {
						a = b
						break
					}
				}
			}
			if a.kind == sQuote || a.kind == sNum || a.kind == sVar {
				conf = 0.99
			}
		}
	case kwSleep, kwBenchmark, kwRandomblob:
		if n.kind != sOpen {
			return
		}
		a := sc.operand(n.j)
		if a.kind == oNone || a.kind == oIdent {
			return
		}
		after := lx.next(a.j)
		switch {
		case t.id == kwBenchmark && after.kind == sComma:
			conf = 0.99
		case after.kind != sClose && after.kind != sEnd && !(after.kind == sOp && after.id == opArith):
			return
		case t.id == kwRandomblob:
			if a.kind != oNum || a.j-a.i < 6 {
				if after.kind != sOp {
					return
				}
			}
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0.8)
		case lx.s[t.i]|0x20 == 'p' || lx.s[t.i]|0x20 == 'r':
			conf = 0.99 // pg_sleep, receive_message
		default:
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.95, 0.8)
			if after.kind == sClose {
				if e := lx.next(after.j); !ends(e) && e.kind != sComma && e.kind != sOp && (e.kind != sWord || e.id == kwNone) {
					conf = min(conf, 0.7) // "sleep(8) hours a night"
				}
			}
		}
	}
	if conf > 0 {
		sc.hit(sqliTiming, conf, t.i, n.j)
	}
}

// function finds error-based extraction and dangerous functions. The
// lead is read only by the cases that weigh it: most of these words in
// prose ("into", "right", "now") are no call, and leadIn walks the ring.
func (sc *sqlScan) function(t sqlTok) {
	lx := &sc.lx
	if c := lx.s[t.i] | 0x20; t.id == kwFunc && (c != 'c' && c != 'n' || t.j-t.i > 5) {
		return // no char(, chr(, nchar( (the case below): "right", "left", "user", before the next token is read
	}
	n := lx.next(t.j)
	var conf float64
	switch t.id {
	case kwInto:
		if n.kind == sWord && n.id == kwOutfile {
			if a := lx.next(n.j); a.kind == sQuote {
				conf = 0.99
			}
		}
	case kwProc:
		conf = 0.9
		if n.kind == sQuote || n.kind == sVar || n.kind == sOpen || sc.leadIn() != leadText {
			conf = 0.99
		}
	case kwOraPkg:
		if n.kind == sDot {
			if f := lx.next(n.j); f.kind == sWord && lx.next(f.j).kind == sOpen {
				conf = boolConf(sc.leadIn(), 0.99, 0.99, 0.99, 0.95, 0.85)
			}
		}
	case kwErrFunc, kwFileFunc:
		if n.kind != sOpen {
			return
		}
		l := sc.leadIn()
		conf = boolConf(l, 0.99, 0.95, 0.95, 0.9, 0.7)
		if t.id == kwErrFunc && sc.errorArgs(n.j) {
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.99, 0.9)
		}
		if a := lx.next(n.j); t.id == kwFileFunc && (a.kind == sQuote || a.kind == sNum ||
			a.kind == sWord && a.id == kwFunc && lx.next(a.j).kind == sOpen) {
			// a file named by a string or a hex literal, or built by a
			// function (character codes, a concatenation) to dodge a
			// quote filter: lo_import('/etc' || '/passwd'),
			// load_file(char(47,101,116,...)), load_file(concat(...))
			conf = boolConf(l, 0.99, 0.99, 0.99, 0.9, 0.7)
		}
	case kwExp:
		if n.kind == sOpen {
			if a := lx.next(n.j); a.kind == sOp && lx.s[a.i] == '~' {
				conf = 0.99 // exp(~(select ...)): overflow error
			}
		}
	case kwFloor:
		if n.kind == sOpen {
			if a := lx.next(n.j); a.kind == sWord && strings.EqualFold(lx.s[a.i:a.j], "rand") {
				conf = boolConf(sc.leadIn(), 0.99, 0.99, 0.99, 0.95, 0.85) // floor(rand(0)*2): duplicate-key error
			}
		}
	case kwFunc:
		// char(65)+char(66), chr(65)||chr(66): strings built to dodge
		// quote filters (other names are left above)
		if n.kind != sOpen {
			return
		}
		a := lx.next(n.j)
		if a.kind != sNum {
			return
		}
		cl := lx.next(a.j)
		if cl.kind != sClose {
			return
		}
		op := lx.next(cl.j)
		if op.kind != sOp || op.id != opOr && lx.s[op.i] != '+' {
			return
		}
		if f := lx.next(op.j); f.kind == sWord && f.id == kwFunc {
			conf = 0.95
		}
	}
	if conf > 0 {
		sc.hit(sqliFunc, conf, t.i, n.j)
	}
}

// errorArgs reports whether the arguments of an error-based function
// starting at offset i carry the extraction: concat(, 0x7e, a subquery.
func (sc *sqlScan) errorArgs(i int) bool {
	lx := &sc.lx
	end := lx.group(i - 1)
	if end < 0 {
		end = i + sqlGroupBound
	}
	for p := i; p < end; {
		t := lx.next(p)
		if t.kind == sEnd {
			break
		}
		if t.kind == sNum && t.j-t.i > 2 && lx.s[t.i+1]|0x20 == 'x' ||
			t.kind == sWord && (t.id == kwSelect || t.id == kwFunc) ||
			t.kind == sVar {
			return true
		}
		p = t.j
	}
	return false
}

// schema finds system objects of the DBMSs: information_schema.tables,
// sysobjects, master..sysdatabases, pg_shadow, sqlite_master, all_tables.
func (sc *sqlScan) schema(t sqlTok) {
	lx := &sc.lx
	n := lx.next(t.j)
	if t.id == kwMaster {
		if n.kind != sDot {
			return
		}
		if d := lx.next(n.j); d.kind != sDot && !(d.kind == sWord && strings.EqualFold(lx.s[d.i:d.j], "dbo")) {
			return
		}
	}
	conf := 0.75 // a name in a sentence: someone asking about it
	p := sc.prev(0)
	member := n.kind == sDot && t.id != kwMaster
	folder := false
	if member {
		// "sysusers.d", "sysusers.d/": a Unix configuration folder
		// (systemd's sysusers.d), not a member of the catalog
		if d := lx.next(n.j); d.kind == sWord && d.j == d.i+1 && lx.s[d.i]|0x20 == 'd' && d.i == n.j {
			member, folder = false, true
		}
	}
	switch {
	case p.kind == sWord && (p.id == kwFrom || p.id == kwJoin || p.id == kwExec || p.id == kwInto),
		p.kind == sDot, p.kind == sOpen, p.kind == sComma,
		member,
		t.id == kwMaster:
		conf = 0.99
	case sc.leadIn() != leadText && !folder:
		conf = 0.9
	}
	sc.hit(sqliSchema, conf, t.i, t.j)
}

// comment finds a comment (or NUL) that cuts the query right after a
// break-out: "admin'--", "1')#", "' --". The quote must close the
// application's string and what precedes it must read as a value (a short
// name or number), not as prose: "Tr0ub4dor&3'--" is a password, a
// "quote" -- Author an attribution. A ';' that ends the value after such
// a quote ends the statement as a comment would cut it (run calls comment
// for it only then).
func (sc *sqlScan) comment(t sqlTok) {
	k := 0
	for ; k < 6 && sc.prev(k).kind == sClose; k++ {
	}
	p := sc.prev(k)
	if p.kind == sWord && p.id == kwNone {
		// "user'collate nocase--": a collation the break-out sets
		if c := sc.prev(k + 1); c.kind == sWord && c.id == kwCollate {
			k += 2
			p = sc.prev(k)
		}
	}
	if w := sc.lx.s[p.i:p.j]; p.kind == sWord && (strings.EqualFold(w, "notnull") || strings.EqualFold(w, "isnull")) {
		// "' notnull --": the application's string tested by SQLite's and
		// PostgreSQL's postfix null test, the rest cut off
		if q := sc.prev(k + 1); q.kind == sQuote {
			k++
			p = q
		}
	} else if p.kind == sQuote && p.id != '\'' {
		// "user'collate`nocase`--", "user'collate\"utf8mb4_general_ci\"--":
		// the collation's name quoted as an identifier
		for m := k + 1; m <= k+4 && m < sc.n && m < len(sc.ring)-1; m++ {
			if o := sc.prev(m); o.kind == sQuote && o.id == p.id {
				if c := sc.prev(m + 1); c.kind == sWord && c.id == kwCollate {
					k = m + 2
					p = sc.prev(k)
				}
				break
			}
		}
	}
	switch p.kind {
	case sQuote:
		if p.open || sc.quotes[quoteIndex(p.id)] != 1 || !valueLike(sc.lx.s[:p.i]) {
			return
		}
		if k == 0 && quotedOption(sc.lx.s, p.i, t.i) {
			return
		}
		sc.hit(sqliComment, 0.99, p.i, t.j)
	case sNum:
		if k == 0 && sc.n == 1 {
			sc.hit(sqliComment, 0.6, p.i, t.j) // "1--": a number and a comment
		}
	}
}

// proseBeforeQuote reports whether what precedes the value's first quote
// is words and not SQL: a space between two of its non-space bytes, and
// at most one SQL keyword or function among its first 32 tokens ("*
// debian/rules: remove spurious '|' from the list" has "from"; "CREATE
// FUNCTION hello (s CHAR(20)) RETURNS ... CONCAT('Hello, '" has many).
func (sc *sqlScan) proseBeforeQuote() bool {
	lx := &sc.lx
	q := firstQuoteTick(lx.s)
	if q <= 0 || strings.IndexByte(strings.TrimSpace(lx.s[:q]), ' ') < 0 {
		return false
	}
	sql := 0
	for k, p := 0, 0; k < 32 && p < q; k++ {
		t := lx.next(p)
		if t.kind == sEnd || t.i >= q {
			break
		}
		if t.kind == sWord && t.id != kwNone {
			if sql++; sql > 1 {
				return false
			}
		}
		p = t.j
	}
	return true
}

// quotedOption reports whether the quote at s[q], whose comment "--"
// starts at s[c], opens a quoted command-line option ("The '--warning'
// option", "`--with-mpfr' Build GDB", "\"--regex\""): the quote starts
// the value or follows a space, and "--" follows it at once, then a
// name of two or more letters and its argument, then a quote. A
// break-out quote follows the value it closes ("admin'--").
func quotedOption(s string, q, c int) bool {
	if c != q+1 || q > 0 && s[q-1] != ' ' {
		return false
	}
	i := c + 2
	letters := 0
	for i < len(s) && i-c < 64 && isAlpha(s[i]) {
		i++
		letters++
	}
	if letters < 2 {
		return false
	}
	for i < len(s) && i-c < 64 && (isWord(s[i]) || strings.IndexByte("-=./,:+[]", s[i]) >= 0) {
		i++
	}
	return i < len(s) && (s[i] == '\'' || s[i] == '"' || s[i] == '`')
}

// prevAfterClosers returns the latest token before any closing brackets
// that end the tokens so far.
func (sc *sqlScan) prevAfterClosers() sqlTok {
	k := 0
	for ; k < 6 && sc.prev(k).kind == sClose; k++ {
	}
	return sc.prev(k)
}

// valueLike reports whether s (what precedes a break-out quote) reads as a
// value an application expects in a string: nothing, or one short token of
// letters, digits and ._@-% (a user name, an id, an e-mail address), or
// bytes above ASCII: a name in another script, or the lead byte of a GBK
// character that swallows the backslash addslashes puts before the quote
// ("admin\xbf'-- -", sqlmap's unmagicquotes).
func valueLike(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isWord(c) && c != '.' && c != '@' && c != '-' && c != '%' && c < 0x80 {
			return false
		}
	}
	return true
}

// proseAtStart reports whether any fingerprint libinjection could take at
// the value's start would count little (as prose judges it): the value
// opens with a sentence, and so does what follows its first quote, where
// a fingerprint of libinjection's quote passes starts ("s..."). libAt(0)
// would then judge any fingerprint 0.6 (prose's case): libinjection need
// not run there, at about a microsecond a value of prose. Comments, notes
// and reviews of a JSON body are such values, hundreds to a request; a
// break-out quote after the sentence is still tried where it starts.
// FuzzProseAtStart holds it to this.
func (sc *sqlScan) proseAtStart() bool {
	// Most injections open with a digit, a quote, a bracket or an
	// operator: no sentence is sought in them, which costs about as
	// much as lexing a dozen tokens.
	s := sc.lx.s
	k := listMarker(s)
	if len(s)-k < 8 || !isAlpha(s[k]) || !sc.sentenceAt(k) {
		return false
	}
	q := firstQuoteTick(s)
	return q < 0 || sc.sentenceAt(q+1)
}

// listMarker returns the length of the list marker that opens s, spaces
// after it included: a bullet ("* ", "- ", "+ ", "• ", "> "), a heading
// ("## "), a number ("1. ", "2) ") or a bracketed name ("[ Simon ] *
// "). Changelogs and notes open their lines so; the sentence follows.
// It returns 0 when none does.
func listMarker(s string) int {
	k := 0
	spaces := func() bool { // skips the spaces at k; false when there are none
		b := k
		for k < len(s) && s[k] == ' ' {
			k++
		}
		return k > b
	}
	if strings.HasPrefix(s, "[") {
		e := strings.IndexByte(s[:min(len(s), 64)], ']')
		if e < 0 {
			return 0
		}
		k = e + 1
		if !spaces() {
			return 0
		}
	}
	m := k
	switch {
	case strings.HasPrefix(s[k:], "•"):
		k += len("•")
	case k < len(s) && s[k] == '#':
		for k < len(s) && s[k] == '#' {
			k++
		}
	case k < len(s) && strings.IndexByte("*-+>", s[k]) >= 0:
		k++
	case k < len(s) && isDigit(s[k]):
		d := k
		for d < len(s) && d-k < 3 && isDigit(s[d]) {
			d++
		}
		if d < len(s) && (s[d] == '.' || s[d] == ')') {
			k = d + 1
		}
	}
	if k > m && !spaces() {
		return m // a marker is followed by a space
	}
	return k
}

// firstQuoteTick returns the index of the first ', " or ` in v, or -1, as
// strings.IndexAny(v, "'\"`") does, by a vector search for each (each
// before the one found so far), where IndexAny reads byte by byte.
func firstQuoteTick(v string) int {
	q := strings.IndexByte(v, '\'')
	for _, c := range [...]byte{'"', '`'} {
		w := v
		if q >= 0 {
			w = v[:q]
		}
		if d := strings.IndexByte(w, c); d >= 0 {
			q = d
		}
	}
	return q
}

// libinjection runs libinjection's fingerprints at the start of the value
// and at the break-out quotes run found, each on a bounded window. A
// fingerprint whose tokens read as a sentence counts little.
func (sc *sqlScan) libinjection() {
	try := func(i int) {
		if h, ok := sc.libAt(i); ok && h.conf > sc.best[sqliLib].conf {
			sc.best[sqliLib] = h
			sc.hits |= 1 << sqliLib
		}
	}
	if !sc.proseAtStart() {
		try(0)
	}
	for _, i := range sc.starts[:sc.nstart] {
		if sc.best[sqliLib].conf >= 0.99 {
			return // the highest a fingerprint scores: no later one replaces it
		}
		if i > 0 {
			try(i)
		}
	}
}

// libAt runs libinjection on the window of the value from offset i and
// judges its fingerprint: 0.99, or 0.6 where the fingerprint's shape or
// its tokens read as something else than an injection.
func (sc *sqlScan) libAt(i int) (sqlHit, bool) {
	w := sc.lx.s[i:]
	if len(w) > sqlLibWindow {
		w = w[:sqlLibWindow]
	}
	ok, fp := libinjection.IsSQLi(w)
	if !ok {
		return sqlHit{}, false
	}
	conf := 0.99
	switch {
	case i == 0 && fp != "" && fp[0] == 's' && quotation(w, firstQuoteTick(w)) || i > 0 && quotation(sc.lx.s, i),
		i > 0 && codeSpan(sc.lx.s, i):
		// the quote opens a quotation in a sentence ("-- Kurt Vonnegut
		// Jr., \"Between Time and Timbuktu\""), not a break-out: a
		// title or a phrase quoted whole, no operator inside; or the
		// backtick opens Markdown's code span of a name or an option
		// ("the `--relative` option")
		conf = 0.6
	case fp == "1c" || fp == "nc" || fp == "c" || len(fp) >= 2 && fp[0] == 's' && strings.Trim(fp[1:], ")") == "c":
		// a value, maybe closing brackets, and a comment ("admin'--",
		// "...firsts') -- Olaf Kirch"): the comment rule judges the shape
		conf = 0.6
	case sc.prose(i, fp):
		conf = 0.6
	case fp == "sos" && quotedSymbol(sc.lx.s, quoteAt(sc.lx.s, i)):
		// a sentence quoting an operator's symbol and nothing after it
		// but words ("ignore a '--' marker", "spaces around '='", "a
		// '#' after the \"sec\""): libinjection reads the words before
		// the quote as the string broken out of, and the symbol as its
		// operator. A break-out quote follows the value it closes
		// ("admin'-'") or opens the value
		conf = 0.6
	case (fp == "sos" || fp == "s&s") && sc.proseBeforeQuote():
		// a string joined to another and nothing else, in a value that
		// opens with words before its first quote ("* Add
		// patch to fix URLs containing '&' in avahi", "cut now diagnoses
		// the '-' in \"cut -f -\""): a note quoting a symbol. A probe
		// breaks out of a value ("admin' || '1"), and "sos" does no harm
		// alone: the grammar rules read what would
		conf = 0.6
	case i == 0 && strings.HasPrefix(fp, "f(") && codeIf(w):
		// C's, JavaScript's or CMake's if on a condition, then a block or
		// a call ("if (width > MAX) png_error (p, ...)", "if(MSVC)
		// set_target_properties(...)"): MySQL's IF() takes three
		// arguments, and T-SQL's IF runs a statement (the grammar rules
		// read "IF (1=1) WAITFOR DELAY ...")
		conf = 0.6
	case strings.HasPrefix(strings.TrimLeft(fp, "n"), "T(n"):
		// words, then EXEC (or another T-SQL verb) on a bracketed word:
		// dynamic SQL runs a string or a variable, never a bare name
		// ("the exec (executive) board met")
		conf = 0.6
	case fp == "f(1)" && plainNumberCall(w) && !harmsAlone(w):
		// one function called on plain numbers and nothing else
		// ("translate(-58.8,-94.4)" of an SVG transform, "max(3,4)"):
		// SQL only when the call does harm alone (sleep(5)); a
		// condition among the arguments (elt(2567=9921,1)) is the
		// blind injection it reads as
		conf = 0.6
	case strings.Trim(fp, "1n&()") == "" && sc.best[sqliBoolean].conf < 0.9:
		// "1 or 2 or 3", "cats and (dogs or birds)": words or numbers
		// and conjunctions, nothing compared
		conf = 0.6
	}
	return sqlHit{conf: conf, i: i, j: i + len(w), fp: fp}, true
}

// codeIf reports whether w opens, after blanks and C comments, with an
// if of C, JavaScript or CMake: "if", a bracket whose top level holds no
// comma (MySQL's IF() has three arguments) closed within 256 bytes, then
// a block, or a call of a name that opens no statement of T-SQL's, or
// another such if.
func codeIf(w string) bool {
	for depth := 0; depth < 4; depth++ {
		s := strings.TrimLeft(w, " \t\r\n")
		for strings.HasPrefix(s, "/*") {
			e := strings.Index(s[2:], "*/")
			if e < 0 {
				return false
			}
			s = strings.TrimLeft(s[e+4:], " \t\r\n")
		}
		if len(s) < 4 || s[0]|0x20 != 'i' || s[1]|0x20 != 'f' {
			return false
		}
		k := skipSpaceStr(s, 2)
		if k >= len(s) || s[k] != '(' {
			return false
		}
		e, open := -1, 0
		for j := k; j < len(s) && j < k+256 && e < 0; j++ {
			switch s[j] {
			case '(':
				open++
			case ')':
				if open--; open == 0 {
					e = j
				}
			case ',':
				if open == 1 {
					return false
				}
			}
		}
		if e < 0 {
			return false
		}
		a := skipSpaceAll(s, e+1)
		if a < len(s) && s[a] == '{' {
			return true
		}
		n := a
		for n < len(s) && (isAlnum(s[n]) || s[n] == '_') {
			n++
		}
		if n == a {
			return false
		}
		word := strings.ToLower(s[a:n])
		if word == "if" {
			w = s[a:]
			continue
		}
		c := skipSpaceStr(s, n)
		if c >= len(s) || s[c] != '(' || tsqlStatement[word] {
			return false // "IF (1=1) WAITFOR DELAY", "IF (...) EXEC('...')"
		}
		return true
	}
	return false
}

// tsqlStatement are the words that open a statement T-SQL's IF may run
// with a bracket after them.
var tsqlStatement = set("select", "exec", "execute", "waitfor", "insert", "update", "delete", "drop", "union",
	"declare", "begin", "raiserror", "shutdown", "truncate", "bulk", "dbcc", "while")

// quoteAt is where libinjection's window at s[i] meets a quote: s[i]
// itself, or at the value's start the first quote of the value, where
// the string broken out of ends.
func quoteAt(s string, i int) int {
	if i > 0 {
		return i
	}
	return firstQuoteTick(s)
}

// quotedSymbol reports whether the quote at s[q] quotes a symbol, an
// option or a placeholder in a sentence: two words or more before it,
// then a blank or a bracket; its partner within 32 bytes, with no quote
// or control byte between them; after the partner the value's end, a
// blank or a sentence's punctuation.
func quotedSymbol(s string, q int) bool {
	if q <= 0 || q+2 >= len(s) || s[q] != '"' && s[q] != '\'' || s[q-1] != ' ' && s[q-1] != '\t' && s[q-1] != '(' ||
		strings.IndexByte(strings.TrimSpace(s[:q]), ' ') < 0 {
		return false
	}
	end := strings.IndexByte(s[q+1:min(len(s), q+34)], s[q])
	if end <= 0 {
		return false
	}
	for _, c := range []byte(s[q+1 : q+1+end]) {
		if c < ' ' || c == '"' || c == '\'' || c == '`' || c == 0x7f {
			return false
		}
	}
	a := q + 2 + end
	return a >= len(s) || strings.IndexByte(" \t\r\n.,:;!?)", s[a]) >= 0
}

// quotation reports whether the quote at s[q] opens a quotation of prose:
// words before it, then a blank or a bracket, a letter after it, its partner within
// 80 bytes, and between them words without an operator, a bracket, a
// comment or a statement's separator, the first of them no conjunction
// or verb of SQL, and after the partner the value's end, a blank or a
// sentence's punctuation. A break-out quote follows the value it closes
// ("admin'") or opens the value, and SQL follows it.
func quotation(s string, q int) bool {
	if q <= 0 || q+2 >= len(s) || s[q] != '"' && s[q] != '\'' || s[q-1] != ' ' && s[q-1] != '\t' && s[q-1] != '(' ||
		!isLetter(s[q+1]) || strings.TrimSpace(s[:q]) == "" {
		return false // a quote that opens the value, after blanks, is where a break-out stands
	}
	end := strings.IndexByte(s[q+1:min(len(s), q+82)], s[q])
	if end <= 0 {
		return false
	}
	in := s[q+1 : q+1+end]
	if strings.ContainsAny(in, "=<>();#`\\|&*") || strings.Contains(in, "--") || strings.Contains(in, "/*") {
		return false
	}
	w := in
	if k := strings.IndexAny(w, " \t,"); k >= 0 {
		w = w[:k]
	}
	switch strings.ToLower(w) {
	case "or", "and", "xor", "not", "union", "select", "insert", "update", "delete", "drop", "exec", "execute", "having",
		"where", "order", "group", "limit", "like", "rlike", "regexp", "waitfor", "sleep", "benchmark", "procedure", "into",
		"from", "declare", "set", "create", "alter", "truncate", "shutdown", "is", "in":
		return false
	}
	a := q + 2 + end
	return a >= len(s) || strings.IndexByte(" \t\r\n.,:!?)", s[a]) >= 0
}

// codeSpan reports whether the backtick at s[q] opens Markdown's code
// span of one name, option or path in a sentence: words before it, then
// a blank or a bracket; its partner within 64 bytes; between them no
// blank and only letters, digits and "-_./:@+"; after the partner the
// value's end, a blank or a sentence's punctuation. A MySQL identifier
// in an injection follows an operator or a keyword, not a sentence's
// word, and the grammar rules read the query around it.
func codeSpan(s string, q int) bool {
	if q <= 0 || q+2 >= len(s) || s[q] != '`' || s[q-1] != ' ' && s[q-1] != '\t' && s[q-1] != '(' {
		return false
	}
	p := q - 1
	for p >= 0 && (s[p] == ' ' || s[p] == '\t' || s[p] == '(') {
		p--
	}
	if p < 0 || !isLetter(s[p]) {
		return false // a word ends before it
	}
	end := strings.IndexByte(s[q+1:min(len(s), q+66)], '`')
	if end <= 0 {
		return false
	}
	for _, c := range []byte(s[q+1 : q+1+end]) {
		if !isAlnum(c) && strings.IndexByte("-_./:@+", c) < 0 {
			return false
		}
	}
	a := q + 2 + end
	return a >= len(s) || strings.IndexByte(" \t\r\n.,:;!?)", s[a]) >= 0
}

// plainNumberCall reports whether w is one call of a named function on
// plain numbers (a sign, digits, a decimal point, separated by commas or
// spaces), with nothing after it but spaces.
func plainNumberCall(w string) bool {
	i := 0
	for i < len(w) && (isWord(w[i]) || w[i] == '.') {
		i++
	}
	if i == 0 || i >= len(w) || w[i] != '(' {
		return false
	}
	for i++; i < len(w) && w[i] != ')'; i++ {
		if c := w[i]; !isDigit(c) && c != '-' && c != '+' && c != '.' && c != ',' && c != ' ' {
			return false
		}
	}
	return i < len(w) && strings.TrimSpace(w[i+1:]) == ""
}

// harmsAlone reports whether the function w starts with is one that does
// harm called on numbers alone: a delay or a heavy computation that times
// a blind injection, or a lock.
func harmsAlone(w string) bool {
	n := 0
	for n < len(w) && n < 32 && (isWord(w[n]) || w[n] == '.') {
		n++
	}
	switch strings.ToLower(w[:n]) {
	case "sleep", "pg_sleep", "pg_sleep_for", "benchmark", "randomblob", "zeroblob", "get_lock", "generate_series",
		"dbms_lock.sleep", "sys.dbms_lock.sleep", "dbms_session.sleep", "dbms_pipe.receive_message", "sys_eval", "sys_exec":
		return true
	}
	return false
}

// prose reports whether the tokens libinjection fingerprinted from offset
// i read as a sentence: two plain words in a row, twice, within the first
// dozen tokens after the break-out.
func (sc *sqlScan) prose(i int, fp string) bool {
	lx := &sc.lx
	if fp != "" && fp[0] == 's' {
		// a string first: the fragment starts after the first quote
		q := firstQuoteTick(lx.s[i:])
		if q < 0 {
			return false
		}
		i += q + 1
	} else if i == 0 {
		i = listMarker(lx.s) // the sentence after a bullet, as proseAtStart reads it
	}
	return sc.sentenceAt(i)
}

// sentenceAt reports whether the tokens from offset i read as a sentence:
// among the next twelve, two pairs of plain words in a row.
func (sc *sqlScan) sentenceAt(i int) bool {
	lx := &sc.lx
	pairs, run := 0, 0
	for k, p := 0, i; k < 12; k++ {
		t := lx.next(p)
		if t.kind == sEnd {
			break
		}
		if t.kind == sWord && t.id == kwNone && t.j-t.i > 1 || t.kind == sWord && t.id == kwNone && isAlpha(lx.s[t.i]) {
			run++
			if run >= 2 {
				if pairs++; pairs >= 2 {
					return true
				}
			}
		} else {
			run = 0
		}
		p = t.j
	}
	return pairs >= 2
}
