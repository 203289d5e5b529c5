/* The command line: global options, then dispatch through the command table. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/jingle.h"
#include "content/slots.h"
#include "scheduler/control.h"
#include "util/i18n.h"
#include "util/timeutil.h"

static const struct cmd_entry *const commands[] = {
	&cmd_daemon_entry, &cmd_check_entry, &cmd_import_entry, &cmd_edit_entry,
	&cmd_retire_entry, &cmd_list_entry, &cmd_slot_entry, &cmd_source_entry, &cmd_next_entry, &cmd_play_entry,
	&cmd_alert_entry, &cmd_stop_entry, &cmd_status_entry, &cmd_log_entry, &cmd_audit_entry,
	&cmd_report_entry, &cmd_verify_entry, &cmd_backup_entry, &cmd_user_entry, &cmd_web_entry,
	&cmd_upstream_entry,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
	fprintf(f, _("usage: loa [--config FILE] COMMAND [ARGS]\n\n"
		     "The config is --config FILE, else $LOA_CONFIG, else %s.\n\ncommands:\n"),
		CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, _(commands[i]->summary));
	fprintf(f, _("\n'loa COMMAND --help' shows a command's arguments.\n"));
}

int cli_acting(struct cli *cli)
{
	if (!cli->parse_only)
		return 0;
	cli->parsed = true;
	return EXIT_USAGE;
}

int cli_load_config(struct cli *cli)
{
	struct strlist errs = { 0 };
	int err;

	if ((err = cli_acting(cli)))
		return err;
	err = config_load(cli->config_path, &cli->cfg, &errs);
	if (err == 0)
		err = jingle_probe_config(cli->cfg, &errs);
	if (err == 0 && time_set_zone(cli->cfg->timezone) < 0) {
		strlist_addf(&errs, _("%s: the time zone '%s' cannot be used"), cli->config_path, cli->cfg->timezone);
		err = -EINVAL;
	}
	if (err < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		if (errs.n == 0)
			fprintf(stderr, _("%s: the config cannot be used\n"), cli->config_path);
		strlist_done(&errs);
		config_free(cli->cfg);
		cli->cfg = NULL;
		return EXIT_USAGE;
	}
	strlist_done(&errs);
	return 0;
}

int cli_load_slots(struct cli *cli)
{
	struct db *db = cli->db;
	char msg[1024];
	int err = 0;

	if (!db)
		err = db_open(cli->cfg->state_dir, DB_READ_ONLY, &db, msg, sizeof(msg));
	if (err == -ENOENT)
		return 0; /* a new station: no database, no slots in it */
	if (err == 0 && slots_merge(cli->cfg, db) < 0)
		snprintf(msg, sizeof(msg), _("cannot read the slots from %s/loa.db"), cli->cfg->state_dir);
	else if (err == 0)
		msg[0] = '\0';
	if (db != cli->db)
		db_close(db);
	if (msg[0]) {
		fprintf(stderr, "loa: %s\n", msg);
		return EXIT_RUNTIME;
	}
	return 0;
}

int cli_open_db(struct cli *cli, enum db_mode mode)
{
	char msg[1024]; /* a damaged database is explained at length, in Vietnamese too */
	int err = db_open(cli->cfg->state_dir, mode, &cli->db, msg, sizeof(msg));

	if (err == -ENOENT && mode == DB_READ_ONLY) {
		cli->db = NULL;
		return 0;
	}
	if (err < 0) {
		fprintf(stderr, "loa: %s\n", msg);
		return EXIT_RUNTIME;
	}
	return 0;
}

void cli_notify_daemon(struct cli *cli)
{
	char *reply = NULL;

	if (control_request(cli->cfg->socket_path, "changed", &reply) == 0)
		free(reply);
}

int cli_daemon_request(struct cli *cli, const struct cmd_entry *self, const char *line, char **body)
{
	char *reply = NULL, *nl;
	int err = control_request(cli->cfg->socket_path, line, &reply);
	int code;

	if (err == -ENOENT || err == -ECONNREFUSED) {
		cli_error(self, _("the loa daemon is not running (nothing listens on %s); start it with "
			    "'systemctl start loa' or 'loa daemon'"), cli->cfg->socket_path);
		return EXIT_RUNTIME;
	}
	if (err == -EACCES) {
		cli_error(self, _("permission denied on %s: ask to be added to group loa"), cli->cfg->socket_path);
		return EXIT_RUNTIME;
	}
	if (err < 0) {
		cli_error(self, _("cannot talk to the daemon on %s: %s"), cli->cfg->socket_path, strerror(-err));
		return EXIT_RUNTIME;
	}
	nl = strchr(reply, '\n');
	*body = xstrdup(nl ? nl + 1 : "");
	/* A message is one line; its newline is the caller's to print. */
	if ((*body)[0] != '{')
		(*body)[strcspn(*body, "\n")] = '\0';
	if (!strncmp(reply, "ok", 2)) {
		free(reply);
		return EXIT_OK;
	}
	code = atoi(reply + strlen("error "));
	cli_error(self, "%s", (*body)[0] ? *body : _("the daemon refused the request"));
	free(reply);
	free(*body);
	*body = NULL;
	/* No such bulletin, outside the station's hours, a bad request: the
	 * input was wrong. Anything else is the station's state. */
	return code == ENOENT || code == EPERM || code == EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

int cli_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	int c, ret;
	char q[TEXT_QUOTE_MAX];

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cli->config_path) {
				fprintf(stderr, _("loa: --config is given twice; give it once\n"));
				return EXIT_USAGE;
			}
			if (!*optarg) {
				fprintf(stderr, _("loa: --config is empty; give the config file, e.g. %s\n"),
					CONFIG_DEFAULT_PATH);
				return EXIT_USAGE;
			}
			cli->config_path = optarg;
			break;
		case 'h':
			print_help(stdout);
			return EXIT_OK;
		case 'V':
			printf("loa %s\n", LOA_VERSION);
			return EXIT_OK;
		case ':':
			fprintf(stderr, _("loa: option '%s' needs a value\n"), text_quote(argv[optind - 1], q));
			print_help(stderr);
			return EXIT_USAGE;
		default:
			fprintf(stderr, _("loa: unknown option '%s'\n"), text_quote(argv[optind - 1], q));
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!cli->config_path)
		cli->config_path = getenv("LOA_CONFIG");
	if (!cli->config_path || !*cli->config_path)
		cli->config_path = CONFIG_DEFAULT_PATH;

	name = argv[optind];
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i]->name, name) != 0)
			continue;
		argc -= optind;
		argv += optind;
		optind = 0; /* restart getopt for the command's own options */
		ret = commands[i]->exec(cli, commands[i], argc, argv);
		if (cli->db)
			db_close(cli->db);
		config_free(cli->cfg);
		return ret;
	}
	fprintf(stderr, _("loa: '%s' is not a loa command; 'loa --help' lists them\n"), text_quote(name, q));
	return EXIT_USAGE;
}
