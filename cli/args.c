/* What people type after `loa COMMAND`, checked before anything is read or
 * stored: options (unknown, ambiguous, missing their value, given twice),
 * dates, ids, counts, text and path names. Every refusal names the
 * argument, says what is wrong and what is allowed; an argument is echoed
 * only through text_quote(), so a name with escape sequences or 10 KB of
 * text cannot paint the terminal or bury the message. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/timeutil.h"
#include "util/xmalloc.h"

void cli_error(const struct cmd_entry *self, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loa %s: ", self->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cli_usage_text(const struct cmd_entry *self)
{
	/* gettext("") would return the catalogue's header. */
	return *self->usage ? _(self->usage) : "";
}

int cli_help(const struct cmd_entry *self)
{
	printf(_("usage: loa %s %s\n"), self->name, cli_usage_text(self));
	return EXIT_OK;
}

int cli_subcommand(struct cli *cli, const struct cmd_entry *self, int argc, char **argv, const struct cli_sub *subs,
		   size_t n, const char *names)
{
	char q[TEXT_QUOTE_MAX];

	if (argc < 2) {
		cli_error(self, _("say what to do: %s"), names);
		return cli_usage(self);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cli_help(self);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[1], subs[i].name)) {
			optind = 0; /* getopt starts again on the subcommand's own options */
			return subs[i].exec(cli, self, argc - 1, argv + 1);
		}
	cli_error(self, _("'%s' is not something loa %s does; use %s"), text_quote(argv[1], q), self->name, names);
	return cli_usage(self);
}

int cli_usage(const struct cmd_entry *self)
{
	fprintf(stderr, _("usage: loa %s %s\n"), self->name, cli_usage_text(self));
	return EXIT_USAGE;
}

/* The long option in OPTS whose value is C, or NULL. */
static const struct option *option_of(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts;
	return NULL;
}

/* How many options in OPTS start with the NAME given as "--NAME[=...]". */
static int prefix_matches(const struct option *opts, const char *arg, char *names, size_t len)
{
	size_t n = strcspn(arg + 2, "=");
	int k = 0;

	names[0] = '\0';
	for (; opts->name; opts++) {
		if (strncmp(opts->name, arg + 2, n) != 0)
			continue;
		if (k++)
			snprintf(names + strlen(names), len - strlen(names), ", ");
		snprintf(names + strlen(names), len - strlen(names), "--%s", opts->name);
	}
	return k;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int cli_bad_option(const struct cmd_entry *self, int c, char **argv, const struct option *opts)
{
	const char *arg = argv[optind - 1];
	const struct option *o = option_of(opts, optopt);

	/* Inside a cluster of short options ("-x.wav") getopt has not moved
	 * on yet: the element at fault is the current one. */
	if (optopt && argv[optind] && argv[optind][0] == '-' && argv[optind][1] != '-' &&
	    strchr(argv[optind] + 1, optopt))
		arg = argv[optind];
	char q[TEXT_QUOTE_MAX], names[256];

	if (c == ':') {
		/* A missing value: getopt names the option in optopt. */
		if (arg[0] == '-' && arg[1] == '-')
			cli_error(self, _("option '%s' needs a value"), text_quote(arg, q));
		else if (o)
			cli_error(self, _("option '-%c' (--%s) needs a value"), optopt, o->name);
		else
			cli_error(self, _("option '-%c' needs a value"), optopt);
	} else if (arg[0] == '-' && arg[1] == '-' && prefix_matches(opts, arg, names, sizeof(names)) > 1) {
		cli_error(self, _("option '%s' is ambiguous: it could be %s; write the option in full"),
			  text_quote(arg, q), names);
	} else if (!strcmp(arg, "--config") || !strncmp(arg, "--config=", 9) || !strcmp(arg, "-c")) {
		cli_error(self, _("--config goes before the command: loa --config FILE %s ..."), self->name);
	} else if (arg[0] == '-' && all_digits(arg + 1)) {
		cli_error(self, _("'%s' is not an option, and negative numbers are not allowed here"), text_quote(arg, q));
	} else if (access(arg, F_OK) == 0) {
		cli_error(self, _("option '%s' is not known; to name the file '%s', put -- before it"),
			  text_quote(arg, q), q);
	} else if (optopt && arg[0] == '-' && arg[1] != '-') {
		cli_error(self, _("option '-%c' is not known"), optopt);
	} else {
		cli_error(self, _("option '%s' is not known"), text_quote(arg, q));
	}
	return cli_usage(self);
}

int cli_option_once(const struct cmd_entry *self, const struct option *opts, int c, uint64_t *seen)
{
	const struct option *o = option_of(opts, c);
	uint64_t bit;

	/* Flags say the same thing twice; a value given twice leaves one of
	 * them ignored, and it may be the one the operator meant. */
	if (!o || o->has_arg != required_argument || c < 64 || c >= 128)
		return 0;
	bit = UINT64_C(1) << (c - 64);
	if (*seen & bit) {
		cli_error(self, _("--%s is given twice; give it once"), o->name);
		return -EINVAL;
	}
	*seen |= bit;
	return 0;
}

/* True if S has the shape YYYY-MM-DD, whatever the numbers; *C gets them. */
static bool day_shape(const char *s, struct civil *c)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return sscanf(s, "%4d-%2d-%2d", &c->year, &c->month, &c->day) == 3;
}

int cli_parse_day(const struct cmd_entry *self, const char *opt, const char *arg, int32_t *day)
{
	char q[TEXT_QUOTE_MAX];
	struct civil c;
	int last = 28;

	if (time_parse_day(arg, day) == 0)
		return 0;
	text_quote(arg, q);
	if (!day_shape(arg, &c)) {
		cli_error(self, _("%s '%s' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23"), opt, q);
	} else if (c.year < 1970) {
		cli_error(self, _("%s '%s': loa keeps dates from 1970-01-01 to 9999-12-31"), opt, q);
	} else if (c.month < 1 || c.month > 12) {
		cli_error(self, _("%s '%s': there is no month %02d; months are 01 to 12 (YYYY-MM-DD)"), opt, q, c.month);
	} else {
		while (last < 31 && civil_valid((struct civil){ c.year, c.month, last + 1 }))
			last++;
		cli_error(self, _("%s '%s': %04d-%02d has days 01 to %d"), opt, q, c.year, c.month, last);
	}
	return -EINVAL;
}

int cli_period_option(const struct cmd_entry *self, int c, const char *arg, struct cli_period *p)
{
	if (c == 'f')
		return cli_parse_day(self, "--from", arg, &p->from);
	if (c == 't')
		return cli_parse_day(self, "--to", arg, &p->to);
	return 1;
}

int cli_period_check(const struct cmd_entry *self, const struct cli_period *p, enum cli_period_rule rule)
{
	bool from = p->from != DAY_NONE_BEFORE, to = p->to != DAY_NONE_AFTER;

	if (rule == CLI_PERIOD_REQUIRED && (!from || !to)) {
		cli_error(self, _("say which period: --from YYYY-MM-DD --to YYYY-MM-DD (both days included)"));
		cli_usage(self);
		return -EINVAL;
	}
	if (rule == CLI_PERIOD_PAIRED && from != to) {
		cli_error(self, _("--from and --to go together"));
		return -EINVAL;
	}
	if (p->from > p->to) {
		cli_error(self, _("--from is after --to; the period would be empty"));
		return -EINVAL;
	}
	return 0;
}

void cli_period_ms(const struct cli_period *p, int64_t *from_ms, int64_t *to_ms)
{
	/* --to names the last day included. */
	*from_ms = p->from == DAY_NONE_BEFORE ? INT64_MIN : time_local_ms(p->from, 0);
	*to_ms = p->to == DAY_NONE_AFTER ? INT64_MAX : time_local_ms(p->to + 1, 0);
}

/* A whole number of decimal digits only: no sign, space, "0x" or "1e3". */
static int parse_digits(const char *arg, long long max, long long *out)
{
	long long v = 0;

	if (!all_digits(arg))
		return -EINVAL;
	for (; *arg; arg++) {
		if (v > (max - (*arg - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*arg - '0');
	}
	*out = v;
	return 0;
}

int cli_parse_id(const struct cmd_entry *self, const char *arg, int64_t *id)
{
	char q[TEXT_QUOTE_MAX];
	long long v;

	if (parse_digits(arg, INT64_MAX, &v) < 0 || v < 1) {
		cli_error(self, _("'%s' is not a bulletin id: an id is a whole number from 1 up, as 'loa list' "
			  "shows them"), text_quote(arg, q));
		return -EINVAL;
	}
	*id = v;
	return 0;
}

int cli_parse_count(const struct cmd_entry *self, const char *opt, const char *arg, int min, int max, int *out)
{
	char q[TEXT_QUOTE_MAX];
	long long v;

	if (parse_digits(arg, INT_MAX, &v) < 0 || v < min || v > max) {
		cli_error(self, _("%s '%s' must be a whole number from %d to %d"), opt, text_quote(arg, q), min, max);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

int cli_check_path(const struct cmd_entry *self, const char *what, const char *path)
{
	char q[TEXT_QUOTE_MAX];
	size_t n = strlen(path);

	if (n == 0) {
		cli_error(self, _("%s is empty; give the name of a file"), what);
		return -EINVAL;
	}
	if (n >= PATH_MAX) {
		cli_error(self, _("%s %s: the path is %zu bytes long, and the system takes at most %d"), what,
			  text_quote(path, q), n, PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	for (const char *p = path; *p;) {
		size_t k = strcspn(p, "/");

		if (k > NAME_MAX) {
			cli_error(self, _("%s %s: a name in it is %zu bytes long, and the system takes at most %d "
				  "per name (a Vietnamese letter takes 2 or 3)"), what, text_quote(path, q), k, NAME_MAX);
			return -ENAMETOOLONG;
		}
		p += k;
		p += strspn(p, "/");
	}
	return 0;
}

int cli_no_more_args(const struct cmd_entry *self, int argc, char **argv)
{
	char q[TEXT_QUOTE_MAX];

	if (optind >= argc)
		return 0;
	cli_error(self, _("unexpected argument '%s'"), text_quote(argv[optind], q));
	return cli_usage(self);
}
