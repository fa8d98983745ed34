package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage/fleet"
	"github.com/bulwarkhq/bulwark/threat"
)

// pseudonymKey is the deployment's pseudonym key for the replay's fleet.
var pseudonymKey = []byte("replay-pseudonym-key-0123456789ab")

// appHeader is set by the application's handlers: a response without it
// was refused by the middleware before the application saw the request.
const appHeader = "X-Replay-App"

// instance is one SDK instance: the default Guard behind the middleware,
// exporting its events to the control plane and watching its decisions
// and combiner models, in front of a chi router with the data set's
// routes (the shape of examples/chi).
type instance struct {
	name    string
	guard   *bulwark.Guard
	names   *fleet.Pseudonyms
	handler http.Handler
	watch   *fleet.Watcher
	close   func()
}

func newInstance(natsURL, name, modelKeys string, canary float64, logger *slog.Logger) (*instance, error) {
	names, err := fleet.NewPseudonyms(pseudonymKey, "k1", 0)
	if err != nil {
		return nil, err
	}
	nc, err := fleet.Connect(natsURL)
	if err != nil {
		return nil, err
	}
	// every request comes from a fresh client: a per-client rate this high
	// never refuses one
	lim, err := ratestandard.New(ratestandard.Config{Limiter: ratelimit.Config{Rate: "100000-M"}})
	if err != nil {
		nc.Close()
		return nil, err
	}
	guard, err := standard.New(standard.Config{Guard: bulwark.Config{Limiter: lim}})
	if err != nil {
		nc.Close()
		return nil, err
	}
	in := &instance{name: name, guard: guard, names: names}
	exp, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Guard: guard, Instance: name,
		Version: "replay", SampleRate: 1, AckTimeout: 5 * time.Second})
	if err == nil {
		in.watch, err = fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: guard, Pseudonyms: names, Logger: logger,
			ModelKeys: modelKeys, CanaryFraction: canary, Exporter: exp})
	}
	if err != nil {
		_ = guard.Close()
		nc.Close()
		return nil, err
	}
	in.close = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = in.watch.Close()
		_ = exp.Close(ctx)
		_ = guard.Close()
		nc.Close()
	}
	r := chi.NewRouter()
	mw, err := middleware.New(guard, middleware.Config{Events: exp, Pattern: chiroute.Before(r), PatternAfter: chiroute.After,
		TrustedProxies: []string{"127.0.0.0/8"}})
	if err != nil {
		in.close()
		return nil, err
	}
	r.Use(mw.Handler)
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(appHeader, "1")
		_, _ = w.Write([]byte("ok"))
	}
	// the routes of the labelled data sets; the rest (payloads in the
	// path) reach the not-found handler, which is the application too
	r.Get("/search", ok)
	r.Get("/api/items", ok)
	r.Post("/api/items", ok)
	r.Get("/api/items/{id}", ok)
	r.Post("/api/notes", ok)
	r.Post("/comments", ok)
	r.Post("/upload", ok)
	r.Post("/login", ok)
	r.NotFound(ok)
	r.MethodNotAllowed(ok)
	in.handler = r
	return in, nil
}

// serve sends row from client (through the trusted loopback proxy) and
// reports whether the middleware refused it.
func (in *instance) serve(row *labelled.Row, client string) bool {
	req := row.Request()
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("X-Forwarded-For", client)
	w := httptest.NewRecorder()
	in.handler.ServeHTTP(w, req)
	return w.Header().Get(appHeader) == ""
}

// models are the versions of the combiner models the instance runs.
func (in *instance) models() (active, shadow, canary string) {
	h := in.guard.Engine().(*threat.Engine).Models()
	active = h.Active().Version()
	if m, ok := h.Challenger(); ok {
		shadow = m.Version()
	}
	if m, _, ok := h.Canary(); ok {
		canary = m.Version()
	}
	return active, shadow, canary
}

// clients hands out a fresh client address a call, so that no penalty
// box, ban or rate ever carries over from one request to the next.
type clients struct{ n int }

func (c *clients) next() string {
	c.n++
	return fmt.Sprintf("10.%d.%d.%d", c.n>>16&0xff, c.n>>8&0xff, c.n&0xff)
}
