// Package threat scores HTTP requests for hostility. An Engine builds a
// read-only Request view once per request, runs its Detectors over it and
// combines their Signals into one Assessment: a score in [0,1], a Level and
// ranked reasons.
package threat
