// Command evaluate measures the default threat engine on labelled requests.
//
//	go run ./examples/evaluate                     # the sample in testdata/
//	go run ./examples/evaluate -data ../shared/data/requests-dev.jsonl.gz
//	go run ./examples/evaluate -data FILE -json
//
// Each row is checked by standard.New(standard.Config{}), the Guard the
// README's middleware asks; a request counts as detected when the Guard
// refuses it: blocked, or past an inspection limit under the default
// policy. Every row comes from its own fresh client unless the row names
// one. mean_ns is the mean time of the Guard's whole check (the request
// view, every detector, the limiter), file parsing excluded.
//
// Rows are also grouped by placement, the last dash-separated part of their
// id (query, form, json, header, multipart, padlong ...). A padded row
// (placement pad...) counts as detected only when a reason names its
// family's detector (see familyDetectors): a padded payload must be found,
// not refused for its size.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/threat"
)

type category struct {
	N   int `json:"n"`
	Hit int `json:"hit"`
	// ByFamily counts the attacks a reason of the category's own family
	// detector explains (see familyDetectors).
	ByFamily int `json:"by_family,omitempty"`
}

// familyDetectors maps a data set's attack category to the detectors
// (threat.Signal.Detector) that own it.
var familyDetectors = map[string][]string{
	"sqli":           {"sqli"},
	"xss":            {"xss"},
	"path-traversal": {"traversal"},
	"lfi":            {"traversal"},
	"cmdi":           {"cmdi"},
	"ssti":           {"ssti"},
	"ssi":            {"ssi"},
	"xxe":            {"xxe"},
	"nosql":          {"nosql"},
	"ldap":           {"ldap"},
	"crlf":           {"crlf"},
	"ssrf":           {"ssrf"},
}

// placement is the last dash-separated part of a row id.
func placement(id string) string {
	if i := strings.LastIndexByte(id, '-'); i >= 0 {
		return id[i+1:]
	}
	return ""
}

func byFamily(cat string, a threat.Assessment) bool {
	for _, r := range a.Signals {
		if slices.Contains(familyDetectors[cat], r.Detector) {
			return true
		}
	}
	return false
}

type result struct {
	N          int                  `json:"n"`
	TP         int                  `json:"tp"`
	FN         int                  `json:"fn"`
	FP         int                  `json:"fp"`
	TN         int                  `json:"tn"`
	TPR        float64              `json:"tpr"`
	FPR        float64              `json:"fpr"`
	MeanNS     float64              `json:"mean_ns"`
	Categories map[string]*category `json:"categories"`
	Placements map[string]*category `json:"placements"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// errUsage is a command line run cannot act on (it has printed why).
var errUsage = errors.New("evaluate: usage")

// run is the command: it parses args, evaluates, and prints the table (or
// the JSON object) to stdout.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultData(), "labelled requests, .jsonl or .jsonl.gz (default: the sample that ships in testdata/)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	misses := fs.Int("misses", 0, "also print up to N missed attacks and N false positives (ids) to stderr")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the assessments to this file")
	verdicts := fs.String("verdicts", "", "write each row's verdict to this file, one line a row (id, outcome, score, its rules sorted), to compare two builds with diff")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(stderr, "evaluate: no -data and no testdata/sample.jsonl.gz beside the command")
		fs.Usage()
		return errUsage
	}
	rows, err := labelled.Read(*data)
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var out io.Writer // nil: no verdicts (not a nil *bufio.Writer, which is a non-nil io.Writer)
	var vw *bufio.Writer
	if *verdicts != "" {
		f, err := os.Create(*verdicts)
		if err != nil {
			return err
		}
		defer f.Close()
		vw = bufio.NewWriter(f)
		out = vw
	}
	res, err := evaluate(rows, *misses, stderr, out)
	if err != nil {
		return err
	}
	if vw != nil {
		if err := vw.Flush(); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	printTable(stdout, res)
	return nil
}

func evaluate(rows []labelled.Row, misses int, diag io.Writer, verdicts io.Writer) (*result, error) {
	// The Guard the middleware asks by default: every step that inspects
	// a request, from the view to the refusal of one that went past an
	// inspection limit.
	guard, err := standard.New(standard.Config{})
	if err != nil {
		return nil, err
	}
	defer guard.Close()
	res := &result{Categories: map[string]*category{}, Placements: map[string]*category{}}
	var total time.Duration
	shownFN, shownFP := 0, 0
	for i := range rows {
		row := &rows[i]
		req := row.Request()
		client := row.Client
		if client == "" {
			client = "eval-" + strconv.Itoa(i)
		}
		start := time.Now()
		v := guard.CheckHTTP(req, client, "", start)
		total += time.Since(start)
		a := v.Assessment
		if verdicts != nil {
			rules := make([]string, len(a.Signals))
			for k, sig := range a.Signals {
				rules[k] = sig.Rule
			}
			sort.Strings(rules)
			fmt.Fprintf(verdicts, "%s %v %.4f %s\n", row.ID, v.Outcome, a.Score, strings.Join(rules, ","))
		}

		cat := row.Category
		if cat == "" {
			cat = row.Label
		}
		place := placement(row.ID)
		fam := row.Attack() && byFamily(cat, a)
		detected := v.Refused()
		if strings.HasPrefix(place, "pad") && row.Attack() {
			detected = v.Outcome == bulwark.Blocked && fam
		}
		for _, g := range []struct {
			m    map[string]*category
			name string
		}{{res.Categories, cat}, {res.Placements, place}} {
			c := g.m[g.name]
			if c == nil {
				c = &category{}
				g.m[g.name] = c
			}
			c.N++
			if detected {
				c.Hit++
			}
			if fam {
				c.ByFamily++
			}
		}
		res.N++
		switch {
		case row.Attack() && detected:
			res.TP++
		case row.Attack():
			res.FN++
			if shownFN < misses {
				shownFN++
				rule := ""
				for _, r := range a.Signals {
					rule += " " + r.Rule
				}
				fmt.Fprintf(diag, "missed %s %s %.3f%s\n", row.ID, row.Category, a.Score, rule)
			}
		case detected:
			res.FP++
			if shownFP < misses {
				shownFP++
				rule := ""
				if len(a.Signals) > 0 {
					rule = a.Signals[0].Rule + " " + a.Signals[0].Location
				}
				if v.Outcome == bulwark.Uninspected {
					rule = "uninspected." + a.Uninspected.String()
				}
				fmt.Fprintf(diag, "false positive %s %s %.3f %s\n", row.ID, row.URI, a.Score, rule)
			}
		default:
			res.TN++
		}
	}
	if p := res.TP + res.FN; p > 0 {
		res.TPR = float64(res.TP) / float64(p)
	}
	if n := res.FP + res.TN; n > 0 {
		res.FPR = float64(res.FP) / float64(n)
	}
	if res.N > 0 {
		res.MeanNS = float64(total.Nanoseconds()) / float64(res.N)
	}
	return res, nil
}

func printTable(w io.Writer, res *result) {
	for _, g := range []struct {
		title string
		m     map[string]*category
	}{{"category", res.Categories}, {"placement", res.Placements}} {
		names := make([]string, 0, len(g.m))
		for n := range g.m {
			names = append(names, n)
		}
		sort.Strings(names)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tn\tflagged\trate\tby family\t\n", g.title)
		for _, n := range names {
			c := g.m[n]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t\n", n, c.N, c.Hit, float64(c.Hit)/float64(c.N), float64(c.ByFamily)/float64(c.N))
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "requests %d  TP %d  FN %d  FP %d  TN %d\n", res.N, res.TP, res.FN, res.FP, res.TN)
	fmt.Fprintf(w, "TPR %.4f at FPR %.4f; mean assessment %.0f ns\n", res.TPR, res.FPR, res.MeanNS)
}

// defaultData is the labelled sample that ships with the module
// (testdata/README.md), found from the module root or this folder.
func defaultData() string {
	for _, p := range []string{"examples/evaluate/testdata/sample.jsonl.gz", "testdata/sample.jsonl.gz"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
