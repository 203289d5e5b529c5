/* `loa import`: the operator loads a bulletin. Everything is checked before
 * anything is stored: the arguments, the slots against the config, and the
 * whole file decoded, so a broken file is refused now and not discovered
 * at 05:30 on air. Only then is the file copied into the content store and
 * the row inserted; if the insert fails the copy is removed again. */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/library.h"
#include "content/probe.h"
#include "content/store.h"
#include "util/timeutil.h"

/* ".mp3" from "Bản tin.MP3"; "" when there is no sensible extension. */
static void file_ext(const char *name, char *ext, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t n;

	ext[0] = '\0';
	if (!dot || strchr(dot, '/') || strlen(dot) > 6 || len < 8)
		return;
	for (n = 0; dot[n]; n++)
		ext[n] = (char)tolower((unsigned char)dot[n]);
	ext[n] = '\0';
}

static int check_file(const struct cmd_entry *self, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		cli_error(self, _("%s: %s; check the file name"), path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error(self, _("%s: not a regular file; give the path of an audio file"), path);
		return -EINVAL;
	}
	if (access(path, R_OK) < 0) {
		cli_error(self, _("%s: cannot be read (%s)"), path, strerror(errno));
		return -EACCES;
	}
	return 0;
}

static int store_bulletin(struct cli *cli, const struct cmd_entry *self, struct bulletin *b,
			  const char *file)
{
	char ext[16];
	bool created = false;
	int err;

	err = store_hash_file(file, b->sha256);
	if (err < 0) {
		cli_error(self, _("%s: cannot read it: %s"), file, strerror(-err));
		return EXIT_RUNTIME;
	}
	file_ext(file, ext, sizeof(ext));
	err = store_put(cli->cfg->state_dir, file, b->sha256, ext, &b->path, &created);
	if (err < 0) {
		cli_error(self, _("%s: cannot copy it into %s/content: %s"), file, cli->cfg->state_dir, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (library_add(cli->db, b) < 0) {
		if (created)
			unlink(b->path);
		cli_error(self, _("%s: the database refused the new bulletin; nothing was imported"), file);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
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
	struct strlist slots = { 0 };
	const char *file;
	char msg[512];
	unsigned flags = 0;
	int c, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int r = cli_bulletin_option(self, c, optarg, &b, &slots);

		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		switch (c) {
		case 'F':
			flags |= PROBE_ALLOW_SILENCE;
			break;
		case 'h':
			printf(_("usage: loa %s %s\n"), self->name, cli_usage_text(self));
			ret = EXIT_OK;
			goto out;
		default:
			ret = cli_bad_option(self, argv);
			goto out;
		}
	}
	if (argc - optind != 1) {
		cli_error(self, argc - optind ? _("takes exactly one FILE") : _("which file? give the audio FILE to import"));
		ret = cli_usage(self);
		goto out;
	}
	file = argv[optind];
	ret = cli_load_config(cli);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (cli_check_bulletin(cli, self, &b, &slots) < 0 || check_file(self, file) < 0)
		goto out;
	if (probe_file(file, flags, &b.audio, msg, sizeof(msg)) < 0) {
		cli_error(self, "%s: %s", file, msg);
		goto out;
	}
	ret = cli_open_db(cli, DB_READ_WRITE);
	if (ret)
		goto out;

	{
		char *copy = xstrdup(file);

		b.source_name = xstrdup(basename(copy));
		free(copy);
	}
	if (!b.title)
		b.title = xstrdup(b.source_name);
	cli_take_slots(&b, &slots);
	b.imported_at = time_now_ms();
	ret = store_bulletin(cli, self, &b, file);
	if (ret == EXIT_OK) {
		printf("%lld\n", (long long)b.id);
		cli_notify_daemon(cli);
	}
out:
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
