package anomaly

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
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
	def, err := DefaultModel()
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
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Model
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
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
		var c Model
		_ = c.UnmarshalBinary(b)
		f(&c)
		x, _ := json.Marshal(&c)
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
			var m Model
			if err := m.UnmarshalBinary([]byte(tc.b)); !errors.Is(err, ErrBadModel) {
				t.Fatalf("err = %v, want ErrBadModel", err)
			}
		})
	}
}

func TestHolderSwapRollbackConcurrent(t *testing.T) {
	train, out := cluster(300, 3, 1)
	v1, _ := Train(train, TrainConfig{Version: "v1", Trees: 10})
	v2, _ := Train(train, TrainConfig{Version: "v2", Trees: 10, Seed: 2})
	h, err := NewHolder(v1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Rollback(); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("rollback with no history: %v", err)
	}
	if err := h.Swap(&Model{}); !errors.Is(err, ErrBadModel) || h.Current() != v1 {
		t.Fatal("an invalid model was swapped in")
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				m := h.Current()
				if m.Version != "v1" && m.Version != "v2" {
					t.Error("torn model")
					return
				}
				m.Score(out[0])
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if err := h.Swap(v2); err != nil {
			t.Fatal(err)
		}
		if h.Current() != v2 {
			t.Fatal("swap not visible")
		}
		if m, err := h.Rollback(); err != nil || m != v1 || h.Current() != v1 {
			t.Fatalf("rollback: %v %v", m, err)
		}
	}
	close(stop)
	wg.Wait()
	// history is bounded
	for i := 0; i < 3*maxHistory; i++ {
		_ = h.Swap(v2)
	}
	n := 0
	for ; ; n++ {
		if _, err := h.Rollback(); err != nil {
			break
		}
	}
	if n != maxHistory {
		t.Fatalf("%d rollbacks, want %d", n, maxHistory)
	}
}

func TestBaseline(t *testing.T) {
	b := NewBaseline(3, 256, 0.05)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 1000; i++ {
		b.Update([]float64{10 + rng.NormFloat64(), 0, rng.Float64()})
	}
	tests := []struct {
		name string
		x    []float64
		min  float64
		max  float64
	}{
		{"inlier", []float64{10.5, 0, 0.5}, 0, 3},
		{"outlier", []float64{30, 0, 0.5}, 10, math.Inf(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z, f := b.MaxZ(tc.x)
			if z < tc.min || z > tc.max {
				t.Fatalf("z = %.2f (feature %d), want in [%v,%v]", z, f, tc.min, tc.max)
			}
		})
	}
	mean, _ := b.EWMA()
	if math.Abs(mean[0]-10) > 1 {
		t.Fatalf("EWMA mean %.2f, want about 10", mean[0])
	}
}

// fakeSource hands out fixed vectors.
type fakeSource map[string][]float64

func (f fakeSource) AppendFeatures(dst []float64, client string) ([]float64, bool) {
	v, ok := f[client]
	if !ok {
		return dst, false
	}
	return append(dst, v...), true
}

func TestDetector(t *testing.T) {
	train, out := cluster(1000, 3, 1)
	m, _ := Train(train, TrainConfig{Version: "t", Seed: 1})
	h, _ := NewHolder(m)
	src := fakeSource{"inlier": train[3], "outlier": {40, 40, 40}, "short": {1}}
	d, err := New(Config{Source: src, Models: h, Warmup: 100, Refresh: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("no Source accepted")
	}
	tests := []struct {
		client string
		want   bool
	}{{"new", false}, {"inlier", false}, {"outlier", true}, {"short", false}}
	for _, tc := range tests {
		t.Run(tc.client, func(t *testing.T) {
			sigs := d.Detect(&threat.Request{Client: tc.client}, nil)
			if got := len(sigs) > 0; got != tc.want {
				t.Fatalf("signals %+v, want any: %v", sigs, tc.want)
			}
			for _, s := range sigs {
				if s.Family != "anomaly" || s.Confidence <= 0 || s.Confidence > 1 {
					t.Fatalf("bad signal %+v", s)
				}
			}
		})
	}
	// the robust baseline flags an outlier once warmed up on inliers
	for i := 0; i < 300; i++ {
		src["x"] = train[i]
		d.Detect(&threat.Request{Client: "x"}, nil)
	}
	src["x"] = out[0]
	src["x"][0] = 100
	found := false
	for _, s := range d.Detect(&threat.Request{Client: "x"}, nil) {
		found = found || s.Rule == "anomaly.robust-z"
	}
	if !found {
		t.Fatal("robust baseline did not flag a far outlier")
	}
	if d.Detect(nil, nil) != nil {
		t.Fatal("nil request")
	}
}

// A client is scored in full on its first request with history and then on
// every Refresh-th; in between it keeps its last verdict, which a model swap
// or a lost history ends at once.
func TestDetectorRefresh(t *testing.T) {
	train, _ := cluster(1000, 3, 1)
	m, _ := Train(train, TrainConfig{Version: "t", Seed: 1})
	h, _ := NewHolder(m)
	src := fakeSource{"c": train[3]}
	if _, err := New(Config{Source: src, Refresh: -1}); err == nil {
		t.Fatal("negative Refresh accepted")
	}
	d, err := New(Config{Source: src, Models: h, Refresh: 4, RobustZ: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := &threat.Request{Client: "c"}
	flagged := func() bool { return len(d.Detect(req, nil)) > 0 }
	if flagged() { // full scoring: an inlier
		t.Fatal("inlier flagged")
	}
	src["c"] = []float64{40, 40, 40}
	for i := 1; i < 4; i++ {
		if flagged() {
			t.Fatalf("request %d after the full scoring was re-scored", i)
		}
	}
	if !flagged() { // 4th: scored in full again
		t.Fatal("outlier not flagged at the refresh")
	}
	if !flagged() {
		t.Fatal("cached outlier verdict not kept")
	}
	for i, s := range d.Detect(req, nil) {
		if s.Rule != "anomaly.iforest" || s.Evidence != "t" || s.Confidence < 0.3 || s.Confidence > 0.7 {
			t.Fatalf("cached signal %d: %+v", i, s)
		}
	}

	// a new model's first verdict is its own
	src["c"] = train[3]
	m2, _ := Train(train, TrainConfig{Version: "t2", Seed: 2})
	if err := h.Swap(m2); err != nil {
		t.Fatal(err)
	}
	if flagged() {
		t.Fatal("verdict of the replaced model survived the swap")
	}
	// a client whose history is gone gets nothing, cached or not
	src["c"] = []float64{40, 40, 40}
	for range 4 {
		flagged()
	}
	delete(src, "c")
	if flagged() {
		t.Fatal("client without history got a cached signal")
	}

	// Refresh above the counter's 8 bits is taken as 255
	d, err = New(Config{Source: src, Models: h, Refresh: 1000, RobustZ: -1})
	if err != nil {
		t.Fatal(err)
	}
	src["c"] = train[3]
	if flagged() {
		t.Fatal("inlier flagged")
	}
	src["c"] = []float64{40, 40, 40}
	for i := 1; i < 255; i++ {
		if flagged() {
			t.Fatalf("Refresh 1000: re-scored at request %d, before the 255th", i)
		}
	}
	if !flagged() {
		t.Fatal("Refresh 1000: not re-scored at the 255th request")
	}
}

func FuzzModelUnmarshal(f *testing.F) {
	train, _ := cluster(100, 2, 1)
	m, _ := Train(train, TrainConfig{Version: "fz", Trees: 3, SampleSize: 16})
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Add([]byte(`{"version":"x","features":["a"],"sample_size":2,"threshold":0.5,"median":[0],"mad":[0],"trees":[{"f":[0,-1,-1],"s":[1,0,0],"l":[1,-1,-1],"r":[2,-1,-1],"n":[2,1,1]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Model
		if err := m.UnmarshalBinary(b); err != nil {
			return
		}
		x := make([]float64, len(m.Features))
		s := m.Score(x)
		if math.IsNaN(s) || s < 0 || s > 1 {
			t.Fatalf("score %v", s)
		}
	})
}
