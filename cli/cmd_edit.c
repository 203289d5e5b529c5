/* `loa edit` and `loa retire`: change a bulletin's metadata or take it off
 * the schedule. Neither touches the ledger: its rows carry their own
 * snapshot of the bulletin. content/library.c records each in the audit
 * trail, as the user who runs the command. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "ledger/audit.h"
#include "util/timeutil.h"

static int cmd_edit(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_BULLETIN_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bulletin b = { 0 }, edits = { .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER };
	struct strlist slots = { 0 };
	uint64_t seen = 0;
	bool any = false, slots_given = false, prio_given = false;
	char actor[AUDIT_ACTOR_MAX + 1];
	int64_t id;
	int c, ret = EXIT_USAGE;

	edits.priority = (enum priority)-1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int r = c == 's' || cli_option_once(self, opts, c, &seen) == 0 ?
			cli_bulletin_option(self, c, optarg, &edits, &slots) : -EINVAL;

		if (r < 0)
			goto out;
		if (r == 0) {
			any = true;
			slots_given |= c == 's';
			prio_given |= c == 'P';
			continue;
		}
		if (c == 'h') {
			ret = cli_help(self);
		} else {
			ret = cli_bad_option(self, c, argv, opts);
		}
		goto out;
	}
	if (argc - optind != 1 || cli_parse_id(self, argv[optind], &id) < 0) {
		if (argc - optind != 1)
			cli_error(self, _("give exactly one bulletin id"));
		ret = cli_usage(self);
		goto out;
	}
	if (!any) {
		cli_error(self, _("nothing to change; give at least one of --title, --topic, --plan, --slot, "
			  "--from, --until, --priority"));
		goto out;
	}
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_WRITE);
	if (!ret)
		ret = cli_load_slots(cli);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (library_get(cli->db, id, &b) < 0) {
		cli_error(self, _("there is no bulletin #%lld; 'loa list' shows them"), (long long)id);
		goto out;
	}
	if (bulletin_from_province(&b)) {
		cli_error(self, _("bulletin #%lld came from the province (BanTinID %s): only the province changes "
			  "it; 'loa stop' stops it on air"), (long long)id, b.province_id ? b.province_id : "");
		goto out;
	}
	/* What was not given stays as it was. */
	if (edits.title) {
		free(b.title);
		b.title = edits.title;
		edits.title = NULL;
	}
	if (edits.topic) {
		free(b.topic);
		b.topic = edits.topic;
		edits.topic = NULL;
	}
	if (edits.plan) {
		free(b.plan);
		b.plan = edits.plan;
		edits.plan = NULL;
	}
	if (edits.valid_from != DAY_NONE_BEFORE)
		b.valid_from = edits.valid_from;
	if (edits.valid_until != DAY_NONE_AFTER)
		b.valid_until = edits.valid_until;
	if (prio_given)
		b.priority = edits.priority;
	if (!slots_given)
		for (size_t i = 0; i < b.n_slots; i++)
			strlist_add(&slots, b.slots[i]);
	if (cli_check_bulletin(cli, self, &b, &slots) < 0)
		goto out;
	cli_take_slots(&b, &slots);
	if (library_update(cli->db, &b, audit_actor_self(actor)) < 0) {
		cli_error(self, _("the database refused the change; nothing was changed"));
		ret = EXIT_RUNTIME;
		goto out;
	}
	cli_notify_daemon(cli);
	ret = EXIT_OK;
out:
	strlist_done(&slots);
	bulletin_done(&b);
	bulletin_done(&edits);
	return ret;
}

static int cmd_retire(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char actor[AUDIT_ACTOR_MAX + 1];
	int64_t id;
	int c, ret, err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			return cli_help(self);
		}
		return cli_bad_option(self, c, argv, opts);
	}
	if (argc - optind != 1) {
		cli_error(self, _("give exactly one bulletin id"));
		return cli_usage(self);
	}
	if (cli_parse_id(self, argv[optind], &id) < 0)
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_WRITE);
	if (ret)
		return ret;
	err = library_retire(cli->db, id, time_now_ms(), audit_actor_self(actor));
	if (err == -ENOENT) {
		cli_error(self, _("there is no active bulletin #%lld; 'loa list --all' shows them"), (long long)id);
		return EXIT_USAGE;
	}
	if (err == -EPERM) {
		cli_error(self, _("bulletin #%lld came from the province: only the province retires it (by cancelling "
			  "its schedule); 'loa stop' stops it on air"), (long long)id);
		return EXIT_USAGE;
	}
	if (err < 0) {
		cli_error(self, _("the database refused the change; nothing was changed"));
		return EXIT_RUNTIME;
	}
	cli_notify_daemon(cli);
	return EXIT_OK;
}

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.usage = N_("ID [--title TEXT] [--topic CODE|SLUG] [--plan TEXT] [--slot NAME]... "
		 "[--from YYYY-MM-DD] [--until YYYY-MM-DD] [--priority normal|priority|emergency]"),
	.summary = N_("change a bulletin (--slot replaces its slots); the ledger keeps what aired"),
	.exec = cmd_edit,
};

const struct cmd_entry cmd_retire_entry = {
	.name = "retire",
	.usage = N_("ID"),
	.summary = N_("take a bulletin off the schedule for good; its history stays"),
	.exec = cmd_retire,
};
