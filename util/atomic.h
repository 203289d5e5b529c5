/* Files that appear whole or not at all: written under a temporary name in
 * the final folder, flushed, renamed into place, and the folder flushed
 * after, so that after a power cut a name always holds a whole file. The
 * content store, `loa backup` and `loa report -o` all write this way. */
#ifndef LOA_ATOMIC_H
#define LOA_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>

struct atomic_file {
	int fd;       /* write here */
	char *tmp;    /* the temporary name, in the final file's folder */
	char *path;   /* the final name */
};

/* Creates a temporary file beside PATH with exactly MODE. Returns
 * 0 or negative errno (nothing left behind). */
int atomic_open(struct atomic_file *f, const char *path, unsigned mode);
/* Flushes the file, renames it to its final name and flushes the folder.
 * With NOREPLACE an existing file at the final name is never replaced
 * (-EEXIST). On any failure the temporary file is removed, and a name that
 * could not be made durable is removed too. Closes f->fd in every case.
 * Returns 0 or negative errno. */
int atomic_commit(struct atomic_file *f, bool noreplace);
/* Gives up: closes and removes the temporary file. */
void atomic_abort(struct atomic_file *f);
/* rename(FROM, TO) unless TO exists (-EEXIST), also on filesystems
 * without RENAME_NOREPLACE. */
int atomic_rename_noreplace(const char *from, const char *to);
/* fsync of PATH opened with FLAGS (O_RDONLY, or O_RDONLY | O_DIRECTORY). */
int atomic_fsync_path(const char *path, int flags);
/* fsync of the folder that holds PATH: a rename is durable only then. */
int atomic_fsync_parent(const char *path);
/* write(2) until all N bytes are written. Returns 0 or negative errno. */
int atomic_write_all(int fd, const void *p, size_t n);

#endif
