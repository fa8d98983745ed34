// Package replicate carries operator decisions between regions: each
// region's control plane writes only its own decision bucket, every region
// keeps an aggregate that sources all the buckets, and readers merge the
// aggregate on read with the CRDTs of internal/decision.
//
// # Topology
//
// One NATS JetStream domain per region (the region's name is the domain),
// the regions linked by leafnodes: one hub region accepts leafnode
// connections and the others connect to it as remotes. The NATS docs allow
// a domain to change only across a leafnode connection ("every server in a
// cluster and super cluster needs to have the same domain name"), so
// gateways cannot join regions that keep their own JetStream, and leafnode
// links must form a tree (a loop is detected and refused), so a full mesh
// is not an option either. Hub and spoke it is: a spoke reaches another
// spoke's domain API ($JS.<domain>.API) through the hub. The price is that
// while the hub region is cut off, the spokes do not hear from each other;
// each keeps enforcing what it has and catches up when the hub returns.
// Across a leafnode between domains the server itself denies $JS.API.>,
// $KV.> and $OBJ.>, so buckets of one name in several domains (the
// aggregate) never capture each other's writes.
//
// Hub and spoke puts two links between spokes: a spoke's write reaches
// another spoke through the hub. A Direct shortens that to one: given a
// client connection to each other region's own NATS (a mesh of plain
// client links, which leafnodes cannot form), it watches their buckets
// and copies their writes into the local aggregate under the keys the
// sources give them, ahead of the sources, which remain the durable path
// and the resync. The merge on read is idempotent, so the later copy a
// source delivers changes nothing.
//
// # Layout
//
// Region r writes RegionBucket(r) (the control plane's bucket,
// stream.DecisionBucket). Each region's AggregateBucket sources every
// region bucket, its own locally and the others through the external API
// prefix $JS.<r>.API, with a subject transform
//
//	$KV.bulwark_decisions_<r>.>  ->  $KV.bulwark_merged_decisions.<r>.>
//
// so the aggregate key of r's key k is "<r>.k": regions never overwrite
// each other, and the aggregate keeps the latest value of every (region,
// key). Configure sets this up, idempotently.
//
// Keys of a region bucket are decision keys (decision.Value.Key) holding
// that region's values, plus, for allow-lists, the removes of other
// regions' adds: "rm.<origin>.<type>.<base64url>" holds a tombstone whose
// (Origin, Stamp) is the Dot of the add it removed (Writer.RemoveAllow).
//
// # Merge on read
//
// A Reader watches its region's aggregate. Every value of one aggregate
// key is folded with decision.Merge, so duplicates, reordering and replays
// of the stream change nothing. For a target, the deny register is the
// Merge of every region's deny value; the allow-list is the AllowSet of
// every region's latest add, minus the dots some region removed; what is
// enforced is decision.Effective (allow beats ban).
//
// # Health
//
// JetStream reports a source's lag from the last message it delivered,
// and a cross-domain source can silently stop with a zero lag and a recent
// heartbeat (nats-server issue 8630). A Monitor therefore compares the
// source's last-seen origin sequence (StreamInfo sources[].seq) with the
// origin stream's last sequence, read through the origin's domain, and
// reports a source Stalled when it is behind and has not advanced for
// longer than a threshold, or its origin could not be read for that long.
//
// # What asynchronous replication can lose
//
// A write is acknowledged once its region's bucket stored it. Sourcing is
// asynchronous: a region whose storage is destroyed before its peers
// sourced its last writes loses them (a region that only goes down loses
// nothing: its file store keeps them, and sources resume where they
// stopped). Writer.WaitReplicated waits until given peers' aggregates
// hold a write, for callers who would rather pay a round trip than keep
// that window.
package replicate
