/* scheduler/control: the control socket's protocol.
 *
 * Two halves. control_parse gets every kind of line a client could send,
 * well-formed or hostile, and must accept exactly the requests `loa` sends
 * with their arguments in the CLI's bounds. Then a real socket in a
 * temporary folder (control_open), real clients, and control_handle driving
 * a real engine (a SQLite database, a config file, a sink that plays
 * nothing and a clock that does not move): the replies are checked, and
 * for each refused request that the engine was never asked to do anything
 * (no element opened, no alert pending). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "config/config.h"
#include "content/library.h"
#include "db/db.h"
#include "scheduler/control.h"
#include "scheduler/engine.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define SHA "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
/* Monday 4 January 2027, 08:00 in Vietnam (UTC+7): inside any hours. */
#define NOW_MS 1799024400000LL

/* ---- control_parse ---- */

/* Parses the C string LINE; returns what control_parse returned. */
static int parse(const char *line, struct control_req *req, char *msg, size_t len)
{
	msg[0] = '\0';
	return control_parse(line, strlen(line), req, msg, len);
}

static struct control_req parse_ok(const char *line)
{
	struct control_req req;
	char msg[512];

	if (parse(line, &req, msg, sizeof(msg)) != 0)
		fail_msg("'%s' was refused: %s", line, msg);
	return req;
}

/* LINE is refused with ERR and a message containing FRAG. */
static void parse_refused(const char *line, int err, const char *frag)
{
	struct control_req req;
	char msg[512];
	int r = parse(line, &req, msg, sizeof(msg));

	if (r != err)
		fail_msg("'%s': returned %d, expected %d (%s)", line, r, err, msg);
	if (!strstr(msg, frag))
		fail_msg("'%s': the message '%s' lacks '%s'", line, msg, frag);
}

static void test_parse_accepts_every_request(void **state)
{
	struct control_req r;

	(void)state;
	assert_int_equal(parse_ok("status\n").cmd, CONTROL_STATUS);
	assert_int_equal(parse_ok("status-line\n").cmd, CONTROL_STATUS_LINE);
	assert_int_equal(parse_ok("alert-cancel\n").cmd, CONTROL_ALERT_CANCEL);
	assert_int_equal(parse_ok("stop\n").cmd, CONTROL_STOP);
	assert_int_equal(parse_ok("changed\n").cmd, CONTROL_CHANGED);
	r = parse_ok("play 12\n");
	assert_int_equal(r.cmd, CONTROL_PLAY);
	assert_int_equal(r.id, 12);
	assert_false(r.force);
	r = parse_ok("play 12 force\n");
	assert_int_equal(r.id, 12);
	assert_true(r.force);
	r = parse_ok("alert 7 3 60\n");
	assert_int_equal(r.cmd, CONTROL_ALERT);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.repeat, 3);
	assert_int_equal(r.every, 60);
	/* The bounds themselves are in. */
	r = parse_ok("alert 7 1 1\n");
	assert_int_equal(r.repeat, 1);
	assert_int_equal(r.every, 1);
	r = parse_ok("alert 7 1000 1440\n");
	assert_int_equal(r.repeat, 1000);
	assert_int_equal(r.every, 1440);
	/* The largest id SQLite can hold. */
	assert_int_equal(parse_ok("play 9223372036854775807\n").id, INT64_MAX);
	/* A terminal's line end, extra spaces, and whatever follows the line. */
	assert_int_equal(parse_ok("status\r\n").cmd, CONTROL_STATUS);
	assert_int_equal(parse_ok("  play   5  \n").id, 5);
	assert_int_equal(parse_ok("stop\nplay 1\n").cmd, CONTROL_STOP);
}

/* The console names the account it acts for at the end of the four
 * requests that act, and nowhere else. */
static void test_parse_by_account(void **state)
{
	struct control_req r;
	char long_name[64];

	(void)state;
	r = parse_ok("play 12 force by nam\n");
	assert_true(r.force);
	assert_int_equal(r.id, 12);
	assert_string_equal(r.by, "nam");
	r = parse_ok("alert 7 3 60 by lan.tran\n");
	assert_int_equal(r.every, 60);
	assert_string_equal(r.by, "lan.tran");
	assert_string_equal(parse_ok("stop by nam\n").by, "nam");
	assert_string_equal(parse_ok("alert-cancel by nam\n").by, "nam");
	assert_string_equal(parse_ok("stop\n").by, "");
	parse_refused("status by nam\n", -EINVAL, "malformed request 'status'");
	parse_refused("changed by nam\n", -EINVAL, "malformed request 'changed'");
	parse_refused("stop by\n", -EINVAL, "malformed request 'stop'");
	memset(long_name, 'a', 40);
	long_name[40] = '\0';
	{
		char line[128];

		snprintf(line, sizeof(line), "stop by %s\n", long_name);
		parse_refused(line, -EINVAL, "longer than 32 bytes");
	}
}

static void test_parse_alert_bounds_are_the_clis(void **state)
{
	(void)state;
	parse_refused("alert 7 0 60\n", -EINVAL, "repeat '0' must be a whole number from 1 to 1000");
	parse_refused("alert 7 1001 60\n", -EINVAL, "repeat '1001' must be a whole number from 1 to 1000");
	parse_refused("alert 7 3 0\n", -EINVAL, "every '0' must be a whole number from 1 to 1440");
	parse_refused("alert 7 3 1441\n", -EINVAL, "every '1441' must be a whole number from 1 to 1440");
	parse_refused("alert 7 three 60\n", -EINVAL, "repeat 'three'");
	parse_refused("alert 7 3 sixty\n", -EINVAL, "every 'sixty'");
	parse_refused("alert 7 3x 60\n", -EINVAL, "repeat '3x'");
	parse_refused("alert 7 3 60m\n", -EINVAL, "every '60m'");
	parse_refused("alert 7 -3 60\n", -EINVAL, "repeat '-3'");
	parse_refused("alert 7 +3 60\n", -EINVAL, "repeat '+3'");
	parse_refused("alert 7 0x10 60\n", -EINVAL, "repeat '0x10'");
	parse_refused("alert 7 1e2 60\n", -EINVAL, "repeat '1e2'");
	/* atoi() read these as 1 and as whatever the overflow gave. */
	parse_refused("alert 7 4294967297 60\n", -EINVAL, "repeat '4294967297'");
	parse_refused("alert 7 3 99999999999999999999999\n", -EINVAL, "every '99999999999999999999999'");
	parse_refused("alert 0 3 60\n", -EINVAL, "'0' is not a bulletin id");
	parse_refused("alert 7x 3 60\n", -EINVAL, "'7x' is not a bulletin id");
}

static void test_parse_refuses_bad_ids(void **state)
{
	(void)state;
	parse_refused("play 0\n", -EINVAL, "'0' is not a bulletin id");
	parse_refused("play -1\n", -EINVAL, "'-1' is not a bulletin id");
	parse_refused("play 12abc\n", -EINVAL, "'12abc' is not a bulletin id");
	parse_refused("play 9223372036854775808\n", -EINVAL, "'9223372036854775808' is not a bulletin id");
	parse_refused("play 99999999999999999999999\n", -EINVAL, "is not a bulletin id");
}

static void test_parse_refuses_wrong_argument_counts(void **state)
{
	(void)state;
	parse_refused("play\n", -EINVAL, "malformed request 'play'; write it as 'play ID [force]'");
	parse_refused("play 1 now\n", -EINVAL, "write it as 'play ID [force]'");
	parse_refused("play 1 force force\n", -EINVAL, "write it as 'play ID [force]'");
	parse_refused("alert 1 2\n", -EINVAL, "write it as 'alert ID REPEAT EVERY'");
	parse_refused("alert 1 2 3 4\n", -EINVAL, "write it as 'alert ID REPEAT EVERY'");
	parse_refused("stop now\n", -EINVAL, "malformed request 'stop'");
	parse_refused("status a b c d e f g h\n", -EINVAL, "malformed request 'status'");
	parse_refused("alert-cancel 3\n", -EINVAL, "malformed request 'alert-cancel'");
}

static void test_parse_refuses_unknown_and_empty(void **state)
{
	(void)state;
	parse_refused("reboot\n", -EINVAL, "unknown request 'reboot'; send one of: status,");
	parse_refused("STATUS\n", -EINVAL, "unknown request 'STATUS'");
	parse_refused("\n", -EINVAL, "empty request");
	parse_refused("   \n", -EINVAL, "empty request");
	parse_refused("\r\n", -EINVAL, "empty request");
}

static void test_parse_refuses_broken_framing(void **state)
{
	struct control_req req;
	char buf[600], msg[512];

	(void)state;
	/* The stream ended before the line did. */
	parse_refused("status", -EINVAL, "ends without a newline");
	parse_refused("", -EINVAL, "ends without a newline");
	/* NUL bytes and control characters. */
	assert_int_equal(control_parse("sta\0tus\n", 8, &req, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "NUL byte (byte 4)"));
	assert_int_equal(control_parse("play 1\0\n", 8, &req, msg, sizeof(msg)), -EINVAL);
	parse_refused("play\t1\n", -EINVAL, "control character");
	parse_refused("stop\r\r\n", -EINVAL, "control character");
	parse_refused("stop\x7f\n", -EINVAL, "control character");
	/* The longest line there may be, newline included, then one longer. */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "status", 6);
	buf[CONTROL_LINE_MAX - 1] = '\n';
	assert_int_equal(control_parse(buf, CONTROL_LINE_MAX, &req, msg, sizeof(msg)), 0);
	assert_int_equal(req.cmd, CONTROL_STATUS);
	buf[CONTROL_LINE_MAX - 1] = ' ';
	buf[CONTROL_LINE_MAX] = '\n';
	assert_int_equal(control_parse(buf, CONTROL_LINE_MAX + 1, &req, msg, sizeof(msg)), -EMSGSIZE);
	assert_non_null(strstr(msg, "longer than 255 bytes"));
	/* As much as the daemon reads, and no newline in it. */
	assert_int_equal(control_parse(buf, CONTROL_LINE_MAX, &req, msg, sizeof(msg)), -EMSGSIZE);
}

/* ---- through the socket, with an engine ---- */

struct fx {
	char dir[64];
	char sock[96];
	struct db *db;
	struct engine *e;
	struct engine_env env;
	struct control *c;
	int64_t now;
	int n_open, n_fade;
	int64_t id;
};

struct handle {
	int64_t started_at;
};

static void *fk_open(void *ctx, const char *path, const struct player_opts *opts, int *err, char *msg, size_t len)
{
	struct fx *f = ctx;

	(void)path;
	(void)opts;
	(void)err;
	(void)msg;
	(void)len;
	f->n_open++;
	return xcalloc(1, sizeof(struct handle));
}

static int64_t fk_start(void *ctx, void *h)
{
	struct fx *f = ctx;

	((struct handle *)h)->started_at = f->now;
	return f->now;
}

static int64_t fk_frames(void *ctx, void *h) { (void)ctx; (void)h; return 0; }
static int fk_rate(void *ctx, void *h) { (void)ctx; (void)h; return 48000; }
static int fk_xruns(void *ctx, void *h) { (void)ctx; (void)h; return 0; }
static void fk_fade_out(void *ctx, void *h) { (void)h; ((struct fx *)ctx)->n_fade++; }
static void fk_close(void *ctx, void *h) { (void)ctx; free(h); }

static const struct sink_ops fake_sink = {
	.open = fk_open, .start = fk_start, .frames = fk_frames, .rate = fk_rate,
	.xruns = fk_xruns, .fade_out = fk_fade_out, .close = fk_close,
};

static int64_t fx_now(void *ctx) { return ((struct fx *)ctx)->now; }
static bool fx_trusted(void *ctx) { (void)ctx; return true; }

/* The engine logs what it airs; the test's output stays readable. */
static int quiet(void)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	dup2(null, 2);
	close(null);
	return saved;
}

static void loud(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char msg[512], *conf, *text, *path;
	struct bulletin b = {
		.title = (char *)"Tin xã", .priority = PRIO_NORMAL, .valid_from = DAY_NONE_BEFORE,
		.valid_until = DAY_NONE_AFTER, .sha256 = SHA, .source_name = (char *)"tin.wav",
		.audio = { .frames = 48000 * 60, .duration_ms = 60000, .sample_rate = 48000, .channels = 1,
			   .format = "WAV", .peak_dbfs = -1, .loudness_lufs = -16, .true_peak_dbtp = -1 },
		.imported_at = NOW_MS - 1000,
	};
	FILE *fp;

	strcpy(f->dir, "/tmp/loa-test-control-XXXXXX");
	if (!mkdtemp(f->dir) || time_set_zone("Asia/Ho_Chi_Minh") < 0)
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/loa.sock", f->dir);
	if (db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) < 0)
		return -1;
	conf = xasprintf("%s/loa.conf", f->dir);
	text = xasprintf("station = { name = \"Xã Thử\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
			 "paths = { state_dir = \"%s\"; socket = \"%s\"; };\n"
			 "clock = { require_sync = false; };\n", f->dir, f->sock);
	fp = fopen(conf, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	fclose(fp);
	free(text);
	if (config_load(conf, &cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		return -1;
	}
	strlist_done(&errs);
	free(conf);
	path = xasprintf("%s/tin.wav", f->dir);
	b.path = path;
	if (library_add(f->db, &b) < 0)
		return -1;
	free(path);
	f->id = b.id;
	f->now = NOW_MS;
	f->env = (struct engine_env){ .ctx = f, .now = fx_now, .mono = fx_now, .clock_trusted = fx_trusted,
				      .sink = &fake_sink };
	f->e = engine_new(cfg, f->db, &f->env);
	engine_run(f->e); /* as the daemon does: the clock is trusted from here */
	if (control_open(f->sock, &f->c, msg, sizeof(msg)) < 0) {
		print_error("%s\n", msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int saved = quiet();

	control_close(f->c);
	engine_free(f->e);
	loud(saved);
	db_close(f->db);
	fixture_rmtree(f->dir);
	free(f);
	return 0;
}

static int client(struct fx *f)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(a.sun_path, f->sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* One turn of the daemon's loop for the control socket. */
static void turn(struct fx *f, int timeout_ms)
{
	struct pollfd fds[CONTROL_MAX_FDS];
	int n = control_pollfds(f->c, fds, CONTROL_MAX_FDS), saved;

	assert_true(poll(fds, (nfds_t)n, timeout_ms) >= 0);
	saved = quiet();
	control_handle(f->c, fds, n, f->e);
	loud(saved);
}

/* Runs the loop until the daemon has answered FD and closed it; returns
 * the answer (caller frees). */
static char *reply(struct fx *f, int fd)
{
	char *out = NULL, buf[4096];
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	for (int i = 0; i < 200; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		turn(f, 10);
		if (poll(&p, 1, 0) <= 0)
			continue;
		/* After the answer: the end of the stream, or (when the daemon
		 * left part of a long request unread) ECONNRESET. */
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)r, m);
		if (r <= 0)
			break;
	}
	fclose(m);
	close(fd);
	if (len == 0) {
		free(out);
		fail_msg("no answer from the control socket");
	}
	return out;
}

/* Sends the LEN bytes of DATA as one client and returns the answer. */
static char *send_bytes(struct fx *f, const char *data, size_t len)
{
	int fd = client(f);

	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return reply(f, fd);
}

static char *send_line(struct fx *f, const char *line)
{
	return send_bytes(f, line, strlen(line));
}

static void expect_reply(struct fx *f, const char *line, const char *head, const char *frag)
{
	char *r = send_line(f, line);

	if (strncmp(r, head, strlen(head)) || !strstr(r, frag))
		fail_msg("'%s' got '%s', expected '%s' ... '%s'", line, r, head, frag);
	free(r);
}

/* Nothing was opened and no alert is pending: the engine did nothing. */
static void assert_engine_untouched(struct fx *f)
{
	char *r = send_line(f, "status\n");

	assert_int_equal(f->n_open, 0);
	assert_non_null(strstr(r, "\"state\":\"idle\""));
	assert_non_null(strstr(r, "\"alert\":null"));
	assert_non_null(strstr(r, "\"queued\":0"));
	free(r);
}

static void test_socket_status(void **state)
{
	struct fx *f = *state;
	char *r = send_line(f, "status\n");

	assert_true(!strncmp(r, "ok\n{", 4));
	assert_non_null(strstr(r, "\"state\":\"idle\""));
	assert_non_null(strstr(r, "\"station\":\"Xã Thử\""));
	free(r);
	expect_reply(f, "status-line\n", "ok\n", "idle: no slot airs again");
}

static void test_socket_play_then_stop(void **state)
{
	struct fx *f = *state;
	char want[64], *r;

	snprintf(want, sizeof(want), "bulletin #%lld airs now", (long long)f->id);
	expect_reply(f, "play 1\n", "ok\n", want);
	assert_int_equal(f->n_open, 1);
	r = send_line(f, "status\n");
	assert_non_null(strstr(r, "\"state\":\"playing\""));
	assert_non_null(strstr(r, "\"title\":\"Tin xã\""));
	free(r);
	expect_reply(f, "stop\n", "ok\n", "stopping 'Tin xã'");
	assert_int_equal(f->n_fade, 1);
	expect_reply(f, "play 99\n", "error 2\n", "there is no bulletin #99");
	assert_int_equal(f->n_open, 1);
}

static void test_socket_stop_with_nothing_on_air(void **state)
{
	struct fx *f = *state;

	expect_reply(f, "stop\n", "error 11\n", "nothing is on air");
	expect_reply(f, "alert-cancel\n", "error 11\n", "no alert repetitions are pending");
	expect_reply(f, "changed\n", "ok\n", "the library as it is now");
	assert_engine_untouched(f);
}

static void test_socket_alert_in_bounds(void **state)
{
	struct fx *f = *state;
	char *r;

	expect_reply(f, "alert 1 3 60\n", "ok\n", "alert #1 on air now, repeating");
	assert_int_equal(f->n_open, 1);
	r = send_line(f, "status\n");
	assert_non_null(strstr(r, "\"remaining\":2"));
	free(r);
	expect_reply(f, "alert-cancel\n", "ok\n", "cancelled");
}

/* Out of bounds, not a number, trailing junk, too large for an int: each
 * is refused with the bounds, and the engine never hears of it. */
static void test_socket_alert_out_of_bounds_never_reaches_engine(void **state)
{
	static const char *const bad[] = {
		"alert 1 0 60\n", "alert 1 1001 60\n", "alert 1 3 0\n", "alert 1 3 1441\n", "alert 1 x 60\n",
		"alert 1 3 60x\n", "alert 1 4294967297 60\n", "alert 1 3 18446744073709551617\n",
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reply(f, bad[i], "error 22\n", "must be a whole number from 1 to");
	assert_engine_untouched(f);
}

static void test_socket_oversized_line(void **state)
{
	struct fx *f = *state;
	char head[32], *big = xmalloc(4097), *r;

	/* A valid request buried under 4 KB: nothing of it runs. */
	memset(big, ' ', 4096);
	memcpy(big, "play 1", 6);
	big[4096] = '\n';
	snprintf(head, sizeof(head), "error %d\n", EMSGSIZE);
	r = send_bytes(f, big, 4097);
	if (strncmp(r, head, strlen(head)) || !strstr(r, "longer than 255 bytes"))
		fail_msg("a 4 KB line got '%s'", r);
	free(r);
	free(big);
	assert_engine_untouched(f);
}

static void test_socket_malformed_lines(void **state)
{
	struct fx *f = *state;
	char *r;

	expect_reply(f, "reboot\n", "error 22\n", "unknown request 'reboot'");
	expect_reply(f, "\n", "error 22\n", "empty request");
	expect_reply(f, "play\n", "error 22\n", "write it as 'play ID [force]'");
	expect_reply(f, "play 1 2 3 4 5 6 7\n", "error 22\n", "write it as 'play ID [force]'");
	expect_reply(f, "play 0\n", "error 22\n", "is not a bulletin id");
	r = send_bytes(f, "play\0 1\n", 8);
	assert_true(!strncmp(r, "error 22\n", 9));
	assert_non_null(strstr(r, "NUL byte"));
	free(r);
	assert_engine_untouched(f);
}

/* A client that ends its stream mid-line is told why nothing ran. */
static void test_socket_eof_before_newline(void **state)
{
	struct fx *f = *state;
	int fd = client(f);
	char *r;

	assert_int_equal(write(fd, "play 1", 6), 6);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	r = reply(f, fd);
	assert_true(!strncmp(r, "error 22\n", 9));
	assert_non_null(strstr(r, "ends without a newline"));
	free(r);
	assert_engine_untouched(f);
}

/* A request in pieces is answered once it is whole. */
static void test_socket_request_in_pieces(void **state)
{
	struct fx *f = *state;
	int fd = client(f);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char *r;

	assert_int_equal(write(fd, "sta", 3), 3);
	turn(f, 10);
	turn(f, 10);
	assert_int_equal(poll(&p, 1, 0), 0); /* no answer to half a line */
	assert_int_equal(write(fd, "tus-line\n", 9), 9);
	r = reply(f, fd);
	assert_true(!strncmp(r, "ok\nidle", 7));
	free(r);
}

/* Clients that leave without a word, and more clients than there is
 * room for, cost nothing: the next request is answered. */
static void test_socket_silent_and_surplus_clients(void **state)
{
	struct fx *f = *state;
	int fds[CONTROL_MAX_CLIENTS + 2];

	char c;

	for (int i = 0; i < 3; i++)
		close(client(f));
	turn(f, 10);
	turn(f, 10);
	/* One at a time, as the loop accepts them: the listen backlog is
	 * no bigger than the clients, and a connect beyond it would wait. */
	for (int i = 0; i < CONTROL_MAX_CLIENTS + 2; i++) {
		fds[i] = client(f);
		turn(f, 10);
	}
	/* The surplus is closed at once. */
	assert_int_equal(read(fds[CONTROL_MAX_CLIENTS], &c, 1), 0);
	assert_int_equal(read(fds[CONTROL_MAX_CLIENTS + 1], &c, 1), 0);
	for (int i = 0; i < CONTROL_MAX_CLIENTS + 2; i++)
		close(fds[i]);
	turn(f, 10);
	turn(f, 10);
	expect_reply(f, "status-line\n", "ok\n", "idle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_every_request),
		cmocka_unit_test(test_parse_by_account),
		cmocka_unit_test(test_parse_alert_bounds_are_the_clis),
		cmocka_unit_test(test_parse_refuses_bad_ids),
		cmocka_unit_test(test_parse_refuses_wrong_argument_counts),
		cmocka_unit_test(test_parse_refuses_unknown_and_empty),
		cmocka_unit_test(test_parse_refuses_broken_framing),
		cmocka_unit_test_setup_teardown(test_socket_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_play_then_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_stop_with_nothing_on_air, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_alert_in_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_alert_out_of_bounds_never_reaches_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_oversized_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_malformed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_eof_before_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_request_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_silent_and_surplus_clients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
