/* The station config: libconfig does the syntax, this file does the meaning.
 * Everything is checked in one pass that keeps going after a problem, so an
 * operator fixing the file sees every mistake at once instead of one per
 * `loa check`. A config with any problem is freed whole and never returned:
 * the daemon keeps the schedule it has rather than half of a new one.
 *
 * libconfig's own names (config_t, config_init, config_setting_*) share our
 * prefix; ours are only config_load/config_free/config_slot/slot_skips, and
 * the libconfig handle is always called `lc` to keep the two apart. */
#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/timeutil.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

/* What one load needs to report problems: the file as the operator named
 * it, its absolute folder for relative paths, and where messages go. */
struct ctx {
	const char *path;
	char *dir;
	struct strlist *errs;
	int nerr;
};

static const char *const top_keys[] = { "station", "paths", "audio", "clock", "limits", "relay", "slots", "web",
					 "upstream", NULL };
static const char *const station_keys[] = { "name", "timezone", NULL };
static const char *const paths_keys[] = { "state_dir", "socket", NULL };
static const char *const audio_keys[] = { "device", "gap_ms", "target_lufs", "gain_db", "true_peak_dbtp",
					  "power_on", "power_off", "warmup_ms", NULL };
static const char *const clock_keys[] = { "require_sync", "grace_minutes", NULL };
static const char *const limits_keys[] = { "earliest", "latest", NULL };
static const char *const relay_keys[] = { "silence_seconds", NULL };
static const char *const web_keys[] = { "listen", "tls_cert", "tls_key", "max_upload_mb", "session_hours", NULL };
static const char *const slot_keys[] = { "name", "start", "days", "max_minutes", "from", "until",
					 "skip_dates", "intro", "outro", "topics", NULL };
static const char *const upstream_keys[] = { "url", "username", "password_file", "source_id", "source_name",
					     "device_id", "device_name", "destination_id", "destination_name",
					     "provider_code", "provider_name", "ping_seconds", "timeout_seconds",
					     "paths", "ca_file", "poll_seconds", "max_download_mb", NULL };
static const char *const upstream_paths_keys[] = { "login", "log", "ping", "schedule", "schedule_ack",
						   "schedule_cancel", "schedule_reject", NULL };
static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

#define TIME_HELP N_("write it as HH:MM or HH:MM:SS with two digits each, " \
			  "from 00:00 to 23:59:59, e.g. \"05:30\"")
#define DATE_HELP N_("write it as YYYY-MM-DD with a day that exists, e.g. \"2026-09-02\"")

static char *vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	return s;
}

/* "FILE:LINE: message" at setting S. An included file names itself, so the
 * line number is always read against the right file. */
static void err_at(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_at(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = config_setting_source_file(s);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vfmt(fmt, ap);
	va_end(ap);
	strlist_addf(c->errs, "%s:%u: %s", file ? file : c->path, (unsigned)config_setting_source_line(s), msg);
	free(msg);
	c->nerr++;
}

/* "FILE: message", for what has no line: a missing group, an unreadable file. */
static void err_file(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void err_file(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vfmt(fmt, ap);
	va_end(ap);
	strlist_addf(c->errs, "%s: %s", c->path, msg);
	free(msg);
	c->nerr++;
}

/* How much of a value a message quotes: enough to recognise it. */
#define QUOTE_VALUE_MAX 40
#define QUOTE_NAME_MAX 100
/* A buffer for clip(S, MAX): MAX bytes, "..." and the NUL. */
#define CLIP_LEN(max) ((max) + 4)

/* S for quoting in a message, cut to at most MAX bytes with "..." when it
 * is longer. The cut falls where a UTF-8 character begins: a cut by bytes
 * can split a Vietnamese letter (two or three bytes), and the terminal or
 * journal then shows garbage in its place. BUF holds CLIP_LEN(MAX). */
static const char *clip(const char *s, size_t max, char *buf)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	/* Back over continuation bytes (10xxxxxx) to the first byte of the
	 * character the cut would split. */
	for (n = max; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/* What the operator actually wrote, for "must be X, not Y". */
static const char *describe(const config_setting_t *s, char *buf, size_t len)
{
	char q[CLIP_LEN(QUOTE_VALUE_MAX)];

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, _("an integer (%lld)"), config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, len, _("a decimal number (%g)"), config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, len, _("a string (\"%s\")"), clip(config_setting_get_string(s), QUOTE_VALUE_MAX, q));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, _("a true/false value (%s)"), config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, _("a list [ ... ]"));
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, len, _("a list ( ... )"));
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, _("a group { ... }"));
		break;
	default:
		snprintf(buf, len, _("an empty value"));
		break;
	}
	return buf;
}

static void bad_type(struct ctx *c, const config_setting_t *s, const char *what, const char *expect)
{
	char d[96];

	err_at(c, s, _("%s must be %s, not %s"), what, expect, describe(s, d, sizeof(d)));
}

static const config_setting_t *member(const config_setting_t *grp, const char *key)
{
	return grp ? config_setting_get_member(grp, key) : NULL;
}

/* Edit distance of two short keys, to point a typo at its intended key. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void report_unknown(struct ctx *c, const config_setting_t *s, const char *where,
			   const char *const *allowed)
{
	const char *name = config_setting_name(s), *near = NULL;
	size_t best = 3, len = 1;
	char *list;

	for (size_t k = 0; allowed[k]; k++) {
		size_t d = distance(name, allowed[k]);

		if (d < best) {
			best = d;
			near = allowed[k];
		}
		len += strlen(allowed[k]) + 2;
	}
	list = xmalloc(len);
	list[0] = '\0';
	for (size_t k = 0; allowed[k]; k++) {
		if (k)
			strcat(list, ", ");
		strcat(list, allowed[k]);
	}
	if (near)
		err_at(c, s, _("unknown key '%s' %s; allowed keys are: %s (did you mean '%s'?)"), name, where, list,
		       near);
	else
		err_at(c, s, _("unknown key '%s' %s; allowed keys are: %s"), name, where, list);
	free(list);
}

/* Unknown keys are errors: a misspelt key silently ignored would leave a
 * default in force that the operator believes they changed. */
static void check_keys(struct ctx *c, const config_setting_t *grp, const char *where,
		       const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(grp); i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k;

		if (!name)
			continue;
		for (k = 0; allowed[k]; k++)
			if (strcmp(name, allowed[k]) == 0)
				break;
		if (!allowed[k])
			report_unknown(c, s, where, allowed);
	}
}

/* Each getter returns 1 with *out set when KEY is present and valid, 0 when
 * it is absent (defaults stay), and -1 after reporting why it is invalid. */
static int get_int(struct ctx *c, const config_setting_t *grp, const char *key, const char *what, int lo,
		   int hi, int *out)
{
	const config_setting_t *s = member(grp, key);
	char expect[64];
	long long v;

	if (!s)
		return 0;
	snprintf(expect, sizeof(expect), _("an integer from %d to %d"), lo, hi);
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) {
		bad_type(c, s, what, expect);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < lo || v > hi) {
		err_at(c, s, _("%s must be %s, not %lld"), what, expect, v);
		return -1;
	}
	*out = (int)v;
	return 1;
}

/* A decimal setting; "-16" means the same as "-16.0", so integers pass. */
static int get_float(struct ctx *c, const config_setting_t *grp, const char *key, const char *what, double lo,
		     double hi, double *out)
{
	const config_setting_t *s = member(grp, key);
	char expect[64];
	double v;

	if (!s)
		return 0;
	snprintf(expect, sizeof(expect), _("a number from %g to %g"), lo, hi);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		bad_type(c, s, what, expect);
		return -1;
	}
	if (!(v >= lo && v <= hi)) {
		err_at(c, s, _("%s must be %s, not %g"), what, expect, v);
		return -1;
	}
	*out = v;
	return 1;
}

static int get_bool(struct ctx *c, const config_setting_t *grp, const char *key, const char *what, bool *out)
{
	const config_setting_t *s = member(grp, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		bad_type(c, s, what, _("true or false (without quotes)"));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

/* A non-empty string; EXPECT says what it should hold, with an example. */
static int get_string(struct ctx *c, const config_setting_t *grp, const char *key, const char *what,
		      const char *expect, const char **out)
{
	const config_setting_t *s = member(grp, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		bad_type(c, s, what, expect);
		return -1;
	}
	if (!*config_setting_get_string(s)) {
		err_at(c, s, _("%s is empty; it must be %s"), what, expect);
		return -1;
	}
	*out = config_setting_get_string(s);
	return 1;
}

static int get_hms(struct ctx *c, const config_setting_t *grp, const char *key, const char *what, int *sec)
{
	const char *v;
	int r = get_string(c, grp, key, what, _("a time of day in quotes, e.g. \"05:30\""), &v);

	if (r <= 0)
		return r;
	if (time_parse_hms(v, sec) < 0) {
		err_at(c, member(grp, key), _("%s '%s' is not a time of day; %s"), what, v, _(TIME_HELP));
		return -1;
	}
	return 1;
}

static int get_day(struct ctx *c, const config_setting_t *grp, const char *key, const char *what, int32_t *day)
{
	const char *v;
	int r = get_string(c, grp, key, what, _("a date in quotes, e.g. \"2026-09-02\""), &v);

	if (r <= 0)
		return r;
	if (time_parse_day(v, day) < 0) {
		err_at(c, member(grp, key), _("%s '%s' is not a date; %s"), what, v, _(DATE_HELP));
		return -1;
	}
	return 1;
}

static void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* A list of non-empty strings, either [ ... ] or ( ... ). *out is a new
 * NULL-terminated array, only set when every item is good; *list gets the
 * setting so callers can point at an item's line. */
static int get_strings(struct ctx *c, const config_setting_t *grp, const char *key, const char *what,
		       const char *example, bool allow_empty, char ***out, size_t *n,
		       const config_setting_t **list)
{
	const config_setting_t *s = member(grp, key);
	char expect[160];
	char **v;
	int len, bad = 0;

	if (!s)
		return 0;
	snprintf(expect, sizeof(expect), _("a list of strings in square brackets, e.g. %s"), example);
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST) {
		bad_type(c, s, what, expect);
		return -1;
	}
	len = config_setting_length(s);
	if (len == 0 && !allow_empty) {
		err_at(c, s, _("%s is empty; it must be %s"), what, expect);
		return -1;
	}
	v = xcalloc((size_t)len + 1, sizeof(*v));
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char d[96];

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			err_at(c, e, _("%s: item %d must be a string in quotes, not %s"), what, i + 1,
			       describe(e, d, sizeof(d)));
			bad = 1;
		} else if (!*config_setting_get_string(e)) {
			err_at(c, e, _("%s: item %d is empty; each item must be non-empty text, as in %s"), what, i + 1,
			       example);
			bad = 1;
		} else {
			v[i] = xstrdup(config_setting_get_string(e));
		}
	}
	if (bad) {
		for (int i = 0; i < len; i++)
			free(v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n = (size_t)len;
	if (list)
		*list = s;
	return 1;
}

/* A top-level group, checked for unknown keys. NULL when absent or wrong. */
static const config_setting_t *get_group(struct ctx *c, const config_setting_t *root, const char *key,
					 const char *const *allowed, const char *example)
{
	const config_setting_t *s = member(root, key);
	char where[64];

	if (!s)
		return NULL;
	if (!config_setting_is_group(s)) {
		char expect[192];

		snprintf(expect, sizeof(expect), _("a group in braces, e.g. %s"), example);
		bad_type(c, s, key, expect);
		return NULL;
	}
	snprintf(where, sizeof(where), _("in group '%s'"), key);
	check_keys(c, s, where, allowed);
	return s;
}

/* Joins DIR and P and drops "." , ".." and doubled slashes by spelling alone:
 * the folders need not exist yet (state_dir is created later), so realpath()
 * cannot be used. */
static char *normalise(const char *dir, const char *p)
{
	char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
	char *out = xmalloc(strlen(joined) + 2);
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(joined, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, t, strlen(t));
		n += strlen(t);
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	free(joined);
	return out;
}

/* The config file's folder as an absolute path, or NULL when the file was
 * named relatively and the current folder cannot be found. */
static char *config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *rel, *cwd, *dir;

	if (slash == path)
		return xstrdup("/");
	rel = xstrdup(slash ? path : ".");
	if (slash)
		rel[slash - path] = '\0';
	if (rel[0] == '/') {
		dir = normalise("/", rel);
	} else {
		cwd = getcwd(NULL, 0);
		dir = cwd ? normalise(cwd, rel) : NULL;
		free(cwd);
	}
	free(rel);
	return dir;
}

/* A zone name is checked against the zoneinfo files rather than by
 * setting TZ: libc accepts any string there and silently runs on UTC, which
 * would air every slot seven hours off. */
static bool zone_known(const char *name)
{
	const char *dir = getenv("TZDIR");
	char magic[4];
	struct stat st;
	char *file;
	FILE *f;
	bool ok = false;

	if (!dir || !*dir)
		dir = ZONEINFO_DIR;
	if (!*name || name[0] == '/' || strstr(name, ".."))
		return false;
	file = xasprintf("%s/%s", dir, name);
	/* zoneinfo also holds zone.tab and friends; only TZif files are zones. */
	if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && (f = fopen(file, "rb"))) {
		ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
		fclose(f);
	}
	free(file);
	return ok;
}

static void load_station(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	static const char example[] = "station = { name = \"Xã Thanh Thủy\"; timezone = \"Asia/Ho_Chi_Minh\"; };";
	const config_setting_t *g;
	const char *v;

	if (!member(root, "station")) {
		err_file(c, _("the station group is missing; add e.g. %s"), example);
		return;
	}
	if (!(g = get_group(c, root, "station", station_keys, example)))
		return;
	if (!member(g, "name"))
		err_at(c, g, _("station.name is missing; add e.g. name = \"Xã Thanh Thủy\"; to the station group"));
	else if (get_string(c, g, "name", "station.name", _("the station's name in quotes, e.g. \"Xã Thanh Thủy\""),
			    &v) > 0)
		cfg->station_name = xstrdup(v);

	if (!member(g, "timezone")) {
		err_at(c, g, _("station.timezone is missing; add e.g. timezone = \"Asia/Ho_Chi_Minh\"; "
			     "to the station group"));
	} else if (get_string(c, g, "timezone", "station.timezone",
			      _("a time zone name in quotes, e.g. \"Asia/Ho_Chi_Minh\""), &v) > 0) {
		if (zone_known(v))
			cfg->timezone = xstrdup(v);
		else
			err_at(c, member(g, "timezone"), _("station.timezone '%s' is not a time zone known to this "
				"system; Vietnam is \"Asia/Ho_Chi_Minh\""), v);
	}
}

static void load_paths(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	static const char example[] = "paths = { state_dir = \"/var/lib/loa\"; };";
	const config_setting_t *g;
	const char *v;

	if (!member(root, "paths")) {
		err_file(c, _("the paths group is missing; add e.g. %s"), example);
		return;
	}
	if (!(g = get_group(c, root, "paths", paths_keys, example)))
		return;
	if (!member(g, "state_dir"))
		err_at(c, g, _("paths.state_dir is missing; add e.g. state_dir = \"/var/lib/loa\"; to the paths group"));
	else if (get_string(c, g, "state_dir", "paths.state_dir",
			    _("the folder for the database and audio store in quotes, e.g. \"/var/lib/loa\""), &v) > 0)
		cfg->state_dir = normalise(c->dir, v);
	if (member(g, "socket") &&
	    get_string(c, g, "socket", "paths.socket",
		       _("the control socket's path in quotes, e.g. \"/run/loa/loa.sock\""), &v) > 0)
		cfg->socket_path = normalise(c->dir, v);
	/* Without a runtime folder from systemd, the socket lives with the
	 * database: same owner, same group, same permissions. */
	if (!cfg->socket_path && cfg->state_dir)
		cfg->socket_path = xasprintf("%s/loa.sock", cfg->state_dir);
}

/* The relay command runs unattended just before air, so a command that
 * cannot run is found now rather than by a silent broadcast. */
static void load_power(struct ctx *c, const config_setting_t *g, const char *key, char ***out)
{
	char what[32], example[64];
	const config_setting_t *list;
	char **argv;
	size_t n;

	snprintf(what, sizeof(what), "audio.%s", key);
	snprintf(example, sizeof(example), "[\"/usr/local/bin/relay\", \"%s\"]",
		 strcmp(key, "power_on") == 0 ? "on" : "off");
	if (get_strings(c, g, key, what, example, false, &argv, &n, &list) <= 0)
		return;
	if (argv[0][0] != '/') {
		err_at(c, list, _("%s: the program '%s' must be given as an absolute path (starting with /), "
			"e.g. %s"), what, argv[0], example);
	} else if (access(argv[0], X_OK) < 0) {
		err_at(c, list, _("%s: the program '%s' cannot be run (%s); give the absolute path of the "
			"command that switches the amplifiers, e.g. %s"), what, argv[0], strerror(errno), example);
	} else {
		*out = argv;
		return;
	}
	strv_free(argv);
}

static void load_audio(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *g = get_group(c, root, "audio", audio_keys, "audio = { device = \"default\"; };");
	const char *v;

	if (!g)
		return;
	if (get_string(c, g, "device", "audio.device",
		       _("the name of an ALSA device in quotes, e.g. \"default\" or \"plughw:1\""), &v) > 0) {
		free(cfg->audio_device);
		cfg->audio_device = xstrdup(v);
	}
	get_int(c, g, "gap_ms", _("audio.gap_ms (milliseconds of silence between items)"), 0, 60000, &cfg->gap_ms);
	get_float(c, g, "target_lufs", _("audio.target_lufs (loudness in LUFS)"), -70, 0, &cfg->target_lufs);
	get_float(c, g, "gain_db", _("audio.gain_db (station-wide gain in dB)"), -30, 20, &cfg->gain_db);
	/* 0 dBTP is full scale; under -9 the limiter would be crushing speech
	 * brought to a usual target, not guarding its peaks. */
	get_float(c, g, "true_peak_dbtp", _("audio.true_peak_dbtp (the highest true peak on air, in dBTP)"), -9, 0,
		  &cfg->true_peak_dbtp);
	load_power(c, g, "power_on", &cfg->power_on);
	load_power(c, g, "power_off", &cfg->power_off);
	get_int(c, g, "warmup_ms", _("audio.warmup_ms (milliseconds the amplifiers need after power_on)"), 0, 60000,
		&cfg->warmup_ms);
}

static void load_clock(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *g = get_group(c, root, "clock", clock_keys, "clock = { require_sync = true; };");

	if (!g)
		return;
	get_bool(c, g, "require_sync", "clock.require_sync", &cfg->require_sync);
	get_int(c, g, "grace_minutes", "clock.grace_minutes", 0, 1440, &cfg->grace_minutes);
}

static void load_limits(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *g = get_group(c, root, "limits", limits_keys,
					      "limits = { earliest = \"05:00\"; latest = \"21:00\"; };");
	int e = -1, l = -1;

	if (!g)
		return;
	get_hms(c, g, "earliest", "limits.earliest", &e);
	get_hms(c, g, "latest", "limits.latest", &l);
	if (e >= 0 && l >= 0 && e >= l) {
		err_at(c, member(g, "latest"), _("limits.latest (%s) must be later than limits.earliest (%s); "
			"they are the first and last times of day a slot may start"),
			config_setting_get_string(member(g, "latest")),
			config_setting_get_string(member(g, "earliest")));
		return;
	}
	cfg->limit_earliest = e;
	cfg->limit_latest = l;
}

/* A relay's dead air: a second or two of silence is a pause in speech; a
 * station off the air for five minutes has long been noticed by anyone
 * listening, and the fallback should have been tried well before. */
static void load_relay(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *g = get_group(c, root, "relay", relay_keys, "relay = { silence_seconds = 10; };");

	if (!g)
		return;
	get_int(c, g, "silence_seconds",
		_("relay.silence_seconds (seconds of silence after which a relay tries its next URL)"), 3, 300,
		&cfg->relay_silence_s);
}

int config_parse_listen(const char *s, char **host, int *port)
{
	const char *colon, *h = s;
	size_t hn;
	char buf[INET6_ADDRSTRLEN], *end;
	unsigned char addr[sizeof(struct in6_addr)];
	long p;
	bool v6 = s[0] == '[';

	if (v6) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		hn = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hn = (size_t)(colon - s);
	}
	if (hn == 0 || hn >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, h, hn);
	buf[hn] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return -EINVAL;
	if (colon[1] < '1' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	*host = xstrdup(buf);
	*port = (int)p;
	return 0;
}

/* The console's group. The certificate and key are only named here: the
 * daemon and an operator's `loa check` need not read a key that only
 * `loa web` (user loa) may, so their files are opened when it starts. */
static void load_web(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	static const char example[] = "web = { listen = \"0.0.0.0:8080\"; };";
	const config_setting_t *g = get_group(c, root, "web", web_keys, example);
	const char *v, *cert = NULL, *key = NULL;
	int rc, rk;

	if (!g)
		return;
	if (get_string(c, g, "listen", "web.listen",
		       _("an address and port in quotes, e.g. \"0.0.0.0:8080\" (every IPv4 address), "
			 "\"127.0.0.1:8080\" (this box only) or \"[::]:8080\" (IPv6)"), &v) > 0) {
		char *host;
		int port;

		if (config_parse_listen(v, &host, &port) < 0) {
			err_at(c, member(g, "listen"), _("web.listen '%s' is not an address and port; write an IP "
				"address and a port from 1 to 65535, e.g. \"0.0.0.0:8080\", \"192.168.1.10:8080\" or "
				"\"[::]:8080\" (names are not looked up)"), v);
		} else {
			free(cfg->web.host);
			cfg->web.host = host;
			cfg->web.port = port;
		}
	}
	rc = get_string(c, g, "tls_cert", "web.tls_cert",
			_("the certificate's PEM file in quotes, e.g. \"/etc/loa/web.crt\""), &cert);
	rk = get_string(c, g, "tls_key", "web.tls_key",
			_("the private key's PEM file in quotes, e.g. \"/etc/loa/web.key\""), &key);
	if (rc > 0 && rk > 0) {
		cfg->web.tls_cert = normalise(c->dir, cert);
		cfg->web.tls_key = normalise(c->dir, key);
	} else if (rc > 0 && rk == 0) {
		err_at(c, member(g, "tls_cert"), _("web.tls_cert is given without web.tls_key; HTTPS needs "
			"both, e.g. tls_key = \"/etc/loa/web.key\"; (man loa.conf shows how to make them)"));
	} else if (rk > 0 && rc == 0) {
		err_at(c, member(g, "tls_key"), _("web.tls_key is given without web.tls_cert; HTTPS needs "
			"both, e.g. tls_cert = \"/etc/loa/web.crt\"; (man loa.conf shows how to make them)"));
	}
	get_int(c, g, "max_upload_mb", _("web.max_upload_mb (the largest upload, in MB)"), 1, 4096,
		&cfg->web.max_upload_mb);
	get_int(c, g, "session_hours", _("web.session_hours (how long a login lasts, in hours)"), 1, 720,
		&cfg->web.session_hours);
}

static bool name_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static void load_days(struct ctx *c, const config_setting_t *g, const char *label, struct slot *s)
{
	static const char example[] = "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]";
	const config_setting_t *list;
	char what[192];
	char **v;
	size_t n;
	unsigned days = 0;
	bool bad = false;

	snprintf(what, sizeof(what), "%s: days", label);
	if (!member(g, "days")) {
		err_at(c, g, _("%s is missing; add e.g. days = %s; to the slot"), what, example);
		return;
	}
	if (get_strings(c, g, "days", what, example, false, &v, &n, &list) <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		int d;

		for (d = 0; d < 7; d++)
			if (strcmp(v[i], weekdays[d]) == 0)
				break;
		if (d == 7) {
			err_at(c, e, _("%s: '%s' is not a weekday; use mon, tue, wed, thu, fri, sat or sun"), what, v[i]);
			bad = true;
		} else if (days & (1u << d)) {
			err_at(c, e, _("%s: '%s' is listed twice; list each weekday once"), what, v[i]);
			bad = true;
		}
		if (d < 7)
			days |= 1u << d;
	}
	strv_free(v);
	if (!bad)
		s->days = days;
}

static void load_skips(struct ctx *c, const config_setting_t *g, const char *label, struct slot *s)
{
	const config_setting_t *list;
	char what[192];
	char **v;
	size_t n, k = 0;
	int32_t *days;
	bool bad = false;

	snprintf(what, sizeof(what), "%s: skip_dates", label);
	if (get_strings(c, g, "skip_dates", what, "[\"2026-09-02\"]", true, &v, &n, &list) <= 0)
		return;
	days = xcalloc(n, sizeof(*days));
	for (size_t i = 0; i < n; i++) {
		if (time_parse_day(v[i], &days[i]) < 0) {
			err_at(c, config_setting_get_elem(list, (unsigned)i), _("%s: '%s' is not a date; %s"), what, v[i],
			       DATE_HELP);
			bad = true;
		}
	}
	strv_free(v);
	if (bad || n == 0) {
		free(days);
		return;
	}
	/* Sorted and unique, so slot_skips() can bsearch. */
	qsort(days, n, sizeof(*days), cmp_day);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || days[k - 1] != days[i])
			days[k++] = days[i];
	s->skip_days = days;
	s->n_skip = k;
}

/* Intro and outro are checked for existence here; whether they decode is
 * content/jingle's job, which needs the audio code. */
static void load_jingle(struct ctx *c, const config_setting_t *g, const char *label, const char *key,
			char **out)
{
	const config_setting_t *s;
	char what[192];
	const char *v, *why = NULL;
	struct stat st;
	char *abs;

	snprintf(what, sizeof(what), "%s: %s", label, key);
	if (get_string(c, g, key, what, _("the path of an audio file in quotes, e.g. \"chime.wav\""), &v) <= 0)
		return;
	s = member(g, key);
	abs = normalise(c->dir, v);
	if (stat(abs, &st) < 0)
		why = errno == ENOENT ? _("no such file") : strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = _("it is a folder, not a file");
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	else if (access(abs, R_OK) < 0)
		why = errno == EACCES ? _("loa may not read it (permission denied)") : strerror(errno);
	if (why) {
		err_at(c, s, _("%s '%s' (%s): %s; give a path to an audio file, relative to %s's folder or absolute"),
		       what, v, abs, why, c->path);
		free(abs);
		return;
	}
	*out = abs;
}

static void load_slot(struct ctx *c, const config_setting_t *g, struct config *cfg, size_t idx)
{
	struct slot *s = &cfg->slots[idx];
	const config_setting_t *m;
	char label[128], what[192], where[192];
	const char *v;
	int r;

	s->line = config_setting_source_line(g);
	s->from_day = DAY_NONE_BEFORE;
	s->until_day = DAY_NONE_AFTER;

	/* The name labels every other message, so it comes first. */
	snprintf(label, sizeof(label), _("slot #%zu"), idx + 1);
	m = member(g, "name");
	if (!m) {
		err_at(c, g, _("%s: name is missing; add e.g. name = \"sang\"; to the slot"), label);
	} else if (get_string(c, g, "name", _("slot name"), _("a name in quotes, e.g. \"sang\""), &v) > 0) {
		if (!name_ok(v)) {
			err_at(c, m, _("slot name '%s' has spaces or control characters; use letters, digits, '-' "
				"or '_', e.g. \"sang\" or \"chieu-cn\""), v);
		} else {
			char q[CLIP_LEN(QUOTE_NAME_MAX)];

			snprintf(label, sizeof(label), _("slot '%s'"), clip(v, QUOTE_NAME_MAX, q));
			for (size_t k = 0; k < idx; k++) {
				if (cfg->slots[k].name && strcmp(cfg->slots[k].name, v) == 0) {
					err_at(c, m, _("slot name '%s' is used twice, at lines %d and %d; give each "
						"slot its own name"), v, cfg->slots[k].line, s->line);
					break;
				}
			}
			s->name = xstrdup(v);
		}
	}
	snprintf(where, sizeof(where), _("in %s"), label);
	check_keys(c, g, where, slot_keys);

	snprintf(what, sizeof(what), "%s: start", label);
	if (!member(g, "start")) {
		err_at(c, g, _("%s is missing; add e.g. start = \"05:30\"; to the slot"), what);
	} else if (get_hms(c, g, "start", what, &s->start_sec) > 0) {
		bool early = cfg->limit_earliest >= 0 && s->start_sec < cfg->limit_earliest;
		bool late = cfg->limit_latest >= 0 && s->start_sec > cfg->limit_latest;

		if (early || late) {
			char lo[16] = "00:00:00", hi[16] = "23:59:59";

			if (cfg->limit_earliest >= 0)
				snprintf(lo, sizeof(lo), "%02d:%02d:%02d", cfg->limit_earliest / 3600,
					 cfg->limit_earliest / 60 % 60, cfg->limit_earliest % 60);
			if (cfg->limit_latest >= 0)
				snprintf(hi, sizeof(hi), "%02d:%02d:%02d", cfg->limit_latest / 3600,
					 cfg->limit_latest / 60 % 60, cfg->limit_latest % 60);
			/* Two whole sentences: a spliced-in "before"/"after" cannot be translated. */
			err_at(c, member(g, "start"),
			       early ? _("%s '%s' is before the station's broadcast hours (limits: %s to %s); "
					 "move the slot or change the limits group")
				     : _("%s '%s' is after the station's broadcast hours (limits: %s to %s); "
					 "move the slot or change the limits group"),
			       what, config_setting_get_string(member(g, "start")), lo, hi);
		}
	}

	load_days(c, g, label, s);

	snprintf(what, sizeof(what), _("%s: max_minutes (the longest the slot may run)"), label);
	get_int(c, g, "max_minutes", what, 1, 1440, &s->max_minutes);

	snprintf(what, sizeof(what), "%s: from", label);
	r = get_day(c, g, "from", what, &s->from_day);
	snprintf(what, sizeof(what), "%s: until", label);
	if (get_day(c, g, "until", what, &s->until_day) > 0 && r > 0 && s->from_day > s->until_day)
		err_at(c, member(g, "until"), _("%s: from %s is after until %s; the slot would never air; "
			"swap them or fix the dates"), label, config_setting_get_string(member(g, "from")),
			config_setting_get_string(member(g, "until")));

	load_skips(c, g, label, s);
	load_jingle(c, g, label, "intro", &s->intro);
	load_jingle(c, g, label, "outro", &s->outro);

	snprintf(what, sizeof(what), "%s: topics", label);
	get_strings(c, g, "topics", what, "[\"1\", \"3\"]", false, &s->topics, &s->n_topics, NULL);
}

static void load_slots(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const char *expect = _("a list of slot groups in parentheses, e.g. slots = ( { name = \"sang\"; "
			       "start = \"05:30\"; days = [\"mon\"]; } );");
	const config_setting_t *list = member(root, "slots");
	int n;

	if (!list)
		return;
	/* `slots = [];` is how some write "none yet"; arrays cannot hold groups. */
	if (config_setting_type(list) == CONFIG_TYPE_ARRAY && config_setting_length(list) == 0)
		return;
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		bad_type(c, list, "slots", expect);
		return;
	}
	n = config_setting_length(list);
	cfg->slots = xcalloc((size_t)n, sizeof(*cfg->slots));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		char d[96];

		cfg->n_slots++;
		if (!config_setting_is_group(g)) {
			err_at(c, g, _("slots: item %d must be a slot group { name = ...; start = ...; days = [...]; }, "
				"not %s"), i + 1, describe(g, d, sizeof(d)));
			cfg->slots[i].line = config_setting_source_line(g);
			continue;
		}
		load_slot(c, g, cfg, (size_t)i);
	}
}

/* ---- the province link ---- */

#define UPSTREAM_EXAMPLE "upstream = { url = \"https://nguon.example.gov.vn/api\"; username = \"xa-thanh-thuy\"; " \
	"password_file = \"/etc/loa/upstream.secret\"; source_id = \"...\"; device_id = \"...\"; };"

/* True if S has a byte a URL or an HTTP request line must not carry:
 * spaces, control characters, or anything outside ASCII. */
static bool url_unsafe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return true;
	return false;
}

/* The url: https only (TLS is never optional), no user:password@ (it
 * would end up in logs), no spaces or control characters. */
static char *upstream_url(struct ctx *c, const config_setting_t *g)
{
	const config_setting_t *s = member(g, "url");
	const char *v, *host, *end;
	char *url;
	size_t n;

	if (!s) {
		err_at(c, g, _("upstream.url is missing; add the address the province gave, e.g. url = "
			"\"https://nguon.example.gov.vn/api\";"));
		return NULL;
	}
	if (get_string(c, g, "url", "upstream.url", _("an https:// address in quotes, e.g. "
		       "\"https://nguon.example.gov.vn/api\""), &v) <= 0)
		return NULL;
	if (strncmp(v, "https://", 8) != 0) {
		err_at(c, s, _("upstream.url '%s' does not start with https://; loa speaks to the province only "
			"over TLS: ask the province for its https address"), v);
		return NULL;
	}
	host = v + 8;
	end = host + strcspn(host, "/?#");
	if (url_unsafe(v) || end == host || memchr(host, '@', (size_t)(end - host))) {
		err_at(c, s, _("upstream.url '%s' is not an address loa can use: it needs a host after https://, "
			"and no spaces, control characters, non-ASCII letters or user:password@ (the password "
			"goes in password_file)"), v);
		return NULL;
	}
	/* {url}{paths.log}: a trailing slash would double the path's. */
	url = xstrdup(v);
	for (n = strlen(url); n > 8 && url[n - 1] == '/'; n--)
		url[n - 1] = '\0';
	return url;
}

/* An identity the province gave the station: any text, without control
 * characters (it goes into every record as it is). */
static void upstream_identity(struct ctx *c, const config_setting_t *g, const char *key, const char *field,
			      bool required, char **out)
{
	char what[64], expect[160];
	const char *v;
	int r;

	snprintf(what, sizeof(what), "upstream.%s", key);
	snprintf(expect, sizeof(expect), _("the %s the province gave the station, in quotes"), field);
	if (!member(g, key)) {
		if (required)
			err_at(c, g, _("%s is missing; add the %s the province gave the station, e.g. %s = \"...\";"),
			       what, field, key);
		else
			*out = xstrdup("");
		return;
	}
	r = get_string(c, g, key, what, expect, &v);
	if (r <= 0)
		return;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			err_at(c, member(g, key), _("%s has a control character; write the %s as plain text"), what,
			       field);
			return;
		}
	*out = xstrdup(v);
}

/* upstream.paths.KEY, or DFLT; a NULL DFLT is a request loa makes only
 * where the province has said it takes it (EXAMPLE shows the form). */
static void upstream_path(struct ctx *c, const config_setting_t *g, const char *key, const char *dflt,
			  const char *example, char **out)
{
	char what[64];
	const char *v;

	snprintf(what, sizeof(what), "upstream.paths.%s", key);
	*out = dflt ? xstrdup(dflt) : NULL;
	if (get_string(c, g, key, what, _("a path on the server in quotes, starting with /, e.g. \"/login\""),
		       &v) <= 0)
		return;
	if (v[0] != '/' || url_unsafe(v)) {
		err_at(c, member(g, key), _("%s '%s' must start with / and hold no spaces, control characters or "
			"non-ASCII letters, e.g. \"%s\""), what, v, example);
		return;
	}
	free(*out);
	*out = xstrdup(v);
}

static void load_upstream(struct ctx *c, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *g = get_group(c, root, "upstream", upstream_keys, UPSTREAM_EXAMPLE), *p, *s;
	struct upstream_config *u;
	const char *v;

	if (!g)
		return;
	u = xcalloc(1, sizeof(*u));
	u->ping_seconds = 60;
	u->timeout_seconds = 30;
	u->poll_seconds = 30;
	u->max_download_mb = 200;
	u->url = upstream_url(c, g);
	if (!member(g, "username"))
		err_at(c, g, _("upstream.username is missing; add the account the province gave, e.g. username = "
			"\"xa-thanh-thuy\";"));
	else if (get_string(c, g, "username", "upstream.username", _("the account name in quotes"), &v) > 0)
		u->username = xstrdup(v);
	s = member(g, "password_file");
	if (!s)
		err_at(c, g, _("upstream.password_file is missing; put the password in a file only loa can read "
			"and name it, e.g. password_file = \"/etc/loa/upstream.secret\";"));
	else if (get_string(c, g, "password_file", "upstream.password_file",
			    _("the path of the file holding the password, in quotes"), &v) > 0) {
		const char *file = config_setting_source_file(s);

		u->password_file = normalise(c->dir, v);
		u->file = xstrdup(file ? file : c->path);
		u->password_file_line = (int)config_setting_source_line(s);
	}
	upstream_identity(c, g, "source_id", "NguonID", true, &u->source_id);
	upstream_identity(c, g, "source_name", "TenNguon", false, &u->source_name);
	upstream_identity(c, g, "device_id", "CumLoaID", true, &u->device_id);
	upstream_identity(c, g, "device_name", "TenThietBi", false, &u->device_name);
	upstream_identity(c, g, "destination_id", "DichID", false, &u->destination_id);
	upstream_identity(c, g, "destination_name", "TenDich", false, &u->destination_name);
	upstream_identity(c, g, "provider_code", "MaNhaCungCap", false, &u->provider_code);
	upstream_identity(c, g, "provider_name", "TenNhaCungCap", false, &u->provider_name);
	get_int(c, g, "ping_seconds", _("upstream.ping_seconds (seconds between status pings)"), 10, 3600,
		&u->ping_seconds);
	get_int(c, g, "timeout_seconds", _("upstream.timeout_seconds (the longest one request may take)"), 1, 300,
		&u->timeout_seconds);
	get_int(c, g, "poll_seconds", _("upstream.poll_seconds (seconds between looks for the province's "
		"schedules)"), 5, 3600, &u->poll_seconds);
	get_int(c, g, "max_download_mb", _("upstream.max_download_mb (the largest audio file fetched from the "
		"province, in MB)"), 1, 4096, &u->max_download_mb);
	p = member(g, "paths");
	if (p && !config_setting_is_group(p)) {
		bad_type(c, p, "upstream.paths", _("a group in braces, e.g. paths = { login = \"/login\"; log = "
			 "\"/log\"; ping = \"/ping\"; };"));
		p = NULL;
	} else if (p) {
		check_keys(c, p, _("in group 'upstream.paths'"), upstream_paths_keys);
	}
	upstream_path(c, p, "login", "/login", "/login", &u->path_login);
	upstream_path(c, p, "log", "/log", "/log", &u->path_log);
	upstream_path(c, p, "ping", "/ping", "/ping", &u->path_ping);
	upstream_path(c, p, "schedule", "/schedule", "/schedule", &u->path_schedule);
	upstream_path(c, p, "schedule_ack", "/schedule/ack", "/schedule/ack", &u->path_schedule_ack);
	upstream_path(c, p, "schedule_cancel", "/schedule/cancel", "/schedule/cancel", &u->path_schedule_cancel);
	upstream_path(c, p, "schedule_reject", NULL, "/schedule/reject", &u->path_schedule_reject);
	if (get_string(c, g, "ca_file", "upstream.ca_file",
		       _("the path of the province's CA certificate (PEM) in quotes"), &v) > 0) {
		struct stat st;
		char *abs = normalise(c->dir, v);

		if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
			err_at(c, member(g, "ca_file"), _("upstream.ca_file '%s' (%s): %s; give the PEM file of the "
				"province's certificate authority, or leave ca_file out to trust the system's"), v, abs,
				stat(abs, &st) < 0 ? strerror(errno) : _("not a regular file"));
			free(abs);
		} else {
			u->ca_file = abs;
		}
	}
	cfg->upstream = u;
}

static void config_upstream_free(struct upstream_config *u)
{
	if (!u)
		return;
	free(u->url);
	free(u->username);
	free(u->password_file);
	free(u->source_id);
	free(u->source_name);
	free(u->device_id);
	free(u->device_name);
	free(u->destination_id);
	free(u->destination_name);
	free(u->provider_code);
	free(u->provider_name);
	free(u->path_login);
	free(u->path_log);
	free(u->path_ping);
	free(u->path_schedule);
	free(u->path_schedule_ack);
	free(u->path_schedule_cancel);
	free(u->path_schedule_reject);
	free(u->ca_file);
	free(u->file);
	free(u);
}

static struct upstream_config *upstream_dup(const struct upstream_config *s)
{
	struct upstream_config *u;

	if (!s)
		return NULL;
	u = xmalloc(sizeof(*u));
	*u = *s;
	u->url = xstrdup_or_null(s->url);
	u->username = xstrdup_or_null(s->username);
	u->password_file = xstrdup_or_null(s->password_file);
	u->source_id = xstrdup_or_null(s->source_id);
	u->source_name = xstrdup_or_null(s->source_name);
	u->device_id = xstrdup_or_null(s->device_id);
	u->device_name = xstrdup_or_null(s->device_name);
	u->destination_id = xstrdup_or_null(s->destination_id);
	u->destination_name = xstrdup_or_null(s->destination_name);
	u->provider_code = xstrdup_or_null(s->provider_code);
	u->provider_name = xstrdup_or_null(s->provider_name);
	u->path_login = xstrdup_or_null(s->path_login);
	u->path_log = xstrdup_or_null(s->path_log);
	u->path_ping = xstrdup_or_null(s->path_ping);
	u->path_schedule = xstrdup_or_null(s->path_schedule);
	u->path_schedule_ack = xstrdup_or_null(s->path_schedule_ack);
	u->path_schedule_cancel = xstrdup_or_null(s->path_schedule_cancel);
	u->path_schedule_reject = xstrdup_or_null(s->path_schedule_reject);
	u->ca_file = xstrdup_or_null(s->ca_file);
	u->file = xstrdup_or_null(s->file);
	return u;
}

uid_t config_upstream_uid(void)
{
	struct passwd *pw = getpwnam("loa");

	return pw ? pw->pw_uid : geteuid();
}

/* A name for UID in a message: the user's, or "uid N". */
static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

/*
 * The password is the station's voice to the province: a copy anyone on
 * the box can read lets them send in the station's name. So the file must
 * belong to the user the link runs as and be readable by no one else, as
 * ssh asks of a private key. Only stat() is needed: an operator running
 * `loa check` can tell without being able to read the file.
 */
int config_upstream_secret_check(const struct config *cfg, struct strlist *errs)
{
	const struct upstream_config *u = cfg->upstream;
	char owner[64], want[64];
	struct stat st;
	uid_t uid;

	if (!u || !u->password_file)
		return 0;
	if (stat(u->password_file, &st) < 0) {
		strlist_addf(errs, _("%s:%d: upstream.password_file %s: %s; put the password the province gave in "
			     "it (one line), then chown loa and chmod 600 it"), u->file, u->password_file_line,
			     u->password_file, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		strlist_addf(errs, _("%s:%d: upstream.password_file %s is not a regular file; name the file that "
			     "holds the password"), u->file, u->password_file_line, u->password_file);
		return -EINVAL;
	}
	uid = config_upstream_uid();
	if (st.st_uid != uid) {
		strlist_addf(errs, _("%s:%d: upstream.password_file %s belongs to %s, but the link runs as %s and "
			     "no one else may read it: chown %s %s"), u->file, u->password_file_line,
			     u->password_file, user_name(st.st_uid, owner, sizeof(owner)),
			     user_name(uid, want, sizeof(want)), want, u->password_file);
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		strlist_addf(errs, _("%s:%d: upstream.password_file %s can be read or changed by others (mode %04o): "
			     "chmod 600 %s"), u->file, u->password_file_line, u->password_file,
			     (unsigned)(st.st_mode & 07777), u->password_file);
		return -EINVAL;
	}
	if (!(st.st_mode & 0400)) {
		strlist_addf(errs, _("%s:%d: upstream.password_file %s cannot be read by its owner (mode %04o): "
			     "chmod 600 %s"), u->file, u->password_file_line, u->password_file,
			     (unsigned)(st.st_mode & 07777), u->password_file);
		return -EINVAL;
	}
	return 0;
}

/* "FILE:LINE: message" for a line libconfig has not parsed yet. */
static void err_line(struct ctx *c, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void err_line(struct ctx *c, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vfmt(fmt, ap);
	va_end(ap);
	strlist_addf(c->errs, "%s:%d: %s", file, line, msg);
	free(msg);
	c->nerr++;
}

/* The files whose @include lines were checked, so each is read once. */
struct seen {
	struct stat *v;
	size_t n, cap;
};

static bool seen_before(struct seen *seen, const struct stat *st)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i].st_dev == st->st_dev && seen->v[i].st_ino == st->st_ino)
			return true;
	xgrow(&seen->v, &seen->cap, seen->n + 1, sizeof(*seen->v));
	seen->v[seen->n++] = *st;
	return false;
}

/*
 * libconfig 1.5 reads an @include through a scanner that calls exit() when
 * a read fails, as reading a folder does: `@include "."` (or "", which
 * names the include folder itself) would end `loa check` with "input in
 * flex scanner failed" and take the daemon down on reload. So every
 * @include is looked at first, resolved as libconfig will resolve it (the
 * config's folder, "/", then the name, even an absolute one), and one that
 * names anything but a file is refused here, with its line. The rule for
 * what is an @include is libconfig's: a line that starts, after blanks,
 * with @include, blanks and a quoted name. A name with a backslash, a NUL
 * byte or a line break is refused outright: libconfig reads those
 * otherwise than they look. A missing file is left to libconfig to report.
 */
static void check_includes(struct ctx *c, const char *file, struct seen *seen)
{
	char *buf = NULL, *path;
	size_t cap = 0;
	ssize_t len;
	int line = 0;
	FILE *f = fopen(file, "r");
	struct stat st;

	if (!f)
		return;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		const char *p = buf, *name, *end;
		int n;

		line++;
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
			continue;
		p += 8;
		p += strspn(p, " \t");
		if (*p != '"')
			continue;
		name = p + 1;
		end = memchr(name, '"', (size_t)(buf + len - name));
		n = end ? (int)(end - name) : (int)(buf + len - name);
		if (!end || n == 0 || memchr(name, '\\', (size_t)n) || memchr(name, '\0', (size_t)n)) {
			int shown = end ? n : (int)strcspn(name, "\n");

			err_line(c, file, line, _("@include \"%.*s\": the name is empty or holds a backslash, a NUL "
				 "byte or a line break; name the file to include plainly, relative to %s"),
				 shown > 60 ? 60 : shown, name, c->dir);
			continue;
		}
		path = xasprintf("%s/%.*s", c->dir, n, name);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				err_line(c, file, line, _("@include \"%.*s\" (%s) is a folder; name a config file "
					 "in it"), n, name, path);
			else if (!S_ISREG(st.st_mode))
				err_line(c, file, line, _("@include \"%.*s\" (%s) is not a regular file (a device "
					 "or a pipe); name a config file"), n, name, path);
			else if (!seen_before(seen, &st))
				check_includes(c, path, seen);
		}
		free(path);
	}
	free(buf);
	fclose(f);
}

/* Opens the file ourselves: libconfig only says "file I/O error", and the
 * operator needs to know whether it is missing or forbidden. It is read
 * through the descriptor whose type was checked; O_NONBLOCK keeps a FIFO
 * given as --config from stalling loa until something writes to it. */
static int read_file(struct ctx *c, config_t *lc)
{
	struct stat st;
	FILE *f;
	int fd, fl, ok;

	fd = open(c->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err_file(c, _("cannot read the config file: %s%s"), strerror(errno),
			 errno == ENOENT ? _("; check the path, or create the file (see the README for an example)") :
			 errno == EACCES ? _("; the user running loa needs read permission on it") : "");
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_file(c, _("cannot read the config file: %s"), strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			err_file(c, _("this is a folder, not a config file; give the path of the file, e.g. %s"),
				 CONFIG_DEFAULT_PATH);
		else
			err_file(c, _("this is not a regular file (a pipe or a device?); give the path of the "
				 "config file, e.g. %s"), CONFIG_DEFAULT_PATH);
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (!f)
		abort(); /* only out of memory */
	if (c->dir) {
		struct seen seen = { 0 };
		int before = c->nerr;

		check_includes(c, c->path, &seen);
		free(seen.v);
		if (c->nerr > before) {
			fclose(f);
			return -1;
		}
		config_set_include_dir(lc, c->dir);
	}
	ok = config_read(lc, f);
	fclose(f);
	if (ok == CONFIG_TRUE)
		return 0;
	if (config_error_type(lc) == CONFIG_ERR_PARSE) {
		const char *text = config_error_text(lc) ? config_error_text(lc) : "syntax error";
		const char *hint = "";

		if (strcmp(text, "syntax error") == 0)
			hint = _("; check the quotes, braces, brackets and the ';' after each setting "
			       "on this line or the one before");
		else if (strcmp(text, "duplicate setting name") == 0)
			hint = _("; each key may appear only once in a group");
		else if (strcmp(text, "mismatched element type in array") == 0)
			hint = _("; every item of a [ ... ] list must be of the same kind, e.g. all in quotes");
		strlist_addf(c->errs, "%s:%d: %s%s", config_error_file(lc) ? config_error_file(lc) : c->path,
			     config_error_line(lc), text, hint);
		c->nerr++;
	} else {
		err_file(c, _("cannot read the config file: %s"),
			 config_error_text(lc) ? config_error_text(lc) : "I/O error");
	}
	return -1;
}

int config_load(const char *path, struct config **out, struct strlist *errs)
{
	struct ctx c = { .path = path, .errs = errs };
	const config_setting_t *root;
	struct config *cfg;
	config_t lc;

	c.dir = config_dir(path);
	if (!c.dir) {
		err_file(&c, _("cannot find the current folder to resolve relative paths (%s); give the config "
			 "file as an absolute path"), strerror(errno));
		return -EINVAL;
	}
	config_init(&lc);
	if (read_file(&c, &lc) < 0) {
		config_destroy(&lc);
		free(c.dir);
		return -EINVAL;
	}

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(path);
	cfg->audio_device = xstrdup("default");
	cfg->gap_ms = 1000;
	cfg->target_lufs = -16.0;
	cfg->gain_db = 0.0;
	cfg->true_peak_dbtp = -1.0;
	cfg->warmup_ms = 0;
	cfg->require_sync = true;
	cfg->grace_minutes = 10;
	cfg->limit_earliest = -1;
	cfg->limit_latest = -1;
	cfg->relay_silence_s = 10;
	cfg->web.host = xstrdup("0.0.0.0");
	cfg->web.port = 8080;
	cfg->web.max_upload_mb = 500;
	cfg->web.session_hours = 12;

	root = config_root_setting(&lc);
	load_station(&c, root, cfg);
	load_paths(&c, root, cfg);
	load_audio(&c, root, cfg);
	load_clock(&c, root, cfg);
	/* Before the slots, which are checked against them. */
	load_limits(&c, root, cfg);
	load_relay(&c, root, cfg);
	load_slots(&c, root, cfg);
	load_web(&c, root, cfg);
	load_upstream(&c, root, cfg);
	check_keys(&c, root, _("at the top level"), top_keys);

	config_destroy(&lc);
	free(c.dir);
	if (c.nerr) {
		config_free(cfg);
		return -EINVAL;
	}
	*out = cfg;
	return 0;
}

void slot_done(struct slot *s)
{
	free(s->name);
	free(s->skip_days);
	free(s->intro);
	free(s->outro);
	free(s->relay);
	strv_free(s->topics);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_slots; i++)
		slot_done(&cfg->slots[i]);
	free(cfg->slots);
	free(cfg->path);
	free(cfg->station_name);
	free(cfg->timezone);
	free(cfg->state_dir);
	free(cfg->socket_path);
	free(cfg->audio_device);
	strv_free(cfg->power_on);
	strv_free(cfg->power_off);
	free(cfg->web.host);
	free(cfg->web.tls_cert);
	free(cfg->web.tls_key);
	config_upstream_free(cfg->upstream);
	free(cfg);
}

static char **strv_dup(char *const *v)
{
	size_t n = 0;
	char **out;

	if (!v)
		return NULL;
	while (v[n])
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

void slot_copy(struct slot *dst, const struct slot *src)
{
	*dst = *src;
	dst->name = xstrdup_or_null(src->name);
	dst->intro = xstrdup_or_null(src->intro);
	dst->outro = xstrdup_or_null(src->outro);
	dst->relay = xstrdup_or_null(src->relay);
	dst->skip_days = NULL;
	if (src->n_skip) {
		dst->skip_days = xcalloc(src->n_skip, sizeof(*dst->skip_days));
		memcpy(dst->skip_days, src->skip_days, src->n_skip * sizeof(*dst->skip_days));
	}
	dst->topics = NULL;
	if (src->n_topics) {
		dst->topics = xcalloc(src->n_topics + 1, sizeof(*dst->topics));
		for (size_t i = 0; i < src->n_topics; i++)
			dst->topics[i] = xstrdup(src->topics[i]);
	}
}

struct config *config_dup(const struct config *cfg)
{
	struct config *c = xmalloc(sizeof(*c));

	*c = *cfg;
	c->path = xstrdup_or_null(cfg->path);
	c->station_name = xstrdup_or_null(cfg->station_name);
	c->timezone = xstrdup_or_null(cfg->timezone);
	c->state_dir = xstrdup_or_null(cfg->state_dir);
	c->socket_path = xstrdup_or_null(cfg->socket_path);
	c->audio_device = xstrdup_or_null(cfg->audio_device);
	c->power_on = strv_dup(cfg->power_on);
	c->power_off = strv_dup(cfg->power_off);
	c->web.host = xstrdup_or_null(cfg->web.host);
	c->web.tls_cert = xstrdup_or_null(cfg->web.tls_cert);
	c->web.tls_key = xstrdup_or_null(cfg->web.tls_key);
	c->upstream = upstream_dup(cfg->upstream);
	c->slots = cfg->n_slots ? xcalloc(cfg->n_slots, sizeof(*c->slots)) : NULL;
	for (size_t i = 0; i < cfg->n_slots; i++)
		slot_copy(&c->slots[i], &cfg->slots[i]);
	return c;
}

const struct slot *config_slot(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_slots; i++)
		if (cfg->slots[i].name && strcmp(cfg->slots[i].name, name) == 0)
			return &cfg->slots[i];
	return NULL;
}

bool slot_skips(const struct slot *s, int32_t day)
{
	return s->n_skip && bsearch(&day, s->skip_days, s->n_skip, sizeof(*s->skip_days), cmp_day);
}
