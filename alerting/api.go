package alerting

import "time"

// Kind says which part of bulwark produced an Event.
type Kind uint8

// Event kinds.
const (
	KindThreat    Kind = iota // the threat engine scored a request over the alert threshold
	KindRateLimit             // the rate limiter refused a request
	KindPenalty               // a penalty-box decision (ban/throttle) was opened
)

// Severity of an event or alert.
type Severity uint8

// Severities, in increasing order.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

// Event is one observation from the request path. It is passed by value
// and must be cheap to publish.
type Event struct {
	Client   string // client key (pseudonymised before it leaves the process)
	Kind     Kind
	Score    float64 // threat score in [0,1], if any
	Severity Severity
	Reasons  []string // top reasons, most important first (rule ids or short texts)
	Route    string
	Method   string
	Time     time.Time
}
