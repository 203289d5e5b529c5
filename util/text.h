/* Text that people and the world hand to loa (titles, file names,
 * arguments, and later what a browser or a server sends), checked and
 * echoed in one place, so every front door refuses and quotes hostile
 * text the same way. */
#ifndef LOA_TEXT_H
#define LOA_TEXT_H

#include <stddef.h>

/* What loa echoes of an argument: printable UTF-8 as it is, control
 * characters and stray bytes as \xNN, a long one cut in the middle. */
#define TEXT_QUOTE_MAX 160
const char *text_quote(const char *s, char buf[TEXT_QUOTE_MAX]);

enum text_problem { TEXT_OK, TEXT_EMPTY, TEXT_TOO_LONG, TEXT_NOT_UTF8, TEXT_CONTROL };
/* Checks text people give (a title): not empty, at most MAX bytes, UTF-8
 * without overlong forms or surrogates, no control characters (C0, C1,
 * DEL, line separators, bidirectional overrides). *AT gets the byte offset
 * of the problem, or the length. */
enum text_problem text_check(const char *s, size_t max, size_t *at);
/* A copy of S (caller frees) with each stray byte and control character
 * replaced by U+FFFD: a file's name kept as text. */
char *text_clean(const char *s);

/* snprintf into MSG (MSGLEN bytes; nothing when MSG is NULL): how every
 * core function hands a message for people back to its door. */
void text_set(char *msg, size_t msglen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
