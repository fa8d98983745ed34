package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/internal/decode"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanLDAP finds LDAP filter injection (RFC 4515 filters): a value that
// closes the filter it is pasted into and opens components of its own,
// "*)(uid=*))(|(uid=*", "admin*)((|userPassword=*)", "*(|(objectclass=*))",
// ")(cn=*)", "admin)(&)", or ends the filter early with a NUL, "*))%00".
// Parentheses in prose, "(see the list)", hold no attribute=value item
// and no filter operator, and an "admin*" wildcard alone is too common to
// count.

const (
	ldapFilter = iota
	ldapXPath
)

// ldapAttrs are attribute names injections test for; a component naming
// one is an LDAP filter beyond doubt.
var ldapAttrs = set("uid", "cn", "sn", "ou", "dc", "o", "mail", "objectclass", "userpassword", "password", "givenname",
	"samaccountname", "userprincipalname", "memberof", "member", "description", "displayname", "telephonenumber",
	"homedirectory", "loginshell", "uidnumber", "gidnumber", "distinguishedname", "name", "user", "username",
	"objectcategory", "admincount", "pwdlastset", "useraccountcontrol", "accountname", "surname", "postalcode",
	"street", "l", "c", "st", "title", "manager", "gecos", "shadowlastchange", "unicodepwd")

func scanLDAP(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&cParen == 0 {
		// an extensible match needs no bracket: the application's
		// filter has them ("(" + value + ")")
		if m&(cColon|cEq) == cColon|cEq {
			if i, j, conf := ldapExtensible(in.value); conf > 0 && seen.mark(&hit, ldapFilter) {
				dst = append(dst, signal(nameLDAP, "ldap.injection", conf, in, i, j))
			}
		}
		return dst, hit
	}
	if m&(cEq|cStar|cPipe|cAmp|cBang|cColon) == 0 {
		return dst, hit
	}
	if m&(cEq|cStar|cPipe|cAmp|cBang) != 0 {
		i, j, conf := ldapInjection(in.value, in.raw, m)
		if conf < 0.99 && m&(cColon|cEq) == cColon|cEq {
			if ei, ej, ec := ldapExtensible(in.value); ec > conf {
				i, j, conf = ei, ej, ec
			}
		}
		if conf > 0 && seen.mark(&hit, ldapFilter) {
			dst = append(dst, signal(nameLDAP, "ldap.injection", conf, in, i, j))
		}
	}
	if m&(cQuote|cDQuote|cColon) != 0 {
		if i, j := xpathInjection(in.value, m); i >= 0 && seen.mark(&hit, ldapXPath) {
			dst = append(dst, signal(nameLDAP, "ldap.xpath", 0.99, in, i, j))
		}
	}
	return dst, hit
}

// parenBytes are the bytes ldapInjection counts: '(' and ')'.
var parenBytes = finder("()")

// ldapInjection finds filter components in v and weighs how they sit:
// after a ')' that closes the application's filter, after a '*' that ends
// its value, or with more ')' than '(' in the value. raw is the value as
// received, where a NUL that decoding dropped still shows. m holds the
// classes of v (^cls(0): any): "*)" is searched for only when v has a '*'.
func ldapInjection(v, raw string, m cls) (int, int, float64) {
	open, closeN := 0, 0
	best, bi, bj := 0.0, -1, -1
	keep := func(c float64, i, j int) {
		if c > best {
			best, bi, bj = c, i, j
		}
	}
	items, ops, strong := 0, 0, 0
	parens := newCursor(parenBytes, v)
	for i := 0; i < len(v); i++ {
		if i = parens.next(i); i >= len(v) {
			break // neither case below
		}
		switch v[i] {
		case '(':
			open++
		case ')':
			closeN++
			continue
		default:
			continue
		}
		j, kind, attr, wild := ldapComponent(v, i+1)
		if kind == 0 {
			continue
		}
		if kind == 1 {
			ops++
		} else {
			items++
		}
		if kind == 1 || wild || ldapAttrs[attr] {
			strong++
		}
		// what comes before the '(' (skipping other '(')
		p := i - 1
		for p >= 0 && v[p] == '(' {
			p--
		}
		broke := p >= 0 && (v[p] == ')' || v[p] == '*')
		switch {
		case broke && (kind == 1 || wild || ldapAttrs[attr]):
			keep(0.99, i, j)
		case broke:
			keep(0.9, i, j)
		case kind == 1 && (wild || ldapAttrs[attr] || ldapNextItem(v, j)):
			keep(0.99, i, j) // (|(uid=*)(cn=*)): a filter written whole, with what it asks for
		case kind == 1:
			keep(0.85, i, j)
		case wild && ldapAttrs[attr]:
			keep(0.8, i, j)
		}
	}
	if best < 0.99 && items+ops > 0 && closeN > open {
		// more closing than opening: the value ends the application's
		// filter and what it adds runs in its place
		if strong > 0 {
			keep(0.99, 0, len(v))
		} else {
			keep(0.8, 0, len(v))
		}
	}
	if best < 0.99 && m&cStar != 0 {
		// *))%00, *)%00: wildcard, close, and a NUL that cuts the rest
		if k := strings.Index(v, "*)"); k >= 0 && (strings.Contains(raw, "%00") || strings.Contains(v[k:], "%00") || strings.Contains(raw, "%2500") || strings.Contains(raw, "\\x00") ||
			strings.Contains(raw, "\\u0000") || strings.IndexByte(v, 0) >= 0) {
			keep(0.99, k, k+3)
		}
	}
	if best < 0.99 && m&(cStar|cPercent) != 0 && len(v) <= 48 && ldapProbe(v) {
		keep(0.99, 0, len(v))
	}
	return bi, bj, best
}

// ldapProbe reports whether v is a probe of the filter's metacharacters
// and nothing else, as injection fuzz lists send first: "*()|&'",
// "*)(&", with a wildcard, both brackets and an operator, and no word
// (a double-encoded "%26" or "%2a" decoded once more). Prose and code
// put words around their brackets and stars. The caller asks it of values
// with a '*' or a '%' only.
func ldapProbe(v string) bool {
	v = strings.TrimSpace(v)
	if strings.IndexByte(v, '%') >= 0 {
		v = decode.Percent(v, false)
	}
	var open, closed, op, star bool
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(':
			open = true
		case ')':
			closed = true
		case '|', '&', '!':
			op = true
		case '*':
			star = true
		case '\'', '"', '=', '\\', ' ', 0:
		default:
			return false
		}
	}
	return open && closed && op && star
}

// ldapExtensible finds an extensible-match item (RFC 4515), which asks
// the directory to compare with a matching rule of its choosing:
// "userPassword:2.5.13.18:=123" (octetStringOrderingMatch),
// "cn:dn:=admin", "uid:dn:1.3.6.1.4.1.1466.109.114.2:=x". Its ":=" after
// a numeric OID of three or more arcs, or after ":dn", is no prose and no
// code (Go's x := y has neither); an attribute the injections test for
// makes the ":dn" form certain.
func ldapExtensible(v string) (int, int, float64) {
	for off := 0; off < len(v); {
		k := strings.Index(v[off:], ":=")
		if k < 0 {
			break
		}
		e := off + k
		off = e + 2
		// back over the matching rule: an OID of digits and dots, or dn
		b := e
		for b > 0 && (v[b-1] >= '0' && v[b-1] <= '9' || v[b-1] == '.') {
			b--
		}
		oid := v[b:e]
		dn := false
		switch {
		case strings.Count(oid, ".") >= 2 && oid[0] != '.' && oid[len(oid)-1] != '.' && b > 0 && v[b-1] == ':':
			b--
			if b >= 3 && strings.EqualFold(v[b-3:b], ":dn") {
				b -= 3
				dn = true
			}
		case oid == "" && e >= 3 && strings.EqualFold(v[e-3:e], ":dn"):
			b = e - 3
			dn = true
		default:
			continue
		}
		a := b
		for a > 0 && (isWord(v[a-1]) || v[a-1] == '-') {
			a--
		}
		if a == b || !isAlpha(v[a]) && !(oid != "" && dn) {
			continue // no attribute ("(:dn:2.4.8.10:=x)" names none, but a rule)
		}
		conf := 0.99
		if oid == "" && !ldapAttrs[strings.ToLower(v[a:b])] {
			conf = 0.9
		}
		return a, min(len(v), off+8), conf
	}
	return -1, -1, 0
}

// ldapNextItem reports whether the operator component ending at j opens
// an item that names a known attribute or holds a wildcard: the "(uid=*"
// of "(|(uid=*)".
func ldapNextItem(v string, j int) bool {
	if j > len(v) {
		return false
	}
	_, kind, attr, wild := ldapComponent(v, j)
	return kind == 2 && (wild || ldapAttrs[attr])
}

// ldapComponent reads the start of a filter component at v[i:] (just after
// its '('): an operator "&", "|", "!" followed by '(' or ')' (kind 1), or
// an item "attr=value", "attr>=v", "attr~=v", "attr:dn:=v" (kind 2). It
// returns where the component's head ends, the attribute (lower-cased, for
// items) and whether the value holds a wildcard.
func ldapComponent(v string, i int) (int, int, string, bool) {
	if i >= len(v) {
		return i, 0, "", false
	}
	switch v[i] {
	case '&', '|', '!':
		k := i + 1
		if k < len(v) && v[k] == ')' && v[i] != '!' {
			return k + 1, 1, "", false // (&) and (|): absolute true and false
		}
		for k < len(v) && v[k] == ' ' {
			k++
		}
		if k < len(v) && v[k] == '(' || k == len(v) && v[i] != '!' {
			return k, 1, "", false // (|(..., or an operator left open at the end: "*)(&"
		}
		if k < len(v) && v[i] != '!' {
			// (|userPassword=*): an operator glued to an item, as broken
			// payloads write it
			if j, kind, attr, wild := ldapComponent(v, k); kind == 2 {
				return j, 1, attr, wild
			}
		}
		return i, 0, "", false
	}
	k := i
	for k < len(v) && k-i < 64 && (isWord(v[k]) || v[k] == '-' || v[k] == '.' || v[k] == ';') {
		k++
	}
	if k == i || k >= len(v) {
		return i, 0, "", false
	}
	attr := v[i:k]
	if !('a' <= attr[0]|0x20 && attr[0]|0x20 <= 'z' || attr[0] >= '0' && attr[0] <= '9') {
		return i, 0, "", false
	}
	switch {
	case v[k] == '=':
		k++
	case (v[k] == '>' || v[k] == '<' || v[k] == '~') && k+1 < len(v) && v[k+1] == '=':
		k += 2
	case v[k] == ':':
		e := strings.Index(v[k:min(len(v), k+80)], ":=")
		if e < 0 {
			return i, 0, "", false
		}
		k += e + 2
	default:
		return i, 0, "", false
	}
	// the value runs to the next parenthesis
	e := k
	for e < len(v) && e-k < 256 && v[e] != '(' && v[e] != ')' {
		e++
	}
	return e, 2, strings.ToLower(attr), strings.IndexByte(v[k:e], '*') >= 0
}

// xpathAxes are the axes of XPath location steps ("child::node()").
var xpathAxes = set("child", "descendant", "ancestor", "parent", "self", "attribute", "namespace", "following",
	"preceding", "following-sibling", "preceding-sibling", "descendant-or-self", "ancestor-or-self")

// xpathFuncs are the XPath 1.0 functions blind XPath injection probes with.
var xpathFuncs = words("name(", "local-name(", "count(", "string-length(", "substring(", "contains(", "starts-with(",
	"normalize-space(", "text()", "node()", "position()", "last()", "translate(", "concat(", "string(", "boolean(",
	"number(", "true()", "false()", "not(", "namespace-uri(", "sum(", "doc(", "document(", "comment()")

// xpathInjection finds XPath injection: a value that closes the string it
// is pasted into and adds a condition with an XPath function
// ("' or name()='username' or 'x'='y", "') or count(/*)=1 or ('"), or a
// location step with an axis ("count(/child::node())"). m holds the
// classes of v (^cls(0): any): prose has quotes and colons, and each
// search below that needs a byte v lacks is skipped.
func xpathInjection(v string, m cls) (int, int) {
	for off := 0; off < len(v) && m&cColon != 0; {
		k := strings.Index(v[off:], "::")
		if k < 0 {
			break
		}
		i := off + k
		off = i + 2
		s := i
		for s > 0 && (isWord(v[s-1]) || v[s-1] == '-') {
			s--
		}
		rest := v[i+2:]
		if xpathAxes[strings.ToLower(v[s:i])] && (strings.HasPrefix(rest, "*") || hasPrefixFold(rest, "node()") ||
			hasPrefixFold(rest, "text()") || hasPrefixFold(rest, "comment()")) {
			return s, i + 8
		}
	}
	// a union with a path of one's own: "'] | //user/*", "')]|//*"
	k := -1
	if m&cPipe != 0 {
		k = strings.IndexByte(v, '|')
	}
	if k > 0 {
		b := k - 1
		for b >= 0 && v[b] == ' ' {
			b--
		}
		a := skipSpaceStr(v, k+1)
		if b >= 0 && (v[b] == ']' || v[b] == ')') && (strings.HasPrefix(v[a:], "//") || strings.HasPrefix(v[a:], "/*")) {
			return b, a + 2
		}
	}
	q := firstQuote(v, m)
	if q < 0 {
		return -1, -1
	}
	a := q + 1
	for a < len(v) && (v[a] == ')' || v[a] == ']' || v[a] == ' ') {
		a++
	}
	var conj int
	switch {
	case hasPrefixFold(v[a:], "or ") || hasPrefixFold(v[a:], "or("):
		conj = 2
	case hasPrefixFold(v[a:], "and ") || hasPrefixFold(v[a:], "and("):
		conj = 3
	case hasPrefixFold(v[a:], "|"):
		conj = 1
	default:
		return -1, -1
	}
	a = skipSpaceStr(v, a+conj)
	var buf [64]byte
	b := lower(buf[:0], v[a:min(len(v), a+48)])
	if mt, ok := findAny(b, xpathFuncs, false); ok && mt.i <= 2 {
		return q, a + mt.j
	}
	return -1, -1
}

// firstQuote returns the index of the first quote (' or ") in v, or -1,
// as strings.IndexAny(v, "'\"") does. m holds the classes of v (^cls(0):
// any). Each quote is searched for with strings.IndexByte (vector
// instructions), the second only before the first, where IndexAny reads
// byte by byte; a quote v lacks is not searched for.
func firstQuote(v string, m cls) int {
	q := -1
	if m&cQuote != 0 {
		q = strings.IndexByte(v, '\'')
	}
	if m&cDQuote != 0 {
		w := v
		if q >= 0 {
			w = v[:q]
		}
		if d := strings.IndexByte(w, '"'); d >= 0 {
			q = d
		}
	}
	return q
}
