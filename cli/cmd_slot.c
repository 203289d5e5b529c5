/* `loa slot add|edit|remove|list`: the programme kept in the database.
 * Parses and prints; content/slots.c checks, stores and records who did
 * it, and the running daemon is told, so a change airs without a
 * restart. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "content/slots.h"
#include "content/topic.h"
#include "ledger/audit.h"
#include "util/json.h"
#include "util/timeutil.h"

/* What the options of add and edit said; edit keeps what was not said. */
struct slot_args {
	struct slot s;
	bool start, days, from, until, max, skips, intro, outro, topics, relay;
};

static int parse_hms(const struct cmd_entry *self, const char *arg, int *sec)
{
	char q[TEXT_QUOTE_MAX];

	if (time_parse_hms(arg, sec) == 0)
		return 0;
	cli_error(self, _("--start '%s' is not a time of day; write it as HH:MM or HH:MM:SS, from 00:00 to "
		  "23:59:59, e.g. 05:30"), text_quote(arg, q));
	return -EINVAL;
}

/* --from and --until take a date, or "none" to open the window again. */
static int parse_bound(const struct cmd_entry *self, const char *opt, const char *arg, int32_t none, int32_t *day)
{
	if (strcmp(arg, "none") == 0) {
		*day = none;
		return 0;
	}
	return cli_parse_day(self, opt, arg, day);
}

/* --intro and --outro take a bulletin id, or "none". */
static int parse_jingle(const struct cmd_entry *self, const char *arg, int64_t *id)
{
	if (strcmp(arg, "none") == 0) {
		*id = 0;
		return 0;
	}
	return cli_parse_id(self, arg, id);
}

static int cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int add_skip(const struct cmd_entry *self, struct slot *s, const char *arg)
{
	int32_t day;

	if (strcmp(arg, "none") == 0)
		return 0; /* the list given is empty */
	if (cli_parse_day(self, "--skip-date", arg, &day) < 0)
		return -EINVAL;
	for (size_t i = 0; i < s->n_skip; i++)
		if (s->skip_days[i] == day)
			return 0;
	s->skip_days = xrealloc(s->skip_days, (s->n_skip + 1) * sizeof(*s->skip_days));
	s->skip_days[s->n_skip++] = day;
	/* Sorted, as slot_skips() searches them. */
	qsort(s->skip_days, s->n_skip, sizeof(*s->skip_days), cmp_day);
	return 0;
}

static int add_topic(const struct cmd_entry *self, struct slot *s, const char *arg)
{
	char q[TEXT_QUOTE_MAX];

	if (strcmp(arg, "none") == 0)
		return 0;
	if (!topic_valid(arg)) {
		cli_error(self, _("--topic '%s' is not a topic; use a code 1-6 or a lowercase slug of letters, "
			  "digits and '-', e.g. an-ninh"), text_quote(arg, q));
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n_topics; i++)
		if (strcmp(s->topics[i], arg) == 0)
			return 0;
	s->topics = xrealloc(s->topics, (s->n_topics + 2) * sizeof(*s->topics));
	s->topics[s->n_topics++] = xstrdup(arg);
	s->topics[s->n_topics] = NULL;
	return 0;
}

static const struct option slot_opts[] = {
	{ "start", required_argument, NULL, 's' },
	{ "days", required_argument, NULL, 'd' },
	{ "from", required_argument, NULL, 'f' },
	{ "until", required_argument, NULL, 'u' },
	{ "max-minutes", required_argument, NULL, 'm' },
	{ "skip-date", required_argument, NULL, 'k' },
	{ "intro", required_argument, NULL, 'i' },
	{ "outro", required_argument, NULL, 'o' },
	{ "topic", required_argument, NULL, 't' },
	{ "relay", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses the options of add and edit into A. Returns 0, EXIT_OK after
 * --help, or EXIT_USAGE after saying why. */
static int parse_slot_options(const struct cmd_entry *self, const char *sub, int argc, char **argv,
			      struct slot_args *a)
{
	char q[TEXT_QUOTE_MAX];
	uint64_t seen = 0;
	int c;

	while ((c = getopt_long(argc, argv, ":h", slot_opts, NULL)) != -1) {
		if (c != 'k' && c != 't' && cli_option_once(self, slot_opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (c) {
		case 's':
			if (parse_hms(self, optarg, &a->s.start_sec) < 0)
				return EXIT_USAGE;
			a->start = true;
			break;
		case 'd':
			if (slots_days_parse(optarg, &a->s.days) < 0) {
				cli_error(self, _("--days '%s' is not a list of weekdays; write e.g. mon,tue,wed,thu,fri "
					  "(mon tue wed thu fri sat sun, each once, with commas), or daily"),
					  text_quote(optarg, q));
				return EXIT_USAGE;
			}
			a->days = true;
			break;
		case 'f':
			if (parse_bound(self, "--from", optarg, DAY_NONE_BEFORE, &a->s.from_day) < 0)
				return EXIT_USAGE;
			a->from = true;
			break;
		case 'u':
			if (parse_bound(self, "--until", optarg, DAY_NONE_AFTER, &a->s.until_day) < 0)
				return EXIT_USAGE;
			a->until = true;
			break;
		case 'm':
			if (strcmp(optarg, "none") == 0)
				a->s.max_minutes = 0;
			else if (cli_parse_count(self, "--max-minutes", optarg, 1, 1440, &a->s.max_minutes) < 0)
				return EXIT_USAGE;
			a->max = true;
			break;
		case 'k':
			if (add_skip(self, &a->s, optarg) < 0)
				return EXIT_USAGE;
			a->skips = true;
			break;
		case 'i':
			if (parse_jingle(self, optarg, &a->s.intro_id) < 0)
				return EXIT_USAGE;
			a->intro = true;
			break;
		case 'o':
			if (parse_jingle(self, optarg, &a->s.outro_id) < 0)
				return EXIT_USAGE;
			a->outro = true;
			break;
		case 't':
			if (add_topic(self, &a->s, optarg) < 0)
				return EXIT_USAGE;
			a->topics = true;
			break;
		case 'r':
			/* The core checks the name against the sources. */
			free(a->s.relay);
			a->s.relay = strcmp(optarg, "none") == 0 ? NULL : xstrdup(optarg);
			a->relay = true;
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, slot_opts);
		}
	}
	if (argc - optind != 1) {
		cli_error(self, argc - optind ? _("%s takes one slot NAME; put a name with spaces in quotes") :
			  _("%s: which slot? give its NAME"), sub);
		return cli_usage(self);
	}
	a->s.name = xstrdup(argv[optind]);
	return 0;
}

static void take(struct slot *dst, const struct slot_args *a)
{
	if (a->start)
		dst->start_sec = a->s.start_sec;
	if (a->days)
		dst->days = a->s.days;
	if (a->from)
		dst->from_day = a->s.from_day;
	if (a->until)
		dst->until_day = a->s.until_day;
	if (a->max)
		dst->max_minutes = a->s.max_minutes;
	if (a->intro)
		dst->intro_id = a->s.intro_id;
	if (a->outro)
		dst->outro_id = a->s.outro_id;
	if (a->relay) {
		free(dst->relay);
		dst->relay = xstrdup_or_null(a->s.relay);
	}
	if (a->skips) {
		struct slot copy;

		slot_copy(&copy, &a->s);
		free(dst->skip_days);
		dst->skip_days = copy.skip_days;
		dst->n_skip = copy.n_skip;
		copy.skip_days = NULL;
		copy.n_skip = 0;
		slot_done(&copy);
	}
	if (a->topics) {
		char **old = dst->topics;

		dst->topics = NULL;
		dst->n_topics = 0;
		for (size_t i = 0; i < a->s.n_topics; i++) {
			dst->topics = xrealloc(dst->topics, (dst->n_topics + 2) * sizeof(*dst->topics));
			dst->topics[dst->n_topics++] = xstrdup(a->s.topics[i]);
			dst->topics[dst->n_topics] = NULL;
		}
		for (size_t i = 0; old && old[i]; i++)
			free(old[i]);
		free(old);
	}
}

/* The config, the database (created on the first add) and its slots. */
static int open_station(struct cli *cli, enum db_mode mode)
{
	int ret = cli_load_config(cli);

	if (!ret)
		ret = cli_open_db(cli, mode);
	if (!ret && cli->db)
		ret = cli_load_slots(cli);
	return ret;
}

/* Says what a core refusal means for the exit status. */
static int refused(const struct cmd_entry *self, int r, const char *msg)
{
	cli_error(self, "%s", msg);
	return r == -EIO ? EXIT_RUNTIME : EXIT_USAGE;
}

static int slot_add(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	struct slot_args a = { .s = { .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER,
				      .source = SLOT_FROM_DATABASE } };
	char actor[AUDIT_ACTOR_MAX + 1], msg[1024];
	int ret, r;

	ret = parse_slot_options(self, "add", argc, argv, &a);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (!a.start || !a.days) {
		cli_error(self, _("slot add needs --start HH:MM and --days, e.g. loa slot add sang --start "
			  "05:30 --days daily"));
		goto out;
	}
	if ((ret = cli_acting(cli)) || (ret = open_station(cli, DB_READ_WRITE)))
		goto out;
	r = slots_add(cli->db, cli->cfg, &a.s, audit_actor_self(actor), msg, sizeof(msg));
	if (r < 0) {
		ret = refused(self, r, msg);
		goto out;
	}
	printf("%s\n", a.s.name);
	cli_notify_daemon(cli);
	ret = EXIT_OK;
out:
	slot_done(&a.s);
	return ret;
}

static int slot_edit(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	struct slot_args a = { .s = { .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER } };
	char actor[AUDIT_ACTOR_MAX + 1], msg[1024];
	const struct slot *was;
	struct slot s;
	int ret, r;

	ret = parse_slot_options(self, "edit", argc, argv, &a);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (!(a.start || a.days || a.from || a.until || a.max || a.skips || a.intro || a.outro || a.topics ||
	      a.relay)) {
		cli_error(self, _("nothing to change; give at least one of --start, --days, --from, --until, "
			  "--max-minutes, --skip-date, --intro, --outro, --topic, --relay"));
		goto out;
	}
	if ((ret = cli_acting(cli)) || (ret = open_station(cli, DB_READ_ONLY)))
		goto out;
	was = config_slot(cli->cfg, a.s.name);
	if (!was || was->source != SLOT_FROM_DATABASE || !cli->db) {
		/* The core says why: no such slot, or one of loa.conf's. */
		ret = EXIT_USAGE;
		if (cli->db) {
			r = slots_update(cli->db, cli->cfg, &a.s, "-", msg, sizeof(msg));
			ret = refused(self, r, msg);
		} else {
			cli_error(self, _("there is no slot '%s'; 'loa slot list' shows them"), a.s.name);
		}
		goto out;
	}
	slot_copy(&s, was);
	take(&s, &a);
	db_close(cli->db);
	cli->db = NULL;
	ret = cli_open_db(cli, DB_READ_WRITE);
	if (!ret) {
		r = slots_update(cli->db, cli->cfg, &s, audit_actor_self(actor), msg, sizeof(msg));
		ret = r < 0 ? refused(self, r, msg) : EXIT_OK;
	}
	slot_done(&s);
	if (ret == EXIT_OK)
		cli_notify_daemon(cli);
out:
	slot_done(&a.s);
	return ret;
}

static int slot_remove(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
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
		cli_error(self, _("%s: which slot? give its NAME"), "remove");
		return cli_usage(self);
	}
	if ((ret = cli_acting(cli)) || (ret = open_station(cli, DB_READ_ONLY)))
		return ret;
	if (!cli->db) {
		cli_error(self, _("there is no slot '%s'; 'loa slot list' shows them"), argv[optind]);
		return EXIT_USAGE;
	}
	db_close(cli->db);
	cli->db = NULL;
	if ((ret = cli_open_db(cli, DB_READ_WRITE)))
		return ret;
	r = slots_remove(cli->db, cli->cfg, argv[optind], audit_actor_self(actor), msg, sizeof(msg));
	if (r < 0)
		return refused(self, r, msg);
	cli_notify_daemon(cli);
	return EXIT_OK;
}

static void print_text(const struct config *cfg)
{
	char days[64], from[16], until[16];

	for (size_t i = 0; i < cfg->n_slots; i++) {
		const struct slot *s = &cfg->slots[i];

		printf("%-12s %02d:%02d:%02d  %-27s", s->name, s->start_sec / 3600, s->start_sec / 60 % 60,
		       s->start_sec % 60, slots_days_text(s->days, days, sizeof(days)));
		if (s->from_day != DAY_NONE_BEFORE || s->until_day != DAY_NONE_AFTER)
			printf(" %s..%s", s->from_day != DAY_NONE_BEFORE ? time_format_day(s->from_day, from) : "",
			       s->until_day != DAY_NONE_AFTER ? time_format_day(s->until_day, until) : "");
		if (s->max_minutes)
			printf(_(" max %d min"), s->max_minutes);
		if (s->relay)
			printf(_(" relays %s"), s->relay);
		if (s->source == SLOT_FROM_CONFIG)
			printf(_("  (%s:%d)\n"), cfg->path, s->line);
		else
			printf(_("  (database)\n"));
	}
}

static int slot_list(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
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
	if ((ret = cli_acting(cli)) || (ret = open_station(cli, DB_READ_ONLY)))
		return ret;
	if (!json) {
		print_text(cli->cfg);
		return EXIT_OK;
	}
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < cli->cfg->n_slots; i++)
		slots_json(&j, &cli->cfg->slots[i]);
	json_array_end(&j);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "add", slot_add },
	{ "edit", slot_edit },
	{ "remove", slot_remove },
	{ "list", slot_list },
};

static int cmd_slot(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	return cli_subcommand(cli, self, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "add, edit, remove or list");
}

const struct cmd_entry cmd_slot_entry = {
	.name = "slot",
	.usage = N_("add NAME --start HH:MM[:SS] --days mon,tue,...|daily [--from YYYY-MM-DD] "
		 "[--until YYYY-MM-DD] [--max-minutes N] [--skip-date YYYY-MM-DD]... [--intro ID] "
		 "[--outro ID] [--topic CODE]... [--relay SOURCE]\n"
		 "       loa slot edit NAME [the options of add; none clears --from, --until,\n"
		 "                 --max-minutes, --intro, --outro, --skip-date, --topic, --relay]\n"
		 "       loa slot remove NAME\n"
		 "       loa slot list [--json]"),
	.summary = N_("the programme's slots: add, edit, remove, list (loa.conf's are read-only)"),
	.exec = cmd_slot,
};
