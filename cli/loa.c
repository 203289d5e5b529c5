/* Entry point: the messages' language, then the command line (cli/main.c). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	struct cli cli = { 0 };

	i18n_init();
	return cli_run(&cli, argc, argv);
}
