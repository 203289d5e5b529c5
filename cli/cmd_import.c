/* `loa import`: the operator loads a bulletin. Parses the options and
 * prints; content/import.c judges and stores. The database is opened only
 * once the file has passed, so a refused file leaves no trace at all. */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/import.h"
#include "content/library.h"
#include "ledger/audit.h"
#include "util/progress.h"
#include "util/timeutil.h"

/* The progress line on a terminal: rewritten in place (carriage return,
 * erase to the end of the line) when the whole percent changes, erased
 * when the import ends, so that what stays is the id or the message. */
struct tty_line {
	const char *name;
	int shown; /* stage * 1000 + percent last written; -1: none */
};

static void show_progress(void *arg, enum progress_stage stage, double done)
{
	struct tty_line *t = arg;
	int pct = (int)(done * 100), key = (int)stage * 1000 + pct;

	if (key == t->shown)
		return;
	t->shown = key;
	fputs("\r\033[K", stderr);
	if (stage == PROGRESS_ANALYSING)
		/* TRANSLATORS: a progress line; %s is the file, %d%% how much of it is decoded. */
		fprintf(stderr, _("loa import: analysing %s: %d%%"), t->name, pct);
	else
		/* TRANSLATORS: a progress line; %s is the file. */
		fprintf(stderr, _("loa import: storing %s"), t->name);
	fflush(stderr);
}

static void end_progress(struct tty_line *t)
{
	if (t->shown >= 0)
		fputs("\r\033[K", stderr);
	t->shown = -1;
}

static int cmd_import(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_BULLETIN_OPTIONS,
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bulletin b = { .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER };
	struct import_file f = { .fd = -1 };
	struct tty_line line = { .shown = -1 };
	struct progress tty = { show_progress, &line };
	struct strlist slots = { 0 };
	uint64_t seen = 0;
	const char *file;
	char msg[1024], actor[AUDIT_ACTOR_MAX + 1];
	unsigned flags = 0;
	int c, r, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		r = c == 's' || cli_option_once(self, opts, c, &seen) == 0 ?
			cli_bulletin_option(self, c, optarg, &b, &slots) : -EINVAL;
		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		switch (c) {
		case 'F':
			flags |= IMPORT_FORCE;
			break;
		case 'h':
			ret = cli_help(self);
			goto out;
		default:
			ret = cli_bad_option(self, c, argv, opts);
			goto out;
		}
	}
	if (argc - optind != 1) {
		cli_error(self, argc - optind ? _("takes exactly one FILE") : _("which file? give the audio FILE to import"));
		ret = cli_usage(self);
		goto out;
	}
	file = argv[optind];
	if (cli_check_path(self, "FILE", file) < 0)
		goto out;
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_load_slots(cli);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (cli_check_bulletin(cli, self, &b, &slots) < 0)
		goto out;
	line.name = file;
	if (import_open(file, &f, msg, sizeof(msg)) == 0 && isatty(STDERR_FILENO))
		f.progress = &tty; /* a terminal only: nothing in pipes and logs */
	if (f.fd < 0 || import_check(&f, flags, &b, msg, sizeof(msg)) < 0) {
		end_progress(&line);
		cli_error(self, "%s", msg);
		goto out;
	}
	ret = cli_open_db(cli, DB_READ_WRITE);
	if (ret)
		goto out;
	cli_take_slots(&b, &slots);
	r = import_store(cli->db, cli->cfg, &f, flags, audit_actor_self(actor), &b, msg, sizeof(msg));
	end_progress(&line);
	if (r < 0) {
		cli_error(self, "%s", msg);
		ret = r == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
		goto out;
	}
	printf("%lld\n", (long long)b.id);
	cli_notify_daemon(cli);
	ret = EXIT_OK;
out:
	end_progress(&line);
	import_close(&f);
	strlist_done(&slots);
	bulletin_done(&b);
	return ret;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = N_("[--title TEXT] [--topic CODE|SLUG] [--plan TEXT] [--slot NAME]... "
		 "[--from YYYY-MM-DD] [--until YYYY-MM-DD] [--priority normal|priority|emergency] "
		 "[--force] [--] FILE"),
	.summary = N_("check an audio file, store it and print the new bulletin's id"),
	.exec = cmd_import,
};
