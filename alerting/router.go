package alerting

import (
	"math"
	"time"
)

// route returns the indexes of the routes an alert matches, in order, and
// whether none matched (the default sinks apply).
func routeAlert(routes []Subscription, a *Alert, dst []int) ([]int, bool) {
	for i := range routes {
		r := &routes[i]
		if a.Level < r.MinLevel || !matches(a.Labels, a.Level, r.Match) {
			continue
		}
		dst = append(dst, i)
		if !r.Continue {
			break
		}
	}
	return dst, len(dst) == 0
}

// bucket is a token bucket driven by the caller's clock; not safe for
// concurrent use (each has one owner goroutine).
type bucket struct {
	limit  float64
	per    time.Duration
	tokens float64
	at     time.Time
}

func newBucket(t Throttle) *bucket {
	if t.Limit <= 0 || t.Per <= 0 {
		return nil
	}
	return &bucket{limit: float64(t.Limit), per: t.Per, tokens: float64(t.Limit)}
}

// allow takes a token at now; a nil bucket always allows.
func (b *bucket) allow(now time.Time) bool {
	if b == nil {
		return true
	}
	if !b.at.IsZero() && now.After(b.at) {
		b.tokens = math.Min(b.limit, b.tokens+b.limit*float64(now.Sub(b.at))/float64(b.per))
	}
	if now.After(b.at) {
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
