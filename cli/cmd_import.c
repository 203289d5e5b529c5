/* `loa import`: the operator loads a bulletin. Everything is checked before
 * anything is stored: the arguments, the slots against the config, and the
 * whole file decoded, so a broken file is refused now and not discovered
 * at 05:30 on air. Only then is the file copied into the content store and
 * the row inserted; if the insert fails the copy is removed again. The file
 * is opened once, and checked, decoded, hashed and copied through that one
 * descriptor: what was judged is what is stored. */
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

#include "content/library.h"
#include "content/probe.h"
#include "content/store.h"
#include "scheduler/engine.h"
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

/*
 * Opens PATH for import and returns the descriptor everything after reads
 * through: the type is judged on the open file (fstat), not on the name,
 * so a name swapped for a pipe or a device between a check and an open
 * cannot make loa wait for a writer or read /dev/zero forever. A symbolic
 * link is followed, and what it leads to must be a regular file too.
 * O_NONBLOCK makes the open of a FIFO return at once; O_NOCTTY keeps a
 * terminal from becoming loa's.
 */
static int open_audio(const struct cmd_entry *self, const char *path, struct stat *st)
{
	char q[CLI_QUOTE_MAX], target[CLI_QUOTE_MAX];
	struct stat lst;
	int fd, err, fl;

	cli_quote(path, q);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			cli_error(self, _("%s is a symbolic link to a file that does not exist; give the audio "
				  "file itself"), q);
		} else if (err == ENOENT) {
			cli_error(self, _("%s: there is no such file; check the name (put a name with spaces "
				  "in quotes)"), q);
		} else if (err == EACCES) {
			cli_error(self, _("%s cannot be read: permission denied; copy the file somewhere you can "
				  "read it, or ask its owner"), q);
		} else if (err == ELOOP) {
			cli_error(self, _("%s: too many symbolic links (a loop?); give the audio file itself"), q);
		} else if (err == ENXIO) {
			cli_error(self, _("%s is a socket, not a file; give the audio file itself"), q);
		} else {
			cli_error(self, _("%s cannot be opened: %s"), q, strerror(err));
		}
		return -err;
	}
	if (fstat(fd, st) < 0) {
		err = errno;
		cli_error(self, _("%s cannot be read: %s"), q, strerror(err));
		close(fd);
		return -err;
	}
	if (!S_ISREG(st->st_mode)) {
		bool link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);

		snprintf(target, sizeof(target), "%s", link ? _(" (through a symbolic link)") : "");
		if (S_ISDIR(st->st_mode))
			cli_error(self, _("%s is a folder%s; name an audio file in it"), q, target);
		else if (S_ISFIFO(st->st_mode))
			cli_error(self, _("%s is a pipe (FIFO)%s, not a file; loa imports regular files only, "
				  "so that it never waits for a writer: save the audio to a file first"), q, target);
		else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
			cli_error(self, _("%s is a device%s, not a file; loa imports regular files only: "
				  "give the path of an audio file"), q, target);
		else
			cli_error(self, _("%s is not a regular file%s; give the path of an audio file"), q, target);
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* True if the open file is no longer what fstat said when it was opened:
 * a copy or download still being written. */
static bool changed_since(int fd, const struct stat *was)
{
	struct stat now;

	return fstat(fd, &now) < 0 || now.st_size != was->st_size || now.st_ino != was->st_ino ||
	       now.st_mtim.tv_sec != was->st_mtim.tv_sec || now.st_mtim.tv_nsec != was->st_mtim.tv_nsec;
}

static int report_changed(const struct cmd_entry *self, const char *file)
{
	char q[CLI_QUOTE_MAX];

	cli_error(self, _("%s changed while it was being imported; nothing was stored: wait until the "
		  "copy or download has finished, then import it again"), cli_quote(file, q));
	return EXIT_USAGE;
}

/* The make-up pre-roll would search for, found once here on the stored
 * copy (the very file the daemon decodes) so that airings at this config's
 * target and trim skip the search. The probe has decoded these bytes
 * whole already; should the search fail all the same, the make-up stays
 * unknown and pre-roll searches, reporting a failure there as before. */
static void find_makeup(struct cli *cli, struct bulletin *b)
{
	struct player_opts o = engine_item_opts(cli->cfg, b->audio.loudness_lufs, b->audio.peak_dbfs);
	char msg[256];

	b->makeup.known = player_wants_makeup(&o) && player_find_makeup(b->path, &o, &b->makeup.db, msg,
									    sizeof(msg)) == 0;
	b->makeup.gain_db = o.gain_db;
	b->makeup.ceiling_dbtp = o.ceiling_dbtp;
	b->makeup.version = PLAYER_MAKEUP_VERSION;
}

static int store_bulletin(struct cli *cli, const struct cmd_entry *self, struct bulletin *b,
			  const char *file, int fd, const struct stat *st)
{
	char ext[16], q[CLI_QUOTE_MAX];
	bool created = false;
	int err;

	cli_quote(file, q);
	err = store_hash_fd(fd, b->sha256);
	if (err < 0) {
		cli_error(self, _("%s: cannot read it: %s"), q, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (changed_since(fd, st))
		return report_changed(self, file);
	file_ext(file, ext, sizeof(ext));
	err = store_put_fd(cli->cfg->state_dir, fd, b->sha256, ext, &b->path, &created);
	if (err == -EAGAIN)
		return report_changed(self, file);
	if (err < 0) {
		cli_error(self, _("%s: cannot copy it into %s/content: %s"), q, cli->cfg->state_dir, strerror(-err));
		return EXIT_RUNTIME;
	}
	find_makeup(cli, b);
	if (library_add(cli->db, b) < 0) {
		if (created)
			unlink(b->path);
		cli_error(self, _("%s: the database refused the new bulletin; nothing was imported"), q);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* The title a bulletin gets without --title: its file's NAME, if that is
 * text a report can print. */
static int default_title(const struct cmd_entry *self, struct bulletin *b, const char *name)
{
	char q[CLI_QUOTE_MAX];
	size_t at;

	if (b->title)
		return 0;
	if (cli_text_check(name, SIZE_MAX, &at) != CLI_TEXT_OK) {
		cli_error(self, _("the file name %s cannot be the bulletin's title (it is not UTF-8 text, or "
			  "holds control characters); give one with --title"), cli_quote(name, q));
		return -EINVAL;
	}
	b->title = xstrdup(name);
	return 0;
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
	uint64_t seen = 0;
	const char *file;
	char msg[512];
	unsigned flags = 0;
	struct stat st;
	int c, fd = -1, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int r = c == 's' || cli_option_once(self, opts, c, &seen) == 0 ?
			cli_bulletin_option(self, c, optarg, &b, &slots) : -EINVAL;

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
	{
		char *copy = xstrdup(file);
		int r = default_title(self, &b, basename(copy));

		/* What the operator called the file, as text loa can print. */
		b.source_name = cli_text_clean(basename(copy));
		free(copy);
		if (r < 0)
			goto out;
	}
	ret = cli_load_config(cli);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (cli_check_bulletin(cli, self, &b, &slots) < 0 || (fd = open_audio(self, file, &st)) < 0)
		goto out;
	if (probe_fd(fd, flags, &b.audio, msg, sizeof(msg)) < 0) {
		char q[CLI_QUOTE_MAX];

		cli_error(self, "%s: %s", cli_quote(file, q), msg);
		goto out;
	}
	if (changed_since(fd, &st)) {
		ret = report_changed(self, file);
		goto out;
	}
	ret = cli_open_db(cli, DB_READ_WRITE);
	if (ret)
		goto out;

	cli_take_slots(&b, &slots);
	b.imported_at = time_now_ms();
	ret = store_bulletin(cli, self, &b, file, fd, &st);
	if (ret == EXIT_OK) {
		printf("%lld\n", (long long)b.id);
		cli_notify_daemon(cli);
	}
out:
	if (fd >= 0)
		close(fd);
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
