package server

import (
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
)

// coldRowV1 is ColdRow as event format 1 wrote it, for the files written
// before the format 2 columns.
type coldRowV1 struct {
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
}

// TestColdTierKeepsEveryField: a finished day's Parquet file holds every
// field of its events, the model fields of event format 2 included;
// erasing a client rewrites the files without its rows, a file written
// before those columns included; retention drops the warm day once its
// file is written and deletes files past ColdDays.
func TestColdTierKeepsEveryField(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlhistory.OpenSQLite(ctx, filepath.Join(dir, "history.db"), sqlhistory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	b := &event.Batch{Tenant: "default", Region: "eu", Instance: "api-1", KeyID: "k1"}
	for i := range 10 {
		at := day.Add(time.Duration(i) * time.Hour)
		e := event.Event{ID: event.MakeID(at, 7, uint64(i)), Time: at, Pseudonym: "aaaa", Route: "/search", Method: "GET",
			Outcome: event.OutcomeAllowed, Score: 0.01, Level: "none", Limiter: "allow"}
		if i%2 == 1 {
			e.Pseudonym, e.Outcome, e.Score, e.Level, e.Family, e.Param = "bbbb", event.OutcomeBlocked, 0.93, "critical", "sqli", "q"
			e.Reasons = [event.MaxReasons]string{"sqli.libinjection"}
			e.Features = []float32{1, 2, 3}
			e.Model, e.Blocked, e.Shadow, e.ShadowScore, e.ShadowRefused = "v2", true, "v3", 0.41, false
			e.Limiter = ""
		}
		b.Events = append(b.Events, e)
	}
	if _, err := st.Ingest(ctx, []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Logger: slog.New(slog.DiscardHandler), WarmDays: 8, ColdDays: 90}
	c := &coldTier{dir: filepath.Join(dir, "cold"), store: st, cfg: cfg}

	// the day is over: its file is written, the warm day kept
	if err := c.pass(ctx, day.Add(26*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[ColdRow](c.file(day))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 {
		t.Fatalf("%d rows in the day's file, want 10", len(rows))
	}
	var stored []*history.Event
	if err := st.ScanDay(ctx, day, func(e *history.Event) error { stored = append(stored, e); return nil }); err != nil {
		t.Fatalf("the warm day after its export: %v", err)
	}
	for i, r := range rows {
		want := coldRow(stored[i])
		if r.ID != want.ID || r.Param != want.Param || r.Model != want.Model || r.Blocked != want.Blocked || r.Shadow != want.Shadow ||
			r.ShadowScore != want.ShadowScore || r.ShadowRefused != want.ShadowRefused || r.Score != want.Score || len(r.Features) != len(want.Features) {
			t.Errorf("row %d: %+v, want %+v", i, r, want)
		}
	}
	if r := rows[1]; r.Param != "q" || r.Model != "v2" || !r.Blocked || r.Shadow != "v3" || math.Abs(r.ShadowScore-0.41) > 1e-6 { // events carry scores as float32
		t.Errorf("a blocked event's row lost its format 2 fields: %+v", r)
	}

	// a file of the days before the format 2 columns
	old := day.Add(-24 * time.Hour)
	v1 := []coldRowV1{{ID: "old-1", Tenant: "default", Pseudonym: "aaaa", Outcome: "allowed"}, {ID: "old-2", Tenant: "default", Pseudonym: "bbbb", Outcome: "blocked", Family: "sqli"}}
	if err := parquet.WriteFile(c.file(old), v1); err != nil {
		t.Fatal(err)
	}
	if got, err := parquet.ReadFile[ColdRow](c.file(old)); err != nil || len(got) != 2 || got[1].Family != "sqli" || got[1].Model != "" {
		t.Fatalf("reading a format 1 file: %+v %v", got, err)
	}
	removed, err := c.erase("bbbb")
	if err != nil || removed != 6 {
		t.Fatalf("erase: %d rows, %v; want 6 (5 of the day, 1 of the old file)", removed, err)
	}
	for _, d := range []time.Time{old, day} {
		got, err := parquet.ReadFile[ColdRow](c.file(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.Pseudonym == "bbbb" {
				t.Errorf("%s still holds the erased client: %+v", d.Format("2006-01-02"), r)
			}
		}
	}

	// retention: past WarmDays the warm day goes (its file stays); past
	// ColdDays the files go
	if err := c.pass(ctx, day.Add(9*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.ScanDay(ctx, day, func(*history.Event) error { return nil }); err == nil {
		t.Error("the warm day is still there past WarmDays")
	}
	if _, err := os.Stat(c.file(day)); err != nil {
		t.Errorf("the day's file went with the warm day: %v", err)
	}
	if err := c.pass(ctx, day.Add(91*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Time{old, day} {
		if _, err := os.Stat(c.file(d)); !os.IsNotExist(err) {
			t.Errorf("%s's file is still there past ColdDays: %v", d.Format("2006-01-02"), err)
		}
	}
}
