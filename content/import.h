/* The import core: an audio file and a bulletin's metadata in, a bulletin
 * in the library out, or a refusal that says what is wrong and what to do.
 * The command line, the web console and the province link all call it, so
 * every door accepts and refuses exactly the same files.
 *
 * Everything is checked before anything is stored: the metadata, the
 * slots, and the whole file decoded, so a broken file is refused now and
 * not discovered at 05:30 on air. The file is opened once and checked,
 * decoded, hashed and copied through that one descriptor: what was judged
 * is what is stored. Only then is it copied into the content store and
 * the row inserted; if the insert fails the copy is removed again. */
#ifndef LOA_IMPORT_H
#define LOA_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "audio/player.h"
#include "config/config.h"
#include "content/library.h"
#include "util/progress.h"

struct db;

enum import_flags {
	/* Import digital silence, and audio the library already holds (the
	 * same recording under another campaign). */
	IMPORT_FORCE = 1 << 0,
};

/* An audio file opened for import. */
struct import_file {
	int fd;            /* a regular file; everything reads through it */
	struct stat st;    /* as it was when opened: a file still being written is noticed */
	const char *name;  /* as the operator gave it: for messages, the extension and the default title */
	const struct progress *progress; /* told how import_check and import_store come on; NULL: nobody */
};

/* The fade of an element cut short, for the engine's intros and outros too. */
#define IMPORT_FADE_MS 30

/* How a bulletin measured at LOUDNESS_LUFS, with sample peak PEAK_DBFS,
 * airs under CFG: gain to the target, ceiling (audio.true_peak_dbtp), make-up. Import finds the
 * make-up for these, and the engine airs with them, so an airing that
 * uses them can skip the search. */
struct player_opts import_item_opts(const struct config *cfg, double loudness_lufs, double peak_dbfs);

/* Opens PATH for import into F (all of it: F->name = PATH, no progress). The type is judged on the
 * open file, not on the name, so a name swapped for a pipe or a device
 * cannot make loa wait for a writer or read /dev/zero forever. Returns 0,
 * or negative errno with a message for people in MSG. */
int import_open(const char *path, struct import_file *f, char *msg, size_t msglen);
void import_close(struct import_file *f);

/* Checks what a bulletin says before it is stored or changed: from <=
 * until, and each of SLOTS (N of them) a slot of CFG. Returns 0 or -EINVAL
 * with a message in MSG. */
int import_check_bulletin(const struct config *cfg, const struct bulletin *b, char *const *slots, size_t n,
			  char *msg, size_t msglen);

/* Judges F as a bulletin without storing anything: decodes it whole (into
 * b->audio), gives B its default title (the file's name) and source name.
 * Returns 0, or -EINVAL with the refusal in MSG. */
int import_check(const struct import_file *f, unsigned flags, struct bulletin *b, char *msg, size_t msglen);

/* After import_check: hashes F, refuses audio the library holds already
 * (unless IMPORT_FORCE), copies it into the content store of CFG, finds its
 * make-up and adds B to the library (b->id set), recording ACTOR's
 * "import" in the audit trail in the same transaction. Returns 0; -EINVAL
 * when the input is refused (the operator's to fix); or another negative
 * errno when the box failed; MSG says which and what to do. */
int import_store(struct db *db, const struct config *cfg, const struct import_file *f, unsigned flags,
		 const char *actor, struct bulletin *b, char *msg, size_t msglen);

#endif
