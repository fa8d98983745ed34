package ratelimit

import (
	"fmt"
	"time"
)

// Policy maps a threat score in [0,1] to a client's rate and decides when a
// client goes into the penalty box. A zero field takes its default.
//
// The default policy: a client scoring below 0.3 keeps its full base rate;
// from 0.3 to 0.8 its rate falls linearly to 10% of the base; above 0.8 it
// stays at 10%. A score of 0.9 or more bans the client for 15 minutes. A
// client that goes over its limit 5 times within a minute is throttled to
// 10% of its rate for 5 minutes.
type Policy struct {
	CleanBelow     float64       // scores below keep the full rate. Default 0.3.
	FloorAt        float64       // scores at or above get FloorFactor. Default 0.8.
	FloorFactor    float64       // lowest rate multiplier, in (0,1]. Default 0.1.
	StrikeLimit    int64         // limit hits that trigger a throttle. Default 5; negative disables.
	StrikeWindow   time.Duration // window in which strikes are counted. Default 1m.
	ThrottleFactor float64       // rate multiplier while throttled, in (0,1]. Default 0.1.
	ThrottleTTL    time.Duration // how long a throttle lasts. Default 5m.
}

func (p Policy) withDefaults() Policy {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.CleanBelow, 0.3)
	def(&p.FloorAt, 0.8)
	def(&p.FloorFactor, 0.1)
	def(&p.ThrottleFactor, 0.1)
	if p.StrikeLimit == 0 {
		p.StrikeLimit = 5
	}
	if p.StrikeWindow == 0 {
		p.StrikeWindow = time.Minute
	}
	if p.ThrottleTTL == 0 {
		p.ThrottleTTL = 5 * time.Minute
	}
	return p
}

func (p Policy) validate() error {
	switch {
	case p.CleanBelow < 0 || p.CleanBelow > 1:
		return fmt.Errorf("Policy.CleanBelow %v: want a score in [0,1]", p.CleanBelow)
	case p.FloorAt <= p.CleanBelow || p.FloorAt > 1:
		return fmt.Errorf("Policy.FloorAt %v: want a score in (CleanBelow=%v,1]", p.FloorAt, p.CleanBelow)
	case p.FloorFactor <= 0 || p.FloorFactor > 1:
		return fmt.Errorf("Policy.FloorFactor %v: want a multiplier in (0,1]", p.FloorFactor)
	case p.StrikeWindow < 0:
		return fmt.Errorf("Policy.StrikeWindow %v: want a positive duration", p.StrikeWindow)
	case p.ThrottleFactor <= 0 || p.ThrottleFactor > 1:
		return fmt.Errorf("Policy.ThrottleFactor %v: want a multiplier in (0,1]", p.ThrottleFactor)
	case p.ThrottleTTL < 0:
		return fmt.Errorf("Policy.ThrottleTTL %v: want a positive duration", p.ThrottleTTL)
	}
	return nil
}

// multiplier returns the rate multiplier for score: 1 below CleanBelow,
// FloorFactor at or above FloorAt, linear in between. NaN gets FloorFactor (the
// lowest rate short of a ban).
func (p Policy) multiplier(score float64) float64 {
	switch {
	case score != score || score >= p.FloorAt:
		return p.FloorFactor
	case score < p.CleanBelow:
		return 1
	}
	t := (score - p.CleanBelow) / (p.FloorAt - p.CleanBelow)
	return 1 - t*(1-p.FloorFactor)
}
