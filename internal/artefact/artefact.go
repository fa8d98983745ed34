// Package artefact signs, distributes and verifies model artefacts (issue
// 15): the combiner, the isolation forest and the sequence model that the
// control plane trains and SDK instances swap in without a restart.
//
// An artefact is its payload (the model's encoding) and a Manifest: its
// kind, version, the SHA-256 of the payload (its name: artefacts are
// content-addressed), its size, and an Ed25519 signature by the control
// plane's key over all of these, with the key's id so that keys can be
// rotated. The private key stays with the control plane (a file, or an
// environment variable); SDKs hold the public keys they trust.
//
// Over NATS JetStream, payloads live in an object store bucket under
// their hash, and a key-value bucket holds one pointer per kind and
// lifecycle stage ("combiner.active", "forest.canary"): the stage's
// manifest. Publish writes both; Fetch and Watch read a stage's pointer,
// fetch the payload it names and verify it before handing it over. An
// artefact that fails verification is refused with an error wrapping
// ErrRefused, and the caller keeps its running model.
//
//	s, _ := artefact.NewSigner("k1", priv)
//	m, _ := artefact.Publish(ctx, js, s, "combiner", "2026-12-01", model, "canary")
//	v := artefact.NewVerifier(map[string]ed25519.PublicKey{"k1": pub})
//	m, payload, err := artefact.Fetch(ctx, js, v, "combiner", "canary")
package artefact

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

// ErrRefused is wrapped by every verification failure: an unknown key, a
// bad signature, a payload whose hash or size is not the manifest's, a
// manifest that does not parse.
var ErrRefused = errors.New("artefact: refused")

// Kinds of artefacts.
const (
	KindCombiner = "combiner"
	KindForest   = "forest"
	KindSequence = "sequence"
)

// Stages of an artefact's lifecycle.
var Stages = []string{"candidate", "shadow", "canary", "active", "retired"}

// MaxPayload bounds an artefact's payload (models are kilobytes to a few
// megabytes); MaxManifest bounds an encoded manifest.
const (
	MaxPayload  = 64 << 20
	MaxManifest = 4 << 10
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Manifest describes and signs one artefact.
type Manifest struct {
	Kind      string    `json:"kind"`
	Version   string    `json:"version"`
	SHA256    string    `json:"sha256"` // hex of the payload's hash: its name
	Size      int64     `json:"size"`
	Created   time.Time `json:"created"`
	KeyID     string    `json:"key_id"`
	Signature []byte    `json:"signature"` // Ed25519 over signed()
	// Pointed is set on a stage pointer's copy of the manifest: when, and
	// in which region, the stage was last pointed at the artefact. Regions
	// that follow each other's pointers keep the latest (Newer). It is not
	// signed: whoever can write a pointer can already point a stage at any
	// signed artefact, and the payload is verified whatever it says.
	Pointed *Pointed `json:"pointed,omitempty"`
}

// Pointed orders the writes of one stage pointer across regions: a hybrid
// logical clock reading, with the region as tie-break.
type Pointed struct {
	Stamp  decision.Stamp `json:"stamp"`
	Region string         `json:"region"`
}

// Newer reports whether a pointer write stamped p wins over one stamped o
// (nil: a pointer written before stamps, or none at all).
func (p *Pointed) Newer(o *Pointed) bool {
	switch {
	case p == nil:
		return false
	case o == nil:
		return true
	}
	if c := p.Stamp.Compare(o.Stamp); c != 0 {
		return c > 0
	}
	return p.Region > o.Region
}

// signed is the message a manifest's signature covers: every field but
// the signature, length-prefixed, after a domain separator.
func (m *Manifest) signed() []byte {
	var b bytes.Buffer
	b.WriteString("bulwark artefact v1\x00")
	var n [8]byte
	for _, f := range []string{m.Kind, m.Version, m.SHA256, m.KeyID} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		b.Write(n[:])
		b.WriteString(f)
	}
	binary.BigEndian.PutUint64(n[:], uint64(m.Size))
	b.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(m.Created.UnixNano()))
	b.Write(n[:])
	return b.Bytes()
}

// Signer signs manifests with one key.
type Signer struct {
	keyID string
	priv  ed25519.PrivateKey
}

// NewSigner returns a Signer for the key priv, named keyID.
func NewSigner(keyID string, priv ed25519.PrivateKey) (*Signer, error) {
	if !nameRE.MatchString(keyID) {
		return nil, fmt.Errorf("artefact: key id %q: 1 to 64 of a-z, 0-9, '.', '_', '-'", keyID)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("artefact: not an Ed25519 private key")
	}
	return &Signer{keyID: keyID, priv: priv}, nil
}

// Public returns the signer's public key, for SDKs to trust.
func (s *Signer) Public() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// KeyID returns the id of the signer's key.
func (s *Signer) KeyID() string { return s.keyID }

// Sign returns the signed manifest of payload.
func (s *Signer) Sign(kind, version string, payload []byte, created time.Time) (*Manifest, error) {
	if !nameRE.MatchString(kind) || !nameRE.MatchString(version) {
		return nil, fmt.Errorf("artefact: kind %q and version %q: 1 to 64 of a-z, 0-9, '.', '_', '-'", kind, version)
	}
	if len(payload) == 0 || len(payload) > MaxPayload {
		return nil, fmt.Errorf("artefact: payload of %d bytes (want 1 to %d)", len(payload), MaxPayload)
	}
	h := sha256.Sum256(payload)
	m := &Manifest{Kind: kind, Version: version, SHA256: hex.EncodeToString(h[:]), Size: int64(len(payload)),
		Created: created.UTC().Truncate(time.Microsecond), KeyID: s.keyID}
	m.Signature = ed25519.Sign(s.priv, m.signed())
	return m, nil
}

// Verifier checks manifests and payloads against the public keys it
// trusts, by key id. It is safe for concurrent use.
type Verifier struct {
	keys map[string]ed25519.PublicKey
}

// NewVerifier trusts keys, by id (several during a rotation).
func NewVerifier(keys map[string]ed25519.PublicKey) *Verifier {
	v := &Verifier{keys: make(map[string]ed25519.PublicKey, len(keys))}
	for id, k := range keys {
		if len(k) == ed25519.PublicKeySize {
			v.keys[id] = k
		}
	}
	return v
}

// Verify checks m's signature and that payload is the artefact m names.
func (v *Verifier) Verify(m *Manifest, payload []byte) error {
	k, ok := v.keys[m.KeyID]
	if !ok {
		return fmt.Errorf("%w: key id %q is not trusted", ErrRefused, m.KeyID)
	}
	if !ed25519.Verify(k, m.signed(), m.Signature) {
		return fmt.Errorf("%w: bad signature on %s %s", ErrRefused, m.Kind, m.Version)
	}
	if int64(len(payload)) != m.Size {
		return fmt.Errorf("%w: %s %s: payload of %d bytes, manifest says %d", ErrRefused, m.Kind, m.Version, len(payload), m.Size)
	}
	h := sha256.Sum256(payload)
	if hex.EncodeToString(h[:]) != m.SHA256 {
		return fmt.Errorf("%w: %s %s: payload hash is not the manifest's", ErrRefused, m.Kind, m.Version)
	}
	return nil
}

// ParseManifest decodes an encoded manifest, bounded and strict.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifest {
		return nil, fmt.Errorf("%w: manifest of %d bytes", ErrRefused, len(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrRefused, err)
	}
	if !nameRE.MatchString(m.Kind) || !nameRE.MatchString(m.Version) || len(m.SHA256) != 64 || m.Size <= 0 || m.Size > MaxPayload {
		return nil, fmt.Errorf("%w: manifest fields out of range", ErrRefused)
	}
	if _, err := hex.DecodeString(m.SHA256); err != nil {
		return nil, fmt.Errorf("%w: manifest hash is not hex", ErrRefused)
	}
	if m.Pointed != nil && !nameRE.MatchString(m.Pointed.Region) {
		return nil, fmt.Errorf("%w: manifest pointed by region %q", ErrRefused, m.Pointed.Region)
	}
	return &m, nil
}
