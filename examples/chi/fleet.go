package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/storage/fleet"
)

// version is what the instance reports to the control plane.
const version = "examples/chi"

// connectFleet links the instance to the control plane when cfg.NATSURL is
// set: an exporter for its events and a watcher for the decisions. The
// pseudonym key comes from BULWARK_PSEUDONYM_KEY (hex) or the key file,
// created on first use, so that instances started from one directory share
// it (every instance of a deployment must hold the same key).
func connectFleet(cfg config, guard *bulwark.Guard, logger *slog.Logger) (*fleet.Exporter, func(context.Context) error, error) {
	key, err := pseudonymKey(cfg)
	if err != nil {
		return nil, nil, err
	}
	names, err := fleet.NewPseudonyms(key, cfg.KeyID, 0)
	if err != nil {
		return nil, nil, err
	}
	nc, err := fleet.Connect(cfg.NATSURL, nats.Name("bulwark-examples-chi-"+cfg.Instance))
	if err != nil {
		return nil, nil, fmt.Errorf("NATS_URL: %w", err)
	}
	exp, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Instance: cfg.Instance, Region: cfg.Region,
		Version: version, SampleRate: cfg.SampleRate, Guard: guard})
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	w, err := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: guard, Pseudonyms: names, Region: cfg.Region, Aggregate: cfg.Aggregate,
		ModelKeys: cfg.ModelKeys, Logger: logger, Exporter: exp})
	if err != nil {
		_ = exp.Close(context.Background())
		nc.Close()
		return nil, nil, err
	}
	closer := func(ctx context.Context) error {
		errs := []error{w.Close(), exp.Close(ctx)}
		nc.Close()
		return errors.Join(errs...)
	}
	return exp, closer, nil
}

func pseudonymKey(cfg config) ([]byte, error) {
	if s := os.Getenv("BULWARK_PSEUDONYM_KEY"); s != "" {
		k, err := hex.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("BULWARK_PSEUDONYM_KEY: hex: %w", err)
		}
		return k, nil
	}
	if b, err := os.ReadFile(cfg.KeyFile); err == nil {
		return hex.DecodeString(strings.TrimSpace(string(b)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	dir := filepath.Dir(cfg.KeyFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Written whole to a temporary file, then linked into place: link
	// fails when the name exists, so two instances starting together keep
	// the first one's key, and neither can read a half-written file.
	f, err := os.CreateTemp(dir, ".pseudonym-key-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.WriteString(hex.EncodeToString(k) + "\n")
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return nil, err
	}
	if err := os.Link(tmp, cfg.KeyFile); errors.Is(err, os.ErrExist) {
		return pseudonymKey(cfg)
	} else if err != nil {
		return nil, err
	}
	return k, nil
}
