/* `loa next`: what will air, computed by the same planner the daemon runs,
 * so the preview is the schedule. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "content/library.h"
#include "content/province.h"
#include "content/sources.h"
#include "scheduler/plan.h"
#include "util/json.h"
#include "util/timeutil.h"

#define DAYS_MAX 3660

/* The relay sources, for the titles of relay windows; none without a database. */
struct relays {
	struct source *v;
	size_t n;
};

static const char *relay_title(const struct relays *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return source_title(&r->v[i]);
	return name;
}

/* The province's timed items, listed among the slots' by instant
 * (whether a normal one finds room beside a slot is the daemon's to say
 * when it comes: doc/province.md). */
struct province_list {
	struct province_item *v;
	size_t n;
};

static void print_json(const struct plan *p, const struct relays *r, const struct province_list *pl, bool all)
{
	struct json j;

	const struct province_item *pi;
	const struct plan_item *it;
	size_t i = 0, k = 0;

	json_init(&j, stdout);
	json_array_begin(&j);
	while (plan_walk(p, pl->v, pl->n, &i, &k, &it, &pi)) {
		if (pi) {
			province_item_json(&j, pi);
			continue;
		}
		if (it->part == PART_RELAY) {
			json_object_begin(&j);
			json_kv_time(&j, "occurrence_at", it->occurrence_at);
			json_kv_time(&j, "at", it->at);
			json_kv_string(&j, "slot", it->slot->name);
			json_kv_string(&j, "relay", it->slot->relay);
			json_kv_string(&j, "title", relay_title(r, it->slot->relay));
			json_kv_int(&j, "expected_ms", it->expected_ms);
			json_object_end(&j);
			continue;
		}
		if (it->skipped && !all)
			continue;
		json_object_begin(&j);
		json_kv_time(&j, "occurrence_at", it->occurrence_at);
		json_kv_time(&j, "at", it->at);
		json_kv_string(&j, "slot", it->slot->name);
		json_kv_int(&j, "bulletin_id", it->bulletin->id);
		json_kv_string(&j, "title", it->bulletin->title);
		json_kv_string(&j, "topic", it->bulletin->topic);
		json_kv_string(&j, "priority", priority_name(it->bulletin->priority));
		json_kv_int(&j, "expected_ms", it->expected_ms);
		if (it->skipped) {
			json_kv_bool(&j, "skipped", true);
			json_kv_string(&j, "reason", it->reason);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
}

static void print_text(const struct plan *p, const struct relays *r, const struct province_list *pl, bool all)
{
	const struct province_item *pi;
	const struct plan_item *it;
	size_t i = 0, k = 0, shown = 0;
	char a[ISO_LEN];

	while (plan_walk(p, pl->v, pl->n, &i, &k, &it, &pi)) {
		if (it && it->skipped && !all)
			continue;
		if (!shown++)
			/* TRANSLATORS: column heads over "%-19s  %-10s  %5lld  %5lld:%02lld  %s";
			 * align them by hand, in characters. */
			fputs(_("AT                   SLOT           ID    LENGTH  TITLE\n"), stdout);
		time_format_iso(pi ? pi->at : it->at, a);
		a[19] = '\0';
		a[10] = ' ';
		if (pi) {
			char id[24] = "-"; /* no bulletin until its audio is stored */

			if (pi->bulletin_id)
				snprintf(id, sizeof(id), "%lld", (long long)pi->bulletin_id);
			/* TRANSLATORS: in the SLOT column of loa next: an item the province scheduled. */
			printf("%-19s  %-10s  %5s  %8s  %s [%s %s/%s%s%s]\n", a, _("(province)"),
			       id, "", pi->title ? pi->title : "",
			       priority_name((enum priority)pi->priority), pi->schedule_id, pi->bulletin,
			       strcmp(pi->state, "stored") ? _(", audio ") : "", strcmp(pi->state, "stored") ? pi->state : "");
			continue;
		}
		if (it->part == PART_RELAY) {
			/* TRANSLATORS: a relay window (tiếp âm) in loa next, in the
			 * TITLE column: the source's name, then its title. */
			printf("%-19s  %-10s  %5s  %5lld:%02lld  ", a, it->slot->name, "-",
			       (long long)(it->expected_ms / 60000), (long long)(it->expected_ms / 1000 % 60));
			printf(_("relay %s: %s\n"), it->slot->relay, relay_title(r, it->slot->relay));
			continue;
		}
		printf("%-19s  %-10s  %5lld  %5lld:%02lld  %s%s%s\n", a, it->slot->name,
		       (long long)it->bulletin->id, (long long)(it->expected_ms / 60000),
		       (long long)(it->expected_ms / 1000 % 60), it->bulletin->title,
		       it->skipped ? _(" — skipped: ") : "", it->skipped ? it->reason : "");
	}
	if (!shown)
		puts(_("nothing will air in this period"));
}

static int cmd_next(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		CLI_PERIOD_OPTIONS,
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_period period = CLI_PERIOD_OPEN;
	struct bulletin *lib = NULL;
	struct plan plan = { 0 };
	struct relays relays = { 0 };
	struct province_list pl = { 0 };
	size_t n_lib = 0;
	bool json = false, all = false, have_days = false;
	int days = 7;
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
		case 'd':
			if (cli_parse_count(self, "--days", optarg, 1, DAYS_MAX, &days) < 0)
				return EXIT_USAGE;
			have_days = true;
			break;
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (have_days && (period.from != DAY_NONE_BEFORE || period.to != DAY_NONE_AFTER)) {
		cli_error(self, _("use either --days or --from/--to, not both"));
		return EXIT_USAGE;
	}
	if (cli_period_check(self, &period, CLI_PERIOD_PAIRED) < 0)
		return EXIT_USAGE;
	if (period.from != DAY_NONE_BEFORE && period.to - period.from >= DAYS_MAX) {
		cli_error(self, _("the period is at most %d days"), DAYS_MAX);
		return EXIT_USAGE;
	}
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (!ret)
		ret = cli_load_slots(cli);
	if (ret)
		return ret;
	if (period.from != DAY_NONE_BEFORE) {
		cli_period_ms(&period, &from_ms, &to_ms);
	} else {
		from_ms = time_now_ms();
		to_ms = from_ms + days * 86400000LL;
	}
	if (cli->db && library_list(cli->db, false, &lib, &n_lib) < 0) {
		cli_error(self, _("cannot read the bulletin library"));
		return EXIT_RUNTIME;
	}
	if (cli->db && sources_load(cli->db, &relays.v, &relays.n) < 0) {
		cli_error(self, _("cannot read the relay sources from the database"));
		bulletins_free(lib, n_lib);
		return EXIT_RUNTIME;
	}
	if (cli->db && province_items(cli->db, from_ms, to_ms, &pl.v, &pl.n) < 0) {
		cli_error(self, _("cannot read the province's items"));
		sources_free(relays.v, relays.n);
		bulletins_free(lib, n_lib);
		return EXIT_RUNTIME;
	}
	plan_range(cli->cfg, lib, n_lib, from_ms, to_ms, &plan);
	if (json)
		print_json(&plan, &relays, &pl, all);
	else
		print_text(&plan, &relays, &pl, all);
	plan_done(&plan);
	province_items_free(pl.v, pl.n);
	sources_free(relays.v, relays.n);
	bulletins_free(lib, n_lib);
	return EXIT_OK;
}

const struct cmd_entry cmd_next_entry = {
	.name = "next",
	.usage = N_("[--days N | --from YYYY-MM-DD --to YYYY-MM-DD] [--all] [--json]"),
	.summary = N_("preview what will air (--all adds what will be skipped, and why)"),
	.exec = cmd_next,
};
