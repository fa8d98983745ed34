package standard_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/standard"
)

// The zero Config is the default Guard: the standard engine and an
// in-memory limiter. An ordinary search passes; an injection is refused
// with 403 before the handler runs.
func Example() {
	guard, err := standard.New(standard.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()
	mw, err := middleware.New(guard, middleware.Config{})
	if err != nil {
		log.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "results")
	}))

	for _, q := range []string{"running shoes", "1' UNION SELECT password FROM users--"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/search?q="+url.QueryEscape(q), nil))
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 403
}
