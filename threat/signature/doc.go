// Package signature holds bulwark's payload detectors: one threat.Detector
// per attack family, each small and independent.
//
//	sqli       SQL injection (libinjection fingerprints, blind timing, UNION,
//	           schema probing, stacked queries, tautologies)
//	xss        cross-site scripting (libinjection's HTML5 tokenizer, script
//	           URIs, event handlers, dangerous tags, script sinks)
//	traversal  path traversal, local and remote file inclusion, stream
//	           wrappers, overflow and format-string probes
//	cmdi       OS command injection, $IFS, server-side includes, Shellshock
//	ssrf       metadata-service, loopback and private destinations (every
//	           numeric form), gopher:// and friends
//	code       JNDI (Log4Shell and its obfuscations), template and
//	           expression injection, Java and PHP code, serialised objects,
//	           XXE, prototype pollution, NoSQL operators, LDAP filters
//	scanner    attack tools' user agents and headers and the plugin names
//	           they mark probes with, probe paths, GraphQL introspection
//	protocol   bad methods, smuggling markers, header injection, NUL bytes,
//	           hostile Host, Range and Content-Type values
//
// Each detector walks the decoded values of the request view
// (threat.Request), checks a character-class summary of each value first
// and only looks further at values that carry the characters its attack
// family needs, so a benign request costs little. Every detector reports at
// most one signal per rule and request, with a bounded, printable excerpt as
// evidence. Confidences are the detectors' own; the combiner model of
// threat/standard learns how much each rule is worth from labelled data.
//
// SQL injection and XSS use libinjection (the engine behind ModSecurity's
// and Coraza's @detectSQLi/@detectXSS) in the pure-Go port
// github.com/corazawaf/libinjection-go: XSS through the module, SQL
// injection through internal/libinjection, a copy of the module's SQL half
// without its per-word allocations, held to the module's answers by its
// tests.
package signature
