package artefact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Buckets of the distribution: payloads by hash, pointers by kind.stage.
const (
	ObjectBucket  = "bulwark_models"
	PointerBucket = "bulwark_model_stages"
)

// Ensure creates the two buckets if they do not exist (the control plane
// calls it; SDK credentials need only read them).
func Ensure(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, jetstream.KeyValue, error) {
	obs, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: ObjectBucket,
		Description: "bulwark model artefacts by SHA-256", Storage: jetstream.FileStorage})
	if err != nil {
		return nil, nil, fmt.Errorf("artefact: object store: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: PointerBucket,
		Description: "bulwark model stage pointers (signed manifests)", History: 16, Storage: jetstream.FileStorage})
	if err != nil {
		return nil, nil, fmt.Errorf("artefact: pointers: %w", err)
	}
	return obs, kv, nil
}

// PointerKey is the key of kind's stage pointer.
func PointerKey(kind, stage string) string { return kind + "." + stage }

func checkStage(stage string) error {
	if !slices.Contains(Stages, stage) {
		return fmt.Errorf("artefact: stage %q (want one of %v)", stage, Stages)
	}
	return nil
}

// Publish signs payload as kind's version, stores it under its hash (once:
// the same payload twice is one object) and points kind's stage at it.
func Publish(ctx context.Context, js jetstream.JetStream, s *Signer, kind, version string, payload []byte, stage string) (*Manifest, error) {
	if err := checkStage(stage); err != nil {
		return nil, err
	}
	m, err := Store(ctx, js, s, kind, version, payload)
	if err != nil {
		return nil, err
	}
	_, kv, err := Ensure(ctx, js)
	if err != nil {
		return nil, err
	}
	if err := Point(ctx, kv, m, stage); err != nil {
		return nil, err
	}
	return m, nil
}

// Store signs payload as kind's version and stores it under its hash
// (once: the same payload twice is one object), pointing no stage at it.
func Store(ctx context.Context, js jetstream.JetStream, s *Signer, kind, version string, payload []byte) (*Manifest, error) {
	m, err := s.Sign(kind, version, payload, time.Now())
	if err != nil {
		return nil, err
	}
	obs, _, err := Ensure(ctx, js)
	if err != nil {
		return nil, err
	}
	if err := put(ctx, obs, m, payload); err != nil {
		return nil, err
	}
	return m, nil
}

// put stores payload under m's hash unless it is there.
func put(ctx context.Context, obs jetstream.ObjectStore, m *Manifest, payload []byte) error {
	if _, err := obs.GetInfo(ctx, m.SHA256); errors.Is(err, jetstream.ErrObjectNotFound) {
		if _, err := obs.PutBytes(ctx, m.SHA256, payload); err != nil {
			return fmt.Errorf("artefact: storing %s: %w", m.SHA256, err)
		}
	} else if err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	return nil
}

// Payload returns the payload m names from js's object store, verified
// against m by v (another region's store, reached through its domain,
// when a control plane follows that region's pointers).
func Payload(ctx context.Context, js jetstream.JetStream, v *Verifier, m *Manifest) ([]byte, error) {
	obs, err := js.ObjectStore(ctx, ObjectBucket)
	if err != nil {
		return nil, fmt.Errorf("artefact: %w", err)
	}
	return load(ctx, obs, v, m)
}

// Copy stores payload, the artefact m names, in js's object store unless
// it is there (after Payload read it from another region's).
func Copy(ctx context.Context, js jetstream.JetStream, m *Manifest, payload []byte) error {
	obs, _, err := Ensure(ctx, js)
	if err != nil {
		return err
	}
	return put(ctx, obs, m, payload)
}

// Point moves kind's stage to the artefact m names (a promotion, a
// rollback: the payload is already stored).
func Point(ctx context.Context, kv jetstream.KeyValue, m *Manifest, stage string) error {
	if err := checkStage(stage); err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, PointerKey(m.Kind, stage), b); err != nil {
		return fmt.Errorf("artefact: pointing %s at %s: %w", PointerKey(m.Kind, stage), m.Version, err)
	}
	return nil
}

// load fetches the payload m names and verifies both.
func load(ctx context.Context, obs jetstream.ObjectStore, v *Verifier, m *Manifest) ([]byte, error) {
	info, err := obs.GetInfo(ctx, m.SHA256)
	if err != nil {
		return nil, fmt.Errorf("artefact: %s %s: %w", m.Kind, m.Version, err)
	}
	if info.Size != uint64(m.Size) || m.Size > MaxPayload {
		return nil, fmt.Errorf("%w: %s %s: stored object of %d bytes, manifest says %d", ErrRefused, m.Kind, m.Version, info.Size, m.Size)
	}
	payload, err := obs.GetBytes(ctx, m.SHA256)
	if err != nil {
		return nil, fmt.Errorf("artefact: %s %s: %w", m.Kind, m.Version, err)
	}
	if err := v.Verify(m, payload); err != nil {
		return nil, err
	}
	return payload, nil
}

// Fetch returns the verified artefact kind's stage points at.
func Fetch(ctx context.Context, js jetstream.JetStream, v *Verifier, kind, stage string) (*Manifest, []byte, error) {
	obs, err := js.ObjectStore(ctx, ObjectBucket)
	if err != nil {
		return nil, nil, fmt.Errorf("artefact: %w", err)
	}
	kv, err := js.KeyValue(ctx, PointerBucket)
	if err != nil {
		return nil, nil, fmt.Errorf("artefact: %w", err)
	}
	e, err := kv.Get(ctx, PointerKey(kind, stage))
	if err != nil {
		return nil, nil, fmt.Errorf("artefact: %s: %w", PointerKey(kind, stage), err)
	}
	m, err := ParseManifest(e.Value())
	if err != nil {
		return nil, nil, err
	}
	if m.Kind != kind {
		return nil, nil, fmt.Errorf("%w: pointer %s names a %s", ErrRefused, PointerKey(kind, stage), m.Kind)
	}
	payload, err := load(ctx, obs, v, m)
	if err != nil {
		return nil, nil, err
	}
	return m, payload, nil
}

// Watch calls apply with every verified artefact kind's stage points at,
// the current one first, until ctx ends. An artefact that fails
// verification or loading goes to refused instead (count it, alert,
// keep the running model); so does an error of apply.
func Watch(ctx context.Context, js jetstream.JetStream, v *Verifier, kind, stage string,
	apply func(*Manifest, []byte) error, refused func(error)) error {
	if err := checkStage(stage); err != nil {
		return err
	}
	obs, err := js.ObjectStore(ctx, ObjectBucket)
	if err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	kv, err := js.KeyValue(ctx, PointerBucket)
	if err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	w, err := kv.Watch(ctx, PointerKey(kind, stage))
	if err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("artefact: watch ended")
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue // the initial values are in; or a delete, which moves nothing
			}
			m, err := ParseManifest(e.Value())
			if err == nil && m.Kind != kind {
				err = fmt.Errorf("%w: pointer %s names a %s", ErrRefused, e.Key(), m.Kind)
			}
			var payload []byte
			if err == nil {
				payload, err = load(ctx, obs, v, m)
			}
			if err == nil {
				err = apply(m, payload)
			}
			if err != nil {
				refused(err)
			}
		}
	}
}
