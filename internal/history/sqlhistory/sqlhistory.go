// Package sqlhistory implements history.Store on SQL: SQLite through the
// pure Go driver modernc.org/sqlite (the embedded default: one file, WAL,
// one table of events a day, retention drops the day's table and returns
// its pages with an incremental vacuum) and PostgreSQL through pgx (events
// partitioned by range of time, one partition a day, retention drops the
// partition). Schema migrations are versioned with goose, one set a
// dialect, embedded.
//
//	s, err := sqlhistory.OpenSQLite(ctx, "data/history.db", sqlhistory.Options{})
//	s, err := sqlhistory.OpenPostgres(ctx, os.Getenv("DATABASE_URL"), sqlhistory.Options{})
package sqlhistory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/bulwarkhq/bulwark/internal/history"
)

//go:embed migrations
var migrations embed.FS

type dialect uint8

const (
	sqlite dialect = iota
	postgres
)

// Options tune a Store. The zero value is the default.
type Options struct {
	// Schema is the PostgreSQL schema (created if missing). Default "public".
	Schema string
	// Now is the clock (audit times, report bookkeeping). Default time.Now.
	Now func() time.Time
}

// Store is a history.Store on SQL.
type Store struct {
	d   dialect
	w   *sql.DB // writes: one connection for SQLite
	r   *sql.DB // reads
	now func() time.Time

	mu   sync.Mutex
	days map[int64]bool
}

var _ history.Store = (*Store)(nil)

// OpenSQLite opens (creating) the SQLite database at path and migrates it.
func OpenSQLite(ctx context.Context, path string, o Options) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=auto_vacuum(incremental)&_pragma=foreign_keys(on)&_pragma=cache_size(-262144)&_pragma=wal_autocheckpoint(16384)&_pragma=temp_store(memory)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlhistory: open %s: %w", path, err)
	}
	// synchronous(FULL): a commit is on disk before the ingest acknowledges
	// its messages, so no acknowledged event is lost to a power cut.
	w.SetMaxOpenConns(1) // SQLite has one writer; queueing here beats SQLITE_BUSY
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	return open(ctx, sqlite, w, r, o)
}

// OpenPostgres connects to url (a DATABASE_URL) and migrates its schema.
func OpenPostgres(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("sqlhistory: DATABASE_URL: %w", err)
	}
	if o.Schema != "" {
		if !validIdent(o.Schema) {
			return nil, fmt.Errorf("sqlhistory: schema %q: want letters, digits and _", o.Schema)
		}
		boot := stdlib.OpenDB(*cfg.Copy())
		_, err := boot.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+o.Schema)
		_ = boot.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlhistory: create schema: %w", err)
		}
		cfg.RuntimeParams["search_path"] = o.Schema
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	return open(ctx, postgres, db, db, o)
}

func validIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func open(ctx context.Context, d dialect, w, r *sql.DB, o Options) (*Store, error) {
	s := &Store{d: d, w: w, r: r, now: o.Now, days: map[int64]bool{}}
	if s.now == nil {
		s.now = time.Now
	}
	if err := w.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlhistory: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	rows, err := r.QueryContext(ctx, "SELECT day FROM event_days")
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		if err := rows.Scan(&day); err != nil {
			_ = s.Close()
			return nil, err
		}
		s.days[day] = true
	}
	return s, rows.Err()
}

func (s *Store) migrate(ctx context.Context) error {
	dir, gd := "migrations/sqlite", goose.DialectSQLite3
	if s.d == postgres {
		dir, gd = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(gd, s.w, sub)
	if err != nil {
		return fmt.Errorf("sqlhistory: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlhistory: migrate: %w", err)
	}
	return nil
}

// Close closes the database handles.
func (s *Store) Close() error {
	if s.r != s.w {
		_ = s.r.Close()
	}
	return s.w.Close()
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }

// q rewrites ? placeholders as $n for PostgreSQL.
func (s *Store) q(query string) string {
	if s.d != postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (s *Store) boolArg(b bool) any {
	if s.d == postgres {
		return b
	}
	if b {
		return 1
	}
	return 0
}

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

func dayTable(d int64) string { return "events_" + time.Unix(d*86400, 0).UTC().Format("20060102") }

// ensureDay creates the events table of day d if needed (inside tx).
func (s *Store) ensureDay(ctx context.Context, tx *sql.Tx, d int64) error {
	s.mu.Lock()
	known := s.days[d]
	s.mu.Unlock()
	if known {
		return nil
	}
	name := dayTable(d)
	var stmts []string
	if s.d == sqlite {
		stmts = []string{
			"CREATE TABLE IF NOT EXISTS " + name + ` (
  id BLOB PRIMARY KEY, tenant TEXT NOT NULL, ts INTEGER NOT NULL, pseudonym TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID`,
			"CREATE INDEX IF NOT EXISTS " + name + "_client ON " + name + " (tenant, pseudonym, ts)",
		}
	} else {
		from, to := d*86400*int64(time.Second), (d+1)*86400*int64(time.Second)
		stmts = []string{fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF events FOR VALUES FROM (%d) TO (%d)", name, from, to)}
	}
	stmts = append(stmts, s.q("INSERT INTO event_days (day) VALUES (?) ON CONFLICT DO NOTHING"))
	for i, st := range stmts {
		var err error
		if i == len(stmts)-1 {
			_, err = tx.ExecContext(ctx, st, d)
		} else {
			_, err = tx.ExecContext(ctx, st)
		}
		if err != nil {
			return fmt.Errorf("sqlhistory: create %s: %w", name, err)
		}
	}
	return nil
}

// committedDays records days created by a committed transaction.
func (s *Store) committedDays(ds map[int64]bool) {
	s.mu.Lock()
	for d := range ds {
		s.days[d] = true
	}
	s.mu.Unlock()
}

// daysIn returns the existing days overlapping [from, to), newest first.
func (s *Store) daysIn(from, to time.Time) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for d := dayOf(to.Add(-time.Nanosecond)); d >= dayOf(from); d-- {
		if s.days[d] {
			out = append(out, d)
		}
	}
	return out
}

// Days lists the days that have events, oldest first.
func (s *Store) Days(ctx context.Context) ([]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT day FROM event_days ORDER BY day")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, time.Unix(d*86400, 0).UTC())
	}
	return out, rows.Err()
}

// DropDay drops the events of the day holding t.
func (s *Store) DropDay(ctx context.Context, t time.Time) error {
	d := dayOf(t)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+dayTable(d)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM event_days WHERE day = ?"), d); err != nil {
		return err
	}
	for _, st := range []string{"DELETE FROM client_hours WHERE hour < ?", "DELETE FROM client_days WHERE day < ?"} {
		arg := (d + 1) * 86400
		if strings.Contains(st, "client_days") {
			arg = d + 1
		}
		if _, err := tx.ExecContext(ctx, s.q(st), arg); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.days, d)
	s.mu.Unlock()
	if s.d == sqlite {
		_, _ = s.w.ExecContext(ctx, "PRAGMA incremental_vacuum")
	}
	return nil
}

// Prune forgets report ids applied before before.
func (s *Store) Prune(ctx context.Context, before time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q("DELETE FROM reports_applied WHERE at < ?"), before.UnixNano())
	return err
}

// PruneMinutes drops the per-minute aggregates of the minutes before
// before.
func (s *Store) PruneMinutes(ctx context.Context, before time.Time) error {
	for _, st := range []string{"DELETE FROM minute_counts WHERE minute < ?", "DELETE FROM cohort_counts WHERE minute < ?"} {
		if _, err := s.w.ExecContext(ctx, s.q(st), before.Unix()); err != nil {
			return err
		}
	}
	return nil
}

var errNoRows = sql.ErrNoRows

func notFound(err error) error {
	if errors.Is(err, errNoRows) {
		return history.ErrNotFound
	}
	return err
}
