/* The daemon's control socket: a Unix stream socket where each connection
 * carries one request line ("play 12", "play 12 force", "alert 7 3 60",
 * "alert-cancel", "stop", "status", "status-line", "changed"; the four that
 * act may end in "by NAME", see CONTROL_BY_MAX), ended by a
 * newline, and gets back "ok" or "error ERRNO" on a line, then a body: a
 * message, or the status as JSON. Bytes after the first newline are not
 * read. A line that is too long, has control characters or NUL bytes, is
 * cut off by the end of the stream, or is not one of the requests with
 * its arguments in bounds gets "error EINVAL" (EMSGSIZE when too long)
 * and a message, and the engine is not called. Its mode is 0660, so the
 * socket's group (loa) is who may control the station. */
#ifndef LOA_CONTROL_H
#define LOA_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_MAX_CLIENTS 8
#define CONTROL_MAX_FDS (1 + CONTROL_MAX_CLIENTS)
/* The longest request line, its newline included. */
#define CONTROL_LINE_MAX 256
/* The bounds of "alert ID REPEAT EVERY", which `loa alert` checks too. */
#define CONTROL_REPEAT_MAX 1000
#define CONTROL_EVERY_MAX 1440 /* minutes: a day */

enum control_cmd {
	CONTROL_STATUS,
	CONTROL_STATUS_LINE,
	CONTROL_PLAY,
	CONTROL_ALERT,
	CONTROL_ALERT_CANCEL,
	CONTROL_STOP,
	CONTROL_CHANGED,
};

/* A request, parsed and in bounds. */
/* A request may end in "by NAME": the web console names the account it
 * acts for (only a peer running as the daemon's user may). */
#define CONTROL_BY_MAX 32

struct control_req {
	enum control_cmd cmd;
	int64_t id;     /* play, alert: the bulletin, 1 up */
	bool force;     /* play */
	int repeat;     /* alert: 1 .. CONTROL_REPEAT_MAX */
	int every;      /* alert: minutes, 1 .. CONTROL_EVERY_MAX */
	char by[CONTROL_BY_MAX + 1]; /* play, alert, alert-cancel, stop: the console account acting, or "" */
};

struct control;
struct engine;

/* Listens on PATH. A stale socket is replaced; a live one (another daemon)
 * is an error. Returns 0 or negative errno with a message in msg. */
int control_open(const char *path, struct control **out, char *msg, size_t msglen);
void control_close(struct control *c);
int control_pollfds(struct control *c, struct pollfd *fds, int max);
/* Accepts, reads and answers whatever poll() reported on FDS. */
void control_handle(struct control *c, struct pollfd *fds, int n, struct engine *e);

/* Parses what a client sent: the LEN bytes of BUF, which hold a request
 * only once they hold a newline. Returns 0 with *req set, or a negative
 * errno (-EMSGSIZE too long, -EINVAL anything else) with a message for
 * people in msg. */
int control_parse(const char *buf, size_t len, struct control_req *req, char *msg, size_t msglen);

/* Client side: sends LINE to the daemon at PATH and returns its reply
 * (caller frees) in *reply. Returns 0, -ENOENT/-ECONNREFUSED when no
 * daemon listens, -EACCES, or another negative errno. */
int control_request(const char *path, const char *line, char **reply);

#endif
