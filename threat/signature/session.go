package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// Session fixation (CRS 943110, 943120): a link that carries a platform's
// session identifier in its query ("/login.jsp?jsessionid=74B0...",
// "/?PHPSESSID=x") makes whoever follows it log in to a session the
// link's author knows. The servers named below honour an identifier
// passed so; a link of the application's own pages carries it only
// after a page of the same site, which the Referer names. A session
// identifier in the query or form of a request that no page of the site
// referred is the attack: sent from an e-mail (no Referer) or another
// site.
//
// The names are the CRS's list less its generic "session_id" and
// "session-id": those are ordinary API parameters (a payment provider
// sends its checkout's session_id back to the shop from its own site).

// sessionNames are the platforms' identifiers, lower case: the
// definition sessionName implements without a map lookup
// (FuzzSessionName holds it to it).
var sessionNames = map[string]bool{
	"jsessionid": true, "phpsessid": true, "phpsession": true, "asp.net_sessionid": true,
	"weblogicsession": true, "jservsession": true, "jwsession": true,
	"cfid": true, "cftoken": true, "cfsid": true,
}

// sessionName reports whether name, any case, is a platform's session
// identifier: one of sessionNames, or classic ASP's "ASPSESSIONID"
// followed by its random suffix. The length picks the one or two names
// to compare: most parameter names have none.
func sessionName(name string) bool {
	switch len(name) {
	case 4:
		return equalFold(name, "cfid")
	case 5:
		return equalFold(name, "cfsid")
	case 7:
		return equalFold(name, "cftoken")
	case 9:
		return equalFold(name, "phpsessid") || equalFold(name, "jwsession")
	case 10:
		return equalFold(name, "jsessionid") || equalFold(name, "phpsession")
	case 12:
		if equalFold(name, "jservsession") {
			return true
		}
	case 15:
		if equalFold(name, "weblogicsession") {
			return true
		}
	case 17:
		if equalFold(name, "asp.net_sessionid") {
			return true
		}
	}
	return len(name) >= len("aspsessionid") && len(name) <= len("aspsessionid")+16 && hasPrefixFold(name, "aspsessionid")
}

// sessionParam reports whether p names a session identifier that a link
// could fix: in the query or a form, with a value.
func sessionParam(p *threat.Param) bool {
	return (p.Source == threat.SourceQuery || p.Source == threat.SourceForm) && p.Value != "" && sessionName(p.Name)
}

// sameSite reports whether the Referer ref names a page of host (the
// request's Host) or of a site one is a subdomain of the other's: the
// hosts compared without ports, any case. A Referer without a scheme and
// host is not one a browser sends, and names no page of the site.
func sameSite(ref, host string) bool {
	i := strings.Index(ref, "://")
	if i <= 0 {
		return false
	}
	h := ref[i+3:]
	if j := strings.IndexAny(h, "/?#"); j >= 0 {
		h = h[:j]
	}
	if at := strings.LastIndexByte(h, '@'); at >= 0 {
		h = h[at+1:]
	}
	h, host = hostOnly(h), hostOnly(host)
	if h == "" || host == "" {
		return false
	}
	return strings.EqualFold(h, host) || subdomainOf(h, host) || subdomainOf(host, h)
}

// subdomainOf reports whether sub ends in "." and parent, any case.
func subdomainOf(sub, parent string) bool {
	return len(sub) > len(parent)+1 && sub[len(sub)-len(parent)-1] == '.' && strings.EqualFold(sub[len(sub)-len(parent):], parent)
}

// hostOnly drops the port of a host[:port] or [v6]:port.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if j := strings.IndexByte(h, ']'); j > 0 {
			return h[1:j]
		}
		return h
	}
	if j := strings.LastIndexByte(h, ':'); j >= 0 {
		return h[:j]
	}
	return h
}
