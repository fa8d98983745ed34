package signature_test

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// An uploaded file named as a script a web server runs (a web shell) or
// as a PHP session file, in a multipart part's filename or in the headers that name a file sent
// as the whole body, is an attack; documents, images and archives are not.
func TestScriptUpload(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	uploadScore := func(name string, header string) (float64, []string) {
		var r = httptest.NewRequest("POST", "http://shop.example/upload", nil)
		if header != "" {
			r = httptest.NewRequest("POST", "http://shop.example/upload", bytes.NewReader([]byte("<?php echo 1; ?>")))
			r.Header.Set("Content-Type", "application/octet-stream")
			r.Header[header] = []string{name}
		} else {
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			f, _ := w.CreateFormFile("file", name)
			f.Write([]byte("GIF89a"))
			w.Close()
			r = httptest.NewRequest("POST", "http://shop.example/upload", &body)
			r.Header.Set("Content-Type", w.FormDataContentType())
		}
		sigs := detect(t, d, r)
		best := 0.0
		for _, s := range sigs {
			if s.Rule == "upload.script" || s.Rule == "upload.session" {
				best = max(best, s.Confidence)
			}
		}
		return best, rulesOf(sigs)
	}
	for _, name := range []string{"shell.php", "a.PHP5", "x.phtml", "up.phar", "cmd.jsp", "c.aspx", "s.php...", "s.php. . ",
		"s.php::$DATA", "../../var/www/s.php", "fthi/sfewfda.php907.............",
		// a PHP session file (CRS rule 933220's tests): a planted session
		"sess_d8ew88tqmabdcokhumchy8htqm", "/tmp/sess_abc123def456ghi789jkl", `C:\temp\sess_malicious12345678901`,
		"SESS_abc123,def456,ghi789jkl"} {
		for _, h := range []string{"", "X-Filename", "X-File-Name", "X_filename", "X.filename"} {
			if got, rules := uploadScore(name, h); got < 0.99 {
				t.Errorf("upload %q (header %q): %.2f, want 0.99 (%v)", name, h, got, rules)
			}
		}
	}
	for _, name := range []string{"photo.jpg", "report.pdf", "shell.php.jpg", "notes.txt", "php", "phpinfo.png", "a.phpx",
		"site.cer", "archive.tar.gz", "README.md", "sess_notes.txt", "sess_2024", "a.php7x"} {
		for _, h := range []string{"", "X-Filename"} {
			if got, rules := uploadScore(name, h); got > 0 {
				t.Errorf("upload %q (header %q): %.2f, want nothing (%v)", name, h, got, rules)
			}
		}
	}
}
