package forest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// cluster returns n points around a benign centre, and n outliers far from it.
func cluster(n, dim int, seed uint64) (in, out [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := 0; i < n; i++ {
		a, b := make([]float64, dim), make([]float64, dim)
		for f := range a {
			a[f] = rng.NormFloat64()
			b[f] = rng.NormFloat64()
		}
		// two features far out
		k := rng.IntN(dim)
		b[k] += 6 + 4*rng.Float64()
		b[(k+1)%dim] -= 6 + 4*rng.Float64()
		in, out = append(in, a), append(out, b)
	}
	return in, out
}

func TestForestSeparatesOutliers(t *testing.T) {
	train, _ := cluster(2000, 6, 1)
	m, err := Train(train, TrainConfig{Version: "t", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	in, out := cluster(300, 6, 99)
	// AUC: the share of (outlier, inlier) pairs ordered correctly
	var si, so []float64
	for i := range in {
		si = append(si, m.Score(in[i]))
		so = append(so, m.Score(out[i]))
	}
	sort.Float64s(si)
	correct := 0
	for _, s := range so {
		correct += sort.SearchFloat64s(si, s)
	}
	auc := float64(correct) / float64(len(si)*len(so))
	if auc < 0.95 {
		t.Fatalf("AUC %.3f < 0.95", auc)
	}
	flagged := 0
	for _, s := range so {
		if s > m.Threshold {
			flagged++
		}
	}
	falsePos := 0
	for _, s := range si {
		if s > m.Threshold {
			falsePos++
		}
	}
	if flagged < len(so)*8/10 || falsePos > len(si)*5/100 {
		t.Fatalf("threshold %.3f: %d/%d outliers flagged, %d/%d inliers", m.Threshold, flagged, len(so), falsePos, len(si))
	}
	for _, s := range append(si, so...) {
		if !(s > 0 && s <= 1) {
			t.Fatalf("score %v outside (0,1]", s)
		}
	}
}

func TestTrainDeterministicAndErrors(t *testing.T) {
	train, out := cluster(500, 3, 1)
	a, _ := Train(train, TrainConfig{Seed: 3})
	b, _ := Train(train, TrainConfig{Seed: 3})
	if a.Score(out[0]) != b.Score(out[0]) {
		t.Fatal("training is not deterministic for a seed")
	}
	bad := []struct {
		name string
		v    [][]float64
		cfg  TrainConfig
	}{
		{"too few", [][]float64{{1}}, TrainConfig{}},
		{"ragged", [][]float64{{1, 2}, {1}}, TrainConfig{}},
		{"NaN", [][]float64{{1}, {math.NaN()}}, TrainConfig{}},
		{"names mismatch", [][]float64{{1}, {2}}, TrainConfig{Features: []string{"a", "b"}}},
		{"no features", [][]float64{{}, {}}, TrainConfig{}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(tc.v, tc.cfg); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// The compiled walk (self-looping leaves, fixed depth, four trees side by
// side) gives bit for bit the score of walking the serialised trees, for
// the embedded model, a trained one, and one whose trees share a node.
func TestCompiledScoreMatchesTrees(t *testing.T) {
	treeScore := func(m *Model, x []float64) float64 {
		sum := 0.0
		for i := range m.Trees {
			sum += m.Trees[i].pathLength(x)
		}
		return math.Exp2(-sum / float64(len(m.Trees)) / cTable[m.SampleSize])
	}
	def, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	train, out := cluster(500, 3, 1)
	small, _ := Train(train, TrainConfig{Version: "t", Trees: 7, SampleSize: 64, Seed: 3}) // 7: a remainder after the groups of four
	shared := &Model{Version: "s", Features: []string{"a"}, SampleSize: 4, Threshold: 0.5, Median: []float64{0}, MAD: []float64{1},
		Trees: []Tree{{Feature: []int16{0, 0, -1}, Split: []float64{1, 2, 0}, Left: []int32{1, 2, -1}, Right: []int32{2, 2, -1}, Size: []int32{4, 2, 1}}}}
	if err := shared.Validate(); err != nil {
		t.Fatalf("shared-node model: %v", err)
	}
	shared.compile()
	if !def.walk || !small.walk || shared.walk {
		t.Fatalf("walkable: default %v, trained %v, shared-node %v", def.walk, small.walk, shared.walk)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, m := range []*Model{def, small, shared} {
		for i := range 2000 {
			x := make([]float64, len(m.Features))
			for f := range x {
				switch i % 4 {
				case 0:
					x[f] = rng.NormFloat64()
				case 1:
					x[f] = rng.ExpFloat64() * 10
				case 2:
					x[f] = float64(rng.IntN(4)) // ties with splits
				default:
					x[f] = math.NaN()
				}
			}
			if len(x) == 3 && i%5 == 0 {
				copy(x, out[i%len(out)])
			}
			if got, want := m.Score(x), treeScore(m, x); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("model %s, x %v: compiled %v, trees %v", m.Version, x, got, want)
			}
		}
	}
}

func TestModelRoundTrip(t *testing.T) {
	train, out := cluster(300, 4, 1)
	m, err := Train(train, TrainConfig{Version: "v1", Trees: 20, Features: []string{"a", "b", "c", "d"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != m.Hash() {
		t.Fatal("the content hash changed in a round trip")
	}
	if got.Version != "v1" || got.Threshold != m.Threshold || got.Score(out[0]) != m.Score(out[0]) || got.Score(train[0]) != m.Score(train[0]) {
		t.Fatal("round trip changed the model")
	}
	raw := *m
	raw.flat, raw.roots = nil, nil // the tree-by-tree path
	for _, x := range append(train[:50], out[:50]...) {
		if a, b := raw.Score(x), m.Score(x); math.Abs(a-b) > 1e-12 {
			t.Fatalf("compiled score %v, tree score %v", b, a)
		}
	}
	if m.Score([]float64{1}) != 0 {
		t.Fatal("a vector of the wrong length was scored")
	}
	mut := func(f func(*Model)) string {
		c, _ := Parse(b)
		f(c)
		x, _ := json.Marshal(c)
		return string(x)
	}
	bad := []struct{ name, b string }{
		{"truncated", string(b[:len(b)-10])},
		{"empty", ""},
		{"garbage", "\xff\xfe"},
		{"no version", mut(func(m *Model) { m.Version = "" })},
		{"no trees", mut(func(m *Model) { m.Trees = nil })},
		{"feature out of range", mut(func(m *Model) { m.Trees[0].Feature[0] = 9 })},
		{"cycle", mut(func(m *Model) { m.Trees[0].Left[0] = 0 })},
		{"child out of range", mut(func(m *Model) { m.Trees[0].Right[0] = 1 << 20 })},
		{"ragged tree", mut(func(m *Model) { m.Trees[0].Split = m.Trees[0].Split[:1] })},
		{"threshold", mut(func(m *Model) { m.Threshold = 2 })},
		{"sample size", mut(func(m *Model) { m.SampleSize = 1 })},
		{"stats", mut(func(m *Model) { m.MAD = m.MAD[:1] })},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.b)); !errors.Is(err, threat.ErrBadModel) {
				t.Fatalf("err = %v, want threat.ErrBadModel", err)
			}
		})
	}
}

func FuzzModelUnmarshal(f *testing.F) {
	train, _ := cluster(100, 2, 1)
	m, _ := Train(train, TrainConfig{Version: "fz", Trees: 3, SampleSize: 16})
	b, _ := json.Marshal(m)
	f.Add(b)
	f.Add([]byte(`{"version":"x","features":["a"],"sample_size":2,"threshold":0.5,"median":[0],"mad":[0],"trees":[{"f":[0,-1,-1],"s":[1,0,0],"l":[1,-1,-1],"r":[2,-1,-1],"n":[2,1,1]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		x := make([]float64, len(m.Features))
		s := m.Score(x)
		if math.IsNaN(s) || s < 0 || s > 1 {
			t.Fatalf("score %v", s)
		}
	})
}

// embedded reads threat/anomaly's embedded default model.
func embedded() (*Model, error) {
	b, err := os.ReadFile("../../threat/anomaly/default_model.json.gz")
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}
