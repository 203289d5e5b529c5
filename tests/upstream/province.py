#!/usr/bin/python3
"""A province's information-source system (HTTT nguồn) for loa's tests.

Python's standard library only (http.server + ssl), on 127.0.0.1 only,
over HTTPS with a certificate the test makes. It speaks login, log and
ping as /work/shared/UPSTREAM.md describes, keeps what it receives as JSON
lines in DIR, and misbehaves as DIR/control.json says, read at every
request so a test changes it between requests:

  {"mode": "ok"}          answer properly (the default)
  {"mode": "down"}        close every connection without a word
  {"mode": "500"}         answer 500 and keep nothing
  {"mode": "malformed"}   answer 200 with JSON cut off, and keep nothing
  {"mode": "ack_twice"}   keep the record, answer with the ack twice in one body
  {"delay": 3}            keep the record, then wait 3 s before answering a log
  {"token_ttl": 2}        tokens die 2 s after the login (then 401)
  {"refuse": "TITLE"}     refuse the record titled TITLE with 400
  {"cut_after": N}        the first answer for each audio file stops after N
                          bytes of it and the connection is closed (a resume
                          must fetch the rest with a Range request)
  {"media_delay": S}      wait S seconds before answering for audio
  {"no_length": [NAMES]}  audio files NAMES are sent without a Content-Length
                          (the connection closes after them), so only what
                          arrives tells their size
  {"no_ranges": true}     audio is always sent whole (200), whatever Range asks
  {"stall_after": N}      the first answer for each audio file stops after N
                          bytes and then sends nothing for a minute (a test
                          kills the link meanwhile)

Schedules (issue #18): GET {base}/schedule answers {"TrangThaiGui": 0,
"NoiDung": [...]} with the list in DIR/schedules.json (written by the
test, read at every request; a missing file is an empty list), and logs
each poll in polls.jsonl ({"at": epoch s}). POST {base}/schedule/ack and
{base}/schedule/cancel keep the acknowledgements in acks.jsonl and
cancels.jsonl; POST {base}/schedule/reject keeps the reports of refused
audio in rejects.jsonl. GET /media/NAME serves DIR/media/NAME with byte ranges
(206, Content-Range) and logs each request in media.jsonl ({"name",
"range", "at"}); a missing file is a 404.

Files in DIR: port (the port it listens on), logins.jsonl, pings.jsonl,
raw.jsonl (every log request it accepted, duplicates included, each with
"_bytes", the body's size, "_head_bytes", the request line's and headers',
and "_dup"), records.jsonl (each record once:
the province de-duplicates by CumLoaID, BanTinID, ThoiDiemBatDau).

usage: province.py DIR CERT KEY USER PASSWORD [PORT]
"""
import http.server
import json
import os
import secrets
import socket
import ssl
import sys
import threading
import time

DIR, CERT, KEY, USER, PASSWORD = sys.argv[1:6]
PORT = int(sys.argv[6]) if len(sys.argv) > 6 else 0
LOCK = threading.Lock()
TOKENS = {}  # token -> when it was given
SEEN = set()
CUT = set()  # audio files whose first answer was cut off


def control():
    try:
        with open(os.path.join(DIR, "control.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def append(name, obj):
    with open(os.path.join(DIR, name), "a") as f:
        f.write(json.dumps(obj, ensure_ascii=False) + "\n")


# Records the province already holds when it starts again (a restart is
# not amnesia).
try:
    with open(os.path.join(DIR, "records.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            SEEN.add((r.get("CumLoaID"), r.get("BanTinID"), r.get("ThoiDiemBatDau")))
except OSError:
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle
        # holds the body for the client's delayed ACK (40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        with open(os.path.join(DIR, "server.log"), "a") as f:
            f.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    def answer(self, code, body):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a slow answer): it will send again

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        return raw, json.loads(raw.decode("utf-8"))

    def token_ok(self, ctl):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return False
        given = TOKENS.get(auth[7:])
        ttl = ctl.get("token_ttl")
        return given is not None and (ttl is None or time.time() - given < ttl)

    def do_GET(self):
        ctl = control()
        if ctl.get("mode", "ok") == "down":
            self.close_connection = True
            return
        path = self.path.split("?")[0].rstrip("/")
        if path.startswith("/media/"):
            self.media(ctl, path[len("/media/"):])
        elif not self.token_ok(ctl):
            self.answer(401, {"TrangThaiGui": 1, "MoTa": "Phiên đăng nhập hết hạn"})
        elif path.endswith("/schedule"):
            try:
                with open(os.path.join(DIR, "schedules.json"), "rb") as f:
                    raw = f.read()
            except OSError:
                raw = b"[]"
            with LOCK:
                append("polls.jsonl", {"at": time.time()})
            self.answer(200, b'{"TrangThaiGui": 0, "NoiDung": ' + raw + b"}")
        else:
            self.answer(404, {"TrangThaiGui": 1, "MoTa": "Không có"})

    def media(self, ctl, name):
        rng = self.headers.get("Range")
        with LOCK:
            append("media.jsonl", {"name": name, "range": rng, "at": time.time()})
        if "/" in name or name.startswith("."):
            self.answer(404, {"MoTa": "Không có"})
            return
        try:
            with open(os.path.join(DIR, "media", name), "rb") as f:
                data = f.read()
        except OSError:
            self.answer(404, {"MoTa": "Không có"})
            return
        if ctl.get("media_delay"):
            time.sleep(float(ctl["media_delay"]))
        start = 0
        if rng and rng.startswith("bytes=") and rng[6:].endswith("-") and not ctl.get("no_ranges"):
            start = int(rng[6:-1])
        if start >= len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % len(data))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "audio/wav")
        if name in (ctl.get("no_length") or []):
            if start:
                self.send_header("Content-Range", "bytes %d-%d/*" % (start, len(data) - 1))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                self.wfile.write(data[start:])
            except OSError:
                pass
            return
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        body = data[start:]
        cut = ctl.get("cut_after")
        stall = ctl.get("stall_after")
        with LOCK:
            first = name not in CUT
            CUT.add(name)
        try:
            if stall is not None and first:
                self.wfile.write(body[:int(stall)])
                self.wfile.flush()
                time.sleep(60)
                self.close_connection = True
                return
            if cut is not None and first:
                self.wfile.write(body[:int(cut)])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(body)
        except OSError:
            pass

    def do_POST(self):
        ctl = control()
        mode = ctl.get("mode", "ok")
        if mode == "down":
            self.close_connection = True
            return
        try:
            raw, body = self.read_json()
        except (ValueError, UnicodeDecodeError):
            self.answer(400, {"TrangThaiGui": 1, "MoTa": "Dữ liệu không hợp lệ"})
            return
        if mode == "500":
            self.answer(500, b"Internal Server Error")
            return
        path = self.path.rstrip("/")
        if path.endswith("/login"):
            self.login(body)
        elif not self.token_ok(ctl):
            self.answer(401, {"TrangThaiGui": 1, "MoTa": "Phiên đăng nhập hết hạn"})
        elif path.endswith("/log"):
            self.log(ctl, mode, raw, body)
        elif path.endswith("/schedule/ack") or path.endswith("/schedule/cancel"):
            with LOCK:
                append("acks.jsonl" if path.endswith("/ack") else "cancels.jsonl", body)
            self.answer(200, {"TrangThaiGui": 0, "MoTa": "OK"})
        elif path.endswith("/schedule/reject"):
            with LOCK:
                append("rejects.jsonl", body)
            self.answer(200, {"TrangThaiGui": 0, "MoTa": "OK"})
        elif path.endswith("/ping"):
            with LOCK:
                append("pings.jsonl", body)
            self.answer(200, {"TrangThaiGui": 0, "MoTa": "OK"})
        else:
            self.answer(404, {"TrangThaiGui": 1, "MoTa": "Không có"})

    def login(self, body):
        with LOCK:
            append("logins.jsonl", {"Username": body.get("Username"), "ok": body.get("Password") == PASSWORD})
        if body.get("Username") != USER or body.get("Password") != PASSWORD:
            self.answer(200, {"TrangThaiGui": 1, "MoTa": "Sai tên đăng nhập hoặc mật khẩu"})
            return
        token = secrets.token_hex(24)
        TOKENS[token] = time.time()
        self.answer(200, {"TrangThaiGui": 0, "MoTa": "Đăng nhập thành công", "NoiDung": {"Token": token}})

    def log(self, ctl, mode, raw, body):
        if mode == "malformed":
            self.answer(200, b'{"TrangThaiGui": 0, "MoTa": "Th')
            return
        if ctl.get("refuse") is not None and body.get("TieuDe") == ctl["refuse"]:
            self.answer(400, {"TrangThaiGui": 1, "MoTa": "Bản tin không thuộc lĩnh vực được phép"})
            return
        key = (body.get("CumLoaID"), body.get("BanTinID"), body.get("ThoiDiemBatDau"))
        with LOCK:
            dup = key in SEEN
            body["_bytes"] = len(raw)
            # The request line and headers as they came, CRLFs included.
            body["_head_bytes"] = len(self.raw_requestline) + 2 + sum(
                len(k) + 2 + len(v) + 2 for k, v in self.headers.items())
            body["_dup"] = dup
            append("raw.jsonl", body)
            if not dup:
                SEEN.add(key)
                rec = dict(body)
                del rec["_bytes"], rec["_head_bytes"], rec["_dup"]
                append("records.jsonl", rec)
        if ctl.get("delay"):
            time.sleep(float(ctl["delay"]))
        ack = {"TrangThaiGui": 0, "MoTa": "Đã có" if dup else "Thành công", "NoiDung": {"ID": len(SEEN)}}
        if mode == "ack_twice":
            one = json.dumps(ack).encode()
            self.answer(200, one + b"\n" + one)
        else:
            self.answer(200, ack)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", PORT), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(DIR, "port"))
    srv.serve_forever()


main()
