// Package event is the record an SDK instance sends to the control plane for
// every request a bulwark.Guard decided on, and its compact wire form,
// shared by storage/fleet's Exporter and the control plane.
//
// The Exporter makes an Event of a verdict on the request path
// (FromVerdict: time, client key, route, method, outcome, score, level,
// top reasons, limiter result) without blocking. It stamps the ID, replaces the client key by its pseudonym,
// adds the behavioural features of scored requests, and publishes Batches:
//
//	b := event.Batch{Tenant: "default", Region: "eu", Instance: "api-1", KeyID: "k1", Events: evs}
//	msg := b.Append(nil)
//	back, err := event.DecodeBatch(msg) // what the control plane's ingest does
//
// Per-minute counts of every request (sampled out or not) travel apart, in
// Reports. The encoding is versioned (a magic prefix), bounded (DecodeBatch
// refuses lengths and counts beyond the limits below) and fuzzed. Format 2
// adds the model fields (which combiner model scored the event, whether
// it blocked it, and the shadow model's verdict beside it); DecodeBatch
// still reads format 1, whose events leave them empty.
package event
