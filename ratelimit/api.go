package ratelimit

import (
	"time"

	"github.com/bulwarkhq/bulwark/storage"
)

// Result is the limiter's answer for one request. What the caller does
// with it (bulwark.Guard turns it into a bulwark.Outcome) follows from
// three fields: Allowed, AllowListed and Penalty.
type Result struct {
	// Allowed says whether the request may go on.
	Allowed bool
	// AllowListed is set for a client on the allow-list (Config.AllowList
	// or an operator's allow rule): allowed without being counted.
	AllowListed bool
	// Penalty is the penalty-box decision that refused the request:
	// storage.ActionBan, or storage.ActionThrottle when the client's
	// reduced rate is spent. It is storage.ActionNone when the request is
	// allowed or refused for its rate alone.
	Penalty    storage.Action
	Limit      int64         // requests allowed in the current window for this client
	Remaining  int64         // requests left in the window
	Reset      time.Time     // when the window resets
	RetryAfter time.Duration // when refused: how long the client should wait
	Reason     string        // short human-readable reason ("rate limit", "penalty box: threat score")
	Degraded   bool          // true when the store was unavailable and a local fallback answered
}

// The outcomes of a Result, in the order of the decisions metric's label
// values.
const (
	outAllow = iota
	outLimited
	outThrottled
	outBanned
	outAllowListed
	numOut
)

var outNames = [numOut]string{"allow", "limited", "throttled", "banned", "allow_listed"}

// outcome classifies r for the metrics.
func (r Result) outcome() int {
	switch {
	case r.AllowListed:
		return outAllowListed
	case r.Allowed:
		return outAllow
	case r.Penalty == storage.ActionBan:
		return outBanned
	case r.Penalty == storage.ActionThrottle:
		return outThrottled
	}
	return outLimited
}

// label is r's value of the decisions metric's outcome label.
func (r Result) label() string { return outNames[r.outcome()] }
