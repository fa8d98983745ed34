package artefact

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A signing key file holds one line, "bulwark-ed25519 <key id> <base64 of
// the 32-byte seed>", readable by its owner only. A public key travels as
// "<key id>:<base64 of the 32-byte public key>" (an SDK's configuration).

// EncodeSigner returns the key file line of s.
func EncodeSigner(s *Signer) string {
	return "bulwark-ed25519 " + s.keyID + " " + base64.StdEncoding.EncodeToString(s.priv.Seed()) + "\n"
}

// ParseSigner reads a key file line (a file's content, or an environment
// variable's value).
func ParseSigner(text string) (*Signer, error) {
	f := strings.Fields(text)
	if len(f) != 3 || f[0] != "bulwark-ed25519" {
		return nil, errors.New("artefact: a signing key is \"bulwark-ed25519 <key id> <base64 seed>\"")
	}
	seed, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("artefact: the signing key's seed is not 32 bytes of base64")
	}
	return NewSigner(f[1], ed25519.NewKeyFromSeed(seed))
}

// LoadOrCreateSigner reads the key file at path, or creates one with a new
// key named keyID (mode 0600, written whole before it is linked into
// place, so that two processes starting together agree on one key).
func LoadOrCreateSigner(path, keyID string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return ParseSigner(string(b))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("artefact: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	s, err := NewSigner(keyID, priv)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".signing-key-*")
	if err != nil {
		return nil, fmt.Errorf("artefact: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(EncodeSigner(s)); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("artefact: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("artefact: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return LoadOrCreateSigner(path, keyID) // another process won: use its key
	} else if err != nil {
		return nil, fmt.Errorf("artefact: %w", err)
	}
	return s, nil
}

// EncodePublic returns s's public key as an SDK is configured with it.
func EncodePublic(s *Signer) string {
	return s.keyID + ":" + base64.StdEncoding.EncodeToString(s.Public())
}

// ParsePublic reads "<key id>:<base64 public key>" entries, separated by
// commas or spaces (the old and the new key during a rotation).
func ParsePublic(text string) (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{}
	for _, e := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		id, b64, ok := strings.Cut(e, ":")
		k, err := base64.StdEncoding.DecodeString(b64)
		if !ok || !nameRE.MatchString(id) || err != nil || len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("artefact: public key %q: want <key id>:<base64 of 32 bytes>", e)
		}
		keys[id] = ed25519.PublicKey(k)
	}
	if len(keys) == 0 {
		return nil, errors.New("artefact: no public key")
	}
	return keys, nil
}
