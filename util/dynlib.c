#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int dynlib_load(const char *soname, const struct dynlib_sym *syms, size_t n, char *err, size_t len)
{
	/* RTLD_NOW: a library of the wrong version fails here, at its first
	 * use, not at some later call; RTLD_LOCAL: its symbols stay its own. */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(err, len, "cannot load %s (%s)", soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *f;

		dlerror();
		f = dlsym(h, syms[i].name);
		if (!f) {
			snprintf(err, len, "%s has no %s: another version than loa was built for", soname,
				 syms[i].name);
			return -1;
		}
		/* POSIX guarantees a function's address survives the trip
		 * through void *; memcpy keeps the compiler from objecting. */
		memcpy(syms[i].slot, &f, sizeof(f));
	}
	return 0;
}

int dynlib_load_once(struct dynlib_once *o, const char *soname, const struct dynlib_sym *syms, size_t n,
		     const char *needed_by, char *err, size_t len)
{
	char why[256];

	pthread_mutex_lock(&o->lock);
	if (!o->tried) {
		o->tried = true;
		if (dynlib_load(soname, syms, n, why, sizeof(why)) < 0)
			snprintf(o->error, sizeof(o->error), "%s; %s", why, needed_by);
	}
	pthread_mutex_unlock(&o->lock);
	if (!o->error[0])
		return 0;
	snprintf(err, len, "%s", o->error);
	return -1;
}
