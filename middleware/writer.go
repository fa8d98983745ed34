package middleware

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// statusWriter records the status of a response without touching its body.
// Unwrap lets http.ResponseController reach the underlying writer for
// flushing, hijacking and deadlines.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush is provided directly because much streaming code type-asserts
// http.Flusher rather than using http.ResponseController.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status returns the status written, 200 if the handler wrote a body
// without one, 0 if it wrote nothing.
func (w *statusWriter) Status() int { return w.status }

// hijackWriter is a statusWriter over a writer that can be hijacked
// (HTTP/1 connections), for code that type-asserts http.Hijacker.
type hijackWriter struct{ statusWriter }

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return w.ResponseWriter.(http.Hijacker).Hijack()
}

var (
	_ http.Flusher  = (*statusWriter)(nil)
	_ http.Hijacker = (*hijackWriter)(nil)
)

var (
	statusPool = sync.Pool{New: func() any { return new(statusWriter) }}
	hijackPool = sync.Pool{New: func() any { return new(hijackWriter) }}
)

// wrap returns a pooled writer over w and a function that gives it back.
func wrap(w http.ResponseWriter) (*statusWriter, http.ResponseWriter) {
	if _, ok := w.(http.Hijacker); ok {
		hw := hijackPool.Get().(*hijackWriter)
		hw.ResponseWriter, hw.status = w, 0
		return &hw.statusWriter, hw
	}
	sw := statusPool.Get().(*statusWriter)
	sw.ResponseWriter, sw.status = w, 0
	return sw, sw
}

// release returns the writer to its pool. The handler must have returned.
func release(sw *statusWriter, outer http.ResponseWriter) {
	sw.ResponseWriter = nil
	if hw, ok := outer.(*hijackWriter); ok {
		hijackPool.Put(hw)
		return
	}
	statusPool.Put(sw)
}
