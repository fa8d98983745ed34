// Package ratelimit is a threat-aware rate limiter: the threat score of a
// request tightens or loosens its client's rate, and the worst clients are
// put in a penalty box.
//
// Each route (or route group) has a base rate in ulule/limiter's format
// ("100-M": 100 requests a minute), counted in fixed windows. A Policy maps
// the score in [0,1] to a multiplier of that rate (default: 1 below 0.3,
// falling linearly to 0.1 at 0.8); a score of 0.9 or more bans the client
// for 15 minutes, and 5 limit hits within a minute throttle it to 10% for 5
// minutes. Decisions carry a reason and an expiry. Allow-list entries
// (addresses and CIDRs, IPv4-mapped IPv6 normalised) win over everything,
// stored bans included.
//
// Counters and decisions live in a storage.Store: the embedded
// storage/memory by default, storage/redis for a fleet, where a request costs
// one round trip (one Lua script reads the decision, counts, and writes a
// throttle when the strikes reach their limit). The shared store sits behind
// a github.com/sony/gobreaker/v2 breaker: while it fails, requests are
// counted by a local in-memory store with the same policy (fail-open, the
// default) or refused (Config.FailClosed); the breaker probes the store
// again after Config.BreakerTimeout and closes when it answers. Bans learnt
// from the store are kept in a bounded in-process cache so that Cached
// answers banned clients without I/O.
//
// Metrics (OpenTelemetry API): bulwark.ratelimit.decisions{outcome},
// bulwark.ratelimit.store.duration, bulwark.ratelimit.breaker.state.
package ratelimit
