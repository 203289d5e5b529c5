/* `loa report`: the officer's statistics for a period, grouped by topic,
 * plan, bulletin, slot or day (aggregation in ledger/report.c), as CSV for
 * Excel/LibreOffice, JSON for machines or an HTML page to print. Every form
 * states the station, the period, when it was made and the ledger's head
 * hash, so a printed report can be checked against the box later with
 * `loa verify --head`. */
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

#include "report/html.h"
#include "ledger/ledger.h"
#include "report/report.h"
#include "ledger/verify.h"
#include "util/json.h"
#include "util/timeutil.h"

enum format { FORMAT_CSV, FORMAT_JSON, FORMAT_HTML };

/* The counters in contract order, for JSON and CSV alike. */
static const struct {
	const char *name;
	enum outcome outcome;
} counters[] = {
	{ "completed", OUTCOME_COMPLETED }, { "partial", OUTCOME_PARTIAL },
	{ "preempted", OUTCOME_PREEMPTED }, { "cancelled", OUTCOME_CANCELLED },
	{ "missed", OUTCOME_MISSED }, { "skipped", OUTCOME_SKIPPED }, { "failed", OUTCOME_FAILED },
};
#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

/* Both JSON and CSV print compliance this way, so the two agree digit for digit. */
static void compliance_text(const struct report_counts *c, char *buf, size_t len)
{
	double v = report_compliance(c);

	if (isnan(v))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%.4f", v);
}

static void json_counts(struct json *j, const struct report_counts *c)
{
	char buf[32];

	json_kv_int(j, "planned", c->planned);
	for (size_t i = 0; i < N_COUNTERS; i++)
		json_kv_int(j, counters[i].name, c->outcome[counters[i].outcome]);
	json_kv_int(j, "aired_ms", c->aired_ms);
	json_key(j, "compliance");
	compliance_text(c, buf, sizeof(buf));
	if (*buf)
		json_double(j, report_compliance(c), 4);
	else
		json_null(j);
}

static void print_json(FILE *f, const struct report_doc *d)
{
	char day[16], at[ISO_LEN];
	struct json j;

	json_init(&j, f);
	json_object_begin(&j);
	json_kv_string(&j, "station", d->station);
	json_kv_string(&j, "from", time_format_day(d->from, day));
	json_kv_string(&j, "to", time_format_day(d->to, day));
	json_kv_string(&j, "by", report_by_name(d->rep->by));
	json_kv_string(&j, "lang", d->lang == TOPIC_LANG_EN ? "en" : "vi");
	json_kv_string(&j, "generated_at", time_format_iso(d->generated_at, at));
	json_kv_string(&j, "ledger_head", d->head);
	json_kv_int(&j, "ledger_head_row", d->head_row);
	json_kv_bool(&j, "ledger_intact", d->intact);
	json_key(&j, "groups");
	json_array_begin(&j);
	for (size_t i = 0; i < d->rep->n_groups; i++) {
		const struct report_group *g = &d->rep->groups[i];

		json_object_begin(&j);
		json_kv_string(&j, "key", g->key);
		json_kv_string(&j, "name", g->name);
		json_counts(&j, &g->c);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "total");
	json_object_begin(&j);
	json_counts(&j, &d->rep->total);
	json_object_end(&j);
	json_object_end(&j);
}

static void csv_row(FILE *f, const struct report_doc *d, const char *key, const char *name,
		    const struct report_counts *c)
{
	char buf[ISO_LEN];

	csv_field(f, key);
	fputc(',', f);
	csv_field(f, name);
	fprintf(f, ",%" PRId64, c->planned);
	for (size_t i = 0; i < N_COUNTERS; i++)
		fprintf(f, ",%" PRId64, c->outcome[counters[i].outcome]);
	fprintf(f, ",%" PRId64 ",%.1f,", c->aired_ms, (double)c->aired_ms / 60000.0);
	compliance_text(c, buf, sizeof(buf));
	fputs(buf, f);
	fputc(',', f);
	csv_field(f, d->station);
	fprintf(f, ",%s", time_format_day(d->from, buf));
	fprintf(f, ",%s", time_format_day(d->to, buf));
	fprintf(f, ",%s,%s", time_format_iso(d->generated_at, buf), d->head);
	csv_end_row(f);
}

/*
 * One table whose first line is its header, and the report's header facts
 * (station, period, when, ledger head) as the last columns of every row,
 * rather than as lines above the table: Excel and LibreOffice then open it
 * with the column names in row 1 (sorting and filters work, "first row as
 * header" is right), every record has the same number of fields as RFC 4180
 * asks, and a script reads it with any CSV parser without skipping lines.
 */
static void print_csv(FILE *f, const struct report_doc *d)
{
	csv_begin(f);
	fputs("key,name,planned", f);
	for (size_t i = 0; i < N_COUNTERS; i++)
		fprintf(f, ",%s", counters[i].name);
	fputs(",aired_ms,aired_minutes,compliance,station,from,to,generated_at,ledger_head", f);
	csv_end_row(f);
	for (size_t i = 0; i < d->rep->n_groups; i++)
		csv_row(f, d, d->rep->groups[i].key, d->rep->groups[i].name, &d->rep->groups[i].c);
	csv_row(f, d, "total", d->lang == TOPIC_LANG_EN ? "Total" : "Tổng cộng", &d->rep->total);
}

static void render(FILE *f, enum format fmt, const struct report_doc *d)
{
	if (fmt == FORMAT_JSON)
		print_json(f, d);
	else if (fmt == FORMAT_HTML)
		report_html_write(f, d);
	else
		print_csv(f, d);
}

/* Checks -o FILE before anything is read: a folder, a device or a link is
 * refused, and so is a folder that does not exist. */
static int check_output(const struct cmd_entry *self, const char *path)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	char q[CLI_QUOTE_MAX], qd[CLI_QUOTE_MAX];
	struct stat st;
	int r = 0;

	if (cli_check_path(self, "-o", path) < 0) {
		free(copy);
		return -EINVAL;
	}
	cli_quote(path, q);
	cli_quote(dir, qd);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *folder = xstrdup(path);
		size_t n = strlen(folder);

		while (n > 1 && folder[n - 1] == '/')
			folder[--n] = '\0';
		cli_error(self, _("-o %s is a folder; name a file in it, e.g. %s/bao-cao.csv"), q,
			  strcmp(folder, "/") ? cli_quote(folder, qd) : "");
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
	char *state = realpath(cli->cfg->state_dir, NULL), q[CLI_QUOTE_MAX];
	size_t n = state ? strlen(state) : 0;
	int r = 0;

	if (dir && state && strncmp(dir, state, n) == 0 && (dir[n] == '\0' || dir[n] == '/')) {
		cli_error(self, _("-o %s is inside the station's folder %s, where loa keeps its database "
			  "and recordings; write the report somewhere else, e.g. your home folder"),
			  cli_quote(path, q), cli->cfg->state_dir);
		r = -EINVAL;
	}
	free(state);
	free(dir);
	free(copy);
	return r;
}

/* Writes the report to PATH through a temporary file in the same folder, so
 * a reader never sees half a report and a failure leaves the old one. */
static int write_file(const struct cmd_entry *self, const char *path, enum format fmt,
		      const struct report_doc *d)
{
	char *copy = xstrdup(path);
	char *tmp = xasprintf("%s/.loa-report-XXXXXX", dirname(copy));
	mode_t mask = umask(0);
	int fd, r = 0;
	FILE *f;

	umask(mask);
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		cli_error(self, _("cannot create a file next to %s: %s"), path, strerror(-r));
		free(tmp);
		free(copy);
		return r;
	}
	fchmod(fd, 0666 & ~mask);
	f = fdopen(fd, "w");
	if (!f)
		abort(); /* only out of memory */
	render(f, fmt, d);
	if (fflush(f) != 0 || ferror(f) || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		cli_error(self, _("cannot write %s: %s"), path, strerror(-r));
		unlink(tmp);
	}
	free(tmp);
	free(copy);
	return r;
}

/* The period's rows, counted as the chain walk reaches them. */
struct tally {
	int64_t from_ms, to_ms;
	struct report *rep;
	struct report_series *series;
};

static void tally_row(const struct ledger_row *row, void *ctx)
{
	struct tally *t = ctx;

	if (row->scheduled_at < t->from_ms || row->scheduled_at >= t->to_ms)
		return;
	report_add(t->rep, row);
	report_series_add(t->series, row);
}

/*
 * Counts the local days FROM..TO into REP and SERIES, with the ledger's
 * head. The whole chain is checked first, every time: a report is what an
 * officer signs, and it must not call a ledger intact whose rows were
 * changed since the last `loa verify`. The check and the count are one walk
 * over the rows in one snapshot, so reading a row costs once. When the chain
 * is broken, the report still counts what the database holds now, read
 * again the plain way, and says so.
 */
static int load(struct cli *cli, const struct cmd_entry *self, int32_t from, int32_t to, enum report_by by,
		enum topic_lang lang, struct report *rep, struct report_series *series, char head[SHA256_HEX],
		int64_t *head_row, bool *intact)
{
	struct tally t = { time_local_ms(from, 0), time_local_ms(to + 1, 0), rep, series };
	struct verify_result res;
	struct ledger_row *rows;
	sqlite3 *h;
	size_t n;
	int r, v;

	snprintf(head, SHA256_HEX, "%s", LEDGER_GENESIS_HASH);
	*head_row = 0;
	*intact = true;
	report_begin(rep, by, lang);
	report_series_begin(series, from, to);
	if (!cli->db) {
		report_end(rep);
		report_series_end(series);
		return 0;
	}
	h = db_sqlite(cli->db);
	v = verify_chain_rows(h, NULL, tally_row, &t, &res);
	if (v == 0 && res.ok) {
		memcpy(head, res.head, SHA256_HEX);
		*head_row = res.head_id;
		verify_result_done(&res);
		report_end(rep);
		report_series_end(series);
		return 0;
	}
	*intact = false;
	if (v == 0)
		cli_error(self, _("warning: the ledger is not intact (%s); this report counts what "
			  "the database holds now; run loa verify"), res.message);
	verify_result_done(&res);
	report_done(rep);
	report_series_done(series);

	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(cli->db, "reading the ledger");
	r = ledger_query(cli->db, t.from_ms, t.to_ms, &rows, &n);
	if (r == 0)
		r = ledger_head(cli->db, head, head_row);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	if (r < 0)
		return r;
	report_build(rows, n, by, lang, rep);
	report_series_build(rows, n, from, to, series);
	ledger_rows_free(rows, n);
	return 0;
}

static int cmd_report(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int32_t from = DAY_NONE_BEFORE, to = DAY_NONE_AFTER;
	enum report_by by = REPORT_BY_TOPIC;
	enum topic_lang lang = TOPIC_LANG_VI;
	enum format fmt = FORMAT_CSV;
	struct report_series series;
	struct report rep;
	struct report_doc doc;
	const char *out = NULL;
	char head[SHA256_HEX], q[CLI_QUOTE_MAX];
	int64_t head_row;
	bool intact;
	uint64_t seen = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (c) {
		case 'f':
			if (cli_parse_day(self, "--from", optarg, &from) < 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_parse_day(self, "--to", optarg, &to) < 0)
				return EXIT_USAGE;
			break;
		case 'b':
			if (report_by_parse(optarg, &by) < 0) {
				cli_error(self, _("--by '%s' is not a grouping; use topic, plan, bulletin, slot or day"),
					  cli_quote(optarg, q));
				return EXIT_USAGE;
			}
			break;
		case 'F':
			if (strcmp(optarg, "csv") == 0)
				fmt = FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FORMAT_JSON;
			else if (strcmp(optarg, "html") == 0)
				fmt = FORMAT_HTML;
			else {
				cli_error(self, _("--format '%s' is not a format; use csv (for Excel and "
					  "LibreOffice), json or html (to print)"), cli_quote(optarg, q));
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
					  cli_quote(optarg, q));
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf(_("usage: loa %s %s\n"), self->name, cli_usage_text(self));
			return EXIT_OK;
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (from == DAY_NONE_BEFORE || to == DAY_NONE_AFTER) {
		cli_error(self, _("say which period: --from YYYY-MM-DD --to YYYY-MM-DD (both days included)"));
		return cli_usage(self);
	}
	if (from > to) {
		cli_error(self, _("--from is after --to; the period would be empty"));
		return EXIT_USAGE;
	}
	if (out && check_output(self, out) < 0)
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (!ret && out && check_output_place(cli, self, out) < 0)
		ret = EXIT_USAGE;
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (ret)
		return ret;
	if (load(cli, self, from, to, by, lang, &rep, &series, head, &head_row, &intact) < 0) {
		cli_error(self, _("cannot read the ledger"));
		return EXIT_RUNTIME;
	}
	doc = (struct report_doc){
		.station = cli->cfg->station_name, .from = from, .to = to, .generated_at = time_now_ms(),
		.head = head, .head_row = head_row, .intact = intact, .lang = lang, .rep = &rep,
		.series = &series,
	};
	ret = EXIT_OK;
	if (!out)
		render(stdout, fmt, &doc);
	else if (write_file(self, out, fmt, &doc) < 0)
		ret = EXIT_RUNTIME;
	report_series_done(&series);
	report_done(&rep);
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
