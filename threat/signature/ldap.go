package signature

import (
	"github.com/bulwarkhq/bulwark/threat"
)

// scanLDAP finds LDAP filter injection: filters closed and reopened
// around an attacker's condition ("*)(uid=*))(|(uid=*").

const (
	ldapFilter = iota
)

var (
	ldapWords = words("*)(", ")(|(", ")(&(", ")(!(", "(|(", "(&(", "*))%00", "*)(|", "*)(&", ")(cn=", ")(uid=", "(objectclass=*")
)

func scanLDAP(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	m := in.m
	if m&cParen == 0 || (m&cStar == 0 && m&(cPipe|cAmp) == 0) {
		return dst, hit
	}
	lo := lower(stack[:0], in.value)
	if mt, ok := findAny(lo, ldapWords, false); ok && seen.mark(&hit, ldapFilter) {
		dst = append(dst, signal(NameLDAP, "ldap.injection", 0.9, in, mt.i, mt.j))
	}
	return dst, hit
}
