// Package libinjection is the SQL injection half of
// github.com/corazawaf/libinjection-go v0.3.6, copied with its licence
// (LICENSE, BSD 3-clause, Coraza) and changed only where a lookup
// allocated or cost most:
//
//   - searchKeyword upper-cases an ASCII word into a buffer on the stack
//     instead of calling strings.ToUpper, which allocated for every word
//     with a lower-case letter (most words of prose); other words still go
//     through strings.ToUpper, whose Unicode case mapping they need;
//   - before that, keyFilter, a 64 Kibit set built from the keyword table
//     at start-up, reads a word's length and three of its bytes and stops
//     the words that cannot be keys (four in five of prose) before the
//     copy and the map lookup; searchKeyword reads sqlKeywords itself
//     instead of taking the map as a parameter;
//   - merge looks a two-word phrase up from a buffer on the stack and makes
//     it a string only when it is a phrase;
//   - a fingerprint is kept in the state, and IsSQLi returns a copy of the
//     one it matched.
//
// The signature detector calls IsSQLi on windows of nearly every long value
// of prose, and the module's allocations were half its cost there. The
// verdicts and fingerprints are the module's: the tests run the module's
// own test suite (read from the module's directory), and a test and a
// fuzz target compare every answer with the module's IsSQLi, which stays a
// dependency (its XSS half is used as it is). A new version of the module
// is taken by copying its sqli*.go files here again and making the same
// four changes; TestMatchesUpstream fails until then if its answers
// differ.
package libinjection
