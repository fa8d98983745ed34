// Package ratelimit is a threat-aware rate limiter: the threat score of a
// request tightens or loosens its client's rate, and the worst clients are
// put in a penalty box.
//
// Each route group (bulwark.Route.Group) has a base rate in ulule/limiter's
// format ("100-M": 100 requests a minute), counted in fixed windows or, per
// group (Config.Algorithm, Config.GroupAlgorithms), in sliding windows,
// which do not let a client send twice its rate across the end of a window.
// A Policy maps the score in [0,1] to a multiplier of that rate (default: 1
// below 0.3, falling linearly to 0.1 at 0.8), and 5 limit hits within a
// minute throttle a client to 10% for 5 minutes. Bans are the caller's
// (Ban, Strike: bulwark.Guard bans by its Strictness). Decisions carry a
// reason and an expiry. Allow-list entries (addresses and CIDRs,
// IPv4-mapped IPv6 normalised) win over everything, stored bans included.
//
// Every method takes the request's time, so that tests need no sleeps:
//
//	r, err := lim.AllowAt(ctx, clientKey, "login", assessment.Score, now)
//	if !r.Allowed { ... answer 429 with r.RetryAfter ... }
//
// The package sees storage interfaces only. Counters and decisions live in
// Config.Local, this process's own store, or, for a fleet, in the shared
// Config.Store (storage/redis), where a request costs one round trip (one
// Lua script reads the decision, counts, and writes a throttle when the
// strikes reach their limit). ratelimit/standard.New builds a limiter whose
// Local is a storage/memory store:
//
//	lim, err := standard.New(standard.Config{Limiter: ratelimit.Config{Store: redisStore}})
//
// # When the shared store fails
//
// Every shared-store call runs on a context detached from the request's
// (a client that disconnects does not cancel the write of its count or
// ban) and is abandoned at Config.StoreTimeout, whatever the store's own
// timeouts, so a frozen Redis holds no request longer than that. Calls go
// through a github.com/sony/gobreaker/v2 breaker, one a shard when the
// store is storage.Sharded (the masters of a Redis Cluster), so a failing
// shard degrades only the clients whose keys it holds.
//
// While a shard's breaker is open (or a call fails), its clients are
// counted by Local with the same policy (fail-open, the default), or
// refused (Config.FailClosed). The local counts are this process's alone:
// a fleet of N instances lets a client through up to N times its rate
// during an outage, and a client's count restarts from what the shared
// store held before it. Those counts are not written back to the shared
// store afterwards: they belong to windows that have mostly passed, and
// adding them would count twice what other instances counted too.
//
// Decisions are not lost: a ban or throttle made while the store was
// unreachable is kept locally (and cached, so this instance enforces it)
// and written back when the shard answers again, with its original expiry.
// A write-back loop tries every tenth of Config.BreakerTimeout through the
// breakers, so it probes a recovering shard itself and the decision
// reaches the store within about one breaker interval, without waiting for
// that client's next request; a stronger decision already in the store
// (another instance's longer ban) is kept. The pending decisions are
// bounded (Config.PendingSize, the one that expires first gives way), kept
// in memory only (a restart drops them), and counted in metrics.
//
// Bans learnt from the store are kept in a bounded in-process cache so that
// Cached answers banned clients without I/O.
//
// Metrics (OpenTelemetry API): bulwark.ratelimit.decisions{outcome},
// bulwark.ratelimit.store.duration, bulwark.ratelimit.breaker.state{shard},
// bulwark.ratelimit.pending, bulwark.ratelimit.pending.dropped.
package ratelimit
