/* Topics (lĩnh vực): the six fields that provincial information-source
 * systems code 1..6 are built in with their Vietnamese and English names; a
 * station may add its own as lowercase slugs, which are shown as they are. */
#ifndef LOA_TOPIC_H
#define LOA_TOPIC_H

#include <stdbool.h>

/* The language of names and labels meant for people. */
enum topic_lang { TOPIC_LANG_VI, TOPIC_LANG_EN };

#define TOPIC_BUILTIN_COUNT 6

/* "vi" or "en". Returns 0 or -EINVAL. */
int topic_lang_parse(const char *s, enum topic_lang *out);
/* True if S is a topic loa accepts: a built-in code "1".."6" or a slug of
 * lowercase letters, digits and '-' (at most 40 bytes, not starting with '-',
 * not all digits: a number is a code). */
bool topic_valid(const char *s);
/* 1..6 for a built-in code, else 0. */
int topic_builtin_code(const char *s);
/* The full name of built-in topic CODE (1..6), e.g. "Thông tin chung"; NULL otherwise. */
const char *topic_builtin_name(int code, enum topic_lang lang);
/* A short name of built-in topic CODE for legends, e.g. "Chỉ đạo, điều hành"; NULL otherwise. */
const char *topic_builtin_short(int code, enum topic_lang lang);
/* The name reports show for TOPIC: a built-in's full name, a slug itself,
 * or "(không có lĩnh vực)" / "(no topic)" for NULL. Static storage or TOPIC. */
const char *topic_name(const char *topic, enum topic_lang lang);
/* Report order (strcmp-like): built-ins by code, then slugs by byte order, NULL last. */
int topic_compare(const char *a, const char *b);

#endif
