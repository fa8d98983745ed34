// Command chi is a small API protected by bulwark: a chi router with a
// login, a search and a JSON API, in memory by default, on Redis when
// REDIS_URL is set.
//
//	go run ./examples/chi
//	curl -i 'http://127.0.0.1:8080/search?q=1%27%20OR%201=1--'
//
// Environment: PORT (default 8080), REDIS_URL (share limits through Redis),
// BULWARK=off (serve unprotected, for load comparisons), BULWARK_MODE=shadow
// (score and alert, never refuse), RATE (default per-client rate, "600-M"),
// LOGIN_RATE (rate of POST /login per client, "5-M"), TRUSTED_PROXIES
// (comma-separated CIDRs whose X-Forwarded-For is believed). With NATS_URL
// the instance sends its events to the control plane (examples/controlplane)
// and enforces its decisions: INSTANCE names it (default "chi-" and the
// port), REGION its region ("local"), SAMPLE_RATE the share of benign
// requests kept in the history (0.1), BULWARK_PSEUDONYM_KEY (hex) or the
// file PSEUDONYM_KEY_FILE (data/pseudonym.key, created if missing) the
// deployment's pseudonym key, PSEUDONYM_KEY_ID its id ("k1"),
// DECISIONS=aggregate (when the control plane runs as one of several
// regions, REGIONS) the decisions of every region, merged, instead of its
// own region's only; MODEL_KEYS (the control plane prints it) the keys
// whose signed combiner models it swaps in.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratelimitstd "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// config is what the example reads from its environment.
type config struct {
	Port           string
	RedisURL       string
	RedisPrefix    string
	Protect        bool
	Shadow         bool
	Rate           string
	LoginRate      string
	TrustedProxies []string

	NATSURL    string
	Instance   string
	Region     string
	Aggregate  bool   // DECISIONS=aggregate: every region's decisions
	ModelKeys  string // MODEL_KEYS: follow the combiner models signed by these keys
	SampleRate float64
	KeyFile    string
	KeyID      string
}

func configFromEnv() config {
	c := config{
		Port:        env("PORT", "8080"),
		RedisURL:    os.Getenv("REDIS_URL"),
		RedisPrefix: "bulwark:example:",
		Protect:     !strings.EqualFold(os.Getenv("BULWARK"), "off"),
		Shadow:      strings.EqualFold(os.Getenv("BULWARK_MODE"), "shadow"),
		Rate:        env("RATE", "600-M"),
		LoginRate:   env("LOGIN_RATE", "5-M"),
	}
	c.NATSURL = os.Getenv("NATS_URL")
	c.Instance = env("INSTANCE", "chi-"+c.Port)
	c.Region = os.Getenv("REGION")
	c.Aggregate = strings.EqualFold(os.Getenv("DECISIONS"), "aggregate")
	c.ModelKeys = os.Getenv("MODEL_KEYS")
	c.KeyFile = env("PSEUDONYM_KEY_FILE", "data/pseudonym.key")
	c.KeyID = env("PSEUDONYM_KEY_ID", "k1")
	if v, err := strconv.ParseFloat(os.Getenv("SAMPLE_RATE"), 64); err == nil {
		c.SampleRate = v
	}
	if s := os.Getenv("TRUSTED_PROXIES"); s != "" {
		c.TrustedProxies = strings.Split(s, ",")
	}
	return c
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// server is the example's handler and what must be closed after it.
type server struct {
	http.Handler
	closers []func(context.Context) error
}

// Close releases the Guard (engine and limiter), the alert dispatcher and
// the store.
func (s *server) Close(ctx context.Context) error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i](ctx))
	}
	return errors.Join(errs...)
}

// newServer builds the routes and, unless cfg.Protect is false, mounts
// bulwark in front of them.
func newServer(cfg config, logger *slog.Logger) (*server, error) {
	r := chi.NewRouter()
	s := &server{Handler: r}
	if cfg.Protect {
		store, closeStore, err := newStore(cfg)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, closeStore)
		// The zero alerting.Config groups events per client into incidents
		// and logs them through slog.Default, with pseudonymised clients.
		alerts, err := alerting.New(alerting.Config{})
		if err != nil {
			_ = s.Close(context.Background())
			return nil, err
		}
		s.closers = append(s.closers, alerts.Close)
		guard, err := standard.New(standard.Config{
			Guard: bulwark.Config{
				Alerts: alerts,
				Shadow: cfg.Shadow,
				Routes: map[string]bulwark.Route{
					// logins are counted by client and by account name
					"/login": {Group: "login", CountBy: "user"},
				},
			},
			Limiter: ratelimitstd.Config{Limiter: ratelimit.Config{
				Rate:   cfg.Rate,
				Groups: map[string]string{"login": cfg.LoginRate, "login#user": cfg.LoginRate},
				Store:  store, // nil: in memory only
			}},
		})
		if err != nil {
			_ = s.Close(context.Background())
			return nil, err
		}
		s.closers = append(s.closers, func(context.Context) error { return guard.Close() })
		var events middleware.Events
		if cfg.NATSURL != "" {
			exp, closeFleet, err := connectFleet(cfg, guard, logger)
			if err != nil {
				_ = s.Close(context.Background())
				return nil, err
			}
			s.closers = append(s.closers, closeFleet)
			events = exp
		}
		mw, err := middleware.New(guard, middleware.Config{
			Events:         events,
			TrustedProxies: cfg.TrustedProxies,
			Skip:           []string{"/healthz"},
			Pattern:        chiroute.Before(r),
			PatternAfter:   chiroute.After,
		})
		if err != nil {
			_ = s.Close(context.Background())
			return nil, err
		}
		r.Use(mw.Handler)
	}
	routes(r, logger)
	return s, nil
}

func main() {
	cfg := configFromEnv()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(logger) // the alert dispatcher's default sink logs through slog.Default
	s, err := newServer(cfg, logger)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              ":" + cfg.Port,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	logger.Info("listening", "addr", srv.Addr, "protected", cfg.Protect, "shadow", cfg.Shadow, "redis", cfg.RedisURL != "")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Close(shut); err != nil {
		logger.Error("close", "err", err)
	}
}

// newStore returns the Redis store when cfg.RedisURL is set, or nil (the
// limiter's in-memory default), and a function that closes the client.
func newStore(cfg config) (storage.Store, func(context.Context) error, error) {
	if cfg.RedisURL == "" {
		return nil, func(context.Context) error { return nil }, nil
	}
	opts, err := libredis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	client := libredis.NewClient(opts)
	store, err := redisstore.New(client, redisstore.Config{Prefix: cfg.RedisPrefix})
	if err != nil {
		_ = client.Close()
		return nil, nil, err
	}
	return store, func(context.Context) error { return client.Close() }, nil
}
