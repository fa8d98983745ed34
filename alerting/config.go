package alerting

import (
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"go.opentelemetry.io/otel/metric"
)

// Config configures a Dispatcher. The zero value works: one process,
// incidents grouped by client, logged through slog.Default, client keys
// pseudonymised with a random per-process key.
type Config struct {
	// Sinks, by name. Default: one sink logging through slog.Default().
	Sinks []SinkConfig
	// Routes are tried in order; the first match (or every match up to one
	// without Continue) picks the sinks. Default: none, everything goes to
	// DefaultSinks.
	Subscriptions []Subscription
	// DefaultSinks receive alerts no route matched. Default: every sink.
	DefaultSinks []string

	// GroupBy lists the labels that make one incident (LabelClient,
	// LabelRoute, LabelMethod, LabelKind). Default: {LabelClient}, which
	// merges threat and rate-limit events of one client.
	GroupBy []string
	// GroupWait is how long a new incident collects events before its
	// first notification. Default 10s.
	GroupWait time.Duration
	// GroupInterval is the least time between two notifications of an
	// incident that has new events. Default 1m.
	GroupInterval time.Duration
	// RepeatInterval is how often an incident still active (events seen
	// within ResolveTimeout) is notified again without new evidence.
	// Default 1h.
	RepeatInterval time.Duration
	// ResolveTimeout forgets an incident with no events for that long.
	// Default 5m.
	ResolveTimeout time.Duration
	// Escalation lists event counts at which an incident's level rises
	// one level (capped at critical); an escalation is notified at the next
	// tick, past GroupInterval. Default {100, 1000}.
	Escalation []uint64
	// Inhibit rules. Nil means the default: a critical incident mutes
	// lower incidents of the same client. A non-nil empty slice disables.
	Inhibit []InhibitRule
	// MaxIncidents bounds the incidents held in memory; events of new
	// groups past it are dropped and counted. Default 10000.
	MaxIncidents int

	// Secret keys the HMAC-SHA256 that pseudonymises client keys. Default:
	// 32 random bytes per process (pseudonyms then differ across replicas;
	// set it when several replicas share a Claimer).
	Secret []byte
	// RawClients puts raw client keys in alerts instead of pseudonyms.
	RawClients bool

	// Claimer, when set, makes replicas claim each notification so exactly
	// one of them sends it (alerting/redisclaim). Requires Secret or
	// RawClients so fingerprints agree across replicas. A claim holds for
	// twice RepeatInterval.
	Claimer Claimer
	// ClaimTimeout bounds one claim round trip; on error or timeout the
	// replica sends anyway (at-least-once) and counts it. Default 500ms.
	ClaimTimeout time.Duration

	// QueueSize bounds the events waiting for the correlator. Default 8192.
	QueueSize int
	// TickInterval is how often the correlator flushes due notifications.
	// Default 1s. Negative: never on its own (the package tests drive it).
	TickInterval time.Duration
	// RetryInitial, RetryMax and RetryMaxElapsed are the backoff of failed
	// deliveries: RetryInitial (default 500ms), doubled up to RetryMax
	// (default 30s), each wait with full jitter in [d/2, d], until
	// RetryMaxElapsed (default 5m; negative: one attempt only) has passed.
	RetryInitial    time.Duration
	RetryMax        time.Duration
	RetryMaxElapsed time.Duration
	// BreakerFailures failed deliveries in a row open a sink's circuit
	// breaker (default 5); it stays open BreakerTimeout (default 30s)
	// before a trial delivery.
	BreakerFailures uint32
	BreakerTimeout  time.Duration
	// DeadLetter, if set, receives every alert a sink could not take or
	// deliver (queue full, retries exhausted, permanent error, close), with
	// the sink's name and the error. It runs on the sink's goroutine and
	// must not block.
	DeadLetter func(sink string, a Alert, err error)
	// MeterProvider for the counters. Default: otel.GetMeterProvider().
	MeterProvider metric.MeterProvider

	// now tells the time (default time.Now); the package's tests drive
	// windows, silences and throttles with a fake clock here.
	now func() time.Time
}

// SinkConfig names a sink and bounds it.
type SinkConfig struct {
	Name string
	Sink Sink
	// Timeout of one Send. Default 5s.
	Timeout time.Duration
	// QueueSize bounds the alerts waiting for this sink. Default 256.
	QueueSize int
	// Throttle bounds notifications to this sink; excess is dropped and
	// counted. Zero: unlimited.
	Throttle Throttle
}

// Route sends the alerts it matches to some sinks.
type Subscription struct {
	Name string
	// Match requires these labels to be equal (LabelLevel compares the
	// level name). Empty matches everything.
	Match map[string]string
	// MinLevel requires at least this level.
	MinLevel threat.Level
	// Sinks receive the matched alerts.
	Sinks []string
	// Continue keeps trying later routes after this one matched.
	Continue bool
	// Throttle bounds the notifications through this route; excess is
	// dropped and counted. Zero: unlimited.
	Throttle Throttle
}

// Throttle allows Limit notifications per Per (a token bucket of that
// size refilled continuously). The zero value is unlimited.
type Throttle struct {
	Limit int
	Per   time.Duration
}

// InhibitRule mutes target incidents while a source incident is active:
// an incident of level ≥ SourceMin mutes those of level < SourceMin
// that share the Equal labels.
type InhibitRule struct {
	SourceMin threat.Level
	Equal     []string
}

// Silence mutes incidents whose labels match until it expires.
type Silence struct {
	ID      string
	Match   map[string]string // labels that must be equal; LabelLevel compares the name
	Until   time.Time
	Comment string
}

func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.GroupWait, 10*time.Second)
	def(&c.GroupInterval, time.Minute)
	def(&c.RepeatInterval, time.Hour)
	def(&c.ResolveTimeout, 5*time.Minute)
	def(&c.ClaimTimeout, 500*time.Millisecond)
	def(&c.TickInterval, time.Second)
	def(&c.RetryInitial, 500*time.Millisecond)
	def(&c.RetryMax, 30*time.Second)
	def(&c.RetryMaxElapsed, 5*time.Minute)
	def(&c.BreakerTimeout, 30*time.Second)
	if c.BreakerFailures == 0 {
		c.BreakerFailures = 5
	}
	for _, w := range []struct {
		name string
		d    time.Duration
	}{
		{"GroupWait", c.GroupWait}, {"GroupInterval", c.GroupInterval}, {"RepeatInterval", c.RepeatInterval},
		{"ResolveTimeout", c.ResolveTimeout}, {"ClaimTimeout", c.ClaimTimeout},
		{"RetryInitial", c.RetryInitial}, {"RetryMax", c.RetryMax}, {"BreakerTimeout", c.BreakerTimeout},
	} {
		if w.d < 0 {
			return c, fmt.Errorf("%w: %s is negative (%v)", ErrConfig, w.name, w.d)
		}
	}
	if len(c.GroupBy) == 0 {
		c.GroupBy = []string{LabelClient}
	}
	for _, l := range c.GroupBy {
		switch l {
		case LabelClient, LabelRoute, LabelMethod, LabelKind:
		default:
			return c, fmt.Errorf("%w: GroupBy: cannot group by %q", ErrConfig, l)
		}
	}
	if c.Escalation == nil {
		c.Escalation = []uint64{100, 1000}
	}
	if !slices.IsSorted(c.Escalation) {
		return c, fmt.Errorf("%w: Escalation must be increasing (%v)", ErrConfig, c.Escalation)
	}
	if c.Inhibit == nil {
		c.Inhibit = []InhibitRule{{SourceMin: threat.LevelCritical, Equal: []string{LabelClient}}}
	}
	if c.MaxIncidents == 0 {
		c.MaxIncidents = 10000
	}
	if c.QueueSize == 0 {
		c.QueueSize = 8192
	}
	if c.QueueSize < 0 {
		return c, fmt.Errorf("%w: QueueSize is negative (%d)", ErrConfig, c.QueueSize)
	}
	if c.MaxIncidents < 0 {
		return c, fmt.Errorf("%w: MaxIncidents is negative (%d)", ErrConfig, c.MaxIncidents)
	}
	if len(c.Secret) == 0 && !c.RawClients {
		if c.Claimer != nil {
			return c, fmt.Errorf("%w: a Claimer needs a shared Secret (or RawClients) so replicas agree on fingerprints", ErrConfig)
		}
		c.Secret = make([]byte, 32)
		_, _ = rand.Read(c.Secret) // never fails on supported platforms
	}
	if c.now == nil {
		c.now = time.Now
	}
	if len(c.Sinks) == 0 {
		c.Sinks = []SinkConfig{{Name: "log", Sink: logSink{}}}
	}
	names := map[string]bool{}
	for i := range c.Sinks {
		s := &c.Sinks[i]
		if s.Name == "" || s.Sink == nil {
			return c, fmt.Errorf("%w: Sinks[%d] needs a Name and a Sink", ErrConfig, i)
		}
		if names[s.Name] {
			return c, fmt.Errorf("%w: Sinks: duplicate name %q", ErrConfig, s.Name)
		}
		names[s.Name] = true
		if s.Timeout < 0 {
			return c, fmt.Errorf("%w: sink %q: Timeout is negative (%v)", ErrConfig, s.Name, s.Timeout)
		}
		if s.Throttle.Limit < 0 || s.Throttle.Per < 0 {
			return c, fmt.Errorf("%w: sink %q: Throttle is negative", ErrConfig, s.Name)
		}
		def(&s.Timeout, 5*time.Second)
		if s.QueueSize <= 0 {
			s.QueueSize = 256
		}
	}
	if c.DefaultSinks == nil {
		for _, s := range c.Sinks {
			c.DefaultSinks = append(c.DefaultSinks, s.Name)
		}
	}
	check := func(where string, sinks []string) error {
		for _, n := range sinks {
			if !names[n] {
				return fmt.Errorf("%w: %s names unknown sink %q", ErrConfig, where, n)
			}
		}
		return nil
	}
	if err := check("DefaultSinks", c.DefaultSinks); err != nil {
		return c, err
	}
	for i, r := range c.Subscriptions {
		if r.Throttle.Limit < 0 || r.Throttle.Per < 0 {
			return c, fmt.Errorf("%w: route %d (%s): Throttle is negative", ErrConfig, i, r.Name)
		}
		if err := check(fmt.Sprintf("route %d (%s)", i, r.Name), r.Sinks); err != nil {
			return c, err
		}
	}
	return c, nil
}
