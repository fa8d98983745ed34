package bulwark

import (
	"net/http"
	"time"

	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/threat"
)

// Outcome is what a Guard decided for one request; it is the value of the
// bulwark.outcome attribute on metrics and spans.
type Outcome uint8

// Outcomes.
const (
	Allowed     Outcome = iota // passed on
	AllowListed                // on the allow-list: passed without scoring or counting
	Skipped                    // on a skipped route: passed without checks
	Blocked                    // refused: the threat score reached Strictness.Block (403)
	Limited                    // refused: over the rate limit (429)
	Throttled                  // refused: over the reduced rate of the penalty box (429)
	Banned                     // refused: in the penalty box (403)
	Uninspected                // refused: past an inspection limit (413, 415 or 400)
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"allowed", "allow_listed", "skipped", "blocked", "limited", "throttled", "banned", "uninspected",
}

// String returns the outcome's label ("allowed", "blocked" ...).
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "unknown"
}

// refusal reports whether o refuses the request.
func (o Outcome) refusal() bool { return o >= Blocked && o < numOutcomes }

// Verdict is a Guard's answer to one request.
type Verdict struct {
	Outcome Outcome
	// Shadow is set when Outcome is a refusal that shadow mode (Config.Shadow
	// or the route's) did not enforce: the request goes on.
	Shadow bool
	// Status is the HTTP status of an enforced refusal (403, 429, 413, 415,
	// 400), 0 when the request goes on.
	Status int
	// RetryAfter is how long a limited, throttled or banned client should
	// wait.
	RetryAfter time.Duration
	// Assessment is the engine's (zero when the request was not scored:
	// skipped, allow-listed, or refused from the decision cache).
	Assessment threat.Assessment
	// ChallengerBlocked says the challenger's score (Assessment.Challenger)
	// reached the route's Strictness.Block: the challenger model would
	// have blocked the request. It is never enforced.
	ChallengerBlocked bool
	// Limit is the limiter's answer: the rate, what is left of it and when
	// it resets (zero when the request was not counted).
	Limit ratelimit.Result

	// Client, Route (the group the engine and limiter saw), Method and
	// Time are the request's, kept for Guard.Done. A transport that learns
	// the route only after the handler (chi) may set Route before Done.
	Client string
	Route  string
	Method string
	Time   time.Time
}

// Refused reports whether the request is to be refused: a refusal outcome
// that shadow mode did not turn into a pass.
func (v *Verdict) Refused() bool { return v.Status != 0 }

// status returns the HTTP status of outcome o for the uninspected reasons u.
func status(o Outcome, u threat.Uninspected) int {
	switch o {
	case Blocked, Banned:
		return http.StatusForbidden
	case Limited, Throttled:
		return http.StatusTooManyRequests
	case Uninspected:
		switch {
		case u.TooLarge():
			return http.StatusRequestEntityTooLarge
		case u&threat.UninspectedEncoding != 0:
			return http.StatusUnsupportedMediaType
		}
		return http.StatusBadRequest
	}
	return 0
}
