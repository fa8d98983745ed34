package kvcas

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/natsembed"
	"github.com/bulwarkhq/bulwark/internal/natstest"
)

// racingKV is a real bucket whose Get, for the first races calls, lets
// another writer put rival at the key after it read: the write that comes
// between Write's read and its own.
type racingKV struct {
	jetstream.KeyValue
	races int
	rival []byte
}

func (r *racingKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	e, err := r.KeyValue.Get(ctx, key)
	if r.races > 0 {
		r.races--
		if _, perr := r.KeyValue.Put(ctx, key, r.rival); perr != nil {
			return nil, perr
		}
	}
	return e, err
}

func pointerBucket(t *testing.T) jetstream.KeyValue {
	t.Helper()
	_, js := natstest.JetStream(t, natsembed.Options{})
	kv, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "pointers-test"})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// TestWriteRereadsAfterARivalWrite: an entry written by someone else
// between Write's read and its write (two peers' follows adopting the
// same model pointer at once) sends it back to compare again, on a real
// JetStream bucket, whose conflict errors are what it must know. Without
// the read again, the control plane's model follow once showed "wrong
// last sequence: key exists" as its error
// (TestRegionsModelPointersReplicate, seldom).
func TestWriteRereadsAfterARivalWrite(t *testing.T) {
	ctx := context.Background()
	const key, tries = "combiner.active", 4
	ours, rival := []byte("v2 from eu"), []byte("v2 from eu, adopted via ap")
	// value writes ours over nothing or over an older pointer, nothing
	// over the rival's (as new as ours)
	var asked [][]byte
	value := func(local []byte) ([]byte, error) {
		asked = append(asked, local)
		if bytes.Equal(local, rival) || bytes.Equal(local, ours) {
			return nil, nil
		}
		return ours, nil
	}

	t.Run("create races a create", func(t *testing.T) {
		asked = nil
		kv := &racingKV{KeyValue: pointerBucket(t), races: 1, rival: rival}
		wrote, err := Write(ctx, kv, key, tries, value)
		if wrote || err != nil {
			t.Fatalf("wrote %v, err %v; want no write and no error: the rival's pointer is as new", wrote, err)
		}
		if len(asked) != 2 || asked[0] != nil || !bytes.Equal(asked[1], rival) {
			t.Errorf("value asked about %q, want nothing, then the rival's pointer", asked)
		}
		if e, err := kv.KeyValue.Get(ctx, key); err != nil || !bytes.Equal(e.Value(), rival) {
			t.Errorf("key holds %v (%v), want the rival's pointer", e, err)
		}
	})

	t.Run("update races an update", func(t *testing.T) {
		asked = nil
		base := pointerBucket(t)
		if _, err := base.Put(ctx, key, []byte("v1")); err != nil {
			t.Fatal(err)
		}
		// the rival writes an older pointer: ours still goes over it
		kv := &racingKV{KeyValue: base, races: 1, rival: []byte("v1 again")}
		wrote, err := Write(ctx, kv, key, tries, value)
		if !wrote || err != nil {
			t.Fatalf("wrote %v, err %v; want ours written over the rival's older pointer", wrote, err)
		}
		if e, err := base.Get(ctx, key); err != nil || !bytes.Equal(e.Value(), ours) {
			t.Errorf("key holds %v (%v), want ours", e, err)
		}
		if len(asked) != 2 || string(asked[0]) != "v1" || string(asked[1]) != "v1 again" {
			t.Errorf("value asked about %q, want v1, then v1 again", asked)
		}
	})

	t.Run("a rival at every read", func(t *testing.T) {
		asked = nil
		base := pointerBucket(t)
		if _, err := base.Put(ctx, key, []byte("v1")); err != nil {
			t.Fatal(err)
		}
		kv := &racingKV{KeyValue: base, races: 1000, rival: []byte("v1 again")}
		wrote, err := Write(ctx, kv, key, tries, value)
		if wrote || !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			t.Fatalf("wrote %v, err %v; want the conflict reported after %d tries", wrote, err, tries)
		}
		if len(asked) != tries {
			t.Errorf("value asked %d times, want %d", len(asked), tries)
		}
	})

	t.Run("value's error", func(t *testing.T) {
		boom := errors.New("peer not reachable")
		wrote, err := Write(ctx, pointerBucket(t), key, tries, func([]byte) ([]byte, error) { return nil, boom })
		if wrote || !errors.Is(err, boom) {
			t.Fatalf("wrote %v, err %v; want %v", wrote, err, boom)
		}
	})
}
