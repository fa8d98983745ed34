package ratelimit

import "time"

// Outcome is what the limiter decided for one request.
type Outcome uint8

// Outcomes.
const (
	OutcomeAllow       Outcome = iota // under the limit
	OutcomeLimited                    // over the limit for this window: answer 429
	OutcomeThrottled                  // in the penalty box with a reduced rate, and over it
	OutcomeBanned                     // in the penalty box: answer 403 (or 429) until it expires
	OutcomeAllowListed                // on the allow-list: never limited
)

// Result is the answer of Adaptive.Allow.
type Result struct {
	Outcome    Outcome
	Limit      int64         // requests allowed in the current window for this client
	Remaining  int64         // requests left in the window
	Reset      time.Time     // when the window resets
	RetryAfter time.Duration // when refused: how long the client should wait
	Reason     string        // short human-readable reason ("rate limit", "penalty box: threat score")
	Degraded   bool          // true when the store was unavailable and a local fallback answered
}

// Allowed reports whether the request may proceed.
func (r Result) Allowed() bool { return r.Outcome == OutcomeAllow || r.Outcome == OutcomeAllowListed }
