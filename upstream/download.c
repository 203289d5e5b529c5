/* The audio of the province's bulletins, fetched by the link one at a
 * time over the link's libcurl multi handle, then judged by the same
 * import core as `loa import`.
 *
 * The file is STATE/downloads/<sha256 of the BanTinID>.part: loa names
 * it, so nothing from the server names a path, and a bulletin has at most
 * one partial file, which a broken connection or a kill -9 leaves for
 * the next try to resume with a Range request. A server that answers the
 * range with the whole file (200) is read from the start again; one that
 * announces more than upstream.max_download_mb, or sends more than it
 * announced or than the cap, is cut off: the count of bytes written is
 * what is trusted, never a header. Free space is checked before the first
 * byte and again against the announced length. TLS is verified as for the
 * link; http:// addresses (a province's own network) are fetched too. */
#include "upstream/upstream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "content/import.h"
#include "content/province.h"
#include "upstream/libcurl.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* What must stay free on the state folder's disk besides the file: the
 * database, the ledger's growth and the content store's copy. */
#define RESERVE_BYTES (64LL * 1024 * 1024)
/* A file sent without its length is held to RESERVE_BYTES as it comes,
 * looked at each time this much more is written. */
#define SPACE_CHECK_BYTES (1LL << 20)
/* A transfer slower than 1 byte/s for this long is dead. */
#define STALL_SECONDS 60L

struct download {
	CURL *h;
	struct province_download d;
	char *path;         /* the partial file */
	int fd;
	int64_t have;       /* bytes in the partial file when the transfer began */
	int64_t written;    /* bytes this transfer wrote */
	int64_t cap;        /* upstream.max_download_mb in bytes */
	int64_t space_at;   /* written: free space is looked at again from here */
	bool checked;       /* the first bytes' checks are done */
	bool restart;       /* the server sent the whole file: the partial was emptied */
	char stop[512];     /* why the write callback cut the transfer off */
	bool stop_for_good; /* that reason is the file's, not the network's */
	char errbuf[CURL_ERROR_SIZE];
};

static int64_t free_bytes(const char *dir)
{
	struct statvfs sv;

	if (statvfs(dir, &sv) < 0)
		return -1;
	return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

/* Free bytes on the partial file's disk, or -1 when that cannot be told. */
static int64_t space_left(const struct download *dl)
{
	char *dir = xstrdup(dl->path);
	int64_t space;

	*strrchr(dir, '/') = '\0';
	space = free_bytes(dir);
	free(dir);
	return space;
}

/* The checks that wait for the reply's status: the range honoured or not,
 * the announced length against the cap and the free space. */
static bool first_bytes(struct download *dl)
{
	curl_off_t len = -1;
	long http = 0;
	int64_t space;

	dl->checked = true;
	LIBCURL(curl_easy_getinfo)(dl->h, CURLINFO_RESPONSE_CODE, &http);
	if (dl->have > 0 && http != 206) {
		/* The whole file again: start the partial over. */
		if (ftruncate(dl->fd, 0) < 0 || lseek(dl->fd, 0, SEEK_SET) < 0) {
			text_set(dl->stop, sizeof(dl->stop), _("cannot empty %s: %s"), dl->path, strerror(errno));
			return false;
		}
		dl->have = 0;
		dl->restart = true;
	}
	LIBCURL(curl_easy_getinfo)(dl->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	if (len > 0 && dl->have + len > dl->cap) {
		text_set(dl->stop, sizeof(dl->stop), _("the server announces %" PRId64 " bytes, more than "
			 "upstream.max_download_mb (%" PRId64 " MB)"), (int64_t)(dl->have + len), dl->cap >> 20);
		dl->stop_for_good = true;
		return false;
	}
	space = space_left(dl);
	if (len > 0 && space >= 0 && space < len + RESERVE_BYTES) {
		text_set(dl->stop, sizeof(dl->stop), _("not enough free space for %" PRId64 " bytes (%" PRId64
			 " MB free, %lld MB kept free)"), (int64_t)len, space >> 20, RESERVE_BYTES >> 20);
		return false;
	}
	return true;
}

static size_t on_audio(char *p, size_t size, size_t n, void *ctx)
{
	struct download *dl = ctx;
	size_t add = size * n;
	ssize_t w;

	if (!dl->checked && !first_bytes(dl))
		return 0;
	/* What was written counts, whatever the headers said. */
	if (dl->have + dl->written + (int64_t)add > dl->cap) {
		text_set(dl->stop, sizeof(dl->stop), _("the file is larger than upstream.max_download_mb (%" PRId64
			 " MB)"), dl->cap >> 20);
		dl->stop_for_good = true;
		return 0;
	}
	/* The ledger needs its room more than a download does: a file whose
	 * length was not announced (or was announced falsely) stops before
	 * the disk is full, and resumes when there is room. */
	if (dl->written >= dl->space_at) {
		int64_t space = space_left(dl);

		dl->space_at = dl->written + SPACE_CHECK_BYTES;
		if (space >= 0 && space < RESERVE_BYTES + (int64_t)add) {
			text_set(dl->stop, sizeof(dl->stop), _("only %" PRId64 " MB free on the disk of %s; the "
				 "download waits until %lld MB are free"), space >> 20, dl->path, RESERVE_BYTES >> 20);
			return 0;
		}
	}
	for (size_t off = 0; off < add; off += (size_t)w) {
		w = write(dl->fd, p + off, add - off);
		if (w < 0) {
			text_set(dl->stop, sizeof(dl->stop), _("cannot write %s: %s"), dl->path, strerror(errno));
			return 0;
		}
	}
	dl->written += (int64_t)add;
	return add;
}

/* The partial file of bulletin ID, named by loa. */
static char *partial_path(const char *state_dir, const char *id)
{
	char hex[SHA256_HEX];

	sha256_hex(id, strlen(id), hex);
	return xasprintf("%s/downloads/%s.part", state_dir, hex);
}

void upstream_download_free(struct download *dl)
{
	if (!dl)
		return;
	if (dl->h)
		LIBCURL(curl_easy_cleanup)(dl->h);
	if (dl->fd >= 0)
		close(dl->fd);
	province_download_done(&dl->d);
	free(dl->path);
	free(dl);
}

struct download *upstream_download_new(const struct config *cfg, const struct province_download *d, char *msg,
				       size_t msglen)
{
	const struct upstream_config *u = cfg->upstream;
	struct download *dl = xcalloc(1, sizeof(*dl));
	char *dir = xasprintf("%s/downloads", cfg->state_dir);
	struct stat st;
	int64_t space;

	dl->fd = -1;
	dl->d = *d;
	dl->d.url = xstrdup(d->url);
	dl->cap = (int64_t)u->max_download_mb << 20;
	dl->path = partial_path(cfg->state_dir, d->id);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		text_set(msg, msglen, _("cannot make %s: %s"), dir, strerror(errno));
		goto fail;
	}
	space = free_bytes(dir);
	if (space >= 0 && space < RESERVE_BYTES) {
		text_set(msg, msglen, _("only %" PRId64 " MB free in %s; downloads wait until %lld MB are free"),
			 space >> 20, dir, RESERVE_BYTES >> 20);
		goto fail;
	}
	dl->fd = open(dl->path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dl->fd < 0 || fstat(dl->fd, &st) < 0) {
		text_set(msg, msglen, _("cannot open %s: %s"), dl->path, strerror(errno));
		goto fail;
	}
	dl->have = st.st_size;
	dl->h = LIBCURL(curl_easy_init)();
	if (!dl->h)
		abort();
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_URL, dl->d.url);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_PROTOCOLS_STR, "http,https");
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_FOLLOWLOCATION, 1L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_MAXREDIRS, 3L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_SSL_VERIFYPEER, 1L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (u->ca_file)
		LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_CAINFO, u->ca_file);
	/* A Range header, not CURLOPT_RESUME_FROM: with that, curl fails a
	 * server that answers with the whole file (200) as CURLE_RANGE_ERROR,
	 * and the link would ask again forever; this way first_bytes sees
	 * the 200 and starts the partial file over. */
	if (dl->have > 0) {
		char range[32];

		snprintf(range, sizeof(range), "%" PRId64 "-", dl->have);
		LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_RANGE, range);
	}
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_WRITEFUNCTION, on_audio);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_WRITEDATA, dl);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_FAILONERROR, 1L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_ERRORBUFFER, dl->errbuf);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_NOSIGNAL, 1L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_CONNECTTIMEOUT, (long)(u->timeout_seconds < 10 ? u->timeout_seconds : 10));
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	LIBCURL(curl_easy_setopt)(dl->h, CURLOPT_USERAGENT, "loa");
	free(dir);
	return dl;
fail:
	free(dir);
	upstream_download_free(dl);
	return NULL;
}

void *upstream_download_handle(struct download *dl)
{
	return dl->h;
}

const char *upstream_download_id(const struct download *dl)
{
	return dl->d.id;
}

/* Imports the whole file through the import core, as `loa import` would,
 * named after the address's last segment. */
static int import_it(struct db *db, const struct config *cfg, struct download *dl, char *msg, size_t msglen)
{
	const char *url = dl->d.url, *slash, *end = url + strcspn(url, "?#");
	struct bulletin b = { .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER };
	struct import_file f = { .fd = -1 };
	char *name;
	int r;

	for (slash = end; slash > url && slash[-1] != '/'; slash--)
		;
	name = slash < end ? xasprintf("%.*s", (int)(end - slash), slash) : xstrdup("bulletin");
	r = import_open(dl->path, &f, msg, msglen);
	if (r < 0) {
		free(name);
		return r == -EINVAL ? -EIO : r;
	}
	f.name = name;
	r = province_bulletin_meta(db, dl->d.id, &b);
	if (r == 0)
		r = import_check(&f, 0, &b, msg, msglen);
	if (r == 0)
		r = import_store(db, cfg, &f, 0, "province", &b, msg, msglen);
	if (r == 0 && province_bulletin_stored(db, dl->d.id, b.id, time_now_ms()) < 0)
		r = -EIO;
	if (r == 0)
		log_notice(_("upstream: bulletin %s of the province is in the library as #%lld ('%s')"), dl->d.id,
			   (long long)b.id, b.title);
	import_close(&f);
	free(name);
	bulletin_done(&b);
	return r;
}

int upstream_download_done(struct download *dl, int res, struct db *db, const struct config *cfg)
{
	char why[1024], msg[768];
	long http = 0;
	int r;

	LIBCURL(curl_easy_getinfo)(dl->h, CURLINFO_RESPONSE_CODE, &http);
	if (res != CURLE_OK) {
		bool gone = http >= 400 && http < 500 && http != 408 && http != 429;

		if (dl->stop[0])
			text_set(why, sizeof(why), "%s", dl->stop);
		else if (http >= 400)
			text_set(why, sizeof(why), _("the server answered HTTP %ld"), http);
		else
			text_set(why, sizeof(why), "%s", dl->errbuf[0] ? dl->errbuf : LIBCURL(curl_easy_strerror)((CURLcode)res));
		if (dl->stop_for_good || gone) {
			unlink(dl->path);
			log_err(_("upstream: the audio of bulletin %s cannot be had from %s: %s; its items fail"),
				dl->d.id, dl->d.url, why);
			province_bulletin_failed(db, dl->d.id, false, why, time_now_ms());
			return 0;
		}
		log_warn(_("upstream: downloading bulletin %s from %s stopped after %" PRId64 " bytes: %s; it "
			   "resumes from there"), dl->d.id, dl->d.url, dl->have + dl->written, why);
		return -EAGAIN;
	}
	if (fsync(dl->fd) < 0) {
		log_warn(_("upstream: cannot write %s: %s"), dl->path, strerror(errno));
		return -EAGAIN;
	}
	close(dl->fd);
	dl->fd = -1;
	r = import_it(db, cfg, dl, msg, sizeof(msg));
	if (r == -EINVAL) {
		/* Refused as `loa import` would: never aired, said, and kept
		 * for loa upstream status. */
		log_err(_("upstream: the audio of bulletin %s from %s is refused: %s"), dl->d.id, dl->d.url, msg);
		province_bulletin_failed(db, dl->d.id, true, msg, time_now_ms());
	} else if (r < 0) {
		log_err(_("upstream: bulletin %s: %s; trying again later"), dl->d.id, msg);
		return -EAGAIN;
	}
	unlink(dl->path);
	return 0;
}
