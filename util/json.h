/* A minimal streaming JSON writer for `--json` output: it tracks commas and
 * nesting so callers only say what they emit. Strings are escaped per RFC 8259
 * and passed through as UTF-8. */
#ifndef LOA_JSON_H
#define LOA_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool need_comma[32];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_key(struct json *j, const char *key);
/* NULL writes null. */
void json_string(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
/* Non-finite values write null. */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* An ISO 8601 station-local time, or null when ms is 0. */
void json_time(struct json *j, int64_t ms);

/* Shorthands for "key": value inside an object. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_double(struct json *j, const char *key, double v, int decimals);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_time(struct json *j, const char *key, int64_t ms);

#endif
