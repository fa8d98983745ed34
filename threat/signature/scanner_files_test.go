package signature_test

import "testing"

// TestScannerLeftAndRestrictedFiles: a path naming a log, a database dump
// in an archive, a copy of the site under a backup's name, or a file of
// the CRS's restricted-files list is a probe; paths of pages, APIs and
// downloads that share a word with them are not, and the project files an
// application may serve itself stay weak.
func TestScannerLeftAndRestrictedFiles(t *testing.T) {
	var attacks, benign []familyCase
	for _, p := range []string{
		"/wp-content/error.log", "/logs/access.log.1", "/storage/logs/laravel.log", "/errors.log", "/app/debug.log.gz",
		"/backup.sql.zip", "/db.sql.gz", "/dump.sql.tar.gz", "/backup.tar.gz", "/www.zip", "/wwwroot.rar", "/htdocs.7z",
		"/backup-2024-01-01.tgz", "/backups/backup_3.zip", "/site/public_html.tar",
		"/.htpasswd", "/.aws/credentials", "/.bash_history", "/sites/default/settings.php", "/app/etc/env.php",
		"/.npmrc", "/@fs/etc/passwd", "/.my.cnf", "/secrets.json", "/static/.git/HEAD", "/.pgpass", "/php.ini",
		"/.docker/config.json", "/gitlab/initial_root_password",
	} {
		attacks = append(attacks, familyCase{"path", p, 0.9})
	}
	for _, p := range []string{
		"/blog", "/api/catalog", "/changelog", "/dialog.logic", "/downloads/report-2024.zip", "/backup-guide.html",
		"/www.example.zip", "/files/data.zip", "/v1/sys/health", "/api/proc/12", "/docs/logging", "/login",
		"/archive/2024.tar.gz", "/releases/app-1.2.tar.gz", "/static/js/app.js", "/backup", "/product/www",
		// an application's own project files: weak, never a refusal
		"/package.json", "/config.json", "/assets/config.yml", "/Dockerfile", "/.gitignore",
	} {
		benign = append(benign, familyCase{"path", p, 0.9})
	}
	checkFamily(t, "scanner", attacks, benign, 0.9)
}
