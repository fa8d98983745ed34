// Package middleware protects a net/http or chi service with bulwark: it
// identifies the client, answers banned and allow-listed clients from the
// decision cache, scores the request with the threat engine, lets the
// adaptive limiter decide, answers refusals with RFC 9457 problem details
// (403 for blocks, 429 for limits, RateLimit-* and Retry-After headers),
// feeds the response status back into the client's profile and publishes
// alerts, all without buffering the response body.
//
// It asks a Core (a *bulwark.Guard) for every decision; the zero Config
// identifies the client by its TCP peer:
//
//	guard, err := standard.New(standard.Config{}) // the default engine and an in-memory limiter
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer guard.Close()
//	mw, err := middleware.New(guard, middleware.Config{Pattern: chiroute.Before(r), PatternAfter: chiroute.After})
//	if err != nil {
//		log.Fatal(err)
//	}
//	r.Use(mw.Handler) // func(http.Handler) http.Handler: plain net/http too
//
// Forwarding headers are read only when the TCP peer is in
// Config.TrustedProxies, right to left, so a client cannot choose its own
// identity. Telemetry goes through the OpenTelemetry API only.
package middleware
