// Package fleet connects an SDK instance to the control plane
// (examples/controlplane) over NATS JetStream: an Exporter that sends the
// event of every request a Guard decided on, and a Watcher that keeps the
// Guard's limiter in step with the control plane's decisions, so that a
// ban made in its API is enforced by every instance within a second.
//
//	guard, _ := standard.New(standard.Config{})
//	nc, _ := fleet.Connect(os.Getenv("NATS_URL"))           // reconnects for ever
//	names, _ := fleet.NewPseudonyms(deploymentKey, "k1", 0)  // the fleet's shared key
//	exp, _ := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Guard: guard})
//	w, _ := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Pseudonyms: names, Guard: guard})
//	mw, _ := middleware.New(guard, middleware.Config{Events: exp})
//	defer exp.Close(ctx); defer w.Close()
//
// The request path only copies the event into a bounded channel
// (Exporter.Record never blocks); a collector goroutine counts every event
// in per-minute aggregates, samples benign ones, replaces the client key by
// its pseudonym (computed once per client and cached) and batches; a
// publisher goroutine publishes batches and reports with JetStream
// acknowledgements, retrying with the same message id until acknowledged
// (after a failure it backs off: while the connection is down it tries
// again as often as it reconnects, four times a second; when messages go
// unacknowledged, at most every 2 s; a control plane that is down costs
// the instance next to nothing, and Close waits for its context without
// spinning). What cannot be queued is dropped and counted (Stats, and the reports the
// dashboard shows), never silently.
//
// Permissions: the instance's NATS user needs to publish on the subjects
// bulwark.events.>, read its region's decision bucket (KV watch), or with
// WatcherConfig.Aggregate its region's aggregate of every region's
// decisions, and nothing more; it must not be able to write decisions (see
// the control plane's README).
package fleet
