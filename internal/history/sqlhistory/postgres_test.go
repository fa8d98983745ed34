package sqlhistory_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/history/historytest"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
)

// PostgresURL returns DATABASE_URL when PostgreSQL answers there. Under
// CI=true an unreachable database fails the test; otherwise it skips with
// instructions.
func postgresURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	db, err := sql.Open("pgx", url)
	if err == nil {
		err = db.PingContext(context.Background())
		_ = db.Close()
	}
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL not reachable at %s (%v): start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL", url, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return url
}

func TestPostgres(t *testing.T) {
	url := postgresURL(t)
	schemas := map[history.Store]string{}
	historytest.Run(t, historytest.Backend{
		New: func(t *testing.T) history.Store {
			var b [6]byte
			_, _ = rand.Read(b[:])
			schema := "bwtest_" + hex.EncodeToString(b[:])
			s, err := sqlhistory.OpenPostgres(context.Background(), url, sqlhistory.Options{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			schemas[s] = schema
			t.Cleanup(func() {
				_ = s.Close()
				db, err := sql.Open("pgx", url)
				if err == nil {
					_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
					_ = db.Close()
				}
			})
			return s
		},
		Tamper: func(t *testing.T, s history.Store, how string, seq int64) error {
			db, err := sql.Open("pgx", url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			tbl := schemas[s] + ".audit"
			switch how {
			case "update":
				_, err = db.Exec(fmt.Sprintf("UPDATE %s SET actor = 'mallory' WHERE seq = %d", tbl, seq))
				return err
			case "change":
				return exec(db, "ALTER TABLE "+tbl+" DISABLE TRIGGER ALL", fmt.Sprintf("UPDATE %s SET actor = 'mallory' WHERE seq = %d", tbl, seq))
			default:
				return exec(db, "ALTER TABLE "+tbl+" DISABLE TRIGGER ALL", fmt.Sprintf("DELETE FROM %s WHERE seq = %d", tbl, seq))
			}
		},
	})
}
