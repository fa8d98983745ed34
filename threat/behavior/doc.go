// Package behavior keeps a bounded per-client profile of recent requests and
// scores sustained behaviour: floods, credential stuffing, 404 scanning,
// scraping, user-agent and header-set rotation, unlikely route sequences
// (a first-order Markov model over path shapes) and light bot heuristics.
//
// Profiles live in sharded maps (one mutex a shard) with a cap on tracked
// clients (least recently used evicted first) and an idle TTL; each holds a
// fixed ring of the client's last 32 requests, so memory is bounded and the
// hot path allocates nothing once a client is known. Time comes from the
// request (Request.Time) and from Observe's at argument: no goroutine runs.
//
// A client's first Config.MinRequests requests never produce a behavioural
// signal: every rule needs sustained evidence.
//
//	d, _ := behavior.New(behavior.Config{})
//	sigs := d.Detect(req, nil)                 // per request
//	d.Observe(client, route, status, time.Now()) // after the handler
//
// Sequence scoring is off unless Config.Sequence is set. The embedded
// DefaultSequenceModel is trained on the CSIC 2010 normal traffic with
// `go run ./threat/anomaly/cmd/train` (see that command). Its vocabulary is
// that shop's 28 path shapes, and since CSIC's file order is a generator's
// replay, its transitions are nearly deterministic: random browsing of the
// same shop scores far above its threshold (about 7 against 1.06). It only
// scores transitions that touch a known shape, so on other applications it
// stays silent. Train a model on your own sessions (the same command,
// -data your own traffic) before enabling sequence scoring in production.
//
// AppendFeatures gives a client's feature vector (request rate, 4xx, 401/403,
// 404 and 5xx shares, path diversity, inter-arrival regularity, user agents,
// header sets, sequence likelihood, login share, bare browsers), which
// threat/anomaly scores.
package behavior
