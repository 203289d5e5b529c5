/* `loa backup FILE`: an online copy of the station database through SQLite's
 * backup API, consistent even while the daemon appends. The copy is written
 * under a temporary name in FILE's folder, made a self-contained file (no
 * -wal), synced, checked with the same chain verification as `loa verify`,
 * and only then given its name, never over an existing file: a backup must
 * not destroy another one. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/verify.h"

#define BUSY_RETRIES 100
#define BUSY_WAIT_MS 100

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

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

/* rename(FROM, TO) unless TO exists. */
static int rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -errno;
	/* Filesystems without RENAME_NOREPLACE: a hard link cannot replace... */
	if (link(from, to) == 0)
		return unlink(from) < 0 ? -errno : 0;
	if (errno == EEXIST)
		return -EEXIST;
	/* ...and without hard links either (FAT on a USB stick): look first. */
	if (lstat(to, &st) == 0)
		return -EEXIST;
	return rename(from, to) < 0 ? -errno : 0;
}

static void remove_temp(const char *tmp)
{
	char *journal = xasprintf("%s-journal", tmp);

	unlink(journal);
	unlink(tmp);
	free(journal);
}

static int cmd_backup(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_result res = { 0 };
	char msg[512], q[CLI_QUOTE_MAX], *dir_copy, *tmp = NULL;
	const char *file, *dir;
	struct stat st;
	sqlite3 *h;
	int c, fd, r, ret = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		printf(_("usage: loa %s %s\n"), self->name, cli_usage_text(self));
		return EXIT_OK;
	}
	if (argc - optind != 1) {
		cli_error(self, _("name one file to write the backup to, e.g. /media/usb/loa-backup.db"));
		return cli_usage(self);
	}
	file = argv[optind];
	if (cli_check_path(self, "FILE", file) < 0)
		return EXIT_USAGE;
	cli_quote(file, q);
	if (lstat(file, &st) == 0) {
		cli_error(self, _("%s already exists; loa backup never overwrites a file (it may be an "
			  "earlier backup): choose a new name, e.g. with today's date"), q);
		return EXIT_USAGE;
	}
	dir_copy = xstrdup(file);
	dir = dirname(dir_copy);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		bool missing = stat(dir, &st) < 0 && errno == ENOENT;
		char qd[CLI_QUOTE_MAX];

		if (missing)
			cli_error(self, _("the folder %s does not exist; create it first or name another one"),
				  cli_quote(dir, qd));
		else
			cli_error(self, _("%s is not a folder; name a file in a folder, e.g. /media/usb/loa-backup.db"),
				  cli_quote(dir, qd));
		free(dir_copy);
		return EXIT_USAGE;
	}
	r = cli_load_config(cli);
	if (!r)
		r = cli_open_db(cli, DB_READ_ONLY);
	if (r) {
		free(dir_copy);
		return r;
	}
	if (!cli->db) {
		cli_error(self, _("there is no database in %s yet; nothing to back up"), cli->cfg->state_dir);
		free(dir_copy);
		return EXIT_RUNTIME;
	}

	tmp = xasprintf("%s/.loa-backup-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error(self, _("cannot create a file in %s: %s"), dir, strerror(errno));
		free(tmp);
		free(dir_copy);
		return errno == EACCES || errno == EROFS ? EXIT_USAGE : EXIT_RUNTIME;
	}
	fchmod(fd, 0640);
	close(fd);
	if (copy_database(db_sqlite(cli->db), tmp, msg, sizeof(msg)) < 0) {
		cli_error(self, "%s", msg);
		goto out;
	}
	if ((r = fsync_path(tmp, O_RDONLY)) < 0) {
		cli_error(self, _("cannot write %s to the disk: %s"), tmp, strerror(-r));
		goto out;
	}
	/* The copy is checked as `loa verify --db` will check it later. */
	if (verify_open(tmp, &h, msg, sizeof(msg)) < 0) {
		cli_error(self, _("the copy cannot be read back: %s"), msg);
		goto out;
	}
	r = verify_chain(h, NULL, &res);
	sqlite3_close(h);
	if (r < 0) {
		cli_error(self, _("the copy cannot be read back: %s"), res.message);
		goto out;
	}
	r = rename_noreplace(tmp, file);
	if (r == -EEXIST) {
		cli_error(self, _("%s appeared while the backup was written; it was left alone"), q);
		ret = EXIT_USAGE;
		goto out;
	}
	if (r < 0) {
		cli_error(self, _("cannot name the backup %s: %s"), file, strerror(-r));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	fsync_path(dir, O_RDONLY | O_DIRECTORY);
	printf(_("%s: %" PRId64 " ledger rows, head %s (row %" PRId64 ")\n"), file, res.rows, res.head,
	       res.head_id);
	if (!res.ok)
		cli_error(self, _("warning: the ledger copied is not intact: %s; run loa verify"), res.message);
	ret = EXIT_OK;
out:
	if (tmp)
		remove_temp(tmp);
	verify_result_done(&res);
	free(tmp);
	free(dir_copy);
	return ret;
}

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.usage = N_("FILE"),
	.summary = N_("copy the station database to FILE (never over an existing file) while loa runs"),
	.exec = cmd_backup,
};
