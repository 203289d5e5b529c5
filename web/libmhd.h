/* libmicrohttpd, loaded by `loa web` when it starts (util/dynlib.h), not
 * by every loa process: linked, it and the GnuTLS it brings cost the
 * daemon and the province link 2.3 MiB of mappings they never use. Every
 * call goes through LIBMHD(name), with the library's own prototype. */
#ifndef LOA_WEB_LIBMHD_H
#define LOA_WEB_LIBMHD_H

#include <microhttpd.h>
#include <stddef.h>

#define LIBMHD_FUNCS(X) \
	X(MHD_add_response_header) \
	X(MHD_create_post_processor) \
	X(MHD_create_response_from_buffer) \
	X(MHD_create_response_from_fd_at_offset64) \
	X(MHD_destroy_post_processor) \
	X(MHD_destroy_response) \
	X(MHD_get_connection_info) \
	X(MHD_get_response_header) \
	X(MHD_lookup_connection_value) \
	X(MHD_post_process) \
	X(MHD_queue_response) \
	X(MHD_start_daemon) \
	X(MHD_stop_daemon)

struct libmhd {
#define LIBMHD_FIELD(fn) __typeof__(&fn) fn;
	LIBMHD_FUNCS(LIBMHD_FIELD)
#undef LIBMHD_FIELD
};
extern struct libmhd libmhd;
#define LIBMHD(fn) (libmhd.fn)

/* Loads libmicrohttpd (LOA_SONAME_MHD, the library the build compiled
 * against) once per process. Returns 0, or -1 with a sentence in ERR that
 * names it and the package to install. */
int libmhd_load(char *err, size_t len);

#endif
