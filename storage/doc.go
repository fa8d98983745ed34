// Package storage defines small interfaces, at their consumers, for what the
// rate limiter and the threat engine keep per client: counters and penalty-box
// decisions (a counter hit and its decision check answered in one round trip),
// and opaque client profiles. A Hit counts in a fixed window or a sliding one
// (Algorithm; Slide is the sliding window's arithmetic every backend shares).
// A backend whose keys live on independent shards says which shard holds a
// client (Sharded), so that its consumers can fail one shard at a time.
// Backends live in sub-packages: storage/memory (the embedded
// default: sharded, TTL-aware, bounded) and storage/redis (go-redis, shared
// by a fleet, Cluster-safe through hash tags); storage/storagetest is the
// conformance suite both run.
package storage
