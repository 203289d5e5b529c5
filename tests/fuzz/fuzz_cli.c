/* The command line on arbitrary argv: the input split at NUL bytes is
 * `loa ARG...`, run with cli.parse_only so every command parses its
 * options and stops where it would load the config or open a database.
 * Whatever the words, loa answers with one of its exit codes, and a
 * command that got past its parsing stops there. Its messages go to
 * /dev/null (see replay.c; libFuzzer runs with -close_fd_mask=3). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *argv[MAX_ARGS + 2];
	struct cli cli = { .parse_only = true };
	int argc = 0, ret;

	argv[argc++] = (char *)"loa";
	for (char *p = s; p < s + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	optind = 0; /* getopt starts afresh, as in a new process */
	ret = cli_run(&cli, argc, argv);
	FUZZ_ASSERT(ret == EXIT_OK || ret == EXIT_RUNTIME || ret == EXIT_USAGE, "an exit code outside 0, 1, 2");
	FUZZ_ASSERT(!cli.parsed || ret == EXIT_USAGE, "a command acted after parse_only stopped it");
	FUZZ_ASSERT(!cli.cfg && !cli.db, "a config or database was opened while only parsing");
	free(s);
	return 0;
}
