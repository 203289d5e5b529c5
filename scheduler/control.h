/* The daemon's control socket: a Unix stream socket where each connection
 * carries one request line ("play 12", "alert 7 3 60", "alert-cancel",
 * "stop", "status", "status-line", "changed") and gets back "ok" or
 * "error ERRNO" on a line, then a body: a message, or the status as JSON. Its mode is
 * 0660, so the socket's group (loa) is who may control the station. */
#ifndef LOA_CONTROL_H
#define LOA_CONTROL_H

#include <poll.h>
#include <stddef.h>

#define CONTROL_MAX_CLIENTS 8
#define CONTROL_MAX_FDS (1 + CONTROL_MAX_CLIENTS)

struct control;
struct engine;

/* Listens on PATH. A stale socket is replaced; a live one (another daemon)
 * is an error. Returns 0 or negative errno with a message in msg. */
int control_open(const char *path, struct control **out, char *msg, size_t msglen);
void control_close(struct control *c);
int control_pollfds(struct control *c, struct pollfd *fds, int max);
/* Accepts, reads and answers whatever poll() reported on FDS. */
void control_handle(struct control *c, struct pollfd *fds, int n, struct engine *e);

/* Client side: sends LINE to the daemon at PATH and returns its reply
 * (caller frees) in *reply. Returns 0, -ENOENT/-ECONNREFUSED when no
 * daemon listens, -EACCES, or another negative errno. */
int control_request(const char *path, const char *line, char **reply);

#endif
