#!/usr/bin/python3
"""A local stand-in for the stations a relay airs, on 127.0.0.1 only.

    streamserver.py PORTFILE [--mp3 PATH=FILE]... [--dir DIR] [--burst S] [--metaint N]

/PATH streams FILE (an MP3, made at test time) as Icecast and Shoutcast
do: in real time at its bit rate, looped, after a first burst of --burst
seconds, with icy-* headers, and with ICY metadata every --metaint bytes
when the client asks for it (Icy-MetaData: 1, as FFmpeg does). Any other
path is served from DIR as it is: an HLS playlist and its segments that
ffmpeg writes there at test time. The port it listens on (chosen by the
kernel) is written to PORTFILE once it listens. Python's standard library
only: no test reaches the internet.
"""
import argparse
import os
import socketserver
import sys
import time
from http.server import BaseHTTPRequestHandler


def mp3_bitrate(data):
    """The bit rate (bit/s) of the first MPEG-1/2 Layer III frame in DATA."""
    rates = {
        3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1
        2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  # MPEG-2
        0: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  # MPEG-2.5
    }
    i = 0
    if data[:3] == b"ID3":
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        i = 10 + size
    while i + 4 <= len(data):
        if data[i] == 0xFF and (data[i + 1] & 0xE0) == 0xE0:
            version = (data[i + 1] >> 3) & 3
            index = data[i + 2] >> 4
            if version in rates and 0 < index < 15:
                return rates[version][index] * 1000
        i += 1
    return 128000


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("streamserver: %s\n" % (fmt % args))

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in self.server.mp3s:
            self.stream(self.server.mp3s[path])
        else:
            self.static(path)

    def static(self, path):
        d = self.server.dir
        name = os.path.normpath(path.lstrip("/"))
        if not d or name.startswith("..") or not os.path.isfile(os.path.join(d, name)):
            self.send_error(404)
            return
        with open(os.path.join(d, name), "rb") as f:
            body = f.read()
        self.send_response(200)
        ctype = "application/vnd.apple.mpegurl" if name.endswith(".m3u8") else "video/mp2t"
        if name.endswith(".aac"):
            ctype = "audio/aac"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, data):
        rate = mp3_bitrate(data) // 8  # bytes per second
        metaint = self.server.metaint if self.headers.get("Icy-MetaData") == "1" else 0
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("icy-name", "Dai thu nghiem")
        self.send_header("icy-br", str(rate * 8 // 1000))
        self.send_header("Cache-Control", "no-cache")
        if metaint:
            self.send_header("icy-metaint", str(metaint))
        self.end_headers()
        start = time.monotonic()
        sent = 0
        pos = 0
        since_meta = 0
        burst = int(self.server.burst * rate)
        chunk = max(rate // 20, 256)
        try:
            while True:
                # In real time after the burst, as a live server sends.
                due = (sent - burst) / rate
                wait = start + due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                n = chunk
                if metaint:
                    n = min(n, metaint - since_meta)
                piece = data[pos:pos + n]
                if len(piece) < n:
                    piece += data[:n - len(piece)]
                pos = (pos + n) % len(data)
                self.wfile.write(piece)
                sent += n
                since_meta += n
                if metaint and since_meta == metaint:
                    title = b"StreamTitle='Thoi su';"
                    blocks = (len(title) + 15) // 16
                    self.wfile.write(bytes([blocks]) + title.ljust(blocks * 16, b"\0"))
                    since_meta = 0
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("portfile")
    ap.add_argument("--mp3", action="append", default=[])
    ap.add_argument("--dir")
    ap.add_argument("--burst", type=float, default=2.0)
    ap.add_argument("--metaint", type=int, default=8192)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.mp3s = {}
    for spec in a.mp3:
        path, _, file = spec.partition("=")
        with open(file, "rb") as f:
            srv.mp3s["/" + path.lstrip("/")] = f.read()
    srv.dir = a.dir
    srv.burst = a.burst
    srv.metaint = a.metaint
    tmp = a.portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
