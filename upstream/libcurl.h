/* libcurl, loaded by `loa upstream` when it starts (util/dynlib.h), not
 * by every loa process: linked, it and the TLS, SSH, LDAP and HTTP/2
 * libraries it brings cost the daemon and the console 3.3 MiB of mappings
 * they never use. Every call goes through LIBCURL(name), which keeps the
 * library's own prototype (and keeps curl.h's argument-counting macros
 * out of the way: the name is not followed by its parenthesis). */
#ifndef LOA_UPSTREAM_LIBCURL_H
#define LOA_UPSTREAM_LIBCURL_H

#include <curl/curl.h>
#include <stddef.h>

#define LIBCURL_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_global_init) \
	X(curl_multi_add_handle) \
	X(curl_multi_cleanup) \
	X(curl_multi_info_read) \
	X(curl_multi_init) \
	X(curl_multi_perform) \
	X(curl_multi_poll) \
	X(curl_multi_remove_handle) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

struct libcurl {
#define LIBCURL_FIELD(fn) __typeof__(&fn) fn;
	LIBCURL_FUNCS(LIBCURL_FIELD)
#undef LIBCURL_FIELD
};
extern struct libcurl libcurl;
#define LIBCURL(fn) (libcurl.fn)

/* Loads libcurl (LOA_SONAME_CURL, the library the build compiled
 * against) once per process and starts it (curl_global_init). Returns 0,
 * or -1 with a sentence in ERR that names it and the package to install.
 * It stays started for the process's life: a process runs one link. */
int libcurl_load(char *err, size_t len);

#endif
