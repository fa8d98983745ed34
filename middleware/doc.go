// Package middleware protects a net/http or chi service with bulwark: it
// identifies the client, answers banned and allow-listed clients from the
// decision cache, scores the request with the threat engine, lets the
// adaptive limiter decide, answers refusals with RFC 9457 problem details
// (403 for blocks, 429 for limits, RateLimit-* and Retry-After headers),
// feeds the response status back into the client's profile and publishes
// alerts, all without buffering the response body.
//
// The zero Config is a working default (standard threat engine, in-memory
// limiter, enforce mode, TCP peer as client):
//
//	mw, err := middleware.New(middleware.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer mw.Close()
//	r := chi.NewRouter()
//	r.Use(mw.Handler)
//
// Forwarding headers are read only when the TCP peer is in
// Config.TrustedProxies, right to left, so a client cannot choose its own
// identity. Telemetry goes through the OpenTelemetry API only.
package middleware
