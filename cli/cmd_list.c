/* `loa list`: the bulletin library, for people or (--json) for machines. */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

#include "content/library.h"
#include "util/json.h"
#include "util/timeutil.h"

static void print_json(const struct bulletin *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		bulletin_json(&j, &v[i]);
	json_array_end(&j);
}

static void print_text(const struct bulletin *v, size_t n)
{
	if (n == 0) {
		puts(_("no bulletins yet; add one with: loa import --slot NAME FILE"));
		return;
	}
	/* TRANSLATORS: column heads over "%5lld  %5lld:%02lld  %-9s  %-8s  %-16s  %s";
	 * align them by hand, in characters. */
	fputs(_("   ID    LENGTH  PRIORITY   TOPIC     SLOTS             TITLE\n"), stdout);
	for (size_t i = 0; i < n; i++) {
		const struct bulletin *b = &v[i];
		char slots[64] = "-";
		size_t used = 0;

		for (size_t k = 0; k < b->n_slots && used < sizeof(slots) - 1; k++)
			used += (size_t)snprintf(slots + used, sizeof(slots) - used, "%s%s", k ? "," : "", b->slots[k]);
		/* A bulletin of the province says so, and its BanTinID. */
		if (bulletin_from_province(b))
			snprintf(slots, sizeof(slots), _("province:%s"), b->province_id ? b->province_id : "");
		printf("%5lld  %5lld:%02lld  %-9s  %-8s  %-16s  %s%s\n", (long long)b->id,
		       (long long)(b->audio.duration_ms / 60000), (long long)(b->audio.duration_ms / 1000 % 60),
		       priority_name(b->priority), b->topic ? b->topic : "-", slots, b->title,
		       b->retired_at ? _(" (retired)") : "");
	}
}

static int cmd_list(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bulletin *v = NULL;
	size_t n = 0;
	bool json = false, all = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'a')
			all = true;
		else if (c == 'h') {
			return cli_help(self);
		} else
			return cli_bad_option(self, c, argv, opts);
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_open_db(cli, DB_READ_ONLY);
	if (ret)
		return ret;
	if (cli->db && library_list(cli->db, all, &v, &n) < 0) {
		cli_error(self, _("cannot read the bulletin library"));
		return EXIT_RUNTIME;
	}
	if (json)
		print_json(v, n);
	else
		print_text(v, n);
	bulletins_free(v, n);
	return EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = N_("[--all] [--json]"),
	.summary = N_("list the bulletins (--all includes retired ones)"),
	.exec = cmd_list,
};
