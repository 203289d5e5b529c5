/* `loa log`: the ledger as it is, row by row: for people, as JSON, or as
 * CSV that Excel opens with Vietnamese intact. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>

#include "ledger/ledger.h"
#include "util/json.h"
#include "util/timeutil.h"

static void print_json(const struct ledger_row *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct ledger_row *r = &v[i];

		json_object_begin(&j);
		json_kv_int(&j, "id", r->id);
		json_kv_string(&j, "kind", air_kind_name(r->kind));
		json_kv_int(&j, "bulletin_id", r->bulletin_id);
		json_kv_string(&j, "title", r->title);
		json_kv_string(&j, "topic", r->topic);
		json_kv_string(&j, "plan", r->plan);
		json_kv_string(&j, "slot", r->slot);
		json_kv_time(&j, "occurrence_at", r->occurrence_at);
		json_kv_time(&j, "scheduled_at", r->scheduled_at);
		json_kv_time(&j, "started_at", r->started_at);
		json_kv_time(&j, "ended_at", r->ended_at);
		json_kv_int(&j, "played_ms", r->played_ms);
		json_kv_int(&j, "frames", r->frames);
		json_kv_string(&j, "outcome", outcome_name(r->outcome));
		json_kv_string(&j, "reason", r->reason);
		json_kv_int(&j, "xruns", r->xruns);
		json_kv_string(&j, "content_sha256", r->content_sha256);
		json_kv_string(&j, "row_hash", r->row_hash);
		json_object_end(&j);
	}
	json_array_end(&j);
}

static void csv_time(FILE *f, int64_t ms)
{
	char buf[ISO_LEN];

	if (ms)
		csv_field(f, time_format_iso(ms, buf));
}

static void print_csv(const struct ledger_row *v, size_t n)
{
	static const char *const head[] = { "id", "kind", "slot", "bulletin_id", "title", "topic", "plan",
		"scheduled_at", "started_at", "ended_at", "played_ms", "outcome", "reason", "xruns",
		"content_sha256", "row_hash" };

	csv_begin(stdout);
	for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		printf("%s%s", k ? "," : "", head[k]);
	csv_end_row(stdout);
	for (size_t i = 0; i < n; i++) {
		const struct ledger_row *r = &v[i];

		printf("%lld,%s,", (long long)r->id, air_kind_name(r->kind));
		csv_field(stdout, r->slot);
		printf(",%lld,", (long long)r->bulletin_id);
		csv_field(stdout, r->title);
		putchar(',');
		csv_field(stdout, r->topic);
		putchar(',');
		csv_field(stdout, r->plan);
		putchar(',');
		csv_time(stdout, r->scheduled_at);
		putchar(',');
		csv_time(stdout, r->started_at);
		putchar(',');
		csv_time(stdout, r->ended_at);
		printf(",%lld,%s,", (long long)r->played_ms, outcome_name(r->outcome));
		csv_field(stdout, r->reason);
		printf(",%d,%s,%s", r->xruns, r->content_sha256, r->row_hash);
		csv_end_row(stdout);
	}
}

static void print_text(const struct ledger_row *v, size_t n)
{
	char a[ISO_LEN];

	if (n == 0) {
		puts(_("nothing in the ledger for this period"));
		return;
	}
	/* TRANSLATORS: column heads over "%6lld  %-19s  %-10s  %-10s  %5lld.%01llds  %s";
	 * align them by hand, in characters. */
	fputs(_("    ID  SCHEDULED            SLOT        OUTCOME       PLAYED  TITLE\n"), stdout);
	for (size_t i = 0; i < n; i++) {
		const struct ledger_row *r = &v[i];

		time_format_iso(r->scheduled_at, a);
		a[19] = '\0';
		a[10] = ' ';
		printf("%6lld  %-19s  %-10s  %-10s  %5lld.%01llds  %s\n", (long long)r->id, a,
		       r->slot ? r->slot : air_kind_name(r->kind), outcome_name(r->outcome),
		       (long long)(r->played_ms / 1000), (long long)(r->played_ms % 1000 / 100), r->title);
	}
}

static int cmd_log(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_PERIOD_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_period period = CLI_PERIOD_OPEN;
	struct ledger_row *v = NULL;
	size_t n = 0;
	bool json = false, csv = false;
	int64_t from_ms, to_ms;
	uint64_t seen = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
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
		case 'j':
			json = true;
			break;
		case 'c':
			csv = true;
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (json && csv) {
		cli_error(self, _("choose one of --json and --csv"));
		return EXIT_USAGE;
	}
	if (cli_period_check(self, &period, CLI_PERIOD_OPTIONAL) < 0)
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (ret)
		return ret;
	cli_period_ms(&period, &from_ms, &to_ms);
	if (cli->db && ledger_query(cli->db, from_ms, to_ms, &v, &n) < 0) {
		cli_error(self, _("cannot read the ledger"));
		return EXIT_RUNTIME;
	}
	if (json)
		print_json(v, n);
	else if (csv)
		print_csv(v, n);
	else
		print_text(v, n);
	ledger_rows_free(v, n);
	return EXIT_OK;
}

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = N_("[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json|--csv]"),
	.summary = N_("show the ledger: every item aired or planned, with its outcome"),
	.exec = cmd_log,
};
