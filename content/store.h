/* The content store: imported files copied under their SHA-256 in
 * STATE_DIR/content, written atomically (temp file, fsync, rename) so a power
 * cut never leaves a half file under a real name. */
#ifndef LOA_STORE_H
#define LOA_STORE_H

#include <stdbool.h>

#include "util/sha256.h"

/* SHA-256 of a file's bytes as lowercase hex. Returns 0 or negative errno. */
int store_hash_file(const char *path, char hex[SHA256_HEX]);
/* The same for the open file FD, from its first byte (its offset is left alone). */
int store_hash_fd(int fd, char hex[SHA256_HEX]);
/* Copies SRC into the store as <hex><ext>. *stored (caller frees) gets the
 * absolute path; *created says whether this call made it (false when the
 * same content was already there). Returns 0 or negative errno. */
int store_put(const char *state_dir, const char *src, const char *hex, const char *ext,
	      char **stored, bool *created);
/* The same, copying from the open file FD (left open). Both return -EAGAIN,
 * storing nothing, when the bytes copied no longer hash to HEX: the file
 * changed while it was imported. */
int store_put_fd(const char *state_dir, int fd, const char *hex, const char *ext, char **stored,
		 bool *created);

/* The file of content SHA256 with extension EXT (as stored: [a-z0-9.] or
 * nothing) in STATE_DIR's store: STATE_DIR/content/<sha256><ext>. Caller
 * frees. */
char *store_path(const char *state_dir, const char *sha256, const char *ext);
/* The store's file for content SHA256 whose recorded path is RECORDED: the
 * extension is taken from RECORDED only where its name is the content's
 * own, so a path edited in the database cannot point the daemon anywhere
 * but into the store. Caller frees. */
char *store_path_of(const char *state_dir, const char *sha256, const char *recorded);

#endif
