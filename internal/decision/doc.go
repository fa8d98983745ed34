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
// region name); allow-list entries and deny entries live under different
// keys, so allow beats ban by lookup, not by merge.
package decision
