/* `loa log`: the ledger as it is, row by row: for people, as JSON, or as
 * CSV that Excel opens with Vietnamese intact. The options are a listing's
 * (cli/listing.c), as `loa audit`'s. */
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
	for (size_t i = 0; i < n; i++)
		ledger_row_json(&j, &v[i]);
	json_array_end(&j);
}

static void print_csv(const struct ledger_row *v, size_t n)
{
	static const char *const head[] = { "id", "kind", "slot", "bulletin_id", "title", "topic", "plan",
		"scheduled_at", "started_at", "ended_at", "played_ms", "outcome", "reason", "xruns",
		"content_sha256", "row_hash", "by", "relay_source", "relay_url" };

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
		cli_csv_time(stdout, r->scheduled_at);
		putchar(',');
		cli_csv_time(stdout, r->started_at);
		putchar(',');
		cli_csv_time(stdout, r->ended_at);
		printf(",%lld,%s,", (long long)r->played_ms, outcome_name(r->outcome));
		csv_field(stdout, r->reason);
		printf(",%d,%s,%s,", r->xruns, r->content_sha256, r->row_hash);
		csv_field(stdout, r->by);
		putchar(',');
		csv_field(stdout, r->relay_source);
		putchar(',');
		csv_field(stdout, r->relay_url);
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
	struct cli_listing l;
	struct ledger_row *v = NULL;
	size_t n = 0;
	int64_t from_ms, to_ms;
	int ret;

	if (!cli_listing_parse(self, argc, argv, &l, &ret))
		return ret;
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (ret)
		return ret;
	cli_period_ms(&l.period, &from_ms, &to_ms);
	if (cli->db && ledger_query(cli->db, from_ms, to_ms, &v, &n) < 0) {
		cli_error(self, _("cannot read the ledger"));
		return EXIT_RUNTIME;
	}
	if (l.json)
		print_json(v, n);
	else if (l.csv)
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
