/* See control.h. Requests are tiny and answered at once, so a client is
 * read without blocking the loop and answered with one write; a client
 * that sends nothing within a few loop turns is simply dropped. */
#include "scheduler/control.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ledger/audit.h"
#include "scheduler/engine.h"
#include "util/json.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct client {
	int fd;
	bool peer_known;  /* uid is the peer's, from SO_PEERCRED at accept */
	uid_t uid;
	size_t len;
	char buf[CONTROL_LINE_MAX];
};

struct control {
	char *path;
	int fd;
	struct client clients[CONTROL_MAX_CLIENTS];
	size_t n_clients;
};

static int fill_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

int control_open(const char *path, struct control **out, char *msg, size_t len)
{
	struct sockaddr_un a;
	struct control *c;
	int fd, err;

	if (fill_addr(path, &a) < 0) {
		snprintf(msg, len, _("the control socket path %s is too long; set a shorter paths.socket"), path);
		return -ENAMETOOLONG;
	}
	/* A socket file with a listener behind it is another daemon. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		snprintf(msg, len, _("another loa daemon is already running on %s; stop it first "
			 "(systemctl stop loa)"), path);
		return -EADDRINUSE;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, CONTROL_MAX_CLIENTS) < 0) {
		err = -errno;
		snprintf(msg, len, _("cannot listen on the control socket %s: %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->fd = fd;
	*out = c;
	return 0;
}

static void drop_client(struct control *c, size_t i)
{
	close(c->clients[i].fd);
	c->clients[i] = c->clients[--c->n_clients];
}

void control_close(struct control *c)
{
	if (!c)
		return;
	while (c->n_clients)
		drop_client(c, 0);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

int control_pollfds(struct control *c, struct pollfd *fds, int max)
{
	int n = 0;

	if (max < 1)
		return 0;
	fds[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	for (size_t i = 0; i < c->n_clients && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = c->clients[i].fd, .events = POLLIN };
	return n;
}

/* A whole number of decimal digits only, at most MAX: no sign, space,
 * "0x" or "1e3", and no wrap-around. */
static bool parse_digits(const char *s, long long max, long long *out)
{
	long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

static int bad_id(const char *arg, char *msg, size_t len)
{
	snprintf(msg, len, _("'%s' is not a bulletin id: an id is a whole number from 1 up, as 'loa list' "
		 "shows them"), arg);
	return -EINVAL;
}

/* WHAT '%s' must be a whole number from LO to HI: the words of `loa alert`. */
static int parse_count(const char *what, const char *arg, int lo, int hi, int *out, char *msg, size_t len)
{
	long long v;

	if (!parse_digits(arg, INT_MAX, &v) || v < lo || v > hi) {
		snprintf(msg, len, _("%s '%s' must be a whole number from %d to %d"), what, arg, lo, hi);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

#define MAX_ARGS 6 /* the request's name and a trailing "by NAME" included */

static const struct {
	const char *name;
	enum control_cmd cmd;
	int min_args, max_args; /* after the name */
	const char *usage;
} requests[] = {
	{ "status", CONTROL_STATUS, 0, 0, "status" },
	{ "status-line", CONTROL_STATUS_LINE, 0, 0, "status-line" },
	{ "play", CONTROL_PLAY, 1, 2, "play ID [force]" },
	{ "alert", CONTROL_ALERT, 3, 3, "alert ID REPEAT EVERY" },
	{ "alert-cancel", CONTROL_ALERT_CANCEL, 0, 0, "alert-cancel" },
	{ "stop", CONTROL_STOP, 0, 0, "stop" },
	{ "changed", CONTROL_CHANGED, 0, 0, "changed" },
};
#define N_REQUESTS (sizeof(requests) / sizeof(requests[0]))
#define REQUEST_NAMES "status, status-line, play, alert, alert-cancel, stop, changed"

int control_parse(const char *buf, size_t len, struct control_req *req, char *msg, size_t msglen)
{
	const char *nl = memchr(buf, '\n', len);
	char line[CONTROL_LINE_MAX], *argv[MAX_ARGS], *save = NULL;
	size_t n, k;
	int argc = 0;

	memset(req, 0, sizeof(*req));
	if (!nl && len < CONTROL_LINE_MAX) {
		snprintf(msg, msglen, _("the request ends without a newline; send one line ended by a newline, "
			 "e.g. 'status'"));
		return -EINVAL;
	}
	n = nl ? (size_t)(nl - buf) : len;
	if (n >= CONTROL_LINE_MAX) {
		snprintf(msg, msglen, _("the request is longer than %d bytes; send one of: %s"),
			 CONTROL_LINE_MAX - 1, REQUEST_NAMES);
		return -EMSGSIZE;
	}
	/* A client that ends lines as a terminal does ("\r\n") means the same. */
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	for (k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)buf[k];

		if (ch < 0x20 || ch == 0x7f) {
			snprintf(msg, msglen, _("the request has a control character or a NUL byte (byte %zu); "
				 "send one line of text, e.g. 'status'"), k + 1);
			return -EINVAL;
		}
	}
	memcpy(line, buf, n);
	line[n] = '\0';
	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (argc == MAX_ARGS) {
			argc++;
			break;
		}
		argv[argc++] = tok;
	}
	if (argc == 0) {
		snprintf(msg, msglen, _("empty request; send one of: %s"), REQUEST_NAMES);
		return -EINVAL;
	}
	/* "... by NAME": the console's account the request is made for. */
	if (argc >= 3 && !strcmp(argv[argc - 2], "by")) {
		if (strlen(argv[argc - 1]) > CONTROL_BY_MAX) {
			snprintf(msg, msglen, _("the account name after 'by' is longer than %d bytes"), CONTROL_BY_MAX);
			return -EINVAL;
		}
		snprintf(req->by, sizeof(req->by), "%s", argv[argc - 1]);
		argc -= 2;
	}
	for (k = 0; k < N_REQUESTS && strcmp(argv[0], requests[k].name); k++)
		;
	if (k == N_REQUESTS) {
		snprintf(msg, msglen, _("unknown request '%s'; send one of: %s"), argv[0], REQUEST_NAMES);
		return -EINVAL;
	}
	if (argc - 1 < requests[k].min_args || argc - 1 > requests[k].max_args ||
	    (requests[k].cmd == CONTROL_PLAY && argc == 3 && strcmp(argv[2], "force"))) {
		snprintf(msg, msglen, _("malformed request '%s'; write it as '%s'"), argv[0], requests[k].usage);
		return -EINVAL;
	}
	req->cmd = requests[k].cmd;
	if (req->by[0] && (req->cmd == CONTROL_STATUS || req->cmd == CONTROL_STATUS_LINE ||
			   req->cmd == CONTROL_CHANGED)) {
		snprintf(msg, msglen, _("malformed request '%s'; write it as '%s'"), argv[0], requests[k].usage);
		return -EINVAL;
	}
	if (req->cmd == CONTROL_PLAY || req->cmd == CONTROL_ALERT) {
		long long id;

		if (!parse_digits(argv[1], INT64_MAX, &id) || id < 1)
			return bad_id(argv[1], msg, msglen);
		req->id = id;
	}
	req->force = req->cmd == CONTROL_PLAY && argc == 3;
	if (req->cmd == CONTROL_ALERT &&
	    (parse_count("repeat", argv[2], 1, CONTROL_REPEAT_MAX, &req->repeat, msg, msglen) < 0 ||
	     parse_count("every", argv[3], 1, CONTROL_EVERY_MAX, &req->every, msg, msglen) < 0))
		return -EINVAL;
	return 0;
}

/* Runs REQ and writes its reply to F: "ok" or "error ERRNO" on the first
 * line, then the body (a message for people, or the status). */
static void run_request(struct engine *e, const struct control_req *req, FILE *f, const char *actor)
{
	char msg[512] = "";
	int err = 0;

	switch (req->cmd) {
	case CONTROL_STATUS: {
		struct json j;

		fputs("ok\n", f);
		json_init(&j, f);
		engine_status(e, &j);
		return;
	}
	case CONTROL_STATUS_LINE:
		engine_status_line(e, msg, sizeof(msg));
		break;
	case CONTROL_PLAY:
		err = engine_play(e, req->id, req->force, actor, msg, sizeof(msg));
		break;
	case CONTROL_ALERT:
		err = engine_alert(e, req->id, req->repeat, req->every, actor, msg, sizeof(msg));
		break;
	case CONTROL_ALERT_CANCEL:
		err = engine_alert_cancel(e, actor, msg, sizeof(msg));
		break;
	case CONTROL_STOP:
		err = engine_stop(e, actor, msg, sizeof(msg));
		break;
	case CONTROL_CHANGED:
		/* Occurrences read the library when they are taken; what is
		 * already queued is checked for retired bulletins. */
		engine_library_changed(e);
		snprintf(msg, sizeof(msg), _("the daemon airs the library as it is now"));
		break;
	}
	if (err)
		fprintf(f, "error %d\n%s\n", -err, msg);
	else
		fprintf(f, "ok\n%s\n", msg);
}

/* Answers what client I sent (a line, a line too long, or what came
 * before the end of its stream) and lets it go. */
static void answer(struct control *c, size_t i, struct engine *e)
{
	struct client *cl = &c->clients[i];
	struct control_req req;
	char *out = NULL, msg[512], actor[AUDIT_ACTOR_MAX + 1];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	int err = control_parse(cl->buf, cl->len, &req, msg, sizeof(msg));

	if (err == 0 && req.by[0]) {
		/* The console names the account it acts for. Only a peer
		 * running as the daemon's own user (loa-web runs as loa) or
		 * root may; anyone else would be forging another's name. */
		if (!cl->peer_known || (cl->uid != geteuid() && cl->uid != 0)) {
			err = -EPERM;
			snprintf(msg, sizeof(msg), _("only the console (user loa) may act for a console account; "
				 "send the request without 'by'"));
		}
	}
	if (err < 0) {
		log_warn(_("control: a request was refused: %s"), msg);
		fprintf(f, "error %d\n%s\n", -err, msg);
	} else {
		/* Who is at the other end, for the audit trail: the user
		 * database is local files on a station, so the look-up does
		 * not hold the loop. */
		run_request(e, &req, f, req.by[0] ? req.by :
			    cl->peer_known ? audit_actor_of_uid(cl->uid, actor) : "unknown");
	}
	fclose(f);
	/* A reply is well under the socket buffer; a client that does not
	 * read it loses it rather than stalling the station. */
	if (write(cl->fd, out, outlen) < 0)
		log_warn(_("control: a client left before its answer: %s"), strerror(errno));
	free(out);
	drop_client(c, i);
}

void control_handle(struct control *c, struct pollfd *fds, int n, struct engine *e)
{
	/* Clients first: accepting may reorder the array. */
	for (int k = n - 1; k >= 1; k--) {
		size_t i = (size_t)(k - 1);
		struct client *cl;
		ssize_t r;

		if (!fds[k].revents || i >= c->n_clients || c->clients[i].fd != fds[k].fd)
			continue;
		cl = &c->clients[i];
		r = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - cl->len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* A client that leaves without a word needs no answer; one
		 * that ends its stream mid-line gets told why nothing ran. */
		if (r < 0 || (r == 0 && cl->len == 0)) {
			drop_client(c, i);
			continue;
		}
		cl->len += (size_t)r;
		if (r == 0 || memchr(cl->buf, '\n', cl->len) || cl->len == sizeof(cl->buf))
			answer(c, i, e);
	}
	if (n >= 1 && (fds[0].revents & POLLIN)) {
		int fd;

		while ((fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			struct ucred peer;
			socklen_t plen = sizeof(peer);
			bool known;

			if (c->n_clients == CONTROL_MAX_CLIENTS) {
				close(fd);
				continue;
			}
			/* The kernel's word for who connected, not the client's. */
			known = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) == 0 && plen == sizeof(peer);
			if (!known)
				log_warn(_("control: cannot tell who connected (%s); their commands are recorded as "
					   "by 'unknown'"), strerror(errno));
			c->clients[c->n_clients++] = (struct client){ .fd = fd, .peer_known = known,
								      .uid = known ? peer.uid : 0 };
		}
	}
}

int control_request(const char *path, const char *line, char **reply)
{
	struct sockaddr_un a;
	char buf[8192];
	size_t len = 0;
	ssize_t r;
	int fd, err;

	if (fill_addr(path, &a) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	while (len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	if (len == 0)
		return -EPROTO;
	*reply = xstrdup(buf);
	return 0;
}
