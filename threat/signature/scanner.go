package signature

import (
	"bytes"
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanScanner recognises attack tools and vulnerability scanners by the
// user agents and headers they send unchanged, and by the paths they probe
// for (exposed secrets, admin consoles, known vulnerable endpoints). A probe
// path alone is weak evidence for the paths a real site may serve (an admin
// page); it is strong for files no site should serve (.env, .git/config).

const (
	scanUA = iota
	scanHeader
	scanPath
)

var (
	scannerAgents = words("sqlmap", "nikto", "nmap", "masscan", "zgrab", "nuclei", "gobuster", "dirbuster", "dirb/",
		"wpscan", "acunetix", "netsparker", "invicti", "w3af", "havij", "hydra", "fimap", "commix", "arachni", "openvas", "nessus",
		"zmeu", "morfeus", "jaeles", "fuzz faster u fool", "feroxbuster", "wfuzz", "whatweb", "qualys", "burpcollaborator",
		"appscan", "webinspect", "paros", "owasp zap", "zaproxy", "skipfish", "grabber", "sqlninja", "bsqlbf", "absinthe",
		"pangolin", "brutus", "nstealth", "webshag", "xsser", "xsstrike", "dotdotpwn", "jorgee", "sysscan", "wprecon",
		"crimscanner", "vega/", "l9explore", "l9tcpid", "interactsh", "mozilla/5.0 sf/", "bbot/", "wapiti", "sqlsus",
		"teh forest lobster", "metis", "x-scan", "websecurify", "nsauditor", "n-stealth", "zmap", "httprint", "ffuf",
		"hakrawler", "katana", "xray", "goby", "fofa", "pocsuite", "tsunami", "struts-pwn", "joomscan", "droopescan",
		"cmsmap", "blackwidow", "jbrofuzz", "webscarab", "pmafind", "muieblackcat", "dirsearch", "cgichk", "webvulnscan",
		"advanced email extractor", "(hydra)", "log4j-scan", "log4shell", "shellshock",
		".nasl") // a Nessus plugin's file, which its probes name
	probeStrong = words("/.env", "/.git/", "/.git", "/.svn/", "/.hg/", "/.bzr/", "/.ds_store", "/.aws/", "/.ssh/",
		"/.htpasswd", "/.htaccess", "/.bash_history", "/.npmrc", "/.dockerenv", "/.kube/", "/id_rsa", "/wp-config.php",
		"eval-stdin.php", "/phpunit/", "/_ignition/execute-solution", "/jmx-console", "/invoker/jmxinvokerservlet",
		"/web-console", "/hnap1", "/boaform", "/c99.php", "/r57.php", "/shell.php", "/cmd.php", "/webshell", "/wls-wsat/",
		"/_async/asyncresponseservice", "/elmah.axd", "/trace.axd", "/web.config", "/web-inf/", "/meta-inf/", "/etc/passwd",
		"/proc/self/", "/actuator/env", "/actuator/heapdump", "/actuator/gateway", "/server-status", "/server-info",
		"/cgi-bin/php", "/cgi-bin/test-cgi", "/cgi-bin/printenv", "/invokefunction", "/vendor/phpunit", "/solr/admin/cores",
		"/console/login/loginform.jsp", "/remote/fgt_lang", "/dana-na/", "/autodiscover/autodiscover.json", "/owa/auth/x.js",
		"/api/jsonws/invoke", "/jenkins/script", "/manager/text/", "/setup.cgi", "/shell?", "/bin/sh", "/tmui/",
		"/mgmt/tm/", "/hudson/script", "/nacos/v1/auth/users", "/druid/index.html", "/config/getuser", "/cgi-bin/luci",
		"/.well-known/../", "/geoserver/ows", "/debug/pprof/cmdline", "/wp-content/debug.log", "/docker-compose.yml",
		"/.travis.yml", "/config/database.yml", "/sftp-config.json", "/.vscode/", "/.idea/",
		// AI coding assistants' folders: their settings and MCP server
		// configurations hold API keys, and scanners now ask web roots for them
		"/.claude/", "/.mcp.json", "/.cursor/", "/.continue/", "/.aider.", "/.roo/", "/.cline/", "/.clinerules",
		"/.kiro/", "/.windsurf/", "/.codex/", "/.opencode/", "/.gemini/", "/.n8n/")
	probeWeak = words("/phpmyadmin", "/pma/", "/myadmin", "/mysqladmin", "/wp-admin", "/wp-login.php", "/xmlrpc.php",
		"/administrator/", "/admin.php", "/manager/html", "/cgi-bin/", "/solr/", "/owa/", "/autodiscover", "/actuator",
		"/console", "/adminer", "/phpinfo", "/info.php", "/test.php", "/backup", ".bak", ".sql", ".swp", ".old", ".orig",
		"~", "/install.php", "/setup.php", "/config.php", "/vendor/", "/telescope", "/debug/pprof",
		"/struts", ".action", "/axis2", "/cfide/", "/uddiexplorer", "/global-protect", "/vpn/", "/ecp/", "/remote/login")
)

// Verdict cache bits of the scanner family (after the value families').
const (
	bitAgent = numValueFamilies + iota
	bitProbe
)

// params asks it to look for GraphQL introspection and scanners' plugin
// names in the request's values, which Detect's pass over them does when
// the value families run.
func scanScanner(req *threat.Request, d *Detector, facts *headerFacts, pathKnown uint32, params bool, dst []threat.Signal) []threat.Signal {
	var seen rules
	var stack [512]byte
	// the value scan already read the cache for the path and the agent
	clean := func(src threat.Source, name, v string, known uint32, bit uint) bool {
		return known&(1<<bit) != 0 || d.cache.clean(src, name, v, bit)
	}
	if ua := req.UserAgent; ua != "" && !clean(threat.SourceHeader, "User-Agent", ua, facts.agentKnown, bitAgent) {
		lo := lower(stack[:0], cut(ua, d.max))
		if mt, ok := findAny(lo, scannerAgents, false); ok {
			seen.first(scanUA)
			in := input{src: threat.SourceHeader, name: "User-Agent", value: ua}
			dst = append(dst, signal(nameScanner, "scanner.agent", 0.995, &in, mt.i, mt.j))
		} else if len(ua) <= maxCached {
			d.cache.markClean(threat.SourceHeader, "User-Agent", ua, 1<<bitAgent)
		}
	}
	if facts.scannerName != "" && seen.first(scanHeader) {
		in := input{src: threat.SourceHeader, name: facts.scannerName, value: facts.scannerValue}
		dst = append(dst, signal(nameScanner, "scanner.header", 0.995, &in, 0, len(facts.scannerValue)))
	}
	if p := req.Path; len(p) > 1 && !clean(threat.SourcePath, "", p, pathKnown, bitProbe) {
		lo := lower(stack[:0], cut(p, d.max))
		in := input{src: threat.SourcePath, value: p}
		if mt, ok := findAny(lo, probeStrong, false); ok && probeEnd(lo, mt.j) {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe", 0.99, &in, mt.i, mt.j))
		} else if i, ok := backupSource(lo); ok {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe", 0.99, &in, i, len(lo)))
		} else if i, ok := leftFile(lo); ok {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe", 0.99, &in, i, len(lo)))
		} else if i, j, tier := restrictedPath(lo); tier == tierSystem {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe", 0.99, &in, i, j))
		} else if tier == tierApp {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe_weak", 0.5, &in, i, j))
		} else if mt, ok := findAny(lo, probeWeak, false); ok && probeEnd(lo, mt.j) {
			seen.first(scanPath)
			dst = append(dst, signal(nameScanner, "scanner.probe_weak", 0.5, &in, mt.i, mt.j))
		} else if len(p) <= maxCached {
			d.cache.markClean(threat.SourcePath, "", p, 1<<bitProbe)
		}
	}
	plugin := false
	if p := req.Path; len(p) > len("/x.nasl") {
		if i, j := nessusPlugin(p); i >= 0 && !reported(dst, "scanner.plugin") {
			// (once a request: the value pass may have found one)
			in := input{src: threat.SourcePath, value: p}
			dst, plugin = append(dst, signal(nameScanner, "scanner.plugin", 0.99, &in, i, j)), true
		}
	}
	for k, introspection := 0, false; params && k < len(req.Params); k++ {
		if !introspection {
			dst, introspection = graphQLSignal(&req.Params[k], dst)
		}
		if !plugin {
			dst, plugin = pluginSignal(&req.Params[k], dst)
		}
	}
	return dst
}

// reported reports whether dst holds a signal of rule.
func reported(dst []threat.Signal, rule string) bool {
	for k := range dst {
		if dst[k].Rule == rule {
			return true
		}
	}
	return false
}

// pluginSignal reports a vulnerability scanner's plugin named in p's
// value (nessusPlugin), when p is a query parameter: Nessus writes the
// name into the query and the path of its probes, and prose in bodies,
// full of dots, is not searched for it.
func pluginSignal(p *threat.Param, dst []threat.Signal) ([]threat.Signal, bool) {
	if p.Source != threat.SourceQuery || len(p.Value) < len("x.nasl") {
		return dst, false
	}
	i, j := nessusPlugin(p.Value)
	if i < 0 {
		return dst, false
	}
	in := input{src: p.Source, name: p.Name, value: p.Value}
	return append(dst, signal(nameScanner, "scanner.plugin", 0.99, &in, i, j)), true
}

// nessusPlugin finds the file name of a Nessus plugin ("name.nasl"), which
// Nessus writes into the values and paths of its probes
// ("?sql='adodb_sql_sql_injection.nasl", "/scripts/1332010197-ror_session_fixation.nasl")
// to tell its own requests apart, as it names itself in its user agent:
// a word of letters, digits and '_' or '-', ".nasl", and no letter after
// it. It returns where the name starts and ends, or -1, -1.
func nessusPlugin(v string) (int, int) {
	for off := 0; off < len(v); {
		k := strings.Index(v[off:], ".nasl")
		if k < 0 {
			return -1, -1
		}
		k += off
		off = k + len(".nasl")
		if off < len(v) && isLetter(v[off]) {
			continue // ".naslx"
		}
		s := k
		for s > 0 && (isAlnum(v[s-1]) || v[s-1] == '_' || v[s-1] == '-') {
			s--
		}
		if s < k {
			return s, off
		}
	}
	return -1, -1
}

// graphQLSignal reports GraphQL introspection in p's value. It is looked
// for in any value: "query" of a GET or a JSON body is where GraphQL's
// clients send it, but a scanner also sends the whole JSON request in a
// parameter of its own ({"query": "{__schema{...}}"}) to find an endpoint
// that reads one.
func graphQLSignal(p *threat.Param, dst []threat.Signal) ([]threat.Signal, bool) {
	if len(p.Value) < len("{__type(") {
		return dst, false
	}
	i, j, ok := graphQLIntrospection(p.Value)
	if !ok {
		return dst, false
	}
	in := input{src: p.Source, name: p.Name, value: p.Value}
	return append(dst, signal(nameScanner, "scanner.graphql_introspection", 0.99, &in, i, j)), true
}

// graphQLIntrospection finds a GraphQL document's selection of the schema
// ("{__schema{types{name}}}", "query IntrospectionQuery { __schema {"),
// or of a type by name ("{ __type(name: \"User\") { fields { name } } }"),
// in a value: what a scanner asks first to map an API whose schema it does
// not have. Production APIs turn introspection off (OWASP's GraphQL cheat
// sheet); an API that serves its schema on purpose suppresses this rule on
// its route. __typename, which clients ask for in ordinary queries, is not
// introspection.
func graphQLIntrospection(v string) (int, int, bool) {
	if len(v) > 64<<10 {
		v = v[:64<<10]
	}
	brace := strings.IndexByte(v, '{') // a selection set opens before the field
	if brace < 0 {
		return 0, 0, false
	}
	for off := brace + 1; off < len(v); {
		k := strings.Index(v[off:], "__")
		if k < 0 {
			return 0, 0, false
		}
		i := off + k
		off = i + 2
		if isWord(v[i-1]) {
			continue // a name that only contains "__"
		}
		var want byte
		switch rest := v[i+2:]; {
		case strings.HasPrefix(rest, "schema"):
			want = '{'
		case strings.HasPrefix(rest, "type") && !strings.HasPrefix(rest, "typename"):
			want = '('
		default:
			continue
		}
		j := i + 2 + 4
		if want == '{' {
			j += 2
		}
		if j < len(v) && isWord(v[j]) {
			continue
		}
		e := j
		// GraphQL's ignored tokens, and '+', a space as a form encodes it
		// in a value no form decoded (a multipart field)
		for e < len(v) && (v[e] == ' ' || v[e] == '\t' || v[e] == '\n' || v[e] == '\r' || v[e] == ',' || v[e] == '+') {
			e++
		}
		if e < len(v) && v[e] == want {
			return i, e + 1, true
		}
	}
	return 0, 0, false
}

// sourceExts are the extensions of files a server runs or reads its
// settings from, never serves: a copy of one with a backup's suffix is
// served as text, source and secrets included.
var sourceExts = set("php", "php3", "php4", "php5", "php7", "phtml", "inc", "asp", "aspx", "ashx", "asmx", "asa", "jsp",
	"jspx", "cfm", "py", "rb", "pl", "cgi", "config", "conf", "cfg", "ini", "env", "yml", "yaml", "properties")

// backupSuffixes are what editors and people append to the file they
// change: config.php~, index.php.bak, .settings.py.swp.
var backupSuffixes = []string{"~", ".bak", ".old", ".orig", ".save", ".sav", ".swp", ".swo", ".tmp", ".backup", ".bk",
	".copy", ".1"}

// backupSource finds, in the last segment of a lower-cased path, a file of
// sourceExts with a backup's suffix, and returns where the segment starts.
func backupSource(lo []byte) (int, bool) {
	if q := bytes.IndexByte(lo, '?'); q >= 0 {
		lo = lo[:q]
	}
	seg := bytes.LastIndexByte(lo, '/') + 1
	name := lo[seg:]
	for _, suf := range backupSuffixes {
		base, ok := bytes.CutSuffix(name, []byte(suf))
		if !ok {
			continue
		}
		dot := bytes.LastIndexByte(base, '.')
		if dot > 0 || dot == 0 && len(base) > 1 && string(base) == ".env" {
			if ext := base[dot+1:]; sourceExts[string(ext)] {
				return seg, true
			}
		}
	}
	return 0, false
}

// probeEnd reports whether a probe match ending at j ends a path segment or
// a file name: "/.env" matches "/.env" and "/.env.bak" but not "/.environment".
func probeEnd(lo []byte, j int) bool {
	if j >= len(lo) {
		return true
	}
	c := lo[j-1]
	if c == '/' || c == '?' || c == '=' || c == '.' {
		return true
	}
	switch lo[j] {
	case '/', '.', '?', ';', '~', '#', '-', '_':
		return true
	}
	return false
}

func cut(s string, max int) string {
	if len(s) > max {
		return s[:max]
	}
	return s
}

// scannerHeader reports whether a header name is one scanners announce
// themselves with (listed in kindOf).
func scannerHeader(name string) bool { return kindOf(name)&hdrScanner != 0 }
