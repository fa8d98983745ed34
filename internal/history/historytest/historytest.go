// Package historytest is the conformance suite every history.Store runs:
// historytest.Run(t, backend).
package historytest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
)

// Backend makes fresh stores and tampers with them as an attacker with
// direct database access would.
type Backend struct {
	// New returns a fresh, empty store, closed by the test's cleanup.
	New func(t *testing.T) history.Store
	// Tamper changes ("change") or deletes ("delete") audit row seq behind
	// the store's back, or tries a plain UPDATE ("update", which the store's
	// append-only guard must refuse: Tamper returns that error).
	Tamper func(t *testing.T, s history.Store, how string, seq int64) error
}

// Day is the suite's fixed day; events fall on it and the next.
var Day = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func batch(instance string, seq0 int, at time.Time, n int, mk func(i int, e *event.Event)) *event.Batch {
	b := &event.Batch{Tenant: "default", Region: "local", Instance: instance, KeyID: "k1"}
	for i := 0; i < n; i++ {
		e := event.Event{ID: event.MakeID(at, 42, uint64(seq0+i)), Time: at.Add(time.Duration(i) * time.Millisecond),
			Pseudonym: "aaaa", Route: "/api/items/{id}", Method: "GET", Outcome: event.OutcomeAllowed, Score: 0.01, Level: "none", Limiter: "allow"}
		if mk != nil {
			mk(i, &e)
		}
		b.Events = append(b.Events, e)
	}
	return b
}

func attack(i int, e *event.Event) {
	e.Pseudonym = "bbbb"
	e.Route, e.Outcome, e.Score, e.Level, e.Family = "/search", event.OutcomeBlocked, 0.99, "critical", "sqli"
	e.Reasons = [event.MaxReasons]string{"sqli.libinjection", "sqli.tautology"}
	e.Features = []float32{1, 2, 3}
	e.Limiter = ""
}

func report(instance string, seq uint64, counts ...event.Count) *event.Report {
	return &event.Report{Tenant: "default", Region: "local", Instance: instance, Boot: "boot1", Seq: seq,
		Time: Day.Add(time.Hour), Version: "v1", Recorded: 10, Published: 8, Dropped: 2, Breaker: "closed", Counts: counts}
}

// Run runs the suite.
func Run(t *testing.T, be Backend) {
	ctx := context.Background()
	t.Run("IngestIsIdempotent", func(t *testing.T) {
		s := be.New(t)
		at := Day.Add(10 * time.Hour)
		b1 := batch("i1", 1, at, 50, nil)
		b2 := batch("i1", 100, at, 5, attack)
		r := report("i1", 1, event.Count{Minute: at.Unix(), Route: "/api/items/{id}", Outcome: "allowed", Level: "none", N: 500},
			event.Count{Minute: at.Unix(), Route: "/search", Outcome: "blocked", Family: "sqli", Level: "critical", N: 5})
		res, err := s.Ingest(ctx, []*event.Batch{b1, b2}, []*event.Report{r})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 55 || res.Duplicates != 0 || res.Reports != 1 {
			t.Fatalf("first ingest %+v", res)
		}
		// a replay after a crash: the same batches and report again
		res, err = s.Ingest(ctx, []*event.Batch{b1, b2}, []*event.Report{r})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 0 || res.Duplicates != 55 || res.Reports != 0 {
			t.Fatalf("replay %+v", res)
		}
		rng := history.Range{Tenant: "default", From: Day, To: Day.Add(24 * time.Hour)}
		pts, err := s.Series(ctx, history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByOutcome})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, p := range pts {
			got[p.Key] += p.Count
			if !p.Time.Equal(Day.Add(10 * time.Hour)) {
				t.Errorf("point at %v", p.Time)
			}
		}
		if got["allowed"] != 500 || got["blocked"] != 5 {
			t.Errorf("series %v", got)
		}
		clients, err := s.TopClients(ctx, rng, 10)
		if err != nil || len(clients) != 1 || clients[0].Pseudonym != "bbbb" || clients[0].Offences != 5 || clients[0].Family != "sqli" {
			t.Errorf("top clients %+v %v", clients, err)
		}
	})
	t.Run("Queries", func(t *testing.T) {
		s := be.New(t)
		at := Day.Add(23*time.Hour + 59*time.Minute)
		var counts []event.Count
		for m := 0; m < 4; m++ { // four minutes across midnight
			min := at.Add(time.Duration(m) * time.Minute).Unix()
			counts = append(counts,
				event.Count{Minute: min, Route: "/a", Outcome: "allowed", Level: "none", N: 10},
				event.Count{Minute: min, Route: "/search", Outcome: "blocked", Family: "sqli", Level: "critical", N: 2},
				event.Count{Minute: min, Route: "/login", Outcome: "limited", Family: "behavior", Level: "medium", N: 1})
		}
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 1, at, 30, attack), batch("i1", 1000, at.Add(2*time.Minute), 30, attack)},
			[]*event.Report{report("i1", 1, counts...), report("i2", 7)}); err != nil {
			t.Fatal(err)
		}
		rng := history.Range{Tenant: "default", From: at, To: at.Add(5 * time.Minute)}
		for _, by := range []string{history.ByOutcome, history.ByFamily, history.ByRoute, history.ByLevel} {
			pts, err := s.Series(ctx, history.SeriesQuery{Range: rng, Step: time.Minute, By: by, Threats: true})
			if err != nil {
				t.Fatal(by, err)
			}
			var sum int64
			buckets := map[time.Time]bool{}
			for _, p := range pts {
				sum += p.Count
				buckets[p.Time] = true
			}
			if sum != 12 || len(buckets) != 4 {
				t.Errorf("by %s: %d threats in %d buckets, want 12 in 4", by, sum, len(buckets))
			}
		}
		// one route's outcomes, in minutes and in the hourly table
		for _, q := range []history.SeriesQuery{
			{Range: rng, Step: time.Minute, By: history.ByOutcome, Route: "/login"},
			{Range: history.Range{Tenant: "default", From: Day, To: Day.Add(48 * time.Hour)}, Step: time.Hour, By: history.ByOutcome, Route: "/login"},
		} {
			pts, err := s.Series(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, p := range pts {
				if p.Key != "limited" {
					t.Errorf("route /login, step %v: outcome %q of another route", q.Step, p.Key)
				}
				sum += p.Count
			}
			if sum != 4 {
				t.Errorf("route /login, step %v: %d limited, want 4", q.Step, sum)
			}
		}
		// the cells of whole hours add up to every hourly series
		hours := history.Range{Tenant: "default", From: Day, To: Day.Add(48 * time.Hour)}
		cells, err := s.Cells(ctx, hours)
		if err != nil {
			t.Fatal(err)
		}
		for _, by := range []string{history.ByOutcome, history.ByFamily, history.ByRoute, history.ByLevel} {
			for _, threats := range []bool{false, true} {
				pts, err := s.Series(ctx, history.SeriesQuery{Range: hours, Step: time.Hour, By: by, Threats: threats})
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]int64{}
				for _, p := range pts {
					want[p.Time.Format(time.RFC3339)+" "+p.Key] += p.Count
				}
				got := map[string]int64{}
				for _, c := range cells {
					if threats && c.Level == "none" {
						continue
					}
					key := map[string]string{history.ByOutcome: c.Outcome, history.ByFamily: c.Family, history.ByRoute: c.Route, history.ByLevel: c.Level}[by]
					got[c.Hour.Format(time.RFC3339)+" "+key] += c.Count
				}
				if len(got) == 0 || !maps.Equal(got, want) {
					t.Errorf("cells by %s (threats %v): %v, series: %v", by, threats, got, want)
				}
			}
		}
		if _, err := s.Cells(ctx, rng); !errors.Is(err, history.ErrInvalid) {
			t.Errorf("cells of minutes %v: %v, want ErrInvalid", rng, err)
		}
		routes, err := s.TopRoutes(ctx, rng, 2)
		if err != nil || len(routes) != 2 || routes[0].Route != "/search" || routes[0].Threats != 8 || routes[0].Refused != 8 || routes[1].Route != "/login" {
			t.Errorf("top routes %+v %v", routes, err)
		}
		// the timeline pages across the day boundary, newest first
		tl := history.Range{From: Day, To: Day.Add(48 * time.Hour)}
		var all []history.Event
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			evs, next, err := s.Timeline(ctx, "default", "bbbb", tl, history.Page{Limit: 7, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, evs...)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(all) != 60 {
			t.Fatalf("timeline has %d events, want 60", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].Time.After(all[i-1].Time) {
				t.Fatalf("timeline not newest first at %d", i)
			}
		}
		e := all[0]
		if e.Family != "sqli" || len(e.Reasons) != 2 || len(e.Features) != 3 || e.Instance != "i1" || e.KeyID != "k1" {
			t.Errorf("event %+v", e)
		}
		got, err := s.Event(ctx, "default", e.ID)
		if err != nil || got.ID != e.ID {
			t.Errorf("event by id: %v", err)
		}
		if _, err := s.Event(ctx, "default", event.MakeID(Day, 1, 999999)); !errors.Is(err, history.ErrNotFound) {
			t.Errorf("missing event: %v", err)
		}
		if _, err := s.Event(ctx, "other", e.ID); !errors.Is(err, history.ErrNotFound) {
			t.Errorf("another tenant's event: %v", err)
		}
		inc, _, err := s.Incidents(ctx, history.Range{Tenant: "default", From: Day, To: Day.Add(48 * time.Hour)}, history.Page{})
		if err != nil || len(inc) != 2 || inc[0].Pseudonym != "bbbb" || inc[0].Hour.Before(inc[1].Hour) {
			t.Errorf("incidents %+v %v", inc, err)
		}
		insts, err := s.Instances(ctx, "default")
		if err != nil || len(insts) != 2 || insts[0].Dropped != 2 || insts[0].Breaker != "closed" {
			t.Errorf("instances %+v %v", insts, err)
		}
		co, err := s.ClientOffences(ctx, history.Range{Tenant: "default", From: Day, To: Day.Add(48 * time.Hour)})
		if err != nil || len(co) != 1 || co[0] != (history.ClientOffences{Pseudonym: "bbbb", Family: "sqli", Offences: 60}) {
			t.Errorf("client offences %+v %v, want bbbb's 60 sqli", co, err)
		}
		for _, bad := range []history.SeriesQuery{
			{Range: rng, Step: time.Minute, By: "pseudonym; DROP TABLE audit"},
			{Range: rng, Step: time.Second, By: history.ByOutcome},
			{Range: history.Range{Tenant: "default", From: rng.To, To: rng.From}, Step: time.Minute, By: history.ByOutcome},
		} {
			if _, err := s.Series(ctx, bad); !errors.Is(err, history.ErrInvalid) {
				t.Errorf("bad query %+v: %v", bad, err)
			}
		}
		if _, _, err := s.Timeline(ctx, "default", "bbbb", tl, history.Page{Cursor: "!!"}); !errors.Is(err, history.ErrInvalid) {
			t.Errorf("bad cursor: %v", err)
		}
	})
	t.Run("Cohorts", func(t *testing.T) {
		s := be.New(t)
		h1, h3 := Day.Add(time.Hour), Day.Add(3*time.Hour)
		offend := func(ps, route, outcome, level string) func(int, *event.Event) {
			return func(_ int, e *event.Event) {
				attack(0, e)
				e.Pseudonym, e.Route, e.Outcome, e.Level = ps, route, outcome, level
			}
		}
		blocked := func(ps string) func(int, *event.Event) {
			return offend(ps, "/search", event.OutcomeBlocked, "critical")
		}
		bs := []*event.Batch{
			batch("i1", 1, h1, 2, blocked("c1")),  // c1's first offences: new
			batch("i1", 10, h3, 2, blocked("c1")), // c1 two hours later: returning
			batch("i1", 20, h3.Add(time.Second), 1, offend("c1", "/search", event.OutcomeLimited, "none")), // refused, not scored
			batch("i1", 30, h3.Add(2*time.Second), 1, func(_ int, e *event.Event) { e.Pseudonym = "c1" }),  // benign: no offence
			batch("i1", 40, h3, 4, offend("c2", "/login", event.OutcomeBlocked, "high")),                   // c2: new
			batch("i1", 50, h3.Add(-history.CohortLookback-time.Hour), 1, blocked("c3")),                   // c3 offended 7 days and an hour before:
			batch("i1", 60, h3, 5, blocked("c3")),                                                          // new again
			batch("i1", 70, h3.Add(-6*24*time.Hour), 1, blocked("c4")),                                     // c4 offended 6 days before, in another day table:
			batch("i1", 80, h3.Add(30*time.Minute), 7, blocked("c4")),                                      // returning
		}
		bs = append(bs, batch("i1", 90, h1.Add(time.Minute), 1, blocked("c5"))) // c5's first offence: new
		if _, err := s.Ingest(ctx, bs, nil); err != nil {
			t.Fatal(err)
		}
		// c5 again, in a later transaction: returning, from the stored hour
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 100, h3.Add(time.Minute), 5, blocked("c5"))}, nil); err != nil {
			t.Fatal(err)
		}
		rng := history.Range{Tenant: "default", From: Day, To: Day.Add(24 * time.Hour)}
		count := func(q history.SeriesQuery) map[string]int64 {
			t.Helper()
			pts, err := s.Series(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, p := range pts {
				got[p.Time.Format("15:04")+" "+p.Key] += p.Count
			}
			return got
		}
		for _, c := range []struct {
			q    history.SeriesQuery
			want map[string]int64
		}{
			{history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByOutcome, Cohort: history.CohortNew},
				map[string]int64{"01:00 blocked": 3, "03:00 blocked": 9}},
			{history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByOutcome, Cohort: history.CohortReturning},
				map[string]int64{"03:00 blocked": 14, "03:00 limited": 1}},
			{history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByLevel, Threats: true, Cohort: history.CohortReturning},
				map[string]int64{"03:00 critical": 14}},
			{history.SeriesQuery{Range: rng, Step: 15 * time.Minute, By: history.ByRoute, Cohort: history.CohortReturning},
				map[string]int64{"03:00 /search": 8, "03:30 /search": 7}},
			{history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByLevel, Route: "/login", Cohort: history.CohortNew},
				map[string]int64{"03:00 high": 4}},
			{history.SeriesQuery{Range: history.Range{Tenant: "other", From: Day, To: Day.Add(24 * time.Hour)}, Step: time.Hour, By: history.ByOutcome, Cohort: history.CohortNew},
				map[string]int64{}},
		} {
			if got := count(c.q); !maps.Equal(got, c.want) {
				t.Errorf("cohort %s, by %s, threats %v, route %q, step %v: %v, want %v", c.q.Cohort, c.q.By, c.q.Threats, c.q.Route, c.q.Step, got, c.want)
			}
		}
		if _, err := s.Series(ctx, history.SeriesQuery{Range: rng, Step: time.Hour, By: history.ByOutcome, Cohort: "vip"}); !errors.Is(err, history.ErrInvalid) {
			t.Errorf("an unknown cohort: %v", err)
		}
	})
	t.Run("MutationsAreAudited", func(t *testing.T) {
		s := be.New(t)
		at := Day.Add(time.Hour)
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 1, at, 3, attack), batch("i1", 10, at, 3, nil)}, nil); err != nil {
			t.Fatal(err)
		}
		id := event.MakeID(at, 42, 1)
		if err := s.Label(ctx, "default", id, "attack", history.Audit{Tenant: "default", Actor: "alice", Action: "event.label", Target: id.String()}); err != nil {
			t.Fatal(err)
		}
		if e, err := s.Event(ctx, "default", id); err != nil || e.Label != "attack" {
			t.Errorf("label: %+v %v", e, err)
		}
		d := history.Decision{Tenant: "default", Key: "deny.pseudonym.YmJiYg", Value: []byte(`{}`), Action: "ban", Target: "pseudonym:bbbb",
			Expires: at.Add(time.Hour), Wall: 5, Logical: 1, Origin: "local"}
		if err := s.PutDecision(ctx, d, history.Audit{Tenant: "default", Actor: "alice", Action: "decision.put", Target: d.Target}); err != nil {
			t.Fatal(err)
		}
		un, err := s.Decisions(ctx, "default", true)
		if err != nil || len(un) != 1 || un[0].Published || !un[0].Expires.Equal(d.Expires) {
			t.Fatalf("unpublished %+v %v", un, err)
		}
		if err := s.MarkPublished(ctx, "default", d.Key, 5, 1); err != nil {
			t.Fatal(err)
		}
		if un, _ := s.Decisions(ctx, "default", true); len(un) != 0 {
			t.Errorf("still unpublished: %+v", un)
		}
		n, err := s.Erase(ctx, "default", "bbbb", history.Audit{Tenant: "default", Actor: "bob", Action: "client.erase", Target: "bbbb"})
		if err != nil || n != 3 {
			t.Fatalf("erase: %d %v", n, err)
		}
		if evs, _, _ := s.Timeline(ctx, "default", "bbbb", history.Range{From: Day, To: Day.Add(24 * time.Hour)}, history.Page{}); len(evs) != 0 {
			t.Errorf("erased client still has %d events", len(evs))
		}
		if cl, _ := s.TopClients(ctx, history.Range{Tenant: "default", From: Day, To: Day.Add(24 * time.Hour)}, 10); len(cl) != 0 {
			t.Errorf("erased client still in top clients")
		}
		log, err := s.AuditLog(ctx, "default", 0, 100)
		if err != nil || len(log) != 3 || log[0].Action != "event.label" || log[2].Actor != "bob" {
			t.Fatalf("audit %+v %v", log, err)
		}
		head, err := s.VerifyAudit(ctx)
		if err != nil || head.Seq != 3 {
			t.Fatalf("verify: %+v %v", head, err)
		}
		if err := be.Tamper(t, s, "update", 1); err == nil {
			t.Error("a plain UPDATE of the audit log was accepted")
		}
		if err := be.Tamper(t, s, "change", 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAudit(ctx); !errors.Is(err, history.ErrTampered) {
			t.Errorf("changed row: %v", err)
		}
	})
	t.Run("PutDecisionsOneAuditRow", func(t *testing.T) {
		s := be.New(t)
		ds := []history.Decision{
			{Tenant: "default", Key: "rm.us.addr.MTkyLjAuMi4x", Value: []byte(`{}`), Action: "allow", Target: "addr:192.0.2.1",
				Tombstone: true, Wall: 3, Logical: 0, Origin: "us"},
			{Tenant: "default", Key: "allow.addr.MTkyLjAuMi4x", Value: []byte(`{}`), Action: "allow", Target: "addr:192.0.2.1",
				Tombstone: true, Wall: 7, Logical: 2, Origin: "eu"},
		}
		if err := s.PutDecisions(ctx, ds, history.Audit{Tenant: "default", Actor: "alice", Action: "allowlist.remove", Target: "addr:192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		un, err := s.Decisions(ctx, "default", true)
		if err != nil || len(un) != 2 {
			t.Fatalf("unpublished %+v %v", un, err)
		}
		for _, d := range un {
			if !d.Tombstone || d.Published || (d.Origin == "us") != (d.Key == ds[0].Key) {
				t.Errorf("stored %+v", d)
			}
		}
		if err := s.MarkPublished(ctx, "default", ds[0].Key, 3, 0); err != nil {
			t.Fatal(err)
		}
		if un, _ := s.Decisions(ctx, "default", true); len(un) != 1 || un[0].Key != ds[1].Key {
			t.Errorf("unpublished after marking the first: %+v", un)
		}
		log, err := s.AuditLog(ctx, "default", 0, 100)
		if err != nil || len(log) != 1 || log[0].Action != "allowlist.remove" {
			t.Fatalf("audit %+v %v", log, err)
		}
	})
	t.Run("PrivacyBudget", func(t *testing.T) {
		s := be.New(t)
		budget, eps := big.NewRat(1, 1), big.NewRat(3, 10)
		for i, want := range []bool{true, true, true, false} { // 0.3 × 3 = 0.9; a fourth would reach 1.2
			ok, err := s.ChargePrivacy(ctx, "default", eps, budget, history.Audit{Tenant: "default", Actor: "op", Target: "recipient:x"})
			if err != nil || ok != want {
				t.Fatalf("charge %d: %v %v, want %v", i+1, ok, err, want)
			}
		}
		if spent, err := s.PrivacySpent(ctx, "default"); err != nil || spent.Cmp(big.NewRat(9, 10)) != 0 {
			t.Errorf("spent %v %v, want 9/10", spent, err)
		}
		if spent, err := s.PrivacySpent(ctx, "other"); err != nil || spent.Sign() != 0 {
			t.Errorf("another tenant spent %v %v", spent, err)
		}
		if err := s.Record(ctx, history.Audit{Tenant: "default", Actor: "op", Action: "export.incidents", Target: "recipient:x"}); err != nil {
			t.Fatal(err)
		}
		rows, err := s.AuditLog(ctx, "default", 0, 10)
		if err != nil || len(rows) != 5 || rows[0].Action != "privacy.spend" || rows[3].Action != "privacy.refuse" || rows[4].Action != "export.incidents" {
			t.Fatalf("audit %+v %v: want three spends, a refusal and an export", rows, err)
		}
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Error(err)
		}
		// concurrent charges never overspend
		var wg sync.WaitGroup
		var mu sync.Mutex
		charged := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ChargePrivacy(ctx, "race", big.NewRat(1, 4), budget, history.Audit{Tenant: "race", Actor: "op"})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					charged++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if charged != 4 {
			t.Errorf("8 concurrent charges of 1/4 against 1: %d charged, want 4", charged)
		}
	})
	t.Run("DeletedAuditRow", func(t *testing.T) {
		s := be.New(t)
		for i := 0; i < 3; i++ {
			d := history.Decision{Tenant: "default", Key: fmt.Sprintf("deny.key.%d", i), Value: []byte(`{}`), Action: "ban", Target: "key:x", Wall: int64(i + 1), Origin: "local"}
			if err := s.PutDecision(ctx, d, history.Audit{Tenant: "default", Actor: "a", Action: "decision.put"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := be.Tamper(t, s, "delete", 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAudit(ctx); !errors.Is(err, history.ErrTampered) {
			t.Errorf("deleted row: %v", err)
		}
		s2 := be.New(t)
		for i := 0; i < 2; i++ {
			if err := s2.PutDecision(ctx, history.Decision{Tenant: "default", Key: "k", Value: []byte(`{}`), Wall: int64(i + 1), Origin: "local"},
				history.Audit{Tenant: "default", Actor: "a", Action: "decision.put"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := be.Tamper(t, s2, "delete", 2); err != nil { // the last row
			t.Fatal(err)
		}
		if _, err := s2.VerifyAudit(ctx); !errors.Is(err, history.ErrTampered) {
			t.Errorf("deleted last row: %v", err)
		}
	})
	t.Run("LabelledOutlivesRetention", func(t *testing.T) {
		s := be.New(t)
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 1, Day, 3, attack), batch("i1", 100, Day.Add(24*time.Hour), 3, nil)}, nil); err != nil {
			t.Fatal(err)
		}
		label := func(id event.ID, l string) {
			t.Helper()
			if err := s.Label(ctx, "default", id, l, history.Audit{Tenant: "default", Actor: "alice", Action: "event.label", Target: id.String()}); err != nil {
				t.Fatal(err)
			}
		}
		label(event.MakeID(Day.Add(24*time.Hour), 42, 101), "benign")
		label(event.MakeID(Day, 42, 2), "benign")
		label(event.MakeID(Day, 42, 2), "attack") // relabelled
		if err := s.Label(ctx, "other", event.MakeID(Day, 42, 1), "attack", history.Audit{Tenant: "other", Action: "event.label"}); !errors.Is(err, history.ErrNotFound) {
			t.Errorf("label of another tenant's event: %v", err)
		}
		if err := s.DropDay(ctx, Day); err != nil {
			t.Fatal(err)
		}
		var got []history.Event
		if err := s.Labelled(ctx, "default", func(e *history.Event) error { got = append(got, *e); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("labelled: %d events, want 2", len(got))
		}
		a, b := got[0], got[1]
		if a.ID != event.MakeID(Day, 42, 2) || a.Label != "attack" || a.Family != "sqli" || len(a.Reasons) != 2 ||
			a.Reasons[0] != "sqli.libinjection" || len(a.Features) != 3 || a.Score < 0.98 || a.Instance != "i1" {
			t.Errorf("the labelled event of the dropped day: %+v", a)
		}
		if b.ID != event.MakeID(Day.Add(24*time.Hour), 42, 101) || b.Label != "benign" || len(b.Reasons) != 0 {
			t.Errorf("the newer labelled event: %+v", b)
		}
		if n, err := s.Erase(ctx, "default", "bbbb", history.Audit{Tenant: "default", Actor: "bob", Action: "client.erase"}); err != nil {
			t.Fatalf("erase: %d %v", n, err)
		}
		n := 0
		_ = s.Labelled(ctx, "default", func(e *history.Event) error { n++; return nil })
		if n != 1 {
			t.Errorf("after erasing the client of one: %d labelled events, want 1", n)
		}
	})
	t.Run("ModelCounts", func(t *testing.T) {
		s := be.New(t)
		at := Day.Add(10 * time.Hour)
		// model v1 with shadow v2: 10 events, v1 blocks 0-2, v2 would refuse 2-5
		b1 := batch("i1", 1, at, 10, func(i int, e *event.Event) {
			e.Model, e.Shadow, e.ShadowScore, e.Param = "v1", "v2", 0.1, "q"
			if i < 3 {
				e.Outcome, e.Score, e.Level, e.Blocked = event.OutcomeBlocked, 0.9, "high", true
			}
			if i >= 2 && i < 6 {
				e.ShadowRefused, e.ShadowScore = true, 0.95
			}
		})
		// the canary v3, no shadow, one block; and an event of format 1
		// (no model), not counted
		b2 := batch("i1", 100, at.Add(time.Hour), 4, func(i int, e *event.Event) {
			e.Model = "v3"
			if i == 0 {
				e.Outcome, e.Blocked = event.OutcomeBlocked, true
			}
			if i == 3 {
				e.Model = ""
			}
		})
		for range 2 { // the replay counts nothing twice
			if _, err := s.Ingest(ctx, []*event.Batch{b1, b2}, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ModelCounts(ctx, history.Range{Tenant: "default", From: Day, To: Day.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want := []history.ModelCount{
			{Model: "v1", Shadow: "v2", Events: 10, Blocked: 3, ShadowRefused: 4, ShadowOnly: 3, ModelOnly: 2},
			{Model: "v3", Events: 3, Blocked: 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("model counts\n got %+v\nwant %+v", got, want)
		}
		if got, err := s.ModelCounts(ctx, history.Range{Tenant: "default", From: at.Add(time.Hour), To: Day.Add(24 * time.Hour)}); err != nil || len(got) != 1 || got[0].Model != "v3" {
			t.Errorf("from the second hour: %+v %v", got, err)
		}
		// the stored event keeps the model fields and the parameter
		e, err := s.Event(ctx, "default", event.MakeID(at, 42, 3))
		if err != nil || e.Model != "v1" || e.Shadow != "v2" || !e.Blocked || !e.ShadowRefused || e.ShadowScore < 0.9 || e.Param != "q" {
			t.Errorf("stored event %+v %v", e, err)
		}
	})
	t.Run("RetentionDropsDays", func(t *testing.T) {
		s := be.New(t)
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 1, Day, 5, attack), batch("i1", 100, Day.Add(24*time.Hour), 5, attack)}, nil); err != nil {
			t.Fatal(err)
		}
		days, err := s.Days(ctx)
		if err != nil || len(days) != 2 || !days[0].Equal(Day) {
			t.Fatalf("days %v %v", days, err)
		}
		n := 0
		if err := s.ScanDay(ctx, Day, func(e *history.Event) error { n++; return nil }); err != nil || n != 5 {
			t.Fatalf("scan: %d %v", n, err)
		}
		if err := s.DropDay(ctx, Day); err != nil {
			t.Fatal(err)
		}
		days, _ = s.Days(ctx)
		if len(days) != 1 {
			t.Fatalf("after drop: %v", days)
		}
		evs, _, err := s.Timeline(ctx, "default", "bbbb", history.Range{From: Day, To: Day.Add(48 * time.Hour)}, history.Page{})
		if err != nil || len(evs) != 5 {
			t.Errorf("after drop: %d events, %v", len(evs), err)
		}
		// a late event of the dropped day recreates it
		if _, err := s.Ingest(ctx, []*event.Batch{batch("i1", 500, Day, 1, nil)}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Prune(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("PruneMinutes", func(t *testing.T) {
		s := be.New(t)
		var counts []event.Count
		for h := 0; h < 48; h += 6 { // a count every six hours over two days
			counts = append(counts, event.Count{Minute: Day.Add(time.Duration(h) * time.Hour).Unix(), Route: "/a", Outcome: "allowed", Level: "none", N: 3})
		}
		if _, err := s.Ingest(ctx, nil, []*event.Report{report("i1", 1, counts...)}); err != nil {
			t.Fatal(err)
		}
		sum := func(step time.Duration) (n int64) {
			pts, err := s.Series(ctx, history.SeriesQuery{Range: history.Range{Tenant: "default", From: Day, To: Day.Add(48 * time.Hour)}, Step: step, By: history.ByOutcome})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pts {
				n += p.Count
			}
			return n
		}
		if m, h := sum(time.Minute*5), sum(time.Hour); m != 24 || h != 24 {
			t.Fatalf("before pruning: %d by 5 minutes, %d by hours; want 24", m, h)
		}
		if err := s.PruneMinutes(ctx, Day.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if m, h := sum(time.Minute*5), sum(time.Hour); m != 12 || h != 24 {
			t.Errorf("after pruning the first day's minutes: %d by 5 minutes (want the second day's 12), %d by hours (want 24)", m, h)
		}
	})
}
