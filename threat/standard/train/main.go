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
// The fitting is internal/trainer's, with its default hyperparameters: for
// each rule r the log likelihood ratio is estimated with add-one
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
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/combiner"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/internal/trainer"
	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
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

// train fits the combiner's parameters on the rows' training part
// (internal/trainer, default hyperparameters) and measures them on the
// held-out part.
func train(rows []labelled.Row) (combiner.Params, error) {
	var m combiner.Params
	dets, err := standard.Detectors(standard.Config{})
	if err != nil {
		return m, err
	}
	examples := make([]trainer.Example, len(rows))
	for i := range rows {
		row := &rows[i]
		req := threat.NewRequest(row.Request(), "train-"+strconv.Itoa(i), "", threat.Limits{})
		req.Time = time.Unix(0, 0)
		var sigs []threat.Signal
		for _, d := range dets {
			sigs = d.Detect(req, sigs)
		}
		examples[i] = trainer.Example{Attack: row.Attack(), Held: heldOut(row.ID), Category: row.Category, Signals: sigs}
	}
	base, err := standard.DefaultModel()
	if err != nil {
		return m, err
	}
	baseParams, err := trainer.Params(base)
	if err != nil {
		return m, fmt.Errorf("the embedded model does not read back: %v", err)
	}
	start := combiner.Neutral()
	start.Version = "trained-" + time.Now().UTC().Format("20060102")
	start.TrainedOn = "requests-dev + csic-normal-train, held-out fifth by id hash"
	start.Levels = baseParams.Levels
	if m, err = trainer.Fit(examples, start, trainer.Defaults); err != nil {
		return m, err
	}
	model, err := trainer.Model(m)
	if err != nil {
		return m, err
	}
	e := trainer.Evaluate(model, examples, trainer.Defaults.Block)
	m.Metrics = map[string]float64{"heldout_tpr": e.TPR, "heldout_fpr": e.FPR}
	for name, rate := range e.PerFamily {
		m.Metrics["heldout_rate_"+name] = rate
	}
	return m, nil
}
