/* `loa user add|passwd|remove|list`: the web console's accounts from the
 * box's shell, which is where the first admin comes from. Parses, reads
 * the password and prints; auth/auth.c checks, hashes, stores and records
 * who did it.
 *
 * The password comes from standard input when that is not a terminal (one
 * line, for scripts), else it is typed twice with echo off. It is read
 * byte by byte with read(2) into buffers of this file, so no copy stays in
 * a stdio buffer, and they are wiped once used. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "ledger/audit.h"
#include "util/json.h"
#include "util/timeutil.h"

/* The longest password, one byte more to tell one that is too long, and
 * the terminator. */
#define PW_BUF (AUTH_PASSWORD_MAX + 2)

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* Reads one line of FD into BUF without its newline. A longer line is read
 * to its end and kept cut at PW_BUF - 1 bytes, which the rules refuse as
 * too long; a NUL byte, which would cut the password short unseen, is
 * kept as a control character, which they refuse too. Returns 1 with a
 * line, 0 at the end of the input with nothing read, -EINTR after one of
 * the signals ask_hidden catches, or another -errno. */
static int read_line(int fd, char buf[PW_BUF])
{
	size_t n = 0;
	bool any = false;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0) {
			int e = errno;

			sodium_memzero(buf, PW_BUF);
			return -e;
		}
		if (r == 0 || c == '\n') {
			any = any || r > 0;
			break;
		}
		any = true;
		if (n < PW_BUF - 1)
			buf[n++] = c ? c : '\x01';
	}
	buf[n] = '\0';
	return any ? 1 : 0;
}

/* Prints PROMPT on the terminal and reads a line from it with echo off.
 * The terminal gets its echo back whatever happens: after Ctrl-C it is
 * restored first, then the process ends by the signal as it would have. */
static int ask_hidden(const char *prompt, char buf[PW_BUF])
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal }, old[4];
	struct termios was, quiet;
	int r, sig;

	if (tcgetattr(STDIN_FILENO, &was) < 0)
		return -errno;
	/* No SA_RESTART: the read must return so the echo can come back. */
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	fputs(prompt, stderr);
	fflush(stderr);
	quiet = was;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
		r = -errno;
	} else {
		r = read_line(STDIN_FILENO, buf);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &was);
	}
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	if ((sig = interrupted)) {
		sodium_memzero(buf, PW_BUF);
		fputc('\n', stderr);
		raise(sig);
		return -EINTR; /* the signal was ignored before we came */
	}
	return r;
}

/* The new password for NAME into PW. Returns 0, or the exit status after
 * saying why (PW wiped). */
static int read_password(const struct cmd_entry *self, const char *name, char pw[PW_BUF])
{
	char again[PW_BUF], msg[512], prompt[128];
	int r, ret = EXIT_USAGE;

	if (!isatty(STDIN_FILENO)) {
		r = read_line(STDIN_FILENO, pw);
		if (r < 0) {
			cli_error(self, _("cannot read the password from standard input: %s"), strerror(-r));
			return EXIT_RUNTIME;
		}
		if (r == 0 || !pw[0]) {
			cli_error(self, _("no password on standard input: its first line is empty; give the password "
				  "as one line, or run the command in a terminal to type it"));
			return EXIT_USAGE;
		}
		if (auth_password_check(pw, msg, sizeof(msg)) == 0)
			return 0;
		cli_error(self, "%s", msg);
		goto refuse;
	}
	snprintf(prompt, sizeof(prompt), _("New password for %s: "), name);
	if ((r = ask_hidden(prompt, pw)) < 0) {
		cli_error(self, _("cannot read the password from the terminal: %s"), strerror(-r));
		return EXIT_RUNTIME;
	}
	/* Before it is typed again: a password the rules refuse is said at once. */
	if (auth_password_check(pw, msg, sizeof(msg)) < 0) {
		cli_error(self, "%s", msg);
		goto refuse;
	}
	if ((r = ask_hidden(_("The same password again: "), again)) < 0) {
		cli_error(self, _("cannot read the password from the terminal: %s"), strerror(-r));
		ret = EXIT_RUNTIME;
		goto refuse;
	}
	if (r == 1 && strcmp(pw, again) == 0)
		ret = 0;
	else
		cli_error(self, _("the two passwords differ; nothing was changed; run the command again"));
	sodium_memzero(again, sizeof(again));
	if (ret == 0)
		return 0;
refuse:
	sodium_memzero(pw, PW_BUF);
	return ret;
}

/* Says what a core refusal means for the exit status. */
static int refused(const struct cmd_entry *self, int r, const char *msg)
{
	cli_error(self, "%s", msg);
	return r == -EIO ? EXIT_RUNTIME : EXIT_USAGE;
}

/* The config, the database (created by the first add), and libsodium. */
static int open_station(struct cli *cli, const struct cmd_entry *self, enum db_mode mode)
{
	int ret;

	if ((ret = cli_load_config(cli)) || (ret = cli_open_db(cli, mode)))
		return ret;
	if (auth_init() < 0) {
		cli_error(self, _("libsodium cannot start, so accounts cannot be changed here"));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Whether the account NAME exists: 1, 0, or -EIO after saying so. Asked
 * before the password is, so nobody types one for nothing. */
static int account_exists(struct cli *cli, const struct cmd_entry *self, const char *name)
{
	struct auth_account *v;
	size_t n;
	int found = 0;

	if (auth_account_list(cli->db, &v, &n) < 0) {
		cli_error(self, _("cannot read the accounts from the database"));
		return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		found |= strcmp(v[i].name, name) == 0;
	free(v);
	return found;
}

/* The one NAME after the options of SUB, checked against the rules. */
static int take_name(const struct cmd_entry *self, const char *sub, int argc, char **argv, const char **name)
{
	char msg[512];

	if (argc - optind != 1) {
		cli_error(self, argc - optind ? _("%s takes one account NAME") : _("%s: which account? give its NAME"),
			  sub);
		return cli_usage(self);
	}
	*name = argv[optind];
	if (auth_name_check(*name, msg, sizeof(msg)) < 0) {
		cli_error(self, "%s", msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int user_add(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char actor[AUDIT_ACTOR_MAX + 1], msg[512], pw[PW_BUF], q[TEXT_QUOTE_MAX];
	enum auth_role role = AUTH_OFFICER;
	bool have_role = false;
	const char *name;
	uint64_t seen = 0;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h' && c != 'r')
			return cli_bad_option(self, c, argv, opts);
		if (c == 'h')
			return cli_help(self);
		if (cli_option_once(self, opts, c, &seen) < 0)
			return EXIT_USAGE;
		if (auth_role_parse(optarg, &role) < 0) {
			cli_error(self, _("--role '%s' is not a role; give admin (all, accounts too), operator (airs "
				  "and changes bulletins and slots) or officer (sees and downloads)"), text_quote(optarg, q));
			return EXIT_USAGE;
		}
		have_role = true;
	}
	if ((ret = take_name(self, "add", argc, argv, &name)))
		return ret;
	if (!have_role) {
		cli_error(self, _("user add needs --role admin, operator or officer, e.g. loa user add lan --role "
			  "operator"));
		return EXIT_USAGE;
	}
	if ((ret = open_station(cli, self, DB_READ_WRITE)))
		return ret;
	if ((r = account_exists(cli, self, name)) != 0) {
		if (r < 0)
			return EXIT_RUNTIME;
		cli_error(self, _("there is an account '%s' already; choose another name, or give it a new "
			  "password with loa user passwd %s"), name, name);
		return EXIT_USAGE;
	}
	if ((ret = read_password(self, name, pw)))
		return ret;
	r = auth_account_add(cli->db, name, role, pw, audit_actor_self(actor), msg, sizeof(msg));
	sodium_memzero(pw, sizeof(pw));
	if (r < 0)
		return refused(self, r, msg);
	printf("%s\n", name);
	return EXIT_OK;
}

static int user_passwd(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char actor[AUDIT_ACTOR_MAX + 1], msg[512], pw[PW_BUF];
	const char *name;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if ((ret = take_name(self, "passwd", argc, argv, &name)) || (ret = open_station(cli, self, DB_READ_WRITE)))
		return ret;
	if ((r = account_exists(cli, self, name)) <= 0) {
		if (r < 0)
			return EXIT_RUNTIME;
		cli_error(self, _("there is no account '%s'; 'loa user list' shows them"), name);
		return EXIT_USAGE;
	}
	if ((ret = read_password(self, name, pw)))
		return ret;
	r = auth_account_passwd(cli->db, name, pw, audit_actor_self(actor), msg, sizeof(msg));
	sodium_memzero(pw, sizeof(pw));
	return r < 0 ? refused(self, r, msg) : EXIT_OK;
}

static int user_remove(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char actor[AUDIT_ACTOR_MAX + 1], msg[512];
	const char *name;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if ((ret = take_name(self, "remove", argc, argv, &name)) || (ret = open_station(cli, self, DB_READ_WRITE)))
		return ret;
	r = auth_account_remove(cli->db, name, audit_actor_self(actor), msg, sizeof(msg));
	return r < 0 ? refused(self, r, msg) : EXIT_OK;
}

/* "2026-12-02 10:00", local, for people. */
static const char *short_time(int64_t ms, char buf[ISO_LEN])
{
	time_format_iso(ms, buf);
	buf[10] = ' ';
	buf[16] = '\0';
	return buf;
}

static void print_text(const struct auth_account *v, size_t n)
{
	char created[ISO_LEN], last[ISO_LEN];

	if (n == 0) {
		puts(_("no accounts yet; add the first admin with: loa user add NAME --role admin"));
		return;
	}
	/* TRANSLATORS: column heads over "%-20s  %-8s  %-16s  %s"; align them
	 * by hand, in characters. */
	fputs(_("NAME                  ROLE      CREATED           LAST LOGIN\n"), stdout);
	for (size_t i = 0; i < n; i++)
		printf("%-20s  %-8s  %-16s  %s\n", v[i].name, auth_role_name(v[i].role),
		       short_time(v[i].created_at, created),
		       v[i].last_login_at ? short_time(v[i].last_login_at, last) : _("never"));
}

static void print_json(const struct auth_account *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "name", v[i].name);
		json_kv_string(&j, "role", auth_role_name(v[i].role));
		json_kv_time(&j, "created_at", v[i].created_at);
		json_kv_time(&j, "last_login_at", v[i].last_login_at); /* null when never */
		json_object_end(&j);
	}
	json_array_end(&j);
}

static int user_list(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct auth_account *v = NULL;
	size_t n = 0;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
			continue;
		}
		if (c != 'h')
			return cli_bad_option(self, c, argv, opts);
		return cli_help(self);
	}
	if (cli_no_more_args(self, argc, argv))
		return EXIT_USAGE;
	/* A station without a database has no accounts. */
	if ((ret = cli_load_config(cli)) || (ret = cli_open_db(cli, DB_READ_ONLY)))
		return ret;
	if (cli->db && auth_account_list(cli->db, &v, &n) < 0) {
		cli_error(self, _("cannot read the accounts from the database"));
		return EXIT_RUNTIME;
	}
	if (json)
		print_json(v, n);
	else
		print_text(v, n);
	free(v);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "add", user_add },
	{ "passwd", user_passwd },
	{ "remove", user_remove },
	{ "list", user_list },
};

static int cmd_user(struct cli *cli, const struct cmd_entry *self, int argc, char **argv)
{
	return cli_subcommand(cli, self, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "add, passwd, remove or list");
}

const struct cmd_entry cmd_user_entry = {
	.name = "user",
	.usage = N_("add NAME --role admin|operator|officer\n"
		 "       loa user passwd NAME\n"
		 "       loa user remove NAME\n"
		 "       loa user list [--json]"),
	.summary = N_("the web console's accounts: add, passwd, remove, list"),
	.exec = cmd_user,
};
