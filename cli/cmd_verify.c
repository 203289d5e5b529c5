/* `loa verify`: recomputes the ledger's hash chain and the audit trail's
 * (ledger/verify.c) and says, for an officer, whether the evidence is
 * whole: exit 0 with the head hash, or exit 1 naming the first row (or
 * entry) that was edited, removed, inserted or reordered. When the
 * province has acknowledged rows (loa upstream), it says up to which, and
 * holds the ledger to the hashes the province keeps. --db checks any
 * loa database file (a backup) without a config; --head checks that the
 * head printed on an earlier report is still there. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/json.h"
#include "util/timeutil.h"

static bool is_hash(const char *s)
{
	if (strlen(s) != SHA256_HEX - 1)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
	return true;
}

/* "row 17 as it stands now: slot 'sang', scheduled ..., outcome completed,
 * "title"" into BUF, so an officer can find the broadcast in the records;
 * "" when the row is not there (a removed row). */
static void describe_row(sqlite3 *h, int64_t id, char *buf, size_t len)
{
	sqlite3_stmt *st;
	char when[ISO_LEN];

	buf[0] = '\0';
	if (sqlite3_prepare_v2(h, "SELECT kind, slot, scheduled_at, outcome, title FROM ledger WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *slot = (const char *)sqlite3_column_text(st, 1);

		/* The outcome and, without a slot, the kind are the ledger's own words. */
		if (slot)
			snprintf(buf, len, _("row %" PRId64 " as it stands now: slot %s, scheduled %s, outcome %s, \"%s\""),
				 id, slot, time_format_iso(sqlite3_column_int64(st, 2), when),
				 (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4));
		else
			snprintf(buf, len, _("row %" PRId64 " as it stands now: %s, scheduled %s, outcome %s, \"%s\""),
				 id, (const char *)sqlite3_column_text(st, 0),
				 time_format_iso(sqlite3_column_int64(st, 2), when),
				 (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
}

/* "audit entry 3 as it stands now: 2026-12-01T..., hoang, edit #12" into
 * BUF; "" when the entry is not there (a removed one). */
static void describe_entry(sqlite3 *h, int64_t id, char *buf, size_t len)
{
	sqlite3_stmt *st;
	char when[ISO_LEN];

	buf[0] = '\0';
	if (sqlite3_prepare_v2(h, "SELECT at, actor, action, target FROM audit WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *target = (const char *)sqlite3_column_text(st, 3);

		snprintf(buf, len, _("audit entry %" PRId64 " as it stands now: %s, %s, %s %s"), id,
			 time_format_iso(sqlite3_column_int64(st, 0), when), (const char *)sqlite3_column_text(st, 1),
			 (const char *)sqlite3_column_text(st, 2), target ? target : "");
	}
	sqlite3_finalize(st);
}

struct verdict {
	const char *path;
	const char *expect;     /* --head, or NULL */
	bool head_found;        /* --head is in the intact chain */
	bool ledger_ok;         /* chain intact and, with --head, the head found */
	bool ok;                /* that, and the audit trail intact */
	char message[1024];
	char bad_row[768];      /* the named row as it stands, or "" */
	char audit_message[1024];
	char bad_entry[768];    /* the named audit entry as it stands, or "" */
	struct verify_witness witness;
	bool witness_holds;     /* the ledger agrees with what the province acknowledged */
	char witness_message[1024]; /* "" when the province witnessed nothing */
};

static void print_json(const struct verdict *v, const struct verify_result *res, const struct verify_result *audit)
{
	bool head_missing = res->ok && !v->ledger_ok;
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "database", v->path);
	json_kv_bool(&j, "ok", v->ok);
	json_kv_bool(&j, "chain_intact", res->ok);
	json_kv_int(&j, "rows", res->rows);
	json_kv_string(&j, "head", res->head);
	json_kv_int(&j, "head_row", res->head_id);
	json_key(&j, "problem");
	if (!res->ok)
		json_string(&j, verify_problem_name(res->problem));
	else
		json_string(&j, head_missing ? "removed" : NULL);
	json_key(&j, "row");
	if (!res->ok)
		json_int(&j, res->bad_row);
	else if (head_missing)
		json_int(&j, res->rows + 1);
	else
		json_null(&j);
	json_key(&j, "written_as");
	if (res->written_as)
		json_int(&j, res->written_as);
	else
		json_null(&j);
	json_kv_string(&j, "message", v->message);
	json_key(&j, "expected_head");
	if (v->expect) {
		json_object_begin(&j);
		json_kv_string(&j, "hash", v->expect);
		json_kv_bool(&j, "found", v->head_found);
		json_key(&j, "row");
		if (v->head_found)
			json_int(&j, res->expect_row);
		else
			json_null(&j);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "warnings");
	json_array_begin(&j);
	for (size_t i = 0; i < res->warnings.n; i++)
		json_string(&j, res->warnings.v[i]);
	for (size_t i = 0; i < audit->warnings.n; i++)
		json_string(&j, audit->warnings.v[i]);
	json_array_end(&j);
	json_key(&j, "audit");
	json_object_begin(&j);
	json_kv_bool(&j, "intact", audit->ok);
	json_kv_int(&j, "entries", audit->rows);
	json_kv_string(&j, "head", audit->head);
	json_kv_int(&j, "head_id", audit->head_id);
	json_kv_string(&j, "problem", audit->ok ? NULL : verify_problem_name(audit->problem));
	json_key(&j, "bad_entry");
	if (audit->ok)
		json_null(&j);
	else
		json_int(&j, audit->bad_row);
	json_key(&j, "written_as");
	if (audit->written_as)
		json_int(&j, audit->written_as);
	else
		json_null(&j);
	json_kv_string(&j, "message", v->audit_message);
	json_object_end(&j);
	json_key(&j, "witness");
	if (v->witness.head.row) {
		json_object_begin(&j);
		json_kv_int(&j, "row", v->witness.head.row);
		json_kv_string(&j, "hash", v->witness.head.hash);
		json_kv_time(&j, "at", v->witness.head.at);
		json_kv_bool(&j, "holds", v->witness_holds);
		json_key(&j, "bad_row");
		if (v->witness.bad_row)
			json_int(&j, v->witness.bad_row);
		else
			json_null(&j);
		json_kv_string(&j, "message", v->witness_message);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	json_object_end(&j);
}

/* What an officer reads: the verdict, what is still vouched for, and what to
 * do next. */
static void explain(struct verdict *v, const struct verify_result *res)
{
	size_t n = sizeof(v->message);
	char intact[128];

	if (res->rows == 0)
		snprintf(intact, sizeof(intact), _("No row before it can be vouched for"));
	else if (res->rows == 1)
		snprintf(intact, sizeof(intact), _("Row 1 before it is intact (head %s)"), res->head);
	else
		snprintf(intact, sizeof(intact), _("Rows 1–%" PRId64 " before it are intact (head %s)"),
			 res->rows, res->head);
	if (!res->ok) {
		snprintf(v->message, n, _("the ledger was tampered with: %s. %s. Keep this database file "
			 "unchanged as evidence, and compare it with a backup: loa verify --db BACKUP"),
			 res->message, intact);
	} else if (!v->witness_holds) {
		snprintf(v->message, n, _("the chain of %" PRId64 " rows is whole, but it is not the ledger the "
			 "province witnessed: it was rewritten with its hashes recomputed. Keep this database file "
			 "unchanged as evidence, and ask the province for the records it holds"), res->rows);
	} else if (!v->ledger_ok) {
		snprintf(v->message, n, _("the chain of %" PRId64 " rows is intact, but the head %s from the "
			 "earlier report is not in it: rows after row %" PRId64 " were removed from its end, "
			 "or the report was made from another database. Compare with a backup: loa "
			 "verify --db BACKUP --head %s"), res->rows, v->expect, res->rows, v->expect);
	} else if (v->expect) {
		snprintf(v->message, n, _("the ledger is intact: %" PRId64 " rows; the head from the earlier "
			 "report is row %" PRId64 ", so nothing up to it has changed since"), res->rows,
			 strcasecmp(v->expect, LEDGER_GENESIS_HASH) == 0 ? 0 : res->expect_row);
	} else {
		snprintf(v->message, n, ngettext("the ledger is intact: %" PRId64 " row",
						 "the ledger is intact: %" PRId64 " rows", (unsigned long)res->rows),
			 res->rows);
	}
}

/* The same for the audit trail. */
static void explain_audit(struct verdict *v, const struct verify_result *audit)
{
	size_t n = sizeof(v->audit_message);
	char intact[128];

	if (audit->ok) {
		snprintf(v->audit_message, n, ngettext("the audit trail is intact: %" PRId64 " entry",
						       "the audit trail is intact: %" PRId64 " entries",
						       (unsigned long)audit->rows), audit->rows);
		return;
	}
	if (audit->rows == 0)
		snprintf(intact, sizeof(intact), _("No entry before it can be vouched for"));
	else if (audit->rows == 1)
		snprintf(intact, sizeof(intact), _("Entry 1 before it is intact (head %s)"), audit->head);
	else
		snprintf(intact, sizeof(intact), _("Entries 1–%" PRId64 " before it are intact (head %s)"),
			 audit->rows, audit->head);
	snprintf(v->audit_message, n, _("the audit trail was tampered with: %s. %s. Keep this database file "
		 "unchanged as evidence, and compare it with a backup: loa verify --db BACKUP"), audit->message,
		 intact);
}

static int cmd_verify(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "head", required_argument, NULL, 'H' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verdict v = { 0 };
	struct verify_result res, audit = { 0 };
	const char *db_arg = NULL;
	char msg[512], *path = NULL;
	bool json = false;
	sqlite3 *h;
	uint64_t seen = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'H':
			if (!is_hash(optarg)) {
				char q[TEXT_QUOTE_MAX];

				cli_error(self, _("--head '%s' is not a ledger head; copy the 64 hexadecimal "
					  "digits printed on the report"), text_quote(optarg, q));
				return EXIT_USAGE;
			}
			v.expect = optarg;
			break;
		case 'd':
			if (cli_check_path(self, "--db", optarg) < 0)
				return EXIT_USAGE;
			db_arg = optarg;
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (db_arg) {
		if ((r = cli_acting(cli)))
			return r;
		path = xstrdup(db_arg);
	} else {
		r = cli_load_config(cli);
		if (r)
			return r;
		path = xasprintf("%s/loa.db", cli->cfg->state_dir);
	}
	v.path = path;
	r = db_open_evidence(path, &h, msg, sizeof(msg));
	if (r < 0) {
		cli_error(self, "%s", msg);
		free(path);
		/* A file named on the command line that is not a loa database is
		 * bad input; the station's own database missing or broken is not. */
		return db_arg && (r == -ENOENT || r == -EBADMSG || r == -EINVAL) ? EXIT_USAGE : EXIT_RUNTIME;
	}
	/* JSON values stay in the source language, for scripts: the verdict
	 * and the chain's messages are worded from here on. */
	if (json)
		setlocale(LC_MESSAGES, "C");
	r = verify_chain(h, v.expect, &res);
	if (r == 0 && !res.ok && res.problem != VERIFY_REMOVED)
		describe_row(h, res.bad_row, v.bad_row, sizeof(v.bad_row));
	if (r == 0) {
		r = verify_audit(h, &audit);
		if (r < 0)
			snprintf(res.message, sizeof(res.message), "%s", audit.message);
		else if (!audit.ok && audit.problem != VERIFY_REMOVED)
			describe_entry(h, audit.bad_row, v.bad_entry, sizeof(v.bad_entry));
	}
	if (r == 0 && (r = verify_witness(h, &v.witness)) < 0)
		snprintf(res.message, sizeof(res.message), _("cannot read what the province acknowledged: %s"),
			 sqlite3_errmsg(h));
	sqlite3_close(h);
	if (r < 0) {
		cli_error(self, "%s: %s", path, res.message);
		verify_result_done(&res);
		verify_result_done(&audit);
		free(path);
		return EXIT_RUNTIME;
	}
	v.head_found = v.expect && (res.expect_row > 0 || strcasecmp(v.expect, LEDGER_GENESIS_HASH) == 0);
	v.ledger_ok = res.ok && (!v.expect || v.head_found);
	v.witness_holds = verify_witness_text(&res, &v.witness, v.witness_message, sizeof(v.witness_message));
	v.ok = v.ledger_ok && audit.ok && v.witness_holds;
	explain(&v, &res);
	explain_audit(&v, &audit);

	for (size_t i = 0; i < res.warnings.n; i++)
		cli_error(self, _("warning: %s"), res.warnings.v[i]);
	for (size_t i = 0; i < audit.warnings.n; i++)
		cli_error(self, _("warning: %s"), audit.warnings.v[i]);
	if (json) {
		print_json(&v, &res, &audit);
	} else {
		if (v.ledger_ok && v.witness_holds) {
			printf(_("%s\nhead: %s (row %" PRId64 ")\n"), v.message, res.head, res.head_id);
		} else {
			printf("%s\n", v.message);
			if (v.bad_row[0])
				printf("%s\n", v.bad_row);
		}
		if (v.witness_message[0])
			printf("%s\n", v.witness_message);
		/* The trail after the ledger, whose lines stay as they were. */
		if (audit.ok) {
			printf(_("%s\naudit head: %s (entry %" PRId64 ")\n"), v.audit_message, audit.head,
			       audit.head_id);
		} else {
			printf("%s\n", v.audit_message);
			if (v.bad_entry[0])
				printf("%s\n", v.bad_entry);
		}
	}
	if (!v.ledger_ok && !res.ok)
		cli_error(self, _("%s: %s row %" PRId64), path, verify_problem_name(res.problem), res.bad_row);
	else if (!v.ledger_ok)
		cli_error(self, _("%s: the head %s is not in the ledger"), path, v.expect);
	if (!audit.ok)
		cli_error(self, _("%s: %s audit entry %" PRId64), path, verify_problem_name(audit.problem),
			  audit.bad_row);
	if (!v.witness_holds)
		cli_error(self, _("%s: the ledger differs from what the province witnessed"), path);
	verify_result_done(&res);
	verify_result_done(&audit);
	free(path);
	return v.ok ? EXIT_OK : EXIT_RUNTIME;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = N_("[--json] [--head HASH] [--db FILE]"),
	.summary = N_("check the hash chains of the ledger and the audit trail: exit 0 when intact, 1 naming "
		      "the bad row or entry"),
	.exec = cmd_verify,
};
