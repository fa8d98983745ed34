package server

import (
	"context"
	"time"

	"github.com/bulwarkhq/bulwark/internal/history"
)

// Query is one query the dashboard runs.
type Query struct {
	Name string
	Run  func(context.Context) error
}

// DashboardQueries are the store queries the dashboard page runs for
// range name at now, as the dashboard handler runs them (the benchmark
// times them one by one).
func DashboardQueries(s history.Store, tenant, name string, now time.Time) []Query {
	win, err := rangeWindow(name, now)
	if err != nil {
		return nil
	}
	rng := history.Range{Tenant: tenant, From: win.From, To: win.To}
	cw := clientWindow(win)
	return []Query{
		{"traffic by outcome", func(ctx context.Context) error {
			_, err := s.Series(ctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByOutcome})
			return err
		}},
		{"threats by family", func(ctx context.Context) error {
			_, err := s.Series(ctx, history.SeriesQuery{Range: rng, Step: win.Step, By: history.ByFamily, Threats: true})
			return err
		}},
		{"threats and refusals by client cohort", func(ctx context.Context) error {
			// what the correlation view's cohort table reads: each cohort's
			// threats and outcomes, from the events
			for _, co := range history.Cohorts {
				for _, q := range []history.SeriesQuery{
					{Range: rng, Step: win.Step, By: history.ByLevel, Threats: true, Cohort: co},
					{Range: rng, Step: win.Step, By: history.ByOutcome, Cohort: co},
				} {
					if _, err := s.Series(ctx, q); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"top attacked routes", func(ctx context.Context) error { _, err := s.TopRoutes(ctx, rng, 10); return err }},
		{"top offending clients", func(ctx context.Context) error {
			_, err := s.TopClients(ctx, history.Range{Tenant: tenant, From: cw.From, To: cw.To}, 10)
			return err
		}},
		{"live incidents", func(ctx context.Context) error {
			_, _, err := s.Incidents(ctx, history.Range{Tenant: tenant, From: now.Add(-time.Hour), To: now.Add(time.Minute)}, history.Page{Limit: 20})
			return err
		}},
		{"active decisions", func(ctx context.Context) error { _, err := s.Decisions(ctx, tenant, false); return err }},
		{"instance health", func(ctx context.Context) error { _, err := s.Instances(ctx, tenant); return err }},
		{"client timeline (API)", func(ctx context.Context) error {
			top, err := s.TopClients(ctx, history.Range{Tenant: tenant, From: cw.From, To: cw.To}, 1)
			if err != nil || len(top) == 0 {
				return err
			}
			_, _, err = s.Timeline(ctx, tenant, top[0].Pseudonym, rng, history.Page{Limit: 100})
			return err
		}},
	}
}
