package signature

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// Name is the threat.Detector name of the signature detector, and the
// Signal.Family of every signature rule.
const Name = "signature"

// Detector names, one per attack family (Names lists them); Signal.Detector
// carries them and Config.Disable, threat.Config.Weights and
// threat.Config.Disabled accept them.
const (
	nameSQLi      = "sqli"
	nameXSS       = "xss"
	nameTraversal = "traversal" // path traversal, local and remote file inclusion
	nameCommand   = "cmdi"
	nameSSRF      = "ssrf"
	nameSSTI      = "ssti" // server-side template and expression-language injection
	nameXXE       = "xxe"
	nameNoSQL     = "nosql"
	nameLDAP      = "ldap"
	nameSSI       = "ssi"  // server-side and edge-side includes
	nameCRLF      = "crlf" // header injection and response splitting
	nameCode      = "code" // JNDI, PHP/Java code, deserialisation, prototype pollution
	nameScanner   = "scanner"
	nameProtocol  = "protocol"
)

// Names lists every family, in the order the Detector runs them: "sqli",
// "xss", "traversal", "cmdi", "ssrf", "ssti", "xxe", "nosql", "ldap", "ssi",
// "crlf", "code", "scanner", "protocol".
var Names = []string{nameSQLi, nameXSS, nameTraversal, nameCommand, nameSSRF, nameSSTI, nameXXE, nameNoSQL,
	nameLDAP, nameSSI, nameCRLF, nameCode, nameScanner, nameProtocol}

// Config selects the signature families. The zero value enables all of
// them with the default bounds.
type Config struct {
	// Disable lists families (see Names) to leave out.
	Disable []string
	// MaxScan is the window of a value the families inspect at once
	// (default 8 KiB, at least 256 bytes): a longer value is inspected
	// whole, in windows of MaxScan bytes that overlap by an eighth, so
	// that a family's work per window is bounded and its work on a value
	// linear in the value's length.
	MaxScan int
}

// Detector runs the signature families over a request in one pass: each
// input (path, parameter names and values, headers, body values) is
// classified once, each family looks at it only if it carries the
// characters that family's attacks need, and header and cookie values that
// every family found clean are remembered and skipped next time. It is safe
// for concurrent use.
type Detector struct {
	max   int
	cache *verdicts
	on    [numFamilies]bool
	names []string
	wants what // union of the enabled value families' wants
	// need maps a kind of input to the cache bits of the enabled families
	// that inspect it.
	need [wantBody << 1]uint32
	// scanAddrs scans forwarding headers that hold only addresses too
	// (tests compare the two ways).
	scanAddrs bool
}

// Families, indexed as in Names. The first numValueFamilies inspect one
// input at a time; the others the request as a whole.
const (
	famSQLi = iota
	famXSS
	famTraversal
	famCommand
	famSSRF
	famSSTI
	famXXE
	famNoSQL
	famLDAP
	famSSI
	famCRLF
	famCode
	famScanner
	famProtocol
	numFamilies
	numValueFamilies = famScanner
)

// familyWants says which inputs each value family inspects. A whole XML
// or HTML document (wantBody) goes to the families whose attacks live in
// its markup: tags and attributes (xss), DOCTYPE and entities (xxe),
// directives (ssi), template and LDAP syntax, and Java class names that
// XMLDecoder and XStream read from element names (code). The command
// family reads none: a command line is in a document's text, attribute
// values, CDATA or comments, which reach it as values of their own, and
// reading the document again doubled its work on an XML body.
// SSRF reads names as well: a query that is a URL alone ("/proxy?http://
// 169.254.169.254/", what an open proxy or a CGI script reading its query
// string whole fetches) is a parameter's name, as is a cookie with no '='.
var familyWants = [numValueFamilies]what{
	famSQLi:      wantValues | wantNames | wantHeaders | wantPath,
	famXSS:       wantValues | wantNames | wantHeaders | wantPath | wantBody,
	famTraversal: wantValues | wantNames | wantHeaders | wantPath,
	famCommand:   wantValues | wantNames | wantAllHeads | wantPath,
	famSSRF:      wantValues | wantNames | wantHeaders,
	famSSTI:      wantValues | wantHeaders | wantPath | wantBody,
	famXXE:       wantValues | wantHeaders | wantBody,
	famNoSQL:     wantValues | wantNames | wantHeaders | wantPath,
	famLDAP:      wantValues | wantHeaders | wantPath | wantBody,
	famSSI:       wantValues | wantHeaders | wantPath | wantBody,
	famCRLF:      wantValues | wantNames | wantAllHeads | wantPath,
	famCode:      wantValues | wantNames | wantAllHeads | wantPath | wantBody,
}

// New returns the signature detector with every family not disabled. An
// unknown name in Disable is an error, so that a typo does not silently
// keep a family on.
func New(cfg Config) (*Detector, error) {
	if cfg.MaxScan < 0 {
		return nil, fmt.Errorf("signature: Config.MaxScan %d is negative", cfg.MaxScan)
	}
	if cfg.MaxScan == 0 {
		cfg.MaxScan = 8 << 10
	}
	if cfg.MaxScan < 256 {
		cfg.MaxScan = 256
	}
	d := &Detector{max: cfg.MaxScan, cache: newVerdicts()}
	for i := range d.on {
		d.on[i] = true
	}
	for _, n := range cfg.Disable {
		i := slices.Index(Names, n)
		if i < 0 {
			return nil, fmt.Errorf("signature: Config.Disable: unknown family %q (known: %s)", n, strings.Join(Names, ", "))
		}
		d.on[i] = false
	}
	for i, on := range d.on {
		if !on {
			continue
		}
		d.names = append(d.names, Names[i])
		if i < numValueFamilies {
			d.wants |= familyWants[i]
			for k := range d.need {
				if familyWants[i]&what(k) != 0 {
					d.need[k] |= 1 << i
				}
			}
		}
	}
	return d, nil
}

// Name returns "signature".
func (d *Detector) Name() string { return Name }

// Detectors returns the names of the enabled families (threat.Grouped).
func (d *Detector) Detectors() []string { return append([]string(nil), d.names...) }

// input is one value the families inspect.
type input struct {
	src   threat.Source
	m     cls    // character classes of value
	name  string // parameter or header name; "" for the path and the body
	value string // decoded
	raw   string // as received, when it differs from value
	known uint32 // families the verdict cache had found clean in value
	via   string // a decoding the value went through ("base64", "gzip"), named in Location
	loc   string // Location, once built
	// decoded marks the text a base64 or hex value decoded to: not cached,
	// not decoded again
	decoded bool
	// xmlData marks an XML document of data (xmlData), and each window of
	// it: the XSS family reads what runs script there, not its vocabulary
	xmlData bool
	// lo is value lower-cased, once lowerValue made it: the SSRF and code
	// families both read it, and make it once. loBuf holds it, from
	// longBuffers, until scan is done with the input (release).
	lo      []byte
	loBuf   *[]byte
	lowered bool
	// escPlain says scanTraversal found that raw decodes to value once,
	// every '%' of raw beginning a %HH escape of a byte other than '%'
	// (decode.DecodesPlainlyTo): the protocol family then knows its
	// escapes without reading them again (paramFacts.escPlain)
	escPlain bool
	// runless is a value afterPadding found no run of minPadding of one
	// byte in: when it is still value, scanTraversal need not look again
	runless string
}

// lowerValue returns in.value lower-cased (ASCII only), made at the first
// call: the families that read it must not change it.
func (in *input) lowerValue() []byte {
	if !in.lowered {
		p := longBuffers.Get().(*[]byte)
		in.lo = lower((*p)[:0], in.value)
		*p = in.lo[:0] // a grown buffer goes back grown
		in.loBuf, in.lowered = p, true
	}
	return in.lo
}

// release returns the buffer of lowerValue, once the families are done
// with the input.
func (in *input) release() {
	if in.loBuf != nil {
		longBuffers.Put(in.loBuf)
	}
	in.lo, in.loBuf, in.lowered = nil, nil, false
}

// headerFacts is what the one walk over the request's header map collects
// for the scanner and protocol families, so that they need not walk or
// look it up again.
type headerFacts struct {
	walked            bool
	agentKnown        uint32 // verdict-cache bits of the User-Agent value
	scannerName       string // first scanner-tool header, if any
	scannerValue      string
	te, cl, host, rng []string
	ct                []string
	override          []string // X-HTTP-Method-Override and kin
	proxy             []string // the httpoxy header
	framingAlias      string   // a header named like a framing one with '_' for '-' ("Transfer_Encoding")
}

func (f *headerFacts) note(name string, vs []string) {
	switch name {
	case "Transfer-Encoding":
		f.te = vs
	case "Content-Length":
		f.cl = vs
	case "Host":
		f.host = vs
	case "Range":
		f.rng = vs
	case "Content-Type":
		f.ct = vs
	case "X-Http-Method-Override", "X-Http-Method", "X-Method-Override":
		f.override = vs
	case "Proxy":
		f.proxy = vs
	default:
		if (len(name) == len("Content-Length") || len(name) == len("Transfer-Encoding")) && f.framingAlias == "" && framingAlias(name) {
			f.framingAlias = name
		}
		if f.scannerName == "" && scannerHeader(name) {
			f.scannerName = name
			if len(vs) > 0 {
				f.scannerValue = vs[0]
			}
		}
	}
}

// paramSet is a set of indexes in Request.Params, of the first 256.
type paramSet [4]uint64

// paramFacts is what Detect learns of the parameters, in its walk over
// them, for the protocol family's walk after it.
type paramFacts struct {
	// plain: the parameters whose name (if the sender's) and value are
	// plain words (plainWord) and whose raw form is its value: no line
	// break, '%' or control byte in any of them, so the protocol family's
	// per-parameter rules pass them by.
	plain paramSet
	// escPlain: the parameters whose raw form scanTraversal found to
	// decode plainly to the value (input.escPlain): no escape of the raw
	// form is bad, none is %u, and it holds "%00" only if the value holds
	// a NUL.
	escPlain paramSet
	// session: 1 + the index of the first parameter that names a
	// platform's session identifier (sessionParam), or 0.
	session int
}

func (s *paramSet) add(i int) {
	if i < len(s)*64 {
		s[i/64] |= 1 << (i % 64)
	}
}

func (s *paramSet) has(i int) bool {
	return i < len(s)*64 && s[i/64]&(1<<(i%64)) != 0
}

// what says which inputs a family wants.
type what uint8

const (
	wantPath     what = 1 << iota // the decoded path
	wantValues                    // parameter values (query, form, JSON, cookies)
	wantNames                     // parameter names (JSON keys arrive as values)
	wantHeaders                   // free-text header values attackers write into (User-Agent, Referer, X-Forwarded-For ...)
	wantAllHeads                  // every header value
	wantBody                      // a raw body: an XML or HTML document whole (its values come apart)
)

// attackHeader reports whether a request header's value is free text as far
// as the families are concerned: every header but the standard ones whose
// grammar is known (structuredHeader). Custom headers (X-Search,
// X-Filter, Authorization schemes, anything an application reads) carry
// attacker text as often as parameters do, and families read them as they
// read parameter values.
func attackHeader(name string) bool { return !structuredHeader(name) }

// grammarBytes are the bytes none of the structured headers' grammars
// hold outside a quoted string, and no client writes inside one there:
// markup, quotes of code, shell operators and escapes.
var grammarBytes = func() (t [256]bool) {
	for _, c := range []byte("<>'`$|{}\\\x00") {
		t[c] = true
	}
	return t
}()

// outsideGrammar reports whether a structured header's value holds a byte
// of grammarBytes or a "..": what an attacker writes there, where an
// application that reads the header (a locale loaded by the name
// Accept-Language gives, an entity tag looked up) meets it.
func outsideGrammar(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if grammarBytes[c] || c == '.' && i+1 < len(v) && v[i+1] == '.' {
			return true
		}
	}
	return false
}

// structuredHeader reports whether name is a standard request header whose
// value has a grammar of its own (media ranges, language tags, dates,
// numbers, tokens) that browsers and clients fill in, not users.
func structuredHeader(name string) bool { return kindOf(name)&hdrStructured != 0 }

// headerKind is what Detect's walk over the header map needs to know of a
// header's name: one switch answers for structuredHeader, headerFacts.note,
// scannerHeader, addressHeader, the Cookie and the User-Agent.
type headerKind uint8

const (
	hdrStructured headerKind = 1 << iota // structuredHeader
	hdrNoted                             // a name headerFacts.note records (framing, Host, Range, method overrides, httpoxy, scanners)
	hdrScanner                           // scannerHeader
	hdrAddress                           // addressHeader
	hdrCookie                            // parsed into parameters
	hdrAgent                             // User-Agent
	// hdrData marks the structured headers applications read as data of
	// their own, not the server's: a locale named by Accept-Language or
	// Content-Language, a charset, an entity tag looked up. Detect reads
	// one holding what its grammar never does (outsideGrammar) as any
	// header; the others (Accept, Cache-Control, Sec-Fetch-*, ...) are the
	// framework's, and reading every one would cost every request.
	hdrData
)

// noted reports whether headerFacts.note may record anything of a header
// with this name of this kind: one of the names it records, or a name as
// long as a framing header's (an alias of one).
func (k headerKind) noted(name string) bool {
	return k&hdrNoted != 0 || len(name) == len("Content-Length") || len(name) == len("Transfer-Encoding")
}

func kindOf(name string) headerKind {
	switch name {
	case "Accept-Language", "Content-Language", "Accept-Charset", "If-None-Match", "If-Match", "If-Range",
		"Accept-Datetime":
		return hdrStructured | hdrData
	case "Accept", "Accept-Encoding", "Cache-Control", "Connection", "Content-Encoding", "Content-Md5",
		"Date", "Dnt", "Expect", "If-Modified-Since",
		"If-Unmodified-Since", "Keep-Alive", "Max-Forwards", "Pragma", "Priority", "Te", "Trailer",
		"Upgrade", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sec-Fetch-Site", "Sec-Fetch-User", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform",
		"Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Gpc", "Save-Data":
		return hdrStructured
	case "Content-Length", "Content-Type", "Host", "Range", "Transfer-Encoding":
		return hdrStructured | hdrNoted
	case "X-Http-Method-Override", "X-Http-Method", "X-Method-Override", "Proxy":
		return hdrNoted
	case "Acunetix-Product", "Acunetix-Scanning-Agreement", "Acunetix-User-Agreement", "X-Scanner", "X-Wipp",
		"X-Request-Memo", "X-Scan-Memo", "Bugbounty", "X-Bug-Bounty", "X-Burp", "Burp-Collaborator", "X-Nuclei",
		"X-Arachni-Scan-Seed", "Wpscan-Version":
		return hdrNoted | hdrScanner
	case "X-Forwarded-For", "X-Real-Ip":
		return hdrAddress
	case "Cookie":
		return hdrCookie
	case "User-Agent":
		return hdrAgent
	}
	return 0
}

// Detect implements threat.Detector.
func (d *Detector) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	var seen [numValueFamilies]rules
	var pathKnown uint32
	var pf paramFacts
	introspection := !d.on[famScanner] // scanner.graphql_introspection reported, or not asked for
	plugin := !d.on[famScanner]        // scanner.plugin reported, or not asked for
	paramsRead := false                // the loop below looked for both in every value
	if d.wants&wantPath != 0 && req.Path != "" {
		in := input{src: threat.SourcePath, value: req.Path, raw: req.RawPath}
		if len(in.value) > d.max || len(in.raw) > d.max {
			dst = d.scanWindows(&in, wantPath, &seen, dst)
		} else {
			dst, _ = d.scan(&in, wantPath, &seen, dst)
		}
		pathKnown = in.known
		if len(req.Path) > decode.MinEncoded {
			dst = d.scanPathTokens(req.Path, &seen, dst)
		}
	}
	if d.wants&(wantValues|wantNames) != 0 {
		xmlDoc := false    // the document read last is XML data (xmlData)
		rfiConfig := false // rfi.config_param reported
		paramsRead = true
		for i := range req.Params {
			p := &req.Params[i]
			// a plain word holds nothing a family looks for; XML values go
			// through scan whatever they hold: a document sets xmlDoc for
			// the values after it
			valuePlain := p.Value == "" || p.Source != threat.SourceXML && plainWord(p.Value)
			if !valuePlain {
				in := input{src: p.Source, name: p.Name, value: p.Value, raw: p.Raw, via: p.Via}
				kind := wantValues
				if p.Source == threat.SourceXML {
					switch p.Name {
					case "(document)":
						// a whole XML or HTML document: its markup is for the
						// families that read raw bodies; its text and attribute
						// values come as values of their own
						kind = wantBody
						xmlDoc = xmlData(p.Value)
						in.xmlData = xmlDoc
					case "(comment)", "(doctype)", "(pi)":
						in.xmlData = xmlDoc // the document's own markup, after it
					}
				}
				// the tail after padding first: a family reports a rule once a
				// request, and the tail read as a value of its own gives the
				// stronger reading
				padding := false
				if len(in.value) >= minPadding {
					dst, padding = d.scanAfterPadding(&in, kind, &seen, dst)
				}
				classified := false // in.m holds the value's classes
				switch {
				case padding:
				case len(in.value) > d.max || len(in.raw) > d.max:
					dst = d.scanWindows(&in, kind, &seen, dst)
				default:
					dst, _ = d.scan(&in, kind, &seen, dst)
					classified = in.value == p.Value
				}
				if !introspection && (!classified || in.m&cBrace != 0) {
					dst, introspection = graphQLSignal(p, dst)
				}
				if !plugin && p.Source == threat.SourceQuery && (!classified || in.m&cDot != 0) {
					dst, plugin = pluginSignal(p, dst)
				}
				if in.escPlain && in.raw == p.Raw && in.value == p.Value {
					pf.escPlain.add(i)
				}
			}
			namePlain := true // or not the sender's: the families read no such name
			if named := namedBy(p.Source); named && len(p.Name) > 1 {
				if namePlain = plainWord(p.Name); !namePlain {
					in := input{src: p.Source, name: "(name)", value: p.Name, via: p.Via}
					if p.RawName != p.Name {
						in.raw = p.RawName
					}
					if len(in.value) > d.max || len(in.raw) > d.max {
						dst = d.scanWindows(&in, wantNames, &seen, dst)
					} else {
						dst, _ = d.scan(&in, wantNames, &seen, dst)
					}
				}
			} else if named && p.Name != "" {
				namePlain = wordBytes[p.Name[0]] != 0
			}
			if valuePlain && namePlain && p.Raw == p.Value {
				pf.plain.add(i)
			}
			// the two name rules; both open with tests the compiler
			// inlines (source, value), which most parameters fail
			if pf.session == 0 && sessionParam(p) {
				pf.session = i + 1
			}
			if !rfiConfig && rfiConfigParam(p) {
				// the name decides (rfi_config.go): no family reads it
				rfiConfig = true
				in := input{src: p.Source, name: p.Name, value: p.Value}
				dst = append(dst, signal(nameTraversal, "rfi.config_param", 0.99, &in, 0, len(p.Value)))
			}
		}
	}
	var facts headerFacts
	if d.wants&(wantHeaders|wantAllHeads) != 0 {
		facts.walked = true
		for name, vs := range req.Header {
			kind := kindOf(name)
			if kind&hdrCookie != 0 {
				continue // parsed into parameters
			}
			if kind.noted(name) {
				facts.note(name, vs)
			}
			w := wantAllHeads
			if kind&hdrStructured == 0 { // attackHeader
				w |= wantHeaders
			}
			for _, v := range vs {
				if kind&hdrData != 0 && w&wantHeaders == 0 && outsideGrammar(v) {
					// "Accept-Language: ../../etc/passwd": a value no
					// browser writes there is read as any header's
					w |= wantHeaders
				}
			}
			for k, v := range vs {
				if !d.scanAddrs && kind&hdrAddress != 0 && addressList(v) {
					continue // addresses as proxies write them: nothing any family looks for
				}
				in := input{src: threat.SourceHeader, name: name, value: v}
				padding := false
				if len(v) >= minPadding {
					dst, padding = d.scanAfterPadding(&in, w, &seen, dst)
				}
				if padding {
					continue
				}
				if len(v) > d.max {
					if decodedHeader(name) {
						in.value, in.raw = decode.Value(v, false), v
					}
					dst = d.scanWindows(&in, w, &seen, dst)
				} else {
					dst, _ = d.scan(&in, w, &seen, dst)
				}
				if k == 0 && kind&hdrAgent != 0 && in.value == req.UserAgent {
					facts.agentKnown = in.known
				}
			}
		}
	}
	if !facts.walked {
		for name, vs := range req.Header {
			facts.note(name, vs)
		}
	}
	if d.on[famScanner] {
		dst = scanScanner(req, d, &facts, pathKnown, !paramsRead, dst)
	}
	if d.on[famProtocol] {
		dst = scanProtocol(req, &facts, &pf, dst)
	}
	return dst
}

// namedBy reports whether values of src carry names their sender chose
// (query, form, cookie, multipart field and matrix parameter names). JSON
// keys arrive as values; XML names are read in the document.
func namedBy(src threat.Source) bool {
	switch src {
	case threat.SourceQuery, threat.SourceForm, threat.SourceCookie, threat.SourceMultipart, threat.SourcePath:
		return true
	}
	return false
}

// minPadding is the shortest run of one letter or digit read as padding.
const minPadding = 64

// scanAfterPadding scans what follows padding in a value as a value of
// its own. Detect calls it only for values of minPadding bytes or more:
// a shorter one holds no padding, and scanTraversal does not look for
// runs in it, so its runless need not be set. Padding (a long run of one
// letter or digit: "AAAA…") pushes a payload past a filter's window; families that judge how a value starts
// (a path that is the whole value, a command at the start, libinjection's
// fingerprint of the first tokens) would otherwise read the payload as
// words after text. Only the text after the last run is read again, from
// its first byte that is not a space, at most one window of it.
//
// It reports whether the value is padding and nothing else: one letter or
// digit repeated, which the window scan and scan would find again before
// reading it (oneByte), after reading all of it once more.
func (d *Detector) scanAfterPadding(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) ([]threat.Signal, bool) {
	rest, ok, runless, whole := paddingOf(in.value)
	if runless {
		in.runless = in.value
	}
	if !ok {
		return dst, whole
	}
	if len(rest) > d.max {
		rest = rest[:d.max]
	}
	w := input{src: in.src, name: in.name, value: rest, via: in.via, xmlData: in.xmlData}
	if raw, ok, _ := afterPadding(in.raw); ok && len(raw) <= d.max {
		w.raw = raw // families that read the raw form read its tail too
	}
	dst, _ = d.scan(&w, kind, seen, dst)
	return dst, false
}

// afterPadding returns the text after the last run of at least minPadding
// of one letter or digit in v, spaces trimmed, when there is such a run
// and text after it. runless reports that v holds no run of minPadding
// of any one byte: scanTraversal's probe for long runs reads that.
func afterPadding(v string) (rest string, ok, runless bool) {
	rest, ok, runless, _ = paddingOf(v)
	return rest, ok, runless
}

// paddingOf is afterPadding, and whether v is one run of a letter or
// digit from its first byte to its last.
func paddingOf(v string) (rest string, ok, runless, whole bool) {
	if len(v) < minPadding+1 {
		return "", false, len(v) < minPadding, false
	}
	end, runs := -1, false
	eachRun(v, minPadding, func(i, j int) {
		runs = true
		if isAlpha(v[i]) || isDigit(v[i]) {
			end = j
			whole = i == 0 && j == len(v)
		}
	})
	if end < 0 {
		return "", false, !runs, false
	}
	if whole {
		return "", false, false, true
	}
	rest = v[end:]
	for {
		// spaces, raw or percent-encoded, between the padding and the payload
		if t := strings.TrimLeft(rest, " \t\r\n+"); t != rest {
			rest = t
		} else if len(rest) >= 3 && rest[0] == '%' && (rest[1:3] == "20" || rest[1:3] == "09" || rest[1:3] == "0a" ||
			rest[1:3] == "0A" || rest[1:3] == "0d" || rest[1:3] == "0D") {
			rest = rest[3:]
		} else {
			break
		}
	}
	return rest, rest != "", false, false
}

// eachRun calls f with the bounds of each run of one byte repeated at
// least n times (n ≥ 2) in v, in order. For n ≥ 16 it reads one 8-byte
// word every n-7 bytes: a run of n bytes or more holds n-7 consecutive
// starts of words that lie inside it, so one of them is read, and a word
// whose eight bytes are not all one byte rules out a run through it. Prose
// has no such word, and is read about n-7 bytes a step; a word that is one
// byte repeated is widened to its whole run, and the search goes on after
// it. Shorter runs are looked for by eachRunBlocks.
func eachRun(v string, n int, f func(i, j int)) {
	if n < 16 {
		eachRunBlocks(v, n, f)
		return
	}
	step := n - 7
	for p := 0; p+8 <= len(v); {
		x := le64(v[p : p+8])
		if x != uint64(byte(x))*0x0101010101010101 {
			p += step
			continue
		}
		// a run of at least eight bytes: no earlier word read lay inside
		// it (it would have been one byte repeated too), so its start is
		// less than a step back
		c := byte(x)
		i, j := p, p+8
		for i > 0 && v[i-1] == c {
			i--
		}
		j += sameBytes(v[j:], c)
		if j-i >= n {
			f(i, j)
		}
		p = j // a later run starts at j or after
	}
}

// eachRunBlocks is eachRun for any n ≥ 2. Such a run covers a whole
// block [p, p+n/2) for some p that is a multiple of n/2, so only those
// blocks are looked at: a block whose first and last bytes differ holds
// no run.
func eachRunBlocks(v string, n int, f func(i, j int)) {
	half := n / 2
	for p := 0; p+half <= len(v); p += half {
		c := v[p]
		if v[p+half-1] != c {
			continue
		}
		i, j := p, p+1
		for i > 0 && v[i-1] == c {
			i--
		}
		j += sameBytes(v[j:], c)
		if j-i >= n {
			f(i, j)
		}
		if j > p+half {
			p = (j - 1) / half * half // the next block that may start a new run
		}
	}
}

// trimRuns shortens a run of one letter or digit at either end of a
// window to minPadding bytes (its cut a multiple of 4, so that base64
// stays aligned): what the families read in a run is its byte and that it
// is long, not how long. A payload behind kilobytes of padding would
// otherwise be read with the padding before it by every family; the
// padding's share of the window is all the work a window of it costs.
func trimRuns(w string) string {
	const keep = minPadding
	if len(w) >= 2*keep && isAlnum(w[0]) {
		if n := sameBytes(w, w[0]); n >= 2*keep {
			w = w[(n-keep)&^3:]
		}
	}
	if len(w) >= 2*keep && isAlnum(w[len(w)-1]) {
		c, n := w[len(w)-1], 0
		for n < len(w) && w[len(w)-1-n] == c {
			n++
		}
		if n >= 2*keep {
			w = w[:len(w)-(n-keep)]
		}
	}
	return w
}

// sameBytes returns how many bytes at the start of s are c, eight at a
// time, and past the first 64 a block of 256 at a time: padding runs to
// kilobytes, and the runtime compares a block with vector instructions.
func sameBytes(s string, c byte) int {
	w := uint64(c) * 0x0101010101010101
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if i == 64 && len(s) >= 64+2*len(padBlock{}) {
			var blk padBlock
			for k := 0; k < len(blk); k += 8 {
				binary.LittleEndian.PutUint64(blk[k:], w)
			}
			for i+len(blk) <= len(s) && s[i:i+len(blk)] == string(blk[:]) {
				i += len(blk)
			}
			if i+8 > len(s) {
				break
			}
		}
		if x := le64(s[i : i+8]); x != w {
			// the first byte that differs: the lowest non-zero byte of x^w
			return i + bits.TrailingZeros64(x^w)/8
		}
	}
	for i < len(s) && s[i] == c {
		i++
	}
	return i
}

// padBlock is the block sameBytes compares a long run by.
type padBlock [256]byte

// scanWindows runs the families over a value longer than the window
// (Config.MaxScan), whole, in windows that overlap by an eighth of it, so
// that each family's work per window is bounded and a match shorter than
// the overlap is whole in some window. The raw form is left out (its
// offsets differ from the decoded value's). A run of one letter or digit
// at either end of a window is read cut to minPadding bytes (trimRuns).
func (d *Detector) scanWindows(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) []threat.Signal {
	v := in.value
	if v == "" {
		// a header that decodes to nothing ("%00" repeated): nothing to
		// read, and no first byte for the padding test below
		return dst
	}
	if oneByte(v) && (v[0] >= 'a' && v[0] <= 'z' || v[0] >= 'A' && v[0] <= 'Z' || v[0] >= '0' && v[0] <= '9') {
		return dst // padding: a run of one letter or digit
	}
	if len(v) <= d.max {
		in.raw = ""
		dst, _ = d.scan(in, kind, seen, dst)
		return dst
	}
	step := (d.max - d.max/8) &^ 3 // a multiple of 4 keeps base64 windows aligned
	for off := 0; ; off += step {
		end := min(off+d.max, len(v))
		w := input{src: in.src, name: in.name, value: trimRuns(v[off:end]), via: in.via, xmlData: in.xmlData}
		dst, _ = d.scan(&w, kind, seen, dst)
		if end == len(v) {
			return dst
		}
	}
}

// scan runs the value families that want kind over one input, and over
// the text a base64 or hex input decodes to; it returns the families that
// found nothing. Header and path values are looked up in the verdict cache
// first; the families that found nothing in them (nor in what they decode
// to) are recorded there.
func (d *Detector) scan(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) ([]threat.Signal, uint32) {
	// Header values and paths repeat from request to request; cookies are
	// per session and parameters vary, so caching them would only churn.
	cacheable := mayCache(in.src, len(in.value)) && !in.decoded
	var known uint32
	if cacheable {
		known = d.cache.lookup(in.src, in.name, in.value)
		in.known = known
		if known&d.need[kind] == d.need[kind] {
			return dst, known // every family that looks at such values found it clean before
		}
	}
	key := in.value
	if in.src == threat.SourceHeader && in.raw == "" && decodedHeader(in.name) {
		// custom headers carry what applications put there, URL-encoded
		// as often as not: read them decoded, remember them raw
		if v := decode.Value(key, false); v != key {
			in.value, in.raw = v, key
		}
	}
	in.m = in.classify()
	if in.m&^cDash == 0 && len(in.value) >= 64 && oneByte(in.value) {
		in.release()
		return dst, valueFamilies // a run of one letter or digit: padding
	}
	// a value of letters, digits and base64 punctuation may be encoded text
	encoded := len(in.value) >= decode.MinEncoded && in.m&^(cDash|cSlash|cEq|cSpace) == 0 && in.src != threat.SourcePath &&
		!in.decoded && decode.Encoded(in.value)
	var clean uint32
	if in.m&^cDash == 0 && len(in.value) < 64 && quickWord(in.value) {
		// a short word of letters, digits, '-' and '_': nothing any family
		// looks for, unless it decodes to something
		if !encoded {
			return dst, valueFamilies
		}
	} else {
		// the enabled families that want kind and have not found the
		// value clean before, in order, one bit each
		for fams := d.need[kind] &^ known; fams != 0; fams &= fams - 1 {
			i := bits.TrailingZeros32(fams)
			var hit bool
			before := len(dst)
			switch i {
			case famSQLi:
				dst, hit = scanSQLi(in, &seen[i], dst)
			case famXSS:
				dst, hit = scanXSS(in, &seen[i], dst)
			case famTraversal:
				dst, hit = scanTraversal(in, &seen[i], dst)
			case famCommand:
				dst, hit = scanCommand(in, &seen[i], dst)
			case famSSRF:
				dst, hit = scanSSRF(in, &seen[i], dst)
			case famSSTI:
				dst, hit = scanSSTI(in, &seen[i], dst)
			case famXXE:
				dst, hit = scanXXE(in, &seen[i], dst)
			case famNoSQL:
				dst, hit = scanNoSQL(in, &seen[i], dst)
			case famLDAP:
				dst, hit = scanLDAP(in, &seen[i], dst)
			case famSSI:
				dst, hit = scanSSI(in, &seen[i], dst)
			case famCRLF:
				dst, hit = scanCRLF(in, &seen[i], dst)
			case famCode:
				dst, hit = scanCode(in, &seen[i], dst)
			}
			if seen[i]&ruleRepeated != 0 {
				seen[i] &^= ruleRepeated
				dst = mergeRepeats(dst, before)
			}
			if !hit {
				clean |= 1 << i
			}
		}
		in.release()
	}
	if encoded {
		var bits uint32
		dst, bits = d.scanDecoded(in, kind, seen, dst)
		clean &= bits
	} else if in.src == threat.SourceHeader && in.name == "Authorization" && len(in.value) > 6 && strings.EqualFold(in.value[:6], "basic ") {
		// Basic credentials: user:password, base64-encoded
		cred := input{src: in.src, name: in.name, value: strings.TrimSpace(in.value[6:])}
		var bits uint32
		dst, bits = d.scanDecoded(&cred, kind, seen, dst)
		clean &= bits
	} else if in.m&cSpace == 0 && !in.decoded && in.src != threat.SourceQuery && in.src != threat.SourceForm &&
		strings.IndexByte(in.value, '+') >= 0 && (in.raw == "" || strings.IndexByte(in.raw, '+') >= 0) {
		var bits uint32
		dst, bits = d.scanPlus(in, kind, seen, dst)
		clean &= bits
	}
	if in.m&cLT != 0 && in.via != viaStripped && gluedTag(in.value) {
		var bits uint32
		dst, bits = d.scanStripped(in, kind, seen, dst)
		clean &= bits
	}
	if cacheable && clean&^known != 0 {
		d.cache.markClean(in.src, in.name, key, clean|known)
	}
	return dst, clean
}

// viaStripped names scanStripped's reading; a value is stripped once,
// whether as sent or decoded (base64, percent escapes).
const viaStripped = "tags stripped"

// scanStripped runs the families over a value with its short tags
// stripped, as a tag-stripping filter passes it on (stripped.go).
func (d *Detector) scanStripped(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) ([]threat.Signal, uint32) {
	buf := decodeBufs.Get().(*[]byte)
	defer decodeBufs.Put(buf)
	b := stripShortTags((*buf)[:0], in.value)
	*buf = b
	dec := input{src: in.src, name: in.name, value: unsafeString(b), via: viaStripped, decoded: true}
	return d.scan(&dec, kind, seen, dst)
}

// oneByte reports whether v is one byte repeated ("aaaa..."), eight bytes
// at a time.
func oneByte(v string) bool {
	if v == "" {
		return true
	}
	c := v[0]
	i := 0
	if len(v) >= 8 {
		w := uint64(c) * 0x0101010101010101
		for ; i+8 <= len(v); i += 8 {
			if le64(v[i:i+8]) != w {
				return false
			}
		}
	}
	for ; i < len(v); i++ {
		if v[i] != c {
			return false
		}
	}
	return true
}

// decodedHeader reports whether a header's value is read URL-decoded as
// well: free-text headers (attackHeader) but the Referer, a URL whose
// escapes are the page's own.
func decodedHeader(name string) bool {
	return name != "Referer" && attackHeader(name)
}

// scanDecoded runs the families over the text a base64 or hex value
// decodes to, as a further input whose Location says so. Tokens and
// binary data (session ids, hashes, JWT parts) decode to no text. It
// returns the families that found nothing (all when the value is not
// encoded text).
func (d *Detector) scanDecoded(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) ([]threat.Signal, uint32) {
	buf := decodeBufs.Get().(*[]byte)
	defer decodeBufs.Put(buf)
	if n := len(in.value)*3/4 + 3; cap(*buf) < n {
		*buf = make([]byte, 0, n)
	}
	text, via := decode.Text((*buf)[:0], in.value)
	if text == nil {
		return dst, valueFamilies
	}
	dec := input{src: in.src, name: in.name, value: unsafeString(text), via: via, decoded: true}
	return d.scan(&dec, kind, seen, dst)
}

// scanPathTokens reads the base64 or hex tokens of a path decoded, as
// scan reads an encoded value: a path is not one (its '/' are no base64),
// but a route such as /files/{name} hands a segment to code that may
// decode it, and a client may send the whole path as one token after its
// '/' (base64 has '/' too). The path after its first '/' is read when it
// is a token, else each segment that is; decode.Encoded rejects most
// words and numbers at their first bytes, and the rest on one pass. A
// token longer than the window is read in windows, as scanWindows reads
// one (at offsets that keep base64 aligned).
func (d *Detector) scanPathTokens(path string, seen *[numValueFamilies]rules, dst []threat.Signal) []threat.Signal {
	token := func(t string) {
		step := (d.max - d.max/8) &^ 3
		for off := 0; ; off += step {
			end := min(off+d.max, len(t))
			if w := t[off:end]; decode.Encoded(w) {
				in := input{src: threat.SourcePath, value: w}
				dst, _ = d.scanDecoded(&in, wantPath, seen, dst)
			}
			if end == len(t) {
				return
			}
		}
	}
	rest := strings.TrimPrefix(path, "/")
	// A token holds no '.': a path with a file name ("/shop/cart.jsp")
	// is never one whole, nor are its segments with a '.', and both are
	// ruled out by a search rather than by Encoded's reading of them.
	if strings.IndexByte(rest, '/') >= 0 && strings.IndexByte(rest, '.') < 0 && decode.Encoded(rest) {
		token(rest)
		return dst
	}
	for rest != "" {
		seg := rest
		if k := strings.IndexByte(rest, '/'); k >= 0 {
			seg, rest = rest[:k], rest[k+1:]
		} else {
			rest = ""
		}
		if len(seg) >= decode.MinEncoded && strings.IndexByte(seg, '.') < 0 {
			token(seg)
		}
	}
	return dst
}

// scanPlus runs the families over a value with its '+' read as spaces: a
// form encoder's spaces, left as they are where no form decoding happens
// (a JSON or multipart value, a header, a cookie, the path), and read as
// spaces by a backend that decodes the value as a form, as PHP does its
// cookies and some routers their paths ("union+select+1,name+from+users",
// "<video+src=x+onerror=alert(1)>"). The value holds no space of its own
// (form encoding leaves none), and is no base64 token (scan decodes those
// instead). A value percent-decoded from its raw form is read as a form
// decoder reads the raw form: "%2B" is a '+' there, never a space
// ("john%2Bor%40example.com" stays an address).
func (d *Detector) scanPlus(in *input, kind what, seen *[numValueFamilies]rules, dst []threat.Signal) ([]threat.Signal, uint32) {
	if in.raw != "" && in.raw != in.value {
		v := decode.Value(in.raw, true)
		if v == in.value || strings.IndexByte(v, ' ') < 0 {
			return dst, valueFamilies // every '+' was an escaped one
		}
		dec := input{src: in.src, name: in.name, value: v, via: "plus as space", decoded: true}
		return d.scan(&dec, kind, seen, dst)
	}
	buf := decodeBufs.Get().(*[]byte)
	defer decodeBufs.Put(buf)
	b := append((*buf)[:0], in.value...)
	*buf = b
	for i, c := range b {
		if c == '+' {
			b[i] = ' '
		}
	}
	dec := input{src: in.src, name: in.name, value: unsafeString(b), via: "plus as space", decoded: true}
	return d.scan(&dec, kind, seen, dst)
}

// valueFamilies has the verdict-cache bit of every value family.
const valueFamilies = 1<<numValueFamilies - 1

// decodeBufs hold the text of decoded windows: three quarters of a window
// of the default size (base64), grown for larger windows.
var decodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 6<<10); return &b }}

// unsafeString views b as a string without copying; b must not change
// while the string is in use.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// locationPrefix names each source in Signal.Location.
var locationPrefix = [...]string{threat.SourcePath: "path", threat.SourceQuery: "query", threat.SourceForm: "form",
	threat.SourceJSON: "json", threat.SourceCookie: "cookie", threat.SourceHeader: "header", threat.SourceBody: "body",
	threat.SourceMultipart: "multipart", threat.SourceFile: "file", threat.SourceXML: "xml", threat.SourceText: "text"}

// location names where an input was found, as in Signal.Location. It is
// built once an input, in one allocation, however many signals name it.
func (in *input) location() string {
	if in.loc != "" {
		return in.loc
	}
	p := "param"
	if int(in.src) < len(locationPrefix) && locationPrefix[in.src] != "" {
		p = locationPrefix[in.src]
	}
	if in.name == "" && in.via == "" {
		return p
	}
	var buf [128]byte
	b := append(buf[:0], p...)
	if in.name != "" {
		b = append(b, ':')
		b = appendExcerpt(b, in.name, 0, len(in.name), 64)
	}
	if in.via != "" {
		b = append(b, " ("...)
		b = append(b, in.via...)
		b = append(b, ')')
	}
	in.loc = string(b)
	return in.loc
}

// signal builds a Signal for a match at in.value[i:j].
func signal(det, rule string, conf float64, in *input, i, j int) threat.Signal {
	s := bareSignal(det, rule, conf, in)
	s.Evidence = excerpt(in.value, i, j, 48)
	return s
}

// bareSignal builds a Signal without its Evidence, for callers that
// excerpt another form of the value.
func bareSignal(det, rule string, conf float64, in *input) threat.Signal {
	return threat.Signal{
		Detector:   det,
		Family:     Name,
		Rule:       rule,
		Confidence: conf,
		Location:   in.location(),
	}
}

// excerpt returns at most max printable bytes of s around s[i:j]; other
// bytes become '.', so evidence is safe to log.
//
// s may be a string or a byte slice (a folded form of a value), which is
// not copied whole: only the excerpt is, once.
func excerpt[T text](s T, i, j, max int) string {
	var buf [64]byte
	return string(appendExcerpt(buf[:0], s, i, j, max))
}

// appendExcerpt appends excerpt(s, i, j, max) to b.
func appendExcerpt[T text](b []byte, s T, i, j, max int) []byte {
	if i < 0 {
		i = 0
	}
	if j > len(s) {
		j = len(s)
	}
	if i > len(s) {
		i = len(s)
	}
	if j < i {
		j = i
	}
	if j-i < max {
		pad := (max - (j - i)) / 2
		i -= pad
		if i < 0 {
			i = 0
		}
		j = i + max
		if j > len(s) {
			j = len(s)
		}
	} else {
		j = i + max
	}
	// written by index into the grown slice: append's check of the
	// capacity, a byte at a time, was most of this loop's cost
	n := len(b)
	b = slices.Grow(b, j-i)[:n+j-i]
	out, in := b[n:], s[i:j]
	k := 0
	for ; k+8 <= len(out); k += 8 {
		// eight printable bytes, as most are, copied as they are
		x := uint64(in[k]) | uint64(in[k+1])<<8 | uint64(in[k+2])<<16 | uint64(in[k+3])<<24 |
			uint64(in[k+4])<<32 | uint64(in[k+5])<<40 | uint64(in[k+6])<<48 | uint64(in[k+7])<<56
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		if (x-0x20*ones)&^x&highs != 0 || (x+ones|x)&highs != 0 {
			break // a byte below 0x20, or 0x7f and above
		}
		binary.LittleEndian.PutUint64(out[k:k+8], x)
	}
	for ; k < len(out); k++ {
		out[k] = excerptByte[in[k]]
	}
	return b
}

// excerptByte is what appendExcerpt writes for a byte: itself when it is
// printable ASCII, '.' for a control byte or a byte >= 0x7f.
var excerptByte = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c < 0x20 || c >= 0x7f {
			t[c] = '.'
		}
	}
	return t
}()

// rules tracks which rules of a family one Detect call has reported, so
// each rule yields one signal per request.
type rules uint64

// ruleRepeated is set in a family's rules when mark has let a rule
// already reported report again; scan then keeps the stronger of the two
// signals (mergeRepeats). No family has 63 rules.
const ruleRepeated rules = 1 << 63

// mark records in *hit that a rule matched the current input and reports
// whether the family is to report it, which it always is: a rule's first
// match in the request, or a later one that scan compares with the first
// and keeps if it is stronger. Were only the first reported, a weak match
// early in a request ("see javascript:void" in one parameter) would
// shadow a certain one after it (javascript:alert(1) in the next) and
// hold the request's score down. Families must report every match
// through mark: the verdict cache remembers inputs without a match as
// clean.
func (r *rules) mark(hit *bool, bit uint) bool {
	*hit = true
	if !r.first(bit) {
		*r |= ruleRepeated
	}
	return true
}

// mergeRepeats folds the signals dst[from:] that repeat a rule of dst[:from]
// (the same detector and rule) into the earlier one, keeping the higher
// confidence there, so that a request has one signal a rule. It runs only
// after a family reported a rule again.
func mergeRepeats(dst []threat.Signal, from int) []threat.Signal {
	n := from
	for k := from; k < len(dst); k++ {
		s := dst[k]
		j := 0
		for j < n && (dst[j].Rule != s.Rule || dst[j].Detector != s.Detector) {
			j++
		}
		switch {
		case j == n:
			dst[n] = s
			n++
		case s.Confidence > dst[j].Confidence:
			dst[j] = s
		}
	}
	clear(dst[n:])
	return dst[:n]
}

func (r *rules) first(bit uint) bool {
	if *r&(1<<bit) != 0 {
		return false
	}
	*r |= 1 << bit
	return true
}

// addressHeader reports whether a request header carries client addresses
// written by proxies: a new value for every client, so the verdict cache
// cannot remember them, and behind a load balancer on every request.
func addressHeader(name string) bool {
	return name == "X-Forwarded-For" || name == "X-Real-Ip"
}

// addressChars are the bytes of IPv4 and IPv6 addresses, ports and the
// separators of an address list: "203.0.113.7, [2001:db8::1]:443".
var addressChars = func() (t [256]bool) {
	for _, c := range "0123456789abcdefABCDEF.:,[] \t" {
		t[c] = true
	}
	return t
}()

// addressList reports whether v holds nothing but address characters, no
// ".." (no address has one; the traversal family reads it) and none of the
// code family's serialised-object magic, which it finds anywhere in a value
// (the hex forms are address characters).
func addressList(v string) bool {
	if len(v) > 512 || strings.Contains(v, "..") {
		return false
	}
	for _, magic := range javaMagic {
		if strings.Contains(v, magic) {
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if !addressChars[v[i]] {
			return false
		}
	}
	return true
}

// plainWord reports whether scan would find v a short word that it passes
// by without any family reading it (its quick path): fewer than 64 bytes
// of letters, digits, '-', '_' and other bytes no class marks, no "__",
// no serialised-object magic, no PHP function only payloads call
// (phpRiskNames), no PHP session file's name ("sess_..."), no SQL system
// catalog ("information_schema"), no UTF-7 run ("+ADw-"), not base64
// or hex that decodes to text, and no Java class or internal named alone
// ("classLoader", javaBareNames).
// Most parameter names and many values are such words; Detect skips them
// without building their input. scan's answer for them holds no
// signal and no cache entry, so skipping changes nothing.
func plainWord(v string) bool {
	if len(v) >= 64 {
		return false
	}
	var all uint8
	for i := 0; i < len(v); i++ {
		t := wordBytes[v[i]]
		if t == 0 {
			return false
		}
		all |= t
	}
	if wordGatesShut(all, len(v)) {
		// most words end here, without the call
		return !serialMagic(v) && (len(v) < decode.MinEncoded || !decode.Encoded(v))
	}
	return !wordRisk(v, all) && (len(v) < decode.MinEncoded || !decode.Encoded(v))
}

// wordGatesShut reports whether none of wordRisk's gates opens for a word
// of n bytes whose marks together are all: wordRisk then asks
// serialMagic alone, which has no gate.
func wordGatesShut(all uint8, n int) bool {
	return all&(wordUnderscore|wordPlus) == 0 && (all&wordNonLetter != 0 || n < javaBareMin) &&
		all&(wordUpper|wordLower) != wordUpper|wordLower
}

// quickWord reports whether v, shorter than 64 bytes and of the bytes
// wordBytes marks only (classify found no class in it but cDash), is a
// word no family reads unless it decodes to something: plainWord but
// for the decoding, which scan's quick path asks apart.
func quickWord(v string) bool {
	var all uint8
	for i := 0; i < len(v); i++ {
		all |= wordBytes[v[i]]
	}
	if wordGatesShut(all, len(v)) {
		return !serialMagic(v)
	}
	return !wordRisk(v, all)
}

// wordRisk reports whether v, a word of the bytes wordBytes marks, whose
// marks together are all, is one a family reads: "__", a PHP function
// only payloads call, a session file's or a catalog's name
// (underscoreRisk), serialised-object magic, a UTF-7 run, or a Java
// class or internal named alone, or in base64. The marks skip the
// searches a word cannot match: javaBareNames without a '.' are letters
// and '_' only, and every javaBase64 needle holds both cases.
func wordRisk(v string, all uint8) bool {
	return all&wordUnderscore != 0 && underscoreRisk(v) || serialMagic(v) || all&wordPlus != 0 && utf7Start(v) >= 0 ||
		all&wordNonLetter == 0 && len(v) >= javaBareMin && javaBare(v) ||
		all&(wordUpper|wordLower) == wordUpper|wordLower && javaBase64(v) >= 0
}

// underscoreRisk reports whether v, a word with a '_', is one the families
// read: it holds "__" (__proto__, Python's dunders), a PHP function only
// payloads call (phpRiskNames), a PHP session file's name, or an SQL
// system catalog. One walk over its '_'s decides most words.
func underscoreRisk(v string) bool {
	pair := false
	for i := 0; i+1 < len(v); i++ { // a word: under 64 bytes
		if v[i] != '_' {
			continue
		}
		if v[i+1] == '_' {
			return true
		}
		if !pair && i+2 < len(v) && phpRiskPair(v[i+1]|0x20, v[i+2]|0x20) {
			pair = true
		}
	}
	if pair && len(v) >= 9 {
		if _, _, ok := phpRiskToken(v); ok {
			return true
		}
	}
	if len(v) >= 25 && hasPrefixFold(v, "sess_") {
		return true
	}
	return len(v) >= 6 && catalogLead(v[0]) && sqlCatalogValue(v)
}

// wordBytes marks the bytes scan's quick path lets through (classify
// finds no class in them but cDash), and '_' and '+' apart: two '_' in a
// row, a PHP function's or a catalog's name, and a UTF-7 run are read.
var wordBytes = func() (t [256]uint8) {
	for c := range t {
		if classes[c]&^cDash == 0 {
			t[c] = wordByte
		}
	}
	t['_'] |= wordUnderscore
	t['+'] |= wordPlus
	for c := range t {
		if t[c] != 0 && !isAlpha(byte(c)) && c != '_' {
			t[c] |= wordNonLetter
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= wordUpper
		t[c+'a'-'A'] |= wordLower
	}
	return t
}()

const (
	wordByte uint8 = 1 << iota
	wordUnderscore
	wordPlus      // '+', which a UTF-7 run opens with
	wordUpper     // an upper-case letter, which every javaBase64 needle holds
	wordLower     // a lower-case letter, which every javaBase64 needle holds too
	wordNonLetter // a digit, '-', '+' or a high byte: javaBareNames without a '.' are letters and '_' only
)

// serialMagic reports whether v starts like a serialised Java object
// (base64 or hex of AC ED 00 05) or gzip in base64: such values can be
// plain alphanumerics. The first byte picks the one prefix to compare:
// most values are words that start with none of them.
func serialMagic(v string) bool {
	if len(v) < len("H4sI") {
		return false
	}
	switch v[0] {
	case 'r':
		return strings.HasPrefix(v, "rO0AB")
	case 'a':
		return strings.HasPrefix(v, "aced0005")
	case 'A':
		return strings.HasPrefix(v, "ACED0005")
	case 'H':
		return strings.HasPrefix(v, "H4sI")
	}
	return false
}
