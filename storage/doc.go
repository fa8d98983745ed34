// Package storage defines the small interfaces, at their consumer, that the
// rate limiter needs of a backend: a Counter that counts a request and
// reads its client's penalty-box decision in one operation (one round trip
// for a remote store), and Decisions that stores bans and throttles with
// their expiry. A Hit counts in a fixed window or a sliding one
// (Algorithm). A backend whose keys live on independent shards says which
// shard holds a client (Sharded), so that the limiter fails one shard at a
// time.
//
// Backends live in sub-packages: storage/memory (the embedded default:
// sharded, TTL-aware, bounded) and storage/redis (go-redis, shared by a
// fleet, Cluster-safe through hash tags); storage/storagetest is the
// conformance suite both run, and that a backend of your own runs too:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return mystore.New(…) })
//	}
package storage
