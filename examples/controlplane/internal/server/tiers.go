package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/bulwarkhq/bulwark/internal/history"
)

// ColdRow is one event in a day's Parquet file (the cold tier), readable
// by the trainer with any Parquet reader.
type ColdRow struct {
	ID        string    `parquet:"id"`
	Tenant    string    `parquet:"tenant,dict"`
	Time      int64     `parquet:"time,timestamp(nanosecond)"`
	Pseudonym string    `parquet:"pseudonym"`
	KeyID     string    `parquet:"key_id,dict"`
	Route     string    `parquet:"route,dict"`
	Method    string    `parquet:"method,dict"`
	Outcome   string    `parquet:"outcome,dict"`
	Score     float64   `parquet:"score"`
	Level     string    `parquet:"level,dict"`
	Reasons   []string  `parquet:"reasons,list"`
	Family    string    `parquet:"family,dict"`
	Limiter   string    `parquet:"limiter,dict"`
	Region    string    `parquet:"region,dict"`
	Instance  string    `parquet:"instance,dict"`
	Features  []float32 `parquet:"features,list"`
	Label     string    `parquet:"label,dict"`
	// Since event format 2 (a file written before has none of these
	// columns; its rows read with them zero).
	Param         string  `parquet:"param,dict"`
	Model         string  `parquet:"model,dict"`
	Blocked       bool    `parquet:"blocked"`
	Shadow        string  `parquet:"shadow,dict"`
	ShadowScore   float64 `parquet:"shadow_score"`
	ShadowRefused bool    `parquet:"shadow_refused"`
}

// coldTier writes one Parquet file a day once the day is over, and
// applies retention: warm days beyond WarmDays are dropped (after their
// file is written), files beyond ColdDays are deleted.
type coldTier struct {
	dir   string
	store history.Store
	cfg   *Config
}

func (c *coldTier) run(ctx context.Context, now func() time.Time) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := c.pass(ctx, now()); err != nil && ctx.Err() == nil {
			c.cfg.Logger.Warn("controlplane: tiers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ColdFile is the path of a day's Parquet file.
func (c *coldTier) file(day time.Time) string {
	return filepath.Join(c.dir, "events-"+day.UTC().Format("2006-01-02")+".parquet")
}

// pass exports finished days (an hour after midnight, for late events)
// and applies retention.
func (c *coldTier) pass(ctx context.Context, now time.Time) error {
	days, err := c.store.Days(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range days {
		if now.Sub(d) < 25*time.Hour {
			continue
		}
		if _, err := os.Stat(c.file(d)); errors.Is(err, os.ErrNotExist) {
			if err := c.export(ctx, d); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if now.Sub(d) > time.Duration(c.cfg.WarmDays)*24*time.Hour {
			errs = append(errs, c.store.DropDay(ctx, d))
		}
	}
	errs = append(errs, c.store.Prune(ctx, now.Add(-time.Hour)))
	// the per-minute aggregates: as long as the warm days, and at least
	// the dashboard's longest range (7 days) and a day
	errs = append(errs, c.store.PruneMinutes(ctx, now.Add(-time.Duration(max(c.cfg.WarmDays, 8))*24*time.Hour)))
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		name := e.Name()
		ds, ok := strings.CutPrefix(strings.TrimSuffix(name, ".parquet"), "events-")
		if !ok {
			continue
		}
		if d, err := time.Parse("2006-01-02", ds); err == nil && now.Sub(d) > time.Duration(c.cfg.ColdDays)*24*time.Hour {
			errs = append(errs, os.Remove(filepath.Join(c.dir, name)))
		}
	}
	return errors.Join(errs...)
}

// export writes a day's events to its Parquet file (through a temporary
// file, renamed once complete).
func (c *coldTier) export(ctx context.Context, day time.Time) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	tmp := c.file(day) + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	w := parquet.NewGenericWriter[ColdRow](f, parquet.Compression(&parquet.Zstd))
	buf := make([]ColdRow, 0, 1024)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	err = c.store.ScanDay(ctx, day, func(e *history.Event) error {
		buf = append(buf, coldRow(e))
		if len(buf) == cap(buf) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cold export %s: %w", day.Format("2006-01-02"), err)
	}
	return os.Rename(tmp, c.file(day))
}

func coldRow(e *history.Event) ColdRow {
	return ColdRow{ID: e.ID.String(), Tenant: e.Tenant, Time: e.Time.UnixNano(), Pseudonym: e.Pseudonym, KeyID: e.KeyID,
		Route: e.Route, Method: e.Method, Outcome: e.Outcome, Score: e.Score, Level: e.Level, Reasons: e.Reasons,
		Family: e.Family, Limiter: e.Limiter, Region: e.Region, Instance: e.Instance, Features: e.Features, Label: e.Label,
		Param: e.Param, Model: e.Model, Blocked: e.Blocked, Shadow: e.Shadow, ShadowScore: e.ShadowScore, ShadowRefused: e.ShadowRefused}
}

// erase rewrites every cold file without pseudonym's rows; it returns the
// rows removed.
func (c *coldTier) erase(pseudonym string) (int, error) {
	files, _ := filepath.Glob(filepath.Join(c.dir, "events-*.parquet"))
	sort.Strings(files)
	removed := 0
	for _, p := range files {
		rows, err := parquet.ReadFile[ColdRow](p)
		if err != nil {
			return removed, fmt.Errorf("%s: %w", p, err)
		}
		kept := rows[:0]
		for _, r := range rows {
			if r.Pseudonym != pseudonym {
				kept = append(kept, r)
			}
		}
		if len(kept) == len(rows) {
			continue
		}
		removed += len(rows) - len(kept)
		tmp := p + ".tmp"
		if err := parquet.WriteFile(tmp, kept, parquet.Compression(&parquet.Zstd)); err != nil {
			_ = os.Remove(tmp)
			return removed, err
		}
		if err := os.Rename(tmp, p); err != nil {
			return removed, err
		}
	}
	return removed, nil
}
