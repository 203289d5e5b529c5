#!/usr/bin/python3
"""The console's load for bench/web.sh, standard library only.

  webload.py pages URL USER PASSWORD N PATH...
      logs in, then GETs each PATH N times on one kept-alive connection
      (as a browser does); prints per PATH: p50 p95 max (ms) bytes
  webload.py clients URL USER PASSWORD CLIENTS REQUESTS [--one-address] PATH...
      CLIENTS threads, each its own login and kept-alive connection, from
      its own loopback address (127.0.0.10, .11, ...: one PC or phone each)
      unless --one-address; each makes REQUESTS GETs cycling over PATH;
      prints: requests errors seconds p50 p95 p99 (ms); the first errors
      on stderr. An error is a status other than 200 or a failed connection.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def pctl(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = max(1, -(-len(v) * p // 100))  # nearest rank
    return v[int(k) - 1]


class Client:
    def __init__(self, url, source=None):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.source = u.hostname, u.port, source
        self.conn = None
        self.cookie = None

    def connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                               source_address=(self.source, 0) if self.source else None)

    def request(self, method, path, body=None):
        if self.conn is None:
            self.connect()
        h = {"Content-Type": "application/json"} if body is not None else {}
        if self.cookie:
            h["Cookie"] = "loa_session=" + self.cookie
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r, data

    def login(self, user, password):
        r, data = self.request("POST", "/api/v1/login", json.dumps({"username": user, "password": password}))
        if r.status != 200:
            raise SystemExit(f"login of {user}: {r.status} {data[:200]!r}")
        self.cookie = r.getheader("Set-Cookie").split(";")[0].split("=", 1)[1]


def pages(url, user, password, n, paths):
    c = Client(url)
    c.login(user, password)
    for path in paths:
        times, size = [], 0
        for _ in range(n):
            t0 = time.perf_counter()
            r, data = c.request("GET", path)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                raise SystemExit(f"GET {path}: {r.status} {data[:200]!r}")
            size = len(data)
        print(f"{path}\t{pctl(times, 50):.1f}\t{pctl(times, 95):.1f}\t{max(times):.1f}\t{size}")


def clients(url, user, password, n, reqs, one_address, paths):
    times, errors, failed, lock = [], [], [0], threading.Lock()
    start = threading.Barrier(n + 1)

    def run(i):
        c = Client(url, None if one_address else f"127.0.0.{10 + i}")
        mine, err, bad = [], [], 0
        try:
            c.login(user, password)
        except (SystemExit, OSError, http.client.HTTPException) as e:
            err.append(f"client {i} login: {e!r}")
            bad = reqs
        start.wait()
        for k in range(reqs if not bad else 0):
            path = paths[(i + k) % len(paths)]
            t0 = time.perf_counter()
            try:
                r, _ = c.request("GET", path)
                if r.status != 200:
                    bad += 1
                    err.append(f"client {i} GET {path}: {r.status}")
            except (OSError, http.client.HTTPException) as e:
                bad += 1
                err.append(f"client {i} GET {path}: {e!r}")
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            times.extend(mine)
            errors.extend(err)
            failed[0] += bad

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    for e in errors[:5]:
        print(e, file=sys.stderr)
    print(f"{n * reqs}\t{failed[0]}\t{secs:.2f}\t{pctl(times, 50):.1f}\t{pctl(times, 95):.1f}\t{pctl(times, 99):.1f}")


def main(argv):
    if len(argv) >= 6 and argv[1] == "pages":
        pages(argv[2], argv[3], argv[4], int(argv[5]), argv[6:])
    elif len(argv) >= 7 and argv[1] == "clients":
        rest = argv[7:]
        one = "--one-address" in rest
        clients(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), one, [p for p in rest if p != "--one-address"])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
