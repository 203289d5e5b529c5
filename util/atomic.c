/* See atomic.h. */
#include "util/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xmalloc.h"

int atomic_write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int atomic_fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int atomic_fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int r = atomic_fsync_path(dirname(copy), O_RDONLY | O_DIRECTORY);

	free(copy);
	return r;
}

int atomic_rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -errno;
	/* Filesystems without RENAME_NOREPLACE: a hard link cannot replace... */
	if (link(from, to) == 0)
		return unlink(from) < 0 ? -errno : 0;
	if (errno == EEXIST)
		return -EEXIST;
	/* ...and without hard links either (FAT on a USB stick): look first. */
	if (lstat(to, &st) == 0)
		return -EEXIST;
	return rename(from, to) < 0 ? -errno : 0;
}

int atomic_open(struct atomic_file *f, const char *path, unsigned mode)
{
	char *copy = xstrdup(path);

	f->path = NULL;
	f->tmp = xasprintf("%s/.loa-tmp-XXXXXX", dirname(copy));
	free(copy);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int err = -errno;

		free(f->tmp);
		f->tmp = NULL;
		return err;
	}
	if (fchmod(f->fd, (mode_t)mode) < 0) {
		int err = -errno;

		atomic_abort(f);
		return err;
	}
	f->path = xstrdup(path);
	return 0;
}

void atomic_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp) {
		unlink(f->tmp);
		free(f->tmp);
	}
	f->tmp = NULL;
	free(f->path);
	f->path = NULL;
}

int atomic_commit(struct atomic_file *f, bool noreplace)
{
	int r = 0;

	if (fsync(f->fd) < 0)
		r = -errno;
	if (close(f->fd) < 0 && r == 0)
		r = -errno;
	f->fd = -1;
	if (r == 0)
		r = noreplace ? atomic_rename_noreplace(f->tmp, f->path) : (rename(f->tmp, f->path) < 0 ? -errno : 0);
	if (r < 0) {
		atomic_abort(f);
		return r;
	}
	free(f->tmp);
	f->tmp = NULL;
	r = atomic_fsync_parent(f->path);
	/* Not durable means not written: a caller must not report it done. */
	if (r < 0)
		unlink(f->path);
	free(f->path);
	f->path = NULL;
	return r;
}
