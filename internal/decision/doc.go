// Package decision is the value an operator's decision travels as, from the
// control plane's decision bucket to every SDK instance: what it targets,
// what it does, until when, and the fields regions merge on.
//
//	clock := decision.NewClock(time.Now)
//	v := decision.Value{
//		Target:  decision.MustTarget("cidr", "198.51.100.0/24"),
//		Action:  decision.Ban,
//		Reason:  "credential stuffing",
//		Origin:  "eu-west",
//		Stamp:   clock.Now(),
//		Expires: time.Now().Add(time.Hour),
//	}
//	key := v.Key()          // the bucket key: "deny.cidr.<base64url>"
//	b, _ := v.Marshal()     // the bucket value
//
// Every Value carries, from the start, the origin region, a hybrid logical
// clock stamp (Stamp), the expiry and a tombstone flag: removing a decision
// writes a tombstone with a newer stamp rather than deleting the key, so a
// region that sees the removal after the write still converges. Newer
// reports which of two values of one key wins (last writer by stamp, then
// region name), and Merge is that last-writer-wins register. Allow-list
// entries and deny entries live under different keys; across regions the
// allow-list is an observed-remove set (AllowSet): a remove tombstones the
// adds it saw, so an add made concurrently elsewhere survives it. Effective
// says what holds for a target: allow beats ban and throttle, and expiry is
// part of each value, so every region ends a decision at the same instant.
// Merge and AllowSet.Merge are commutative, associative and idempotent
// (property tests in merge_test.go); nothing replicates through them yet.
package decision
