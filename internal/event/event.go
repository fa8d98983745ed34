package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MaxReasons is how many reasons an Event carries.
const MaxReasons = 3

// Outcomes, as bulwark.Outcome names them (its String).
const (
	OutcomeAllowed       = "allowed"
	OutcomeAllowListed   = "allow_listed"
	OutcomeBlocked       = "blocked"
	OutcomeLimited       = "limited"
	OutcomeThrottled     = "throttled"
	OutcomeBanned        = "banned"
	OutcomeUninspected   = "uninspected"    // refused past an inspection limit
	OutcomeShadowRefused = "shadow_refused" // a refusal shadow mode let through
)

// Event is one assessed request.
type Event struct {
	ID   ID
	Time time.Time // when the request arrived
	// Client is the client key the middleware resolved. It never leaves the
	// SDK: the exporter replaces it by Pseudonym before encoding.
	Client    string
	Pseudonym string // keyed hash of Client (see storage/fleet), under Batch.KeyID
	Route     string // route pattern or group ("" when unknown)
	Method    string
	Outcome   string  // what the middleware did: the Outcome* constants
	Score     float64 // threat score in [0,1]
	Level     string  // threat level: none, low, medium, high, critical
	// Reasons are the rules of the top reasons, most important first.
	Reasons [MaxReasons]string
	// Family is the attack family: the detector of the top reason (sqli,
	// xss, cmdi, behavior, anomaly, ...); "" when nothing fired.
	Family string
	// Param is the parameter the top reason was found in, as a
	// suppression scopes it ("q" of "query:q", "user" of "json:user");
	// "" for the path, the body whole, or no reason.
	Param string
	// Limiter is the rate limiter's answer (allow, limited, throttled,
	// banned, allow_listed), or "" when it was not asked.
	Limiter string
	// Features is the client's behavioural feature vector when the event
	// was recorded (every kept event whose engine has them: the scored
	// and refused ones, and the sampled benign ones the control plane
	// learns normal behaviour from).
	Features []float32
	// Model is the version of the combiner model that scored the request:
	// the active one, or the canary for a client in its fraction; "" when
	// the request was not scored.
	Model string
	// Shadow is the version of the shadow model (the challenger) scored
	// beside Model and never enforced, "" when none was loaded;
	// ShadowScore is its score and ShadowRefused says it reached the
	// route's block threshold: the shadow would have refused the request.
	Shadow        string
	ShadowScore   float64
	ShadowRefused bool
	// PenaltyUntil, set on the event of the request whose refusal put its
	// client in the penalty box (a ban), is when that ban ends. It is not
	// in the wire form: the exporter sends it, with the client's
	// pseudonym, in its next Report (Penalties).
	PenaltyUntil time.Time
	// Blocked says Score reached the route's block threshold: Model
	// refused the request (enforced, or let through by shadow mode). A
	// refusal of the rate limiter or the decision cache is not the
	// model's. Decoding a format 1 event sets it from Outcome.
	Blocked bool
}

// Scored reports whether e is above threat level "none".
func (e *Event) Scored() bool { return e.Level != "" && e.Level != "none" }

// Refused reports whether the middleware refused (or, in shadow mode,
// would have refused) the request.
func (e *Event) Refused() bool {
	switch e.Outcome {
	case OutcomeBlocked, OutcomeLimited, OutcomeThrottled, OutcomeBanned, OutcomeUninspected, OutcomeShadowRefused:
		return true
	}
	return false
}

// Batch is the unit the exporter publishes: events of one instance, with
// the fields they share.
type Batch struct {
	Tenant   string
	Region   string
	Instance string
	KeyID    string // id of the pseudonym key
	Events   []Event
}

// Report is what an instance sends about itself every flush interval: the
// exact counts of every request since the previous report (sampled or
// not), and its health.
type Report struct {
	Tenant   string    `json:"tenant"`
	Region   string    `json:"region"`
	Instance string    `json:"instance"`
	Boot     string    `json:"boot"` // random id of this process's start
	Seq      uint64    `json:"seq"`  // report number since Boot, from 1
	Time     time.Time `json:"time"`
	Version  string    `json:"version"`
	Counts   []Count   `json:"counts,omitempty"`
	// Totals since Boot.
	Recorded  uint64 `json:"recorded"`  // events handed to the exporter
	Sampled   uint64 `json:"sampled"`   // benign events left out of the history by sampling (counted in Counts)
	Published uint64 `json:"published"` // events acknowledged by the stream
	Dropped   uint64 `json:"dropped"`   // events lost: queue full or publish given up
	Queued    uint64 `json:"queued"`    // events waiting to be published
	Breaker   string `json:"breaker"`   // the limiter's store breaker: closed, open, half-open, none
	// ModelsRefused counts the model artefacts the instance's watcher
	// refused (did not verify or load) since Boot.
	ModelsRefused uint64 `json:"models_refused,omitempty"`
	// Penalties are the penalty-box bans the instance made since the
	// previous report (at most MaxPenalties): the control plane of a
	// region among several replicates them to the others.
	Penalties []Penalty `json:"penalties,omitempty"`
}

// Penalty is one penalty-box ban: its client's pseudonym and its end.
type Penalty struct {
	Pseudonym string    `json:"pseudonym"`
	Until     time.Time `json:"until"`
}

// MaxPenalties bounds Report.Penalties.
const MaxPenalties = 10_000

// ID is the report's idempotency key.
func (r *Report) ID() string { return fmt.Sprintf("%s/%s/%d", r.Instance, r.Boot, r.Seq) }

// Count is the number of requests of one minute with the same route,
// outcome, family and level.
type Count struct {
	Minute  int64  `json:"minute"` // Unix seconds of the minute's start
	Route   string `json:"route"`
	Outcome string `json:"outcome"`
	Family  string `json:"family,omitempty"`
	Level   string `json:"level"`
	N       uint64 `json:"n"`
}

// MaxReportLen bounds an encoded Report.
const MaxReportLen = 4 << 20

// EncodeReport returns the wire form of r (JSON).
func EncodeReport(r *Report) ([]byte, error) { return json.Marshal(r) }

// DecodeReport parses a Report, refusing oversized input and bad fields.
func DecodeReport(b []byte) (*Report, error) {
	if len(b) > MaxReportLen {
		return nil, fmt.Errorf("%w: report of %d bytes", ErrMalformed, len(b))
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkStr(r.Tenant, r.Region, r.Instance, r.Boot, r.Version, r.Breaker); err != nil {
		return nil, err
	}
	if r.Instance == "" || r.Boot == "" || r.Seq == 0 {
		return nil, fmt.Errorf("%w: report without instance, boot or seq", ErrMalformed)
	}
	for _, c := range r.Counts {
		if err := checkStr(c.Route, c.Outcome, c.Family, c.Level); err != nil {
			return nil, err
		}
	}
	if len(r.Penalties) > MaxPenalties {
		return nil, fmt.Errorf("%w: %d penalties in a report", ErrMalformed, len(r.Penalties))
	}
	for _, p := range r.Penalties {
		if err := checkStr(p.Pseudonym); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

func checkStr(ss ...string) error {
	for _, s := range ss {
		if len(s) > MaxString {
			return fmt.Errorf("%w: string of %d bytes", ErrMalformed, len(s))
		}
	}
	return nil
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("event: malformed input")
