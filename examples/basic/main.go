// Command basic is a net/http (no router library) API protected by
// bulwark, in memory by default, on Redis when REDIS_URL is set.
//
//	go run ./examples/basic
//	curl -i 'http://127.0.0.1:8080/search?q=%3Cscript%3Ealert(1)%3C/script%3E'
//
// Environment: PORT (default 8080), REDIS_URL, BULWARK=off, RATE ("600-M"),
// LOGIN_RATE ("5-M").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratelimitstd "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

type config struct {
	Port      string
	RedisURL  string
	Protect   bool
	Rate      string
	LoginRate string
}

func configFromEnv() config {
	return config{
		Port:      env("PORT", "8080"),
		RedisURL:  os.Getenv("REDIS_URL"),
		Protect:   !strings.EqualFold(os.Getenv("BULWARK"), "off"),
		Rate:      env("RATE", "600-M"),
		LoginRate: env("LOGIN_RATE", "5-M"),
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newServer returns the protected handler and a function that releases
// what the protection holds.
func newServer(cfg config) (http.Handler, func() error, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"q": r.URL.Query().Get("q"), "results": []string{}})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("user") == "demo" && r.FormValue("password") == "demo" {
			writeJSON(w, http.StatusOK, map[string]string{"token": "demo-token"})
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid credentials"})
	})
	mux.HandleFunc("GET /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	if !cfg.Protect {
		return mux, func() error { return nil }, nil
	}
	var store storage.Store // nil: the limiter's in-memory default
	closeRedis := func() error { return nil }
	if cfg.RedisURL != "" {
		opts, err := libredis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		client := libredis.NewClient(opts)
		closeRedis = client.Close
		if store, err = redisstore.New(client, redisstore.Config{Prefix: "bulwark:example-basic:"}); err != nil {
			_ = client.Close()
			return nil, nil, err
		}
	}
	guard, err := standard.New(standard.Config{
		Guard: bulwark.Config{Routes: map[string]bulwark.Route{"POST /login": {Group: "login", CountBy: "user"}}},
		Limiter: ratelimitstd.Config{Limiter: ratelimit.Config{
			Rate:   cfg.Rate,
			Groups: map[string]string{"login": cfg.LoginRate, "login#user": cfg.LoginRate},
			Store:  store,
		}},
	})
	if err != nil {
		_ = closeRedis()
		return nil, nil, err
	}
	mw, err := middleware.New(guard, middleware.Config{
		Skip:    []string{"/healthz"},
		Pattern: middleware.ServeMuxPattern(mux),
	})
	if err != nil {
		_ = guard.Close()
		_ = closeRedis()
		return nil, nil, err
	}
	closeAll := func() error { return errors.Join(guard.Close(), closeRedis()) }
	return mw.Handler(mux), closeAll, nil
}

func main() {
	cfg := configFromEnv()
	h, closeAll, err := newServer(cfg)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: ":" + cfg.Port, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Printf("listening on %s (protected: %v)", srv.Addr, cfg.Protect)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	if err := closeAll(); err != nil {
		log.Print(err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
