package privacy

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// ErrParam is returned for a non-positive ε or bound.
var ErrParam = errors.New("privacy: parameters must be positive")

// Sampler draws noise from a source of uniform random bytes: crypto/rand's
// Reader unless a test gives another.
type Sampler struct {
	rand io.Reader
}

// NewSampler returns a Sampler reading crypto/rand.
func NewSampler() *Sampler { return &Sampler{rand: rand.Reader} }

var one = big.NewInt(1)

// uniform returns a uniform integer in [0, n).
func (s *Sampler) uniform(n *big.Int) (*big.Int, error) {
	return rand.Int(s.rand, n)
}

// bernoulli returns true with probability num/den, 0 ≤ num ≤ den.
func (s *Sampler) bernoulli(num, den *big.Int) (bool, error) {
	u, err := s.uniform(den)
	if err != nil {
		return false, err
	}
	return u.Cmp(num) < 0, nil
}

// bernoulliExp returns true with probability exp(−num/den), num ≥ 0
// (Canonne, Kamath and Steinke 2020, algorithm 1).
func (s *Sampler) bernoulliExp(num, den *big.Int) (bool, error) {
	if num.Cmp(den) <= 0 {
		// K is the first k with Bernoulli(γ/k) false; the answer is K odd.
		k := big.NewInt(1)
		for {
			ok, err := s.bernoulli(num, new(big.Int).Mul(den, k))
			if err != nil {
				return false, err
			}
			if !ok {
				break
			}
			k.Add(k, one)
		}
		return k.Bit(0) == 1, nil
	}
	whole, rest := new(big.Int).QuoRem(num, den, new(big.Int))
	for i := new(big.Int); i.Cmp(whole) < 0; i.Add(i, one) {
		ok, err := s.bernoulliExp(one, one)
		if err != nil || !ok {
			return false, err
		}
	}
	return s.bernoulliExp(rest, den)
}

// DiscreteLaplace returns a sample x with P(x) ∝ exp(−|x|·num/den), for
// num, den ≥ 1 (Canonne, Kamath and Steinke 2020, algorithm 2, with scale
// den/num).
func (s *Sampler) DiscreteLaplace(num, den *big.Int) (*big.Int, error) {
	if num.Sign() <= 0 || den.Sign() <= 0 {
		return nil, ErrParam
	}
	for {
		u, err := s.uniform(den)
		if err != nil {
			return nil, err
		}
		d, err := s.bernoulliExp(u, den)
		if err != nil {
			return nil, err
		}
		if !d {
			continue
		}
		v := new(big.Int)
		for {
			a, err := s.bernoulliExp(one, one)
			if err != nil {
				return nil, err
			}
			if !a {
				break
			}
			v.Add(v, one)
		}
		x := v.Mul(v, den).Add(v, u) // u + den·v
		y := x.Quo(x, num)
		b, err := s.bernoulli(one, big.NewInt(2))
		if err != nil {
			return nil, err
		}
		if b && y.Sign() == 0 {
			continue
		}
		if b {
			y.Neg(y)
		}
		return y, nil
	}
}

// Noise returns discrete Laplace noise for a sum to which one client adds
// at most bound, at privacy loss epsilon: P(x) ∝ exp(−ε|x|/bound).
func (s *Sampler) Noise(epsilon *big.Rat, bound int64) (int64, error) {
	if epsilon == nil || epsilon.Sign() <= 0 || bound <= 0 {
		return 0, ErrParam
	}
	// exp(−|x|·ε/Δ) with ε = p/q: num/den = p/(q·Δ).
	num := new(big.Int).Set(epsilon.Num())
	den := new(big.Int).Mul(epsilon.Denom(), big.NewInt(bound))
	x, err := s.DiscreteLaplace(num, den)
	if err != nil {
		return 0, err
	}
	if !x.IsInt64() {
		return 0, fmt.Errorf("privacy: noise beyond int64")
	}
	return x.Int64(), nil
}

// Clamp sums the clients' contributions, each first cut to [0, bound]: one
// client then moves the sum by at most bound, the sensitivity the noise is
// scaled to.
func Clamp(perClient map[string]int64, bound int64) int64 {
	var sum int64
	for _, c := range perClient {
		sum += max(0, min(c, bound))
	}
	return sum
}
