//go:build race

package threat_test

// raceBuild is set when the tests run under the race detector, which
// slows every run several times: timing sweeps measure less under it.
const raceBuild = true
