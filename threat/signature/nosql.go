package signature

import (
	"bytes"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanNoSQL finds NoSQL operator injection: MongoDB query operators in
// JSON keys and in bracketed parameter names ("user[$ne]=").

const (
	nosqlOperator = iota
)

var (
	nosqlOps = words("$ne", "$gt", "$gte", "$lt", "$lte", "$regex", "$where", "$in", "$nin", "$exists", "$or", "$and",
		"$not", "$nor", "$expr", "$function", "$accumulator", "$elemmatch", "$eq", "$type", "$size", "$all", "$text", "$lookup")
)

func scanNoSQL(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	if in.m&cDollar == 0 {
		return dst, hit
	}
	lo := lower(stack[:0], in.value)
	switch {
	case in.name == "(name)":
		if i := bytes.Index(lo, []byte("[$")); i >= 0 && isOperator(lo[i+1:]) && seen.mark(&hit, nosqlOperator) {
			dst = append(dst, signal(NameNoSQL, "nosql.operator", 0.9, in, i, i+6))
		}
	case in.src == threat.SourceJSON && in.name == "(key)":
		if len(lo) > 1 && lo[0] == '$' && isOperator(lo) && seen.mark(&hit, nosqlOperator) {
			dst = append(dst, signal(NameNoSQL, "nosql.operator", 0.95, in, 0, len(lo)))
		}
	}
	return dst, hit
}

// isOperator reports whether b starts with a MongoDB query operator.
func isOperator(b []byte) bool {
	k, ok := hasPrefixAny(b, nosqlOps)
	return ok && (len(b) == len(nosqlOps.kws[k]) || !isWord(b[len(nosqlOps.kws[k])]))
}
