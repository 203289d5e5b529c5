/* See store.h. Files are named by their content, so importing the same
 * recording twice stores it once, and a stored file is never rewritten: it
 * is written under a temporary name, flushed to disk, and only then renamed
 * into place, with the directory flushed after, so that after a power cut a
 * name in the store always holds the whole file. */
#include "content/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/xmalloc.h"

int store_hash_fd(int fd, char hex[SHA256_HEX])
{
	return sha256_fd(fd, -1, hex);
}

int store_hash_file(const char *path, char hex[SHA256_HEX])
{
	int fd, err;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = store_hash_fd(fd, hex);
	close(fd);
	return err;
}

static int ensure_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0750) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Extensions go into file names under our control: only [a-z0-9.], else none. */
static void clean_ext(const char *ext, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!ext)
		return;
	for (const char *p = ext; *p; p++) {
		char c = (char)tolower((unsigned char)*p);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') || n + 1 >= len) {
			buf[0] = '\0';
			return;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
}

/* store_put and store_put_fd: SRC is opened only when FD is -1 and the
 * content is not in the store yet. */
static int put(const char *state_dir, const char *src, int fd, const char *hex, const char *ext,
	       char **stored, bool *created)
{
	char cext[16], copied[SHA256_HEX];
	struct atomic_file af;
	char *dir, *final;
	int in = -1, err;

	*stored = NULL;
	*created = false;
	if (!sha256_hex_valid(hex))
		return -EINVAL;
	clean_ext(ext, cext, sizeof(cext));
	err = ensure_dir(state_dir);
	if (err < 0)
		return err;
	{
		/* Callers may give a relative state dir; the path kept in the
		 * library must not depend on the working directory. */
		char *abs = realpath(state_dir, NULL);

		if (!abs)
			return -errno;
		dir = xasprintf("%s/content", abs);
		free(abs);
	}
	final = xasprintf("%s/%s%s", dir, hex, cext);
	err = ensure_dir(dir);
	if (err < 0)
		goto out;
	if (access(final, F_OK) == 0) {
		*stored = final;
		final = NULL;
		goto out;
	}

	if (fd < 0) {
		in = open(src, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (in < 0) {
			err = -errno;
			goto out;
		}
		fd = in;
	}
	err = atomic_open(&af, final, 0640);
	if (err < 0)
		goto out;
	if ((err = sha256_fd(fd, af.fd, copied)) < 0) {
		atomic_abort(&af);
		goto out;
	}
	/* The file changed since it was hashed (and checked): what would be
	 * stored is not what was judged fit to air. */
	if (strcmp(copied, hex) != 0) {
		atomic_abort(&af);
		err = -EAGAIN;
		goto out;
	}
	/* Another import of the same content may have won the race: its file
	 * is the same bytes, so either name is the stored one. */
	err = atomic_commit(&af, true);
	if (err == -EEXIST) {
		*stored = final;
		final = NULL;
		err = 0;
		goto out;
	}
	if (err < 0)
		goto out;
	*created = true;
	*stored = final;
	final = NULL;
out:
	if (in >= 0)
		close(in);
	free(final);
	free(dir);
	return err;
}

int store_put(const char *state_dir, const char *src, const char *hex, const char *ext,
	      char **stored, bool *created)
{
	return put(state_dir, src, -1, hex, ext, stored, created);
}

int store_put_fd(const char *state_dir, int fd, const char *hex, const char *ext, char **stored,
		 bool *created)
{
	return put(state_dir, NULL, fd, hex, ext, stored, created);
}

char *store_path(const char *state_dir, const char *sha256, const char *ext)
{
	char cext[16];

	clean_ext(ext, cext, sizeof(cext));
	return xasprintf("%s/content/%s%s", state_dir, sha256, cext);
}

char *store_path_of(const char *state_dir, const char *sha256, const char *recorded)
{
	const char *base = recorded ? strrchr(recorded, '/') : NULL;
	size_t n = strlen(sha256);

	base = base ? base + 1 : recorded;
	if (base && strncmp(base, sha256, n) == 0)
		return store_path(state_dir, sha256, base + n);
	return store_path(state_dir, sha256, "");
}
