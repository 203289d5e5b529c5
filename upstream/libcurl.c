#include "upstream/libcurl.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/dynlib.h"

_Static_assert(sizeof(LOA_SONAME_CURL) > 1, "the Makefile found no soname for libcurl (libcurl4-openssl-dev)");

struct libcurl libcurl;

/* Called by the link's one thread only, as curl_global_init must be. */
int libcurl_load(char *err, size_t len)
{
	static struct dynlib_once once = DYNLIB_ONCE_INIT;
	static bool started;
	const struct dynlib_sym syms[] = {
#define LIBCURL_SYM(fn) { #fn, &libcurl.fn },
		LIBCURL_FUNCS(LIBCURL_SYM)
#undef LIBCURL_SYM
	};

	if (dynlib_load_once(&once, LOA_SONAME_CURL, syms, sizeof(syms) / sizeof(syms[0]),
			     "the province link needs libcurl (apt install " LOA_PACKAGE_CURL ")", err, len) < 0)
		return -1;
	if (!started) {
		if (libcurl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, len, "libcurl cannot start");
			return -1;
		}
		started = true;
	}
	return 0;
}
