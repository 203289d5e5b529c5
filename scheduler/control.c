/* See control.h. Requests are tiny and answered at once, so a client is
 * read without blocking the loop and answered with one write; a client
 * that sends nothing within a few loop turns is simply dropped. */
#include "scheduler/control.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#define LINE_MAX_LEN 256

struct client {
	int fd;
	bool peer_known;  /* uid is the peer's, from SO_PEERCRED at accept */
	uid_t uid;
	size_t len;
	char buf[LINE_MAX_LEN];
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

static bool parse_id(const char *s, int64_t *id)
{
	char *end;

	errno = 0;
	*id = strtoll(s, &end, 10);
	return s != end && !*end && !errno && *id > 0;
}

/* Runs one request and writes its reply to F: "ok" or "error ERRNO" on the
 * first line, then the body (a message for people, or the status). */
static void run_request(struct engine *e, char *line, FILE *f, const char *actor)
{
	char msg[512] = "";
	char *argv[6] = { 0 };
	int argc = 0, err = -EINVAL;
	int64_t id;

	for (char *tok = strtok(line, " "); tok && argc < 6; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	if (argc == 0) {
		snprintf(msg, sizeof(msg), _("empty request"));
	} else if (!strcmp(argv[0], "status") && argc == 1) {
		struct json j;

		fputs("ok\n", f);
		json_init(&j, f);
		engine_status(e, &j);
		return;
	} else if (!strcmp(argv[0], "status-line") && argc == 1) {
		engine_status_line(e, msg, sizeof(msg));
		err = 0;
	} else if (!strcmp(argv[0], "play") && (argc == 2 || argc == 3) && parse_id(argv[1], &id)) {
		err = engine_play(e, id, argc == 3 && !strcmp(argv[2], "force"), actor, msg, sizeof(msg));
	} else if (!strcmp(argv[0], "alert") && argc == 4 && parse_id(argv[1], &id)) {
		err = engine_alert(e, id, atoi(argv[2]), atoi(argv[3]), actor, msg, sizeof(msg));
	} else if (!strcmp(argv[0], "alert-cancel") && argc == 1) {
		err = engine_alert_cancel(e, actor, msg, sizeof(msg));
	} else if (!strcmp(argv[0], "stop") && argc == 1) {
		err = engine_stop(e, actor, msg, sizeof(msg));
	} else if (!strcmp(argv[0], "changed") && argc == 1) {
		/* Occurrences read the library when they are taken; what is
		 * already queued is checked for retired bulletins. */
		engine_library_changed(e);
		err = 0;
		snprintf(msg, sizeof(msg), _("the daemon airs the library as it is now"));
	} else {
		snprintf(msg, sizeof(msg), _("unknown request '%s'"), argv[0]);
	}
	if (err)
		fprintf(f, "error %d\n%s\n", -err, msg);
	else
		fprintf(f, "ok\n%s\n", msg);
}

static void answer(struct control *c, size_t i, struct engine *e)
{
	struct client *cl = &c->clients[i];
	char *out = NULL, actor[AUDIT_ACTOR_MAX + 1];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	cl->buf[cl->len] = '\0';
	cl->buf[strcspn(cl->buf, "\r\n")] = '\0';
	/* Who is at the other end, for the audit trail: the user database is
	 * local files on a station, so the look-up does not hold the loop. */
	run_request(e, cl->buf, f, cl->peer_known ? audit_actor_of_uid(cl->uid, actor) : "unknown");
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
		r = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
		if (r <= 0) {
			if (r < 0 && errno == EAGAIN)
				continue;
			drop_client(c, i);
			continue;
		}
		cl->len += (size_t)r;
		if (memchr(cl->buf, '\n', cl->len) || cl->len == sizeof(cl->buf) - 1)
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
