package middleware

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/threat"
)

// problemContentType is the media type of refusal bodies (RFC 9457).
const problemContentType = "application/problem+json"

// Problem type URIs of the refusals. They name the reason; they never
// carry detector names, rules or evidence, which would teach an attacker
// what to change.
const (
	typeBlocked     = "urn:bulwark:problem:blocked"
	typeRateLimited = "urn:bulwark:problem:rate-limited"
	typeThrottled   = "urn:bulwark:problem:throttled"
	typeBanned      = "urn:bulwark:problem:banned"
	// Refusals of requests that went past an inspection limit.
	typeTooLarge            = "urn:bulwark:problem:too-large"
	typeTooComplex          = "urn:bulwark:problem:too-complex"
	typeUnsupportedEncoding = "urn:bulwark:problem:unsupported-encoding"
	// inspection failed on the request (a parser or a detector panicked)
	typeUninspectable = "urn:bulwark:problem:uninspectable"
)

type problem struct {
	typ    string
	title  string
	status int
	detail string
}

var (
	problemBlocked = problem{typeBlocked, "Request blocked", http.StatusForbidden,
		"The request was refused because it looks like an attack."}
	problemRateLimited = problem{typeRateLimited, "Too many requests", http.StatusTooManyRequests,
		"The client sent too many requests; retry after the time given in Retry-After."}
	problemThrottled = problem{typeThrottled, "Too many requests", http.StatusTooManyRequests,
		"The client's rate was reduced after suspicious activity; retry after the time given in Retry-After."}
	problemBanned = problem{typeBanned, "Client temporarily banned", http.StatusForbidden,
		"The client is temporarily banned after repeated suspicious activity; retry after the time given in Retry-After."}
	problemTooLarge = problem{typeTooLarge, "Request too large", http.StatusRequestEntityTooLarge,
		"The request is larger than this service inspects."}
	problemTooComplex = problem{typeTooComplex, "Request too complex", http.StatusBadRequest,
		"The request holds more values or deeper nesting than this service inspects."}
	problemUninspectable = problem{typeUninspectable, "Request not inspected", http.StatusBadRequest,
		"The request could not be inspected in full."}
	problemUnsupportedEncoding = problem{typeUnsupportedEncoding, "Unsupported content coding", http.StatusUnsupportedMediaType,
		"The request body's Content-Encoding is not one this service reads (gzip and deflate are)."}
)

// problemOf is the refusal problem of a verdict.
func problemOf(v *bulwark.Verdict) problem {
	switch v.Outcome {
	case bulwark.Blocked:
		return problemBlocked
	case bulwark.Throttled:
		return problemThrottled
	case bulwark.Banned:
		return problemBanned
	case bulwark.Uninspected:
		switch v.Status {
		case http.StatusRequestEntityTooLarge:
			return problemTooLarge
		case http.StatusUnsupportedMediaType:
			return problemUnsupportedEncoding
		}
		if v.Assessment.Uninspected&^threat.UninspectedFailed == 0 {
			return problemUninspectable
		}
		return problemTooComplex
	}
	return problemRateLimited
}

// writeProblem answers p as application/problem+json. retry, when positive,
// is sent as Retry-After in whole seconds (rounded up) and in the body.
func writeProblem(w http.ResponseWriter, p problem, retry time.Duration) {
	writeEventProblem(w, p, retry, event.ID{})
}

// writeEventProblem is writeProblem with the event's id, when set, as the
// body's "instance" (see Events).
func writeEventProblem(w http.ResponseWriter, p problem, retry time.Duration, id event.ID) {
	h := w.Header()
	h.Set("Content-Type", problemContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	buf := make([]byte, 0, 256)
	buf = append(buf, `{"type":`...)
	buf = strconv.AppendQuote(buf, p.typ)
	buf = append(buf, `,"title":`...)
	buf = strconv.AppendQuote(buf, p.title)
	buf = append(buf, `,"status":`...)
	buf = strconv.AppendInt(buf, int64(p.status), 10)
	buf = append(buf, `,"detail":`...)
	buf = strconv.AppendQuote(buf, p.detail)
	if retry > 0 {
		secs := retrySeconds(retry)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
		buf = append(buf, `,"retry_after":`...)
		buf = strconv.AppendInt(buf, secs, 10)
	}
	if !id.IsZero() {
		buf = append(buf, `,"instance":"`+instancePrefix...)
		buf = id.AppendText(buf)
		buf = append(buf, '"')
	}
	buf = append(buf, "}\n"...)
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(p.status)
	_, _ = w.Write(buf)
}

// retrySeconds rounds d up to whole seconds, at least 1.
func retrySeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
