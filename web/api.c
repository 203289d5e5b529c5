/* See api.h. The objects carry the field names of the command line's
 * --json output (`loa list`, `loa log`, `loa next`, `loa slot list`,
 * `loa audit`, `loa status`), so a script written against one reads the
 * other. */
#include "web/api.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/slots.h"
#include "content/store.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "report/render.h"
#include "scheduler/plan.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "web/act.h"
#include "web/libmhd.h"
#include "web/listing.h"
#include "web/progress.h"
#include "web/upload.h"

/* A JSON body being written. */
struct out {
	struct web_buf b;
	struct json j;
};

static void out_open(struct out *o)
{
	web_buf_open(&o->b);
	json_init(&o->j, o->b.f);
}

static void out_send(struct web_req *r, struct out *o, unsigned status)
{
	fputc('\n', o->b.f);
	web_buf_close(&o->b);
	web_send(r, status, "application/json", o->b.p, o->b.n);
}

static void fail(struct web_req *r, const struct act_result *res)
{
	web_error(r, res->status, res->code ? res->code : "error", "%s", res->msg);
}

/* {"message": ...} or {"id": ..., "message": ...} after an action. */
static void done(struct web_req *r, unsigned status, int64_t id, const char *msg)
{
	struct out o;

	out_open(&o);
	json_object_begin(&o.j);
	if (id)
		json_kv_int(&o.j, "id", id);
	if (msg && *msg)
		json_kv_string(&o.j, "message", msg);
	json_object_end(&o.j);
	out_send(r, &o, status);
}

static void session_json(struct web_req *r)
{
	struct out o;

	out_open(&o);
	json_object_begin(&o.j);
	json_kv_string(&o.j, "user", r->sess.account.name);
	json_kv_string(&o.j, "role", auth_role_name(r->sess.account.role));
	json_kv_string(&o.j, "csrf", r->sess.csrf);
	json_kv_time(&o.j, "expires_at", r->sess.expires_at);
	json_object_end(&o.j);
	out_send(r, &o, 200);
}

void api_login(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_login(r, web_param(r, "username"), web_param(r, "password"), &res) < 0) {
		if (!strcmp(res.code, "wait")) {
			/* Refused before the password was looked at: when to come back. */
			struct MHD_Response *resp;
			const char *secs = strpbrk(res.msg, "0123456789");
			char retry[16];
			struct out o;

			out_open(&o);
			json_object_begin(&o.j);
			json_kv_string(&o.j, "error", res.code);
			json_kv_string(&o.j, "message", res.msg);
			json_object_end(&o.j);
			web_buf_close(&o.b);
			snprintf(retry, sizeof(retry), "%d", secs ? atoi(secs) : 1);
			resp = LIBMHD(MHD_create_response_from_buffer)(o.b.n, o.b.p, MHD_RESPMEM_MUST_FREE);
			LIBMHD(MHD_add_response_header)(resp, "Content-Type", "application/json");
			LIBMHD(MHD_add_response_header)(resp, "Retry-After", retry);
			web_queue(r, res.status, resp);
			return;
		}
		fail(r, &res);
		return;
	}
	session_json(r);
}

void api_logout(struct web_req *r)
{
	act_logout(r);
	done(r, 200, 0, NULL);
}

void api_session(struct web_req *r)
{
	session_json(r);
}

void api_status(struct web_req *r)
{
	struct act_result res = { 0 };
	char *body;

	if (act_daemon(r, "status", &body, &res) < 0) {
		fail(r, &res);
		return;
	}
	/* The daemon's own JSON, as `loa status --json` prints it. */
	web_send(r, 200, "application/json", body, strlen(body));
}


/* How far the upload the page keyed KEY has come after its last byte:
 * {"stage": "analysing"|"storing", "done": 0..1, "ended": bool}. */
void api_upload_progress(struct web_req *r)
{
	const char *key = web_query(r, "key");
	enum progress_stage stage;
	double d;
	bool ended;
	struct out o;

	if (!web_progress_key_ok(key) || !web_progress_get(key, r->sess.account.name, &stage, &d, &ended)) {
		web_error(r, 404, "not-found", "%s", T(r, W_E_NOT_FOUND));
		return;
	}
	out_open(&o);
	json_object_begin(&o.j);
	json_kv_string(&o.j, "stage", stage == PROGRESS_ANALYSING ? "analysing" : "storing");
	json_kv_double(&o.j, "done", d, 3);
	json_kv_bool(&o.j, "ended", ended);
	json_object_end(&o.j);
	out_send(r, &o, 200);
}

void api_bulletins(struct web_req *r)
{
	struct listing_filter f;
	struct bulletin *v = NULL;
	size_t n = 0;
	struct out o;

	listing_library_filter(r, &f);
	if (listing_library(r, &f, &v, &n) < 0) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	for (size_t i = 0; i < n; i++)
		bulletin_json(&o.j, &v[i]);
	json_array_end(&o.j);
	bulletins_free(v, n);
	out_send(r, &o, 200);
}

void api_bulletin_add(struct web_req *r)
{
	struct act_result res = { 0 };
	int64_t id;

	if (r->upload->n != 1) {
		web_error(r, 422, "invalid", "%s", T(r, r->upload->n ? W_E_ONE_FILE : W_E_NO_FILE));
		return;
	}
	if (act_upload(r, 0, &id, &res) < 0) {
		fail(r, &res);
		return;
	}
	done(r, 201, id, NULL);
}

void api_bulletin_edit(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_edit(r, r->id, &res) < 0)
		fail(r, &res);
	else
		done(r, 200, r->id, NULL);
}

void api_bulletin_retire(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_retire(r, r->id, &res) < 0)
		fail(r, &res);
	else
		done(r, 200, r->id, NULL);
}

static const char *audio_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".mp3", "audio/mpeg" }, { ".wav", "audio/wav" }, { ".flac", "audio/flac" },
		{ ".ogg", "audio/ogg" }, { ".oga", "audio/ogg" }, { ".opus", "audio/ogg" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" of a file of SIZE bytes into
 * [*FROM, *TO]. 1 for a range, 0 for none (or one not understood, which
 * HTTP says to ignore), -1 when it lies outside the file (416). */
static int parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	char *end;
	unsigned long long a, b;

	if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	h += 6;
	if (*h == '-') {
		b = strtoull(h + 1, &end, 10);
		if (end == h + 1 || *end)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	a = strtoull(h, &end, 10);
	if (end == h || *end != '-')
		return 0;
	h = end + 1;
	if (!*h) {
		b = size ? size - 1 : 0;
	} else {
		b = strtoull(h, &end, 10);
		if (*end || b < a)
			return 0;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b;
	return 1;
}

void api_bulletin_audio(struct web_req *r)
{
	struct db *db = web_rdb(r);
	struct bulletin b = { 0 };
	struct MHD_Response *resp;
	struct stat st;
	uint64_t from = 0, to = 0;
	char *path, range[96];
	int fd, k;

	if (!db || library_get(db, r->id, &b) < 0) {
		web_error(r, 404, "not-found", "%s", T(r, W_E_NOT_FOUND));
		bulletin_done(&b);
		return;
	}
	/* The store's file of that content, whatever path the row holds. */
	path = store_path_of(r->conf->state_dir, b.sha256, b.path);
	bulletin_done(&b);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("web: bulletin #%lld: cannot open %s: %s", (long long)r->id, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		web_error(r, 404, "not-found", "%s", T(r, W_E_AUDIO_GONE));
		return;
	}
	k = parse_range(LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE),
			(uint64_t)st.st_size, &from, &to);
	if (k < 0) {
		close(fd);
		free(path);
		snprintf(range, sizeof(range), "bytes */%lld", (long long)st.st_size);
		resp = LIBMHD(MHD_create_response_from_buffer)(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		LIBMHD(MHD_add_response_header)(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range);
		web_queue(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
		return;
	}
	if (k == 0) {
		from = 0;
		to = st.st_size ? (uint64_t)st.st_size - 1 : 0;
	}
	resp = LIBMHD(MHD_create_response_from_fd_at_offset64)(st.st_size ? to - from + 1 : 0, fd, from);
	LIBMHD(MHD_add_response_header)(resp, "Content-Type", audio_type(path));
	LIBMHD(MHD_add_response_header)(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	LIBMHD(MHD_add_response_header)(resp, "Cache-Control", "private, max-age=3600");
	if (k > 0) {
		snprintf(range, sizeof(range), "bytes %" PRIu64 "-%" PRIu64 "/%lld", from, to, (long long)st.st_size);
		LIBMHD(MHD_add_response_header)(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range);
	}
	free(path);
	web_queue(r, k > 0 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, resp);
}

void api_slots(struct web_req *r)
{
	const struct config *cfg = web_station(r);
	struct out o;

	if (!cfg) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	for (size_t i = 0; i < cfg->n_slots; i++)
		slots_json(&o.j, &cfg->slots[i]);
	json_array_end(&o.j);
	out_send(r, &o, 200);
}

/* The answer to a change of a named thing (a slot, an account): {name}. */
static void name_done(struct web_req *r, unsigned status, const char *name)
{
	struct out o;

	out_open(&o);
	json_object_begin(&o.j);
	json_kv_string(&o.j, "name", name);
	json_object_end(&o.j);
	out_send(r, &o, status);
}

void api_slot_add(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_slot_add(r, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 201, web_param(r, "name"));
}

void api_slot_edit(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_slot_edit(r, r->arg, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 200, r->arg);
}

void api_slot_remove(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_slot_remove(r, r->arg, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 200, r->arg);
}

void api_next(struct web_req *r)
{
	struct act_result res = { 0 };
	struct listing_plan lp;
	const struct plan_item *it;
	const struct province_item *pi;
	size_t i = 0, k = 0;
	struct out o;
	bool all = web_query(r, "all") && strcmp(web_query(r, "all"), "0") != 0;

	if (listing_plan(r, &lp, &res) < 0) {
		fail(r, &res);
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	while (plan_walk(&lp.plan, lp.prov, lp.n_prov, &i, &k, &it, &pi)) {
		if (pi) {
			province_item_json(&o.j, pi);
			continue;
		}
		if (it->part != PART_ITEM || (it->skipped && !all))
			continue;
		json_object_begin(&o.j);
		json_kv_time(&o.j, "occurrence_at", it->occurrence_at);
		json_kv_time(&o.j, "at", it->at);
		json_kv_string(&o.j, "slot", it->slot->name);
		json_kv_int(&o.j, "bulletin_id", it->bulletin->id);
		json_kv_string(&o.j, "title", it->bulletin->title);
		json_kv_string(&o.j, "topic", it->bulletin->topic);
		json_kv_string(&o.j, "priority", priority_name(it->bulletin->priority));
		json_kv_int(&o.j, "expected_ms", it->expected_ms);
		if (it->skipped) {
			json_kv_bool(&o.j, "skipped", true);
			json_kv_string(&o.j, "reason", it->reason);
		}
		json_object_end(&o.j);
	}
	json_array_end(&o.j);
	listing_plan_done(&lp);
	out_send(r, &o, 200);
}

void api_log(struct web_req *r)
{
	struct act_result res = { 0 };
	struct ledger_row *v = NULL;
	size_t n = 0;
	int32_t from, to;
	struct out o;

	if (act_period(r, false, &from, &to, &res) < 0 || listing_ledger(r, from, to, &v, &n, &res) < 0) {
		fail(r, &res);
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	for (size_t i = 0; i < n; i++)
		ledger_row_json(&o.j, &v[i]);
	json_array_end(&o.j);
	ledger_rows_free(v, n);
	out_send(r, &o, 200);
}

void api_audit(struct web_req *r)
{
	struct act_result res = { 0 };
	struct audit_entry *v = NULL;
	size_t n = 0;
	int32_t from, to;
	struct out o;

	if (act_period(r, false, &from, &to, &res) < 0 || listing_audit(r, from, to, &v, &n, &res) < 0) {
		fail(r, &res);
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	for (size_t i = 0; i < n; i++)
		audit_entry_json(&o.j, &v[i]);
	json_array_end(&o.j);
	audit_entries_free(v, n);
	out_send(r, &o, 200);
}

/* The bytes `loa report` writes, through the same report_load and
 * report_render. */
void api_report(struct web_req *r)
{
	static const char *const types[] = {
		[REPORT_FORMAT_CSV] = "text/csv; charset=utf-8",
		[REPORT_FORMAT_JSON] = "application/json",
		[REPORT_FORMAT_HTML] = "text/html; charset=utf-8",
	};
	static const char *const exts[] = { "csv", "json", "html" };
	struct act_result res = { 0 };
	enum report_by by = REPORT_BY_TOPIC;
	enum report_format fmt = REPORT_FORMAT_CSV;
	enum topic_lang lang = r->lang == WEB_EN ? TOPIC_LANG_EN : TOPIC_LANG_VI;
	const char *q, *dl = web_query(r, "download");
	struct report_data data;
	struct report_doc doc;
	struct MHD_Response *resp;
	struct web_buf b;
	char from[16], to[16], disp[128];
	int32_t df, dt;

	if (act_period(r, true, &df, &dt, &res) < 0) {
		fail(r, &res);
		return;
	}
	if ((q = web_query(r, "by")) && *q && report_by_parse(q, &by) < 0) {
		web_error(r, 400, "invalid", "%s", T(r, W_E_REPORT_BY));
		return;
	}
	if ((q = web_query(r, "format")) && *q && report_format_parse(q, &fmt) < 0) {
		web_error(r, 400, "invalid", "%s", T(r, W_E_REPORT_FORMAT));
		return;
	}
	if ((q = web_query(r, "lang")) && *q && topic_lang_parse(q, &lang) < 0) {
		web_error(r, 400, "invalid", "%s", T(r, W_E_REPORT_LANG));
		return;
	}
	/* A station without a database yet has an empty report, as for `loa report`. */
	if (report_load(web_rdb(r), df, dt, by, lang, &data) < 0) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	if (data.warning[0])
		log_warn("web: report: %s", data.warning);
	doc = (struct report_doc){
		.station = r->conf->station_name, .from = df, .to = dt, .generated_at = time_now_ms(),
		.head = data.head, .head_row = data.head_row, .intact = data.intact, .lang = lang,
		.rep = &data.rep, .series = &data.series,
	};
	web_buf_open(&b);
	report_render(b.f, fmt, &doc);
	web_buf_close(&b);
	report_data_done(&data);
	resp = LIBMHD(MHD_create_response_from_buffer)(b.n, b.p, MHD_RESPMEM_MUST_FREE);
	LIBMHD(MHD_add_response_header)(resp, "Content-Type", types[fmt]);
	if (fmt != REPORT_FORMAT_HTML || (dl && strcmp(dl, "0") != 0)) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"bao-cao-%s-%s.%s\"", time_format_day(df, from),
			 time_format_day(dt, to), exts[fmt]);
		LIBMHD(MHD_add_response_header)(resp, "Content-Disposition", disp);
	}
	/* The printable report carries its own style sheet and inline styles
	 * and no script at all: it gets a policy of its own that allows those
	 * styles and nothing else. */
	if (fmt == REPORT_FORMAT_HTML)
		r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
			 "form-action 'none'; base-uri 'none'";
	web_queue(r, 200, resp);
}

void api_play(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_play(r, &res) < 0)
		fail(r, &res);
	else
		done(r, 200, 0, res.msg);
}

void api_alert(struct web_req *r)
{
	struct act_result res = { 0 };
	char buf[16];
	const char *cancel;
	int k = act_field(r, "cancel", buf, sizeof(buf), &cancel);

	if ((k == 2 && strcmp(cancel, "false") != 0 ? act_alert_cancel(r, &res) : act_alert(r, &res)) < 0)
		fail(r, &res);
	else
		done(r, 200, 0, res.msg);
}

void api_stop(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_stop(r, &res) < 0)
		fail(r, &res);
	else
		done(r, 200, 0, res.msg);
}

void api_accounts(struct web_req *r)
{
	struct auth_account *v = NULL;
	struct db *db = web_rdb(r);
	size_t n = 0;
	struct out o;

	if (!db || auth_account_list(db, &v, &n) < 0) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	out_open(&o);
	json_array_begin(&o.j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(&o.j);
		json_kv_string(&o.j, "name", v[i].name);
		json_kv_string(&o.j, "role", auth_role_name(v[i].role));
		json_kv_time(&o.j, "created_at", v[i].created_at);
		json_kv_time(&o.j, "last_login_at", v[i].last_login_at);
		json_object_end(&o.j);
	}
	json_array_end(&o.j);
	free(v);
	out_send(r, &o, 200);
}

void api_account_add(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_account_add(r, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 201, web_param(r, "name"));
}

void api_account_passwd(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_account_passwd(r, r->arg, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 200, r->arg);
}

void api_account_remove(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_account_remove(r, r->arg, &res) < 0)
		fail(r, &res);
	else
		name_done(r, 200, r->arg);
}
