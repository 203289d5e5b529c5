/* Commands for the running daemon, over its control socket: play, alert,
 * stop and status. They change nothing themselves; the daemon decides and
 * the ledger records. */
#include "cli/cli.h"
#include "scheduler/control.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Sends LINE and prints the daemon's answer. */
static int request(struct cli *cli, const struct cmd_entry *self, const char *line)
{
	char *body = NULL;
	int ret = cli_load_config(cli);

	if (ret)
		return ret;
	ret = cli_daemon_request(cli, self, line, &body);
	if (ret == EXIT_OK && body && *body)
		puts(body);
	free(body);
	return ret;
}

static int help(const struct cmd_entry *self)
{
	return cli_help(self);
}

static int cmd_play(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	char line[64];
	int64_t id;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'F')
			force = true;
		else if (c == 'h')
			return help(self);
		else
			return cli_bad_option(self, c, argv, opts);
	}
	if (argc - optind != 1) {
		cli_error(self, _("which bulletin? give its id (loa list shows them)"));
		return cli_usage(self);
	}
	if (cli_parse_id(self, argv[optind], &id) < 0)
		return EXIT_USAGE;
	snprintf(line, sizeof(line), "play %lld%s", (long long)id, force ? " force" : "");
	return request(cli, self, line);
}

static int cmd_alert(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "every", required_argument, NULL, 'e' },
		{ "cancel", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int repeat = 1, every = 60, c;
	bool cancel = false, have_every = false;
	char line[96];
	uint64_t seen = 0;
	int64_t id;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		switch (c) {
		case 'r':
			if (cli_parse_count(self, "--repeat", optarg, 1, CONTROL_REPEAT_MAX, &repeat) < 0)
				return EXIT_USAGE;
			break;
		case 'e':
			if (cli_parse_count(self, "--every", optarg, 1, CONTROL_EVERY_MAX, &every) < 0)
				return EXIT_USAGE;
			have_every = true;
			break;
		case 'c':
			cancel = true;
			break;
		case 'h':
			return help(self);
		default:
			return cli_bad_option(self, c, argv, opts);
		}
	}
	if (cancel) {
		if (optind < argc || repeat != 1 || have_every) {
			cli_error(self, _("--cancel takes nothing else"));
			return cli_usage(self);
		}
		return request(cli, self, "alert-cancel");
	}
	if (argc - optind != 1) {
		cli_error(self, _("which bulletin? give its id (loa list shows them)"));
		return cli_usage(self);
	}
	if (cli_parse_id(self, argv[optind], &id) < 0)
		return EXIT_USAGE;
	if (have_every && repeat == 1) {
		cli_error(self, _("--every needs --repeat N (N > 1): how many times the alert airs"));
		return EXIT_USAGE;
	}
	snprintf(line, sizeof(line), "alert %lld %d %d", (long long)id, repeat, every);
	return request(cli, self, line);
}

static int cmd_stop(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		return c == 'h' ? help(self) : cli_bad_option(self, c, argv, opts);
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	return request(cli, self, "stop");
}

static int cmd_status(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	char *body = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return help(self);
		else
			return cli_bad_option(self, c, argv, opts);
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	ret = cli_load_config(cli);
	if (ret)
		return ret;
	ret = cli_daemon_request(cli, self, json ? "status" : "status-line", &body);
	if (ret == EXIT_OK)
		fputs(body, stdout);
	if (ret == EXIT_OK && !json)
		putchar('\n');
	free(body);
	return ret;
}

const struct cmd_entry cmd_play_entry = {
	.name = "play",
	.usage = N_("[--force] ID"),
	.summary = N_("air a bulletin once, after the current item (--force: outside the station's hours)"),
	.exec = cmd_play,
};

const struct cmd_entry cmd_alert_entry = {
	.name = "alert",
	.usage = N_("ID [--repeat N [--every MINUTES]] | --cancel"),
	.summary = N_("air an emergency now, preempting what plays; --cancel ends the repetitions"),
	.exec = cmd_alert,
};

const struct cmd_entry cmd_stop_entry = {
	.name = "stop",
	.usage = "",
	.summary = N_("stop the item on air (recorded as cancelled)"),
	.exec = cmd_stop,
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = N_("[--json]"),
	.summary = N_("what the daemon is doing: on air, next, clock, device, last error"),
	.exec = cmd_status,
};
