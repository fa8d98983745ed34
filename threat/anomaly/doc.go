// Package anomaly scores a client's behavioural feature vector against what
// benign traffic looks like: an isolation forest (Liu, Ting and Zhou, 2008:
// subsamples of 256, 100 trees, path lengths normalised by c(n)) and an
// online robust baseline per feature (EWMA mean and variance, median/MAD
// robust z-scores over a bounded window, through gonum/stat).
//
// A Model is a versioned, serialisable artefact (JSON, validated on load: a
// bad or truncated artefact is an error, never a panic; Hash names its
// content). The Detector's threat.Holder (Detector.Models) swaps one in at
// run time and rolls it back while requests are being scored.
//
// The Detector reads features through FeatureSource, which
// *behavior.Detector implements; it scores only clients with enough history,
// so a client's first requests get no anomaly signal:
//
//	b, _ := behavior.New(behavior.Config{})
//	a, _ := anomaly.New(anomaly.Config{Source: b}) // embedded default model
//	engine, _ := threat.New(threat.Config{Detectors: []threat.Detector{b, a}})
//
// The embedded default model is trained on the CSIC 2010 normal traffic:
//
//	go run ./threat/anomaly/cmd/train \
//	    -data /work/shared/data/csic-normal-train.jsonl.gz \
//	    -out threat/anomaly/default_model.json.gz \
//	    -seq-out threat/behavior/sequence_default.json
//
// CSIC has no timestamps nor response statuses: the command replays each
// session with seeded synthetic inter-arrival times and a small share of
// benign 404/401 responses, so the time and status features of the default
// model describe that synthetic benign baseline. Train on your own traffic
// (the same command, -data your own requests) for a sharper model.
package anomaly
