// Package storage defines the small interfaces the rate limiter needs from a
// store: counters and penalty-box decisions for one client, answered in one
// round trip. Backends live in sub-packages: storage/memory (the embedded
// default: sharded, TTL-aware, bounded) and storage/redis (go-redis, shared
// by a fleet, Cluster-safe through hash tags).
package storage
