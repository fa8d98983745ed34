package sqlhistory_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

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
