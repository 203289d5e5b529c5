/* `loa report`: parses the period, grouping, format and output, and checks
 * where the file goes; report/ counts (report_load) and writes
 * (report_render, report_write_file). */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/render.h"
#include "util/timeutil.h"

/* Checks -o FILE before anything is read: a folder, a device or a link is
 * refused, and so is a folder that does not exist. */
static int check_output(const struct cmd_entry *self, const char *path)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	char q[TEXT_QUOTE_MAX], qd[TEXT_QUOTE_MAX];
	struct stat st;
	int r = 0;

	if (cli_check_path(self, "-o", path) < 0) {
		free(copy);
		return -EINVAL;
	}
	text_quote(path, q);
	text_quote(dir, qd);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *folder = xstrdup(path);
		size_t n = strlen(folder);

		while (n > 1 && folder[n - 1] == '/')
			folder[--n] = '\0';
		cli_error(self, _("-o %s is a folder; name a file in it, e.g. %s/bao-cao.csv"), q,
			  strcmp(folder, "/") ? text_quote(folder, qd) : "");
		free(folder);
		r = -EINVAL;
	} else if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cli_error(self, _("-o %s is not a regular file (a link, a device?); name a plain file"), q);
		r = -EINVAL;
	} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli_error(self, _("-o %s: the folder %s does not exist; create it first"), q, qd);
		r = -EINVAL;
	} else if (access(dir, W_OK) < 0) {
		cli_error(self, _("-o %s: cannot write in the folder %s: %s"), q, qd, strerror(errno));
		r = -EINVAL;
	}
	free(copy);
	return r;
}

/* A report written into the station's own folder could take the name of
 * the database or of a stored recording, and replace the evidence: the
 * folder of -o must lie outside the state folder. */
static int check_output_place(struct cli *cli, const struct cmd_entry *self, const char *path)
{
	char *copy = xstrdup(path), *dir = realpath(dirname(copy), NULL);
	char *state = realpath(cli->cfg->state_dir, NULL), q[TEXT_QUOTE_MAX];
	size_t n = state ? strlen(state) : 0;
	int r = 0;

	if (dir && state && strncmp(dir, state, n) == 0 && (dir[n] == '\0' || dir[n] == '/')) {
		cli_error(self, _("-o %s is inside the station's folder %s, where loa keeps its database "
			  "and recordings; write the report somewhere else, e.g. your home folder"),
			  text_quote(path, q), cli->cfg->state_dir);
		r = -EINVAL;
	}
	free(state);
	free(dir);
	free(copy);
	return r;
}

static int cmd_report(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_PERIOD_OPTIONS,
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_period period = CLI_PERIOD_OPEN;
	enum report_by by = REPORT_BY_TOPIC;
	enum topic_lang lang = TOPIC_LANG_VI;
	enum report_format fmt = REPORT_FORMAT_CSV;
	struct report_data data;
	struct report_doc doc;
	const char *out = NULL;
	char q[TEXT_QUOTE_MAX];
	uint64_t seen = 0;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (cli_period_option(self, c, optarg, &period)) {
		case 0:
			continue;
		case 1:
			break;
		default:
			return EXIT_USAGE;
		}
		switch (c) {
		case 'b':
			if (report_by_parse(optarg, &by) < 0) {
				cli_error(self, _("--by '%s' is not a grouping; use topic, plan, bulletin, slot or day"),
					  text_quote(optarg, q));
				return EXIT_USAGE;
			}
			break;
		case 'F':
			if (report_format_parse(optarg, &fmt) < 0) {
				cli_error(self, _("--format '%s' is not a format; use csv (for Excel and "
					  "LibreOffice), json or html (to print)"), text_quote(optarg, q));
				return EXIT_USAGE;
			}
			break;
		case 'o':
			/* "-o -" is standard output, as for most tools. */
			out = strcmp(optarg, "-") ? optarg : NULL;
			break;
		case 'l':
			if (topic_lang_parse(optarg, &lang) < 0) {
				cli_error(self, _("--lang '%s' is not a language; use vi or en"),
					  text_quote(optarg, q));
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (cli_period_check(self, &period, CLI_PERIOD_REQUIRED) < 0)
		return EXIT_USAGE;
	if (out && check_output(self, out) < 0)
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (!ret && out && check_output_place(cli, self, out) < 0)
		ret = EXIT_USAGE;
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (ret)
		return ret;
	if (report_load(cli->db, period.from, period.to, by, lang, &data) < 0) {
		cli_error(self, _("cannot read the ledger"));
		return EXIT_RUNTIME;
	}
	if (data.warning[0])
		cli_error(self, "%s", data.warning);
	doc = (struct report_doc){
		.station = cli->cfg->station_name, .from = period.from, .to = period.to, .generated_at = time_now_ms(),
		.head = data.head, .head_row = data.head_row, .intact = data.intact, .lang = lang,
		.witness = &data.witness.head,
		.rep = &data.rep, .series = &data.series,
	};
	ret = EXIT_OK;
	if (!out) {
		report_render(stdout, fmt, &doc);
	} else if ((r = report_write_file(out, fmt, &doc)) < 0) {
		cli_error(self, _("cannot write %s: %s"), out, strerror(-r));
		ret = EXIT_RUNTIME;
	}
	report_data_done(&data);
	return ret;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = N_("--from YYYY-MM-DD --to YYYY-MM-DD [--by topic|plan|bulletin|slot|day]\n"
		 "       [--format csv|json|html] [-o FILE] [--lang vi|en]\n"
		 "  --by topic and --format csv (opens in Excel and LibreOffice) unless said otherwise;\n"
		 "  html is one page to print on A4, in Vietnamese unless --lang en"),
	.summary = N_("statistics for a period per topic, plan, bulletin, slot or day (CSV, JSON, HTML)"),
	.exec = cmd_report,
};
