package sqlhistory

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
)

var refusedOutcomes = "'" + strings.Join([]string{event.OutcomeBlocked, event.OutcomeLimited, event.OutcomeThrottled,
	event.OutcomeBanned, event.OutcomeUninspected, event.OutcomeShadowRefused}, "','") + "'"

// Series returns counts in buckets of q.Step split by q.By.
func (s *Store) Series(ctx context.Context, q history.SeriesQuery) ([]history.Point, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	switch q.By {
	case history.ByOutcome, history.ByFamily, history.ByRoute, history.ByLevel:
	default:
		return nil, fmt.Errorf("%w: by %q", history.ErrInvalid, q.By)
	}
	if q.Step < time.Minute || q.Step%time.Minute != 0 {
		return nil, fmt.Errorf("%w: step %v is not a whole number of minutes", history.ErrInvalid, q.Step)
	}
	if q.To.Sub(q.From)/q.Step > 10_000 {
		return nil, fmt.Errorf("%w: more than 10,000 buckets", history.ErrInvalid)
	}
	table, col := "minute_counts", "minute"
	if q.Step%time.Hour == 0 && q.From.Unix()%3600 == 0 {
		table, col = "hour_counts", "hour"
	}
	step := int64(q.Step / time.Second)
	from := q.From.Unix()
	where := ""
	args := []any{from, step, q.Tenant, from, q.To.Unix()}
	if q.Cohort != "" {
		if err := validCohort(q.Cohort); err != nil {
			return nil, err
		}
		table, col, where = "cohort_counts", "minute", " AND cohort = ?"
		args = append(args, q.Cohort)
	}
	if q.Threats {
		where += " AND level <> 'none'"
	}
	if q.Route != "" {
		where += " AND route = ?"
		args = append(args, q.Route)
	}
	// (col - from) / step buckets relative to From; integer division in both dialects
	query := fmt.Sprintf("SELECT (%[1]s - ?) / ? AS b, %[2]s, SUM(n) FROM %[3]s WHERE tenant = ? AND %[1]s >= ? AND %[1]s < ?%[4]s GROUP BY b, %[2]s ORDER BY b",
		col, q.By, table, where)
	rows, err := s.r.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Point
	for rows.Next() {
		var b, n int64
		var key string
		if err := rows.Scan(&b, &key, &n); err != nil {
			return nil, err
		}
		out = append(out, history.Point{Time: time.Unix(from+b*step, 0).UTC(), Key: key, Count: n})
	}
	return out, rows.Err()
}

// Cells returns q's hours split by every dimension, in one statement.
func (s *Store) Cells(ctx context.Context, q history.Range) ([]history.Cell, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.From.Unix()%3600 != 0 || q.To.Unix()%3600 != 0 {
		return nil, fmt.Errorf("%w: cells of %v to %v: want whole hours", history.ErrInvalid, q.From, q.To)
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT hour, route, outcome, family, level, n FROM hour_counts
 WHERE tenant = ? AND hour >= ? AND hour < ? ORDER BY hour`), q.Tenant, q.From.Unix(), q.To.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Cell
	for rows.Next() {
		var c history.Cell
		var hour int64
		if err := rows.Scan(&hour, &c.Route, &c.Outcome, &c.Family, &c.Level, &c.Count); err != nil {
			return nil, err
		}
		c.Hour = time.Unix(hour, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// countsTable picks the hourly table when r is whole hours.
func countsTable(r history.Range) (string, string) {
	if r.From.Unix()%3600 == 0 && r.To.Unix()%3600 == 0 {
		return "hour_counts", "hour"
	}
	return "minute_counts", "minute"
}

// TopRoutes returns the n routes with most threats, then requests.
func (s *Store) TopRoutes(ctx context.Context, r history.Range, n int) ([]history.TopRoute, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	n = clampN(n)
	table, col := countsTable(r)
	query := fmt.Sprintf(`SELECT route, SUM(n),
 SUM(CASE WHEN level <> 'none' THEN n ELSE 0 END) AS threats,
 SUM(CASE WHEN outcome IN (%s) THEN n ELSE 0 END)
 FROM %s WHERE tenant = ? AND %s >= ? AND %s < ? GROUP BY route ORDER BY threats DESC, 2 DESC, route LIMIT ?`, refusedOutcomes, table, col, col)
	rows, err := s.r.QueryContext(ctx, s.q(query), r.Tenant, r.From.Unix(), r.To.Unix(), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.TopRoute
	for rows.Next() {
		var t history.TopRoute
		if err := rows.Scan(&t.Route, &t.Requests, &t.Threats, &t.Refused); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func clampN(n int) int {
	if n <= 0 {
		return 10
	}
	return min(n, history.MaxPage)
}

// TopClients returns the n pseudonyms with most offences.
func (s *Store) TopClients(ctx context.Context, r history.Range, n int) ([]history.TopClient, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	n = clampN(n)
	var query string
	var args []any
	if r.From.Unix()%86400 == 0 && r.To.Unix()%86400 == 0 {
		query = `SELECT pseudonym, SUM(offences) AS o, SUM(refused), MAX(max_score), MAX(last_seen), MAX(family)
 FROM client_days WHERE tenant = ? AND day >= ? AND day < ? GROUP BY pseudonym ORDER BY o DESC, pseudonym LIMIT ?`
		args = []any{r.Tenant, dayOf(r.From), dayOf(r.To), n}
	} else {
		query = `SELECT pseudonym, SUM(offences) AS o, SUM(refused), MAX(max_score), MAX(last_seen), MAX(family)
 FROM client_hours WHERE tenant = ? AND hour >= ? AND hour < ? GROUP BY pseudonym ORDER BY o DESC, pseudonym LIMIT ?`
		args = []any{r.Tenant, r.From.Unix() / 3600 * 3600, r.To.Unix(), n}
	}
	rows, err := s.r.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.TopClient
	for rows.Next() {
		var t history.TopClient
		var last int64
		if err := rows.Scan(&t.Pseudonym, &t.Offences, &t.Refused, &t.MaxScore, &last, &t.Family); err != nil {
			return nil, err
		}
		t.LastSeen = time.Unix(0, last).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// cursor encodes the position after the last row of a page.
func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

func decodeCursor(c string, n int) ([]string, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 512 {
		return nil, fmt.Errorf("%w: bad cursor", history.ErrInvalid)
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, fmt.Errorf("%w: bad cursor", history.ErrInvalid)
	}
	return parts, nil
}

func pageLimit(p history.Page) (int, error) {
	if p.Limit < 0 || p.Limit > history.MaxPage {
		return 0, fmt.Errorf("%w: limit %d not in [0,%d]", history.ErrInvalid, p.Limit, history.MaxPage)
	}
	if p.Limit == 0 {
		return 100, nil
	}
	return p.Limit, nil
}

const selectEvent = "SELECT e.id, e.tenant, e.data, COALESCE(l.label, '') FROM "

// scanEvent reads a row of selectEvent.
func scanEvent(rows interface{ Scan(...any) error }) (*history.Event, error) {
	var tenant, label string
	var id, data []byte
	if err := rows.Scan(&id, &tenant, &data, &label); err != nil {
		return nil, err
	}
	return decodeRow(id, tenant, data, label)
}

// decodeRow decodes an events table's data column (or its copy in labels).
func decodeRow(id []byte, tenant string, data []byte, label string) (*history.Event, error) {
	e := history.Event{Tenant: tenant, Label: label}
	var str [3]string
	for i := range str {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) {
			return nil, fmt.Errorf("sqlhistory: corrupt event row %x", id)
		}
		str[i], data = string(data[k:k+int(n)]), data[k+int(n):]
	}
	e.Region, e.Instance, e.KeyID = str[0], str[1], str[2]
	var ev event.Event
	if _, err := event.DecodeEvent(data, &ev); err != nil {
		return nil, fmt.Errorf("sqlhistory: event row %x: %w", id, err)
	}
	e.ID, e.Time, e.Pseudonym, e.Route, e.Method, e.Outcome = ev.ID, ev.Time, ev.Pseudonym, ev.Route, ev.Method, ev.Outcome
	e.Score, e.Level, e.Family, e.Limiter, e.Features = ev.Score, ev.Level, ev.Family, ev.Limiter, ev.Features
	e.Model, e.Blocked, e.Shadow, e.ShadowScore, e.ShadowRefused = ev.Model, ev.Blocked, ev.Shadow, ev.ShadowScore, ev.ShadowRefused
	e.Param = ev.Param
	for _, r := range ev.Reasons {
		if r != "" {
			e.Reasons = append(e.Reasons, r)
		}
	}
	return &e, nil
}

// Timeline returns pseudonym's events in r, newest first.
func (s *Store) Timeline(ctx context.Context, tenant, pseudonym string, r history.Range, p history.Page) ([]history.Event, string, error) {
	r.Tenant = tenant
	if err := r.Validate(); err != nil {
		return nil, "", err
	}
	limit, err := pageLimit(p)
	if err != nil {
		return nil, "", err
	}
	to := r.To.UnixNano()
	var afterID []byte
	if parts, err := decodeCursor(p.Cursor, 2); err != nil {
		return nil, "", err
	} else if parts != nil {
		ts, err1 := strconv.ParseInt(parts[0], 10, 64)
		id, err2 := event.ParseID(parts[1])
		if err1 != nil || err2 != nil {
			return nil, "", fmt.Errorf("%w: bad cursor", history.ErrInvalid)
		}
		to, afterID = ts, id[:]
	}
	var out []history.Event
	for _, d := range s.daysIn(r.From, time.Unix(0, to+1)) {
		if len(out) >= limit {
			break
		}
		table := dayTable(d)
		query := selectEvent + table + " e LEFT JOIN labels l ON l.tenant = e.tenant AND l.event_id = e.id" +
			" WHERE e.tenant = ? AND e.pseudonym = ? AND e.ts >= ? AND (e.ts < ? OR (e.ts = ? AND e.id < ?))" +
			" ORDER BY e.ts DESC, e.id DESC LIMIT ?"
		idArg := afterID
		if idArg == nil {
			idArg = []byte{} // nothing is smaller: the ts = to row is excluded
		}
		rows, err := s.r.QueryContext(ctx, s.q(query), tenant, pseudonym, r.From.UnixNano(), to, to, idArg, limit-len(out))
		if err != nil {
			if isMissingTable(err) {
				continue // dropped by retention meanwhile
			}
			return nil, "", err
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return nil, "", err
			}
			out = append(out, *e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, "", err
		}
	}
	next := ""
	if len(out) == limit {
		last := out[len(out)-1]
		next = encodeCursor(strconv.FormatInt(last.Time.UnixNano(), 10), last.ID.String())
	}
	return out, next, nil
}

func isMissingTable(err error) bool {
	m := err.Error()
	return strings.Contains(m, "no such table") || strings.Contains(m, "does not exist")
}

// Event returns one event by id.
func (s *Store) Event(ctx context.Context, tenant string, id event.ID) (*history.Event, error) {
	d := dayOf(id.Time())
	if len(s.daysIn(time.Unix(d*86400, 0), time.Unix((d+1)*86400, 0))) == 0 {
		return nil, history.ErrNotFound
	}
	query := selectEvent + dayTable(d) + " e LEFT JOIN labels l ON l.tenant = e.tenant AND l.event_id = e.id WHERE e.tenant = ? AND e.id = ?"
	e, err := scanEvent(s.r.QueryRowContext(ctx, s.q(query), tenant, id[:]))
	if err != nil {
		if isMissingTable(err) {
			return nil, history.ErrNotFound
		}
		return nil, notFound(err)
	}
	return e, nil
}

// Incidents lists clients' offending hours in r, the latest activity first.
func (s *Store) Incidents(ctx context.Context, r history.Range, p history.Page) ([]history.Incident, string, error) {
	if err := r.Validate(); err != nil {
		return nil, "", err
	}
	limit, err := pageLimit(p)
	if err != nil {
		return nil, "", err
	}
	last := r.To.UnixNano()
	afterPs := "\U0010FFFF"
	if parts, err := decodeCursor(p.Cursor, 2); err != nil {
		return nil, "", err
	} else if parts != nil {
		if last, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return nil, "", fmt.Errorf("%w: bad cursor", history.ErrInvalid)
		}
		afterPs = parts[1]
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT pseudonym, hour, offences, refused, max_score, family, route, first_seen, last_seen
 FROM client_hours WHERE tenant = ? AND last_seen >= ? AND (last_seen < ? OR (last_seen = ? AND pseudonym < ?))
 ORDER BY last_seen DESC, pseudonym DESC LIMIT ?`), r.Tenant, r.From.UnixNano(), last, last, afterPs, limit)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []history.Incident
	for rows.Next() {
		var in history.Incident
		var hour, first, lastSeen int64
		if err := rows.Scan(&in.Pseudonym, &hour, &in.Offences, &in.Refused, &in.MaxScore, &in.Family, &in.Route, &first, &lastSeen); err != nil {
			return nil, "", err
		}
		in.Hour, in.First, in.Last = time.Unix(hour, 0).UTC(), time.Unix(0, first).UTC(), time.Unix(0, lastSeen).UTC()
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) == limit {
		l := out[len(out)-1]
		next = encodeCursor(strconv.FormatInt(l.Last.UnixNano(), 10), l.Pseudonym)
	}
	return out, next, nil
}

// Instances lists the instances that reported, the latest first.
func (s *Store) Instances(ctx context.Context, tenant string) ([]history.Instance, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT tenant, name, region, version, boot, last_seen, recorded, sampled, published, dropped, queued, breaker
 FROM instances WHERE tenant = ? ORDER BY last_seen DESC, name LIMIT 1000`), tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Instance
	for rows.Next() {
		var in history.Instance
		var last, rec, smp, pub, drop, q int64
		if err := rows.Scan(&in.Tenant, &in.Name, &in.Region, &in.Version, &in.Boot, &last, &rec, &smp, &pub, &drop, &q, &in.Breaker); err != nil {
			return nil, err
		}
		in.LastSeen = time.Unix(0, last).UTC()
		in.Recorded, in.Sampled, in.Published, in.Dropped, in.Queued = uint64(rec), uint64(smp), uint64(pub), uint64(drop), uint64(q)
		out = append(out, in)
	}
	return out, rows.Err()
}

// Labelled calls fn with every labelled event of tenant, oldest first, as
// it was when labelled. A label keeps a copy of its event's row, so the
// event outlives its day's retention; a label older than that copy (made
// before migration 4) reads the day's table, and is skipped once the day
// is dropped.
func (s *Store) Labelled(ctx context.Context, tenant string, fn func(*history.Event) error) error {
	rows, err := s.r.QueryContext(ctx, s.q("SELECT event_id, data, label FROM labels WHERE tenant = ? ORDER BY event_id"), tenant)
	if err != nil {
		return err
	}
	type row struct {
		id, data []byte
		label    string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.data, &r.label); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		var e *history.Event
		if r.data != nil {
			if e, err = decodeRow(r.id, tenant, r.data, r.label); err != nil {
				return err
			}
		} else {
			if len(r.id) != len(event.ID{}) {
				return fmt.Errorf("sqlhistory: label of a bad event id %x", r.id)
			}
			if e, err = s.Event(ctx, tenant, event.ID(r.id)); errors.Is(err, history.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			e.Label = r.label
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// ModelCounts sums model_hours over the hours that start in r.
func (s *Store) ModelCounts(ctx context.Context, r history.Range) ([]history.ModelCount, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT model, shadow, SUM(events), SUM(blocked), SUM(shadow_refused), SUM(shadow_only), SUM(model_only)
 FROM model_hours WHERE tenant = ? AND hour >= ? AND hour < ? GROUP BY model, shadow ORDER BY model, shadow`),
		r.Tenant, r.From.Unix()/3600*3600, r.To.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.ModelCount
	for rows.Next() {
		var c history.ModelCount
		if err := rows.Scan(&c.Model, &c.Shadow, &c.Events, &c.Blocked, &c.ShadowRefused, &c.ShadowOnly, &c.ModelOnly); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ScanDay calls fn with every event of the day holding t, in id order.
func (s *Store) ScanDay(ctx context.Context, t time.Time, fn func(*history.Event) error) error {
	d := dayOf(t)
	rows, err := s.r.QueryContext(ctx, selectEvent+dayTable(d)+" e LEFT JOIN labels l ON l.tenant = e.tenant AND l.event_id = e.id ORDER BY e.id")
	if err != nil {
		if isMissingTable(err) {
			return history.ErrNotFound
		}
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

var _ = sql.ErrNoRows
