/* What `loa log` and `loa audit` share: the period (--from, --to, both
 * station-local days, --to included), the form (--json or --csv, plain
 * text by default) and how an instant is written in CSV. One parser, so
 * the two commands accept and refuse the same arguments with the same
 * words. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>

#include "util/timeutil.h"

bool cli_listing_parse(const struct cmd_entry *self, int argc, char **argv, struct cli_listing *l, int *ret)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seen = 0;
	int c;

	*l = (struct cli_listing){ .from = DAY_NONE_BEFORE, .to = DAY_NONE_AFTER };
	*ret = EXIT_USAGE;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return false;
		switch (c) {
		case 'f':
			if (cli_parse_day(self, "--from", optarg, &l->from) < 0)
				return false;
			break;
		case 't':
			if (cli_parse_day(self, "--to", optarg, &l->to) < 0)
				return false;
			break;
		case 'j':
			l->json = true;
			break;
		case 'c':
			l->csv = true;
			break;
		case 'h':
			printf(_("usage: loa %s %s\n"), self->name, cli_usage_text(self));
			*ret = EXIT_OK;
			return false;
		default:
			*ret = cli_bad_option(self, c, argv, opts);
			return false;
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return false;
	if (l->json && l->csv) {
		cli_error(self, _("choose one of --json and --csv"));
		return false;
	}
	if (l->from > l->to) {
		cli_error(self, _("--from is after --to"));
		return false;
	}
	return true;
}

void cli_listing_range(const struct cli_listing *l, int64_t *from_ms, int64_t *to_ms)
{
	*from_ms = l->from == DAY_NONE_BEFORE ? INT64_MIN : time_local_ms(l->from, 0);
	*to_ms = l->to == DAY_NONE_AFTER ? INT64_MAX : time_local_ms(l->to + 1, 0);
}

void cli_csv_time(FILE *f, int64_t ms)
{
	char buf[ISO_LEN];

	if (ms)
		csv_field(f, time_format_iso(ms, buf));
}
