// Package storage defines small interfaces, at their consumers, for what the
// rate limiter and the threat engine keep per client: counters and penalty-box
// decisions (a counter hit and its decision check answered in one round trip),
// and opaque client profiles.
// Backends live in sub-packages: storage/memory (the embedded
// default: sharded, TTL-aware, bounded) and storage/redis (go-redis, shared
// by a fleet, Cluster-safe through hash tags).
package storage
