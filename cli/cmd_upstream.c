/* `loa upstream status|test|run|resend`: the link to the province's
 * information-source system. `run` is the service (loa-upstream.service),
 * a process of its own, so the daemon never waits on the network; the
 * rest look at what it did, try the connection once, or queue a period
 * again for a province that lost data. The password is never printed. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/audit.h"
#include "ledger/outbox.h"
#include "upstream/upstream.h"
#include "util/json.h"
#include "util/timeutil.h"

/* Parses [--json] and --help; 0 to go on, else the exit status. */
static int parse_json_only(const struct cmd_entry *self, int argc, char **argv, bool allow_json, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j' && allow_json) {
			*json = true;
			continue;
		}
		if (c == 'h')
			return cli_help(self);
		return cli_bad_option(self, c, argv, opts);
	}
	return cli_no_more_args(self, argc, argv) ? EXIT_USAGE : -1;
}

/* The config with an upstream group whose password file is as it must
 * be; else says why and returns the exit status. */
static int load_link(struct cli *cli, const struct cmd_entry *self)
{
	struct strlist errs = { 0 };
	int ret = cli->cfg ? 0 : cli_load_config(cli);

	if (ret)
		return ret;
	if (!cli->cfg->upstream) {
		cli_error(self, _("%s has no upstream group, so there is no link to the province; add one "
			  "(see loa.conf(5))"), cli->config_path);
		return EXIT_USAGE;
	}
	if (config_upstream_secret_check(cli->cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		strlist_done(&errs);
		return EXIT_USAGE;
	}
	return 0;
}

static void json_status(struct db *db, const struct config *cfg, const struct outbox_status *st,
			const struct province_counts *pc)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_bool(&j, "configured", cfg->upstream != NULL);
	json_kv_string(&j, "url", cfg->upstream ? cfg->upstream->url : NULL);
	json_kv_int(&j, "queued", st->queued);
	json_kv_time(&j, "oldest_queued_at", st->oldest_queued_at);
	json_kv_int(&j, "rejected", st->rejected);
	json_key(&j, "rejected_recent");
	json_array_begin(&j);
	for (size_t i = 0; i < st->n_recent; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "row", st->recent[i].row);
		json_kv_time(&j, "at", st->recent[i].at);
		json_kv_int(&j, "http_status", st->recent[i].http_status);
		json_kv_string(&j, "reply", st->recent[i].reply);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_kv_int(&j, "accepted", st->accepted);
	json_kv_time(&j, "last_ok_at", st->last_ok_at);
	json_kv_string(&j, "last_error", st->last_error);
	json_kv_time(&j, "last_error_at", st->last_error ? st->last_error_at : 0);
	json_key(&j, "witnessed_row");
	if (st->witness.row)
		json_int(&j, st->witness.row);
	else
		json_null(&j);
	json_kv_string(&j, "witnessed_hash", st->witness.row ? st->witness.hash : NULL);
	json_kv_time(&j, "witnessed_at", st->witness.at);
	/* The province's schedules (issue #18). The refused audio files
	 * are rejected_bulletins: "rejected" counts refused records. */
	json_kv_int(&j, "schedules", pc->schedules);
	json_kv_int(&j, "province_bulletins", pc->bulletins);
	json_kv_int(&j, "downloads_pending", pc->pending);
	json_kv_time(&j, "last_poll_at", pc->last_poll_at);
	if (!db || province_rejected_json(db, &j) < 0) {
		json_key(&j, "rejected_bulletins");
		json_array_begin(&j);
		json_array_end(&j);
	}
	json_object_end(&j);
}

static void text_status(struct db *db, const struct config *cfg, const struct outbox_status *st,
			const struct province_counts *pc)
{
	char a[ISO_LEN], q[TEXT_QUOTE_MAX];

	if (cfg->upstream)
		printf(_("upstream: %s as %s (device %s)\n"), cfg->upstream->url, cfg->upstream->username,
		       cfg->upstream->device_id);
	else
		printf(_("upstream: not configured (no upstream group in %s); rows wait in the outbox\n"), cfg->path);
	if (st->queued)
		printf(_("queued: %" PRId64 ", the oldest since %s\n"), st->queued,
		       time_format_iso(st->oldest_queued_at, a));
	else
		printf(_("queued: none\n"));
	printf(_("accepted: %" PRId64 "\n"), st->accepted);
	printf(_("rejected: %" PRId64 "\n"), st->rejected);
	for (size_t i = 0; i < st->n_recent; i++)
		printf(_("  row %" PRId64 " at %s: HTTP %d %s\n"), st->recent[i].row,
		       time_format_iso(st->recent[i].at, a), st->recent[i].http_status,
		       st->recent[i].reply ? text_quote(st->recent[i].reply, q) : "");
	if (st->last_ok_at)
		printf(_("last success: %s\n"), time_format_iso(st->last_ok_at, a));
	else
		printf(_("last success: never\n"));
	if (st->last_error)
		printf(_("last error: %s (at %s)\n"), st->last_error, time_format_iso(st->last_error_at, a));
	if (st->witness.row)
		printf(_("witnessed by the province up to row %" PRId64 " (hash %s) at %s\n"), st->witness.row,
		       st->witness.hash, time_format_iso(st->witness.at, a));
	else
		printf(_("witnessed by the province: nothing yet\n"));
	printf(_("province schedules: %" PRId64 "; bulletins from the province: %" PRId64 "; downloads pending: %"
		 PRId64 "\n"), pc->schedules, pc->bulletins, pc->pending);
	if (pc->last_poll_at)
		printf(_("schedules last read: %s\n"), time_format_iso(pc->last_poll_at, a));
	else
		printf(_("schedules last read: never\n"));
	if (db && pc->rejected) {
		printf(_("rejected audio from the province (never aired):\n"));
		province_rejected_text(db, stdout);
	}
}

static int up_status(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	struct outbox_status st = { 0 };
	struct province_counts pc = { 0 };
	bool json = false;
	int ret = parse_json_only(self, argc, argv, true, &json);

	if (ret >= 0)
		return ret;
	if ((ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_ONLY)))
		return ret;
	if (cli->db && outbox_status(cli->db, &st) < 0) {
		cli_error(self, _("cannot read the outbox"));
		return EXIT_RUNTIME;
	}
	if (cli->db && province_counts(cli->db, &pc) < 0) {
		outbox_status_done(&st);
		cli_error(self, _("cannot read the province's schedules"));
		return EXIT_RUNTIME;
	}
	if (json)
		json_status(cli->db, cli->cfg, &st, &pc);
	else
		text_status(cli->db, cli->cfg, &st, &pc);
	outbox_status_done(&st);
	return EXIT_OK;
}

static int up_test(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	char msg[1024];
	bool json = false;
	int ret = parse_json_only(self, argc, argv, false, &json);

	if (ret >= 0)
		return ret;
	if ((ret = load_link(cli, self)))
		return ret;
	if (upstream_test(cli->cfg, LOA_VERSION, stdout, msg, sizeof(msg)) < 0) {
		cli_error(self, "%s", msg);
		return EXIT_RUNTIME;
	}
	printf(_("ok: the province's server at %s accepts loa's login and status ping\n"), cli->cfg->upstream->url);
	return EXIT_OK;
}

static int up_run(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	bool json = false;
	int ret = parse_json_only(self, argc, argv, false, &json);

	if (ret >= 0)
		return ret;
	if ((ret = cli_load_config(cli)))
		return ret;
	/* The unit is enabled everywhere; a station without a link ends
	 * it here, at once and without failing. */
	if (!cli->cfg->upstream) {
		printf(_("no upstream group in %s: nothing to send to the province; the link stays off\n"),
		       cli->config_path);
		return EXIT_OK;
	}
	if ((ret = load_link(cli, self)))
		return ret;
	return upstream_run(cli->cfg, LOA_VERSION) < 0 ? EXIT_RUNTIME : EXIT_OK;
}

static int up_resend(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_PERIOD_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_period p = CLI_PERIOD_OPEN;
	char actor[AUDIT_ACTOR_MAX + 1], from[16], to[16], *period;
	int64_t from_ms, to_ms, n;
	uint64_t seen = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (cli_period_option(self, c, optarg, &p)) {
		case 0:
			continue;
		case 1:
			break;
		default:
			return EXIT_USAGE;
		}
		if (c == 'h')
			return cli_help(self);
		return cli_bad_option(self, c, argv, opts);
	}
	if (cli_no_more_args(self, argc, argv) || cli_period_check(self, &p, CLI_PERIOD_REQUIRED) < 0)
		return EXIT_USAGE;
	if ((ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_WRITE)))
		return ret;
	cli_period_ms(&p, &from_ms, &to_ms);
	period = xasprintf("%s..%s", time_format_day(p.from, from), time_format_day(p.to, to));
	if (outbox_requeue(cli->db, from_ms, to_ms, audit_actor_self(actor), period, &n) < 0) {
		cli_error(self, _("cannot queue the rows of %s again (see above)"), period);
		free(period);
		return EXIT_RUNTIME;
	}
	printf(ngettext("%" PRId64 " row of %s queued again for the province\n",
			"%" PRId64 " rows of %s queued again for the province\n", (unsigned long)n), n, period);
	if (!cli->cfg->upstream)
		cli_error(self, _("%s has no upstream group: the rows wait in the outbox until one is added"),
			  cli->config_path);
	free(period);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "status", up_status },
	{ "test", up_test },
	{ "run", up_run },
	{ "resend", up_resend },
};

static int cmd_upstream(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	return cli_subcommand(cli, self, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "status, test, run or resend");
}

const struct cmd_entry cmd_upstream_entry = {
	.name = "upstream",
	.usage = N_("status [--json]\n"
		 "       loa upstream test\n"
		 "       loa upstream run\n"
		 "       loa upstream resend --from YYYY-MM-DD --to YYYY-MM-DD"),
	.summary = N_("the link to the province's information-source system: status, test, run (the "
		      "service), resend a period"),
	.exec = cmd_upstream,
};
