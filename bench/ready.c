/* ready: runs a service as systemd would with Type=notify and prints the
 * milliseconds from exec to its READY=1 on $NOTIFY_SOCKET, then stops it
 * with SIGTERM. The daemon's start-up as systemd sees it, without systemd.
 * usage: ready SOCKET_PATH COMMAND [ARG]... */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	double t0, ready = -1;
	int fd, status;
	pid_t pid;

	if (argc < 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fputs("usage: ready SOCKET_PATH COMMAND [ARG]...\n", stderr);
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("ready: notify socket");
		return 1;
	}
	setenv("NOTIFY_SOCKET", argv[1], 1);
	t0 = mono_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	while (ready < 0 && mono_ms() - t0 < TIMEOUT_MS) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				fprintf(stderr, "ready: %s exited before READY=1\n", argv[2]);
				return 1;
			}
			continue;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* One datagram may carry several KEY=VALUE lines. */
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			if (strcmp(l, "READY=1") == 0)
				ready = mono_ms();
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	unlink(argv[1]);
	if (ready < 0) {
		fprintf(stderr, "ready: no READY=1 within %d ms\n", TIMEOUT_MS);
		return 1;
	}
	printf("%.1f\n", ready - t0);
	return 0;
}
