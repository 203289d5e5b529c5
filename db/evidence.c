/* The read-only evidence mode: a loa database file opened so that nothing
 * in or next to it is ever written, whoever owns it and wherever it lies
 * (the station's loa.db, a backup on a USB stick, a copy an officer was
 * handed). `loa verify --db` and `loa backup` read evidence this way. */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/text.h"
#include "util/i18n.h"
#include "util/xmalloc.h"

/* "file:" URI of PATH with everything but unreserved characters and '/'
 * percent-encoded, so '?', '#' and '%' in a file name stay part of it. */
static char *file_uri(const char *path, const char *params)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *uri = xmalloc(n * 3 + strlen(params) + 8), *o = uri;

	o += sprintf(o, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	strcpy(o, params);
	return uri;
}

/* The magic string, read before SQLite sees the file. */
static int check_magic(const char *path, char *msg, size_t msglen)
{
	static const char magic[16] = "SQLite format 3";
	char buf[sizeof(magic)];
	struct stat st;
	ssize_t n;
	/* O_NONBLOCK: a name swapped for a FIFO since the caller's stat()
	 * must not leave loa waiting for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		text_set(msg, msglen, _("cannot open %s: %s"), path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		text_set(msg, msglen, _("%s is not a regular file; name a loa database file (loa.db)"), path);
		return -EINVAL;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != (ssize_t)sizeof(buf) || memcmp(buf, magic, sizeof(magic)) != 0) {
		text_set(msg, msglen, _("%s is not a loa database (it is not an SQLite database at all)"), path);
		return -EBADMSG;
	}
	return 0;
}

/* True if PATH-wal exists and is not empty: then its committed rows are part
 * of the ledger, and a reader that ignores it would verify an old state. */
static bool has_wal(const char *path)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat st;
	bool r = stat(wal, &st) == 0 && st.st_size > 0;

	free(wal);
	return r;
}

static int open_uri(const char *path, const char *params, sqlite3 **h, int64_t *n_objects)
{
	char *uri = file_uri(path, params);
	int rc;

	rc = sqlite3_open_v2(uri, h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (!*h)
		abort(); /* SQLite could not even allocate its handle */
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(*h, 5000);
		rc = db_query_int(*h, "SELECT count(*) FROM sqlite_schema", n_objects);
	}
	return rc;
}

int db_open_evidence(const char *path, sqlite3 **out, char *msg, size_t msglen)
{
	int64_t n_objects = 0, version = 0, app_id = 0;
	sqlite3 *h = NULL;
	struct stat st;
	int r, rc;

	*out = NULL;
	if (stat(path, &st) < 0) {
		r = -errno;
		if (r == -ENOENT)
			text_set(msg, msglen, _("there is no database at %s; check the path"), path);
		else
			text_set(msg, msglen, _("cannot look at %s: %s"), path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		text_set(msg, msglen, _("%s is not a regular file; name a loa database file (loa.db)"), path);
		return -EINVAL;
	}
	r = check_magic(path, msg, msglen);
	if (r < 0)
		return r;
	rc = open_uri(path, "?mode=ro", &h, &n_objects);
	/*
	 * A read-only reader of a WAL database needs the -shm file, and may
	 * have to create it. Where it cannot (a folder it may not write, a
	 * backup on read-only media), the file can still be read as immutable,
	 * but only if no write-ahead log holds rows that are not in the file.
	 */
	if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
		sqlite3_close(h);
		h = NULL;
		if (has_wal(path)) {
			text_set(msg, msglen, _("cannot read %s: its newest rows are in %s-wal and reading them "
				"needs write access to the folder; run loa verify as a member of group "
				"loa, or verify a copy made with loa backup"), path, path);
			return -EACCES;
		}
		rc = open_uri(path, "?mode=ro&immutable=1", &h, &n_objects);
	}
	if (rc == SQLITE_OK)
		rc = db_query_int(h, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = db_query_int(h, "PRAGMA application_id", &app_id);
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		text_set(msg, msglen, _("cannot read %s: %s; the file is damaged: keep it as it is for the "
			"officer, and check the latest copy made with loa backup (loa verify --db COPY)"),
			path, sqlite3_errmsg(h));
		r = -EBADMSG;
		goto fail;
	}
	if (rc != SQLITE_OK) {
		text_set(msg, msglen, _("cannot read %s: %s"), path, sqlite3_errmsg(h));
		r = (rc & 0xff) == SQLITE_NOTADB ? -EBADMSG : -EIO;
		goto fail;
	}
	if (app_id != DB_APPLICATION_ID || version == 0) {
		text_set(msg, msglen, _("%s is an SQLite database, but not one of loa's"), path);
		r = -EBADMSG;
		goto fail;
	}
	if (version > db_schema_version()) {
		text_set(msg, msglen, _("%s was made by a newer loa (schema version %" PRId64 ", this loa "
			"knows up to %d); verify it with that loa"), path, version, db_schema_version());
		r = -EPROTO;
		goto fail;
	}
	(void)n_objects;
	*out = h;
	return 0;
fail:
	sqlite3_close(h);
	return r;
}

