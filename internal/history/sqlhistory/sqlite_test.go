package sqlhistory_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/history/historytest"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
)

func TestSQLite(t *testing.T) {
	paths := map[history.Store]string{}
	historytest.Run(t, historytest.Backend{
		New: func(t *testing.T) history.Store {
			p := filepath.Join(t.TempDir(), "history.db")
			s, err := sqlhistory.OpenSQLite(context.Background(), p, sqlhistory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			paths[s] = p
			return s
		},
		Tamper: func(t *testing.T, s history.Store, how string, seq int64) error {
			db, err := sql.Open("sqlite", paths[s])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			switch how {
			case "update":
				_, err = db.Exec("UPDATE audit SET actor = 'mallory' WHERE seq = ?", seq)
				return err
			case "change":
				return exec(db, "DROP TRIGGER audit_append_only_u", fmt.Sprintf("UPDATE audit SET actor = 'mallory' WHERE seq = %d", seq))
			default:
				return exec(db, "DROP TRIGGER audit_append_only_d", fmt.Sprintf("DELETE FROM audit WHERE seq = %d", seq))
			}
		},
	})
}

func exec(db *sql.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return err
		}
	}
	return nil
}

// TestLabelledBeforeCopies: a label made before labels kept a copy of
// their event (migration 4) is read from its day's table, and skipped
// once retention drops the day.
func TestLabelledBeforeCopies(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "history.db")
	s, err := sqlhistory.OpenSQLite(ctx, p, sqlhistory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := historytest.Day
	b := &event.Batch{Tenant: "default", Instance: "i1", KeyID: "k1"}
	for i := range 2 {
		at := day.Add(time.Duration(i) * 24 * time.Hour)
		b.Events = append(b.Events, event.Event{ID: event.MakeID(at, 1, uint64(i)), Time: at, Pseudonym: "aaaa", Route: "/search",
			Outcome: event.OutcomeBlocked, Score: 0.9, Level: "high", Family: "xss", Reasons: [event.MaxReasons]string{"xss.event_handler"}})
	}
	if _, err := s.Ingest(ctx, []*event.Batch{b}, nil); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.Events {
		if err := s.Label(ctx, "default", e.ID, "benign", history.Audit{Tenant: "default", Actor: "a", Action: "event.label"}); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := exec(db, "UPDATE labels SET data = NULL"); err != nil {
		t.Fatal(err)
	}
	labelled := func() (out []history.Event) {
		t.Helper()
		if err := s.Labelled(ctx, "default", func(e *history.Event) error { out = append(out, *e); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := labelled(); len(got) != 2 || got[0].Label != "benign" || len(got[0].Reasons) != 1 || got[1].ID != b.Events[1].ID {
		t.Fatalf("labels without copies: %+v", got)
	}
	if err := s.DropDay(ctx, day); err != nil {
		t.Fatal(err)
	}
	if got := labelled(); len(got) != 1 || got[0].ID != b.Events[1].ID {
		t.Fatalf("after the first day's drop: %+v", got)
	}
}
