// Package layering holds the test of the module's import rule (DESIGN.md,
// "Packages and the direction of imports"): imports point one way, from
// the consumers to the interfaces they define, never to a backend or an
// assembly of defaults.
package layering
