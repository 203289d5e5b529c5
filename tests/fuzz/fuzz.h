/* What the fuzz targets share. Each fuzz_NAME.c defines the libFuzzer entry
 * point; `make fuzz` links it with clang's libFuzzer, and `make check`
 * links it with replay.c, which feeds it the seed corpus and every input
 * that once crashed. A target returns 0 and aborts on a broken promise, so
 * a wrong answer is a crash like any other. */
#ifndef LOA_FUZZ_H
#define LOA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes DATA to NAME in a folder of its own, made on first use and
 * removed at exit, and returns the file's path (valid until the next
 * call). Aborts if it cannot: a target that silently tests nothing is
 * worse than one that stops. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* DATA as a NUL-terminated string; caller frees. */
char *fuzz_string(const uint8_t *data, size_t size);
/* Aborts with "fuzz: WHAT" when COND is false. */
#define FUZZ_ASSERT(cond, what) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, what); \
	} while (0)
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));
/* Where fuzz_fail writes without a sanitizer (replay.c points it past its muting). */
extern int fuzz_report_fd;

#endif
