package signature

import "strings"

// A php.ini directive set in a value: "auto_prepend_file=/tmp/x.jpg",
// "allow_url_include=1", "opcache.jit_max_polymorphic_calls=50". PHP reads
// such lines from a .user.ini an upload put in place, from the PHP_VALUE a
// FastCGI request smuggles (CVE-2019-11043) and from ini_set() fed a
// parameter; the CRS refuses them (933120). Only a line that opens with
// the directive counts, at the value's start or after a newline, blanks
// and PHP-CGI's "-d" aside: a sentence that mentions one ("set
// display_errors=Off in php.ini") is a note. The directives are those that
// read a file or a URL, run or load code, or lift a limit, and every
// directive of the extensions' sections (phpIniSections).

// phpIniDirectives are the directives outside the sections, lower-case.
var phpIniDirectives = set(
	"allow_url_fopen", "allow_url_include", "auto_prepend_file", "auto_append_file", "auto_globals_jit",
	"disable_functions", "disable_classes", "open_basedir", "include_path", "extension_dir", "zend_extension",
	"sendmail_path", "sendmail_from", "error_log", "error_reporting", "upload_tmp_dir", "unserialize_callback_func",
	"unserialize_max_depth", "user_ini.filename", "user_ini.cache_ttl", "max_execution_time", "max_input_time",
	"max_input_vars", "max_input_nesting_level", "memory_limit", "post_max_size", "upload_max_filesize",
	"short_open_tag", "display_errors", "display_startup_errors", "log_errors", "html_errors", "file_uploads",
	"register_argc_argv", "variables_order", "request_order", "doc_root", "user_dir", "default_mimetype",
	"output_handler", "output_buffering", "expose_php", "implicit_flush", "serialize_precision",
	"realpath_cache_size", "realpath_cache_ttl", "enable_dl", "enable_post_data_reading", "hard_timeout",
	"ignore_user_abort", "track_errors", "xmlrpc_errors", "child_terminate", "browscap", "docref_root",
	"docref_ext", "error_prepend_string", "error_append_string", "magic_quotes_gpc", "magic_quotes_runtime",
	"arg_separator.input", "arg_separator.output", "max_file_uploads", "default_socket_timeout",
)

// phpIniSections are the extensions whose "section.directive" settings
// php.ini holds, lower-case, with their dot.
var phpIniSections = []string{
	"apc.", "assert.", "bcmath.", "cgi.", "cli.", "cli_server.", "com.", "curl.", "date.", "dba.", "exif.",
	"expect.", "fastcgi.", "ffi.", "filter.", "highlight.", "ibase.", "iconv.", "imagick.", "intl.", "ldap.",
	"mail.", "mbstring.", "mcrypt.", "memcache.", "memcached.", "mysql.", "mysqli.", "mysqlnd.", "oci8.",
	"odbc.", "opcache.", "openssl.", "pcre.", "pdo.", "pdo_odbc.", "pgsql.", "phar.", "phpdbg.", "runkit.",
	"seaslog.", "session.", "soap.", "sql.", "sqlite3.", "swoole.", "sysvshm.", "taint.", "tidy.", "uopz.",
	"url_rewriter.", "v8js.", "vld.", "xdebug.", "xhprof.", "yac.", "yaconf.", "yaf.", "yaml.", "yar.",
	"zend.", "zlib.", "zookeeper.",
}

// phpIniNameMax bounds a directive's name.
const phpIniNameMax = 64

// phpIniLine returns where the first line of v that sets a directive
// starts and where its name ends.
func phpIniLine(v string) (int, int, bool) {
	for i := 0; i < len(v); {
		s := skipSpaceStr(v, i)
		if strings.HasPrefix(v[s:], "-d") && s+2 < len(v) && (v[s+2] == ' ' || v[s+2] == '\t') {
			s = skipSpaceStr(v, s+2)
		}
		if e, ok := phpIniDirective(v, s); ok {
			return s, e, true
		}
		k := strings.IndexByte(v[i:], '\n')
		if k < 0 {
			break
		}
		i += k + 1
	}
	return -1, -1, false
}

// phpIniDirective reports whether v at s holds a directive's name, then
// blanks, an '=' and no second '=', and returns where the name ends.
func phpIniDirective(v string, s int) (int, bool) {
	e := s
	for e < len(v) && e-s <= phpIniNameMax && ('a' <= v[e] && v[e] <= 'z' || isDigit(v[e]) || v[e] == '_' || v[e] == '.') {
		e++ // PHP reads the names in lower case only
	}
	if e < len(v) && 'A' <= v[e] && v[e] <= 'Z' {
		return 0, false // "MySQL.prototype.query = ...": code, not a directive
	}
	if e == s || e-s > phpIniNameMax {
		return 0, false
	}
	a := skipSpaceStr(v, e)
	if a >= len(v) || v[a] != '=' || a+1 < len(v) && v[a+1] == '=' {
		return 0, false
	}
	name := v[s:e]
	if phpIniDirectives[name] {
		return e, true
	}
	d := strings.IndexByte(name, '.')
	if d <= 0 || d+1 >= len(name) {
		return 0, false
	}
	for _, sec := range phpIniSections {
		if len(sec) == d+1 && name[:d+1] == sec {
			return e, true
		}
	}
	return 0, false
}
