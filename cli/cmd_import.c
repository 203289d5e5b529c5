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

#define TEXT_MAX 500

/* A topic is a built-in code 1..6 or a station's own lowercase slug. */
static bool topic_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static int check_text(const struct cmd_entry *self, const char *opt, const char *s)
{
	if (!*s || strlen(s) > TEXT_MAX || !cli_text_ok(s)) {
		cli_error(self, "%s must be 1 to %d bytes of UTF-8 text without control characters",
			  opt, TEXT_MAX);
		return -EINVAL;
	}
	return 0;
}

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

static int check_slots(struct cli *cli, const struct cmd_entry *self, const struct strlist *slots)
{
	for (size_t i = 0; i < slots->n; i++) {
		if (config_slot(cli->cfg, slots->v[i]))
			continue;
		fprintf(stderr, "loa %s: there is no slot named '%s' in %s; slots are:", self->name,
			slots->v[i], cli->config_path);
		for (size_t k = 0; k < cli->cfg->n_slots; k++)
			fprintf(stderr, " %s", cli->cfg->slots[k].name);
		fprintf(stderr, "%s\n", cli->cfg->n_slots ? "" : " (none yet; add one to the config)");
		return -EINVAL;
	}
	return 0;
}

static int check_file(const struct cmd_entry *self, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		cli_error(self, "%s: %s; check the file name", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error(self, "%s: not a regular file; give the path of an audio file", path);
		return -EINVAL;
	}
	if (access(path, R_OK) < 0) {
		cli_error(self, "%s: cannot be read (%s)", path, strerror(errno));
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
		cli_error(self, "%s: cannot read it: %s", file, strerror(-err));
		return EXIT_RUNTIME;
	}
	file_ext(file, ext, sizeof(ext));
	err = store_put(cli->cfg->state_dir, file, b->sha256, ext, &b->path, &created);
	if (err < 0) {
		cli_error(self, "%s: cannot copy it into %s/content: %s", file, cli->cfg->state_dir, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (library_add(cli->db, b) < 0) {
		if (created)
			unlink(b->path);
		cli_error(self, "%s: the database refused the new bulletin; nothing was imported", file);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int cmd_import(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "topic", required_argument, NULL, 'T' },
		{ "plan", required_argument, NULL, 'p' },
		{ "slot", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "priority", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bulletin b = { .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER };
	struct strlist slots = { 0 };
	const char *title = NULL, *file;
	char msg[512];
	unsigned flags = 0;
	int c, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (check_text(self, "--title", optarg) < 0)
				goto out;
			title = optarg;
			break;
		case 'T':
			if (!topic_ok(optarg)) {
				cli_error(self, "--topic '%s' is not a topic; use a code 1 to 6 or a lowercase "
					  "slug of letters, digits and '-', e.g. an-ninh", optarg);
				goto out;
			}
			free(b.topic);
			b.topic = xstrdup(optarg);
			break;
		case 'p':
			if (check_text(self, "--plan", optarg) < 0)
				goto out;
			free(b.plan);
			b.plan = xstrdup(optarg);
			break;
		case 's':
			strlist_add(&slots, optarg);
			break;
		case 'f':
			if (cli_parse_day(self, "--from", optarg, &b.valid_from) < 0)
				goto out;
			break;
		case 'u':
			if (cli_parse_day(self, "--until", optarg, &b.valid_until) < 0)
				goto out;
			break;
		case 'P':
			if (priority_parse(optarg, &b.priority) < 0) {
				cli_error(self, "--priority '%s' is not a priority; use normal, priority or emergency", optarg);
				goto out;
			}
			break;
		case 'F':
			flags |= PROBE_ALLOW_SILENCE;
			break;
		case 'h':
			printf("usage: loa %s %s\n", self->name, self->usage);
			ret = EXIT_OK;
			goto out;
		default:
			ret = cli_bad_option(self, argv);
			goto out;
		}
	}
	if (argc - optind != 1) {
		cli_error(self, argc - optind ? "takes exactly one FILE" : "which file? give the audio FILE to import");
		ret = cli_usage(self);
		goto out;
	}
	file = argv[optind];
	if (b.valid_from > b.valid_until) {
		cli_error(self, "--from is after --until; the bulletin would never air");
		goto out;
	}
	ret = cli_load_config(cli);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (check_slots(cli, self, &slots) < 0 || check_file(self, file) < 0)
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
	b.title = xstrdup(title ? title : b.source_name);
	b.slots = slots.v;
	b.n_slots = slots.n;
	slots = (struct strlist){ 0 };
	b.imported_at = time_now_ms();
	ret = store_bulletin(cli, self, &b, file);
	if (ret == EXIT_OK)
		printf("%lld\n", (long long)b.id);
out:
	strlist_done(&slots);
	bulletin_done(&b);
	return ret;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "[--title TEXT] [--topic CODE|SLUG] [--plan TEXT] [--slot NAME]... "
		 "[--from YYYY-MM-DD] [--until YYYY-MM-DD] [--priority normal|priority|emergency] "
		 "[--force] [--] FILE",
	.summary = "check an audio file, store it and print the new bulletin's id",
	.exec = cmd_import,
};
