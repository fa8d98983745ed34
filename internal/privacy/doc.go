// Package privacy adds differential-privacy noise to counts that leave a
// deployment, and keeps each tenant's privacy budget.
//
// The noise is discrete Laplace (two-sided geometric): P(x) ∝ exp(−ε|x|/Δ)
// over the integers, for a count to which one client contributes at most Δ.
// It is sampled exactly, with integer arithmetic only and randomness from
// crypto/rand, by the algorithms of Canonne, Kamath and Steinke (2020,
// "The Discrete Gaussian for Differential Privacy", algorithms 1 and 2).
// Floating-point samplers leak through the gaps in the doubles they can
// return (Mironov 2012; Google's differential-privacy library,
// "Secure Noise Generation"), so ε is a rational and nothing here is a
// float. A test checks that this stays so.
//
// A Ledger charges every release to its tenant's budget, and refuses with
// ErrBudgetSpent the query that would exceed it. Where the spent totals
// live, and who audits them, is the caller's: the Ledger takes a Store.
//
//	l, _ := privacy.NewLedger(privacy.NewMemoryStore(), big.NewRat(1, 1))
//	n, err := privacy.Count(ctx, l, "tenant-a", perClient, 5, big.NewRat(1, 10))
package privacy
