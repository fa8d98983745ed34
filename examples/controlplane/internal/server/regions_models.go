package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/artefact"
	"github.com/bulwarkhq/bulwark/internal/kvcas"
)

// Model stage pointers across regions (issue 17). Every pointer write of
// a control plane (a publish, a promotion, a rollback, the canary watch's
// moves) carries a hybrid logical clock stamp and the region's name
// (artefact.Pointed). With several regions, each control plane follows the
// other regions' pointer buckets through their JetStream domains: when a
// peer's pointer is newer than its own (later stamp, the region as
// tie-break), it reads the artefact from its own object store or else the
// peer's, verifies the peer's signature with the keys it trusts (its own,
// and RegionModelKeys), checks that the model loads, stores the payload,
// signs the manifest again with its own key when the peer's key is not
// its own (its SDK instances trust only their region's key), and writes
// the pointer with the peer's stamp, unchanged, so no region writes it
// again as new: the pointers are a last-writer-wins register per kind and
// stage, and every region ends with the same artefact in every stage.
// An artefact a region refuses (a key it does not trust, a bad signature,
// a model that does not load) raises one model.refused incident and is
// not tried again; the region keeps its pointer.
//
// Pointers are polled, not watched: a poll reads each peer's pointer
// stream's last sequence (one request) and the pointers only when it
// moved, so a peer that is cut off costs a timeout, and one that returns
// is caught up at the next poll. Model changes are rare; a second is
// quick enough for them.

// modelFollowEvery is how often a region polls its peers' pointers.
const modelFollowEvery = time.Second

// point moves kind's stage to the artefact m names, stamped now by this
// region, and returns the pointer as written.
func (s *Server) point(ctx context.Context, m *artefact.Manifest, stage string) (*artefact.Manifest, error) {
	p := *m
	p.Pointed = &artefact.Pointed{Stamp: s.clock.Now(), Region: s.cfg.Region}
	if err := artefact.Point(ctx, s.pointers, &p, stage); err != nil {
		return nil, err
	}
	return &p, nil
}

// modelFollow is the state of the follow of other regions' pointers.
type modelFollow struct {
	verify *artefact.Verifier // this region's key and RegionModelKeys
	peers  map[string]*peerPointers

	mu      sync.Mutex
	refused map[string]bool // peer, key and stamp of a refused pointer
}

// peerPointers is one peer region's pointer bucket, reached through its
// domain.
type peerPointers struct {
	js   jetstream.JetStream
	kv   jetstream.KeyValue // nil until the bucket was found
	last uint64             // the pointer stream's last sequence, all of it adopted

	mu      sync.Mutex // guards what GET /api/v1/regions shows
	polled  time.Time  // the last poll that read the peer's pointers
	err     string     // the last poll's error
	adopted int        // pointers adopted from the peer
	refused int        // and refused
}

// modelSync is what the follow of peer's pointers shows in a region row:
// when it last read them, its last error, what it adopted and refused.
func (s *Server) modelSync(peer string) map[string]any {
	if s.follow == nil || s.follow.peers[peer] == nil {
		return nil
	}
	p := s.follow.peers[peer]
	p.mu.Lock()
	defer p.mu.Unlock()
	m := map[string]any{"adopted": p.adopted, "refused": p.refused, "error": p.err}
	if !p.polled.IsZero() {
		m["polled"] = p.polled.UTC()
	}
	return m
}

// maxRefusedPointers bounds modelFollow.refused.
const maxRefusedPointers = 1000

// newModelFollow trusts this region's key and keys (RegionModelKeys), and
// reaches every other region through its domain.
func (s *Server) newModelFollow(keys string) (*modelFollow, error) {
	trusted := map[string]ed25519.PublicKey{}
	own := s.signer.KeyID()
	trusted[own] = s.signer.Public()
	if keys != "" {
		peers, err := artefact.ParsePublic(keys)
		if err != nil {
			return nil, fmt.Errorf("controlplane: REGION_MODEL_KEYS: %w", err)
		}
		for id, k := range peers {
			if id == own && !slices.Equal(k, s.signer.Public()) {
				return nil, fmt.Errorf("controlplane: REGION_MODEL_KEYS: key id %q is this region's own signing key's, with another key: regions that sign with different keys need different key ids", id)
			}
			trusted[id] = k
		}
	}
	f := &modelFollow{peers: map[string]*peerPointers{}, refused: map[string]bool{}}
	f.verify = artefact.NewVerifier(trusted)
	for _, r := range s.cfg.Regions {
		if r == s.cfg.Region {
			continue
		}
		js, err := jetstream.NewWithDomain(s.nc, r)
		if err != nil {
			return nil, fmt.Errorf("controlplane: region %s: %w", r, err)
		}
		f.peers[r] = &peerPointers{js: js}
	}
	return f, nil
}

// followModels polls every peer's pointers, each in its own goroutine so
// that a peer cut off delays no other, until ctx ends.
func (s *Server) followModels(ctx context.Context) {
	var wg sync.WaitGroup
	for r, p := range s.follow.peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(modelFollowEvery)
			defer t.Stop()
			for {
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := s.followPeer(pctx, r, p)
				cancel()
				p.mu.Lock()
				if p.err = ""; err != nil {
					p.err = err.Error()
				} else {
					p.polled = time.Now()
				}
				p.mu.Unlock()
				if err != nil && ctx.Err() == nil {
					s.cfg.Logger.Debug("controlplane: following a region's model pointers", "region", s.cfg.Region, "peer", r, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
}

// followPeer adopts every pointer of peer newer than this region's.
func (s *Server) followPeer(ctx context.Context, peer string, p *peerPointers) error {
	if p.kv == nil {
		kv, err := p.js.KeyValue(ctx, artefact.PointerBucket)
		if err != nil {
			return err // no models published there yet, or not reachable
		}
		p.kv = kv
	}
	st, err := p.kv.Status(ctx)
	if err != nil {
		return err
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok {
		return errors.New("unexpected bucket status")
	}
	seq := bs.StreamInfo().State.LastSeq
	if seq == p.last {
		return nil
	}
	var errs []error
	err = eachPointer(ctx, p.kv, func(kind, stage string, remote *artefact.Manifest) {
		if remote.Pointed == nil || remote.Kind != kind {
			return // not a pointer this version of the control plane wrote
		}
		if err := s.adoptPointer(ctx, peer, p, stage, remote); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", artefact.PointerKey(kind, stage), err))
		}
	})
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		p.last = seq
	}
	return errors.Join(errs...)
}

// adoptPointer writes remote, peer's pointer of stage, as this region's
// when it is newer than this region's.
func (s *Server) adoptPointer(ctx context.Context, peer string, p *peerPointers, stage string, remote *artefact.Manifest) error {
	key := artefact.PointerKey(remote.Kind, stage)
	var m *artefact.Manifest // the pointer as written
	wrote, err := kvcas.Write(ctx, s.pointers, key, adoptTries, func(local []byte) ([]byte, error) {
		if local != nil {
			if l, err := artefact.ParseManifest(local); err == nil && !remote.Pointed.Newer(l.Pointed) {
				return nil, nil // ours is as new or newer: the peer adopts it
			}
		}
		var err error
		m, err = s.adoptable(ctx, peer, p, key, stage, remote)
		if m == nil || err != nil {
			return nil, err
		}
		return json.Marshal(m)
	})
	if !wrote || err != nil {
		return err
	}
	p.mu.Lock()
	p.adopted++
	p.mu.Unlock()
	return s.auditAs(ctx, "region:"+peer, "model.replicate", key, map[string]any{"version": m.Version, "sha256": m.SHA256,
		"pointed_by": remote.Pointed.Region, "stamp": remote.Pointed.Stamp.String(), "signed_by": remote.KeyID})
}

// adoptable returns remote as this region writes it, its payload stored
// here and signed with this region's key, or nil when this region refuses
// it (once: the refusal is remembered and raised as an incident).
func (s *Server) adoptable(ctx context.Context, peer string, p *peerPointers, key, stage string, remote *artefact.Manifest) (*artefact.Manifest, error) {
	refusal := peer + "\x00" + key + "\x00" + remote.Pointed.Stamp.String() + "\x00" + remote.Pointed.Region
	s.follow.mu.Lock()
	done := s.follow.refused[refusal]
	s.follow.mu.Unlock()
	if done {
		return nil, nil
	}
	payload, err := artefact.Payload(ctx, s.js, s.follow.verify, remote) // stored here already?
	if err != nil && !errors.Is(err, artefact.ErrRefused) {
		payload, err = artefact.Payload(ctx, p.js, s.follow.verify, remote)
	}
	if err == nil {
		if err = validModel(remote.Kind, payload); err == nil {
			err = instanceStage(remote.Kind, stage)
		}
		if err != nil {
			err = fmt.Errorf("%w: %v", artefact.ErrRefused, err)
		}
	}
	if errors.Is(err, artefact.ErrRefused) {
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		s.refuseRemote(ctx, refusal, peer, key, remote, err)
		return nil, nil
	}
	if err != nil {
		return nil, err // not reachable: the next poll tries again
	}
	if err := artefact.Copy(ctx, s.js, remote, payload); err != nil {
		return nil, err
	}
	m := remote
	if remote.KeyID != s.signer.KeyID() {
		if m, err = s.signer.Sign(remote.Kind, remote.Version, payload, remote.Created); err != nil {
			return nil, err
		}
		m.Pointed = remote.Pointed
	}
	s.clock.Update(remote.Pointed.Stamp) // a trusted pointer only: a forged stamp moves no clock
	return m, nil
}

// adoptTries bounds how often adoptPointer reads its pointer again after
// a write that came between its read and its own (the same pointer
// adopted from another peer at once, a publish here): the read again
// usually finds the pointer as new as the one it adopts.
const adoptTries = 4

// refuseRemote raises one model.refused incident for a peer's pointer
// this region will not adopt, and remembers not to try it again.
func (s *Server) refuseRemote(ctx context.Context, refusal, peer, key string, remote *artefact.Manifest, cause error) {
	s.follow.mu.Lock()
	if len(s.follow.refused) >= maxRefusedPointers {
		s.follow.refused = map[string]bool{}
	}
	s.follow.refused[refusal] = true
	s.follow.mu.Unlock()
	s.incident(ctx, "model.refused", "region:"+peer,
		map[string]any{"region": peer, "pointer": key, "version": remote.Version, "sha256": remote.SHA256, "key_id": remote.KeyID, "error": cause.Error()},
		incidentAlert(s.cfg.Tenant, "model-refused", "region:"+peer+":"+key, s.cfg.Now().UTC().Truncate(time.Hour),
			map[string]string{"region": peer, "pointer": key},
			fmt.Sprintf("region %s refused %s's %s (%s %s, key %q): %v; it keeps its own (trust the peer's key with REGION_MODEL_KEYS, or share MODEL_SIGNING_KEY)",
				s.cfg.Region, peer, key, remote.Kind, remote.Version, remote.KeyID, cause)))
}
