/* scheduler/engine: every decision the daemon makes, on a virtual clock.
 *
 * The engine gets a clock, a clock-trust function and an audio sink that
 * "plays" instantly: an element lasts its length in virtual time, and the
 * loop below jumps straight to the next instant that matters (the engine's
 * wake-up or the end of what is on air). The database is a real SQLite one
 * in a temporary folder, so what is asserted is what the ledger holds.
 *
 * The focused tests each show one behaviour; the simulated year puts them
 * together and checks that every item the planner planned has exactly one
 * final ledger row with the outcome the test expects from its own record
 * of what it did (outages, untrusted clock, clock steps, alerts, stops).
 * LOA_TEST_ENGINE_DAYS shortens the year (the valgrind run uses it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "config/config.h"
#include "content/import.h"
#include "content/library.h"
#include "content/province.h"
#include "content/slots.h"
#include "ledger/backlog.h"
#include "audio/airtime.h"
#include "content/sources.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "scheduler/engine.h"
#include "scheduler/plan.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define H (60 * MIN)
#define DAY_MS (24 * H)
#define RATE 48000
#define FADE_MS 30
#define SHA "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

static int32_t D(int y, int m, int d)
{
	return civil_to_days((struct civil){ y, m, d });
}

/* Local time in Vietnam (UTC+7, no DST) as UTC ms. */
static int64_t vn(int32_t day, int h, int m, int s)
{
	return (int64_t)day * DAY_MS + ((int64_t)h * 3600 + m * 60 + s) * SEC - 7 * H;
}

/* ---- the simulated station ---- */

struct media {
	char *path;  /* as the engine opens it: the content store's file for a bulletin */
	char *label; /* what airings record: "/content/N-title.wav", or the path */
	int64_t ms;
	int64_t bulletin_id; /* 0 for intro/outro */
	struct player_opts opened; /* how the sink was last asked to air it */
};

struct airing {
	char *path;
	int64_t at;
};

/* A stream as the fake relay sees it: a test says, by its URL, how long
 * it takes to answer and when it is down, stalls or sends silence. */
struct stream {
	const char *url;
	int64_t connect_ms;               /* from a tune to its first data */
	int64_t down_from, down_until;    /* refuses connections, and breaks one that is open */
	int64_t stall_from, stall_until;  /* connected, sends nothing */
	int64_t silent_from, silent_until;
};

struct fake {
	char *path;
	int64_t len_ms;
	int64_t started_at; /* 0 until started */
	int64_t end_at;     /* when it stops producing frames */
	bool fading;
	/* A relay (fk_relay_open): its inputs, and what went out, accounted
	 * on the virtual clock up to t. */
	bool relay;
	struct sim *sim;
	char **inputs;
	size_t n;
	int64_t window_end;
	int on_air, tuning, failed, lost;
	int64_t tune_done;
	char why[128];
	int64_t first_audio_at;
	int64_t t;
	struct airtime air;
	struct relay_opts opts;
};

struct sim {
	char dir[128];
	char conf[192];
	struct db *db;
	struct engine *e;
	struct engine_env env;
	int64_t now;
	int64_t stepped; /* what step_clock moved the wall clock by, in all */
	bool trusted;
	struct media media[32];
	size_t n_media;
	struct stream streams[8];
	size_t n_streams;
	int n_tunes;
	struct airing *air; /* every element the sink started, in order */
	size_t n_air, cap_air;
	int n_open;
	int stderr_fd; /* the real stderr while quiet */
	int quiet;
};

static struct media *media_find(struct sim *s, const char *path)
{
	for (size_t i = 0; i < s->n_media; i++)
		if (!strcmp(s->media[i].path, path) || !strcmp(s->media[i].label, path))
			return &s->media[i];
	return NULL;
}

static struct media *media_find_id(struct sim *s, int64_t id)
{
	for (size_t i = 0; i < s->n_media; i++)
		if (s->media[i].bulletin_id == id)
			return &s->media[i];
	fail_msg("no bulletin #%lld", (long long)id);
	return NULL;
}

static void relay_advance(struct fake *f, int64_t to);

static void *fk_open(void *ctx, const char *path, const struct player_opts *opts, int *err, char *msg, size_t len)
{
	struct sim *s = ctx;
	struct media *m = media_find(s, path);
	struct fake *f;

	if (m)
		m->opened = *opts;
	if (!m) {
		*err = -ENOENT;
		snprintf(msg, len, "%s: no such file", path);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(m->label);
	f->len_ms = m->ms;
	s->n_open++;
	return f;
}

static int64_t fk_start(void *ctx, void *h)
{
	struct sim *s = ctx;
	struct fake *f = h;

	assert_int_equal(f->started_at, 0);
	if (f->relay)
		relay_advance(f, s->now);
	f->started_at = s->now;
	f->end_at = f->relay ? f->window_end : s->now + f->len_ms;
	xgrow(&s->air, &s->cap_air, s->n_air + 1, sizeof(*s->air));
	s->air[s->n_air++] = (struct airing){ xstrdup(f->path), s->now };
	return s->now;
}

static int64_t fk_frames(void *ctx, void *h)
{
	struct sim *s = ctx;
	struct fake *f = h;
	int64_t t;

	if (!f->started_at)
		return 0;
	t = (s->now < f->end_at ? s->now : f->end_at) - f->started_at;
	return t < 0 ? 0 : t * RATE / 1000;
}

/* ---- the fake relay ---- */

static struct stream *stream_of(struct sim *s, const char *url)
{
	for (size_t i = 0; i < s->n_streams; i++)
		if (!strcmp(s->streams[i].url, url))
			return &s->streams[i];
	fail_msg("no stream %s", url);
	return NULL;
}

static bool within(int64_t t, int64_t from, int64_t until)
{
	return from && t >= from && t < until;
}

/* The earliest of the stream's edges after T, or LIMIT. */
static int64_t next_edge(const struct stream *st, int64_t t, int64_t limit)
{
	int64_t v[] = { st->down_from, st->down_until, st->stall_from, st->stall_until, st->silent_from,
			st->silent_until };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] > t && v[i] < limit)
			limit = v[i];
	return limit;
}

static void tune_done(struct fake *f, int64_t t)
{
	struct stream *st = stream_of(f->sim, f->inputs[f->tuning]);

	if (within(t, st->down_from, st->down_until)) {
		f->failed = f->tuning;
		snprintf(f->why, sizeof(f->why), "Connection refused");
	} else if (within(t, st->stall_from, st->stall_until)) {
		f->failed = f->tuning;
		snprintf(f->why, sizeof(f->why), "no data for 5 s");
	} else if (f->on_air >= 0 && within(t, st->silent_from, st->silent_until)) {
		/* It would not replace the input on air with silence. */
		f->failed = f->tuning;
		snprintf(f->why, sizeof(f->why), "only silence for %d s", f->opts.silence_ms / 1000);
	} else {
		f->on_air = f->tuning;
		airtime_switch(&f->air);
	}
	f->tuning = -1;
}

/* Accounts what went out up to TO, event by event. */
static void relay_advance(struct fake *f, int64_t to)
{
	while (f->t < to) {
		int64_t t = f->t, next = to, end;
		struct stream *st = f->on_air >= 0 ? stream_of(f->sim, f->inputs[f->on_air]) : NULL;
		enum airtime_kind kind = AIRTIME_NODATA;

		if (f->tuning >= 0 && f->tune_done <= t) {
			tune_done(f, t);
			continue;
		}
		if (st && within(t, st->down_from, st->down_until)) {
			f->lost = f->on_air;
			f->on_air = -1;
			snprintf(f->why, sizeof(f->why), "the server closed the connection");
			continue;
		}
		if (f->tuning >= 0 && f->tune_done < next)
			next = f->tune_done;
		if (st) {
			next = next_edge(st, t, next);
			kind = within(t, st->stall_from, st->stall_until) ? AIRTIME_NODATA :
			       within(t, st->silent_from, st->silent_until) ? AIRTIME_SILENCE : AIRTIME_SOUND;
		}
		end = next < f->end_at ? next : f->end_at;
		if (f->started_at && t >= f->started_at && end > t) {
			airtime_add(&f->air, kind, end - t);
			if (kind != AIRTIME_NODATA && !f->first_audio_at)
				f->first_audio_at = t;
		}
		f->t = next;
	}
}

static void *fk_relay_open(void *ctx, const char *const *inputs, size_t n, const struct relay_opts *opts,
			   int *err, char *msg, size_t len)
{
	struct sim *s = ctx;
	struct fake *f;

	(void)err;
	(void)msg;
	(void)len;
	f = xcalloc(1, sizeof(*f));
	f->relay = true;
	f->sim = s;
	f->path = xstrdup("relay");
	f->inputs = xcalloc(n, sizeof(*f->inputs));
	for (size_t i = 0; i < n; i++)
		f->inputs[i] = xstrdup(inputs[i]);
	f->n = n;
	f->opts = *opts;
	f->window_end = opts->end_at;
	f->len_ms = opts->end_at - s->now;
	f->on_air = f->tuning = f->failed = f->lost = -1;
	f->t = s->now;
	airtime_init(&f->air, opts->silence_ms);
	s->n_open++;
	return f;
}

static void fk_relay_tune(void *ctx, void *h, size_t i)
{
	struct sim *s = ctx;
	struct fake *f = h;

	relay_advance(f, s->now);
	assert_true(i < f->n);
	f->tuning = (int)i;
	f->tune_done = s->now + stream_of(s, f->inputs[i])->connect_ms;
	s->n_tunes++;
}

static void fk_relay_status(void *ctx, void *h, struct relay_status *st)
{
	struct sim *s = ctx;
	struct fake *f = h;

	relay_advance(f, s->now < f->end_at ? s->now : f->end_at);
	memset(st, 0, sizeof(*st));
	st->on_air = f->on_air;
	st->tuning = f->tuning;
	st->failed = f->failed;
	st->lost = f->lost;
	snprintf(st->why, sizeof(st->why), "%s", f->why);
	f->failed = f->lost = -1;
	st->first_audio_at = f->first_audio_at;
	st->audio_frames = airtime_audio(&f->air) * RATE / 1000;
	st->silent_ms = f->on_air >= 0 ? f->air.silent : 0;
	st->starved_ms = f->on_air >= 0 ? f->air.starved : 0;
}

static int fk_rate(void *ctx, void *h) { (void)ctx; (void)h; return RATE; }
static int fk_xruns(void *ctx, void *h) { (void)ctx; (void)h; return 0; }

static void fk_fade_out(void *ctx, void *h)
{
	struct sim *s = ctx;
	struct fake *f = h;

	f->fading = true;
	if (f->relay)
		relay_advance(f, s->now);
	if (f->end_at > s->now + FADE_MS)
		f->end_at = s->now + FADE_MS;
}

static void fk_close(void *ctx, void *h)
{
	struct fake *f = h;

	(void)ctx;
	free(f->path);
	for (size_t i = 0; i < f->n; i++)
		free(f->inputs[i]);
	free(f->inputs);
	free(f);
}

static const struct sink_ops fake_sink = {
	.open = fk_open, .start = fk_start, .frames = fk_frames, .rate = fk_rate,
	.xruns = fk_xruns, .fade_out = fk_fade_out, .close = fk_close,
	.relay_open = fk_relay_open, .relay_tune = fk_relay_tune, .relay_status = fk_relay_status,
};

static int64_t sim_now(void *ctx) { return ((struct sim *)ctx)->now; }
/* The monotonic clock runs with the wall clock but is not stepped. */
static int64_t sim_mono(void *ctx) { return ((struct sim *)ctx)->now - ((struct sim *)ctx)->stepped; }
static bool sim_trusted(void *ctx) { return ((struct sim *)ctx)->trusted; }

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The engine logs every airing; a year of it would drown the test's own
 * messages (which cmocka writes to stderr too), so while the engine runs
 * its lines go to a file, unless LOA_TEST_VERBOSE is set. */
static void quiet(struct sim *s)
{
	char path[256];
	int fd;

	if (s->quiet++ || getenv("LOA_TEST_VERBOSE"))
		return;
	snprintf(path, sizeof(path), "%s/engine.log", s->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return;
	fflush(stderr);
	s->stderr_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void loud(struct sim *s)
{
	if (--s->quiet || s->stderr_fd <= 0)
		return;
	fflush(stderr);
	dup2(s->stderr_fd, 2);
	close(s->stderr_fd);
	s->stderr_fd = 0;
}

/* ---- a disk that fills up on demand ---- */

/* A VFS over SQLite's default one whose writes fail with SQLITE_FULL, as
 * the unix VFS's do on ENOSPC, while disk_full is set: WAL frames,
 * checkpoints into loa.db, everything. It becomes the default before any
 * test opens its database, so the engine meets a full disk where a real
 * one would stop it. */
static bool disk_full;
static sqlite3_vfs *real_vfs;

struct full_file {
	sqlite3_file base;
	sqlite3_file *real; /* right behind this struct */
};

#define REAL(f) (((struct full_file *)(f))->real)
#define FWD(f, m, ...) (REAL(f)->pMethods->m ? REAL(f)->pMethods->m(REAL(f), __VA_ARGS__) : SQLITE_IOERR)

static int ff_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off) { return FWD(f, xRead, p, n, off); }
static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return disk_full ? SQLITE_FULL : FWD(f, xWrite, p, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size) { return FWD(f, xTruncate, size); }
static int ff_sync(sqlite3_file *f, int flags) { return FWD(f, xSync, flags); }
static int ff_size(sqlite3_file *f, sqlite3_int64 *size) { return FWD(f, xFileSize, size); }
static int ff_lock(sqlite3_file *f, int l) { return FWD(f, xLock, l); }
static int ff_unlock(sqlite3_file *f, int l) { return FWD(f, xUnlock, l); }
static int ff_reserved(sqlite3_file *f, int *out) { return FWD(f, xCheckReservedLock, out); }
static int ff_fcntl(sqlite3_file *f, int op, void *arg) { return FWD(f, xFileControl, op, arg); }
static int ff_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int ff_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int ff_shmmap(sqlite3_file *f, int i, int sz, int ext, void volatile **pp) { return FWD(f, xShmMap, i, sz, ext, pp); }
static int ff_shmlock(sqlite3_file *f, int off, int n, int flags) { return FWD(f, xShmLock, off, n, flags); }
static void ff_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int ff_shmunmap(sqlite3_file *f, int del) { return FWD(f, xShmUnmap, del); }
static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return FWD(f, xFetch, off, n, pp); }
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return FWD(f, xUnfetch, off, p); }

static const sqlite3_io_methods full_io = {
	3, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock, ff_unlock, ff_reserved,
	ff_fcntl, ff_sector, ff_devchar, ff_shmmap, ff_shmlock, ff_shmbarrier, ff_shmunmap, ff_fetch, ff_unfetch,
};

static int ff_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct full_file *ff = (struct full_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	ff->base.pMethods = ff->real->pMethods ? &full_io : NULL;
	return rc;
}

static void full_vfs_register(void)
{
	static sqlite3_vfs vfs;

	if (real_vfs)
		return;
	real_vfs = sqlite3_vfs_find(NULL);
	vfs = *real_vfs;
	vfs.szOsFile = (int)sizeof(struct full_file) + real_vfs->szOsFile;
	vfs.zName = "loa-test-full";
	vfs.xOpen = ff_open;
	sqlite3_vfs_register(&vfs, 1);
}

static int setup(void **state)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char msg[512];

	full_vfs_register();
	disk_full = false;
	snprintf(s->dir, sizeof(s->dir), "%s/loa-test-engine-XXXXXX", base);
	if (!mkdtemp(s->dir) || time_set_zone("Asia/Ho_Chi_Minh") < 0)
		return -1;
	if (db_open(s->dir, DB_READ_WRITE, &s->db, msg, sizeof(msg)) < 0)
		return -1;
	/* Durability is the ledger's business and tested there; here a
	 * year of commits must not wait for the disk. */
	sqlite3_exec(db_sqlite(s->db), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	snprintf(s->conf, sizeof(s->conf), "%s/loa.conf", s->dir);
	s->env = (struct engine_env){ .ctx = s, .now = sim_now, .mono = sim_mono, .clock_trusted = sim_trusted,
				      .sink = &fake_sink };
	s->trusted = true;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct sim *s = *state;

	disk_full = false;
	quiet(s);
	engine_free(s->e);
	loud(s);
	db_close(s->db);
	for (size_t i = 0; i < s->n_media; i++) {
		free(s->media[i].path);
		free(s->media[i].label);
	}
	for (size_t i = 0; i < s->n_air; i++)
		free(s->air[i].path);
	free(s->air);
	fixture_rmtree(s->dir);
	free(s);
	return 0;
}

static void add_media_as(struct sim *s, const char *path, const char *label, int64_t ms, int64_t id)
{
	assert_true(s->n_media < sizeof(s->media) / sizeof(s->media[0]));
	s->media[s->n_media++] = (struct media){ .path = xstrdup(path), .label = xstrdup(label), .ms = ms,
						 .bulletin_id = id };
}

static void add_media(struct sim *s, const char *path, int64_t ms, int64_t id)
{
	add_media_as(s, path, path, ms, id);
}

/* Loads the station config: the common header plus SLOTS (the body of
 * the slots list) and EXTRA groups. Intro and outro files are given lengths
 * here, as the daemon's jingle probe would. */
static struct config *load_config(struct sim *s, const char *clock, const char *slots)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char *text, path[256];

	snprintf(path, sizeof(path), "%s/intro.wav", s->dir);
	write_file(path, "");
	if (!media_find(s, path))
		add_media(s, path, 5 * SEC, 0);
	snprintf(path, sizeof(path), "%s/outro.wav", s->dir);
	write_file(path, "");
	if (!media_find(s, path))
		add_media(s, path, 4 * SEC, 0);
	text = xasprintf("station = { name = \"Xã Thử\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
			 "paths = { state_dir = \"%s\"; };\n"
			 "audio = { device = \"fake\"; gap_ms = 1000; };\n"
			 "clock = { %s };\n"
			 "limits = { earliest = \"05:00\"; latest = \"21:00\"; };\n"
			 "slots = ( %s );\n",
			 s->dir, clock ? clock : "require_sync = false; grace_minutes = 10;", slots);
	write_file(s->conf, text);
	free(text);
	if (config_load(s->conf, &cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		fail_msg("the test's config does not load");
	}
	strlist_done(&errs);
	for (size_t i = 0; i < cfg->n_slots; i++) {
		cfg->slots[i].intro_ms = cfg->slots[i].intro ? 5 * SEC : 0;
		cfg->slots[i].outro_ms = cfg->slots[i].outro ? 4 * SEC : 0;
	}
	return cfg;
}

/* Adds a bulletin imported now; SLOTS is a space-separated list. */
static int64_t add_bulletin(struct sim *s, const char *title, enum priority prio, int64_t ms,
			    int32_t from, int32_t until, const char *topic, const char *slots)
{
	char *names[4] = { 0 }, *copy = xstrdup(slots), *save = NULL, path[256], label[256];
	struct bulletin b = {
		.title = (char *)title, .topic = (char *)topic, .priority = prio,
		.valid_from = from, .valid_until = until, .slots = names,
		.path = path, .source_name = (char *)"x.wav",
		.audio = { .frames = ms * RATE / 1000, .duration_ms = ms, .sample_rate = RATE,
			   .channels = 1, .format = "WAV", .peak_dbfs = -1, .loudness_lufs = -16,
			   .true_peak_dbtp = -1 },
		.imported_at = s->now,
	};

	/* Each its own content, stored where the engine opens it: the store. */
	snprintf(b.sha256, sizeof(b.sha256), "%064zx", s->n_media + 1);
	snprintf(path, sizeof(path), "%s/content/%s.wav", s->dir, b.sha256);
	snprintf(label, sizeof(label), "/content/%zu-%s.wav", s->n_media, title);
	for (char *t = strtok_r(copy, " ", &save); t && b.n_slots < 4; t = strtok_r(NULL, " ", &save))
		names[b.n_slots++] = t;
	assert_int_equal(library_add(s->db, &b), 0);
	free(copy);
	add_media_as(s, path, label, ms, b.id);
	return b.id;
}

/* A normal bulletin of topic 1 in slot sang, valid for ever. */
static int64_t add_sang(struct sim *s, const char *title, int64_t ms)
{
	return add_bulletin(s, title, PRIO_NORMAL, ms, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "sang");
}

/* An emergency bulletin in no slot: what alerts air. */
static int64_t add_storm(struct sim *s, int64_t ms)
{
	return add_bulletin(s, "bão", PRIO_EMERGENCY, ms, DAY_NONE_BEFORE, DAY_NONE_AFTER, "2", "");
}

static void start_engine(struct sim *s, struct config *cfg)
{
	assert_null(s->e);
	quiet(s);
	s->e = engine_new(cfg, s->db, &s->env);
	engine_run(s->e);
	loud(s);
}

static struct fake *on_air(struct sim *s)
{
	return engine_on_air(s->e);
}

/* Runs the engine as the daemon's loop would, jumping from one instant that
 * matters to the next, until T (the clock then reads T). */
static void run_until(struct sim *s, int64_t t)
{
	int64_t last = INT64_MIN;
	int same = 0;

	quiet(s);
	for (;;) {
		struct fake *f = on_air(s);
		int64_t w = engine_wake_at(s->e), next = f ? f->end_at : 0;

		if (w && (!next || w < next))
			next = w;
		if (!next || next > t)
			break;
		if (next < s->now)
			next = s->now;
		if (next == last && ++same > 100) {
			loud(s);
			fail_msg("the engine asks to be woken at %lld again and again", (long long)next);
		}
		if (next != last)
			same = 0;
		last = next;
		s->now = next;
		if (f && f->end_at <= s->now)
			engine_ended(s->e, 1);
		else
			engine_run(s->e);
	}
	if (s->now < t)
		s->now = t;
	loud(s);
}

/* Runs until T, then the operator sends a one-off alert of ID. */
static void alert_at(struct sim *s, int64_t t, int64_t id)
{
	char msg[256];

	run_until(s, t);
	assert_int_equal(engine_alert(s->e, id, 1, 60, "hoang", msg, sizeof(msg)), 0);
}

/* Steps the wall clock to T, as the kernel would; what is on air keeps
 * its own (sample) clock, so its instants move with the step. */
static void step_clock(struct sim *s, int64_t t)
{
	struct fake *f = on_air(s);
	int64_t delta = t - s->now;

	if (f) {
		f->started_at += delta;
		f->end_at += delta;
	}
	s->now = t;
	s->stepped += delta;
	quiet(s);
	engine_clock_stepped(s->e);
	loud(s);
}

/* Drops the engine as a power cut would: nothing it still wants to write
 * reaches the ledger (its connection is made read-only first), and the
 * next engine gets a fresh connection. */
static void power_cut(struct sim *s)
{
	char msg[512];

	sqlite3_exec(db_sqlite(s->db), "PRAGMA query_only = ON", NULL, NULL, NULL);
	quiet(s);
	engine_free(s->e);
	loud(s);
	s->e = NULL;
	db_close(s->db);
	assert_int_equal(db_open(s->dir, DB_READ_WRITE, &s->db, msg, sizeof(msg)), 0);
	sqlite3_exec(db_sqlite(s->db), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
}

static void stop_engine(struct sim *s)
{
	quiet(s);
	engine_free(s->e);
	loud(s);
	s->e = NULL;
}

struct rows {
	struct ledger_row *v;
	size_t n;
};

static struct rows ledger(struct sim *s)
{
	struct rows r = { 0 };

	assert_int_equal(ledger_query(s->db, INT64_MIN, INT64_MAX, &r.v, &r.n), 0);
	return r;
}

static void rows_free(struct rows *r)
{
	ledger_rows_free(r->v, r->n);
	memset(r, 0, sizeof(*r));
}

static size_t count_airings(const struct sim *s, const char *suffix)
{
	size_t n = 0, k = strlen(suffix);

	for (size_t i = 0; i < s->n_air; i++) {
		size_t l = strlen(s->air[i].path);

		n += l >= k && !strcmp(s->air[i].path + l - k, suffix);
	}
	return n;
}

static char *status_json(struct sim *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	engine_status(s->e, &j);
	fclose(f);
	return buf;
}

#define ONE_SLOT "{ name = \"sang\"; start = \"06:00\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; }"
#define DAY0 D(2027, 1, 4) /* a Monday */

/* The station most tests need: at 05:00 on DAY0, slot sang daily at 06:00
 * with two one-minute bulletins, a then b. */
static void start_ab(struct sim *s)
{
	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	add_sang(s, "b", 60 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
}

/* ---- one behaviour each ---- */

static void test_slot_airs_in_priority_order(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t a, b;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	b = add_bulletin(s, "b", PRIO_PRIORITY, 30 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "sang");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 10, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].bulletin_id, b);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[0].played_ms, 30 * SEC);
	assert_int_equal(r.v[1].bulletin_id, a);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 31));
	assert_int_equal(r.v[1].scheduled_at, vn(DAY0, 6, 0, 31));
	assert_int_equal(r.v[1].occurrence_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	/* Idle until the next day's slot: no wake-up in between but it. */
	assert_int_equal(engine_wake_at(s->e), vn(DAY0 + 1, 6, 0, 0) - 2 * SEC);
}

/* A make-up found at import reaches the sink when this airing's gain and
 * ceiling are what it was found at, by this loa's search; with another
 * gain (the target changed since) or by an older search the sink gets
 * none, and searches. */
static void test_stored_makeup_used_when_its_key_fits(void **state)
{
	struct sim *s = *state;
	struct config *cfg = load_config(s, NULL, ONE_SLOT);
	struct player_opts o = import_item_opts(cfg, -16, -1);
	int64_t a, b, c;
	char *sql;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	b = add_sang(s, "b", 60 * SEC);
	c = add_sang(s, "c", 60 * SEC);
	sql = sqlite3_mprintf("UPDATE bulletins SET makeup_db = 1.5, makeup_gain_db = %.17g + (id = %lld) * 0.5,"
			      " makeup_ceiling_dbtp = %.17g, makeup_version = %d - (id = %lld)", o.gain_db,
			      (long long)b, o.ceiling_dbtp, PLAYER_MAKEUP_VERSION, (long long)c);
	assert_int_equal(sqlite3_exec(db_sqlite(s->db), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	start_engine(s, cfg);
	run_until(s, vn(DAY0, 6, 10, 0));
	assert_true(media_find_id(s, a)->opened.makeup_known);
	assert_true(media_find_id(s, a)->opened.makeup_db == 1.5);
	assert_true(media_find_id(s, a)->opened.gain_db == o.gain_db);
	assert_false(media_find_id(s, b)->opened.makeup_known);
	assert_true(media_find_id(s, b)->opened.makeup);
	assert_false(media_find_id(s, c)->opened.makeup_known);
	assert_true(media_find_id(s, c)->opened.makeup);
}

/* audio.true_peak_dbtp is the ceiling of every element the sink opens,
 * intros and outros too, and of the opts import stores a make-up for: a
 * make-up found under the default ceiling does not fit a lowered one. */
static void test_true_peak_setting_is_every_ceiling(void **state)
{
	struct sim *s = *state;
	struct config *cfg = load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; intro = \"intro.wav\"; outro = \"outro.wav\"; }");
	struct player_opts o = import_item_opts(cfg, -16, -1);
	int64_t a;
	char *sql;

	assert_true(o.ceiling_dbtp == -1.0); /* the default */
	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	sql = sqlite3_mprintf("UPDATE bulletins SET makeup_db = 1.5, makeup_gain_db = %.17g,"
			      " makeup_ceiling_dbtp = -1, makeup_version = %d", o.gain_db, PLAYER_MAKEUP_VERSION);
	assert_int_equal(sqlite3_exec(db_sqlite(s->db), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	cfg->true_peak_dbtp = -4.5;
	assert_true(import_item_opts(cfg, -16, -1).ceiling_dbtp == -4.5);
	start_engine(s, cfg);
	run_until(s, vn(DAY0, 6, 10, 0));
	assert_int_equal(s->n_air, 3);
	assert_true(media_find_id(s, a)->opened.ceiling_dbtp == -4.5);
	assert_false(media_find_id(s, a)->opened.makeup_known);
	assert_true(media_find_id(s, a)->opened.makeup);
	assert_true(s->media[0].opened.ceiling_dbtp == -4.5); /* intro.wav */
	assert_true(s->media[1].opened.ceiling_dbtp == -4.5); /* outro.wav */
}

static void test_max_minutes_first_fit(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 50 * SEC);
	add_sang(s, "b", 40 * SEC);
	add_sang(s, "c", 5 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; max_minutes = 1; }"));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	/* Rows in the order of the plan. */
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_SKIPPED);
	assert_non_null(strstr(r.v[1].reason, "does not fit"));
	assert_string_equal(r.v[2].title, "c");
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[2].started_at, vn(DAY0, 6, 0, 51));
	rows_free(&r);
}

static void test_intro_and_outro_frame_the_items(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 20 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; intro = \"intro.wav\"; outro = \"outro.wav\"; }"));
	run_until(s, vn(DAY0, 7, 0, 0));
	assert_int_equal(s->n_air, 3);
	assert_non_null(strstr(s->air[0].path, "intro.wav"));
	assert_int_equal(s->air[0].at, vn(DAY0, 6, 0, 0));
	assert_int_equal(s->air[1].at, vn(DAY0, 6, 0, 6));
	assert_non_null(strstr(s->air[2].path, "outro.wav"));
	assert_int_equal(s->air[2].at, vn(DAY0, 6, 0, 27));
	r = ledger(s);
	assert_int_equal(r.n, 1); /* intros and outros are not ledger items */
	rows_free(&r);
}

/* A restart after an occurrence aired whole, within its grace period,
 * airs nothing again: not its items, and not its intro and outro alone. */
static void test_restart_after_aired_occurrence_airs_nothing(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 20 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; intro = \"intro.wav\"; outro = \"outro.wav\"; }"));
	run_until(s, vn(DAY0, 6, 2, 0));
	assert_int_equal(s->n_air, 3);
	stop_engine(s);
	s->now = vn(DAY0, 6, 3, 0);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; intro = \"intro.wav\"; outro = \"outro.wav\"; }"));
	run_until(s, vn(DAY0, 7, 0, 0));
	assert_int_equal(s->n_air, 3);
	assert_int_equal(count_airings(s, "/intro.wav"), 1);
	r = ledger(s);
	assert_int_equal(r.n, 1);
	rows_free(&r);
}


/* ---- the province's timed items ---- */

/* A province schedule SID of one bulletin BID of priority PRIO at AT,
 * lasting MS; its audio in the library when STORED. */
static void add_province(struct sim *s, const char *sid, const char *bid, enum priority prio, int64_t at, int64_t ms,
			 bool stored)
{
	struct province_bulletin b = { .title = (char *)bid, .topic = 1, .priority = prio,
				       .url = (char *)"https://tinh.example/a.wav" };
	struct province_instant in = { at, at + ms };
	struct province_schedule sch = { .bulletins = &b, .n_bulletins = 1, .instants = &in, .n_instants = 1 };

	snprintf(sch.id, sizeof(sch.id), "%s", sid);
	snprintf(b.id, sizeof(b.id), "%s", bid);
	assert_true(province_store(s->db, &sch, s->now, 10 * MIN) >= 0);
	if (stored) {
		int64_t id = add_bulletin(s, bid, prio, ms, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");

		assert_int_equal(province_bulletin_stored(s->db, bid, id, s->now), 0);
	}
	if (s->e) {
		quiet(s);
		engine_library_changed(s->e);
		loud(s);
	}
}

static void test_province_items_air_at_their_instants(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	add_province(s, "L1", "B1", PRIO_NORMAL, vn(DAY0, 6, 30, 0), 10 * SEC, true);
	add_province(s, "L1b", "B2", PRIO_NORMAL, vn(DAY0, 6, 30, 20), 10 * SEC, true);
	add_province(s, "L1c", "B3", PRIO_PRIORITY, vn(DAY0, 6, 31, 0), 10 * SEC, true);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.v[i].outcome, OUTCOME_COMPLETED);
		assert_int_equal(r.v[i].kind, KIND_SLOT);
		assert_null(r.v[i].slot);
		assert_string_equal(r.v[i].origin, "province");
		assert_int_equal(r.v[i].started_at, r.v[i].scheduled_at);
		assert_int_equal(r.v[i].occurrence_at, r.v[i].scheduled_at);
	}
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 30, 0));
	assert_string_equal(r.v[0].province_schedule, "L1");
	assert_string_equal(r.v[0].province_bulletin, "B1");
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 30, 20));
	assert_string_equal(r.v[2].province_bulletin, "B3");
	rows_free(&r);
	/* Nothing airs twice after a restart. */
	stop_engine(s);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	rows_free(&r);
}

static void test_province_emergency_preempts(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t a;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 120 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 0, 10));
	add_province(s, "K", "KHAN", PRIO_EMERGENCY, vn(DAY0, 6, 0, 40), 30 * SEC, true);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].bulletin_id, a);
	assert_int_equal(r.v[0].outcome, OUTCOME_PREEMPTED);
	assert_non_null(strstr(r.v[0].reason, "province"));
	assert_string_equal(r.v[1].province_bulletin, "KHAN");
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 40) + FADE_MS);
	assert_int_equal(r.v[2].bulletin_id, a);
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
}

/* Sent late but within the grace: an emergency airs at once. */
static void test_province_emergency_within_grace_airs_now(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 5, 5, 0));
	add_province(s, "K", "KHAN", PRIO_EMERGENCY, vn(DAY0, 5, 1, 0), 30 * SEC, true);
	run_until(s, vn(DAY0, 5, 30, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 5, 5, 0));
	rows_free(&r);
}

/* An emergency sent at its instant waits for its audio until its grace
 * ends, and airs as soon as the audio is in. */
static void test_province_emergency_waits_for_its_audio(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t id;

	s->now = vn(DAY0, 5, 0, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	add_province(s, "K", "KHAN", PRIO_EMERGENCY, vn(DAY0, 5, 1, 0), 30 * SEC, false);
	run_until(s, vn(DAY0, 5, 3, 0));
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);
	id = add_bulletin(s, "KHAN", PRIO_EMERGENCY, 30 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	assert_int_equal(province_bulletin_stored(s->db, "KHAN", id, s->now), 0);
	quiet(s);
	engine_library_changed(s->e);
	loud(s);
	run_until(s, vn(DAY0, 5, 30, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 5, 3, 0));
	rows_free(&r);
	/* Past its grace without audio: failed. */
	add_province(s, "K2", "KHAN2", PRIO_EMERGENCY, vn(DAY0, 5, 40, 0), 30 * SEC, false);
	run_until(s, vn(DAY0, 6, 0, 0) - SEC);
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].outcome, OUTCOME_FAILED);
	assert_int_equal(r.v[1].ended_at, 0);
	rows_free(&r);
}

static void test_province_audio_missing_fails_and_late_is_missed(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_province(s, "M", "OLD", PRIO_NORMAL, vn(DAY0, 5, 5, 0), 10 * SEC, true);
	s->now = vn(DAY0, 5, 30, 0); /* loa was not running at 05:05 */
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	add_province(s, "F", "NOAUDIO", PRIO_NORMAL, vn(DAY0, 5, 40, 0), 10 * SEC, false);
	run_until(s, vn(DAY0, 5, 50, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_MISSED);
	assert_string_equal(r.v[0].province_bulletin, "OLD");
	assert_int_equal(r.v[1].outcome, OUTCOME_FAILED);
	assert_int_equal(r.v[1].scheduled_at, vn(DAY0, 5, 40, 0));
	assert_non_null(strstr(r.v[1].reason, "https://tinh.example/a.wav"));
	assert_string_equal(r.v[1].province_bulletin, "NOAUDIO");
	rows_free(&r);
}

static void test_province_cancelled_item_does_not_air(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	add_province(s, "C", "CB", PRIO_NORMAL, vn(DAY0, 5, 30, 0), 10 * SEC, true);
	run_until(s, vn(DAY0, 5, 29, 59)); /* pre-rolled */
	assert_int_equal(province_cancel(s->db, "C", s->now), PROVINCE_CANCELLED);
	quiet(s);
	engine_library_changed(s->e);
	loud(s);
	run_until(s, vn(DAY0, 6, 0, 0) - SEC);
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_SKIPPED);
	assert_string_equal(r.v[0].reason, "cancelled by the province");
	rows_free(&r);
	assert_int_equal(s->n_air, 0);
}

/* A normal item that meets a slot waits behind it, and airs if it can
 * start within the grace; else it is skipped with the reason. */
static void test_province_normal_waits_or_is_skipped(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "long", 15 * MIN);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	add_province(s, "W", "WAITS", PRIO_NORMAL, vn(DAY0, 6, 10, 0), 10 * SEC, true);
	add_province(s, "S", "SKIP", PRIO_NORMAL, vn(DAY0, 6, 1, 0), 10 * SEC, true);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_null(r.v[0].origin);
	assert_string_equal(r.v[1].province_bulletin, "SKIP");
	assert_int_equal(r.v[1].outcome, OUTCOME_SKIPPED);
	assert_non_null(strstr(r.v[1].reason, "grace"));
	assert_string_equal(r.v[2].province_bulletin, "WAITS");
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[2].started_at, r.v[0].ended_at + SEC);
	rows_free(&r);
}

static void test_alert_preempts_and_item_airs_again(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t a, al;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 120 * SEC);
	al = add_storm(s, 30 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	alert_at(s, vn(DAY0, 6, 0, 40), al);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].bulletin_id, a);
	assert_int_equal(r.v[0].outcome, OUTCOME_PREEMPTED);
	assert_int_equal(r.v[0].played_ms, 40 * SEC + FADE_MS);
	assert_int_equal(r.v[1].bulletin_id, al);
	assert_int_equal(r.v[1].kind, KIND_ALERT);
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	/* At once: the fade-out of what played, and no gap. */
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 40) + FADE_MS);
	assert_int_equal(r.v[2].bulletin_id, a);
	assert_int_equal(r.v[2].kind, KIND_SLOT);
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[2].played_ms, 120 * SEC);
	assert_int_equal(r.v[2].started_at, r.v[1].ended_at + SEC);
	rows_free(&r);
}

static void test_alert_preempted_item_without_room_does_not_air_again(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t al;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 120 * SEC);
	al = add_storm(s, 60 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; max_minutes = 3; }"));
	alert_at(s, vn(DAY0, 6, 1, 30), al);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_PREEMPTED);
	assert_int_equal(r.v[1].kind, KIND_ALERT);
	rows_free(&r);
}

/* The room that counts is what the rest of the occurrence leaves: here
 * the alert and a again would fit, but not with b after them. */
static void test_alert_reair_counts_rest_of_occurrence(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t al;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 90 * SEC);
	add_sang(s, "b", 90 * SEC);
	al = add_storm(s, 40 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; max_minutes = 4; }"));
	alert_at(s, vn(DAY0, 6, 0, 30), al);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PREEMPTED);
	assert_int_equal(r.v[1].kind, KIND_ALERT);
	assert_string_equal(r.v[2].title, "b");
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
}

static void test_alert_repeats_and_cancel(void **state)
{
	struct sim *s = *state;
	char msg[256];
	struct rows r;
	int64_t al;

	s->now = vn(DAY0, 8, 0, 0);
	al = add_storm(s, 60 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	assert_int_equal(engine_alert(s->e, al, 3, 20, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 10, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.v[i].kind, KIND_ALERT);
		assert_int_equal(r.v[i].started_at, vn(DAY0, 8, 0, 0) + (int64_t)i * 20 * MIN);
	}
	rows_free(&r);
	assert_int_equal(engine_alert_cancel(s->e, "hoang", msg, sizeof(msg)), -EAGAIN);

	assert_int_equal(engine_alert(s->e, al, 5, 10, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 10, 5, 0));
	assert_int_equal(engine_alert_cancel(s->e, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 12, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 4);
	rows_free(&r);
	assert_int_equal(engine_alert(s->e, 999, 1, 1, "hoang", msg, sizeof(msg)), -ENOENT);
}

static void test_play_airs_after_current_item(void **state)
{
	struct sim *s = *state;
	char msg[256];
	struct rows r;
	int64_t p;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	p = add_bulletin(s, "p", PRIO_NORMAL, 10 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	/* Idle: at once. Outside the station's hours: refused unless forced. */
	s->now = vn(DAY0, 4, 59, 0);
	assert_int_equal(engine_play(s->e, p, false, "hoang", msg, sizeof(msg)), -EPERM);
	s->now = vn(DAY0, 5, 10, 0);
	assert_int_equal(engine_play(s->e, p, false, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 6, 0, 20));
	assert_int_equal(engine_play(s->e, p, false, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].kind, KIND_PLAY);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 5, 10, 0));
	assert_int_equal(r.v[1].kind, KIND_SLOT);
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[2].kind, KIND_PLAY);
	assert_int_equal(r.v[2].started_at, vn(DAY0, 6, 1, 1));
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	assert_int_equal(engine_play(s->e, 999, true, "hoang", msg, sizeof(msg)), -ENOENT);
	s->now = vn(DAY0, 23, 0, 0);
	assert_int_equal(engine_play(s->e, p, true, "hoang", msg, sizeof(msg)), 0);
}

static void test_stop_cancels_current_item(void **state)
{
	struct sim *s = *state;
	char msg[256];
	struct rows r;

	start_ab(s);
	assert_int_equal(engine_stop(s->e, "hoang", msg, sizeof(msg)), -EAGAIN);
	run_until(s, vn(DAY0, 6, 0, 10));
	assert_int_equal(engine_stop(s->e, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_CANCELLED);
	assert_int_equal(r.v[0].ended_at, vn(DAY0, 6, 0, 10) + FADE_MS);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	/* The next item follows at once: a stop leaves no gap. */
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 10) + FADE_MS);
	rows_free(&r);
}

static void assert_entry(const struct audit_entry *a, const char *actor, const char *action, int64_t id,
			 const char *detail)
{
	char target[24];

	snprintf(target, sizeof(target), "#%lld", (long long)id);
	assert_string_equal(a->actor, actor);
	assert_string_equal(a->action, action);
	assert_string_equal(a->target, target);
	assert_string_equal(a->detail, detail);
}

/* Who gave each command is in the audit trail, and in the `by` of the rows
 * it made (a play, each airing of an alert) or ended (a stop); what the
 * schedule aired names nobody, and a refused command is not recorded. */
static void test_commands_name_who_asked(void **state)
{
	struct sim *s = *state;
	struct audit_entry *v;
	char msg[256];
	struct rows r;
	int64_t a, p, al;
	size_t n;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	add_sang(s, "b", 60 * SEC);
	p = add_bulletin(s, "p", PRIO_NORMAL, 10 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	al = add_storm(s, 30 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	s->now = vn(DAY0, 5, 10, 0);
	assert_int_equal(engine_play(s->e, p, false, "hoang", msg, sizeof(msg)), 0);
	assert_int_equal(engine_play(s->e, 999, false, "hoang", msg, sizeof(msg)), -ENOENT);
	run_until(s, vn(DAY0, 5, 30, 0));
	assert_int_equal(engine_stop(s->e, "minh", msg, sizeof(msg)), -EAGAIN);
	assert_int_equal(engine_alert(s->e, al, 3, 10, "lan", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 5, 45, 0));
	assert_int_equal(engine_alert_cancel(s->e, "minh", msg, sizeof(msg)), 0);
	assert_int_equal(engine_alert_cancel(s->e, "minh", msg, sizeof(msg)), -EAGAIN);
	run_until(s, vn(DAY0, 6, 0, 10));
	assert_int_equal(engine_stop(s->e, "minh", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 7, 0, 0));

	r = ledger(s);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.v[0].kind, KIND_PLAY);
	assert_string_equal(r.v[0].by, "hoang");
	assert_int_equal(r.v[1].kind, KIND_ALERT);
	assert_string_equal(r.v[1].by, "lan");
	assert_int_equal(r.v[2].kind, KIND_ALERT);
	assert_string_equal(r.v[2].by, "lan");
	assert_string_equal(r.v[3].title, "a");
	assert_int_equal(r.v[3].outcome, OUTCOME_CANCELLED);
	assert_string_equal(r.v[3].by, "minh");
	assert_string_equal(r.v[4].title, "b");
	assert_int_equal(r.v[4].outcome, OUTCOME_COMPLETED);
	assert_null(r.v[4].by);
	rows_free(&r);

	assert_int_equal(audit_query(s->db, INT64_MIN, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_entry(&v[0], "hoang", "play", p, "title: 'p'");
	assert_entry(&v[1], "lan", "alert", al, "title: 'bão'; repeat: 3; every: 10 min");
	assert_entry(&v[2], "minh", "alert-cancel", al, "repetitions left: 1 -> 0");
	assert_entry(&v[3], "minh", "stop", a, "title: 'a'; on air -> cancelled");
	audit_entries_free(v, n);
}

/* A power cut keeps who asked for the item on air: its partial row names them. */
static void test_power_cut_keeps_who_asked(void **state)
{
	struct sim *s = *state;
	char msg[256];
	struct rows r;
	int64_t p;

	s->now = vn(DAY0, 5, 0, 0);
	p = add_bulletin(s, "p", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	s->now = vn(DAY0, 5, 10, 0);
	assert_int_equal(engine_play(s->e, p, true, "hoang", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 5, 10, 20));
	assert_non_null(on_air(s));
	power_cut(s);
	s->now = vn(DAY0, 5, 20, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_string_equal(r.v[0].by, "hoang");
	rows_free(&r);
}

static void test_open_failure_is_failed_row(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	add_sang(s, "b", 60 * SEC);
	free(s->media[0].path);
	s->media[0].path = xstrdup("gone");
	free(s->media[0].label);
	s->media[0].label = xstrdup("gone");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_FAILED);
	assert_non_null(strstr(r.v[0].reason, "no such file"));
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 0));
	rows_free(&r);
}

/* The daemon was down at 06:00: started again within the grace period the
 * slot airs late; after it, every item is recorded as missed. */
static void test_start_within_grace_airs_late(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	s->now = vn(DAY0, 6, 7, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 7, 0));
	rows_free(&r);
}

static void test_start_after_grace_records_missed(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0 - 3, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	add_bulletin(s, "b", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY0 - 2, "1", "sang");
	s->now = vn(DAY0, 6, 11, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	/* Days -3, -2 (a and b), -1 and 0 (a only): every item once. */
	assert_int_equal(r.n, 6);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.v[i].outcome, OUTCOME_MISSED);
		assert_int_equal(r.v[i].started_at, 0);
		assert_non_null(strstr(r.v[i].reason, "grace"));
	}
	assert_int_equal(r.v[5].occurrence_at, vn(DAY0, 6, 0, 0));
	rows_free(&r);
	assert_int_equal(s->n_air, 0);
	/* Started again: nothing is recorded twice. */
	stop_engine(s);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 8, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 6);
	rows_free(&r);
}

/* loa stopped (SIGTERM) mid-item: that item is partial, and the next one,
 * which never started, is missed after grace, not partial. */
static void test_stop_mid_item_then_restart(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 30));
	stop_engine(s);
	assert_int_equal(s->n_air, 1);
	s->now = vn(DAY0, 6, 30, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].played_ms, 30 * SEC);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	rows_free(&r);
}

/* A power cut mid-item: the next start records it as partial with the
 * frames of its last checkpoint, and the rest of its occurrence as missed
 * (after grace) or late (within it). */
static void test_power_cut_mid_item(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 12));
	assert_non_null(on_air(s));
	power_cut(s);
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);

	s->now = vn(DAY0, 6, 4, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].played_ms, 10 * SEC); /* the checkpoint at 5 s intervals */
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 4, 0));
	rows_free(&r);
}

/* The daemon's open checks every page after the start. Until that passes
 * nothing starts and nothing is written; then the partial of the item the
 * power cut took is written and the rest of the slot follows, late by the
 * check, as `loa daemon` does when its page check reports. */
static void test_nothing_starts_before_the_page_check(void **state)
{
	struct sim *s = *state;
	struct pollfd p;
	struct rows r;
	char msg[1024];

	/* Its page check runs in a thread, and under qemu-user 7.2 (make
	 * cross-check) any pthread_create hangs on this kernel. */
	if (getenv("LOA_TEST_EMULATED"))
		skip();
	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 12));
	power_cut(s);
	db_close(s->db);
	assert_int_equal(db_open(s->dir, DB_DAEMON, &s->db, msg, sizeof(msg)), 0);
	s->now = vn(DAY0, 6, 4, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 4, 2));
	assert_null(on_air(s));
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);

	p = (struct pollfd){ .fd = db_check_fd(s->db), .events = POLLIN };
	assert_int_equal(poll(&p, 1, -1), 1);
	assert_int_equal(db_check_finish(s->db, NULL, msg, sizeof(msg)), 0);
	quiet(s);
	engine_ledger_writable(s->e);
	loud(s);
	assert_non_null(on_air(s));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	rows_free(&r);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 4, 2));
	rows_free(&r);
}

/* A power cut while an occurrence runs into the next one, whose skipped
 * item was already recorded: the first occurrence's unaired items are
 * still accounted for on the next start. */
static void test_power_cut_with_occurrences_queued(void **state)
{
	const char *slots = ONE_SLOT ", { name = \"b\"; start = \"06:03\"; days = [\"mon\"]; max_minutes = 1; }";
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a1", 5 * MIN);
	add_sang(s, "a2", 5 * MIN);
	add_bulletin(s, "b1", PRIO_NORMAL, 40 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "b");
	add_bulletin(s, "b2", PRIO_NORMAL, 40 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "b");
	start_engine(s, load_config(s, NULL, slots));
	run_until(s, vn(DAY0, 6, 4, 0));
	power_cut(s);
	s->now = vn(DAY0, 7, 0, 0);
	start_engine(s, load_config(s, NULL, slots));
	run_until(s, vn(DAY0, 8, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 4);
	for (size_t i = 0; i < r.n; i++) {
		if (!strcmp(r.v[i].title, "a1"))
			assert_int_equal(r.v[i].outcome, OUTCOME_PARTIAL);
		else if (!strcmp(r.v[i].title, "b2"))
			assert_int_equal(r.v[i].outcome, OUTCOME_SKIPPED);
		else
			assert_int_equal(r.v[i].outcome, OUTCOME_MISSED);
	}
	rows_free(&r);
}

/* With require_sync, nothing airs and nothing is judged while the kernel
 * says the clock is not synchronised; status says so. */
static void test_untrusted_clock_waits(void **state)
{
	struct sim *s = *state;
	struct rows r;
	char *st, msg[256];

	s->now = vn(DAY0 - 1, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	s->trusted = false;
	s->now = vn(DAY0, 5, 50, 0);
	start_engine(s, load_config(s, "require_sync = true; grace_minutes = 10;", ONE_SLOT));
	st = status_json(s);
	assert_non_null(strstr(st, "\"state\":\"waiting-for-clock\""));
	assert_non_null(strstr(st, "\"clock_trusted\":false"));
	free(st);
	run_until(s, vn(DAY0, 6, 5, 0));
	assert_int_equal(s->n_air, 0);
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);
	/* Commands are refused at once, not aired whenever the clock is
	 * trusted; a stop has nothing to act on. */
	assert_int_equal(engine_play(s->e, 1, true, "hoang", msg, sizeof(msg)), -EAGAIN);
	assert_non_null(strstr(msg, "synchronised clock"));
	assert_int_equal(engine_alert(s->e, 1, 1, 60, "hoang", msg, sizeof(msg)), -EAGAIN);
	assert_int_equal(engine_stop(s->e, "hoang", msg, sizeof(msg)), -EAGAIN);

	s->trusted = true;
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	/* Yesterday's slot is missed; today's, within grace, airs late. */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_MISSED);
	assert_int_equal(r.v[0].occurrence_at, vn(DAY0 - 1, 6, 0, 0));
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_true(r.v[1].started_at > vn(DAY0, 6, 5, 0));
	assert_true(r.v[1].started_at <= vn(DAY0, 6, 5, 5));
	rows_free(&r);
	st = status_json(s);
	assert_non_null(strstr(st, "\"state\":\"idle\""));
	assert_non_null(strstr(st, "\"clock_trusted\":true"));
	free(st);
}

static void test_clock_step_forward(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	start_engine(s, load_config(s, NULL,
		ONE_SLOT ", { name = \"chieu\"; start = \"17:00\"; days = [\"mon\"]; }"));
	/* Over 06:00 by 5 minutes: late. Over 17:00 by 30: missed. */
	run_until(s, vn(DAY0, 5, 50, 0));
	step_clock(s, vn(DAY0, 6, 5, 0));
	run_until(s, vn(DAY0, 16, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 5, 0));
	rows_free(&r);
	add_bulletin(s, "b", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "chieu");
	step_clock(s, vn(DAY0, 17, 30, 0));
	run_until(s, vn(DAY0, 18, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	assert_int_equal(r.v[1].occurrence_at, vn(DAY0, 17, 0, 0));
	rows_free(&r);
	assert_int_equal(s->n_air, 1);
}

/* A step forward past the grace period of an occurrence that was already
 * pre-rolled (the step came in the last two seconds before it) makes it
 * missed, as if the step had come earlier. */
static void test_clock_step_forward_over_prerolled_occurrence(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 5, 59, 59));
	step_clock(s, vn(DAY0, 6, 30, 0));
	run_until(s, vn(DAY0, 7, 0, 0));
	assert_int_equal(s->n_air, 0);
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_MISSED);
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	rows_free(&r);
}

/* Stepped back over what aired: nothing airs twice. */
static void test_clock_step_back_airs_nothing_twice(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 10, 0));
	step_clock(s, vn(DAY0, 5, 30, 0));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	rows_free(&r);
	assert_int_equal(s->n_air, 1);
	/* A restart on the stepped-back clock does not air it either. */
	step_clock(s, vn(DAY0, 5, 58, 0));
	stop_engine(s);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 30, 0));
	assert_int_equal(s->n_air, 1);
	/* Tomorrow airs as usual. */
	run_until(s, vn(DAY0 + 1, 7, 0, 0));
	assert_int_equal(s->n_air, 2);
}

/* A step back between two items of an occurrence (in the gap) does not
 * hold the next item back by the size of the step. */
static void test_clock_step_back_in_gap(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 1, 0) + 500); /* a ended at 06:01:00, gap till :01 */
	assert_null(on_air(s));
	step_clock(s, vn(DAY0, 5, 1, 0) + 500);
	run_until(s, vn(DAY0, 5, 10, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	/* At most a whole gap after the step, not an hour. */
	assert_true(r.v[1].started_at >= vn(DAY0, 5, 1, 0) + 500);
	assert_true(r.v[1].started_at <= vn(DAY0, 5, 1, 1) + 500);
	rows_free(&r);
}

/* The output stops mid-item (a card pulled out): the row is partial, with
 * what played and a reason an officer can read; the next item airs. */
static void test_output_fails_mid_item(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 20));
	assert_non_null(on_air(s));
	quiet(s);
	engine_ended(s->e, -ETIMEDOUT);
	loud(s);
	run_until(s, vn(DAY0, 6, 5, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].played_ms, 20 * SEC);
	assert_non_null(strstr(r.v[0].reason, "the device stopped taking audio"));
	assert_null(strstr(r.v[0].reason, "Connection timed out"));
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
}

/* No slot row (kind slot, occurrence, bulletin) twice in the ledger. */
static void assert_no_item_twice(const struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = i + 1; j < r->n; j++)
			if (r->v[i].kind == KIND_SLOT && r->v[j].kind == KIND_SLOT &&
			    r->v[i].occurrence_at == r->v[j].occurrence_at &&
			    r->v[i].bulletin_id == r->v[j].bulletin_id && !strcmp(r->v[i].slot, r->v[j].slot))
				fail_msg("rows %lld and %lld are the same item", (long long)r->v[i].id,
					 (long long)r->v[j].id);
}

/* Runs until T; then the ledger holds N_ROWS rows, no item twice, and the
 * sink has started N_AIR elements in all. */
static void run_expect_once(struct sim *s, int64_t t, size_t n_rows, size_t n_air)
{
	struct rows r;

	run_until(s, t);
	r = ledger(s);
	assert_int_equal(r.n, n_rows);
	assert_no_item_twice(&r);
	rows_free(&r);
	assert_int_equal(s->n_air, n_air);
}

/* A step forward past the grace period while an item is on air: it plays
 * to its end (the audio does not jump), and the rest of its occurrence,
 * already begun, follows; the slot jumped over is missed. */
static void test_clock_step_forward_while_on_air(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	add_sang(s, "b", 60 * SEC);
	add_bulletin(s, "c", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "tua");
	start_engine(s, load_config(s, NULL, ONE_SLOT
		", { name = \"tua\"; start = \"06:20\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; }"));
	run_until(s, vn(DAY0, 6, 0, 30));
	assert_non_null(on_air(s));
	step_clock(s, vn(DAY0, 6, 45, 0));
	assert_non_null(on_air(s));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].slot, "tua");
	assert_int_equal(r.v[0].outcome, OUTCOME_MISSED);
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].played_ms, 60 * SEC);
	/* Its start plus what played, not where the stepped clock stood. */
	assert_int_equal(r.v[1].ended_at, vn(DAY0, 6, 1, 0));
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[2].started_at, vn(DAY0, 6, 45, 31));
	rows_free(&r);
	assert_int_equal(s->n_air, 2);
	/* Tomorrow, each once. */
	run_expect_once(s, vn(DAY0 + 1, 7, 0, 0), 6, 5);
}

/* A step back while an item is on air: it plays to its end, the next item
 * follows a gap later (not an hour), and when the clock passes the slot's
 * instant again nothing of it airs twice. */
static void test_clock_step_back_while_on_air(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 30));
	assert_non_null(on_air(s));
	step_clock(s, vn(DAY0, 5, 0, 30));
	run_until(s, vn(DAY0, 5, 10, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].played_ms, 60 * SEC);
	assert_int_equal(r.v[0].ended_at, vn(DAY0, 6, 1, 0));
	assert_int_equal(r.v[1].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 5, 1, 1));
	rows_free(&r);
	run_expect_once(s, vn(DAY0, 7, 0, 0), 2, 2);
	run_expect_once(s, vn(DAY0 + 1, 7, 0, 0), 4, 4);
}

/* The wall clock steps back an hour mid-item (NTP answering at last):
 * the row still ends after it started, by exactly what played, as the
 * monotonic clock counted it. */
static void test_clock_step_back_mid_item_keeps_its_duration(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 20));
	assert_non_null(on_air(s));
	step_clock(s, vn(DAY0, 5, 0, 20));
	run_until(s, vn(DAY0, 5, 10, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 0, 0));
	assert_true(r.v[0].ended_at >= r.v[0].started_at);
	assert_int_equal(r.v[0].played_ms, 60 * SEC);
	assert_int_equal(r.v[0].ended_at - r.v[0].started_at, r.v[0].played_ms);
	/* b started on the stepped clock, and its row agrees with itself. */
	assert_int_equal(r.v[1].started_at, vn(DAY0, 5, 1, 1));
	assert_int_equal(r.v[1].ended_at - r.v[1].started_at, r.v[1].played_ms);
	rows_free(&r);
}

/* The same step, then a power cut: the partial row's end comes from the
 * last checkpoint, which is on the item's own time line too. */
static void test_clock_step_back_then_power_cut_keeps_its_duration(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 12));
	step_clock(s, vn(DAY0, 5, 0, 12));
	run_until(s, vn(DAY0, 5, 0, 19)); /* a checkpoint 5 s after the step */
	assert_non_null(on_air(s));
	power_cut(s);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[0].played_ms, 17 * SEC);
	assert_int_equal(r.v[0].ended_at - r.v[0].started_at, r.v[0].played_ms);
	rows_free(&r);
}

#define HOURLY(name, at) \
	"{ name = \"" name "\"; start = \"" at "\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; }"
#define FOUR_SLOTS HOURLY("h7", "07:00") ", " HOURLY("h8", "08:00") ", " HOURLY("h9", "09:00") ", " HOURLY("h10", "10:00")

/* One step forward across several occurrences: those whose grace is over
 * are missed, one row per item, the one within grace airs late; one step
 * back across several: none of them airs again. */
static void test_clock_steps_across_occurrences(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(DAY0, 5, 0, 0);
	add_bulletin(s, "a", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "h7 h8 h9 h10");
	add_bulletin(s, "b", PRIO_NORMAL, 30 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "h7 h8 h9 h10");
	start_engine(s, load_config(s, NULL, FOUR_SLOTS));
	run_until(s, vn(DAY0, 6, 30, 0));
	step_clock(s, vn(DAY0, 9, 5, 0));
	run_until(s, vn(DAY0, 9, 30, 0));
	r = ledger(s);
	assert_int_equal(r.n, 6);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r.v[i].outcome, OUTCOME_MISSED);
		assert_int_equal(r.v[i].occurrence_at, vn(DAY0, 7 + (int)i / 2, 0, 0));
	}
	assert_int_equal(r.v[4].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[4].occurrence_at, vn(DAY0, 9, 0, 0));
	assert_int_equal(r.v[4].started_at, vn(DAY0, 9, 5, 0));
	assert_int_equal(r.v[5].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	run_until(s, vn(DAY0, 10, 30, 0));
	assert_int_equal(s->n_air, 4);
	/* Back to before 07:00: 07:00 to 10:00 come round again, air nothing. */
	step_clock(s, vn(DAY0, 6, 50, 0));
	run_expect_once(s, vn(DAY0, 11, 0, 0), 8, 4);
	/* Tomorrow every slot airs, once. */
	run_expect_once(s, vn(DAY0 + 1, 11, 0, 0), 16, 12);
}

/* Retiring or editing a bulletin changes the next occurrence without a
 * restart: the engine reads the library when it plans each occurrence. */
static void test_library_changes_reach_next_occurrence(void **state)
{
	struct sim *s = *state;
	struct bulletin b;
	struct rows r;
	int64_t a, c;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	c = add_bulletin(s, "c", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 5, 30, 0));
	assert_int_equal(library_retire(s->db, a, s->now, "test"), 0);
	assert_int_equal(library_get(s->db, c, &b), 0);
	assert_int_equal(b.n_slots, 0);
	free(b.slots);
	b.slots = xcalloc(1, sizeof(*b.slots));
	b.slots[0] = xstrdup("sang");
	b.n_slots = 1;
	assert_int_equal(library_update(s->db, &b, "test"), 0);
	bulletin_done(&b);
	engine_library_changed(s->e); /* what `changed` on the control socket does */
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].bulletin_id, c);
	rows_free(&r);
}

/* A slot added to the database while the engine runs airs at its start,
 * without a restart; one whose start today has passed when it is added
 * records nothing for today (it was never planned) and airs tomorrow;
 * a removed slot airs no more, and what it aired stays. */
static void test_database_slots_change_while_running(void **state)
{
	struct sim *s = *state;
	struct slot chieu = { .name = (char *)"chieu", .start_sec = 17 * 3600, .days = DAYS_ALL,
			      .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER,
			      .source = SLOT_FROM_DATABASE };
	struct slot som = chieu;
	char msg[256];
	struct rows r;

	som.name = (char *)"som";
	som.start_sec = 9 * 3600;
	s->now = vn(DAY0, 5, 0, 0);
	add_bulletin(s, "a", PRIO_NORMAL, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "chieu som");
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 10, 0, 0));
	assert_int_equal(slots_add(s->db, engine_config(s->e), &chieu, "nam", msg, sizeof(msg)), 0);
	assert_int_equal(slots_add(s->db, engine_config(s->e), &som, "nam", msg, sizeof(msg)), 0);
	engine_library_changed(s->e); /* what `changed` on the control socket does */
	assert_non_null(config_slot(engine_config(s->e), "chieu"));
	run_until(s, vn(DAY0, 18, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].slot, "chieu");
	assert_int_equal(r.v[0].occurrence_at, vn(DAY0, 17, 0, 0));
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	rows_free(&r);

	assert_int_equal(slots_remove(s->db, engine_config(s->e), "chieu", "nam", msg, sizeof(msg)), 0);
	engine_library_changed(s->e);
	run_until(s, vn(DAY0 + 1, 18, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].slot, "chieu");
	assert_string_equal(r.v[1].slot, "som");
	assert_int_equal(r.v[1].occurrence_at, vn(DAY0 + 1, 9, 0, 0));
	rows_free(&r);
}

/* A box installed today is on air after 2038-01-19T03:14:07Z, where a
 * 32-bit time_t ends: occurrences either side of it air at their instants
 * and their rows say so (on armhf this needs the 64-bit time_t the
 * Makefile asks for). */
static void test_airs_across_2038(void **state)
{
	struct sim *s = *state;
	struct rows r;

	s->now = vn(D(2038, 1, 18), 5, 0, 0);
	add_sang(s, "a", 60 * SEC);
	start_engine(s, load_config(s, NULL, "{ name = \"sang\"; start = \"10:00\"; days = [\"mon\",\"tue\","
					 "\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; }"));
	run_until(s, vn(D(2038, 1, 20), 12, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	/* 2038-01-19 10:00 +07:00 is 03:00Z, before the end of 32 bits; the
	 * next day's is after it. */
	assert_int_equal(r.v[1].occurrence_at, INT64_C(2147482800000));
	assert_int_equal(r.v[2].occurrence_at, INT64_C(2147569200000));
	assert_true(r.v[2].started_at > INT64_C(2147483647000));
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.v[i].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
}

/* Retired while queued (behind the item on air) or pre-rolled: it does
 * not air, and its row says why; the rest keeps its times. */
static void test_retire_drops_queued_items(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t a, c;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	add_sang(s, "b", 60 * SEC);
	c = add_sang(s, "c", 60 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 5, 59, 59));
	assert_int_equal(library_retire(s->db, a, s->now, "test"), 0);
	engine_library_changed(s->e);
	run_until(s, vn(DAY0, 6, 0, 30));
	assert_int_equal(library_retire(s->db, c, s->now, "test"), 0);
	engine_library_changed(s->e);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_SKIPPED);
	assert_non_null(strstr(r.v[0].reason, "retired"));
	/* c is recorded when it is retired, while b is on air. */
	assert_string_equal(r.v[1].title, "c");
	assert_int_equal(r.v[1].outcome, OUTCOME_SKIPPED);
	assert_string_equal(r.v[2].title, "b");
	assert_int_equal(r.v[2].started_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[2].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	assert_int_equal(s->n_air, 1);
}

/* Every item of an occurrence retired once its intro was pre-rolled:
 * neither the intro nor the outro airs alone. */
static void test_retire_all_items_drops_intro_and_outro(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t a, b;

	s->now = vn(DAY0, 5, 0, 0);
	a = add_sang(s, "a", 60 * SEC);
	b = add_sang(s, "b", 60 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\"]; intro = \"intro.wav\"; outro = \"outro.wav\"; }"));
	run_until(s, vn(DAY0, 5, 59, 59));
	assert_int_equal(library_retire(s->db, a, s->now, "test"), 0);
	assert_int_equal(library_retire(s->db, b, s->now, "test"), 0);
	engine_library_changed(s->e);
	run_until(s, vn(DAY0, 7, 0, 0));
	assert_int_equal(s->n_air, 0);
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].outcome, OUTCOME_SKIPPED);
	assert_int_equal(r.v[1].outcome, OUTCOME_SKIPPED);
	rows_free(&r);
}

static void test_status_while_playing(void **state)
{
	struct sim *s = *state;
	char *st;

	s->now = vn(DAY0, 5, 0, 0);
	add_sang(s, "Tin sáng", 60 * SEC);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	st = status_json(s);
	assert_non_null(strstr(st, "\"state\":\"idle\""));
	assert_non_null(strstr(st, "\"next\":{\"slot\":\"sang\",\"at\":\"2027-01-04T06:00:00.000+07:00\"}"));
	free(st);
	run_until(s, vn(DAY0, 6, 0, 20));
	st = status_json(s);
	assert_non_null(strstr(st, "\"state\":\"playing\""));
	assert_non_null(strstr(st, "\"title\":\"Tin sáng\""));
	assert_non_null(strstr(st, "\"started_at\":\"2027-01-04T06:00:00.000+07:00\""));
	assert_non_null(strstr(st, "\"position_ms\":20000"));
	free(st);
}

/* Slots over a month: weekday rules, from/until and skip dates decide
 * which days air, and each aired day gets its rows. */
static void test_calendar_over_a_month(void **state)
{
	struct sim *s = *state;
	struct rows r;
	size_t want = 0;

	s->now = vn(DAY0, 0, 0, 0);
	add_sang(s, "a", 60 * SEC);
	start_engine(s, load_config(s, NULL,
		"{ name = \"sang\"; start = \"06:00\"; days = [\"mon\",\"wed\",\"fri\"]; from = \"2027-01-06\";"
		" until = \"2027-01-29\"; skip_dates = [\"2027-01-15\", \"2027-01-20\"]; }"));
	run_until(s, vn(DAY0 + 40, 0, 0, 0));
	for (int32_t d = D(2027, 1, 6); d <= D(2027, 1, 29); d++) {
		int wd = days_weekday(d);

		want += (wd == 0 || wd == 2 || wd == 4) && d != D(2027, 1, 15) && d != D(2027, 1, 20);
	}
	assert_int_equal(want, 9);
	r = ledger(s);
	assert_int_equal(r.n, want);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.v[i].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	assert_int_equal(engine_wake_at(s->e), 0); /* the slot never airs again */
}

/* ---- a full disk ---- */

/* What the engine has logged so far (the file quiet() writes). */
static char *engine_log(struct sim *s)
{
	char path[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/engine.log", s->dir);
	f = fopen(path, "r");
	if (!f)
		return xstrdup("");
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = xstrdup("");
	}
	fclose(f);
	return text;
}

static size_t count_in(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The frames of the in-flight record, which must be TITLE's. */
static int64_t inflight_frames(struct sim *s, const char *title)
{
	sqlite3_stmt *st;
	int64_t frames;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(s->db), "SELECT title, frames FROM inflight", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), title);
	frames = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return frames;
}

/* The chain is intact and SQLite finds the file sound. */
static void assert_db_sound(struct sim *s)
{
	struct verify_result v;
	sqlite3_stmt *st;

	assert_int_equal(verify_chain(db_sqlite(s->db), NULL, &v), 0);
	assert_true(v.ok);
	verify_result_done(&v);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(s->db), "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

/* The disk fills before the slot: both items air all the same, their rows
 * wait (status says so, with the reason) and are retried with a backoff
 * that levels off at a minute; once there is space they are written in
 * the order they aired, the chain intact, and the engine sleeps again
 * until the next slot. The journal hears of it twice, not per retry. */
static void test_full_disk_rows_wait_and_follow(void **state)
{
	struct sim *s = *state;
	int64_t interval = 0;
	struct rows r;
	char *st, *log, msg[256];

	start_ab(s);
	run_until(s, vn(DAY0, 5, 59, 0));
	disk_full = true;
	run_until(s, vn(DAY0, 6, 2, 30));
	assert_int_equal(s->n_air, 2);
	assert_int_equal(count_airings(s, "-a.wav") + count_airings(s, "-b.wav"), 2);
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);
	st = status_json(s);
	assert_non_null(strstr(st, "\"ledger_pending\":2"));
	assert_non_null(strstr(st, "\"ledger_error\":\"the disk holding "));
	assert_non_null(strstr(st, "/loa.db is full\""));
	free(st);

	/* Retries: each wait at least as long as the one before, at most 60 s. */
	quiet(s);
	for (int i = 0; i < 20; i++) {
		int64_t w = engine_wake_at(s->e);

		assert_true(w > s->now);
		assert_true(w - s->now >= interval);
		interval = w - s->now;
		assert_true(interval <= 60 * SEC);
		s->now = w;
		engine_run(s->e);
	}
	loud(s);
	assert_int_equal(interval, 60 * SEC);

	/* A clock stepped back a day does not put the next retry a day off. */
	step_clock(s, s->now - DAY_MS);
	assert_true(engine_wake_at(s->e) <= s->now + 60 * SEC);
	run_until(s, s->now + 2 * SEC); /* past the gap after b, which the step kept */

	/* Space is back, and the next write (a play's in-flight record)
	 * writes what waits first, without waiting for the timer. */
	disk_full = false;
	quiet(s);
	assert_int_equal(engine_play(s->e, 1, false, "hoang", msg, sizeof(msg)), 0);
	loud(s);
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_string_equal(r.v[1].title, "b");
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.v[i].outcome, OUTCOME_COMPLETED);
		assert_int_equal(r.v[i].played_ms, 60 * SEC);
	}
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 0, 0));
	rows_free(&r);
	run_until(s, s->now + 2 * MIN);
	r = ledger(s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[2].kind, KIND_PLAY);
	rows_free(&r);
	assert_db_sound(s);
	st = status_json(s);
	assert_non_null(strstr(st, "\"ledger_pending\":0,\"ledger_error\":null"));
	free(st);
	/* Nothing waits: no retry timer, only the next slot's pre-roll
	 * (the clock is a day back, so that is today's again). */
	assert_int_equal(engine_wake_at(s->e), vn(DAY0 + 1, 5, 59, 58));

	log = engine_log(s);
	assert_int_equal(count_in(log, "is full; airing goes on"), 1);
	assert_int_equal(count_in(log, "wrote 2 pending ledger rows"), 1);
	assert_int_equal(count_in(log, "database or disk is full"), 1); /* SQLite's, the first time only */
	free(log);
}

/* The station of start_ab, whose disk fills at 06:00:27, while A is on
 * air (its last good checkpoint at 06:00:25). */
static void fill_disk_while_a_airs(struct sim *s)
{
	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 27));
	disk_full = true;
}

/* A power cut, with space back by the restart at 06:30; the ledger at 07:00. */
static struct rows cut_and_restart(struct sim *s)
{
	power_cut(s);
	disk_full = false;
	s->now = vn(DAY0, 6, 30, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 7, 0, 0));
	return ledger(s);
}

/* The disk fills while A is on air and is freed while B is: A's in-flight
 * record keeps its last good checkpoint (B's are not written over it), A's
 * row and B's in-flight record follow once there is space, and a power cut
 * then leaves B as partial with the frames of its own checkpoints. */
static void test_full_disk_mid_item_then_power_cut(void **state)
{
	struct sim *s = *state;
	struct rows r;

	fill_disk_while_a_airs(s);
	run_until(s, vn(DAY0, 6, 1, 20));
	assert_int_equal(s->n_air, 2);
	assert_non_null(on_air(s));
	disk_full = false;
	/* B's checkpoint at 06:01:21 (20 s played) finds A's record in the
	 * table and A's row still waiting for the retry at 06:01:31: it must
	 * leave A's record as it is. */
	run_until(s, vn(DAY0, 6, 1, 23));
	assert_int_equal(inflight_frames(s, "a"), 25 * SEC * RATE / 1000);
	run_until(s, vn(DAY0, 6, 1, 45));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	rows_free(&r);
	r = cut_and_restart(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_PARTIAL);
	/* B started at 06:01:01; the retry at 06:01:31 wrote its in-flight
	 * record, and its checkpoint at 06:01:41 the 40 s it had played. */
	assert_int_equal(r.v[1].played_ms, 40 * SEC);
	rows_free(&r);
	assert_db_sound(s);
}

/* A power cut while the disk is still full: what waited in memory is
 * gone. A's in-flight record was written before the disk filled, so A is
 * partial with its last good checkpoint (25 s, not B's frames); B left no
 * trace and, after the grace period, is recorded as missed. */
static void test_full_disk_power_cut_loses_what_waits(void **state)
{
	struct sim *s = *state;
	struct rows r;

	fill_disk_while_a_airs(s);
	run_until(s, vn(DAY0, 6, 1, 40));
	r = cut_and_restart(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].played_ms, 25 * SEC);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	rows_free(&r);
	assert_db_sound(s);
}

/* A start after a power cut, on a full disk: the item left on air cannot
 * be recovered yet, so it is neither aired again nor recorded as missed;
 * once there is space its partial row comes first, then the missed one. */
static void test_full_disk_at_start_after_power_cut(void **state)
{
	struct sim *s = *state;
	struct rows r;
	char *st;

	start_ab(s);
	run_until(s, vn(DAY0, 6, 0, 12));
	power_cut(s);
	disk_full = true;
	s->now = vn(DAY0, 6, 30, 0);
	start_engine(s, load_config(s, NULL, ONE_SLOT));
	run_until(s, vn(DAY0, 6, 31, 0));
	st = status_json(s);
	assert_non_null(strstr(st, "\"ledger_pending\":1,"));
	free(st);
	disk_full = false;
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(r.v[0].played_ms, 10 * SEC);
	assert_string_equal(r.v[1].title, "b");
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	rows_free(&r);
	assert_int_equal(s->n_air, 1);
	assert_db_sound(s);
}

/* Stopped while the disk is full: the last try fails, and the journal
 * lists each row it could not write, in order, with what the row holds. */
static void test_full_disk_stop_lists_unwritten_rows(void **state)
{
	struct sim *s = *state;
	struct rows r;
	char *log;
	size_t lost;

	start_ab(s);
	run_until(s, vn(DAY0, 5, 59, 0));
	disk_full = true;
	run_until(s, vn(DAY0, 6, 1, 31));
	quiet(s);
	lost = engine_shutdown(s->e);
	loud(s);
	/* a completed; b stopped after 30 s: partial. */
	assert_int_equal(lost, 2);
	log = engine_log(s);
	assert_non_null(strstr(log, "ledger: 2 rows could not be written (the disk holding "));
	assert_non_null(strstr(log, "ledger row not written: due 2027-01-04T06:00:00.000+07:00, slot 'sang', "
				   "bulletin #1 'a': completed, 60000 ms played\n"));
	assert_non_null(strstr(log, "ledger row not written: due 2027-01-04T06:01:01.000+07:00, slot 'sang', "
				   "bulletin #2 'b': partial, 30000 ms played\n"));
	assert_true(strstr(log, "bulletin #1 'a': completed") < strstr(log, "bulletin #2 'b': partial"));
	free(log);
	assert_int_equal(engine_shutdown(s->e), 0);
	disk_full = false;
	stop_engine(s);
	r = ledger(s);
	assert_int_equal(r.n, 0);
	rows_free(&r);
}

/* A row the database refuses for itself (here a bulletin it does not
 * know) can never be written: it is logged and dropped, and the rows
 * behind it are written all the same. */
static void test_full_disk_refused_row_does_not_block(void **state)
{
	struct sim *s = *state;
	struct backlog *b = backlog_new(s->db);
	struct ledger_row row = { .kind = KIND_PLAY, .outcome = OUTCOME_COMPLETED, .content_sha256 = SHA };
	const char *titles[] = { "a", "x", "b" };
	struct rows r;
	char *log;

	disk_full = true;
	quiet(s);
	for (int i = 0; i < 3; i++) {
		row.title = (char *)titles[i];
		row.bulletin_id = i == 1 ? 999 : 0;
		row.scheduled_at = vn(DAY0, 6, i, 0);
		assert_int_equal(backlog_append(b, &row, false), 1);
	}
	disk_full = false;
	assert_int_equal(backlog_flush(b), 0);
	loud(s);
	backlog_free(b);
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].title, "a");
	assert_string_equal(r.v[1].title, "b");
	rows_free(&r);
	log = engine_log(s);
	assert_non_null(strstr(log, "the row is refused: constraint failed"));
	assert_non_null(strstr(log, "ledger row not written: due 2027-01-04T06:01:00.000+07:00, loa play, "
				   "bulletin #999 'x': completed, 0 ms played"));
	assert_int_equal(count_in(log, "wrote 2 pending ledger rows"), 1);
	free(log);
	assert_db_sound(s);
}

/* Past BACKLOG_MAX a row is not kept but logged; what was kept is written
 * in order when there is space. */
/* ---- relays (tiếp âm) ---- */

#define URL_A "http://127.0.0.1:8001/vov1.mp3"
#define URL_B "http://127.0.0.1:8002/vov1/playlist.m3u8"

static struct stream *add_stream(struct sim *s, const char *url, int64_t connect_ms)
{
	struct stream *st;

	assert_true(s->n_streams < sizeof(s->streams) / sizeof(s->streams[0]));
	st = &s->streams[s->n_streams++];
	*st = (struct stream){ .url = url, .connect_ms = connect_ms };
	return st;
}

/* The station of the relay tests, at 05:00 on DAY0: source vov1 with
 * URL_A then (N_URLS 2) URL_B, both answering in 300 ms, and the
 * database slot thoi-su that relays it daily from 06:00 for 15 minutes. */
static void start_relay(struct sim *s, size_t n_urls)
{
	static char *urls[] = { (char *)URL_A, (char *)URL_B };
	struct source src = { .name = (char *)"vov1", .title = (char *)"Thời sự VOV1", .topic = (char *)"1",
			      .urls = urls, .n_urls = n_urls };
	struct slot sl = { .name = (char *)"thoi-su", .start_sec = 6 * 3600, .days = DAYS_ALL,
			   .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER, .max_minutes = 15,
			   .relay = (char *)"vov1", .source = SLOT_FROM_DATABASE };
	struct config *cfg;
	char msg[512];

	s->now = vn(DAY0, 5, 0, 0);
	if (!s->n_streams) {
		add_stream(s, URL_A, 300);
		add_stream(s, URL_B, 300);
	}
	cfg = load_config(s, NULL, "");
	assert_int_equal(sources_add(s->db, &src, "hoang", msg, sizeof(msg)), 0);
	assert_int_equal(slots_add(s->db, cfg, &sl, "hoang", msg, sizeof(msg)), 0);
	start_engine(s, cfg);
}

static void assert_relay_row(const struct ledger_row *r, enum outcome oc)
{
	assert_int_equal(r->kind, KIND_SLOT);
	assert_string_equal(r->slot, "thoi-su");
	assert_string_equal(r->relay_source, "vov1");
	assert_string_equal(r->title, "Thời sự VOV1");
	assert_string_equal(r->topic, "1");
	assert_int_equal(r->bulletin_id, 0);
	assert_int_equal(r->occurrence_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r->scheduled_at, vn(DAY0, 6, 0, 0));
	if (r->outcome != oc)
		fail_msg("outcome %s, expected %s (%s)", outcome_name(r->outcome), outcome_name(oc),
			 r->reason ? r->reason : "no reason");
}

static void assert_contains(const char *s, const char *frag)
{
	if (!s || !strstr(s, frag))
		fail_msg("\"%s\" does not say \"%s\"", s ? s : "(null)", frag);
}

/* Connected ahead, on air at the instant, ended on the window's second:
 * one row with the source and the URL, the whole window carried. */
static void test_relay_airs_its_window_on_the_second(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_relay(s, 2);
	run_until(s, vn(DAY0, 5, 59, 50));
	assert_int_equal(s->n_tunes, 0);
	run_until(s, vn(DAY0, 5, 59, 55));
	/* Pre-roll: connected six seconds ahead, nothing on air yet. */
	assert_int_equal(s->n_tunes, 1);
	assert_null(on_air(s));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	assert_string_equal(r.v[0].relay_url, URL_A);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[0].ended_at, vn(DAY0, 6, 15, 0));
	assert_int_equal(r.v[0].played_ms, 15 * MIN);
	assert_int_equal(r.v[0].frames, 15 * MIN * RATE / 1000);
	assert_null(r.v[0].reason);
	assert_int_equal(s->n_tunes, 1);
	rows_free(&r);
	/* The next day's window too, and nothing in between. */
	run_until(s, vn(DAY0 + 1, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].started_at, vn(DAY0 + 1, 6, 0, 0));
	rows_free(&r);
}

/* A stream that cannot be reached by the instant is retried, then the
 * next is tried; with one URL, the relay goes on air as soon as it
 * answers, late, and the row says how late. */
static void test_relay_unreachable_at_the_instant_starts_late(void **state)
{
	struct sim *s = *state;
	struct stream *a = add_stream(s, URL_A, 300);
	struct rows r;

	a->down_from = vn(DAY0, 5, 0, 0);
	a->down_until = vn(DAY0, 6, 0, 4);
	start_relay(s, 1);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	assert_true(r.v[0].started_at >= vn(DAY0, 6, 0, 4));
	assert_true(r.v[0].started_at <= vn(DAY0, 6, 0, 20));
	assert_int_equal(r.v[0].ended_at, vn(DAY0, 6, 15, 0));
	assert_int_equal(r.v[0].played_ms, vn(DAY0, 6, 15, 0) - r.v[0].started_at);
	assert_contains(r.v[0].reason, "the first frame went out");
	assert_contains(r.v[0].reason, "s after the instant");
	assert_contains(r.v[0].reason, URL_A " failed: Connection refused");
	rows_free(&r);
}

/* Silence for relay.silence_seconds is dead air: the next URL takes over
 * as soon as it brings sound, and the silent stretch is not counted. */
static void test_relay_silence_moves_to_the_next_url(void **state)
{
	struct sim *s = *state;
	struct stream *a = add_stream(s, URL_A, 300);
	struct rows r;
	char *st;

	add_stream(s, URL_B, 300);
	a->silent_from = vn(DAY0, 6, 5, 0);
	a->silent_until = vn(DAY0, 7, 0, 0);
	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 5, 11));
	st = status_json(s);
	assert_contains(st, "\"relay_url\":\"" URL_B "\"");
	free(st);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	/* B carried ten minutes, A five. */
	assert_string_equal(r.v[0].relay_url, URL_B);
	/* Ten seconds of dead air, and the fallback's answer, not counted. */
	assert_true(r.v[0].played_ms >= 15 * MIN - 11 * SEC);
	assert_true(r.v[0].played_ms <= 15 * MIN - 10 * SEC);
	assert_contains(r.v[0].reason, "06:05:10 " URL_A " silent for 10 s");
	assert_contains(r.v[0].reason, URL_B " on air");
	/* Back to the first a minute later: still silent, so B stays. */
	assert_contains(r.v[0].reason, "1 dropout(s), 1 switch(es): 06:05:10 ");
	rows_free(&r);
}

/* The stream server goes away mid-window: reconnecting fails, and the
 * fallback is on air within relay.silence_seconds + 1 s. */
static void test_relay_server_gone_switches_to_fallback(void **state)
{
	struct sim *s = *state;
	struct stream *a = add_stream(s, URL_A, 300);
	struct rows r;
	char *st;

	add_stream(s, URL_B, 300);
	a->down_from = vn(DAY0, 6, 5, 0);
	a->down_until = vn(DAY0, 8, 0, 0);
	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 5, 11));
	st = status_json(s);
	assert_contains(st, "\"relay_url\":\"" URL_B "\"");
	free(st);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	assert_string_equal(r.v[0].relay_url, URL_B);
	assert_true(r.v[0].played_ms >= 15 * MIN - 11 * SEC);
	assert_contains(r.v[0].reason, URL_A " stopped: the server closed the connection");
	assert_contains(r.v[0].reason, URL_B " on air");
	rows_free(&r);
}

/* A stream that stalls (connected, nothing sent) for 5 s is given up
 * too; once it is back, the relay returns to the first URL. */
static void test_relay_returns_to_the_first_url(void **state)
{
	struct sim *s = *state;
	struct stream *a = add_stream(s, URL_A, 300);
	struct rows r;
	char *st;

	add_stream(s, URL_B, 300);
	a->stall_from = vn(DAY0, 6, 2, 0);
	a->stall_until = vn(DAY0, 6, 3, 0);
	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 2, 6));
	st = status_json(s);
	assert_contains(st, "\"relay_url\":\"" URL_B "\"");
	free(st);
	run_until(s, vn(DAY0, 6, 4, 0));
	st = status_json(s);
	assert_contains(st, "\"relay_url\":\"" URL_A "\"");
	free(st);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	assert_string_equal(r.v[0].relay_url, URL_A);
	assert_contains(r.v[0].reason, "no data from " URL_A " for 5 s");
	assert_contains(r.v[0].reason, "2 switch(es)");
	assert_true(r.v[0].played_ms >= 15 * MIN - 6 * SEC);
	rows_free(&r);
}

/* With every URL dead the window airs nothing (silence, not noise), and
 * its row says so: failed, nothing played, why. */
static void test_relay_every_url_dead_airs_nothing(void **state)
{
	struct sim *s = *state;
	struct stream *a = add_stream(s, URL_A, 300), *b = add_stream(s, URL_B, 50);
	struct rows r;
	int tunes;

	a->down_from = b->down_from = vn(DAY0, 5, 0, 0);
	a->down_until = b->down_until = vn(DAY0, 8, 0, 0);
	start_relay(s, 2);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_FAILED);
	assert_null(r.v[0].relay_url);
	assert_int_equal(r.v[0].played_ms, 0);
	assert_int_equal(r.v[0].started_at, 0);
	assert_contains(r.v[0].reason, "nothing could be aired; last: ");
	assert_contains(r.v[0].reason, "Connection refused");
	/* Tried again and again, but with a backoff: not hundreds of times. */
	tunes = s->n_tunes;
	assert_true(tunes > 20 && tunes < 400);
	rows_free(&r);
}

/* An alert preempts the relay at once; the relay resumes after it for
 * the rest of its window, with one row for the whole window, which does
 * not count the alert's time against it. */
static void test_relay_alert_preempts_and_relay_resumes(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t al;

	s->now = vn(DAY0, 5, 0, 0);
	al = add_storm(s, 30 * SEC);
	start_relay(s, 2);
	alert_at(s, vn(DAY0, 6, 5, 0), al);
	run_until(s, vn(DAY0, 6, 5, 10));
	/* The relay's in-flight record waits aside while the alert airs. */
	assert_int_equal(fixture_int(db_sqlite(s->db), "SELECT count(*) FROM inflight_held"), 1);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].kind, KIND_ALERT);
	assert_int_equal(r.v[0].outcome, OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].started_at, vn(DAY0, 6, 5, 0) + FADE_MS);
	assert_relay_row(&r.v[1], OUTCOME_COMPLETED);
	assert_int_equal(r.v[1].started_at, vn(DAY0, 6, 0, 0));
	assert_int_equal(r.v[1].ended_at, vn(DAY0, 6, 15, 0));
	/* Five minutes, then after the alert and its gap the rest. */
	assert_true(r.v[1].played_ms > 15 * MIN - 33 * SEC);
	assert_true(r.v[1].played_ms < 15 * MIN - 30 * SEC);
	assert_contains(r.v[1].reason, "preempted by an emergency alert");
	assert_contains(r.v[1].reason, "off air 31 s");
	assert_int_equal(fixture_int(db_sqlite(s->db), "SELECT count(*) FROM inflight_held"), 0);
	assert_int_equal(fixture_int(db_sqlite(s->db), "SELECT count(*) FROM inflight"), 0);
	rows_free(&r);
}

/* A power cut mid-relay leaves one partial row, as for an item, and the
 * window does not air again after the restart. */
static void test_relay_power_cut_one_partial_row(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 7, 2));
	power_cut(s);
	s->now = vn(DAY0, 6, 9, 0);
	start_engine(s, load_config(s, NULL, ""));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_PARTIAL);
	assert_string_equal(r.v[0].relay_url, URL_A);
	/* The last checkpoint, every 5 s. */
	assert_true(r.v[0].played_ms > 7 * MIN - 5 * SEC && r.v[0].played_ms <= 7 * MIN + 2 * SEC);
	assert_contains(r.v[0].reason, "interrupted");
	rows_free(&r);
}

/* A power cut during an alert that preempted a relay: a partial row for
 * each, and nothing airs twice. */
static void test_relay_power_cut_during_alert(void **state)
{
	struct sim *s = *state;
	struct rows r;
	int64_t al;

	s->now = vn(DAY0, 5, 0, 0);
	al = add_storm(s, 60 * SEC);
	start_relay(s, 2);
	alert_at(s, vn(DAY0, 6, 5, 0), al);
	run_until(s, vn(DAY0, 6, 5, 20));
	power_cut(s);
	s->now = vn(DAY0, 6, 9, 0);
	start_engine(s, load_config(s, NULL, ""));
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].kind, KIND_ALERT);
	assert_int_equal(r.v[0].outcome, OUTCOME_PARTIAL);
	assert_relay_row(&r.v[1], OUTCOME_PARTIAL);
	assert_true(r.v[1].played_ms >= 4 * MIN && r.v[1].played_ms <= 5 * MIN);
	rows_free(&r);
}

/* `loa stop` ends the relay: its row is cancelled, by whoever stopped it. */
static void test_relay_stop(void **state)
{
	struct sim *s = *state;
	struct rows r;
	char msg[256];

	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 1, 0));
	assert_int_equal(engine_stop(s->e, "lan", msg, sizeof(msg)), 0);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_CANCELLED);
	assert_string_equal(r.v[0].by, "lan");
	assert_int_equal(r.v[0].played_ms, MIN + FADE_MS);
	assert_int_equal(fixture_int(db_sqlite(s->db), "SELECT count(*) FROM audit WHERE action = 'stop'"
					 " AND target = 'thoi-su'"), 1);
	rows_free(&r);
}

/* The device fails mid-relay: the relay comes back as soon as it opens
 * again, for the rest of its window, in the same row. */
static void test_relay_device_lost_resumes(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_relay(s, 2);
	run_until(s, vn(DAY0, 6, 3, 0));
	assert_non_null(on_air(s));
	quiet(s);
	engine_ended(s->e, -ENODEV);
	loud(s);
	run_until(s, vn(DAY0, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 1);
	assert_relay_row(&r.v[0], OUTCOME_COMPLETED);
	assert_int_equal(r.v[0].ended_at, vn(DAY0, 6, 15, 0));
	assert_true(r.v[0].played_ms >= 15 * MIN - 2 * SEC);
	assert_contains(r.v[0].reason, "the audio output failed");
	assert_int_equal(s->n_open, 2);
	rows_free(&r);
}

/* A window that passed while loa was off is missed, as items are. */
static void test_relay_missed_while_off(void **state)
{
	struct sim *s = *state;
	struct rows r;

	start_relay(s, 2);
	run_until(s, vn(DAY0, 7, 0, 0));
	stop_engine(s);
	s->now = vn(DAY0 + 1, 6, 30, 0);
	start_engine(s, load_config(s, NULL, ""));
	run_until(s, vn(DAY0 + 1, 7, 0, 0));
	r = ledger(s);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].outcome, OUTCOME_MISSED);
	assert_int_equal(r.v[1].occurrence_at, vn(DAY0 + 1, 6, 0, 0));
	assert_string_equal(r.v[1].relay_source, "vov1");
	assert_null(r.v[1].relay_url);
	assert_int_equal(r.v[1].played_ms, 0);
	assert_contains(r.v[1].reason, "more than the 10-minute grace period has passed");
	rows_free(&r);
}

static void test_full_disk_backlog_bound(void **state)
{
	struct sim *s = *state;
	struct backlog *b = backlog_new(s->db);
	struct ledger_row row = { .kind = KIND_PLAY, .outcome = OUTCOME_SKIPPED, .title = (char *)"x",
				  .content_sha256 = SHA };
	struct rows r;
	char *log;

	disk_full = true;
	quiet(s);
	for (int i = 0; i < BACKLOG_MAX; i++) {
		row.scheduled_at = vn(DAY0, 6, 0, 0) + i;
		assert_int_equal(backlog_append(b, &row, false), 1);
	}
	row.scheduled_at = vn(DAY0, 7, 0, 0);
	assert_int_equal(backlog_append(b, &row, false), -ENOSPC);
	assert_int_equal(backlog_pending(b), BACKLOG_MAX);
	disk_full = false;
	assert_int_equal(backlog_flush(b), 0);
	loud(s);
	backlog_free(b);
	log = engine_log(s);
	assert_int_equal(count_in(log, "ledger row not written: due 2027-01-04T07:00:00.000+07:00, loa play"), 1);
	assert_int_equal(count_in(log, "ledger row not written"), 1);
	assert_int_equal(count_in(log, "wrote 4096 pending ledger rows"), 1);
	free(log);
	r = ledger(s);
	assert_int_equal(r.n, BACKLOG_MAX);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.v[i].scheduled_at, vn(DAY0, 6, 0, 0) + (int64_t)i);
	rows_free(&r);
	assert_db_sound(s);
}

/* ---- the simulated year ---- */

#define Y0 D(2027, 1, 1) /* a Friday */

static int64_t at(int day, int h, int m, int sec)
{
	return vn(Y0 + day, h, m, sec);
}

static struct config *year_config(struct sim *s)
{
	return load_config(s, "require_sync = true; grace_minutes = 10;",
		"{ name = \"sang\"; start = \"05:30\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"];"
		"  max_minutes = 10; intro = \"intro.wav\"; outro = \"outro.wav\";"
		"  skip_dates = [\"2027-01-01\", \"2027-04-30\", \"2027-05-03\", \"2027-09-02\"]; },"
		"{ name = \"trua\"; start = \"11:00\"; days = [\"sat\",\"sun\"]; from = \"2027-03-01\";"
		"  until = \"2027-10-31\"; max_minutes = 6; },"
		"{ name = \"chieu\"; start = \"17:00\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"];"
		"  max_minutes = 15; topics = [\"1\", \"3\"];"
		"  skip_dates = [\"2027-02-06\", \"2027-02-07\", \"2027-02-08\", \"2027-02-09\", \"2027-02-10\"]; }");
}

/* What the test did, and so what it expects besides "completed". */
struct expect {
	struct { int64_t occ, bid; const char *want; } special[16];
	size_t n_special;
	struct { int64_t from, to; } dark[8]; /* occurrences strictly inside are missed */
	size_t n_dark;
	int alerts, plays;
	int reopened; /* occurrences whose intro airs again after a restart */
};

static void expect_item(struct expect *x, int64_t occ, int64_t bid, const char *want)
{
	assert_true(x->n_special < 16);
	x->special[x->n_special].occ = occ;
	x->special[x->n_special].bid = bid;
	x->special[x->n_special++].want = want;
}

static void expect_dark(struct expect *x, int64_t from, int64_t to)
{
	assert_true(x->n_dark < 8);
	x->dark[x->n_dark].from = from;
	x->dark[x->n_dark++].to = to;
}

static const char *expected_for(const struct expect *x, const struct plan_item *it)
{
	if (it->skipped)
		return "S";
	for (size_t i = 0; i < x->n_special; i++)
		if (x->special[i].occ == it->occurrence_at && x->special[i].bid == it->bulletin->id)
			return x->special[i].want;
	for (size_t i = 0; i < x->n_dark; i++)
		if (it->occurrence_at > x->dark[i].from && it->occurrence_at < x->dark[i].to)
			return "M";
	return "C";
}

static char outcome_letter(enum outcome o)
{
	return "CRPXFMS"[o];
}

/* Asserts that bulletin BID is on air (the test's commands rely on it). */
static void assert_on_air(struct sim *s, int64_t bid)
{
	struct fake *f = on_air(s);

	assert_non_null(f);
	assert_int_equal(media_find(s, f->path)->bulletin_id, bid);
}

static void year_alert(struct sim *s, struct expect *x, int64_t id, int repeat, int every)
{
	char msg[256];

	assert_int_equal(engine_alert(s->e, id, repeat, every, "hoang", msg, sizeof(msg)), 0);
	x->alerts += repeat;
}

static void year_play(struct sim *s, struct expect *x, int64_t id)
{
	char msg[256];

	assert_int_equal(engine_play(s->e, id, false, "hoang", msg, sizeof(msg)), 0);
	x->plays++;
}

/* Every planned item of [FROM, TO) has exactly the rows X expects, in
 * order; no slot row is for anything else; alerts and plays all aired. */
static void check_year(struct sim *s, const struct expect *x, int64_t from, int64_t to)
{
	struct config *cfg = year_config(s);
	struct bulletin *lib = NULL;
	struct plan plan = { 0 };
	size_t n_lib = 0, matched = 0, n_slot = 0, intros = 0, want_intros = (size_t)x->reopened;
	int alerts = 0, plays = 0;
	struct rows r = ledger(s);
	char *got = xmalloc(r.n + 1);

	assert_int_equal(library_list(s->db, true, &lib, &n_lib), 0);
	plan_range(cfg, lib, n_lib, from, to, &plan);
	assert_true(plan.n > 0);
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_item *it = &plan.v[i];
		const char *want;
		size_t k = 0;

		if (it->part == PART_INTRO)
			want_intros += expected_for(x, &plan.v[i + 1])[0] != 'M';
		if (it->part != PART_ITEM)
			continue;
		want = expected_for(x, it);
		for (size_t j = 0; j < r.n; j++)
			if (r.v[j].kind == KIND_SLOT && r.v[j].occurrence_at == it->occurrence_at &&
			    r.v[j].bulletin_id == it->bulletin->id && !strcmp(r.v[j].slot, it->slot->name))
				got[k++] = outcome_letter(r.v[j].outcome);
		got[k] = '\0';
		if (strcmp(got, want)) {
			char when[ISO_LEN];

			fail_msg("slot '%s' at %s, bulletin #%lld: rows '%s', expected '%s'", it->slot->name,
				 time_format_iso(it->occurrence_at, when), (long long)it->bulletin->id, got, want);
		}
		matched += k;
	}
	for (size_t j = 0; j < r.n; j++) {
		n_slot += r.v[j].kind == KIND_SLOT;
		if (r.v[j].kind == KIND_ALERT) {
			alerts++;
			assert_int_equal(r.v[j].outcome, OUTCOME_COMPLETED);
		}
		if (r.v[j].kind == KIND_PLAY) {
			plays++;
			assert_int_equal(r.v[j].outcome, OUTCOME_COMPLETED);
		}
		if (r.v[j].outcome == OUTCOME_PREEMPTED || r.v[j].outcome == OUTCOME_CANCELLED ||
		    r.v[j].outcome == OUTCOME_PARTIAL) {
			assert_true(r.v[j].played_ms > 0);
			assert_true(r.v[j].played_ms < media_find_id(s, r.v[j].bulletin_id)->ms);
		}
	}
	assert_int_equal(n_slot, matched);
	assert_int_equal(alerts, x->alerts);
	assert_int_equal(plays, x->plays);
	intros = count_airings(s, "/intro.wav");
	/* Each sang occurrence that aired opens with its intro once, and
	 * again where a restart within grace reopened it. */
	assert_int_equal(intros, want_intros);
	print_message("simulated %lld days: %zu planned elements, %zu ledger rows, %zu airings\n",
		      (long long)((to - from) / DAY_MS), plan.n, r.n, s->n_air);
	free(got);
	rows_free(&r);
	plan_done(&plan);
	bulletins_free(lib, n_lib);
	config_free(cfg);
}

static void test_simulated_year(void **state)
{
	struct sim *s = *state;
	const char *env = getenv("LOA_TEST_ENGINE_DAYS");
	int days = env ? atoi(env) : 365;
	struct expect x = { 0 };
	int64_t b_all, b_vacc, b_law, b_flood, b_vote, b_model, b_farm, b_road, b_storm, b_notice;
	struct rows r;
	size_t n_rows, n_air;
	char *st;

	if (days < 1 || days > 365)
		days = 365;
	s->now = at(0, 0, 0, 0) - H;
	b_all = add_bulletin(s, "Tin chung", PRIO_NORMAL, 180 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "sang chieu");
	b_vacc = add_bulletin(s, "Tiêm chủng", PRIO_PRIORITY, 240 * SEC, D(2027, 1, 10), D(2027, 3, 31), "3", "sang");
	b_law = add_bulletin(s, "Luật đất đai", PRIO_NORMAL, 300 * SEC, D(2027, 2, 1), D(2027, 6, 30), "3", "chieu");
	b_flood = add_bulletin(s, "Phòng chống lũ", PRIO_EMERGENCY, 120 * SEC, D(2027, 5, 15), D(2027, 5, 31), "3", "sang chieu");
	b_vote = add_bulletin(s, "Bầu cử", PRIO_NORMAL, 420 * SEC, D(2027, 4, 1), D(2027, 12, 31), "1", "chieu");
	b_model = add_bulletin(s, "Gương tốt", PRIO_PRIORITY, 200 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "6", "trua");
	b_farm = add_bulletin(s, "Nông nghiệp", PRIO_NORMAL, 150 * SEC, D(2027, 6, 1), D(2027, 8, 31), "1", "trua chieu");
	b_road = add_bulletin(s, "An toàn giao thông", PRIO_NORMAL, 90 * SEC, D(2027, 9, 1), DAY_NONE_AFTER, "1", "sang");
	b_storm = add_bulletin(s, "Khẩn: bão", PRIO_EMERGENCY, 60 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "2", "");
	b_notice = add_bulletin(s, "Thông báo", PRIO_NORMAL, 30 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "1", "");
	/* Topic 5 is not among chieu's topics: never planned. */
	add_bulletin(s, "Văn nghệ", PRIO_NORMAL, 100 * SEC, DAY_NONE_BEFORE, DAY_NONE_AFTER, "5", "chieu");
	(void)b_model;
	(void)b_farm;
	(void)b_road;
	start_engine(s, year_config(s));

	if (days > 20) {
		/* Wed 20 Jan, sang: an alert, repeated twice half-hourly,
		 * preempts the priority item, which airs again after it. */
		run_until(s, at(19, 5, 31, 0));
		assert_on_air(s, b_vacc);
		year_alert(s, &x, b_storm, 3, 30);
		expect_item(&x, at(19, 5, 30, 0), b_vacc, "PC");
	}
	if (days > 42) {
		/* Wed 10 Feb (chieu skipped for Tết): a play when idle; Thu 11
		 * Feb: a play during chieu airs after the current item. */
		run_until(s, at(40, 12, 0, 0));
		year_play(s, &x, b_notice);
		run_until(s, at(41, 17, 1, 0));
		assert_on_air(s, b_all);
		year_play(s, &x, b_notice);
	}
	if (days > 61) {
		/* Tue 2 Mar, chieu: the operator stops the law bulletin. */
		run_until(s, at(60, 17, 4, 0));
		assert_on_air(s, b_law);
		assert_int_equal(engine_stop(s->e, "hoang", (char[256]){ 0 }, 256), 0);
		expect_item(&x, at(60, 17, 0, 0), b_law, "X");
	}
	if (days > 76) {
		/* Wed 17 Mar, sang: an alert with too little of the slot left
		 * for the preempted item to air again. */
		run_until(s, at(75, 5, 36, 30));
		assert_on_air(s, b_all);
		year_alert(s, &x, b_storm, 1, 60);
		expect_item(&x, at(75, 5, 30, 0), b_all, "P");
	}
	if (days > 104) {
		/* Sun 11 Apr, chieu: a power cut during the law bulletin; three
		 * days dark; on Wed 14 Apr the box boots at 16:00 with a clock
		 * it cannot trust until 17:06; then that day's chieu airs late. */
		run_until(s, at(100, 17, 5, 0));
		assert_on_air(s, b_law);
		power_cut(s);
		expect_item(&x, at(100, 17, 0, 0), b_law, "R");
		s->now = at(103, 16, 0, 0);
		s->trusted = false;
		start_engine(s, year_config(s));
		/* The cut item is recorded at once (partial, from its last
		 * checkpoint); nothing is judged or aired by this clock. */
		r = ledger(s);
		n_rows = r.n;
		assert_int_equal(r.v[r.n - 1].outcome, OUTCOME_PARTIAL);
		rows_free(&r);
		n_air = s->n_air;
		run_until(s, at(103, 17, 6, 0));
		r = ledger(s);
		assert_int_equal(r.n, n_rows);
		rows_free(&r);
		assert_int_equal(s->n_air, n_air);
		st = status_json(s);
		assert_non_null(strstr(st, "\"state\":\"waiting-for-clock\""));
		free(st);
		s->trusted = true;
		expect_dark(&x, at(100, 17, 0, 0), at(103, 17, 6, 0) - 10 * MIN);
	}
	if (days > 151) {
		/* Mon 31 May, sang: loa is stopped during the flood bulletin
		 * and started again within grace: the rest airs late. */
		run_until(s, at(150, 5, 31, 0));
		assert_on_air(s, b_flood);
		stop_engine(s);
		expect_item(&x, at(150, 5, 30, 0), b_flood, "R");
		x.reopened++;
		s->now = at(150, 5, 36, 0);
		start_engine(s, year_config(s));
	}
	if (days > 241) {
		/* Tue 20 Jul: stepped back over chieu, which does not air again. */
		run_until(s, at(200, 17, 20, 0));
		step_clock(s, at(200, 16, 50, 0));
		/* Fri 30 Jul: forward over sang, within grace: late. */
		run_until(s, at(210, 5, 25, 0));
		step_clock(s, at(210, 5, 36, 0));
		/* Mon 9 Aug: forward over chieu, past grace: missed. */
		run_until(s, at(220, 16, 0, 0));
		step_clock(s, at(220, 17, 30, 0));
		expect_dark(&x, at(220, 16, 0, 0), at(220, 17, 20, 0));
		/* Thu 19 Aug: two days forward. */
		run_until(s, at(230, 12, 0, 0));
		step_clock(s, at(232, 12, 0, 0));
		expect_dark(&x, at(230, 12, 0, 0), at(232, 11, 50, 0));
		/* Sun 29 Aug: a day back; that day is not aired twice. */
		run_until(s, at(240, 18, 0, 0));
		step_clock(s, at(239, 18, 0, 0));
	}
	if (days > 301) {
		/* Thu 28 Oct, chieu: an alert repeated after five minutes
		 * preempts the vote bulletin, and then its second airing. */
		run_until(s, at(300, 17, 5, 0));
		assert_on_air(s, b_vote);
		year_alert(s, &x, b_storm, 2, 5);
		expect_item(&x, at(300, 17, 0, 0), b_vote, "PP");
	}
	run_until(s, at(days, 0, 0, 0));
	check_year(s, &x, at(0, 0, 0, 0), at(days, 0, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slot_airs_in_priority_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stored_makeup_used_when_its_key_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_true_peak_setting_is_every_ceiling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_minutes_first_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intro_and_outro_frame_the_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_aired_occurrence_airs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_preempts_and_item_airs_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_items_air_at_their_instants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_emergency_preempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_emergency_within_grace_airs_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_emergency_waits_for_its_audio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_audio_missing_fails_and_late_is_missed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_cancelled_item_does_not_air, setup, teardown),
		cmocka_unit_test_setup_teardown(test_province_normal_waits_or_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_preempted_item_without_room_does_not_air_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_reair_counts_rest_of_occurrence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_repeats_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_play_airs_after_current_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_cancels_current_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_name_who_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_cut_keeps_who_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failure_is_failed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_within_grace_airs_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_after_grace_records_missed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_mid_item_then_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_cut_mid_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_starts_before_the_page_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_cut_with_occurrences_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_clock_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_forward_over_prerolled_occurrence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_back_airs_nothing_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_back_in_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_fails_mid_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_forward_while_on_air, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_back_while_on_air, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_back_mid_item_keeps_its_duration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_step_back_then_power_cut_keeps_its_duration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_steps_across_occurrences, setup, teardown),
		cmocka_unit_test_setup_teardown(test_library_changes_reach_next_occurrence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_database_slots_change_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_airs_across_2038, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_drops_queued_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_all_items_drops_intro_and_outro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_while_playing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_over_a_month, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_rows_wait_and_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_mid_item_then_power_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_power_cut_loses_what_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_at_start_after_power_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_stop_lists_unwritten_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_refused_row_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_backlog_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_airs_its_window_on_the_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_unreachable_at_the_instant_starts_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_silence_moves_to_the_next_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_server_gone_switches_to_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_returns_to_the_first_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_every_url_dead_airs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_alert_preempts_and_relay_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_power_cut_one_partial_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_power_cut_during_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_device_lost_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_missed_while_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simulated_year, setup, teardown),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
