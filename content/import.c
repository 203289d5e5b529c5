/* See import.h. */
#include "content/import.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/loudness.h"
#include "content/probe.h"
#include "content/store.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"


struct player_opts import_item_opts(const struct config *cfg, double loudness_lufs, double peak_dbfs)
{
	return (struct player_opts){
		.gain_db = loudness_gain_db(loudness_lufs, cfg->target_lufs, cfg->gain_db),
		.ceiling_dbtp = cfg->true_peak_dbtp,
		.fade_ms = IMPORT_FADE_MS,
		.makeup = true, /* a bulletin reaches the target even where it is limited */
		.peak_known = true,
		.peak_dbfs = peak_dbfs,
	};
}

/* ".mp3" from "Bản tin.MP3"; "" when there is no sensible extension. */
static void file_ext(const char *name, char *ext, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t n;

	ext[0] = '\0';
	if (!dot || strchr(dot, '/') || strlen(dot) > 6 || len < 8)
		return;
	for (n = 0; dot[n]; n++)
		ext[n] = (char)tolower((unsigned char)dot[n]);
	ext[n] = '\0';
}

/*
 * A symbolic link is followed, and what it leads to must be a regular file
 * too. O_NONBLOCK makes the open of a FIFO return at once; O_NOCTTY keeps
 * a terminal from becoming loa's.
 */
int import_open(const char *path, struct import_file *f, char *msg, size_t msglen)
{
	char q[TEXT_QUOTE_MAX];
	const char *through;
	struct stat lst;
	int fd, err, fl;

	/* All of F, so that a caller's uninitialised one is safe: a caller
	 * that wants progress sets it after the open. */
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->name = path;
	text_quote(path, q);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
			text_set(msg, msglen, _("%s is a symbolic link to a file that does not exist; give the "
				"audio file itself"), q);
		else if (err == ENOENT)
			text_set(msg, msglen, _("%s: there is no such file; check the name (put a name with "
				"spaces in quotes)"), q);
		else if (err == EACCES)
			text_set(msg, msglen, _("%s cannot be read: permission denied; copy the file somewhere "
				"you can read it, or ask its owner"), q);
		else if (err == ELOOP)
			text_set(msg, msglen, _("%s: too many symbolic links (a loop?); give the audio file "
				"itself"), q);
		else if (err == ENXIO)
			text_set(msg, msglen, _("%s is a socket, not a file; give the audio file itself"), q);
		else
			text_set(msg, msglen, _("%s cannot be opened: %s"), q, strerror(err));
		return -err;
	}
	if (fstat(fd, &f->st) < 0) {
		err = errno;
		text_set(msg, msglen, _("%s cannot be read: %s"), q, strerror(err));
		close(fd);
		return -err;
	}
	if (!S_ISREG(f->st.st_mode)) {
		through = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) ? _(" (through a symbolic link)") : "";
		if (S_ISDIR(f->st.st_mode))
			text_set(msg, msglen, _("%s is a folder%s; name an audio file in it"), q, through);
		else if (S_ISFIFO(f->st.st_mode))
			text_set(msg, msglen, _("%s is a pipe (FIFO)%s, not a file; loa imports regular files "
				"only, so that it never waits for a writer: save the audio to a file first"),
				q, through);
		else if (S_ISCHR(f->st.st_mode) || S_ISBLK(f->st.st_mode))
			text_set(msg, msglen, _("%s is a device%s, not a file; loa imports regular files only: "
				"give the path of an audio file"), q, through);
		else
			text_set(msg, msglen, _("%s is not a regular file%s; give the path of an audio file"),
				q, through);
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	f->fd = fd;
	return 0;
}

void import_close(struct import_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int import_check_bulletin(const struct config *cfg, const struct bulletin *b, char *const *slots, size_t n,
			  char *msg, size_t msglen)
{
	if (b->valid_from > b->valid_until) {
		text_set(msg, msglen, _("--from is after --until; the bulletin would never air"));
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char q[TEXT_QUOTE_MAX];
		size_t used;

		if (config_slot(cfg, slots[i]))
			continue;
		text_set(msg, msglen, _("there is no slot named '%s' (in %s or in the database); slots are:"),
			text_quote(slots[i], q), cfg->path);
		for (size_t k = 0; k < cfg->n_slots; k++) {
			used = strlen(msg);
			snprintf(msg + used, msglen - used, " %s", cfg->slots[k].name);
		}
		if (!cfg->n_slots) {
			used = strlen(msg);
			snprintf(msg + used, msglen - used, "%s", _(" (none yet; add one with loa slot add)"));
		}
		return -EINVAL;
	}
	return 0;
}

/* True if the open file is no longer what fstat said when it was opened:
 * a copy or download still being written. */
static bool changed_since(const struct import_file *f)
{
	struct stat now;

	return fstat(f->fd, &now) < 0 || now.st_size != f->st.st_size || now.st_ino != f->st.st_ino ||
	       now.st_mtim.tv_sec != f->st.st_mtim.tv_sec || now.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec;
}

static int refuse_changed(const struct import_file *f, char *msg, size_t msglen)
{
	char q[TEXT_QUOTE_MAX];

	text_set(msg, msglen, _("%s changed while it was being imported; nothing was stored: wait until the "
		"copy or download has finished, then import it again"), text_quote(f->name, q));
	return -EINVAL;
}

int import_check(const struct import_file *f, unsigned flags, struct bulletin *b, char *msg, size_t msglen)
{
	char *copy = xstrdup(f->name), *base = basename(copy), q[TEXT_QUOTE_MAX], why[512];
	size_t at;

	/* What the operator called the file, as text loa can print. */
	free(b->source_name);
	b->source_name = text_clean(base);
	if (!b->title && text_check(base, SIZE_MAX, &at) != TEXT_OK) {
		text_set(msg, msglen, _("the file name %s cannot be the bulletin's title (it is not UTF-8 text, "
			"or holds control characters); give one with --title"), text_quote(base, q));
		free(copy);
		return -EINVAL;
	}
	if (!b->title)
		b->title = xstrdup(base);
	free(copy);
	if (probe_fd_progress(f->fd, flags & IMPORT_FORCE ? PROBE_ALLOW_SILENCE : 0, f->progress, &b->audio, why,
			      sizeof(why)) < 0) {
		text_set(msg, msglen, "%s: %s", text_quote(f->name, q), why);
		return -EINVAL;
	}
	if (changed_since(f))
		return refuse_changed(f, msg, msglen);
	return 0;
}

/* The make-up pre-roll would search for, found once here on the stored
 * copy (the very file the daemon decodes) so that airings at this config's
 * target and trim skip the search. The probe has decoded these bytes
 * whole already; should the search fail all the same, the make-up stays
 * unknown and pre-roll searches, reporting a failure there as before. */
static void find_makeup(const struct config *cfg, struct bulletin *b)
{
	struct player_opts o = import_item_opts(cfg, b->audio.loudness_lufs, b->audio.peak_dbfs);
	char msg[256];

	b->makeup.known = player_wants_makeup(&o) && player_find_makeup(b->path, &o, &b->makeup.db, msg,
									    sizeof(msg)) == 0;
	b->makeup.gain_db = o.gain_db;
	b->makeup.ceiling_dbtp = o.ceiling_dbtp;
	b->makeup.version = PLAYER_MAKEUP_VERSION;
}

/* Refuses audio an active bulletin already holds: importing it twice is
 * most often a slip, and would air the same recording twice a slot. */
static int refuse_duplicate(struct db *db, const struct import_file *f, const struct bulletin *b, char *msg,
			    size_t msglen)
{
	struct bulletin *same;
	char q[TEXT_QUOTE_MAX], qt[TEXT_QUOTE_MAX];
	size_t n;

	if (library_with_content(db, b->sha256, &same, &n) < 0) {
		text_set(msg, msglen, _("%s: cannot read the library; nothing was imported"), text_quote(f->name, q));
		return -EIO;
	}
	if (n > 0)
		text_set(msg, msglen, _("%s holds the same audio as bulletin #%lld '%s'; nothing was imported: "
			"use that bulletin (loa edit %lld), or import it again with --force for another "
			"campaign"), text_quote(f->name, q), (long long)same[0].id, text_quote(same[0].title, qt),
			(long long)same[0].id);
	bulletins_free(same, n);
	return n > 0 ? -EINVAL : 0;
}

/* Adds B to the library and records ACTOR's "import" in the audit trail,
 * in one transaction: a bulletin nobody is recorded to have imported
 * never airs. */
static int add_recorded(struct db *db, const char *actor, const struct import_file *f, struct bulletin *b)
{
	char *detail = NULL, *target = NULL, *about;
	int r = db_begin(db);

	if (r < 0)
		return r;
	r = library_add(db, b);
	if (r == 0) {
		about = bulletin_audit_detail(NULL, b);
		detail = xasprintf("%s; file: '%s'; sha256: %s", about, b->source_name ? b->source_name : f->name,
				   b->sha256);
		free(about);
		target = xasprintf("#%lld", (long long)b->id);
		r = audit_append(db, actor, "import", target, detail);
	}
	if (r == 0 && db_commit(db) < 0)
		r = -EIO;
	if (r < 0) {
		db_rollback(db);
		b->id = 0; /* library_add set it inside what was rolled back */
	}
	free(detail);
	free(target);
	return r;
}

int import_store(struct db *db, const struct config *cfg, const struct import_file *f, unsigned flags,
		 const char *actor, struct bulletin *b, char *msg, size_t msglen)
{
	char ext[16], q[TEXT_QUOTE_MAX];
	bool created = false;
	int err;

	text_quote(f->name, q);
	progress_report(f->progress, PROGRESS_STORING, 0.0);
	err = store_hash_fd(f->fd, b->sha256);
	if (err < 0) {
		text_set(msg, msglen, _("%s: cannot read it: %s"), q, strerror(-err));
		return err;
	}
	if (changed_since(f))
		return refuse_changed(f, msg, msglen);
	if (!(flags & IMPORT_FORCE) && (err = refuse_duplicate(db, f, b, msg, msglen)) < 0)
		return err;
	file_ext(f->name, ext, sizeof(ext));
	err = store_put_fd(cfg->state_dir, f->fd, b->sha256, ext, &b->path, &created);
	if (err == -EAGAIN)
		return refuse_changed(f, msg, msglen);
	if (err < 0) {
		text_set(msg, msglen, _("%s: cannot copy it into %s/content: %s"), q, cfg->state_dir, strerror(-err));
		return err;
	}
	find_makeup(cfg, b);
	progress_report(f->progress, PROGRESS_STORING, 1.0);
	b->imported_at = time_now_ms();
	if (add_recorded(db, actor, f, b) < 0) {
		if (created)
			unlink(b->path);
		text_set(msg, msglen, _("%s: the database refused the new bulletin; nothing was imported"), q);
		return -EIO;
	}
	return 0;
}
