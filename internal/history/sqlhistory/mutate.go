package sqlhistory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// audit appends a to the hash-chained log inside tx.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, a history.Audit) error {
	if a.Time.IsZero() {
		a.Time = s.now()
	}
	if a.Detail == "" {
		a.Detail = "{}"
	}
	lock := ""
	if s.d == postgres {
		lock = " FOR UPDATE"
	}
	var seq int64
	var prev []byte
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+lock).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("sqlhistory: audit head: %w", err)
	}
	if prev == nil {
		prev = []byte{} // an empty blob, not NULL
	}
	row := history.AuditRow{Seq: seq + 1, Audit: a, Prev: prev}
	row.Hash = AuditHash(row)
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO audit (seq, tenant, at, actor, action, target, detail, prev, hash) VALUES (?,?,?,?,?,?,?,?,?)"),
		row.Seq, a.Tenant, a.Time.UnixNano(), a.Actor, a.Action, a.Target, a.Detail, prev, row.Hash); err != nil {
		return fmt.Errorf("sqlhistory: audit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"), row.Seq, row.Hash); err != nil {
		return fmt.Errorf("sqlhistory: audit head: %w", err)
	}
	return nil
}

// AuditHash is the hash of an audit row: SHA-256 over the previous hash
// and every field, each length-prefixed.
func AuditHash(r history.AuditRow) []byte {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	put(r.Prev)
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.Time.UnixNano()))
	h.Write(n[:])
	for _, f := range []string{r.Tenant, r.Actor, r.Action, r.Target, r.Detail} {
		put([]byte(f))
	}
	return h.Sum(nil)
}

func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Label sets an event's label, audited. The event's row is copied with
// the label, for the retrain (history.Store.Labelled).
func (s *Store) Label(ctx context.Context, tenant string, id event.ID, label string, a history.Audit) error {
	e, err := s.Event(ctx, tenant, id)
	if err != nil {
		return err
	}
	var data []byte
	if err := s.r.QueryRowContext(ctx, s.q("SELECT data FROM "+dayTable(dayOf(id.Time()))+" WHERE tenant = ? AND id = ?"),
		tenant, id[:]).Scan(&data); err != nil {
		return notFound(err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO labels (tenant, event_id, pseudonym, label, actor, at, data) VALUES (?,?,?,?,?,?,?)
 ON CONFLICT (tenant, event_id) DO UPDATE SET label = excluded.label, actor = excluded.actor, at = excluded.at, data = excluded.data`),
			tenant, id[:], e.Pseudonym, label, a.Actor, s.now().UnixNano(), data); err != nil {
			return err
		}
		return s.audit(ctx, tx, a)
	})
}

// Erase deletes a pseudonym's events, aggregates and labels, audited.
func (s *Store) Erase(ctx context.Context, tenant, pseudonym string, a history.Audit) (int64, error) {
	var n int64
	days := s.daysIn(time.Unix(0, 0), s.now().Add(48*time.Hour))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, d := range days {
			res, err := tx.ExecContext(ctx, s.q("DELETE FROM "+dayTable(d)+" WHERE tenant = ? AND pseudonym = ?"), tenant, pseudonym)
			if err != nil {
				if isMissingTable(err) {
					continue
				}
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		for _, t := range []string{"client_hours", "client_days", "labels"} {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+t+" WHERE tenant = ? AND pseudonym = ?"), tenant, pseudonym); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a)
	})
	return n, err
}

// PutDecision records a decision, unpublished, with its audit row.
func (s *Store) PutDecision(ctx context.Context, d history.Decision, a history.Audit) error {
	return s.PutDecisions(ctx, []history.Decision{d}, a)
}

// PutDecisions records decisions, unpublished, with one audit row.
func (s *Store) PutDecisions(ctx context.Context, ds []history.Decision, a history.Audit) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range ds {
			var exp int64
			if !d.Expires.IsZero() {
				exp = d.Expires.UnixNano()
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO decisions (tenant, key, value, action, target, expires, tombstone, wall, logical, origin, published, updated)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, action = excluded.action,
 target = excluded.target, expires = excluded.expires, tombstone = excluded.tombstone, wall = excluded.wall,
 logical = excluded.logical, origin = excluded.origin, published = excluded.published, updated = excluded.updated`),
				d.Tenant, d.Key, d.Value, d.Action, d.Target, exp, s.boolArg(d.Tombstone), d.Wall, int64(d.Logical), d.Origin,
				s.boolArg(false), s.now().UnixNano()); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a)
	})
}

// MarkPublished marks a decision as in the bucket, if it is still the
// value with that stamp.
func (s *Store) MarkPublished(ctx context.Context, tenant, key string, wall int64, logical uint32) error {
	_, err := s.w.ExecContext(ctx, s.q("UPDATE decisions SET published = ? WHERE tenant = ? AND key = ? AND wall = ? AND logical = ?"),
		s.boolArg(true), tenant, key, wall, int64(logical))
	return err
}

// Decisions lists the tenant's decisions ("" for every tenant).
func (s *Store) Decisions(ctx context.Context, tenant string, unpublishedOnly bool) ([]history.Decision, error) {
	query := "SELECT tenant, key, value, action, target, expires, tombstone, wall, logical, origin, published, updated FROM decisions WHERE 1 = 1"
	var args []any
	if tenant != "" {
		query += " AND tenant = ?"
		args = append(args, tenant)
	}
	if unpublishedOnly {
		query += " AND published = ?"
		args = append(args, s.boolArg(false))
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY updated DESC LIMIT 10000"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.Decision
	for rows.Next() {
		var d history.Decision
		var exp, upd, logical int64
		var tomb, pub any
		if err := rows.Scan(&d.Tenant, &d.Key, &d.Value, &d.Action, &d.Target, &exp, &tomb, &d.Wall, &logical, &d.Origin, &pub, &upd); err != nil {
			return nil, err
		}
		if exp != 0 {
			d.Expires = time.Unix(0, exp).UTC()
		}
		d.Tombstone, d.Published = truthy(tomb), truthy(pub)
		d.Logical, d.Updated = uint32(logical), time.Unix(0, upd).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}

// AuditLog lists audit rows after seq.
func (s *Store) AuditLog(ctx context.Context, tenant string, after int64, limit int) ([]history.AuditRow, error) {
	if limit <= 0 || limit > history.MaxPage {
		limit = history.MaxPage
	}
	query := "SELECT seq, tenant, at, actor, action, target, detail, prev, hash FROM audit WHERE seq > ?"
	args := []any{after}
	if tenant != "" {
		query += " AND tenant = ?"
		args = append(args, tenant)
	}
	rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY seq LIMIT ?"), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.AuditRow
	for rows.Next() {
		var r history.AuditRow
		var at int64
		if err := rows.Scan(&r.Seq, &r.Tenant, &at, &r.Actor, &r.Action, &r.Target, &r.Detail, &r.Prev, &r.Hash); err != nil {
			return nil, err
		}
		r.Time = time.Unix(0, at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole chain.
func (s *Store) VerifyAudit(ctx context.Context) (history.AuditHead, error) {
	var head history.AuditHead
	var prev []byte
	want := int64(1)
	for {
		rows, err := s.AuditLog(ctx, "", want-1, history.MaxPage)
		if err != nil {
			return head, err
		}
		for _, r := range rows {
			switch {
			case r.Seq != want:
				return head, fmt.Errorf("%w: row %d missing (next row is %d)", history.ErrTampered, want, r.Seq)
			case !bytes.Equal(r.Prev, prev):
				return head, fmt.Errorf("%w: row %d does not follow row %d", history.ErrTampered, r.Seq, r.Seq-1)
			case !bytes.Equal(AuditHash(r), r.Hash):
				return head, fmt.Errorf("%w: row %d was changed", history.ErrTampered, r.Seq)
			}
			prev, head = r.Hash, history.AuditHead{Seq: r.Seq, Hash: r.Hash}
			want++
		}
		if len(rows) < history.MaxPage {
			break
		}
	}
	var hs int64
	var hh []byte
	if err := s.r.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&hs, &hh); err != nil {
		return head, err
	}
	if hs != head.Seq || !bytes.Equal(hh, prev) {
		return head, fmt.Errorf("%w: the log ends at row %d but its head says %d", history.ErrTampered, head.Seq, hs)
	}
	return head, nil
}

// ClientOffences returns each client's offences in r by the family of its
// hours, from the hourly client table.
func (s *Store) ClientOffences(ctx context.Context, r history.Range) ([]history.ClientOffences, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT pseudonym, family, SUM(offences) FROM client_hours
 WHERE tenant = ? AND hour >= ? AND hour < ? GROUP BY pseudonym, family ORDER BY pseudonym, family`),
		r.Tenant, r.From.Unix()/3600*3600, r.To.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.ClientOffences
	for rows.Next() {
		var c history.ClientOffences
		if err := rows.Scan(&c.Pseudonym, &c.Family, &c.Offences); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChargePrivacy charges eps to tenant within budget, audited, under the
// audit head's lock (so concurrent charges serialise on PostgreSQL too).
func (s *Store) ChargePrivacy(ctx context.Context, tenant string, eps, budget *big.Rat, a history.Audit) (bool, error) {
	if eps == nil || eps.Sign() <= 0 || budget == nil {
		return false, fmt.Errorf("%w: epsilon and budget", history.ErrInvalid)
	}
	charged := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d == postgres {
			if _, err := tx.ExecContext(ctx, "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"); err != nil {
				return err
			}
		}
		spent, err := spentIn(ctx, tx, s, tenant)
		if err != nil {
			return err
		}
		total := new(big.Rat).Add(spent, eps)
		charged = total.Cmp(budget) <= 0
		a.Action = "privacy.refuse"
		if charged {
			a.Action = "privacy.spend"
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO privacy_spent (tenant, spent) VALUES (?, ?)
 ON CONFLICT (tenant) DO UPDATE SET spent = excluded.spent`), tenant, total.RatString()); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a)
	})
	return charged, err
}

// PrivacySpent returns tenant's spent privacy budget.
func (s *Store) PrivacySpent(ctx context.Context, tenant string) (*big.Rat, error) {
	return spentIn(ctx, nil, s, tenant)
}

// spentIn reads tenant's spent total, in tx when given.
func spentIn(ctx context.Context, tx *sql.Tx, s *Store, tenant string) (*big.Rat, error) {
	q := s.q("SELECT spent FROM privacy_spent WHERE tenant = ?")
	var row *sql.Row
	if tx != nil {
		row = tx.QueryRowContext(ctx, q, tenant)
	} else {
		row = s.r.QueryRowContext(ctx, q, tenant)
	}
	var txt string
	switch err := row.Scan(&txt); {
	case errors.Is(err, sql.ErrNoRows):
		return new(big.Rat), nil
	case err != nil:
		return nil, err
	}
	r, ok := new(big.Rat).SetString(txt)
	if !ok {
		return nil, fmt.Errorf("sqlhistory: spent privacy budget of %s is %q", tenant, txt)
	}
	return r, nil
}

// Record appends a to the audit log on its own.
func (s *Store) Record(ctx context.Context, a history.Audit) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, a) })
}
