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
		CLI_PERIOD_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seen = 0;
	int c;

	*l = (struct cli_listing){ .period = CLI_PERIOD_OPEN };
	*ret = EXIT_USAGE;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return false;
		switch (cli_period_option(self, c, optarg, &l->period)) {
		case 0:
			continue;
		case 1:
			break;
		default:
			return false;
		}
		switch (c) {
		case 'j':
			l->json = true;
			break;
		case 'c':
			l->csv = true;
			break;
		case 'h':
			*ret = cli_help(self);
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
	return cli_period_check(self, &l->period, CLI_PERIOD_OPTIONAL) == 0;
}

void cli_csv_time(FILE *f, int64_t ms)
{
	char buf[ISO_LEN];

	if (ms)
		csv_field(f, time_format_iso(ms, buf));
}
