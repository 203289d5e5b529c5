/* See i18n.h. */
#include "util/i18n.h"

#include <stdlib.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

void i18n_init(void)
{
	const char *dir = getenv("LOA_LOCALEDIR");

	bindtextdomain(LOA_TEXTDOMAIN, dir && *dir ? dir : LOCALEDIR);
	/* Translations are UTF-8 whatever the locale's charset claims, as is
	 * every other text loa prints (titles, station names). */
	bind_textdomain_codeset(LOA_TEXTDOMAIN, "UTF-8");
	textdomain(LOA_TEXTDOMAIN);
}
