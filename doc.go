// Package bulwark is the decision core of bulwark: a Guard takes a request
// view, its client and its time, and answers with one Verdict (allowed,
// blocked, limited, throttled, banned, uninspected) that carries the threat
// engine's assessment and the rate limiter's result; after the handler, the
// response status is fed back.
//
// A Guard is not tied to net/http: the middleware package adapts it to
// net/http and chi, and a gRPC interceptor or a queue consumer calls Check
// with a threat.Request of its own. The defaults (the standard threat
// engine, an in-memory limiter) live in package standard, so a program that
// brings its own engine does not link them:
//
//	guard, err := standard.New(standard.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer guard.Close()
//	v := guard.CheckHTTP(r, clientKey, "/login", time.Now())
//	if v.Refused() { ... answer v.Status ... }
//	guard.Done(&v, status)
//
// One Strictness says how hard it answers (Relaxed, DefaultStrictness,
// Strict): the score that refuses, when a client is banned (never for one
// refusal alone, unless its evidence is near-certain), what is alerted.
// Operators reach the limiter's decisions and the breaker state through
// the Guard (Ban, Unban, SetRate, BreakerState), and the engine's models,
// the limiter's operator rules and the alert dispatcher through Engine,
// Limiter and Alerts.
package bulwark
