// Package location reads a threat.Signal's Location: the one reading that
// threat's suppressions match requests by and that the events a
// suppression is scoped from carry, so that the two cannot drift apart.
package location

import "strings"

// Param returns the parameter name of a Signal.Location: "q" of
// "query:q", "user.name" of "json:user.name (base64)"; "" for a location
// without one ("path", "body").
func Param(loc string) string {
	_, name, ok := strings.Cut(loc, ":")
	if !ok {
		return ""
	}
	if i := strings.Index(name, " ("); i >= 0 {
		name = name[:i]
	}
	return name
}
