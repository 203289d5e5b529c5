/* `loa audit`: the audit trail (nhật ký thao tác), who did what, entry by
 * entry: for people, as JSON, or as CSV. The options and forms are a
 * listing's, as `loa log`'s (cli/listing.c). */
#include "cli/cli.h"

#include <stdlib.h>

#include "ledger/audit.h"
#include "util/json.h"
#include "util/timeutil.h"

static void print_json(const struct audit_entry *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		audit_entry_json(&j, &v[i]);
	json_array_end(&j);
}

static void print_csv(const struct audit_entry *v, size_t n)
{
	csv_begin(stdout);
	fputs("id,at,actor,action,target,detail", stdout);
	csv_end_row(stdout);
	for (size_t i = 0; i < n; i++) {
		printf("%lld,", (long long)v[i].id);
		cli_csv_time(stdout, v[i].at);
		putchar(',');
		csv_field(stdout, v[i].actor);
		putchar(',');
		csv_field(stdout, v[i].action);
		putchar(',');
		csv_field(stdout, v[i].target);
		putchar(',');
		csv_field(stdout, v[i].detail);
		csv_end_row(stdout);
	}
}

/* One line an entry: a title's line break (an older import's) or any
 * other control character must not split it. */
static void print_text(const struct audit_entry *v, size_t n)
{
	char a[ISO_LEN];

	if (n == 0) {
		puts(_("nothing in the audit trail for this period"));
		return;
	}
	/* TRANSLATORS: column heads over "%6lld  %-19s  %-12s  %-13s  %s";
	 * align them by hand, in characters. */
	fputs(_("    ID  AT                   ACTOR         ACTION         TARGET: DETAIL\n"), stdout);
	for (size_t i = 0; i < n; i++) {
		char *actor = text_clean(v[i].actor ? v[i].actor : ""), *target = text_clean(v[i].target ? v[i].target : "-");
		char *detail = v[i].detail ? text_clean(v[i].detail) : NULL;

		time_format_iso(v[i].at, a);
		a[19] = '\0';
		a[10] = ' ';
		printf("%6lld  %-19s  %-12s  %-13s  %s%s%s\n", (long long)v[i].id, a, actor,
		       v[i].action ? v[i].action : "", target, detail ? ": " : "", detail ? detail : "");
		free(actor);
		free(target);
		free(detail);
	}
}

static int cmd_audit(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	struct cli_listing l;
	struct audit_entry *v = NULL;
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
	if (cli->db && audit_query(cli->db, from_ms, to_ms, &v, &n) < 0) {
		cli_error(self, _("cannot read the audit trail"));
		return EXIT_RUNTIME;
	}
	if (l.json)
		print_json(v, n);
	else if (l.csv)
		print_csv(v, n);
	else
		print_text(v, n);
	audit_entries_free(v, n);
	return EXIT_OK;
}

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.usage = N_("[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json|--csv]"),
	.summary = N_("show the audit trail: who imported, changed, aired, stopped or backed up what, and when"),
	.exec = cmd_audit,
};
