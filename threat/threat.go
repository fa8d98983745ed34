package threat

import (
	"net/http"
	"time"
)

// Source says where in a request a value was found.
type Source uint8

// Sources of request values.
const (
	SourcePath Source = iota
	SourceQuery
	SourceForm
	SourceJSON
	SourceCookie
	SourceHeader
	SourceBody      // a raw body that was not parsed into values (a view built by hand)
	SourceMultipart // a multipart field that is not a file
	SourceFile      // an uploaded file: its name ("(filename)") and, when text-like, its contents
	SourceXML       // XML or HTML: the document, element text, attribute values, declarations
	SourceText      // a text body, whole
)

// Param is one decoded name/value pair of a request.
type Param struct {
	Source Source
	Name   string
	Value  string // fully decoded (URL, double URL, HTML entities, \uXXXX, %uXXXX)
	Raw    string // as received, before decoding
	// RawName is the name as received, before the decoding Name went
	// through: what a handler that reads names undecoded (a form's
	// after percent escapes, a multipart part's) sees of "%5Cwin%5Cntuser.dat"
	// is its backslashes, not the line break a JavaScript escape makes.
	RawName string
	// Via names a decoding the view applied to the body the value came
	// from before parsing it ("gzip", "utf-16le", "ibm037"); "" for none.
	Via string
}

// Request is the read-only view of an HTTP request that detectors inspect.
// It is built once per request by the Engine; detectors must not modify it.
type Request struct {
	Method     string
	Path       string // decoded path
	RawPath    string // path as received
	RawQuery   string
	Proto      string
	Host       string
	UserAgent  string
	RemoteAddr string
	Client     string // the client key chosen by the caller (address or KeyFunc result)
	Route      string // route pattern or group, if known before the handler runs
	Time       time.Time
	Header     http.Header // selected headers, canonical names
	Params     []Param
	// ContentLength and TransferEncoding are the framing of the body as
	// net/http read it (it moves Transfer-Encoding out of Header).
	ContentLength    int64
	TransferEncoding []string
	// Uninspected says which limits the request went past: the parts of
	// it beyond them were not inspected (see Limits).
	Uninspected Uninspected
}

// Uninspected is a set of reasons why part of a request was not inspected:
// the limits (see Limits) it went past, or a failure of the inspection.
// Its zero value means the whole request was inspected.
type Uninspected uint8

// Reasons a request was not inspected in full.
const (
	UninspectedBody     Uninspected = 1 << iota // the body is larger than Limits.MaxBody
	UninspectedDecoded                          // the body decodes (inflates) past Limits.MaxDecoded
	UninspectedEncoding                         // a Content-Encoding the view cannot undo (br, zstd ...)
	UninspectedQuery                            // the query string is longer than Limits.MaxQuery
	UninspectedParams                           // more values than Limits.MaxParams
	UninspectedDepth                            // JSON, XML or multipart nesting deeper than Limits.MaxDepth
	UninspectedFailed                           // inspection failed on the request (a bug: the view's parsing or a detector panicked); what it would have found is lost
)

var uninspectedNames = [...]string{"body", "decoded", "encoding", "query", "params", "depth", "failed"}

// String names the first reason in u ("body", "params" ...), "" for none.
func (u Uninspected) String() string {
	for i, n := range uninspectedNames {
		if u&(1<<i) != 0 {
			return n
		}
	}
	return ""
}

// TooLarge reports whether u holds a reason of size (body, decoded body,
// query), which HTTP answers with 413, rather than one of shape (too many
// values, too deep: 400) or coding (415).
func (u Uninspected) TooLarge() bool {
	return u&(UninspectedBody|UninspectedDecoded|UninspectedQuery) != 0
}

// Signal is one finding of a Detector.
type Signal struct {
	Detector   string  // detector name, e.g. "sqli"
	Family     string  // "signature", "behavior", "anomaly"
	Rule       string  // stable rule id, e.g. "sqli.libinjection"
	Confidence float64 // in [0,1]: how sure the detector is that this request is hostile
	Location   string  // where: "query:id", "header:User-Agent", "client"
	Evidence   string  // a short, bounded excerpt or fingerprint, never the whole input
}

// Detector inspects a request and appends its findings to dst.
// Detect must be safe for concurrent use and must never panic.
type Detector interface {
	Name() string
	Detect(req *Request, dst []Signal) []Signal
}

// Grouped is implemented by a Detector that runs several named
// sub-detectors in one pass (threat/signature does, one per attack family).
// Their names appear in Signal.Detector, and Config.Disabled and
// Config.Weights accept them like detector names.
type Grouped interface {
	Detectors() []string
}

// Observer is implemented by detectors that learn from the outcome of a
// request (the response status) after the handler has run.
type Observer interface {
	Observe(client, route string, status int, at time.Time)
}

// Level is a coarse severity derived from the score.
type Level uint8

// Levels, in increasing severity.
const (
	LevelNone Level = iota
	LevelLow
	LevelMedium
	LevelHigh
	LevelCritical
)

// String returns the level's name: "none", "low", "medium", "high",
// "critical".
func (l Level) String() string {
	switch l {
	case LevelLow:
		return "low"
	case LevelMedium:
		return "medium"
	case LevelHigh:
		return "high"
	case LevelCritical:
		return "critical"
	}
	return "none"
}

// Assessment is the Engine's verdict on one request: how hostile it looks
// and why. What to do about it (refuse, ban, alert) is the caller's
// strictness.
type Assessment struct {
	Score   float64  // calibrated probability in [0,1] that the request is hostile
	Level   Level    // Score on the model's level scale
	Signals []Signal // the signals that weighed most, strongest first
	// Model is the Version of the combiner model that scored the request:
	// the active one, or the canary for a client in its fraction.
	Model string
	// Challenger is the score the challenger model gave the request, when
	// one is set (Holder.SetChallenger), else -1. It is never enforced.
	Challenger float64
	// ChallengerModel is the Version of the challenger that gave
	// Challenger, "" when none is set.
	ChallengerModel string
	// Uninspected says which limits the request went past: a part of it
	// was not inspected, and Score speaks only for the rest. The
	// middleware's policy refuses such requests by default.
	Uninspected Uninspected
}
