// Command crscompare measures Coraza with the OWASP Core Rule Set on the
// same labelled requests as examples/evaluate, so the two read side by
// side:
//
//	cd examples/crscompare && go run . -data ../../../shared/data/requests-payloads.jsonl.gz [-pl 1] [-json]
//
// Every row is sent through coraza's net/http middleware (the CRS's
// recommended configuration, crs-setup.conf.example, the rules of the
// coraza-coreruleset module) in front of a handler that answers 200; a
// request counts as blocked when the middleware interrupts it. The
// paranoia level is set with -pl (1 by default, the CRS's default).
//
// It is a module of its own so that bulwark itself does not depend on
// coraza.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	txhttp "github.com/corazawaf/coraza/v3/http"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

type category struct {
	N   int `json:"n"`
	Hit int `json:"hit"`
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
	data := flag.String("data", "", "labelled requests, .jsonl or .jsonl.gz (required)")
	pl := flag.Int("pl", 1, "CRS paranoia level (1-4)")
	asJSON := flag.Bool("json", false, "print one JSON object instead of a table")
	verdicts := flag.String("verdicts", "", "also write each row's verdict here: id, blocked or allowed (as examples/evaluate -verdicts)")
	flag.Parse()
	if *data == "" || *pl < 1 || *pl > 4 {
		flag.Usage()
		os.Exit(2)
	}
	rows, err := labelled.Read(*data)
	if err != nil {
		log.Fatal(err)
	}
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().
		WithRootFS(coreruleset.FS).
		WithDirectives("Include @coraza.conf-recommended").
		WithDirectives("Include @crs-setup.conf.example").
		WithDirectives(fmt.Sprintf(`SecAction "id:900000,phase:1,pass,t:none,nolog,tag:'OWASP_CRS',ver:'OWASP_CRS/4.25.0',setvar:tx.blocking_paranoia_level=%d"`, *pl)).
		WithDirectives("Include @owasp_crs/*.conf").
		WithDirectives("SecRuleEngine On"))
	if err != nil {
		log.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	h := txhttp.WrapHandler(waf, ok)
	var vw *bufio.Writer
	if *verdicts != "" {
		f, err := os.Create(*verdicts)
		if err != nil {
			log.Fatal(err)
		}
		defer func() {
			if err := vw.Flush(); err != nil {
				log.Fatal(err)
			}
			if err := f.Close(); err != nil {
				log.Fatal(err)
			}
		}()
		vw = bufio.NewWriter(f)
	}
	res := &result{Categories: map[string]*category{}, Placements: map[string]*category{}}
	var total time.Duration
	for i := range rows {
		row := &rows[i]
		req := row.Request()
		if req.Host == "" {
			req.Host = "api.example.com"
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		total += time.Since(start)
		blocked := rec.Code != http.StatusOK
		if vw != nil {
			verdict := "allowed"
			if blocked {
				verdict = "blocked"
			}
			fmt.Fprintf(vw, "%s %s\n", row.ID, verdict)
		}
		cat := row.Category
		if cat == "" {
			cat = row.Label
		}
		place := row.ID
		if j := strings.LastIndexByte(place, '-'); j >= 0 {
			place = place[j+1:]
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
			if blocked {
				c.Hit++
			}
		}
		res.N++
		switch {
		case row.Attack() && blocked:
			res.TP++
		case row.Attack():
			res.FN++
		case blocked:
			res.FP++
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
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, g := range []struct {
		title string
		m     map[string]*category
	}{{"category", res.Categories}, {"placement", res.Placements}} {
		names := make([]string, 0, len(g.m))
		for n := range g.m {
			names = append(names, n)
		}
		sort.Strings(names)
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tn\tblocked\trate\t\n", g.title)
		for _, n := range names {
			c := g.m[n]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t\n", n, c.N, c.Hit, float64(c.Hit)/float64(c.N))
		}
		tw.Flush()
		fmt.Println()
	}
	fmt.Printf("requests %d  TP %d  FN %d  FP %d  TN %d\n", res.N, res.TP, res.FN, res.FP, res.TN)
	fmt.Printf("TPR %.4f at FPR %.4f; mean %.0f ns (CRS PL%d)\n", res.TPR, res.FPR, res.MeanNS, *pl)
}
