package signature

import (
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// FuzzRFIConfigParam holds rfiConfigParam to its definition: a query,
// form, cookie, multipart or path parameter named one of rfiConfigNames
// in any ASCII case, whose value starts with file, ftp, ftps, http or
// https and "://". Its quick rejections must never drop a match.
func FuzzRFIConfigParam(f *testing.F) {
	f.Add("_CONF[path]", "https://foo.bar", uint8(0))
	f.Add("mosConfig_absolute_path", "FILE://x", uint8(1))
	f.Add("appserv_root", "ftp:/x", uint8(2))
	f.Add("GALLERY_BASEDIR", "http://", uint8(3))
	f.Fuzz(func(t *testing.T, name, value string, src uint8) {
		sources := []threat.Source{threat.SourceQuery, threat.SourceForm, threat.SourceCookie, threat.SourceJSON, threat.SourceMultipart, threat.SourcePath, threat.SourceHeader}
		p := threat.Param{Source: sources[int(src)%len(sources)], Name: name, Value: value}
		lv := asciiLower(value)
		url := false
		for _, s := range []string{"file://", "ftp://", "ftps://", "http://", "https://"} {
			url = url || strings.HasPrefix(lv, s)
		}
		want := namedBy(p.Source) && rfiConfigNames[asciiLower(name)] && url
		if got := rfiConfigParam(&p); got != want {
			t.Fatalf("rfiConfigParam(%v %q=%q) = %v, want %v", p.Source, name, value, got, want)
		}
	})
}
