package artefact

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
	"github.com/bulwarkhq/bulwark/internal/natsembed"
	"github.com/bulwarkhq/bulwark/internal/natstest"
)

func signer(t testing.TB, id string) *Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(id, priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerify(t *testing.T) {
	k1, k2 := signer(t, "k1"), signer(t, "k2")
	v := NewVerifier(map[string]ed25519.PublicKey{"k1": k1.Public(), "k2": k2.Public()})
	payload := []byte(`{"prior":0.01}`)
	m, err := k1.Sign(KindCombiner, "2026-12-01", payload, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(m, payload); err != nil {
		t.Fatalf("a good artefact: %v", err)
	}
	// a rotation: the new key's artefacts verify beside the old one's
	m2, _ := k2.Sign(KindCombiner, "2026-12-02", payload, time.Now())
	if err := v.Verify(m2, payload); err != nil {
		t.Fatalf("the new key: %v", err)
	}
	tamper := map[string]func(m *Manifest, p []byte) (*Manifest, []byte){
		"payload":        func(m *Manifest, p []byte) (*Manifest, []byte) { q := append([]byte{}, p...); q[3] ^= 1; return m, q },
		"longer payload": func(m *Manifest, p []byte) (*Manifest, []byte) { return m, append(append([]byte{}, p...), ' ') },
		"version":        func(m *Manifest, p []byte) (*Manifest, []byte) { c := *m; c.Version = "2027-01-01"; return &c, p },
		"kind":           func(m *Manifest, p []byte) (*Manifest, []byte) { c := *m; c.Kind = KindForest; return &c, p },
		"hash and size": func(m *Manifest, p []byte) (*Manifest, []byte) {
			other := []byte(`{"prior":0.99}`)
			o, _ := k1.Sign(KindCombiner, "x", other, time.Now())
			c := *m
			c.SHA256, c.Size = o.SHA256, o.Size
			return &c, other
		},
		"key id":    func(m *Manifest, p []byte) (*Manifest, []byte) { c := *m; c.KeyID = "k2"; return &c, p },
		"untrusted": func(m *Manifest, p []byte) (*Manifest, []byte) { c := *m; c.KeyID = "k9"; return &c, p },
		"signature": func(m *Manifest, p []byte) (*Manifest, []byte) {
			c := *m
			c.Signature = append([]byte{}, m.Signature...)
			c.Signature[0] ^= 1
			return &c, p
		},
	}
	for name, f := range tamper {
		tm, tp := f(m, payload)
		if err := v.Verify(tm, tp); !errors.Is(err, ErrRefused) {
			t.Errorf("tampered %s: %v, want ErrRefused", name, err)
		}
	}
	b, _ := json.Marshal(m)
	back, err := ParseManifest(b)
	if err != nil || v.Verify(back, payload) != nil {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{`{`, `{"kind":"combiner"}`, `{"kind":"combiner","version":"v","sha256":"zz","size":1,"key_id":"k1","created":"2026-12-01T00:00:00Z","signature":""}`,
		`{"kind":"combiner","version":"v","sha256":"` + m.SHA256 + `","size":1,"key_id":"k1","created":"2026-12-01T00:00:00Z","signature":"","extra":1}`} {
		if _, err := ParseManifest([]byte(bad)); !errors.Is(err, ErrRefused) {
			t.Errorf("ParseManifest(%s): %v", bad, err)
		}
	}
}

func TestKeyFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.key")
	// two processes starting together agree on one key
	var wg sync.WaitGroup
	got := make([]*Signer, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := LoadOrCreateSigner(path, "k1")
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = s
		}()
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s == nil || !s.Public().Equal(got[0].Public()) {
			t.Fatal("signers started together hold different keys")
		}
	}
	s, err := ParseSigner(EncodeSigner(got[0]))
	if err != nil || !s.Public().Equal(got[0].Public()) || s.KeyID() != "k1" {
		t.Fatalf("key line round trip: %v", err)
	}
	keys, err := ParsePublic(EncodePublic(got[0]) + "," + EncodePublic(signer(t, "k2")))
	if err != nil || len(keys) != 2 || !keys["k1"].Equal(got[0].Public()) {
		t.Fatalf("public keys: %v %v", keys, err)
	}
	for _, bad := range []string{"", "k1", "k1:AAAA", "K1:" + EncodePublic(got[0])[3:]} {
		if _, err := ParsePublic(bad); err == nil {
			t.Errorf("ParsePublic(%q) accepted", bad)
		}
	}
	if _, err := ParseSigner("bulwark-ed25519 k1 AAAA"); err == nil {
		t.Error("a short seed was accepted")
	}
}

func jetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	_, js := natstest.JetStream(t, natsembed.Options{})
	return js
}

// TestDistribution: a published artefact is fetched and verified by
// stage; a watcher applies a promotion at once and refuses a forged
// object and a pointer signed by an unknown key, and the model it applied
// last stays.
func TestDistribution(t *testing.T) {
	js := jetStream(t)
	ctx := context.Background()
	s := signer(t, "k1")
	v := NewVerifier(map[string]ed25519.PublicKey{"k1": s.Public()})
	v1, v2 := []byte(`{"version":"v1"}`), []byte(`{"version":"v2"}`)
	if _, err := Publish(ctx, js, s, KindCombiner, "v1", v1, "active"); err != nil {
		t.Fatal(err)
	}
	m, p, err := Fetch(ctx, js, v, KindCombiner, "active")
	if err != nil || string(p) != string(v1) || m.Version != "v1" {
		t.Fatalf("fetch: %v %s %v", m, p, err)
	}
	if _, _, err := Fetch(ctx, js, v, KindCombiner, "canary"); err == nil {
		t.Error("fetch of an empty stage")
	}

	var mu sync.Mutex
	var applied []string
	var refusals []error
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Watch(wctx, js, v, KindCombiner, "active", func(m *Manifest, p []byte) error {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, m.Version+"="+string(p))
			return nil
		}, func(err error) {
			mu.Lock()
			defer mu.Unlock()
			refusals = append(refusals, err)
		})
	}()
	state := func() ([]string, int) {
		mu.Lock()
		defer mu.Unlock()
		return append([]string{}, applied...), len(refusals)
	}
	within := func(what string, f func() bool) {
		t.Helper()
		for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
			if f() {
				return
			}
		}
		t.Fatalf("%s: not within 5s", what)
	}
	within("the current model", func() bool { a, _ := state(); return len(a) == 1 && a[0] == "v1="+string(v1) })

	// a promotion reaches the watcher
	if _, err := Publish(ctx, js, s, KindCombiner, "v2", v2, "active"); err != nil {
		t.Fatal(err)
	}
	within("the promotion", func() bool { a, _ := state(); return len(a) == 2 && a[1] == "v2="+string(v2) })

	// a forged object under a signed manifest's name: refused
	obs, kv, _ := Ensure(ctx, js)
	v3 := []byte(`{"version":"v3"}`)
	m3, _ := s.Sign(KindCombiner, "v3", v3, time.Now())
	if _, err := obs.PutBytes(ctx, m3.SHA256, []byte(`{"version":"evil"}`)); err != nil {
		t.Fatal(err)
	}
	if err := Point(ctx, kv, m3, "active"); err != nil {
		t.Fatal(err)
	}
	within("the forged object refused", func() bool { _, n := state(); return n == 1 })
	// a pointer signed by a key nobody trusts: refused
	if _, err := Publish(ctx, js, signer(t, "k1"), KindCombiner, "v4", []byte(`{"version":"v4"}`), "active"); err != nil {
		t.Fatal(err)
	}
	within("the untrusted signature refused", func() bool { _, n := state(); return n == 2 })
	a, _ := state()
	if len(a) != 2 {
		t.Fatalf("applied %v: a refused artefact replaced the running model", a)
	}
	mu.Lock()
	for _, err := range refusals {
		if !errors.Is(err, ErrRefused) {
			t.Errorf("refusal %v does not wrap ErrRefused", err)
		}
	}
	mu.Unlock()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func FuzzParseManifest(f *testing.F) {
	s := signer(f, "k1")
	m, _ := s.Sign(KindForest, "v1", []byte("x"), time.Unix(0, 0))
	b, _ := json.Marshal(m)
	f.Add(b)
	f.Add([]byte(`{"kind":"forest"}`))
	pm := *m
	pm.Pointed = &Pointed{Stamp: decision.Stamp{Wall: 7, Logical: 1}, Region: "eu"}
	b, _ = json.Marshal(&pm)
	f.Add(b)
	v := NewVerifier(map[string]ed25519.PublicKey{"k1": s.Public()})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		_ = v.Verify(m, []byte("x")) // must not panic
	})
}

// TestPointed: a pointer's stamp rides beside the signed manifest without
// touching its signature, and orders pointer writes as a last-writer-wins
// register: the later stamp, then the greater region; any stamp beats
// none.
func TestPointed(t *testing.T) {
	s := signer(t, "k1")
	v := NewVerifier(map[string]ed25519.PublicKey{"k1": s.Public()})
	m, err := s.Sign(KindCombiner, "v1", []byte("x"), time.Unix(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	m.Pointed = &Pointed{Stamp: decision.Stamp{Wall: 10, Logical: 2}, Region: "us"}
	b, _ := json.Marshal(m)
	got, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Pointed != *m.Pointed {
		t.Fatalf("pointed %+v after a round trip, want %+v", got.Pointed, m.Pointed)
	}
	if err := v.Verify(got, []byte("x")); err != nil {
		t.Fatalf("a stamped pointer no longer verifies: %v", err)
	}
	bad := *m
	bad.Pointed = &Pointed{Region: "EU west"}
	b, _ = json.Marshal(&bad)
	if _, err := ParseManifest(b); !errors.Is(err, ErrRefused) {
		t.Errorf("a pointer stamped by region %q parsed: %v", bad.Pointed.Region, err)
	}
	at := func(wall int64, logical uint32, region string) *Pointed {
		return &Pointed{Stamp: decision.Stamp{Wall: wall, Logical: logical}, Region: region}
	}
	for _, c := range []struct {
		p, o *Pointed
		want bool
	}{
		{at(2, 0, "ap"), at(1, 9, "us"), true},
		{at(1, 9, "us"), at(2, 0, "ap"), false},
		{at(2, 1, "ap"), at(2, 0, "us"), true},
		{at(2, 0, "us"), at(2, 0, "eu"), true},
		{at(2, 0, "eu"), at(2, 0, "us"), false},
		{at(2, 0, "eu"), at(2, 0, "eu"), false},
		{at(1, 0, "eu"), nil, true},
		{nil, at(1, 0, "eu"), false},
		{nil, nil, false},
	} {
		if got := c.p.Newer(c.o); got != c.want {
			t.Errorf("%+v.Newer(%+v) = %v, want %v", c.p, c.o, got, c.want)
		}
	}
}
