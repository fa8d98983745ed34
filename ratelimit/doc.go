// Package ratelimit is a threat-aware rate limiter: the threat score of a
// request tightens or loosens its client's rate, and the worst clients are
// put in a penalty box.
package ratelimit
