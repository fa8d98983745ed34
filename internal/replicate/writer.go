package replicate

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/kvcas"
)

// rmPrefix starts the key of a remove of another region's allow-list add:
// "rm.<origin>.<type>.<base64url>".
const rmPrefix = "rm"

// RemoveKey is the key, in the remover's own bucket, of the remove of
// origin's allow-list add of t.
func RemoveKey(origin string, t decision.Target) string {
	return rmPrefix + "." + origin + "." + string(t.Type) + "." + base64.RawURLEncoding.EncodeToString([]byte(t.Value))
}

// Removes returns what region writes, besides the tombstone of its own
// allow key, to take e's target off the allow-list as e shows it: for
// every other region's add, a tombstone carrying that add's Dot, to store
// under RemoveKey(v.Origin, v.Target). Adds e does not hold (made
// concurrently elsewhere) are not removed.
func Removes(region string, e Entry) []decision.Value {
	var rms []decision.Value
	for _, a := range e.Allows {
		if a.Origin == region {
			continue // the region's tombstone of its own key covers it
		}
		rms = append(rms, decision.Value{Target: e.Target, Action: decision.Allow, Origin: a.Origin, Stamp: a.Stamp, Tombstone: true})
	}
	return rms
}

// Writer writes one region's decisions into that region's bucket, and
// nowhere else. It is safe for concurrent use.
type Writer struct {
	region string
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	clock  *decision.Clock
}

// NewWriter opens region's bucket (Configure creates it) on js, the
// region's own JetStream. clock stamps the writes; give the region's
// Reader the same clock, so that a write follows every value the region
// has seen. Nil: a new clock on time.Now.
func NewWriter(ctx context.Context, js jetstream.JetStream, region string, clock *decision.Clock) (*Writer, error) {
	if err := ValidRegion(region); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = decision.NewClock(nil)
	}
	kv, err := js.KeyValue(ctx, RegionBucket(region))
	if err != nil {
		return nil, fmt.Errorf("replicate: region %s: open bucket: %w", region, err)
	}
	return &Writer{region: region, js: js, kv: kv, clock: clock}, nil
}

// Put stamps v with the region and the clock, validates it and stores it,
// unless a concurrent writer of the region stored a newer value of its key
// meanwhile (v then lost as last-writer-wins says). It returns v stamped.
func (w *Writer) Put(ctx context.Context, v decision.Value) (*decision.Value, error) {
	v.Origin, v.Stamp = w.region, w.clock.Now()
	if err := w.put(ctx, v.Key(), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Unban writes the tombstone of t's deny key (ban or throttle).
func (w *Writer) Unban(ctx context.Context, t decision.Target) (*decision.Value, error) {
	return w.Put(ctx, decision.Value{Target: t, Action: decision.Ban, Tombstone: true})
}

// RemoveAllow removes t from the allow-list as this region sees it: it
// tombstones its own add and, for every other region's add that view
// holds, records the remove of that add's Dot. An add that view has not
// seen (made concurrently elsewhere) survives. It returns the dots removed.
func (w *Writer) RemoveAllow(ctx context.Context, view *Reader, t decision.Target) ([]decision.Dot, error) {
	var dots []decision.Dot
	if view != nil {
		for _, rm := range Removes(w.region, view.Entry(t)) {
			if err := w.put(ctx, RemoveKey(rm.Origin, t), &rm); err != nil {
				return dots, err
			}
			dots = append(dots, decision.Dot{Origin: rm.Origin, Stamp: rm.Stamp})
		}
	}
	v, err := w.Put(ctx, decision.Value{Target: t, Action: decision.Allow, Tombstone: true})
	if err != nil {
		return dots, err
	}
	return append(dots, decision.Dot{Origin: v.Origin, Stamp: v.Stamp}), nil
}

// put stores v under key unless the key holds a value that wins over it.
// It compares and sets, so that writers racing in one region (goroutines
// or control plane replicas) leave the bucket with the last writer by
// stamp, not the last to arrive: the bucket keeps one value a key, and
// the aggregate only the latest.
func (w *Writer) put(ctx context.Context, key string, v *decision.Value) error {
	if err := v.Validate(); err != nil {
		return fmt.Errorf("replicate: %s: %w", key, err)
	}
	b, err := v.Marshal()
	if err != nil {
		return fmt.Errorf("replicate: %s: %w", key, err)
	}
	_, err = kvcas.Write(ctx, w.kv, key, maxAttempts, func(held []byte) ([]byte, error) {
		if held != nil {
			if cur, err := decision.Unmarshal(held); err == nil && decision.Merge(cur, v) == cur {
				return nil, nil // a newer value is there: v is written and superseded
			}
		}
		return b, nil
	})
	if err != nil {
		return fmt.Errorf("replicate: region %s: put %s: %w", w.region, key, err)
	}
	return nil
}

// maxAttempts bounds the compare-and-set retries of one put.
const maxAttempts = 100

// WaitReplicated waits until the aggregate of every region in peers holds
// v (a value this Writer stored) or a later value of its key, polling each
// peer's aggregate through its domain. It is the synchronous mode: a
// caller that waits for it before acknowledging a decision loses nothing
// when this region dies right after, at the price of a round trip.
func (w *Writer) WaitReplicated(ctx context.Context, v *decision.Value, peers ...string) error {
	return WaitReplicated(ctx, w.js, w.region, v, peers...)
}

// WaitReplicated is Writer.WaitReplicated for v, written by region origin
// into its bucket through js's connection by any writer (a control plane
// that stores to its bucket itself).
func WaitReplicated(ctx context.Context, js jetstream.JetStream, origin string, v *decision.Value, peers ...string) error {
	key := origin + "." + v.Key()
	for _, p := range peers {
		if err := ValidRegion(p); err != nil {
			return err
		}
		pjs, err := jetstream.NewWithDomain(js.Conn(), p)
		if err != nil {
			return fmt.Errorf("replicate: region %s: %w", p, err)
		}
		var kv jetstream.KeyValue
		for {
			if kv == nil {
				kv, err = pjs.KeyValue(ctx, AggregateBucket)
			}
			if kv != nil {
				var e jetstream.KeyValueEntry
				if e, err = kv.Get(ctx, key); err == nil {
					if got, uerr := decision.Unmarshal(e.Value()); uerr == nil && !v.Newer(got) {
						break
					}
				}
			}
			if errors.Is(err, jetstream.ErrBucketNotFound) {
				kv = nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("replicate: %s not yet in region %s (last error: %v): %w", key, p, err, ctx.Err())
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return nil
}
