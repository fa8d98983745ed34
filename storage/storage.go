package storage

import (
	"context"
	"time"
)

// Action is what a penalty-box decision does to a client.
type Action uint8

// Actions of a decision.
const (
	ActionNone     Action = iota // no decision
	ActionThrottle               // the client's rate is multiplied by Decision.Factor
	ActionBan                    // every request is refused until the decision expires
)

// String returns the action's name: "none", "throttle" or "ban".
func (a Action) String() string {
	switch a {
	case ActionThrottle:
		return "throttle"
	case ActionBan:
		return "ban"
	}
	return "none"
}

// Decision is a penalty-box entry for one client.
type Decision struct {
	Action  Action
	Factor  float64   // rate multiplier for ActionThrottle, in (0,1]
	Reason  string    // short human-readable reason
	Expires time.Time // the decision ends at this instant
}

// Active reports whether d is in force at now.
func (d Decision) Active(now time.Time) bool {
	return d.Action != ActionNone && now.Before(d.Expires)
}

// Algorithm is how a store counts a client's requests in a bucket.
type Algorithm uint8

// Algorithms.
const (
	// FixedWindow counts requests in windows of Hit.Window that start at a
	// client's first request and reset at once when they end. Every request
	// is counted, refused ones too. It lets a client send up to twice its
	// limit across the end of one window and the start of the next.
	FixedWindow Algorithm = iota
	// SlidingWindow estimates the count over the last Hit.Window: the
	// current window's count plus the previous window's, weighted by how
	// much of the previous window the last Hit.Window still covers.
	// Windows are aligned on multiples of Hit.Window since the Unix epoch,
	// and read on the time passed to Hit. Only admitted requests are
	// counted, so a client that keeps sending faster than its limit is
	// admitted at its limit, and no span of Hit.Window admits much more
	// than Hit.Limit requests.
	SlidingWindow
)

// String returns the algorithm's name.
func (a Algorithm) String() string {
	if a == SlidingWindow {
		return "sliding"
	}
	return "fixed"
}

// Hit is one request counted against a client's window.
type Hit struct {
	Client    string        // the client key (any bytes; bounded by the backend)
	Bucket    string        // the rate bucket: route or route group
	Window    time.Duration // window length
	Algorithm Algorithm     // FixedWindow (zero value) or SlidingWindow
	Limit     int64         // the client's limit for this request; over it is a strike
	// Strikes: when StrikeLimit > 0, each hit over Limit counts a strike in a
	// window of StrikeWindow; at StrikeLimit strikes, Penalty is written as the
	// client's decision (for Penalty.TTL) in the same round trip.
	StrikeLimit  int64
	StrikeWindow time.Duration
	Penalty      Decision // Action, Factor and Reason; Expires is ignored
	PenaltyTTL   time.Duration
}

// Count is the store's answer to a Hit.
type Count struct {
	// N is the requests counted in the current window, this one included;
	// for SlidingWindow, the weighted estimate rounded up, this one
	// included, so that N > Hit.Limit exactly when the request is over.
	N int64
	// Reset is when the current window ends; for SlidingWindow, when the
	// current window ends if the request was admitted, or else the earliest
	// time at which one more request would be.
	Reset    time.Time
	Decision Decision // the client's active decision (ActionNone when there is none)
}

// Store is what the rate limiter needs from a backend: counts and the
// penalty-box decisions with their expiry.
type Store interface {
	// Hit counts requests and reads the client's decision in one
	// operation (one round trip for a remote store).
	Hit(ctx context.Context, h Hit, now time.Time) (Count, error)
	SetDecision(ctx context.Context, client string, d Decision, now time.Time) error
	Decision(ctx context.Context, client string, now time.Time) (Decision, error)
	DeleteDecision(ctx context.Context, client string) error
	Close() error
}

// Sharded is implemented by a Store whose keys live on shards that fail
// independently, such as the masters of a Redis Cluster. The rate limiter
// keeps one breaker a shard, so that a failing shard degrades only the
// clients whose keys it holds.
type Sharded interface {
	// Shard names the shard that holds client's keys, from what the store
	// already knows (it does no I/O), or returns "" when it cannot tell.
	Shard(client string) string
}
