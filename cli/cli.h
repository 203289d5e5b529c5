/* The command line, git-style: `loa [--config FILE] COMMAND ...`. Each
 * command is an entry in a table (name, usage, exec), as in tmux. Exit
 * codes are the public contract: 0 ok, 1 runtime failure, 2 usage or
 * invalid input. */
#ifndef LOA_CLI_H
#define LOA_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "content/library.h"
#include "db/db.h"
#include "util/csv.h"
#include "util/i18n.h"
#include "util/text.h"

/* What `loa --version` says, and the province link sends (PhienBanUngDung). */
#ifndef LOA_VERSION
#define LOA_VERSION "0.1.0"
#endif

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct cli {
	const char *config_path;
	struct config *cfg;
	struct db *db;
	/* Stop where a command would start acting (load the config, open a
	 * database): the command-line fuzzer parses without side effects. */
	bool parse_only;
	bool parsed; /* set when a parse_only run got that far */
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* the arguments after the command name */
	const char *summary; /* one line for `loa --help` */
	int (*exec)(struct cli *cli, const struct cmd_entry *self, int argc, char **argv);
};

extern const struct cmd_entry cmd_check_entry, cmd_import_entry, cmd_list_entry,
	cmd_log_entry, cmd_next_entry, cmd_daemon_entry, cmd_edit_entry, cmd_retire_entry,
	cmd_play_entry, cmd_alert_entry, cmd_stop_entry, cmd_status_entry, cmd_report_entry,
	cmd_verify_entry, cmd_backup_entry, cmd_slot_entry, cmd_audit_entry, cmd_user_entry,
	cmd_web_entry, cmd_upstream_entry;
/* Relays (tiếp âm): cli/cmd_source.c. */
extern const struct cmd_entry cmd_source_entry;

/* `loa ARGS...`: the global options, then the command's. Returns the exit status. */
int cli_run(struct cli *cli, int argc, char **argv);
/* Where parsing ends and acting begins: 0, or under parse_only EXIT_USAGE
 * (cli->parsed set), so the command stops before touching anything. */
int cli_acting(struct cli *cli);
/* Loads and validates the config (jingles probed, zone set); on failure
 * prints every problem and returns EXIT_USAGE, else 0. */
int cli_load_config(struct cli *cli);
/* Adds the database's slots to the loaded config (cli->db, or the
 * database opened read-only for the purpose), so that the command sees
 * the programme the daemon airs. A station without a database has none.
 * Returns 0, or EXIT_RUNTIME after saying why. */
int cli_load_slots(struct cli *cli);
/* Opens the station database; on failure prints why and returns the exit
 * status to use, else 0. A missing database in DB_READ_ONLY mode is not an
 * error: cli->db stays NULL and readers show an empty station. */
int cli_open_db(struct cli *cli, enum db_mode mode);
/* One subcommand of a command with several (`loa slot add`). */
struct cli_sub {
	const char *name;
	int (*exec)(struct cli *cli, const struct cmd_entry *self, int argc, char **argv);
};
/* Runs the subcommand argv[1] names, out of the N in SUBS, with argv[1]
 * as its argv[0]; --help prints SELF's usage; anything else is refused
 * naming NAMES ("add, edit, remove or list"). Returns the exit status. */
int cli_subcommand(struct cli *cli, const struct cmd_entry *self, int argc, char **argv, const struct cli_sub *subs,
		   size_t n, const char *names);
/* --help: prints "usage: loa NAME USAGE" from the command table to stdout;
 * returns EXIT_OK. */
int cli_help(const struct cmd_entry *self);
/* Prints "usage: loa NAME USAGE" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage(const struct cmd_entry *self);
/* SELF's usage, translated (usage and summary are marked with N_()). */
const char *cli_usage_text(const struct cmd_entry *self);
/* After getopt_long returned C, '?' or ':': says whether the option is
 * unknown, ambiguous (a prefix of several in OPTS) or lacks its value,
 * prints the usage, returns EXIT_USAGE. Option strings must start with ":". */
int cli_bad_option(const struct cmd_entry *self, int c, char **argv, const struct option *opts);
/* Refuses (-EINVAL, after saying so) an option of OPTS that takes a value
 * and was given before (bits in *SEEN); 0 otherwise. Flags may repeat. */
int cli_option_once(const struct cmd_entry *self, const struct option *opts, int c, uint64_t *seen);
/* Refuses (-EINVAL / -ENAMETOOLONG, after saying why) a path argument WHAT
 * ("-o", "FILE") that is empty or longer than the system takes. */
int cli_check_path(const struct cmd_entry *self, const char *what, const char *path);
/* After the options: 0 when nothing is left, else says what was not
 * expected and returns EXIT_USAGE. */
int cli_no_more_args(const struct cmd_entry *self, int argc, char **argv);
/* Prints "loa NAME: message" to stderr. */
void cli_error(const struct cmd_entry *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A period as --from and --to give it: local days, both included, open
 * ends DAY_NONE_BEFORE / DAY_NONE_AFTER. Every listing parses it here. */
struct cli_period {
	int32_t from, to;
};
#define CLI_PERIOD_OPEN ((struct cli_period){ DAY_NONE_BEFORE, DAY_NONE_AFTER })
enum cli_period_rule {
	CLI_PERIOD_OPTIONAL, /* either end may be open */
	CLI_PERIOD_PAIRED,   /* both or neither */
	CLI_PERIOD_REQUIRED, /* both */
};
/* Applies option C ('f' for --from, 't' for --to) to P. Returns 1 when C
 * is neither, 0, or -EINVAL after saying why. */
int cli_period_option(const struct cmd_entry *self, int c, const char *arg, struct cli_period *p);
/* Checks P as RULE asks, and that it is not empty. Returns 0 or -EINVAL
 * after saying why. */
int cli_period_check(const struct cmd_entry *self, const struct cli_period *p, enum cli_period_rule rule);
/* P as instants [*FROM_MS, *TO_MS): open ends are INT64_MIN and INT64_MAX. */
void cli_period_ms(const struct cli_period *p, int64_t *from_ms, int64_t *to_ms);
/* The long options of a period, for an option table. */
#define CLI_PERIOD_OPTIONS \
	{ "from", required_argument, NULL, 'f' }, \
	{ "to", required_argument, NULL, 't' }
/* Strict YYYY-MM-DD option parsing with a message naming the option. */
int cli_parse_day(const struct cmd_entry *self, const char *opt, const char *arg, int32_t *day);
/* The long options import and edit share (title, topic, plan, slot, from,
 * until, priority), for an option table. */
#define CLI_BULLETIN_OPTIONS \
	{ "title", required_argument, NULL, 't' }, \
	{ "topic", required_argument, NULL, 'T' }, \
	{ "plan", required_argument, NULL, 'p' }, \
	{ "slot", required_argument, NULL, 's' }, \
	{ "from", required_argument, NULL, 'f' }, \
	{ "until", required_argument, NULL, 'u' }, \
	{ "priority", required_argument, NULL, 'P' }
/* Applies one of those options to B (slots collect in SLOTS). Returns 0,
 * -EINVAL after printing why, or 1 when C is not one of them. */
int cli_bulletin_option(const struct cmd_entry *self, int c, const char *arg,
			struct bulletin *b, struct strlist *slots);
/* Checks what options alone cannot: from <= until, slots in the config. */
int cli_check_bulletin(struct cli *cli, const struct cmd_entry *self, const struct bulletin *b,
		       const struct strlist *slots);
/* Replaces B's slots with SLOTS (taken over). */
void cli_take_slots(struct bulletin *b, struct strlist *slots);
/* Tells a running daemon the library changed; silent when none runs. */
void cli_notify_daemon(struct cli *cli);
/* Sends LINE to the daemon. Returns the exit status; on success *body
 * (caller frees) holds the reply's body. Prints why on failure. */
int cli_daemon_request(struct cli *cli, const struct cmd_entry *self, const char *line, char **body);
/* The options of a listing (`loa log`, `loa audit`): the period, station-
 * local days with --to included (DAY_NONE_BEFORE / DAY_NONE_AFTER when
 * open), and the form. */
struct cli_listing {
	struct cli_period period;
	bool json, csv;
};
/* Parses --from, --to, --json, --csv and --help into L, and checks there
 * is nothing else. True to go on; false when the command ends here with
 * exit status *RET (after --help, or having said what is wrong). */
bool cli_listing_parse(const struct cmd_entry *self, int argc, char **argv, struct cli_listing *l, int *ret);
/* Instant MS as a CSV field in ISO 8601; an empty field for 0. */
void cli_csv_time(FILE *f, int64_t ms);
/* Parses a whole number MIN..MAX given to option OPT. */
int cli_parse_count(const struct cmd_entry *self, const char *opt, const char *arg, int min, int max, int *out);
/* Parses a bulletin id argument (a positive integer). */
int cli_parse_id(const struct cmd_entry *self, const char *arg, int64_t *id);
#endif
