/* Messages for people go through gettext, English being the source
 * language; the locale (LANG, LC_MESSAGES, LANGUAGE) picks the translation,
 * Vietnamese today (po/vi.po). Machine output (JSON, CSV headers, ledger
 * outcomes, config keys) is never translated: scripts and acceptance checks
 * read it. */
#ifndef LOA_I18N_H
#define LOA_I18N_H

#include <libintl.h>

#define LOA_TEXTDOMAIN "loa"

/* Translates S now. */
#define _(s) gettext(s)
/* Marks S for translation where it cannot be translated yet (a static
 * initialiser); pass it through _() where it is used. */
#define N_(s) (s)

/* Sets the locale from the environment (messages in the language it
 * asks for, even where that locale is not generated; numbers stay "C"),
 * and binds loa's message catalogue: $LOA_LOCALEDIR when set (tests run
 * the build tree's catalogues), else the compiled-in LOCALEDIR. */
void i18n_init(void);

#endif
