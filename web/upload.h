/* Uploads: a multipart/form-data body streamed through libmicrohttpd's
 * post processor, each file part into a temporary file of its own in the
 * state folder (where the content store is, so storing it is a copy on
 * the same disk), the other parts into the request's form fields. Memory
 * does not grow with the file. More than the station's max_upload_mb in
 * all and every temporary file is removed at once and the request is
 * answered 413; the temporary files go whatever happens when the request
 * ends. */
#ifndef LOA_WEB_UPLOAD_H
#define LOA_WEB_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/web.h"

/* The most files one request may carry. */
#define UPLOAD_FILES_MAX 50

struct web_upload_file {
	char *name;  /* the uploaded file's own name: never a path, cleaned to text */
	char *tmp;   /* the temporary file */
	uint64_t size;
};

struct web_upload {
	char *dir;
	struct web_upload_file *v;
	size_t n;
	int fd;            /* the file being written, -1 between files */
	uint64_t total, max;
	size_t field_bytes;
	bool too_big;      /* more than max: everything dropped */
	int err;           /* a write failed (negative errno) */
};

/* Starts taking R's multipart body: 0, or -EINVAL when it is not
 * multipart/form-data with a boundary. */
int upload_begin(struct web_req *r);
/* Feeds a piece of the body. */
void upload_feed(struct web_req *r, const char *data, size_t len);
/* Ends the body (the post processor), closing the last file. */
void upload_end(struct web_req *r);
/* Removes the temporary files and frees U. */
void upload_free(struct web_upload *u);
/* Removes temporary files a stopped console left in STATE_DIR. */
void upload_sweep(const char *state_dir);

#endif
