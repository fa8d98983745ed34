package privacy

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiscreteLaplaceChiSquare draws from the sampler and compares the
// counts with the exact distribution, P(x) = (1−r)/(1+r)·r^|x| with
// r = exp(−num/den), by Pearson's chi-square over the values with an
// expected count of at least 5 and the two tails pooled. The bytes come
// from a seeded ChaCha8 stream, not crypto/rand: the sampler's arithmetic
// is what is under test, and a test at the 99.9th percentile run on fresh
// randomness fails one CI run in a few hundred with nothing wrong.
func TestDiscreteLaplaceChiSquare(t *testing.T) {
	cases := []struct {
		name     string
		num, den int64
	}{
		{"scale 1", 1, 1},
		{"scale 2.5", 2, 5},
		{"scale 1/3", 3, 1},
		{"scale 10", 1, 10},
	}
	const draws = 20000
	s := &Sampler{rand: seeded(1)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			counts := map[int64]int{}
			for range draws {
				x, err := s.DiscreteLaplace(big.NewInt(c.num), big.NewInt(c.den))
				if err != nil {
					t.Fatal(err)
				}
				counts[x.Int64()]++
			}
			r := math.Exp(-float64(c.num) / float64(c.den))
			pmf := func(x int64) float64 { return (1 - r) / (1 + r) * math.Pow(r, math.Abs(float64(x))) }
			// Central cells with expected count ≥ 5, then a cell for each tail.
			k := int64(0)
			for draws*pmf(k+1) >= 5 {
				k++
			}
			var chi2, inner float64
			var innerObs int
			for x := -k; x <= k; x++ {
				e := draws * pmf(x)
				o := float64(counts[x])
				chi2 += (o - e) * (o - e) / e
				inner += pmf(x)
				innerObs += counts[x]
			}
			cells := 2*k + 1
			if tailP := 1 - inner; tailP*draws >= 5 {
				e := tailP * draws
				o := float64(draws - innerObs)
				chi2 += (o - e) * (o - e) / e
				cells++
			}
			df := float64(cells - 1)
			// The 99.9th percentile of chi-square, Wilson–Hilferty.
			z := 3.09
			crit := df * math.Pow(1-2/(9*df)+z*math.Sqrt(2/(9*df)), 3)
			if df < 1 {
				t.Fatalf("too few cells (%v)", cells)
			}
			if chi2 > crit {
				t.Errorf("chi-square %.1f over %v degrees of freedom exceeds %.1f: the sampler is not discrete Laplace", chi2, df, crit)
			}
		})
	}
}

// seeded returns a reproducible stream of uniform bytes.
func seeded(seed byte) io.Reader {
	var key [32]byte
	key[0] = seed
	return rand.NewChaCha8(key)
}

func TestBernoulliExp(t *testing.T) {
	s := &Sampler{rand: seeded(2)}
	for _, c := range []struct{ num, den int64 }{{0, 1}, {1, 2}, {3, 2}, {5, 1}} {
		n := 20000
		hits := 0
		for range n {
			ok, err := s.bernoulliExp(big.NewInt(c.num), big.NewInt(c.den))
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				hits++
			}
		}
		p := math.Exp(-float64(c.num) / float64(c.den))
		sd := math.Sqrt(p * (1 - p) / float64(n))
		if got := float64(hits) / float64(n); math.Abs(got-p) > 4*sd+1e-9 {
			t.Errorf("Bernoulli(exp(-%d/%d)) = %.4f, want %.4f", c.num, c.den, got, p)
		}
	}
}

// TestNoFloatingPointSampling parses the package's code (tests aside) and
// fails on any floating-point type or literal, or any import of math or
// math/rand: the sampler must stay integer-only over crypto/rand.
func TestNoFloatingPointSampling(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			switch p := strings.Trim(imp.Path.Value, `"`); p {
			case "math", "math/rand", "math/rand/v2":
				t.Errorf("%s imports %s", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				switch n.Name {
				case "float32", "float64", "complex64", "complex128":
					t.Errorf("%s: floating-point type %s", fset.Position(n.Pos()), n.Name)
				}
			case *ast.BasicLit:
				if n.Kind == token.FLOAT || n.Kind == token.IMAG {
					t.Errorf("%s: floating-point literal %s", fset.Position(n.Pos()), n.Value)
				}
			case *ast.SelectorExpr:
				if strings.HasPrefix(n.Sel.Name, "Float") {
					t.Errorf("%s: %s", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}

func TestLedgerRefusesOnceSpent(t *testing.T) {
	ctx := context.Background()
	l, err := NewLedger(NewMemoryStore(), big.NewRat(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	tenth := big.NewRat(1, 10)
	for i := range 10 {
		if err := l.Spend(ctx, "a", tenth); err != nil {
			t.Fatalf("query %d of ε 1/10 refused under a budget of 1: %v", i+1, err)
		}
	}
	if err := l.Spend(ctx, "a", big.NewRat(1, 1000)); !errors.Is(err, ErrBudgetSpent) {
		t.Fatalf("query past the budget: err %v, want ErrBudgetSpent", err)
	}
	if r, _ := l.Remaining(ctx, "a"); r.Sign() != 0 {
		t.Errorf("remaining %s, want 0", r.RatString())
	}
	// Another tenant has its own budget.
	if err := l.Spend(ctx, "b", big.NewRat(1, 2)); err != nil {
		t.Errorf("tenant b refused: %v", err)
	}
	// A query larger than what is left is refused and charges nothing.
	if err := l.Spend(ctx, "b", big.NewRat(3, 5)); !errors.Is(err, ErrBudgetSpent) {
		t.Errorf("over-budget query: %v", err)
	}
	if r, _ := l.Remaining(ctx, "b"); r.Cmp(big.NewRat(1, 2)) != 0 {
		t.Errorf("remaining %s after a refusal, want 1/2", r.RatString())
	}
}

func TestCountRefusedReleasesNothing(t *testing.T) {
	ctx := context.Background()
	l, _ := NewLedger(NewMemoryStore(), big.NewRat(1, 2))
	per := map[string]int64{"x": 100, "y": 3, "z": -4}
	if _, err := Count(ctx, l, "t", per, 5, big.NewRat(1, 2)); err != nil {
		t.Fatal(err)
	}
	if n, err := Count(ctx, l, "t", per, 5, big.NewRat(1, 100)); !errors.Is(err, ErrBudgetSpent) || n != 0 {
		t.Fatalf("Count past the budget = %d, %v; want 0, ErrBudgetSpent", n, err)
	}
}

func TestClamp(t *testing.T) {
	cases := []struct {
		name  string
		per   map[string]int64
		bound int64
		want  int64
	}{
		{"empty", nil, 3, 0},
		{"under", map[string]int64{"a": 1, "b": 2}, 3, 3},
		{"one heavy client", map[string]int64{"a": 1000, "b": 2}, 3, 5},
		{"negative cut to 0", map[string]int64{"a": -7, "b": 2}, 3, 2},
	}
	for _, c := range cases {
		if got := Clamp(c.per, c.bound); got != c.want {
			t.Errorf("%s: Clamp = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestParams(t *testing.T) {
	s := NewSampler()
	if _, err := s.Noise(big.NewRat(0, 1), 1); !errors.Is(err, ErrParam) {
		t.Errorf("ε 0: %v", err)
	}
	if _, err := s.Noise(big.NewRat(1, 1), 0); !errors.Is(err, ErrParam) {
		t.Errorf("bound 0: %v", err)
	}
	if _, err := NewLedger(NewMemoryStore(), big.NewRat(-1, 1)); err == nil {
		t.Error("negative budget accepted")
	}
}
