// Package threat scores HTTP requests for hostility. An Engine builds a
// read-only Request view once per request, runs its Detectors over it and
// combines their Signals with a Model into one Assessment: a score in
// [0,1], a Level and the signals that weighed most.
//
//	e, err := threat.New(threat.Config{Detectors: detectors}) // threat/standard.New: every detector and the trained model
//	req := e.Parse(r, clientKey, "/login", time.Now(), threat.Limits{})
//	a := e.Assess(ctx, req)
//	e.Release(req)
//	if a.Level >= threat.LevelHigh { ... a.Signals[0].Rule ... }
//
// What to do about a score (refuse, ban, alert) is the caller's: package
// bulwark's Guard decides it by its Strictness. The Model, like every
// model of the module, is a versioned artefact in a Holder (Engine.Models)
// that swaps it at run time, rolls it back, and scores a challenger and a
// canary beside it.
package threat
