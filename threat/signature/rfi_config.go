package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// Remote inclusion through the configuration variables of PHP
// applications (CRS 931110): Mambo's and Joomla's mosConfig_absolute_path,
// Geeklog's _CONF[path], Gallery's GALLERY_BASEDIR and their kin are
// paths a script includes its code from. With register_globals (or an
// extract() of the request) a parameter of that name overwrites them,
// and a URL as its value has the script run the sender's code. No
// application takes these names from a request: the name decides, and
// the value need only be a URL (the CRS's tests send
// "_CONF[path]=https://foo.bar").
var rfiConfigNames = map[string]bool{
	"mosconfig_absolute_path": true, "_conf[path]": true, "_server[document_root]": true,
	"path[docroot]": true, "config[root_dir]": true, "gallery_basedir": true, "appserv_root": true,
}

// rfiConfigParam reports whether p sets one of rfiConfigNames, any case,
// to a URL of a scheme PHP includes from (file, ftp, ftps, http, https).
// Most parameters fail on the value's length or first letter, a test
// the compiler inlines into Detect's loop; rfiConfigURL reads the rest.
func rfiConfigParam(p *threat.Param) bool {
	v := p.Value
	return len(v) >= len("ftp://") && urlLead[v[0]] && rfiConfigURL(p)
}

// urlLead marks the first letters of the schemes, either case.
var urlLead = [256]bool{'f': true, 'F': true, 'h': true, 'H': true}

// rfiConfigURL is rfiConfigParam past its first test.
func rfiConfigURL(p *threat.Param) bool {
	v, name := p.Value, p.Name
	if len(name) < len("_conf[path]") || len(name) > len("mosconfig_absolute_path") || !namedBy(p.Source) {
		return false
	}
	i := strings.Index(v[:min(len(v), len("https://"))], "://")
	if i < 0 {
		return false
	}
	if sc := v[:i]; !equalFold(sc, "http") && !equalFold(sc, "https") && !equalFold(sc, "ftp") && !equalFold(sc, "ftps") && !equalFold(sc, "file") {
		return false
	}
	var stack [32]byte
	return rfiConfigNames[string(lower(stack[:0], name))]
}
