/* `loa backup FILE`: checks the argument and prints; the copy itself is
 * db_backup's (db/backup.c), checked and recorded in the audit trail by
 * verify_backup. */
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

#include "ledger/audit.h"
#include "ledger/verify.h"

static int cmd_backup(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_result res = { 0 };
	char msg[1024], q[TEXT_QUOTE_MAX], *dir_copy, *db_file, actor[AUDIT_ACTOR_MAX + 1];
	const char *file, *dir;
	struct stat st;
	bool no_db;
	int c, r, ret = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if (argc - optind != 1) {
		cli_error(self, _("name one file to write the backup to, e.g. /media/usb/loa-backup.db"));
		return cli_usage(self);
	}
	file = argv[optind];
	if (cli_check_path(self, "FILE", file) < 0)
		return EXIT_USAGE;
	text_quote(file, q);
	if (lstat(file, &st) == 0) {
		cli_error(self, _("%s already exists; loa backup never overwrites a file (it may be an "
			  "earlier backup): choose a new name, e.g. with today's date"), q);
		return EXIT_USAGE;
	}
	dir_copy = xstrdup(file);
	dir = dirname(dir_copy);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		bool missing = stat(dir, &st) < 0 && errno == ENOENT;
		char qd[TEXT_QUOTE_MAX];

		if (missing)
			cli_error(self, _("the folder %s does not exist; create it first or name another one"),
				  text_quote(dir, qd));
		else
			cli_error(self, _("%s is not a folder; name a file in a folder, e.g. /media/usb/loa-backup.db"),
				  text_quote(dir, qd));
		free(dir_copy);
		return EXIT_USAGE;
	}
	r = cli_load_config(cli);
	if (r) {
		free(dir_copy);
		return r;
	}
	/* Opened for writing, for the audit entry; a read-write open would
	 * create a database, so first see that there is one to back up. */
	db_file = xasprintf("%s/loa.db", cli->cfg->state_dir);
	no_db = access(db_file, F_OK) < 0 && errno == ENOENT;
	free(db_file);
	if (no_db) {
		cli_error(self, _("there is no database in %s yet; nothing to back up"), cli->cfg->state_dir);
		free(dir_copy);
		return EXIT_RUNTIME;
	}
	r = cli_open_db(cli, DB_READ_WRITE);
	if (r) {
		free(dir_copy);
		return r;
	}

	r = verify_backup(cli->db, file, audit_actor_self(actor), &res, msg, sizeof(msg));
	if (r < 0) {
		cli_error(self, "%s", msg);
		ret = r == -EEXIST || r == -EACCES || r == -EROFS ? EXIT_USAGE : EXIT_RUNTIME;
		goto out;
	}
	printf(_("%s: %" PRId64 " ledger rows, head %s (row %" PRId64 ")\n"), file, res.rows, res.head,
	       res.head_id);
	if (!res.ok)
		cli_error(self, _("warning: the ledger copied is not intact: %s; run loa verify"), res.message);
	ret = EXIT_OK;
out:
	verify_result_done(&res);
	free(dir_copy);
	return ret;
}

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.usage = N_("FILE"),
	.summary = N_("copy the station database to FILE (never over an existing file) while loa runs"),
	.exec = cmd_backup,
};
