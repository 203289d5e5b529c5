/* `loa daemon`: run the station. A config error is a usage error (exit 2);
 * a database that cannot be opened is a runtime failure (exit 1). */
#include "cli/cli.h"

#include <getopt.h>
#include <malloc.h>

#include "scheduler/daemon.h"

static int cmd_daemon(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct config *cfg;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			return cli_help(self);
		}
		return cli_bad_option(self, c, argv, opts);
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	/* One malloc arena: the page check's thread would otherwise get an
	 * arena of its own, whose pages stay resident for the daemon's life
	 * after the thread is gone (about 200 KiB, a third of its idle heap). */
	if (!ret)
		mallopt(M_ARENA_MAX, 1);
	if (!ret)
		ret = cli_open_db(cli, DB_DAEMON);
	if (ret)
		return ret;
	/* The daemon owns the config from here: it swaps it on reload. */
	cfg = cli->cfg;
	cli->cfg = NULL;
	return daemon_run(cli->config_path, cfg, cli->db);
}

const struct cmd_entry cmd_daemon_entry = {
	.name = "daemon",
	.usage = "",
	.summary = N_("run the station: air each slot on time and record it in the ledger"),
	.exec = cmd_daemon,
};
