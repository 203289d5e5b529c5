/* Libraries loaded when a process first needs them, not when it starts.
 *
 * Every `loa` process is the one binary, but each needs little of what it
 * links: the daemon airs files, and only a relay window needs FFmpeg,
 * whose libraries and theirs (100 more shared objects: codecs, TLS,
 * image and video libraries) cost every process 18 MiB of mappings and
 * 3.4 MiB of pages dirtied by relocation at start. Such a library is
 * opened with dlopen by the module that uses it, at its first use, and its
 * functions are reached through a table of pointers that module declares
 * with the library's own prototypes (__typeof__), so the compiler still
 * checks every call. A library once loaded stays for the process's life:
 * its threads may outlive the module's objects. */
#ifndef LOA_DYNLIB_H
#define LOA_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* A function to resolve: its NAME, and SLOT, the address of the function
 * pointer that receives it. */
struct dynlib_sym {
	const char *name;
	void *slot;
};

/* Opens SONAME (e.g. "libavformat.so.59", the ABI the build was compiled
 * against) and resolves each of the N SYMS from it. Returns 0, or -1 with
 * a sentence in ERR naming the library and what went wrong. */
int dynlib_load(const char *soname, const struct dynlib_sym *syms, size_t n, char *err, size_t len);

/* dynlib_load once per process, for a door's library: the first call
 * loads, every call after answers as the first did. NEEDED_BY ends the
 * error: "the console needs libmicrohttpd (apt install libmicrohttpd12)". */
struct dynlib_once {
	pthread_mutex_t lock;
	bool tried;
	char error[384];
};
#define DYNLIB_ONCE_INIT { PTHREAD_MUTEX_INITIALIZER, false, "" }
int dynlib_load_once(struct dynlib_once *o, const char *soname, const struct dynlib_sym *syms, size_t n,
		     const char *needed_by, char *err, size_t len);

#endif
