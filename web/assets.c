/* See assets.h. The script is small and plain, and every page works
 * without it: it only adds the live status (a poll at most every 2 s),
 * upload progress per file, drag and drop, and a confirm() before a
 * form marked data-confirm. The policy forbids inline script, so its
 * words come from data- attributes of the page. */
#include "web/assets.h"

#include <pthread.h>
#include <string.h>

#include "util/sha256.h"
#include "web/libmhd.h"

static const char css[] =
	":root{--fg:#1b1b1b;--muted:#666;--bg:#fafafa;--card:#fff;--line:#ddd;--accent:#0b5cad;--danger:#b3261e;"
	"--ok:#1e7b34;--warn:#8a5a00}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;"
	"color:var(--fg);background:var(--bg)}\n"
	"header{background:var(--accent);color:#fff}\n"
	".bar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:.5rem .75rem}\n"
	".bar .station{font-weight:600;flex:1 1 auto}\n"
	".bar a,.bar .who{color:#fff}\n"
	".bar button{background:transparent;color:#fff;border:1px solid #fff;padding:.2rem .6rem}\n"
	"nav{display:flex;flex-wrap:wrap;gap:.25rem;padding:0 .5rem .5rem}\n"
	"nav a{color:#fff;text-decoration:none;padding:.35rem .6rem;border-radius:.3rem}\n"
	"nav a[aria-current]{background:rgba(255,255,255,.25)}\n"
	"main{padding:.75rem;max-width:80rem;margin:0 auto}\n"
	"h1{font-size:1.4rem;margin:.25rem 0 .75rem}h2{font-size:1.15rem;margin:.25rem 0 .5rem}"
	"h3{font-size:1rem}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:.4rem;padding:.75rem;"
	"margin:.75rem 0 1rem}\n"
	".muted{color:var(--muted);font-size:.9em}\n"
	".warn{color:var(--warn);font-weight:600}\n"
	"p.warn,#cleartext-warning{background:#fff4d6;border:1px solid #e8c76a;padding:.5rem .75rem;margin:.5rem;"
	"border-radius:.3rem}\n"
	".flash{padding:.5rem .75rem;border-radius:.3rem}.flash.ok{background:#e4f4e8;color:var(--ok)}"
	".flash.error{background:#fbe4e2;color:var(--danger)}\n"
	".warnings{color:var(--warn);padding-left:1.2rem}\n"
	".note{background:#eef4fb;border:1px solid #c5d9ef;padding:.5rem .75rem;border-radius:.3rem}\n"
	"pre{white-space:pre-wrap;word-break:break-all}\n"
	".hash{font-family:monospace;word-break:break-all;font-size:.85em}\n"
	"form.stack{display:flex;flex-direction:column;gap:.35rem;max-width:36rem}\n"
	"form.filters{display:flex;flex-wrap:wrap;gap:.35rem .75rem;align-items:end;margin:0 0 .75rem}\n"
	"form.filters .field{display:flex;flex-direction:column;flex:1 1 9rem;min-width:0}\n"
	"form.filters label{font-size:.85em;color:var(--muted)}\n"
	"form.filters .field input,form.filters .field select,form.stack select{width:100%}\n"
	"form.inline{display:inline}\n"
	"input,select,button,.button{font:inherit;padding:.4rem .5rem;border:1px solid #aaa;border-radius:.3rem;"
	"max-width:100%}\n"
	"button,.button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer;"
	"text-decoration:none;display:inline-block}\n"
	"button.danger,.button.danger{background:var(--danger);border-color:var(--danger)}\n"
	".actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}\n"
	"fieldset{border:1px solid var(--line);border-radius:.3rem}\n"
	"label.check{display:inline-block;margin-right:.75rem}\n"
	".scroll{overflow-x:auto}\n"
	"table{border-collapse:collapse;width:100%;background:var(--card)}\n"
	"th,td{border-bottom:1px solid var(--line);padding:.35rem .4rem;text-align:left;vertical-align:top}\n"
	"tr.day th{background:#eef2f6}\n"
	"tr.retired,tr.skipped{color:var(--muted)}\n"
	"tr.o-missed td,tr.o-failed td{color:var(--danger)}tr.planned td{color:var(--muted)}\n"
	".tag{font-size:.8em;border:1px solid var(--line);border-radius:.2rem;padding:0 .3rem}\n"
	"audio{max-width:14rem;height:2rem;vertical-align:middle}\n"
	".drop{border:2px dashed #aaa;border-radius:.4rem;padding:.75rem}.drop label{display:block;margin-bottom:.25rem}.drop.over{border-color:var(--accent);"
	"background:#eef4fb}\n"
	".uploads{list-style:none;padding:0;max-width:36rem}.uploads li{margin:.35rem 0}.uploads progress{width:100%}\n"
	".uploads .ok{color:var(--ok)}.uploads .error{color:var(--danger)}\n"
	".presets{padding-left:1.2rem}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem}dl.facts dd{margin:0}\n"
	"[hidden]{display:none!important}\n"
	"@media(max-width:40rem){main{padding:.5rem}td,th{font-size:.9em}audio{max-width:10rem}.wide{display:none}"
	".bar{gap:.25rem .5rem}.bar .who,.bar button{font-size:.9em}"
	"nav{display:grid;grid-template-columns:repeat(3,1fr);gap:.25rem}"
	"nav a{text-align:center;padding:.3rem .25rem;font-size:.9em;line-height:1.25;background:rgba(255,255,255,.08);"
	"display:flex;align-items:center;justify-content:center}}\n";

static const char js[] =
	"'use strict';\n"
	"(function () {\n"
	"  var body = document.body;\n"
	"  var csrf = body ? body.getAttribute('data-csrf') : null;\n"
	"  function $(id) { return document.getElementById(id); }\n"
	"  function set(id, text) { var e = $(id); if (e) e.textContent = text; }\n"
	"  function mmss(ms) { ms = Math.max(0, ms | 0); var s = Math.floor(ms / 1000);\n"
	"    return Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }\n"
	"  function clock(iso) { return iso && iso.length >= 19 ? iso.substr(11, 8) : ''; }\n"
	"\n"
	"  /* Forms marked data-confirm ask first; without script they simply post. */\n"
	"  document.addEventListener('submit', function (ev) {\n"
	"    var q = ev.target.getAttribute && ev.target.getAttribute('data-confirm');\n"
	"    if (q && !window.confirm(q)) ev.preventDefault();\n"
	"  }, true);\n"
	"\n"
	"  /* The status page, live: at most one request every 2 s, none while hidden. */\n"
	"  var live = $('status-live'), words = $('status-words');\n"
	"  if (live && words && window.fetch) {\n"
	"    var w = function (k) { return words.getAttribute('data-' + k) || ''; };\n"
	"    var show = function (st) {\n"
	"      var np = st.now_playing, next = st.next, ul = $('status-warnings'), li;\n"
	"      var down = $('daemon-down'); if (down) down.hidden = true;\n"
	"      set('onair-title', np ? np.title : w('nothing'));\n"
	"      var times = $('onair-times'); if (times) times.hidden = !np;\n"
	"      set('onair-slot', np && np.slot ? np.slot : '');\n"
	"      set('onair-elapsed', np ? mmss(np.position_ms) : '');\n"
	"      set('onair-remaining', np ? mmss(np.duration_ms - np.position_ms) : '');\n"
	"      set('next-slot', next ? next.slot : w('nonext'));\n"
	"      set('next-at', next ? clock(next.at) : '');\n"
	"      set('next-day', next && next.at ? next.at.substr(0, 10) : '');\n"
	"      set('status-state', st.state || '');\n"
	"      if (!ul) return;\n"
	"      while (ul.firstChild) ul.removeChild(ul.firstChild);\n"
	"      var add = function (id, text) { li = document.createElement('li'); li.id = id;\n"
	"        li.textContent = text; ul.appendChild(li); };\n"
	"      if (st.clock_trusted === false) add('warn-clock', w('clock'));\n"
	"      if (st.device_ok === false) add('warn-device', w('device') + ' (' + st.device + ')');\n"
	"      if (st.ledger_pending > 0) add('warn-ledger', w('ledger') + ': ' + st.ledger_pending +\n"
	"        (st.ledger_error ? ' \\u2014 ' + st.ledger_error : ''));\n"
	"      if (st.last_error) add('warn-error', w('error') + ': ' + st.last_error);\n"
	"    };\n"
	"    var poll = function () {\n"
	"      if (document.hidden) { setTimeout(poll, 2000); return; }\n"
	"      fetch('/api/v1/status', { credentials: 'same-origin', cache: 'no-store' }).then(function (resp) {\n"
	"        if (resp.status === 401) { window.location.reload(); return null; }\n"
	"        return resp.json().then(function (j) { return { ok: resp.ok, j: j }; });\n"
	"      }).then(function (x) {\n"
	"        if (!x) return;\n"
	"        if (x.ok) show(x.j);\n"
	"        else { var d = $('daemon-down'); if (d) { d.textContent = x.j && x.j.message || w('down');\n"
	"          d.hidden = false; } ['onair-title', 'onair-slot', 'onair-elapsed', 'onair-remaining', 'next-slot',\n"
	"          'next-at', 'next-day', 'status-state'].forEach(function (id) { set(id, ''); }); }\n"
	"      }).catch(function () {}).then(function () { setTimeout(poll, 2000); });\n"
	"    };\n"
	"    setTimeout(poll, 2000);\n"
	"  }\n"
	"\n"
	"  /* Uploads: each file its own request to the API, with its own progress bar;\n"
	"   * a refusal is shown in the import core's words. */\n"
	"  var form = $('upload-form'), input = $('upload-input'), list = $('upload-list'), zone = $('drop-zone');\n"
	"  if (form && input && list && window.FormData && window.XMLHttpRequest) {\n"
	"    if (zone) {\n"
	"      zone.addEventListener('dragover', function (ev) { ev.preventDefault(); zone.classList.add('over'); });\n"
	"      zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });\n"
	"      zone.addEventListener('drop', function (ev) {\n"
	"        ev.preventDefault(); zone.classList.remove('over');\n"
	"        if (ev.dataTransfer && ev.dataTransfer.files.length) input.files = ev.dataTransfer.files;\n"
	"      });\n"
	"    }\n"
	"    var sendOne = function (file, fields, done) {\n"
	"      var li = document.createElement('li'), name = document.createElement('div');\n"
	"      var bar = document.createElement('progress'), out = document.createElement('div');\n"
	"      name.textContent = file.name; bar.max = 100; bar.value = 0;\n"
	"      li.appendChild(name); li.appendChild(bar); li.appendChild(out); list.appendChild(li);\n"
	"      var fd = new FormData(), key = '', rnd = new Uint8Array(16), timer = null;\n"
	"      /* The upload's key: the server reports the analysis under it, and\n"
	"       * the bar's second half follows that (the first is the upload). */\n"
	"      if (window.crypto && window.crypto.getRandomValues) {\n"
	"        window.crypto.getRandomValues(rnd);\n"
	"        Array.prototype.forEach.call(rnd, function (b) { key += (b < 16 ? '0' : '') + b.toString(16); });\n"
	"      }\n"
	"      fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });\n"
	"      if (key) fd.append('progress', key);\n"
	"      fd.append('file', file, file.name);\n"
	"      var x = new XMLHttpRequest();\n"
	"      x.open('POST', '/api/v1/bulletins');\n"
	"      if (csrf) x.setRequestHeader('X-CSRF-Token', csrf);\n"
	"      x.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.value = 50 * ev.loaded / ev.total; };\n"
	"      var ask = function () {\n"
	"        fetch('/api/v1/uploads/progress?key=' + key, { credentials: 'same-origin' }).then(function (res) {\n"
	"          return res.ok ? res.json() : null;\n"
	"        }).then(function (p) {\n"
	"          if (p && timer) bar.value = 50 + 50 * (p.stage === 'analysing' ? 0.95 * p.done : 0.95 + 0.05 * p.done);\n"
	"        }).catch(function () {}).then(function () { if (timer) timer = setTimeout(ask, 500); });\n"
	"      };\n"
	"      x.upload.onload = function () { bar.value = 50; if (key && window.fetch) timer = setTimeout(ask, 300); };\n"
	"      x.onload = function () {\n"
	"        if (timer) clearTimeout(timer);\n"
	"        timer = null;\n"
	"        var j = null; try { j = JSON.parse(x.responseText); } catch (e) {}\n"
	"        if (x.status === 201 && j) {\n"
	"          bar.value = 100; var a = document.createElement('a'); a.className = 'ok';\n"
	"          a.href = '/library/' + j.id; a.textContent = form.getAttribute('data-ok') + ' ' + j.id;\n"
	"          out.appendChild(a);\n"
	"        } else {\n"
	"          out.className = 'error';\n"
	"          out.textContent = form.getAttribute('data-failed') + ': ' + (j && j.message ? j.message : x.status);\n"
	"        }\n"
	"        done();\n"
	"      };\n"
	"      x.onerror = function () { if (timer) clearTimeout(timer); timer = null;\n"
	"        out.className = 'error'; out.textContent = form.getAttribute('data-failed');\n"
	"        done(); };\n"
	"      x.send(fd);\n"
	"    };\n"
	"    form.addEventListener('submit', function (ev) {\n"
	"      var files = Array.prototype.slice.call(input.files || []);\n"
	"      if (!files.length) return;\n"
	"      ev.preventDefault();\n"
	"      var fields = [];\n"
	"      Array.prototype.forEach.call(form.elements, function (e) {\n"
	"        if (!e.name || e.type === 'file' || e.name === 'csrf' || e.disabled) return;\n"
	"        if ((e.type === 'checkbox' || e.type === 'radio') && !e.checked) return;\n"
	"        fields.push([e.name, e.value]);\n"
	"      });\n"
	"      var next = function () { var f = files.shift(); if (f) sendOne(f, fields, next); };\n"
	"      next();\n"
	"    });\n"
	"  }\n"
	"})();\n";

static char version[13];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void make_version(void)
{
	struct sha256_ctx c;
	char hex[SHA256_HEX];

	sha256_init(&c);
	sha256_update(&c, sizeof(css) - 1, (const uint8_t *)css);
	sha256_update(&c, sizeof(js) - 1, (const uint8_t *)js);
	sha256_finish_hex(&c, hex);
	memcpy(version, hex, sizeof(version) - 1);
}

const char *assets_version(void)
{
	pthread_once(&version_once, make_version);
	return version;
}

static void send_static(struct web_req *r, const char *type, const char *text)
{
	struct MHD_Response *resp = LIBMHD(MHD_create_response_from_buffer)(strlen(text), (void *)text,
								     MHD_RESPMEM_PERSISTENT);

	LIBMHD(MHD_add_response_header)(resp, "Content-Type", type);
	/* Pages name them with assets_version(), so a new build's are new URLs. */
	LIBMHD(MHD_add_response_header)(resp, "Cache-Control", "public, max-age=86400");
	web_queue(r, 200, resp);
}

void assets_css(struct web_req *r)
{
	send_static(r, "text/css; charset=utf-8", css);
}

void assets_js(struct web_req *r)
{
	send_static(r, "text/javascript; charset=utf-8", js);
}
