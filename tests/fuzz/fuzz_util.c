/* See fuzz.h. */
#include "tests/fuzz/fuzz.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

int fuzz_report_fd = STDERR_FILENO;

static char dir[PATH_MAX], path[PATH_MAX * 2];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

/* stderr is /dev/null while a target runs (libFuzzer's -close_fd_mask,
 * replay.c's muting): the sanitizers know where their reports go. */
void fuzz_fail(const char *file, int line, const char *what)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "fuzz: %s:%d: %s", file, line, what);
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_report_error_summary(buf);
#else
	if (write(fuzz_report_fd, buf, strlen(buf)) < 0 || write(fuzz_report_fd, "\n", 1) < 0)
		abort();
#endif
	abort();
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/loa-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		FUZZ_ASSERT(mkdtemp(dir), "cannot make a scratch folder");
		atexit(remove_dir);
	}
	if (path[0])
		unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	FUZZ_ASSERT(f, "cannot write the scratch file");
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write the scratch file");
	return path;
}

char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
