package storage

import (
	"context"
	"errors"
	"time"
)

// Kind is the kind of a penalty-box decision.
type Kind uint8

// Decision kinds.
const (
	KindNone     Kind = iota // no decision
	KindThrottle             // the client's rate is multiplied by Decision.Factor
	KindBan                  // every request is refused until the decision expires
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindThrottle:
		return "throttle"
	case KindBan:
		return "ban"
	}
	return "none"
}

// Decision is a penalty-box entry for one client.
type Decision struct {
	Kind    Kind
	Factor  float64   // rate multiplier for KindThrottle, in (0,1]
	Reason  string    // short human-readable reason
	Expires time.Time // the decision ends at this instant
}

// Active reports whether d is in force at now.
func (d Decision) Active(now time.Time) bool {
	return d.Kind != KindNone && now.Before(d.Expires)
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
	Penalty      Decision // Kind, Factor and Reason; Expires is ignored
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
	Decision Decision // the client's active decision (KindNone when there is none)
}

// Limits counts requests and reads the client's decision in one operation
// (one round trip for a remote store).
type Limits interface {
	Hit(ctx context.Context, h Hit, now time.Time) (Count, error)
}

// Decisions stores penalty-box decisions with their expiry.
type Decisions interface {
	SetDecision(ctx context.Context, client string, d Decision, now time.Time) error
	Decision(ctx context.Context, client string, now time.Time) (Decision, error)
	DeleteDecision(ctx context.Context, client string) error
}

// Store is what the rate limiter needs from a backend.
type Store interface {
	Limits
	Decisions
	Close() error
}

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("storage: store closed")

// MaxKeyLen bounds client and bucket keys: longer keys are replaced by a
// fixed-length hash of themselves (see BoundKey).
const MaxKeyLen = 128

// Sharded is implemented by a Store whose keys live on shards that fail
// independently, such as the masters of a Redis Cluster. The rate limiter
// keeps one breaker a shard, so that a failing shard degrades only the
// clients whose keys it holds.
type Sharded interface {
	// Shard names the shard that holds client's keys, from what the store
	// already knows (it does no I/O), or returns "" when it cannot tell.
	Shard(client string) string
}

// Profiles stores opaque per-client profiles (serialised by their owner,
// e.g. a behaviour model) with a TTL, so a fleet shares what it learnt about
// a client. Get returns nil, nil when there is none.
type Profiles interface {
	GetProfile(ctx context.Context, client string) ([]byte, error)
	PutProfile(ctx context.Context, client string, p []byte, ttl time.Duration, now time.Time) error
}

// MaxProfileLen bounds a stored profile.
const MaxProfileLen = 64 << 10

// ErrTooLarge is returned for a profile over MaxProfileLen bytes.
var ErrTooLarge = errors.New("storage: profile too large")
