#include "web/libmhd.h"

#include "util/dynlib.h"

_Static_assert(sizeof(LOA_SONAME_MHD) > 1, "the Makefile found no soname for libmicrohttpd (libmicrohttpd-dev)");

struct libmhd libmhd;

int libmhd_load(char *err, size_t len)
{
	static struct dynlib_once once = DYNLIB_ONCE_INIT;
	const struct dynlib_sym syms[] = {
#define LIBMHD_SYM(fn) { #fn, &libmhd.fn },
		LIBMHD_FUNCS(LIBMHD_SYM)
#undef LIBMHD_SYM
	};

	return dynlib_load_once(&once, LOA_SONAME_MHD, syms, sizeof(syms) / sizeof(syms[0]),
				"the console needs libmicrohttpd (apt install " LOA_PACKAGE_MHD ")", err, len);
}
