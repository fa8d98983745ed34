package sqlhistory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bulwarkhq/bulwark/internal/history"
)

// Client cohorts (history.SeriesQuery.Cohort). The per-minute aggregates
// the instances report know no client, so the ingest counts the offences
// of the events it inserts a second time, by minute and client cohort, in
// cohort_counts. An offence's cohort is decided then: returning when its
// client has a client_hours row (committed before, or of an hour of the
// same transaction) in the history.CohortLookback before the offence's
// hour, new otherwise. An hour ingested late (a replay after an outage)
// does not change the cohorts counted before it arrived.

type cohortKey struct {
	tenant, cohort                string
	minute                        int64
	route, outcome, family, level string
}

type clientID struct{ tenant, pseudonym string }

// addCohorts counts the offences rows (inserted in tx, before their
// client_hours rows are) in cohort_counts.
func (s *Store) addCohorts(ctx context.Context, tx execQuerier, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	lookback := int64(history.CohortLookback / time.Second)
	// the hours each client offended in: this transaction's, then the
	// stored ones of the lookback before them
	hours := map[clientID][]int64{}
	for _, r := range rows {
		c := clientID{r.b.Tenant, r.e.Pseudonym}
		hours[c] = append(hours[c], r.e.Time.Unix()/3600*3600)
	}
	clients := make([]clientID, 0, len(hours))
	for c, hs := range hours {
		slices.Sort(hs)
		hours[c] = slices.Compact(hs)
		clients = append(clients, c)
	}
	slices.SortFunc(clients, func(a, b clientID) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.pseudonym, b.pseudonym))
	})
	ours := map[clientID][]int64{}
	for c, hs := range hours {
		ours[c] = slices.Clone(hs)
	}
	if err := s.storedHours(ctx, tx, clients, ours, hours, lookback); err != nil {
		return err
	}
	counts := map[cohortKey]int64{}
	for _, r := range rows {
		c := clientID{r.b.Tenant, r.e.Pseudonym}
		h := r.e.Time.Unix() / 3600 * 3600
		hs := hours[c]
		i, _ := slices.BinarySearch(hs, h) // the hours before h are hs[:i]
		cohort := history.CohortNew
		if i > 0 && hs[i-1] >= h-lookback {
			cohort = history.CohortReturning
		}
		counts[cohortKey{c.tenant, cohort, r.e.Time.Unix() / 60 * 60, r.e.Route, r.e.Outcome, r.e.Family, r.e.Level}]++
	}
	keys := make([]cohortKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	// one order in every transaction: concurrent ones never deadlock
	slices.SortFunc(keys, func(a, b cohortKey) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.cohort, b.cohort), cmp.Compare(a.minute, b.minute),
			cmp.Compare(a.route, b.route), cmp.Compare(a.outcome, b.outcome), cmp.Compare(a.family, b.family), cmp.Compare(a.level, b.level))
	})
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO cohort_counts (tenant, cohort, minute, route, outcome, family, level, n) VALUES (?,?,?,?,?,?,?,?)
 ON CONFLICT (tenant, cohort, minute, route, outcome, family, level) DO UPDATE SET n = cohort_counts.n + excluded.n`))
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range keys {
		if _, err := st.ExecContext(ctx, k.tenant, k.cohort, k.minute, k.route, k.outcome, k.family, k.level, counts[k]); err != nil {
			return err
		}
	}
	return nil
}

// storedHours adds to hours (each client's sorted hours) the client_hours
// rows of each client from the lookback before its first hour in ours to
// its last: PostgreSQL in one query, SQLite with one indexed lookup a
// client.
func (s *Store) storedHours(ctx context.Context, tx execQuerier, clients []clientID, ours, hours map[clientID][]int64, lookback int64) error {
	add := func(c clientID, h int64) {
		hs := hours[c]
		if i, found := slices.BinarySearch(hs, h); !found {
			hours[c] = slices.Insert(hs, i, h)
		}
	}
	if s.d == postgres {
		byTenant := map[string][]string{}
		lo, hi := map[string]int64{}, map[string]int64{}
		for _, c := range clients {
			hs := ours[c]
			byTenant[c.tenant] = append(byTenant[c.tenant], c.pseudonym)
			if l, ok := lo[c.tenant]; !ok || hs[0]-lookback < l {
				lo[c.tenant] = hs[0] - lookback
			}
			hi[c.tenant] = max(hi[c.tenant], hs[len(hs)-1])
		}
		for tenant, pss := range byTenant {
			rs, err := tx.QueryContext(ctx, `SELECT pseudonym, hour FROM client_hours WHERE tenant = $1 AND pseudonym = ANY($2::text[]) AND hour >= $3 AND hour < $4`,
				tenant, pss, lo[tenant], hi[tenant])
			if err != nil {
				return err
			}
			for rs.Next() {
				var ps string
				var h int64
				if err := rs.Scan(&ps, &h); err != nil {
					rs.Close()
					return err
				}
				c := clientID{tenant, ps}
				if hs := ours[c]; hs != nil && h >= hs[0]-lookback && h < hs[len(hs)-1] {
					add(c, h)
				}
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	st, err := tx.PrepareContext(ctx, "SELECT hour FROM client_hours WHERE tenant = ? AND pseudonym = ? AND hour >= ? AND hour < ?")
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range clients {
		hs := ours[c]
		rs, err := st.QueryContext(ctx, c.tenant, c.pseudonym, hs[0]-lookback, hs[len(hs)-1])
		if err != nil {
			return err
		}
		for rs.Next() {
			var h int64
			if err := rs.Scan(&h); err != nil {
				rs.Close()
				return err
			}
			add(c, h)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}

// validCohort checks a SeriesQuery's Cohort.
func validCohort(cohort string) error {
	if !slices.Contains(history.Cohorts, cohort) {
		return fmt.Errorf("%w: cohort %q: want %s or %s", history.ErrInvalid, cohort, history.CohortNew, history.CohortReturning)
	}
	return nil
}
