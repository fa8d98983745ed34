package fleet_test

import (
	"context"
	"encoding/base64"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage/fleet"
)

// An instance joins the fleet: its events go to the control plane, and the
// control plane's bans and allow-list entries reach its limiter.
func Example() {
	guard, err := standard.New(standard.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()
	nc, err := fleet.Connect(os.Getenv("NATS_URL")) // reconnects for ever
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	key, err := base64.StdEncoding.DecodeString(os.Getenv("PSEUDONYM_KEY")) // the fleet's shared key
	if err != nil {
		log.Fatal(err)
	}
	names, err := fleet.NewPseudonyms(key, "k1", 0)
	if err != nil {
		log.Fatal(err)
	}
	exp, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Guard: guard})
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = exp.Close(ctx) // publishes what is queued
	}()
	w, err := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Pseudonyms: names, Guard: guard})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	mw, err := middleware.New(guard, middleware.Config{Events: exp})
	if err != nil {
		log.Fatal(err)
	}
	<-w.Ready() // the fleet's decisions at start are in force
	log.Fatal(http.ListenAndServe(":8080", mw.Handler(http.NotFoundHandler())))
}
