package anomaly_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const konqueror = "Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)"

var shopPaths = []string{"/tienda1/index.jsp", "/tienda1/publico/productos.jsp", "/tienda1/publico/caracteristicas.jsp",
	"/tienda1/publico/anadir.jsp", "/tienda1/publico/carrito.jsp", "/tienda1/publico/pagar.jsp", "/tienda1/global/menum.jsp"}

func header() http.Header {
	return http.Header{"Accept": {"text/html"}, "Accept-Language": {"en"}, "User-Agent": {konqueror}, "Cookie": {"JSESSIONID=1"}}
}

func TestDefaultModel(t *testing.T) {
	m, err := anomaly.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(anomaly.Features(m), feature.Names[:]) {
		t.Fatalf("default model features %v, behaviour features %v", anomaly.Features(m), feature.Names)
	}
}

// With the behaviour detector as source and the embedded model, a flood and
// a 404 scan are anomalous; browsing of the shop the model was trained on is not.
func TestDetectorWithBehavior(t *testing.T) {
	tests := []struct {
		name string
		next func(i int, rng *rand.Rand) (path string, gap time.Duration, status int)
		want bool
	}{
		{"browsing", func(i int, rng *rand.Rand) (string, time.Duration, int) {
			return shopPaths[rng.IntN(len(shopPaths))], time.Duration((0.5 + rng.ExpFloat64()*3) * float64(time.Second)), 200
		}, false},
		{"flood", func(i int, rng *rand.Rand) (string, time.Duration, int) {
			return "/tienda1/index.jsp", 5 * time.Millisecond, 200
		}, true},
		{"404 scan", func(i int, rng *rand.Rand) (string, time.Duration, int) {
			return fmt.Sprintf("/admin/%d.php", i), 200 * time.Millisecond, 404
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, err := behavior.DefaultSequenceModel()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := behavior.New(behavior.Config{Sequence: seq})
			a, err := anomaly.New(anomaly.Config{Source: b})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 5))
			at := t0
			hit := false
			for i := 0; i < 40; i++ {
				path, gap, status := tc.next(i, rng)
				at = at.Add(gap)
				req := &threat.Request{Method: "GET", Path: path, Client: "c", Time: at, UserAgent: konqueror, Header: header()}
				b.Detect(req, nil)
				sigs := a.Detect(req, nil)
				if i < 15 && len(sigs) > 0 {
					t.Fatalf("request %d of a fresh client: %+v", i, sigs)
				}
				if i >= 30 && len(sigs) > 0 {
					hit = true
				}
				b.Observe("c", "", status, at)
			}
			if hit != tc.want {
				t.Fatalf("anomalous = %v, want %v", hit, tc.want)
			}
		})
	}
}

func BenchmarkBaselineBehaviorOnly(b *testing.B) {
	benchDetect(b, false)
}

func BenchmarkDetect(b *testing.B) {
	benchDetect(b, true)
}

func benchDetect(b *testing.B, withAnomaly bool) {
	seq, err := behavior.DefaultSequenceModel()
	if err != nil {
		b.Fatal(err)
	}
	bd, _ := behavior.New(behavior.Config{Sequence: seq})
	a, _ := anomaly.New(anomaly.Config{Source: bd})
	reqs := make([]threat.Request, 1024)
	at := t0
	for i := range reqs {
		reqs[i] = threat.Request{Method: "GET", Path: shopPaths[i%len(shopPaths)], Client: fmt.Sprint("client-", i%128), UserAgent: konqueror, Header: header()}
		at = at.Add(100 * time.Millisecond)
		reqs[i].Time = at
	}
	for k := 0; k < 20; k++ {
		for i := range reqs {
			bd.Detect(&reqs[i], nil)
		}
	}
	dst := make([]threat.Signal, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := &reqs[i%len(reqs)]
		dst = bd.Detect(r, dst[:0])
		if withAnomaly {
			dst = a.Detect(r, dst)
		}
		i++
	}
}
