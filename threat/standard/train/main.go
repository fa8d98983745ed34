// Command train fits the default combiner model of threat/standard from
// labelled requests and writes it as JSON:
//
//	go run ./threat/standard/train -data ../shared/data -out threat/standard/model.json
//
// Rows whose id hashes into the held-out fifth are never used for fitting;
// the figures printed at the end (and stored in the model's metrics) are
// measured on them. Every row is its own fresh client, as in
// examples/evaluate.
//
// For each rule r the log likelihood ratio is estimated with add-one
// smoothing, then shrunk toward the rule's confidence-based prior evidence
// in proportion to how little support it has, and clipped: a rule seen a
// handful of times keeps roughly what its detector claims.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/combiner"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// Fitting constants, documented in the package comment.
const (
	support   = 200.0 // rows of evidence at which the data gets half the say
	maxLLR    = 8.0
	minLLR    = -3.0
	targetFPR = 0.0003 // on the training benign rows; the goal is 0.001 on unseen data
	blockAt   = 0.8    // the score bulwark.DefaultStrictness refuses a request at
)

func main() {
	dir := flag.String("data", "../shared/data", "folder with requests-dev.jsonl.gz and csic-normal-train.jsonl.gz")
	out := flag.String("out", "threat/standard/model.json", "where to write the model")
	flag.Parse()
	var rows []labelled.Row
	for _, name := range []string{"requests-dev.jsonl.gz", "csic-normal-train.jsonl.gz"} {
		rs, err := labelled.Read(filepath.Join(*dir, name))
		if err != nil {
			log.Fatal(err)
		}
		rows = append(rows, rs...)
	}
	m, err := train(rows)
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(&m, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d rules, prior %.3f\n", *out, len(m.LLR), m.Prior)
	keys := make([]string, 0, len(m.Metrics))
	for k := range m.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-28s %.4f\n", k, m.Metrics[k])
	}
}

// heldOut keeps the GET and POST forms of one value (ids "x-get", "x-post")
// on the same side of the split.
func heldOut(id string) bool {
	if i := strings.LastIndexByte(id, '-'); i > 0 && (id[i+1:] == "get" || id[i+1:] == "post") {
		id = id[:i]
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%5 == 0
}

type sample struct {
	attack   bool
	held     bool
	category string
	sigs     []threat.Signal
}

// train fits the combiner's parameters on the rows' training part and
// measures them on the held-out part.
func train(rows []labelled.Row) (combiner.Params, error) {
	var m combiner.Params
	dets, err := standard.Detectors(standard.Config{})
	if err != nil {
		return m, err
	}
	samples := make([]sample, len(rows))
	for i := range rows {
		row := &rows[i]
		req := threat.NewRequest(row.Request(), "train-"+strconv.Itoa(i), "", threat.Limits{})
		req.Time = time.Unix(0, 0)
		var sigs []threat.Signal
		for _, d := range dets {
			sigs = d.Detect(req, sigs)
		}
		samples[i] = sample{attack: row.Attack(), held: heldOut(row.ID), category: row.Category, sigs: sigs}
	}

	base, err := standard.DefaultModel()
	if err != nil {
		return m, err
	}
	var baseParams combiner.Params
	if b, err := json.Marshal(base); err != nil || json.Unmarshal(b, &baseParams) != nil {
		return m, fmt.Errorf("the embedded model does not read back: %v", err)
	}
	m = combiner.Neutral()
	m.Version = "trained-" + time.Now().UTC().Format("20060102")
	m.TrainedOn = "requests-dev + csic-normal-train, held-out fifth by id hash"
	m.Levels = baseParams.Levels
	m.LLR = map[string]float64{}

	var nA, nB float64
	fireA, fireB, conf := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, s := range samples {
		if s.held {
			continue
		}
		if s.attack {
			nA++
		} else {
			nB++
		}
		seen := map[string]bool{}
		for _, sig := range s.sigs {
			if seen[sig.Rule] {
				continue
			}
			seen[sig.Rule] = true
			if s.attack {
				fireA[sig.Rule]++
			} else {
				fireB[sig.Rule]++
			}
			conf[sig.Rule] += sig.Confidence
		}
	}
	rules := map[string]bool{}
	for r := range fireA {
		rules[r] = true
	}
	for r := range fireB {
		rules[r] = true
	}
	for r := range rules {
		a, b := fireA[r], fireB[r]
		n := a + b
		data := math.Log((a+1)/(nA+2)) - math.Log((b+1)/(nB+2))
		c := math.Min(conf[r]/n, 1-1e-4)
		prior := -m.UnknownWeight * math.Log1p(-c)
		w := n / (n + support)
		m.LLR[r] = math.Max(minLLR, math.Min(maxLLR, w*data+(1-w)*prior))
	}

	// The lowest threshold that keeps the training benign rows under
	// targetFPR, never below the default strictness's block score: when
	// it is above, the prior moves down by the difference in log-odds, so
	// that the default strictness (blockAt) refuses what that threshold
	// would.
	model, err := modelOf(m)
	if err != nil {
		return m, err
	}
	var benign []float64
	for _, s := range samples {
		if !s.held && !s.attack {
			benign = append(benign, model.Combine(s.sigs).Score)
		}
	}
	sort.Float64s(benign)
	allowed := int(targetFPR * float64(len(benign)))
	th := math.Min(0.99, benign[len(benign)-1-allowed]+1e-9)
	if th > blockAt {
		m.Prior -= logit(th) - logit(blockAt)
	}
	if model, err = modelOf(m); err != nil {
		return m, err
	}
	m.Metrics = map[string]float64{}
	var tp, fn, fp, tn float64
	cats := map[string][2]float64{}
	for _, s := range samples {
		if !s.held {
			continue
		}
		block := model.Combine(s.sigs).Score >= blockAt
		c := cats[s.category]
		c[0]++
		if block {
			c[1]++
		}
		cats[s.category] = c
		switch {
		case s.attack && block:
			tp++
		case s.attack:
			fn++
		case block:
			fp++
		default:
			tn++
		}
	}
	m.Metrics["heldout_tpr"] = tp / math.Max(1, tp+fn)
	m.Metrics["heldout_fpr"] = fp / math.Max(1, fp+tn)
	for name, c := range cats {
		m.Metrics["heldout_rate_"+name] = c[1] / c[0]
	}
	return m, nil
}

// modelOf is the model of parameters p, validated as the engine does.
func modelOf(p combiner.Params) (*threat.Model, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return threat.ParseModel(b)
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }
