// Package kvcas writes a JetStream key-value entry by compare and set, for
// writers that race on one key (goroutines, control plane replicas,
// regions following each other) and must leave the entry that wins by
// their own rule, not the last write to arrive.
package kvcas

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Write reads key and asks value what to write over what it holds (nil:
// no entry), then writes that only if key still holds what it read.
// value returns nil to write nothing (what is held wins). A write that
// comes between the read and Write's own is no failure: Write reads the
// key again and asks value again, at most attempts times in all, and
// then returns the conflict. It reports whether it wrote.
func Write(ctx context.Context, kv jetstream.KeyValue, key string, attempts int, value func(held []byte) ([]byte, error)) (bool, error) {
	var err error
	for range max(attempts, 1) {
		var rev uint64
		var held []byte
		e, gerr := kv.Get(ctx, key)
		switch {
		case errors.Is(gerr, jetstream.ErrKeyNotFound):
		case gerr != nil:
			return false, gerr
		default:
			rev, held = e.Revision(), e.Value()
		}
		b, verr := value(held)
		if b == nil || verr != nil {
			return false, verr
		}
		if rev == 0 {
			_, err = kv.Create(ctx, key, b)
		} else {
			_, err = kv.Update(ctx, key, b, rev)
		}
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return false, err
		}
	}
	return false, fmt.Errorf("kvcas: %s still contended after %d attempts: %w", key, attempts, err)
}
