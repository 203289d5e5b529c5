/* Online backup through SQLite's backup API, consistent even while the
 * daemon appends. The copy is written under a temporary name in the
 * target's folder, made a self-contained file (no -wal), synced, handed to
 * the caller's check, and only then given its name, never over an existing
 * file: a backup must not destroy another one. */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/i18n.h"
#include "util/xmalloc.h"

#define BUSY_RETRIES 100
#define BUSY_WAIT_MS 100

/* Copies SRC into the new, empty database file PATH. Returns 0 or -EIO with msg. */
static int copy_database(sqlite3 *src, const char *path, char *msg, size_t msglen)
{
	sqlite3_backup *b;
	sqlite3 *dst = NULL;
	int rc, tries = 0;

	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b)
		goto fail;
	/* One step holds a read snapshot of the whole file: a consistent copy
	 * while the daemon keeps writing to its WAL. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (++tries > BUSY_RETRIES)
			break;
		sqlite3_sleep(BUSY_WAIT_MS);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		goto fail;
	/* The copy carries the station's WAL mode in its header; a backup is
	 * better one plain file that any reader, on any medium, can open. */
	rc = sqlite3_exec(dst, "PRAGMA synchronous = FULL; PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(msg, msglen, _("cannot finish writing %s: %s"), path, sqlite3_errmsg(dst));
		return -EIO;
	}
	return 0;
fail:
	snprintf(msg, msglen, _("cannot copy the database into %s: %s"), path,
		 dst ? sqlite3_errmsg(dst) : "out of memory");
	sqlite3_close(dst);
	return -EIO;
}

static void remove_temp(const char *tmp)
{
	char *journal = xasprintf("%s-journal", tmp);

	unlink(journal);
	unlink(tmp);
	free(journal);
}

int db_backup(struct db *db, const char *file, db_backup_check *check, void *ctx, char *msg, size_t msglen)
{
	struct atomic_file af;
	char *tmp;
	int r;

	r = atomic_open(&af, file, 0640);
	if (r < 0) {
		snprintf(msg, msglen, _("cannot create a file next to %s: %s"), file, strerror(-r));
		return r;
	}
	/* SQLite writes the copy through a connection of its own. */
	close(af.fd);
	af.fd = -1;
	tmp = xstrdup(af.tmp);
	r = copy_database(db_sqlite(db), tmp, msg, msglen);
	if (r == 0 && (r = atomic_fsync_path(tmp, O_RDONLY)) < 0)
		snprintf(msg, msglen, _("cannot write %s to the disk: %s"), tmp, strerror(-r));
	if (r == 0 && check)
		r = check(tmp, ctx, msg, msglen);
	if (r == 0) {
		r = atomic_rename_noreplace(tmp, file);
		if (r == -EEXIST)
			snprintf(msg, msglen, _("%s appeared while the backup was written; it was left alone"), file);
		else if (r < 0)
			snprintf(msg, msglen, _("cannot name the backup %s: %s"), file, strerror(-r));
	}
	if (r == 0) {
		atomic_fsync_parent(file);
	} else {
		remove_temp(tmp);
	}
	free(tmp);
	free(af.tmp);
	free(af.path);
	return r;
}
