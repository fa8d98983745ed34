// Command train builds the default anomaly model (an isolation forest over
// behavioural feature vectors) and the default behaviour sequence model
// (a Markov model over path shapes) from labelled requests in the project's
// JSONL format, such as the CSIC 2010 normal traffic:
//
//	go run ./threat/anomaly/cmd/train \
//	    -data /work/shared/data/csic-normal-train.jsonl.gz \
//	    -out threat/anomaly/default_model.json.gz \
//	    -seq-out threat/behavior/sequence_default.json
//
// Requests are grouped into sessions by their JSESSIONID cookie, in file
// order; when every cookie is unique (as in CSIC, whose requests each carry
// a fresh cookie) consecutive requests form sessions of 16 to 40 requests.
// The data has neither timestamps nor statuses: each session is replayed
// with seeded exponential inter-arrival times (a per-session mean between
// 0.5 s and 20 s) and a small share of benign 404, 401 and 500 responses.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/internal/forest"
	"github.com/bulwarkhq/bulwark/internal/sequence"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

type record struct {
	Method  string            `json:"method"`
	URI     string            `json:"uri"`
	Headers map[string]string `json:"headers"`
	Label   string            `json:"label"`
}

func main() {
	data := flag.String("data", "/work/shared/data/csic-normal-train.jsonl.gz", "labelled requests, JSONL (gzip if .gz)")
	out := flag.String("out", "", "anomaly model output file (empty: do not write)")
	seqOut := flag.String("seq-out", "", "sequence model output file (empty: do not write)")
	trees := flag.Int("trees", 100, "isolation trees")
	seed := flag.Uint64("seed", 1, "random seed")
	quantile := flag.Float64("quantile", 0.998, "threshold quantile of the training scores")
	version := flag.String("version", "", "model version (default derived from the training time)")
	flag.Parse()
	if err := run(*data, *out, *seqOut, *trees, *seed, *quantile, *version); err != nil {
		log.Fatal(err)
	}
}

func run(data, out, seqOut string, trees int, seed uint64, quantile float64, version string) error {
	recs, err := load(data)
	if err != nil {
		return err
	}
	sessions := group(recs, seed)
	paths := make([][]string, len(sessions))
	for i, s := range sessions {
		for _, r := range s {
			paths[i] = append(paths[i], pathOf(r.URI))
		}
	}
	seqVersion := version
	if seqVersion != "" {
		seqVersion = "seq-" + seqVersion
	}
	seq, err := sequence.Train(paths, sequence.Config{Version: seqVersion})
	if err != nil {
		return err
	}
	vectors, err := replay(sessions, seq, seed)
	if err != nil {
		return err
	}
	m, err := forest.Train(vectors, forest.TrainConfig{Version: version, Features: feature.Names[:], Trees: trees, Seed: seed, Quantile: quantile})
	if err != nil {
		return err
	}
	fmt.Printf("%d requests, %d sessions, %d vectors, %d classes, sequence threshold %.3f, forest threshold %.4f\n",
		len(recs), len(sessions), len(vectors), len(seq.Classes), seq.Threshold, m.Threshold)
	if err := write(out, m); err != nil {
		return err
	}
	return write(seqOut, seq)
}

// write stores a model's JSON encoding at path, gzip-compressed when the
// name ends in .gz.
func write(path string, m any) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if strings.HasSuffix(path, ".gz") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(b); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		b = buf.Bytes()
	}
	return os.WriteFile(path, b, 0o644)
}

func load(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	}
	var recs []record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if rec.Label == "" || rec.Label == "benign" {
			recs = append(recs, rec)
		}
	}
	return recs, sc.Err()
}

func session(r record) string {
	for _, part := range strings.Split(r.Headers["Cookie"], ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "JSESSIONID="); ok {
			return v
		}
	}
	return ""
}

func group(recs []record, seed uint64) [][]record {
	byID := map[string]int{}
	var sessions [][]record
	for _, r := range recs {
		id := session(r)
		if i, ok := byID[id]; ok && id != "" {
			sessions[i] = append(sessions[i], r)
			continue
		}
		byID[id] = len(sessions)
		sessions = append(sessions, []record{r})
	}
	if len(sessions) < len(recs)*9/10 {
		return sessions
	}
	// every cookie unique: consecutive requests form sessions
	rng := rand.New(rand.NewPCG(seed, 7))
	sessions = sessions[:0]
	for i := 0; i < len(recs); {
		n := min(16+rng.IntN(25), len(recs)-i)
		sessions = append(sessions, recs[i:i+n])
		i += n
	}
	return sessions
}

func pathOf(uri string) string {
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		return uri[:i]
	}
	return uri
}

// replay runs the sessions through a behaviour detector with the sequence
// model seq and returns the feature vector after each request.
func replay(sessions [][]record, seq *sequence.Model, seed uint64) ([][]float64, error) {
	b, err := json.Marshal(seq)
	if err != nil {
		return nil, err
	}
	sm, err := behavior.ParseSequenceModel(b)
	if err != nil {
		return nil, err
	}
	d, err := behavior.New(behavior.Config{Sequence: sm, NoBot: true})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var vectors [][]float64
	for si, s := range sessions {
		client := fmt.Sprintf("session-%d", si)
		meanGap := math.Exp(math.Log(0.5) + rng.Float64()*(math.Log(20)-math.Log(0.5)))
		at := start
		for _, r := range s {
			at = at.Add(time.Duration(rng.ExpFloat64() * meanGap * float64(time.Second)))
			h := http.Header{}
			for k, v := range r.Headers {
				h.Set(k, v)
			}
			req := &threat.Request{Method: r.Method, Path: pathOf(r.URI), Client: client, Time: at, Header: h, UserAgent: r.Headers["User-Agent"]}
			d.Detect(req, nil)
			status := 200
			switch x := rng.Float64(); {
			case x < 0.03:
				status = 404
			case x < 0.05:
				status = 401
			case x < 0.06:
				status = 500
			}
			d.Observe(client, "", status, at)
			// the vector as of this request, its status included
			if v, ok := d.AppendFeatures(nil, client); ok {
				vectors = append(vectors, v)
			}
		}
	}
	return vectors, nil
}
