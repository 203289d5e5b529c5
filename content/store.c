/* See store.h. Files are named by their content, so importing the same
 * recording twice stores it once, and a stored file is never rewritten: it
 * is written under a temporary name, flushed to disk, and only then renamed
 * into place, with the directory flushed after, so that after a power cut a
 * name in the store always holds the whole file. */
#include "content/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xmalloc.h"

#define IO_SIZE 65536

static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void hex_of(struct sha256_ctx *ctx, char hex[SHA256_HEX])
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* Hashes FD from its first byte and, when OUT >= 0, copies it there on the
 * way: one pass, so the bytes stored are the bytes hashed. pread leaves
 * the descriptor's offset alone, wherever a decoder left it. */
static int hash_copy(int fd, int out, char hex[SHA256_HEX])
{
	struct sha256_ctx ctx;
	unsigned char *buf = xmalloc(IO_SIZE);
	off_t off = 0;
	ssize_t r;
	int err = 0;

	sha256_init(&ctx);
	while ((r = pread_full(fd, buf, IO_SIZE, off)) > 0) {
		sha256_update(&ctx, (size_t)r, buf);
		off += r;
		if (out >= 0 && (err = write_all(out, buf, (size_t)r)) < 0)
			break;
	}
	if (r < 0)
		err = -errno;
	free(buf);
	if (err == 0)
		hex_of(&ctx, hex);
	return err;
}

int store_hash_fd(int fd, char hex[SHA256_HEX])
{
	return hash_copy(fd, -1, hex);
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

/* The rename is only durable once the directory entry is on disk too. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
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

static bool valid_hex(const char *hex)
{
	size_t n = 0;

	for (; hex[n]; n++)
		if (!((hex[n] >= '0' && hex[n] <= '9') || (hex[n] >= 'a' && hex[n] <= 'f')))
			return false;
	return n == SHA256_HEX - 1;
}

/* store_put and store_put_fd: SRC is opened only when FD is -1 and the
 * content is not in the store yet. */
static int put(const char *state_dir, const char *src, int fd, const char *hex, const char *ext,
	       char **stored, bool *created)
{
	char cext[16], copied[SHA256_HEX];
	char *dir, *final, *tmp = NULL;
	int in = -1, out = -1, err;

	*stored = NULL;
	*created = false;
	if (!valid_hex(hex))
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
	tmp = xasprintf("%s/.tmp-%s-XXXXXX", dir, hex);
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		err = -errno;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(out, 0640) < 0 || (err = hash_copy(fd, out, copied)) < 0 || fsync(out) < 0) {
		if (err == 0)
			err = -errno;
		goto out;
	}
	/* The file changed since it was hashed (and checked): what would be
	 * stored is not what was judged fit to air. */
	if (strcmp(copied, hex) != 0) {
		err = -EAGAIN;
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		err = -errno;
		goto out;
	}
	out = -1;
	if (rename(tmp, final) < 0) {
		err = -errno;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	err = fsync_dir(dir);
	if (err < 0) {
		/* Not durable means not stored: the caller must not record it. */
		unlink(final);
		goto out;
	}
	*created = true;
	*stored = final;
	final = NULL;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
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
