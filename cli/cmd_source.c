/* `loa source add|remove|list`: the live stations slots relay (nguồn tiếp
 * âm). Parses and prints; content/sources.c checks, stores and records who
 * did it. A slot names a source by --relay; the daemon reads the source
 * when the slot's window comes, so a new source needs no restart. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "content/sources.h"
#include "content/topic.h"
#include "ledger/audit.h"
#include "util/json.h"

static int refused(const struct cmd_entry *self, int r, const char *msg)
{
	cli_error(self, "%s", msg);
	return r == -EIO ? EXIT_RUNTIME : EXIT_USAGE;
}

static int source_add(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "capture", required_argument, NULL, 'c' },
		{ "title", required_argument, NULL, 'T' },
		{ "topic", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source s = { 0 };
	char actor[AUDIT_ACTOR_MAX + 1], msg[1024];
	uint64_t seen = 0;
	int c, ret = EXIT_USAGE, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'u' && cli_option_once(self, opts, c, &seen) < 0)
			goto out;
		switch (c) {
		case 'u':
			/* Tried in the order given; the core checks each. */
			s.urls = xrealloc(s.urls, (s.n_urls + 1) * sizeof(*s.urls));
			s.urls[s.n_urls++] = xstrdup(optarg);
			break;
		case 'c':
			s.capture = xstrdup(optarg);
			break;
		case 'T':
			s.title = xstrdup(optarg);
			break;
		case 't':
			s.topic = xstrdup(optarg);
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
		cli_error(self, argc - optind ? _("%s takes one source NAME; put a name with spaces in quotes") :
			  _("%s: which source? give its NAME"), "add");
		ret = cli_usage(self);
		goto out;
	}
	s.name = xstrdup(argv[optind]);
	if ((ret = cli_acting(cli)))
		goto out;
	/* Checked before the config is even read: a mistyped URL is the
	 * operator's to fix whatever the station's state. */
	if ((r = sources_check(NULL, &s, true, msg, sizeof(msg))) < 0) {
		ret = refused(self, r, msg);
		goto out;
	}
	if ((ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_WRITE)))
		goto out;
	r = sources_add(cli->db, &s, audit_actor_self(actor), msg, sizeof(msg));
	if (r < 0) {
		ret = refused(self, r, msg);
		goto out;
	}
	printf("%s\n", s.name);
	ret = EXIT_OK;
out:
	source_done(&s);
	return ret;
}

static int source_remove(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char actor[AUDIT_ACTOR_MAX + 1], msg[1024];
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if (argc - optind != 1) {
		cli_error(self, _("%s: which source? give its NAME"), "remove");
		return cli_usage(self);
	}
	if ((ret = cli_acting(cli)) || (ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_WRITE)))
		return ret;
	r = sources_remove(cli->db, argv[optind], audit_actor_self(actor), msg, sizeof(msg));
	if (r < 0)
		return refused(self, r, msg);
	return EXIT_OK;
}

static void print_text(const struct source *v, size_t n)
{
	if (n == 0) {
		puts(_("no relay sources; add one with loa source add NAME --url URL"));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct source *s = &v[i];

		printf("%-12s %s", s->name, source_title(s));
		if (s->topic)
			printf(_("  (topic %s)"), s->topic);
		putchar('\n');
		if (s->capture)
			printf(_("    capture %s\n"), s->capture);
		for (size_t k = 0; k < s->n_urls; k++)
			printf("    %zu. %s\n", k + 1, s->urls[k]);
	}
}

static int source_list(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source *v = NULL;
	bool json = false;
	size_t n = 0;
	struct json j;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
			continue;
		}
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if ((ret = cli_acting(cli)) || (ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_ONLY)))
		return ret;
	if (cli->db && sources_load(cli->db, &v, &n) < 0) {
		cli_error(self, _("cannot read the relay sources from the database"));
		return EXIT_RUNTIME;
	}
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (size_t i = 0; i < n; i++)
			sources_json(&j, &v[i]);
		json_array_end(&j);
	} else {
		print_text(v, n);
	}
	sources_free(v, n);
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*exec)(struct cli *cli, const struct cmd_entry *self, int argc, char **argv);
} subs[] = {
	{ "add", source_add },
	{ "remove", source_remove },
	{ "list", source_list },
};

static int cmd_source(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	char q[TEXT_QUOTE_MAX];

	if (argc < 2) {
		cli_error(self, _("say what to do: add, remove or list"));
		return cli_usage(self);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cli_help(self);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name)) {
			optind = 0;
			return subs[i].exec(cli, self, argc - 1, argv + 1);
		}
	cli_error(self, _("'%s' is not something loa source does; use add, remove or list"), text_quote(argv[1], q));
	return cli_usage(self);
}

const struct cmd_entry cmd_source_entry = {
	.name = "source",
	.usage = N_("add NAME --url URL [--url URL]... [--title T] [--topic CODE]\n"
		 "       loa source add NAME --capture DEVICE [--title T] [--topic CODE]\n"
		 "       loa source remove NAME\n"
		 "       loa source list [--json]"),
	.summary = N_("relay sources (tiếp âm): internet streams, tried in order, or a capture input"),
	.exec = cmd_source,
};
