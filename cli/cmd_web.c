/* `loa web`: the web console, as a process of its own. Parses, loads the
 * config and runs web/server.c until SIGTERM; it reaches the daemon only
 * over the control socket, so stopping or crashing it never touches what
 * airs. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>

#include "web/web.h"

static int cmd_web(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = NULL;
	char q[TEXT_QUOTE_MAX], *host;
	uint64_t seen = 0;
	int c, port, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'h':
			return cli_help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	if (listen && config_parse_listen(listen, &host, &port) < 0) {
		cli_error(self, _("--listen '%s' is not an address and port; write an IP address and a port from 1 "
			  "to 65535, e.g. 127.0.0.1:8080 or [::1]:8080"), text_quote(listen, q));
		return EXIT_USAGE;
	}
	if (listen)
		free(host);
	ret = cli_load_config(cli);
	if (ret)
		return ret;
	if (listen) {
		free(cli->cfg->web.host);
		config_parse_listen(listen, &cli->cfg->web.host, &cli->cfg->web.port);
	}
	/* Two malloc arenas, not one per connection thread: glibc keeps a
	 * freed thread arena's pages, and after 20 clients the console sat
	 * at 47 MB against 12 MB idle; with two it stayed at 12.5 MB and
	 * served as fast (bench/web.sh). */
	mallopt(M_ARENA_MAX, 2);
	return web_run(cli->cfg) < 0 ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_web_entry = {
	.name = "web",
	.usage = N_("[--listen ADDRESS:PORT]"),
	.summary = N_("serve the web console (web group of loa.conf) until stopped"),
	.exec = cmd_web,
};
