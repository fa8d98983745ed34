package signature_test

import "testing"

// Public payloads: OWASP's LDAP injection prevention cheat sheet and
// testing guide, PayloadsAllTheThings' LDAP list, Blackhat "LDAP
// injection & blind LDAP injection" (Alonso, Parada).
var ldapAttacks = []familyCase{
	{"q", "*)(uid=*))(|(uid=*", 0.99},
	{"q", "admin*)((|userPassword=*)", 0.99},
	{"q", "*(|(objectclass=*))", 0.99},
	{"q", "*(|(mail=*))", 0.99},
	{"q", ")(cn=*)", 0.99},
	{"q", "admin)(&)", 0.99},
	{"q", "admin)(|(password=*)", 0.99},
	{"q", "*)(objectClass=*", 0.99},
	{"q", "x*)(|(cn=*", 0.99},
	{"q", "admin)(!(&(1=0", 0.99},
	{"q", "jdoe)(description=*", 0.99},
	{"q", "*))%00", 0.99},
	{"q", "admin))(|(uid=*", 0.99},
	// extensible matches (RFC 4515), in the filter the application wrote
	{"q", "userPassword:2.5.13.18:=123", 0.99},
	{"q", "cn:dn:=admin", 0.99},
	{"q", "uid:dn:1.3.6.1.4.1.1466.109.114.2:=x", 0.99},
	{"q", "*)(userPassword:2.5.13.18:=*", 0.99},
	// metacharacter probes of fuzz lists (SecLists' LDAP fuzzing list)
	{"q", "*()|&'", 0.99},
	{"q", "*()|%2526'", 0.99},
	{"header:X-Filter", "*)(&", 0.99},
	// the same with its star and operator escaped, in a JSON value
	{"body:application/json", `{"filter":"%2a)(%26"}`, 0.99},
	{"q", "foo)(sn=a*)(uid=*", 0.99},
	{"body:application/json", `{"user":"*)(uid=*))(|(uid=*"}`, 0.99},
	{"header:X-Filter", "*)(|(objectclass=*))", 0.99},
	{"header:X-Filter", "*))%00", 0.99},
	// XPath injection (OWASP testing guide, Blind XPath Injection by Klein)
	{"q", "x' or name()='username' or 'x'='y", 0.99},
	{"q", "') or count(/*)=1 or ('", 0.99},
	{"q", "' or string-length(name(/*[1]))=5 or '", 0.99},
	{"q", "count(/child::node())", 0.99},
	{"q", "'] | //user/*[contains(*,'", 0.99},
}

// Parentheses in prose and code, wildcards in searches.
var ldapBenign = []familyCase{
	{"q", "admin*", 0},
	{"q", "(*)", 0},
	{"q", "x := y + 1; v:=2", 0},
	{"q", "version 2.5.13 := released", 0},
	{"q", "ratio a:b:=c", 0},
	{"q", "(*_*) | (^_^)", 0},
	{"q", "**(see below)** & more", 0},
	{"q", "a*(b|c)", 0},
	{"q", "(see the list)", 0},
	{"q", "John (Jack) Smith (born 1970)", 0},
	{"q", "f(x) = (a+b)*(c-d)", 0},
	{"q", "if (x == 1) (y = 2)", 0},
	{"q", "Try (a=b) :)", 0},
	{"q", "s = (char*)(long)retval; /* ouch */", 0},
	{"q", "Q(a=1)(b=2)", 0.95},
	{"q", "the *(star) key", 0},
	{"q", "prices (USD=1.0) (EUR=0.9)", 0.95},
	{"q", "it's a name() call or not", 0},
	{"q", "std::vector<int> and Foo::bar()", 0},
	{"q", "a (b) | /c path", 0},
	{"header:X-Filter", ")(!", 0}, // brackets and an operator, no wildcard: no probe
	{"q", "'Tis the season or so they say (count(me) in)", 0},
}

func TestLDAP(t *testing.T) { checkFamily(t, "ldap", ldapAttacks, ldapBenign, 0.9) }

// TestLDAPInPath: a filter sent as a URL path's segment (scanners probe
// the path as a value of its own, Fwaf's "/*(|(mail=*))"); a path with
// brackets or '=' of its own is no filter.
func TestLDAPInPath(t *testing.T) {
	attacks := []familyCase{
		{"path", "/*(|(mail=*))", 0.99},
		{"path", "/*(|(objectclass=*))", 0.99},
		{"path", "/users/*)(uid=*))(|(uid=*", 0.99},
	}
	benign := []familyCase{
		{"path", "/api/users/(id=5)", 0},
		{"path", "/wiki/Foo_(bar)", 0},
		{"path", "/a/b=c/(d)", 0},
		{"path", "/search/name=*smith*", 0},
	}
	checkFamily(t, "ldap", attacks, benign, 0.9)
}
