package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/privacy"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Private exports (issue 16): aggregates that leave the tenant (to
// another team, a partner, a shared dashboard) carry calibrated noise, and
// every release is charged to the tenant's privacy budget.
//
// GET /api/v1/export/threats releases the range's offences per attack
// family under ε-differential privacy for one client's whole history in
// the range: each client's offences are first clamped to `bound` in total
// (spread over its families in name order), so adding or removing one
// client moves the released vector by at most `bound` (L1), and each
// family's sum gets discrete Laplace noise of scale bound/ε, sampled with
// integers only over crypto/rand (internal/privacy). The families released
// are a fixed, public list, so which families appear reveals nothing. The
// ε is charged first, atomically, against Config.PrivacyBudget; a release
// that would pass it is refused (403) and released nothing. Spends and
// refusals are in the audit log. Counts may be negative: the noise is
// unbiased, and clipping is left to the recipient.

// exportFamilies are the families an export releases, in this order;
// offences of any other family count as "other".
var exportFamilies = append(append([]string{}, signature.Names...), "behavior", "anomaly", "other")

var recipientRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

const maxBound = 1000

// apiExportThreats answers GET /api/v1/export/threats?recipient=NAME&epsilon=ε[&bound=10][&range=…|from&to].
func (s *Server) apiExportThreats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	recipient := q.Get("recipient")
	if !recipientRE.MatchString(recipient) {
		s.fail(w, r, bad("recipient %q: 1 to 64 of a-z, 0-9, '.', '_', '-'", recipient))
		return
	}
	eps, ok := new(big.Rat).SetString(q.Get("epsilon"))
	if !ok || eps.Sign() <= 0 || eps.Cmp(big.NewRat(10, 1)) > 0 || len(q.Get("epsilon")) > 32 {
		s.fail(w, r, bad("epsilon %q: a number in (0, 10], such as 0.5 or 1/2", q.Get("epsilon")))
		return
	}
	bound := int64(10)
	if v := q.Get("bound"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > maxBound {
			s.fail(w, r, bad("bound %q: offences one client may add, 1 to %d", v, maxBound))
			return
		}
		bound = n
	}
	win, err := s.window(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	offences, err := s.Store.ClientOffences(ctx, s.rng(win))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// clamp each client's total to bound, family by family in name order
	// (the store returns rows by pseudonym, then family)
	sums := make(map[string]int64, len(exportFamilies))
	left, client := int64(0), ""
	for _, o := range offences {
		if o.Pseudonym != client {
			client, left = o.Pseudonym, bound
		}
		fam := o.Family
		if !slices.Contains(exportFamilies, fam) {
			fam = "other"
		}
		n := max(0, min(o.Offences, left))
		sums[fam] += n
		left -= n
	}
	detail, _ := json.Marshal(map[string]any{"query": "threats by family", "from": win.From, "to": win.To,
		"epsilon": eps.RatString(), "bound": bound})
	charged, err := s.Store.ChargePrivacy(ctx, s.cfg.Tenant, eps, s.cfg.privacyBudget,
		history.Audit{Tenant: s.cfg.Tenant, Actor: claimsOf(r).Subject, Target: "recipient:" + recipient, Detail: string(detail)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !charged {
		writeProblem(w, http.StatusForbidden, probBudgetSpent, "the tenant's privacy budget cannot pay for ε = "+eps.RatString()+": nothing released")
		return
	}
	sampler := privacy.NewSampler()
	counts := make([]map[string]any, 0, len(exportFamilies))
	for _, fam := range exportFamilies {
		noise, err := sampler.Noise(eps, bound)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		counts = append(counts, map[string]any{"family": fam, "offences": sums[fam] + noise})
	}
	spent, err := s.Store.PrivacySpent(ctx, s.cfg.Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recipient": recipient, "from": win.From, "to": win.To,
		"epsilon": eps.RatString(), "bound": bound, "counts": counts,
		"mechanism": "discrete Laplace, scale bound/epsilon, integer-only sampler over crypto/rand; each client's offences clamped to bound in total",
		"budget":    s.cfg.privacyBudget.RatString(), "spent": spent.RatString(),
		"remaining": new(big.Rat).Sub(s.cfg.privacyBudget, spent).RatString()})
}

// apiPrivacyBudget answers GET /api/v1/export/budget.
func (s *Server) apiPrivacyBudget(w http.ResponseWriter, r *http.Request) {
	spent, err := s.Store.PrivacySpent(r.Context(), s.cfg.Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"budget": s.cfg.privacyBudget.RatString(), "spent": spent.RatString(),
		"remaining": new(big.Rat).Sub(s.cfg.privacyBudget, spent).RatString()})
}

// recipientKey is the pseudonym key of recipient for the month of at:
// HMAC-SHA256 of the control plane's key over the recipient and the
// month, so that two recipients cannot join their exports, and one
// recipient's ids change every month (the key rotates with the month;
// its id says which).
func (s *Server) recipientKey(recipient string, at time.Time) (key []byte, id string) {
	period := at.UTC().Format("2006-01")
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("bulwark export pseudonyms\x00" + recipient + "\x00" + period))
	return m.Sum(nil), recipient + "/" + period
}

// recipientPseudonym is what recipient sees of pseudonym under key.
func recipientPseudonym(key []byte, pseudonym string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(pseudonym))
	return hex.EncodeToString(m.Sum(nil)[:10])
}

// apiExportIncidents answers GET /api/v1/export/incidents?recipient=NAME[&range=…|from&to]:
// the range's incidents (a client's offences in an hour) for a blocklist
// or a partner's analysis, each client named by a pseudonym keyed for this
// recipient and this month, never by the tenant's own. It is event-level
// data, not an aggregate: no noise, and audited (export.incidents).
func (s *Server) apiExportIncidents(w http.ResponseWriter, r *http.Request) {
	recipient := r.URL.Query().Get("recipient")
	if !recipientRE.MatchString(recipient) {
		s.fail(w, r, bad("recipient %q: 1 to 64 of a-z, 0-9, '.', '_', '-'", recipient))
		return
	}
	win, err := s.window(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var incs []history.Incident
	cursor := ""
	for range 10 { // at most 10,000 incidents
		page, next, err := s.Store.Incidents(ctx, s.rng(win), history.Page{Limit: history.MaxPage, Cursor: cursor})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		incs = append(incs, page...)
		if cursor = next; next == "" {
			break
		}
	}
	now := s.cfg.Now()
	key, keyID := s.recipientKey(recipient, now)
	if err := s.audit(ctx, r, "export.incidents", "recipient:"+recipient,
		map[string]any{"from": win.From, "to": win.To, "incidents": len(incs), "key_id": keyID}); err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(incs))
	for _, in := range incs {
		out = append(out, map[string]any{"client": recipientPseudonym(key, in.Pseudonym), "hour": in.Hour, "offences": in.Offences,
			"refused": in.Refused, "max_score": in.MaxScore, "family": in.Family, "route": in.Route})
	}
	writeJSON(w, http.StatusOK, map[string]any{"recipient": recipient, "key_id": keyID, "from": win.From, "to": win.To,
		"complete": cursor == "", "items": out})
}
