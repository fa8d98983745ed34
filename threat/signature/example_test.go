package signature_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

func Example() {
	d, err := signature.New(signature.Config{})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "/items?id=1%27%20OR%20%271%27%3D%271", nil)
	for _, s := range d.Detect(threat.NewRequest(r, "192.0.2.1", "", threat.Limits{}), nil) {
		fmt.Println(s.Detector, s.Rule, s.Location)
	}
	// Output:
	// sqli sqli.libinjection query:id
	// sqli sqli.boolean query:id
}
