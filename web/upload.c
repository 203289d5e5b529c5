/* See upload.h. */
#include "web/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xmalloc.h"
#include "web/libmhd.h"

#define TMP_PREFIX ".web-upload-"

static void drop_files(struct web_upload *u)
{
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	for (size_t i = 0; i < u->n; i++) {
		if (u->v[i].tmp)
			unlink(u->v[i].tmp);
		free(u->v[i].tmp);
		free(u->v[i].name);
	}
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

void upload_free(struct web_upload *u)
{
	if (!u)
		return;
	drop_files(u);
	free(u->dir);
	free(u);
}

/* The last component of what the browser sent (old browsers send the
 * whole path, with either slash), as text: the name the bulletin keeps. */
static char *own_name(const char *sent)
{
	const char *base = sent;

	for (const char *p = sent; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		base = "upload";
	return text_clean(base);
}

static int new_file(struct web_upload *u, const char *filename)
{
	struct web_upload_file *f;
	char *tmp;
	int fd;

	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	if (u->n >= UPLOAD_FILES_MAX)
		return -E2BIG;
	tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX", u->dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		log_err("web: cannot create a temporary file in %s for an upload: %s", u->dir, strerror(errno));
		free(tmp);
		return err;
	}
	u->v = xrealloc(u->v, (u->n + 1) * sizeof(*u->v));
	f = &u->v[u->n++];
	f->tmp = tmp;
	f->name = own_name(filename);
	f->size = 0;
	u->fd = fd;
	return 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
			       const char *content_type, const char *transfer_encoding, const char *data,
			       uint64_t off, size_t size)
{
	struct web_req *r = cls;
	struct web_upload *u = r->upload;
	int err;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (u->too_big || u->err)
		return MHD_NO;
	if (!key)
		return MHD_YES;
	if (!filename) {
		/* A field: pieces of one value arrive in order; the last field
		 * added is the one being continued. */
		u->field_bytes += size + strlen(key);
		if (u->field_bytes > WEB_BODY_MAX) {
			u->too_big = true;
			drop_files(u);
			return MHD_NO;
		}
		if (off > 0 && r->form.n && strcmp(r->form.v[r->form.n - 1].name, key) == 0) {
			struct web_field *f = &r->form.v[r->form.n - 1];
			size_t have = strlen(f->value);

			f->value = xrealloc(f->value, have + size + 1);
			memcpy(f->value + have, data, size);
			f->value[have + size] = '\0';
		} else {
			web_fields_add(&r->form, key, strlen(key), data, size);
		}
		return MHD_YES;
	}
	if (off == 0 && (err = new_file(u, filename)) < 0) {
		u->err = err;
		drop_files(u);
		return MHD_NO;
	}
	if (u->fd < 0 || size == 0)
		return MHD_YES;
	u->total += size;
	if (u->total > u->max) {
		u->too_big = true;
		drop_files(u);
		return MHD_NO;
	}
	if ((err = atomic_write_all(u->fd, data, size)) < 0) {
		log_err("web: cannot write an upload into %s: %s", u->dir, strerror(-err));
		u->err = err;
		drop_files(u);
		return MHD_NO;
	}
	u->v[u->n - 1].size += size;
	return MHD_YES;
}

int upload_begin(struct web_req *r)
{
	struct web_upload *u = xcalloc(1, sizeof(*u));

	u->fd = -1;
	u->dir = xstrdup(r->conf->state_dir);
	u->max = (uint64_t)r->conf->web.max_upload_mb * 1024 * 1024;
	r->upload = u;
	r->pp = LIBMHD(MHD_create_post_processor)(r->conn, 64 * 1024, on_part, r);
	return r->pp ? 0 : -EINVAL;
}

void upload_feed(struct web_req *r, const char *data, size_t len)
{
	struct web_upload *u = r->upload;

	if (u->too_big || u->err || !r->pp)
		return;
	/* MHD_NO: a part was refused (too big, a write failed); the rest of
	 * the body is read and dropped, and the answer says why. */
	if (LIBMHD(MHD_post_process)(r->pp, data, len) == MHD_NO && !u->too_big && !u->err)
		u->err = -EINVAL;
}

void upload_end(struct web_req *r)
{
	struct web_upload *u = r->upload;

	if (r->pp) {
		LIBMHD(MHD_destroy_post_processor)(r->pp);
		r->pp = NULL;
	}
	if (u && u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
}

void upload_sweep(const char *state_dir)
{
	DIR *d = opendir(state_dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}
