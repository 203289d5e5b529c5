/* A main for the fuzz targets without libFuzzer, so `make check` replays
 * the seed corpus and every input that once crashed with the normal
 * compiler, plain and under ASan+UBSan. `fuzz_NAME FILE|DIR...`: each file
 * (each file in each folder) is one input. What the code under test prints
 * goes to /dev/null; when an input kills or ends the process, the file's
 * name is printed, so the failure says which input to look at. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#endif

static int out_fd = STDERR_FILENO; /* the terminal's stderr, kept from the muting */
static const char *current;

static void say(const char *s)
{
	if (write(out_fd, s, strlen(s)) < 0)
		return;
}

static void name_current(void)
{
	if (!current)
		return;
	say("fuzz replay: the input that failed: ");
	say(current);
	say("\n");
}

#ifndef __SANITIZE_ADDRESS__
static void on_fatal(int sig)
{
	name_current();
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

/* fd 1 and 2 to /dev/null; messages of our own and the sanitizers' reports
 * still reach the real stderr through out_fd. */
static void mute(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	out_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (null < 0 || out_fd < 0) {
		perror("fuzz replay: cannot mute the output");
		exit(1);
	}
	fflush(stdout);
	fflush(stderr);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	fuzz_report_fd = out_fd;
	atexit(name_current); /* code under test that calls exit() */
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_set_report_fd((void *)(long)out_fd);
	__sanitizer_set_death_callback(name_current);
#else
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGFPE, on_fatal);
	signal(SIGILL, on_fatal);
	signal(SIGABRT, on_fatal);
#endif
}

static int unreadable(const char *what, const char *path)
{
	say("fuzz replay: cannot read ");
	say(what);
	say(path);
	say("\n");
	return -1;
}

static int replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) < 0) {
		if (f)
			fclose(f);
		return unreadable("", path);
	}
	buf = malloc((size_t)st.st_size + 1); /* +1: malloc(0) may return NULL */
	n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!buf || n != (size_t)st.st_size) {
		free(buf);
		return unreadable("", path);
	}
	current = path;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
#ifdef __SANITIZE_ADDRESS__
	/* As libFuzzer does: a leak is pinned on the input that made it. */
	if (__lsan_do_recoverable_leak_check()) {
		name_current();
		current = NULL;
		return -1;
	}
#endif
	current = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int inputs = 0, failed = 0;
	char line[256];

	mute();
	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n;

		if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			failed += replay_file(argv[i]) < 0;
			inputs++;
			continue;
		}
		n = scandir(argv[i], &ents, NULL, alphasort);
		if (n < 0) {
			failed -= unreadable("the folder ", argv[i]);
			continue;
		}
		for (int k = 0; k < n; k++) {
			char *p;

			if (ents[k]->d_name[0] != '.' && (p = malloc(strlen(argv[i]) + strlen(ents[k]->d_name) + 2))) {
				sprintf(p, "%s/%s", argv[i], ents[k]->d_name);
				failed += replay_file(p) < 0;
				inputs++;
				free(p);
			}
			free(ents[k]);
		}
		free(ents);
	}
	snprintf(line, sizeof(line), "%s: %d inputs replayed, %d failed\n", name, inputs, failed);
	say(line);
	return failed ? 1 : 0;
}
