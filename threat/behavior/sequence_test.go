package behavior

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/sequence"
	"github.com/bulwarkhq/bulwark/threat"
)

// shopSessions generates benign sessions of a small shop: browse, view
// products, add to cart, pay.
func shopSessions(n int, seed uint64) [][]string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out [][]string
	for i := 0; i < n; i++ {
		s := []string{"/shop/index.jsp"}
		for k := 0; k < 3+rng.IntN(4); k++ {
			s = append(s, fmt.Sprintf("/shop/products/%d", rng.IntN(500)), fmt.Sprintf("/shop/cart/add/%d", rng.IntN(500)))
		}
		s = append(s, "/shop/cart", "/shop/pay", "/shop/logout")
		out = append(out, s)
	}
	return out
}

func TestSequenceScoresUnseenTransitionsWorse(t *testing.T) {
	m, err := trainSeq(shopSessions(300, 1), sequence.Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for i, benign := range shopSessions(20, 2) {
		// the same pages in an order never seen in training
		odd := append([]string(nil), benign...)
		rand.New(rand.NewPCG(uint64(i), 3)).Shuffle(len(odd), func(a, b int) { odd[a], odd[b] = odd[b], odd[a] })
		odd = append([]string{"/shop/pay", "/shop/logout", "/shop/pay", "/shop/index.jsp", "/shop/pay"}, odd...)
		sb, nb := m.Score(benign)
		so, no := m.Score(odd)
		if nb == 0 || no == 0 {
			t.Fatal("no transition scored")
		}
		if so <= sb {
			t.Fatalf("session %d: unseen order scored %.3f, training-like %.3f", i, so, sb)
		}
		if sb > m.m.Threshold {
			t.Fatalf("training-like session above threshold: %.3f > %.3f", sb, m.m.Threshold)
		}
	}
	// transitions between two unknown shapes carry no evidence
	if _, n := m.Score([]string{"/x", "/y", "/z"}); n != 0 {
		t.Fatalf("scored %d transitions between unknown shapes", n)
	}
}

func TestSequenceSignal(t *testing.T) {
	m, err := trainSeq(shopSessions(300, 1), sequence.Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(Config{Sequence: m})
	odd := []string{"/shop/pay", "/shop/logout", "/shop/cart", "/shop/index.jsp"}
	var last []threat.Signal
	at := t0
	for i := 0; i < 30; i++ {
		at = at.Add(time.Duration(1+i%3) * time.Second)
		last = d.Detect(&threat.Request{Path: odd[i%len(odd)], Client: "c", Time: at}, nil)
		d.Observe("c", "", 200, at)
	}
	if !rules(last)["behavior.sequence"] {
		t.Fatalf("no sequence signal: %+v", last)
	}
	d2, _ := New(Config{Sequence: m})
	at = t0
	for _, s := range shopSessions(3, 5) {
		for _, p := range s {
			at = at.Add(time.Duration(1+len(p)%4) * time.Second)
			if sigs := d2.Detect(&threat.Request{Path: p, Client: "c", Time: at}, nil); rules(sigs)["behavior.sequence"] {
				t.Fatalf("benign sequence flagged: %+v", sigs)
			}
		}
	}
}

func TestSequenceRoundTrip(t *testing.T) {
	m, err := trainSeq(shopSessions(50, 1), sequence.Config{Version: "rt"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseSequenceModel(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != m.Hash() {
		t.Fatal("the content hash changed in a round trip")
	}
	s := shopSessions(1, 9)[0]
	a, _ := m.Score(s)
	c, _ := got.Score(s)
	if a != c || got.Version() != "rt" || len(got.m.Classes) != len(m.m.Classes) {
		t.Fatalf("round trip changed the model: %v vs %v", a, c)
	}
	bad := []struct {
		name string
		b    string
	}{
		{"truncated", string(b[:len(b)/2])},
		{"empty", ""},
		{"not json", "\x00\x01"},
		{"no classes", `{"version":"x","classes":[],"log_prob":[],"threshold":1}`},
		{"wrong matrix", `{"version":"x","classes":["other","/a"],"log_prob":[-1],"threshold":1}`},
		{"positive log-probability", `{"version":"x","classes":["other","/a"],"log_prob":[-1,-1,-1,2],"threshold":1}`},
		{"duplicate class", `{"version":"x","classes":["other","other"],"log_prob":[-1,-1,-1,-1],"threshold":1}`},
		{"no version", `{"classes":["other","/a"],"log_prob":[-1,-1,-1,-1],"threshold":1}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSequenceModel([]byte(tc.b)); !errors.Is(err, threat.ErrBadModel) {
				t.Fatalf("err = %v, want threat.ErrBadModel", err)
			}
		})
	}
}

func TestDefaultSequenceModel(t *testing.T) {
	m, err := DefaultSequenceModel()
	if err != nil {
		t.Fatalf("embedded sequence model does not load: %v", err)
	}
	if m.m.Class("/tienda1/publico/anadir.jsp") == 0 || m.m.Class("/never/seen") != 0 {
		t.Fatal("embedded vocabulary does not know the CSIC shop")
	}
}

func FuzzSequenceUnmarshal(f *testing.F) {
	m, err := trainSeq(shopSessions(20, 1), sequence.Config{Version: "fz"})
	if err != nil {
		f.Fatal(err)
	}
	b, _ := json.Marshal(m)
	f.Add(b)
	f.Add(defaultSequence)
	f.Add([]byte(`{"version":"x","classes":["other","/a"],"log_prob":[-1,-1,-1,-1],"threshold":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSequenceModel(b)
		if err != nil {
			return
		}
		m.Score([]string{"/a", "/shop/pay", "/b", "/a"})
		d, err := New(Config{Sequence: m, MinRequests: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 8; i++ {
			d.Detect(&threat.Request{Path: "/a", Client: "c", Time: t0.Add(time.Duration(i) * time.Second)}, nil)
		}
	})
}

// defaultSeq is DefaultSequenceModel for tests, failing them if it does
// not load.
func defaultSeq(t testing.TB) *SequenceModel {
	t.Helper()
	m, err := DefaultSequenceModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// trainSeq trains a sequence model as the training command does.
func trainSeq(sessions [][]string, cfg sequence.Config) (*SequenceModel, error) {
	m, err := sequence.Train(sessions, cfg)
	if err != nil {
		return nil, err
	}
	return &SequenceModel{m}, nil
}
