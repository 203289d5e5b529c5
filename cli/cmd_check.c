/* `loa check`: validate the config the daemon would use, without touching
 * anything. Operators run it after every edit. */
#include "cli/cli.h"

#include <getopt.h>

static int cmd_check(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct strlist errs = { 0 };
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			return cli_help(self);
		}
		return cli_bad_option(self, c, argv, opts);
	}
	if (optind < argc) {
		cli_error(self, _("takes no arguments (the config is chosen with --config)"));
		return cli_usage(self);
	}
	ret = cli_load_config(cli);
	if (!ret)
		ret = cli_load_slots(cli);
	if (ret)
		return ret;
	/* The link's password file is the link's business (the daemon does
	 * not read it), but an operator checking the config is told. */
	if (config_upstream_secret_check(cli->cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		strlist_done(&errs);
		return EXIT_USAGE;
	}
	/* "ok" alone on the first line is what scripts look for; where each
	 * slot comes from follows, for people. */
	puts("ok");
	for (size_t i = 0; i < cli->cfg->n_slots; i++) {
		const struct slot *s = &cli->cfg->slots[i];

		if (s->source == SLOT_FROM_CONFIG)
			printf(_("slot %s: %s line %d\n"), s->name, cli->cfg->path, s->line);
		else
			printf(_("slot %s: the database (loa slot)\n"), s->name);
	}
	if (cli->cfg->upstream)
		printf(_("upstream: %s as %s (device %s)\n"), cli->cfg->upstream->url, cli->cfg->upstream->username,
		       cli->cfg->upstream->device_id);
	return EXIT_OK;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "",
	.summary = N_("validate the config: prints ok, or FILE:LINE: message per problem"),
	.exec = cmd_check,
};
