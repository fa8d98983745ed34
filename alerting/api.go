package alerting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// Kind says which part of bulwark produced an Event.
type Kind uint8

// Event kinds.
const (
	KindThreat    Kind = iota // the threat engine scored a request over the alert threshold
	KindRateLimit             // the rate limiter refused a request
	KindPenalty               // a penalty-box decision (ban/throttle) was opened
	KindAnomaly               // an instance's own requests or refusals a minute deviated from their baseline
)

// String returns the kind's label value ("threat", "ratelimit", "penalty",
// "anomaly").
func (k Kind) String() string {
	switch k {
	case KindThreat:
		return "threat"
	case KindRateLimit:
		return "ratelimit"
	case KindPenalty:
		return "penalty"
	case KindAnomaly:
		return "anomaly"
	}
	return "unknown"
}

// MarshalText returns the kind's label value, as String does.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a label value ("threat", "ratelimit", "penalty",
// "anomaly").
func (k *Kind) UnmarshalText(b []byte) error {
	for c := KindThreat; c <= KindAnomaly; c++ {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("alerting: unknown kind %q", b)
}

// Event is one observation from the request path. It is passed by value
// and must be cheap to publish. An Alert keeps the latest of its events as
// Samples, without their client key (the alert's labels carry it).
type Event struct {
	Client  string       `json:"client,omitempty"` // client key (pseudonymised before it leaves the process)
	Kind    Kind         `json:"kind"`
	Score   float64      `json:"score"` // threat score in [0,1], if any
	Level   threat.Level `json:"level"`
	Route   string       `json:"route"`
	Method  string       `json:"method"`
	Reasons []string     `json:"reasons,omitempty"` // top reasons, most important first (rule ids or short texts)
	Time    time.Time    `json:"time"`              // when it happened; zero means "now" by the dispatcher's clock
}

// Label names an Alert carries, usable in Config.GroupBy, route matchers,
// inhibition rules and silences.
const (
	LabelClient = "client" // the pseudonymised (or raw, if configured) client key
	LabelRoute  = "route"  // the route pattern of the event
	LabelMethod = "method" // the HTTP method
	LabelKind   = "kind"   // threat, ratelimit, penalty or anomaly
	LabelLevel  = "level"  // only in matchers: the alert's current level
)

// Alert is one incident: every event of one group (by default one client)
// correlated over time. Sinks receive a snapshot taken at notification
// time; they may keep it, nothing else holds a reference to it.
type Alert struct {
	Fingerprint string            `json:"fingerprint"` // stable id of the incident (hash of its group labels)
	Labels      map[string]string `json:"labels"`      // the group labels, client pseudonymised
	Level       threat.Level      `json:"level"`       // highest event level, escalated with volume
	Priority    int               `json:"priority"`    // 0..100, higher is more urgent: level, confidence, volume
	Sequence    uint64            `json:"sequence"`    // 1 for the first notification of the incident, then 2, 3…
	Trigger     string            `json:"trigger"`     // why this notification: new, update, escalated, repeat, flush
	Count       uint64            `json:"count"`       // events in the incident so far
	Threat      uint64            `json:"threat"`      // of which threat events
	RateLimit   uint64            `json:"rate_limit"`  // of which rate-limit refusals
	Penalty     uint64            `json:"penalty"`     // of which penalty-box decisions
	MaxScore    float64           `json:"max_score"`   // highest threat score seen
	FirstSeen   time.Time         `json:"first_seen"`
	LastSeen    time.Time         `json:"last_seen"`
	Reasons     []ReasonCount     `json:"reasons"` // rule ids by count, most frequent first (bounded)
	Routes      []string          `json:"routes"`  // distinct routes hit (bounded)
	Samples     []Event           `json:"samples"` // the latest events, oldest first (bounded), without their client
	Summary     string            `json:"summary"` // one line for humans
}

// ReasonCount is a rule id and how many events of the incident gave it.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  uint64 `json:"count"`
}

// Sink delivers alerts somewhere. Send is called from the sink's own
// goroutine with a context that carries the sink's timeout; it returns an
// error to have the dispatcher retry (wrap it with Permanent to stop
// retrying). Implementations must be safe for use by one goroutine at a
// time; the dispatcher never calls one Sink concurrently.
type Sink interface {
	Send(ctx context.Context, a Alert) error
}

// SinkFunc adapts a function to the Sink interface.
type SinkFunc func(ctx context.Context, a Alert) error

// Send calls f.
func (f SinkFunc) Send(ctx context.Context, a Alert) error { return f(ctx, a) }

// Claimer lets several replicas share one notification: Claim reports true
// to exactly one caller per key until ttl passes. alerting/redisclaim
// implements it with Redis SET NX PX.
type Claimer interface {
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so the dispatcher does not retry the delivery (a
// 400 from a webhook, a rejected payload). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Errors returned by New.
var (
	ErrConfig = errors.New("alerting: invalid config")
	ErrClosed = errors.New("alerting: dispatcher closed")
)
