package alerting

import "context"

// CONTRACT STUB: the alerting owner replaces this file with the real
// Dispatcher. The exported signatures below are what the middleware uses.

// Config configures a Dispatcher.
type Config struct{}

// Stats counts what a Dispatcher did.
type Stats struct {
	Published, Dropped, Delivered, Failed uint64
}

// Dispatcher correlates events into alerts and delivers them to sinks.
type Dispatcher struct{}

// New returns a started Dispatcher.
func New(cfg Config) (*Dispatcher, error) { return &Dispatcher{}, nil }

// Publish hands e to the dispatcher without blocking. It reports false when
// the queue is full and the event was dropped (and counted).
func (d *Dispatcher) Publish(e Event) bool { return true }

// Stats returns the counters.
func (d *Dispatcher) Stats() Stats { return Stats{} }

// Close flushes what it can before ctx ends and stops the workers.
func (d *Dispatcher) Close(ctx context.Context) error { return nil }
