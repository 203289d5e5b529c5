/* See i18n.h. */
#include "util/i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* The locale the environment asks for messages in, by POSIX precedence. */
static const char *wanted_messages_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

/*
 * A box whose LANG names a locale that was never generated (a fresh
 * Raspberry Pi OS generates en_GB only) would leave loa in the "C" locale,
 * where gettext translates nothing: the operator who set LANG=vi_VN.UTF-8
 * would get English. Under C.UTF-8, built into glibc, gettext honours
 * LANGUAGE, so the language part of the wanted locale goes there, unless
 * the user set LANGUAGE already.
 */
static void set_locale(void)
{
	const char *want, *user_language;
	char lang[16];
	size_t n;

	if (setlocale(LC_ALL, "") != NULL)
		return;
	want = wanted_messages_locale();
	user_language = getenv("LANGUAGE");
	if (!setlocale(LC_ALL, "C.UTF-8") || !want || (user_language && *user_language))
		return;
	n = strcspn(want, "_.@");
	if (n == 0 || n >= sizeof(lang))
		return;
	memcpy(lang, want, n);
	lang[n] = '\0';
	if (strcmp(lang, "C") != 0 && strcmp(lang, "POSIX") != 0)
		setenv("LANGUAGE", lang, 1);
}

void i18n_init(void)
{
	const char *dir;

	set_locale();
	/* Numbers stay parseable (JSON, CSV, config): only messages and the
	 * character type follow the locale. */
	setlocale(LC_NUMERIC, "C");
	dir = getenv("LOA_LOCALEDIR");

	bindtextdomain(LOA_TEXTDOMAIN, dir && *dir ? dir : LOCALEDIR);
	/* Translations are UTF-8 whatever the locale's charset claims, as is
	 * every other text loa prints (titles, station names). */
	bind_textdomain_codeset(LOA_TEXTDOMAIN, "UTF-8");
	textdomain(LOA_TEXTDOMAIN);
}
