package standard_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// The default engine reads every place a client can put a payload: here a
// form body whose Content-Type claims JSON is sniffed and read as a form.
func Example() {
	engine, err := standard.New(standard.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	r := httptest.NewRequest("POST", "/login", strings.NewReader("user=admin'--&password=x"))
	r.Header.Set("Content-Type", "application/json")
	req := engine.Parse(r, "203.0.113.7", "/login", time.Now(), threat.Limits{})
	defer engine.Release(req)
	a := engine.Assess(context.Background(), req)
	fmt.Println(a.Level, a.Signals[0].Rule, a.Signals[0].Location)
	// Output: high sqli.comment form:user
}
