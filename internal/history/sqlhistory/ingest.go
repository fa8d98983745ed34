package sqlhistory

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// An event row keeps what queries select on in columns, and the rest in
// data: the batch's region, instance and key id, then the event's wire
// form (internal/event), so that an insert binds five values, not sixteen.
const eventCols = "id, tenant, ts, pseudonym, data"

// rowsPerInsert bounds one statement.
const rowsPerInsert = 5000

type row struct {
	b *event.Batch
	e *event.Event
}

type clientKey struct {
	tenant, pseudonym string
	bucket            int64
}

type clientAgg struct {
	offences, refused int64
	maxScore          float64
	family, route     string
	first, last       int64
}

// Ingest writes batches and reports in one transaction.
func (s *Store) Ingest(ctx context.Context, batches []*event.Batch, reports []*event.Report) (history.IngestResult, error) {
	var res history.IngestResult
	byDay := map[int64][]row{}
	total := 0
	for _, b := range batches {
		for i := range b.Events {
			e := &b.Events[i]
			d := dayOf(e.Time)
			byDay[d] = append(byDay[d], row{b, e})
			total++
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback() }()
	created := map[int64]bool{}
	hours := map[clientKey]*clientAgg{}
	days := map[clientKey]*clientAgg{}
	models := map[modelKey]*modelAgg{}
	var offences []row
	for d, rows := range byDay {
		if err := s.ensureDay(ctx, tx, d); err != nil {
			return res, err
		}
		created[d] = true
		for start := 0; start < len(rows); start += rowsPerInsert {
			chunk := rows[start:min(start+rowsPerInsert, len(rows))]
			inserted, err := s.insertChunk(ctx, tx, dayTable(d), chunk)
			if err != nil {
				return res, err
			}
			res.Inserted += len(inserted)
			for _, r := range inserted {
				addModel(models, r)
				if r.e.Scored() || r.e.Refused() {
					addClient(hours, r, r.e.Time.Unix()/3600*3600)
					addClient(days, r, dayOf(r.e.Time))
					offences = append(offences, r)
				}
			}
		}
	}
	res.Duplicates = total - res.Inserted
	// before upsertClients: the cohorts look at the hours stored before
	if err := s.addCohorts(ctx, tx, offences); err != nil {
		return res, err
	}
	if err := s.upsertClients(ctx, tx, hours, days); err != nil {
		return res, err
	}
	if err := s.upsertModels(ctx, tx, models); err != nil {
		return res, err
	}
	reports = slices.Clone(reports)
	slices.SortFunc(reports, func(a, b *event.Report) int { return cmp.Compare(a.ID(), b.ID()) })
	for _, r := range reports {
		ok, err := s.applyReport(ctx, tx, r)
		if err != nil {
			return res, err
		}
		if ok {
			res.Reports++
		}
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	s.committedDays(created)
	return res, nil
}

func addClient(m map[clientKey]*clientAgg, r row, bucket int64) {
	k := clientKey{r.b.Tenant, r.e.Pseudonym, bucket}
	a := m[k]
	ts := r.e.Time.UnixNano()
	if a == nil {
		a = &clientAgg{maxScore: -1, first: ts, last: ts}
		m[k] = a
	}
	a.offences++
	if r.e.Refused() {
		a.refused++
	}
	if r.e.Score > a.maxScore {
		a.maxScore, a.family, a.route = r.e.Score, r.e.Family, r.e.Route
	}
	a.first, a.last = min(a.first, ts), max(a.last, ts)
}

type modelKey struct {
	tenant        string
	hour          int64
	model, shadow string
}

type modelAgg struct{ events, blocked, shadowRefused, shadowOnly, modelOnly int64 }

// addModel counts r in its model's hour (events of format 1, or not
// scored, name no model and are not counted).
func addModel(m map[modelKey]*modelAgg, r row) {
	e := r.e
	if e.Model == "" {
		return
	}
	k := modelKey{r.b.Tenant, e.Time.Unix() / 3600 * 3600, e.Model, e.Shadow}
	a := m[k]
	if a == nil {
		a = &modelAgg{}
		m[k] = a
	}
	a.events++
	b := func(ok bool) int64 {
		if ok {
			return 1
		}
		return 0
	}
	a.blocked += b(e.Blocked)
	a.shadowRefused += b(e.ShadowRefused)
	a.shadowOnly += b(e.ShadowRefused && !e.Blocked)
	a.modelOnly += b(e.Shadow != "" && e.Blocked && !e.ShadowRefused)
}

func (s *Store) upsertModels(ctx context.Context, tx execQuerier, m map[modelKey]*modelAgg) error {
	if len(m) == 0 {
		return nil
	}
	ks := make([]modelKey, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	// one order in every transaction: concurrent ones never deadlock
	slices.SortFunc(ks, func(a, b modelKey) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.hour, b.hour), cmp.Compare(a.model, b.model), cmp.Compare(a.shadow, b.shadow))
	})
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO model_hours (tenant, hour, model, shadow, events, blocked, shadow_refused, shadow_only, model_only)
VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant, hour, model, shadow) DO UPDATE SET
 events = model_hours.events + excluded.events, blocked = model_hours.blocked + excluded.blocked,
 shadow_refused = model_hours.shadow_refused + excluded.shadow_refused,
 shadow_only = model_hours.shadow_only + excluded.shadow_only, model_only = model_hours.model_only + excluded.model_only`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range ks {
		a := m[k]
		if _, err := st.ExecContext(ctx, k.tenant, k.hour, k.model, k.shadow, a.events, a.blocked, a.shadowRefused, a.shadowOnly, a.modelOnly); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertChunk(ctx context.Context, tx execQuerier, table string, rows []row) ([]row, error) {
	if s.d == sqlite {
		return s.insertEach(ctx, tx, table, rows)
	}
	return s.insertMulti(ctx, tx, table, rows)
}

// eventArgs are the column values of one event.
func eventArgs(r row) []any {
	return []any{r.e.ID[:], r.b.Tenant, r.e.Time.UnixNano(), r.e.Pseudonym, rowData(r.b, r.e)}
}

// rowData is the data column of an event row.
func rowData(b *event.Batch, e *event.Event) []byte {
	buf := make([]byte, 0, 96+len(b.Region)+len(b.Instance)+len(b.KeyID)+4*len(e.Features))
	for _, s := range []string{b.Region, b.Instance, b.KeyID} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return event.AppendEvent(buf, e)
}

// insertEach runs one prepared statement per row: in SQLite, preparing a
// statement of a thousand rows costs more than running a small one a
// thousand times.
func (s *Store) insertEach(ctx context.Context, tx execQuerier, table string, rows []row) ([]row, error) {
	st, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+eventCols+") VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := rows[:0:0]
	for _, r := range rows {
		res, err := st.ExecContext(ctx, eventArgs(r)...)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			out = append(out, r)
		}
	}
	return out, nil
}

// insertMulti inserts rows in one statement of five array parameters
// (PostgreSQL's unnest): one parse and a binary transfer however many rows.
func (s *Store) insertMulti(ctx context.Context, tx execQuerier, table string, rows []row) ([]row, error) {
	ids := make([][]byte, len(rows))
	tenants := make([]string, len(rows))
	ts := make([]int64, len(rows))
	pss := make([]string, len(rows))
	data := make([][]byte, len(rows))
	index := make(map[event.ID]int, len(rows))
	for i, r := range rows {
		ids[i], tenants[i], ts[i], pss[i], data[i] = r.e.ID[:], r.b.Tenant, r.e.Time.UnixNano(), r.e.Pseudonym, rowData(r.b, r.e)
		index[r.e.ID] = i
	}
	rs, err := tx.QueryContext(ctx, "INSERT INTO "+table+" ("+eventCols+") SELECT * FROM unnest($1::bytea[], $2::text[], $3::bigint[], $4::text[], $5::bytea[])"+
		" ON CONFLICT DO NOTHING RETURNING id", ids, tenants, ts, pss, data)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var id []byte
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		if i, ok := index[event.ID(id)]; ok && len(id) == 16 {
			out = append(out, rows[i])
		}
	}
	return out, rs.Err()
}

func (s *Store) upsertClients(ctx context.Context, tx execQuerier, hours, days map[clientKey]*clientAgg) error {
	if len(hours) > 0 {
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO client_hours (tenant, hour, pseudonym, offences, refused, max_score, family, route, first_seen, last_seen)
VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant, hour, pseudonym) DO UPDATE SET
 offences = client_hours.offences + excluded.offences, refused = client_hours.refused + excluded.refused,
 family = CASE WHEN excluded.max_score > client_hours.max_score THEN excluded.family ELSE client_hours.family END,
 route = CASE WHEN excluded.max_score > client_hours.max_score THEN excluded.route ELSE client_hours.route END,
 max_score = CASE WHEN excluded.max_score > client_hours.max_score THEN excluded.max_score ELSE client_hours.max_score END,
 first_seen = CASE WHEN excluded.first_seen < client_hours.first_seen THEN excluded.first_seen ELSE client_hours.first_seen END,
 last_seen = CASE WHEN excluded.last_seen > client_hours.last_seen THEN excluded.last_seen ELSE client_hours.last_seen END`))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, k := range sortedKeys(hours) {
			a := hours[k]
			if _, err := st.ExecContext(ctx, k.tenant, k.bucket, k.pseudonym, a.offences, a.refused, a.maxScore, a.family, a.route, a.first, a.last); err != nil {
				return err
			}
		}
	}
	if len(days) > 0 {
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO client_days (tenant, day, pseudonym, offences, refused, max_score, family, last_seen)
VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (tenant, day, pseudonym) DO UPDATE SET
 offences = client_days.offences + excluded.offences, refused = client_days.refused + excluded.refused,
 family = CASE WHEN excluded.max_score > client_days.max_score THEN excluded.family ELSE client_days.family END,
 max_score = CASE WHEN excluded.max_score > client_days.max_score THEN excluded.max_score ELSE client_days.max_score END,
 last_seen = CASE WHEN excluded.last_seen > client_days.last_seen THEN excluded.last_seen ELSE client_days.last_seen END`))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, k := range sortedKeys(days) {
			a := days[k]
			if _, err := st.ExecContext(ctx, k.tenant, k.bucket, k.pseudonym, a.offences, a.refused, a.maxScore, a.family, a.last); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyReport adds a report's counts once, and records the instance's health.
func (s *Store) applyReport(ctx context.Context, tx execQuerier, r *event.Report) (bool, error) {
	res, err := tx.ExecContext(ctx, s.q("INSERT INTO reports_applied (id, at) VALUES (?, ?) ON CONFLICT DO NOTHING"), r.ID(), s.now().UnixNano())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	tenant := r.Tenant
	if tenant == "" {
		tenant = "default"
	}
	if len(r.Counts) > 0 {
		counts := slices.Clone(r.Counts)
		// one order in every transaction: concurrent ones never deadlock
		slices.SortFunc(counts, func(a, b event.Count) int {
			return cmp.Or(cmp.Compare(a.Minute, b.Minute), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Outcome, b.Outcome),
				cmp.Compare(a.Family, b.Family), cmp.Compare(a.Level, b.Level))
		})
		for _, t := range []struct {
			table, col string
			div        int64
		}{{"minute_counts", "minute", 60}, {"hour_counts", "hour", 3600}} {
			st, err := tx.PrepareContext(ctx, s.q("INSERT INTO "+t.table+" (tenant, "+t.col+", route, outcome, family, level, n) VALUES (?,?,?,?,?,?,?) "+
				"ON CONFLICT (tenant, "+t.col+", route, outcome, family, level) DO UPDATE SET n = "+t.table+".n + excluded.n"))
			if err != nil {
				return false, err
			}
			for _, c := range counts {
				if _, err := st.ExecContext(ctx, tenant, c.Minute/t.div*t.div, c.Route, c.Outcome, c.Family, c.Level, int64(c.N)); err != nil {
					st.Close()
					return false, err
				}
			}
			st.Close()
		}
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO instances (tenant, name, region, version, boot, last_seen, recorded, sampled, published, dropped, queued, breaker)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant, name) DO UPDATE SET
 region = excluded.region, version = excluded.version, boot = excluded.boot, last_seen = excluded.last_seen,
 recorded = excluded.recorded, sampled = excluded.sampled, published = excluded.published, dropped = excluded.dropped,
 queued = excluded.queued, breaker = excluded.breaker
 WHERE excluded.last_seen >= instances.last_seen`),
		tenant, r.Instance, r.Region, r.Version, r.Boot, r.Time.UnixNano(), int64(r.Recorded), int64(r.Sampled), int64(r.Published),
		int64(r.Dropped), int64(r.Queued), r.Breaker)
	return err == nil, err
}

// sortedKeys orders upserts the same way in every transaction, so that
// concurrent ones lock rows in one order and never deadlock.
func sortedKeys(m map[clientKey]*clientAgg) []clientKey {
	ks := make([]clientKey, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b clientKey) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.bucket, b.bucket), cmp.Compare(a.pseudonym, b.pseudonym))
	})
	return ks
}
