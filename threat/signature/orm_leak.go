package signature

import "strings"

// ormLookups are the lookups Django's ORM (and ORMs after it) read from a
// filter's keyword: "password__startswith=a" filters on the field, a
// character at a time.
var ormLookups = set("startswith", "istartswith", "endswith", "iendswith", "contains", "icontains", "regex", "iregex",
	"exact", "iexact", "gt", "gte", "lt", "lte", "in", "range", "isnull", "has_key", "has_keys", "contained_by")

// ormSecrets are the fields an ORM filter leaks a secret from.
var ormSecrets = set("password", "passwd", "password_hash", "passwordhash", "hashed_password", "secret", "api_key",
	"apikey", "token", "reset_token", "access_token", "refresh_token", "otp", "otp_secret", "totp_secret", "salt",
	"private_key", "session_key")

// ormNameMax bounds the names ormLeak reads: a filter's path of relations
// is short, and the caller lower-cases names into a stack buffer this long.
const ormNameMax = 256

// ormLeak reports whether a lower-cased parameter name or JSON key is an
// ORM filter on a secret field: relation names and the field joined by
// "__", then a lookup ("password__startswith",
// "created_by__user__password__regex", "reset_token__gt"). An application
// that hands the request's parameters to filter(**params) lets a client
// read the field a character at a time, and no form names a field so.
// It returns the span of the secret field and the lookup.
func ormLeak(lo string) (int, int, bool) {
	if len(lo) > ormNameMax {
		return 0, 0, false
	}
	last := strings.LastIndex(lo, "__")
	if last <= 0 || !ormLookups[lo[last+2:]] {
		return 0, 0, false
	}
	for i := 0; i < last; {
		j := strings.Index(lo[i:last], "__")
		if j < 0 {
			j = last
		} else {
			j += i
		}
		if ormSecrets[lo[i:j]] {
			return i, len(lo), true
		}
		i = j + 2
	}
	return 0, 0, false
}
