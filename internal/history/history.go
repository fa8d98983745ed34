// Package history is the control plane's warm tier: the events and
// per-minute counts the SDK instances send, the operators' decisions and
// labels, and the hash-chained audit log, queried by the API and the
// dashboard. Store is the interface; internal/history/sqlhistory implements
// it on SQLite (the embedded default) and PostgreSQL, and
// internal/history/historytest is the conformance suite both pass.
//
// Events are kept in one table a day (a partition in PostgreSQL), so that
// retention drops whole days; inserts are idempotent by event id, so a
// replay after a crash counts nothing twice. Every row carries a tenant.
// Every mutating call writes its audit row in the same transaction as the
// change.
package history

import (
	"context"
	"errors"
	"math/big"
	"time"

	"github.com/bulwarkhq/bulwark/internal/event"
)

// Store is what the control plane needs of its warm store.
type Store interface {
	// Ingest writes batches and reports in one transaction: events
	// idempotently by id, reports once by their id (their counts added to
	// the per-minute and per-hour aggregates, their health to the
	// instance's row).
	Ingest(ctx context.Context, batches []*event.Batch, reports []*event.Report) (IngestResult, error)

	Series(ctx context.Context, q SeriesQuery) ([]Point, error)
	// Cells returns q's whole hours split by every dimension at once,
	// read in one statement: one consistent snapshot of the hourly
	// aggregates, where several Series calls may each see a different
	// set of reports. q.From and q.To must be whole hours.
	Cells(ctx context.Context, q Range) ([]Cell, error)
	TopRoutes(ctx context.Context, q Range, n int) ([]TopRoute, error)
	TopClients(ctx context.Context, q Range, n int) ([]TopClient, error)
	// Timeline returns a client's events, newest first, a page at a time.
	Timeline(ctx context.Context, tenant, pseudonym string, q Range, p Page) ([]Event, string, error)
	Incidents(ctx context.Context, q Range, p Page) ([]Incident, string, error)
	Event(ctx context.Context, tenant string, id event.ID) (*Event, error)
	Instances(ctx context.Context, tenant string) ([]Instance, error)

	// Label sets an operator's label on an event (audited).
	Label(ctx context.Context, tenant string, id event.ID, label string, a Audit) error
	// Labelled calls fn with every labelled event of tenant (Event.Label
	// set), oldest first, as it was stored when labelled: its reasons and
	// features stay for training after retention drops its day, until
	// the client is erased.
	Labelled(ctx context.Context, tenant string, fn func(*Event) error) error
	// ModelCounts returns what each combiner model (with the shadow scored
	// beside it) did in q, from the stored events: benign events are
	// sampled by the exporter, as in the events tables.
	ModelCounts(ctx context.Context, q Range) ([]ModelCount, error)
	// Erase deletes one client's history from the warm tier (audited) and
	// returns the events removed.
	Erase(ctx context.Context, tenant, pseudonym string, a Audit) (int64, error)

	// PutDecision records a decision value (audited) as not yet
	// published; the caller publishes it to the bucket and marks it.
	PutDecision(ctx context.Context, d Decision, a Audit) error
	// PutDecisions records several decision values, unpublished, with one
	// audit row for them all, in one transaction: one operator action
	// that writes several keys (an allow-list remove across regions).
	PutDecisions(ctx context.Context, ds []Decision, a Audit) error
	MarkPublished(ctx context.Context, tenant, key string, wall int64, logical uint32) error
	Decisions(ctx context.Context, tenant string, unpublishedOnly bool) ([]Decision, error)

	// ClientOffences returns each client's offences in q by the family of
	// its hours (the per-client contributions a private aggregate clamps).
	ClientOffences(ctx context.Context, q Range) ([]ClientOffences, error)
	// ChargePrivacy adds eps to tenant's spent privacy budget if the total
	// stays within budget, and audits the spend (or the refusal) as a, in
	// one transaction; it reports whether it charged.
	ChargePrivacy(ctx context.Context, tenant string, eps, budget *big.Rat, a Audit) (bool, error)
	// Record appends an audit row for an action that changes no other
	// table (an export).
	Record(ctx context.Context, a Audit) error
	// PrivacySpent returns tenant's spent privacy budget.
	PrivacySpent(ctx context.Context, tenant string) (*big.Rat, error)

	// AuditLog lists audit rows, oldest first, after seq.
	AuditLog(ctx context.Context, tenant string, after int64, limit int) ([]AuditRow, error)
	// VerifyAudit recomputes the hash chain; a changed or deleted row is
	// an error wrapping ErrTampered.
	VerifyAudit(ctx context.Context) (AuditHead, error)

	// Days lists the days that have an events table, oldest first.
	Days(ctx context.Context) ([]time.Time, error)
	// DropDay drops a day's events (retention).
	DropDay(ctx context.Context, day time.Time) error
	// ScanDay calls fn with every event of day, for the cold tier.
	ScanDay(ctx context.Context, day time.Time, fn func(*Event) error) error
	// Prune forgets report ids older than before (their dedupe window).
	Prune(ctx context.Context, before time.Time) error
	// PruneMinutes drops the per-minute aggregates (every tenant's counts
	// and cohort counts) of the minutes before before; the hourly ones
	// stay, for the forecasts and the long ranges.
	PruneMinutes(ctx context.Context, before time.Time) error

	Ping(ctx context.Context) error
	Close() error
}

// Errors.
var (
	ErrNotFound = errors.New("history: not found")
	ErrTampered = errors.New("history: audit log tampered")
	ErrInvalid  = errors.New("history: invalid query")
)

// IngestResult says what an Ingest wrote.
type IngestResult struct {
	Inserted   int // events new to the store
	Duplicates int // events already stored (replays)
	Reports    int // reports applied
}

// Range is a tenant's time window [From, To).
type Range struct {
	Tenant   string
	From, To time.Time
}

// Validate checks r.
func (r Range) Validate() error {
	if r.Tenant == "" || r.From.IsZero() || !r.To.After(r.From) {
		return errors.Join(ErrInvalid, errors.New("want a tenant and From before To"))
	}
	if r.To.Sub(r.From) > 400*24*time.Hour {
		return errors.Join(ErrInvalid, errors.New("range over 400 days"))
	}
	return nil
}

// Dimensions a series is split by.
const (
	ByOutcome = "outcome"
	ByFamily  = "family"
	ByRoute   = "route"
	ByLevel   = "level"
)

// SeriesQuery asks for request counts in Step buckets split by By.
type SeriesQuery struct {
	Range
	Step    time.Duration // at least a minute; multiples of an hour read the hourly table
	By      string        // ByOutcome, ByFamily, ByRoute or ByLevel
	Threats bool          // only requests above threat level none
	Route   string        // only this route ("" for every route)
	// Cohort, when set (CohortNew or CohortReturning), counts only the
	// offences (scored or refused requests) of that cohort's clients, read
	// from the stored events rather than the per-minute aggregates: exact
	// unless the exporter dropped events.
	Cohort string
}

// Client cohorts. A client's offence falls in CohortReturning when the
// same client (pseudonym) offended in an earlier clock hour of the
// CohortLookback before the offence's hour, and in CohortNew otherwise: a
// first-time (or long-quiet) offender, such as a fresh address of a
// rotating botnet, is new in its first hour and returning afterwards.
const (
	CohortNew       = "new"
	CohortReturning = "returning"
	CohortLookback  = 7 * 24 * time.Hour
)

// Cohorts lists the cohorts, in display order.
var Cohorts = []string{CohortNew, CohortReturning}

// Point is one bucket of one series.
type Point struct {
	Time  time.Time
	Key   string // the value of the dimension
	Count int64
}

// Cell is one hour's count of one combination of the dimensions.
type Cell struct {
	Hour                          time.Time
	Route, Outcome, Family, Level string
	Count                         int64
}

// TopRoute is a route's traffic in a range.
type TopRoute struct {
	Route    string
	Requests int64
	Threats  int64 // above threat level none
	Refused  int64
}

// TopClient is an offending client's activity in a range.
type TopClient struct {
	Pseudonym string
	Offences  int64 // scored or refused requests
	Refused   int64
	MaxScore  float64
	LastSeen  time.Time
	Family    string // family of its highest-scoring request
}

// ClientOffences is one client's offences of one family in a range.
type ClientOffences struct {
	Pseudonym string
	Family    string
	Offences  int64
}

// Page asks for Limit rows after Cursor ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// MaxPage bounds Page.Limit.
const MaxPage = 1000

// Event is a stored event.
type Event struct {
	ID        event.ID
	Tenant    string
	Time      time.Time
	Pseudonym string
	KeyID     string
	Route     string
	Method    string
	Outcome   string
	Score     float64
	Level     string
	Reasons   []string
	Family    string
	Limiter   string
	Region    string
	Instance  string
	Features  []float32
	Label     string // operator's label, if any
	Param     string // the parameter of the top reason (see event.Event)
	// Model is the version of the combiner model that scored the event
	// ("" when it was not scored or arrived in event format 1), Blocked
	// says its score refused it; Shadow, ShadowScore and ShadowRefused
	// are the shadow model's, when one was loaded (see event.Event).
	Model         string
	Blocked       bool
	Shadow        string
	ShadowScore   float64
	ShadowRefused bool
}

// ModelCount is what the events one combiner model scored did, with one
// shadow model beside it ("" for none).
type ModelCount struct {
	Model         string
	Shadow        string
	Events        int64 // events the model scored (benign ones sampled)
	Blocked       int64 // refused by the model's score
	ShadowRefused int64 // the shadow would have refused
	ShadowOnly    int64 // the shadow would have refused, the model did not
	ModelOnly     int64 // the model refused, the shadow would not have
}

// Incident is one client's offending activity within one clock hour.
type Incident struct {
	Pseudonym string
	Hour      time.Time
	Offences  int64
	Refused   int64
	MaxScore  float64
	Family    string
	Route     string
	First     time.Time
	Last      time.Time
}

// Instance is the health an SDK instance last reported.
type Instance struct {
	Tenant    string
	Name      string
	Region    string
	Version   string
	Boot      string
	LastSeen  time.Time
	Recorded  uint64
	Sampled   uint64
	Published uint64
	Dropped   uint64
	Queued    uint64
	Breaker   string
}

// Decision is a decision value as the store keeps it: the bucket key, the
// encoded value, and whether it has reached the bucket.
type Decision struct {
	Tenant    string
	Key       string
	Value     []byte // decision.Value, JSON
	Action    string
	Target    string // type:value
	Expires   time.Time
	Tombstone bool
	Wall      int64
	Logical   uint32
	Origin    string
	Published bool
	Updated   time.Time
}

// Audit is who did what, written with the change.
type Audit struct {
	Tenant string
	Actor  string // token subject
	Action string // "decision.put", "event.label", "client.erase", ...
	Target string
	Detail string // JSON
	Time   time.Time
}

// AuditRow is a stored audit entry.
type AuditRow struct {
	Seq int64
	Audit
	Prev []byte
	Hash []byte
}

// AuditHead is the end of a verified chain.
type AuditHead struct {
	Seq  int64
	Hash []byte
}
