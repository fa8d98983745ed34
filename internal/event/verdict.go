package event

import (
	"strings"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/location"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage"
)

// FromVerdict is the event of a Guard's verdict. route names the route
// pattern when the transport knows it, else "" for the verdict's route
// (the group the Guard saw, or the pattern found after the handler).
func FromVerdict(v *bulwark.Verdict, route string) Event {
	e := Event{Time: v.Time, Client: v.Client, Route: route, Method: v.Method, Outcome: v.Outcome.String(),
		Score: v.Assessment.Score, Level: v.Assessment.Level.String(),
		Model: v.Assessment.Model, Blocked: v.Outcome == bulwark.Blocked}
	if v.Assessment.ChallengerModel != "" {
		e.Shadow, e.ShadowScore, e.ShadowRefused = v.Assessment.ChallengerModel, v.Assessment.Challenger, v.ChallengerBlocked
	}
	if e.Route == "" {
		e.Route = v.Route
	}
	if v.Shadow {
		e.Outcome = OutcomeShadowRefused
	}
	if v.Limit != (ratelimit.Result{}) {
		e.Limiter = limiterLabel(&v.Limit)
		if v.Outcome == bulwark.Blocked && !v.Shadow && v.Limit.Penalty == storage.ActionBan && strings.HasPrefix(v.Limit.Reason, "penalty box") {
			e.PenaltyUntil = v.Limit.Reset // the refusal that banned its client
		}
	}
	rs := v.Assessment.Signals
	for i := 0; i < len(rs) && i < MaxReasons; i++ {
		e.Reasons[i] = rs[i].Rule
	}
	if len(rs) > 0 {
		e.Family = rs[0].Detector
		e.Param = location.Param(rs[0].Location)
	}
	return e
}

// limiterLabel names the limiter's answer as its metrics do: allow,
// limited, throttled, banned, allow_listed.
func limiterLabel(r *ratelimit.Result) string {
	switch {
	case r.AllowListed:
		return "allow_listed"
	case r.Allowed:
		return "allow"
	case r.Penalty == storage.ActionBan:
		return "banned"
	case r.Penalty == storage.ActionThrottle:
		return "throttled"
	}
	return "limited"
}
