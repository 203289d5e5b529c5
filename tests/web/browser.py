#!/usr/bin/python3
"""The console in a real browser (issue #16): Selenium drives headless
Chromium through what an operator and an officer do, at a phone's width
(360 px) and a desk's (1280 px), then the security checks, over HTTP
directly where no browser is needed. tests/e2e/t_browser.sh starts the
station (daemon on a paced device, `loa web` on loopback, accounts) and
runs this with:

  LOA_WEB_URL        http://127.0.0.1:PORT
  LOA_STATE_DIR      the station's state folder (temporary uploads live there)
  LOA_SCREENSHOTS    where the screenshots go (STORY-STEP-WHAT-WIDTH.png)
  LOA_WORK           a scratch folder (audio made here, Chromium's profile)
  LOA_ACCOUNTS       "ROLE:NAME:PASSWORD ..." for operator, officer, throttle
  LOA, MKAUDIO, LOA_CONFIG, TZ_STATION   as every e2e test has them

Standard library and selenium only. Each check counts; the first that
fails ends its story (with a screenshot FAIL-...png), the others still run.
"""
import base64
import csv
import glob
import http.client as httpc
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WIDTHS = (360, 1280)
HEIGHT = 800
XSS = "<img src=x onerror=alert(1)>"

BASE = os.environ["LOA_WEB_URL"].rstrip("/")
STATE = os.environ["LOA_STATE_DIR"]
SHOTS = os.environ["LOA_SCREENSHOTS"]
WORK = os.environ["LOA_WORK"]
LOA = os.environ["LOA"]
MKAUDIO = os.environ["MKAUDIO"]
ZONE = ZoneInfo(os.environ.get("TZ_STATION", "Asia/Ho_Chi_Minh"))
ACCOUNTS = {}
for spec in os.environ["LOA_ACCOUNTS"].split():
    role, name, password = spec.split(":", 2)
    ACCOUNTS[role] = (name, password)
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


class Failed(Exception):
    pass


CHECKS = [0]


def check(cond, what):
    """One assertion: counts it, or fails the story saying WHAT."""
    if not cond:
        raise Failed(what)
    CHECKS[0] += 1


# ---- HTTP without a browser ----

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def req(method, path, body=None, cookie=None, csrf=None, headers=None, timeout=30):
    """One request on a connection of its own; PATH is sent exactly as given."""
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = "loa_session=" + cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    c = httpc.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        try:
            c.request(method, path, body=body, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            # The console may refuse (403, 413) before the body is sent
            # and close the connection: its answer is there to read.
            pass
        r = c.getresponse()
        return Resp(r.status, r.headers, r.read())
    finally:
        c.close()


def multipart(fields, files):
    """A multipart/form-data body: FIELDS [(name, value)], FILES [(name, filename, bytes)]."""
    b = uuid.uuid4().hex
    out = []
    for k, v in fields:
        out.append(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, name, data in files:
        out.append(f'--{b}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                   f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.append(f"--{b}--\r\n".encode())
    return "multipart/form-data; boundary=" + b, b"".join(out)


def api_login(role):
    """Logs ROLE's account in through the API: (cookie, csrf)."""
    name, password = ACCOUNTS[role]
    r = req("POST", "/api/v1/login", {"username": name, "password": password})
    check(r.status == 200, f"API login of {name}: {r.status} {r.text}")
    cookie = r.headers.get("Set-Cookie", "").split(";")[0].split("=", 1)[-1]
    check(len(cookie) == 64, f"API login of {name}: no session cookie ({r.headers.get('Set-Cookie')})")
    return cookie, r.json()["csrf"]


def bulletin_ids(cookie):
    r = req("GET", "/api/v1/bulletins?state=all", cookie=cookie)
    check(r.status == 200, f"the library over the API: {r.status}")
    return sorted(b["id"] for b in r.json())


def station_today():
    return datetime.now(ZONE).date()


def month_period():
    today = station_today()
    return today.replace(day=1).isoformat(), today.isoformat()


def mkaudio(name, *args):
    path = os.path.join(WORK, name)
    subprocess.run([MKAUDIO, *args, path], check=True)
    return path


def upload_temps():
    return glob.glob(os.path.join(STATE, ".web-upload-*"))


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# ---- the browser ----

# Installed before any page's script: records alert/confirm/prompt, so a
# script that ran from a title would be seen even if no dialog stayed open.
DIALOG_HOOK = """
window.__loaDialogs = [];
['alert', 'confirm', 'prompt'].forEach(function (k) {
  window[k] = function (m) { window.__loaDialogs.push(k + ':' + m); return true; };
});
"""

# What sticks out of the page sideways, outside the containers that are
# meant to scroll (.scroll around the wide tables).
OVERFLOW_JS = """
var w = document.documentElement.clientWidth, out = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (!r.width || r.right <= w + 1 || (e.parentElement && e.parentElement.closest('.scroll'))) return;
  var s = getComputedStyle(e);
  if (s.visibility === 'hidden' || s.display === 'none') return;
  out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
           (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
           ' right=' + Math.round(r.right));
});
return {scroll: document.documentElement.scrollWidth, width: w, out: out.slice(0, 6)};
"""


class Browser:
    def __init__(self):
        o = webdriver.ChromeOptions()
        o.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-background-networking", "--disable-sync",
                  "--disable-extensions", "--disable-component-update", "--lang=vi",
                  "--disable-features=PasswordLeakDetection,Translate",
                  f"--user-data-dir={os.path.join(WORK, 'chromium')}", f"--window-size=1280,{HEIGHT}"):
            o.add_argument(a)
        o.add_experimental_option("prefs", {"credentials_enable_service": False,
                                            "profile.password_manager_enabled": False})
        self.d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
        self.d.set_page_load_timeout(30)
        self.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DIALOG_HOOK})
        self.width = 1280
        self.story = ""
        self.step = 0

    def quit(self):
        self.d.quit()

    def begin(self, story, width):
        """A story at WIDTH: a fresh session (no cookies), the viewport set."""
        self.story, self.width, self.step = story, width, 0
        self.d.delete_all_cookies()
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": width < 600})
        self.open("/login")
        inner = self.d.execute_script("return window.innerWidth")
        check(inner == width, f"the viewport is {inner} px wide, not {width}")

    def open(self, path):
        self.d.get(BASE + path)

    def path(self):
        return urllib.parse.urlsplit(self.d.current_url).path

    def el(self, id_):
        found = self.d.find_elements(By.ID, id_)
        if not found:  # a lookup, not a check: waits poll through here
            raise Failed(f"{self.path()}: no element #{id_}")
        return found[0]

    def text(self, id_):
        return self.el(id_).text

    def absent(self, *ids):
        for i in ids:
            check(not self.d.find_elements(By.ID, i), f"{self.path()}: #{i} is there for {self.story}")

    def css(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def wait(self, cond, what, timeout=10):
        try:
            v = WebDriverWait(self.d, timeout, poll_frequency=0.1).until(lambda d: cond())
        except TimeoutException:
            raise Failed(f"{self.path()}: {what} (waited {timeout} s)")
        CHECKS[0] += 1
        return v

    def click(self, id_):
        e = self.el(id_)
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
        e.click()

    def no_script_ran(self):
        """No dialog open, none recorded by the hook, no <img> from a title."""
        try:
            a = self.d.switch_to.alert
            msg = a.text
            a.dismiss()
            raise Failed(f"{self.path()}: a dialog opened: {msg}")
        except NoAlertPresentException:
            pass
        dialogs = self.d.execute_script("return window.__loaDialogs || null")
        check(dialogs == [], f"{self.path()}: script ran: {dialogs}")
        imgs = self.d.execute_script("return document.querySelectorAll('img').length")
        check(imgs == 0, f"{self.path()}: {imgs} <img> element(s) on a console page")

    def shot(self, what, layout=True):
        """The whole page as STORY-STEP-WHAT-WIDTH.png; a console page must
        not be wider than the screen (wide tables scroll in their box)."""
        self.step += 1
        m = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = m.get("cssContentSize") or m["contentSize"]
        clip = {"x": 0, "y": 0, "width": max(self.width, int(size["width"] + 0.99)),
                "height": min(int(size["height"] + 0.99), 8000), "scale": 1}
        png = self.d.execute_cdp_cmd("Page.captureScreenshot",
                                     {"format": "png", "captureBeyondViewport": True, "clip": clip})["data"]
        name = f"{self.story}-{self.step:02d}-{what}-{self.width}.png"
        with open(os.path.join(SHOTS, name), "wb") as f:
            f.write(base64.b64decode(png))
        if layout:
            o = self.d.execute_script(OVERFLOW_JS)
            check(o["scroll"] <= o["width"] + 1 and not o["out"],
                  f"{self.path()} at {self.width} px is {o['scroll']} px wide: {o['out']}")

    def fits(self, row):
        """Every shown cell of table row ROW is within the screen's width."""
        return self.d.execute_script(
            "var w = document.documentElement.clientWidth;"
            "return Array.prototype.every.call(arguments[0].cells, function (c) {"
            "  var r = c.getBoundingClientRect(); return !r.width || r.right <= w + 1; });", row)

    def login(self, role):
        name, password = ACCOUNTS[role]
        self.open("/login")
        self.el("login-user").send_keys(name)
        self.el("login-password").send_keys(password)
        self.click("login-submit")
        self.wait(lambda: self.d.find_elements(By.ID, "who") and name in self.text("who"),
                  f"not logged in as {name}")
        check(self.path() == "/", f"the login went to {self.path()}, not the status page")

    def cookie(self):
        c = self.d.get_cookie("loa_session")
        check(c and len(c["value"]) == 64, f"no session cookie in the browser: {c}")
        check(c.get("httpOnly") is True, "the session cookie is readable by script")
        return c["value"]

    def csrf(self):
        return self.d.find_element(By.TAG_NAME, "body").get_attribute("data-csrf")

    def logout(self):
        """Logs out with the button; the old cookie must open nothing."""
        old = self.cookie()
        self.click("logout-button")
        self.wait(lambda: self.path() == "/login", "logout did not lead to the login page")
        r = req("GET", "/api/v1/session", cookie=old)
        check(r.status == 401, f"the session after logout: {r.status}, expected 401")
        r = req("GET", "/library", cookie=old)
        check(r.status == 303 and r.headers.get("Location", "").startswith("/login"),
              f"a page with the old cookie after logout: {r.status} {r.headers.get('Location')}")


# ---- the stories ----

def upload_results(b, n):
    """Waits for N results in #upload-list: [(file name, progress, class, text, href)]."""
    def done():
        lis = b.css("#upload-list li")
        if len(lis) < n:
            return False
        out = []
        for li in lis:
            divs = li.find_elements(By.CSS_SELECTOR, ":scope > div")
            bars = li.find_elements(By.TAG_NAME, "progress")
            if len(divs) < 2 or not divs[1].text:
                return False
            links = divs[1].find_elements(By.CSS_SELECTOR, "a.ok")
            out.append((divs[0].text, bars[0].get_attribute("value") if bars else None,
                        divs[1].get_attribute("class") or (links and "ok") or "", divs[1].text,
                        links[0].get_attribute("href") if links else None))
        return out
    return b.wait(done, f"{n} upload results", timeout=30)


def operator_story(b, width):
    """Log in; upload two good files and a bad one; put one in a slot and
    see it in the week; play it and watch it on air, live; its ledger row;
    the month's CSV; the printable report; log out."""
    b.begin("operator", width)
    b.shot("login")
    b.login("operator")
    b.shot("status")

    good1 = mkaudio(f"ban-tin-phong-chong-bao-{width}.mp3", "--seconds", "8", "--rate", "48000",
                    "--channels", "1", "--freq", str(300 + width), "tone")
    good2 = mkaudio(f"thong-bao-tiem-chung-{width}.wav", "--seconds", "3", "--freq", str(500 + width), "tone")
    bad = mkaudio(f"hong-{width}.mp3", "text")
    # The words `loa import` refuses the bad file with.
    cli = subprocess.run([LOA, "import", os.path.basename(bad)], capture_output=True, text=True, cwd=WORK)
    check(cli.returncode == 2, f"loa import of a text file exited {cli.returncode}")
    refusal = cli.stderr.strip().split("\n")[0]
    check(refusal.startswith("loa import: "), f"loa import's refusal: {refusal}")
    refusal = refusal[len("loa import: "):]

    b.el("nav-library").click()
    b.wait(lambda: b.path() == "/library", "the library link")
    Select(b.el("upload-topic")).select_by_value("3")
    b.el("upload-plan").send_keys("KH 13/KH-UBND")
    b.el("upload-input").send_keys("\n".join([good1, good2, bad]))
    b.shot("library-files-chosen")
    b.click("upload-submit")
    res = upload_results(b, 3)
    byname = {r[0]: r for r in res}
    check(set(byname) == {os.path.basename(p) for p in (good1, good2, bad)}, f"upload list: {res}")
    ids = {}
    for p in (good1, good2):
        name, progress, cls, text, href = byname[os.path.basename(p)]
        check(cls == "ok" and href and "/library/" in href, f"upload of {name}: {cls} {text}")
        check(progress is not None and float(progress) == 100, f"upload of {name}: progress {progress}")
        ids[p] = int(href.rsplit("/", 1)[1])
    name, progress, cls, text, href = byname[os.path.basename(bad)]
    check(cls == "error" and href is None, f"the bad file was not refused: {cls} {text}")
    check(progress is not None, f"no progress bar for {name}")
    check(text.endswith(": " + refusal), f"the refusal is not loa import's words: '{text}' vs '{refusal}'")
    b.shot("uploaded")

    a, title = ids[good1], os.path.basename(good1)
    b.open("/library")
    for p, i in ids.items():
        row = b.el(f"bulletin-{i}")
        check(os.path.basename(p) in row.text, f"row #{i} lacks its file: {row.text}")
    check(os.path.basename(bad) not in b.el("library-table").text, "the refused file is in the library")

    # Into a slot, from the bulletin's page; then the week shows it.
    b.click(f"edit-{a}")
    b.wait(lambda: b.path() == f"/library/{a}", "the bulletin's page")
    check(b.text("bulletin-id") == str(a), f"the page of #{a} says #{b.text('bulletin-id')}")
    box = b.css('#edit-slots input[value="sang"]')
    check(box and not box[0].is_selected(), "the slot box is missing or already ticked")
    box[0].click()
    b.click("edit-submit")
    b.wait(lambda: b.css("#flash.ok"), "no 'saved' after the edit")
    check(b.css('#edit-slots input[value="sang"]')[0].is_selected(), "the slot is not ticked after saving")
    b.shot("bulletin-in-slot")
    b.el("nav-schedule").click()
    b.wait(lambda: b.path() == "/schedule", "the schedule link")
    rows = [r for r in b.css("#week-table tbody tr:not(.day)")
            if len(r.find_elements(By.TAG_NAME, "td")) >= 3
            and r.find_elements(By.TAG_NAME, "td")[1].text == "sang"
            and r.find_elements(By.TAG_NAME, "td")[2].text == title]
    check(rows, f"the week does not show {title} in 'sang'")
    check(rows[0].find_element(By.TAG_NAME, "a").get_attribute("href").endswith(f"/library/{a}"),
          "the week's row does not link to the bulletin")
    b.shot("week")

    # Play, then the status page: on air, and it moves without a reload.
    b.open("/library")
    b.click(f"play-{a}")
    b.wait(lambda: b.css("#flash"), "no answer to play")
    check(b.css("#flash.ok"), f"play refused: {b.text('flash')}")
    b.shot("played")
    b.el("back").click()
    b.el("nav-status").click()
    b.wait(lambda: b.path() == "/", "the status link")
    b.wait(lambda: b.text("onair-title") == title, f"{title} is not on air", timeout=15)
    b.d.execute_script("window.__loaSamePage = 1")
    first = b.text("onair-elapsed")
    b.wait(lambda: b.text("onair-elapsed") not in ("", first), f"the elapsed time stays at {first}", timeout=6)
    b.shot("on-air")
    nothing = b.el("status-words").get_attribute("data-nothing")
    b.wait(lambda: b.text("onair-title") == nothing, "the end of the item is not shown", timeout=20)
    check(b.d.execute_script("return window.__loaSamePage") == 1, "the status page was reloaded, not live")
    b.open("/")
    check([r for r in b.css("#today-table tr.o-completed") if title in r.text], "today's table lacks the play")
    b.shot("after-air")

    # The ledger's row.
    b.el("nav-log").click()
    b.wait(lambda: b.path() == "/log", "the log link")
    rows = [r for r in b.css("#log-table tbody tr.o-completed")
            if r.find_elements(By.TAG_NAME, "td")[3].text == title]
    check(len(rows) == 1, f"the log shows {len(rows)} completed row(s) of {title}")
    check(b.fits(rows[0]), f"the log's row of {title} is wider than the screen: its outcome is out of sight")
    b.shot("log")

    # The month's CSV with the browser's session: the bytes `loa report` writes.
    frm, to = month_period()
    q = f"/api/v1/report?from={frm}&to={to}&by=bulletin&format=csv&download=1"
    r = req("GET", q, cookie=b.cookie())
    check(r.status == 200 and r.headers.get("Content-Type", "").startswith("text/csv"),
          f"the CSV: {r.status} {r.headers.get('Content-Type')}")
    check("attachment" in r.headers.get("Content-Disposition", ""), "the CSV download is not an attachment")
    web = csv_rows(r.text)
    row = [x for x in web if x.get("name") == title]
    check(len(row) == 1 and int(row[0]["completed"]) == 1 and int(row[0]["aired_ms"]) >= 7900,
          f"the CSV's row of {title}: {row}")
    cli = subprocess.run([LOA, "report", "--from", frm, "--to", to, "--by", "bulletin", "--format", "csv"],
                         capture_output=True, text=True, check=True)
    strip = lambda rows: [{k: v for k, v in x.items() if k != "generated_at"} for x in rows]
    check(strip(web) == strip(csv_rows(cli.stdout)), "the console's CSV differs from loa report's")

    # The printable report, from the reports page.
    b.el("nav-reports").click()
    b.wait(lambda: b.path() == "/reports", "the reports link")
    b.shot("reports")
    b.click("preset-month")
    b.wait(lambda: b.el("report-from").get_attribute("value") == frm, "the month preset")
    Select(b.el("report-by")).select_by_value("bulletin")
    Select(b.el("report-format")).select_by_value("html")
    b.click("report-submit")
    b.wait(lambda: b.path() == "/api/v1/report", "the printable report")
    body = b.d.find_element(By.TAG_NAME, "body").text
    check(title in body and "Xã Thử Nghiệm" in body, "the printable report lacks the bulletin or the station")
    b.shot("printable-report", layout=False)

    b.open("/")
    b.logout()


def officer_story(b, width):
    """Log in; download the report; no upload, play or stop anywhere: not
    on the pages, and 403 from the API with the session's CSRF token."""
    b.begin("officer", width)
    b.login("officer")
    b.absent("btn-stop", "btn-alert", "nav-accounts")
    b.shot("status")
    b.el("nav-library").click()
    b.wait(lambda: b.path() == "/library", "the library link")
    b.absent("upload-form", "upload-input", "drop-zone", "upload-submit")
    rows = b.css("#library-table tbody tr[id^='bulletin-']")
    check(len(rows) >= 2, "the officer sees no bulletins")
    check(not b.css("button[id^='play-']") and not b.css("form[action='/play']"), "the officer has play buttons")
    b.shot("library")
    a = int(rows[-1].get_attribute("id").split("-")[1])
    b.click(f"edit-{a}")
    b.wait(lambda: b.path() == f"/library/{a}", "the bulletin's page")
    b.absent("edit-form", "retire-submit", f"play-{a}")
    b.el(f"audio-{a}")
    b.el("nav-schedule").click()
    b.wait(lambda: b.path() == "/schedule", "the schedule link")
    b.absent("slot-add-form")
    check(not b.css(".slot-remove"), "the officer has slot buttons")
    b.el("nav-audit").click()
    b.wait(lambda: b.path() == "/audit", "the audit link")
    rows = [r for r in b.css("#audit-table tbody tr") if "login" in r.text and ACCOUNTS["officer"][0] in r.text]
    check(rows, "the audit trail lacks the officer's login")
    b.shot("audit")

    # The report: the printable page in the browser, the CSV with its cookie.
    b.el("nav-reports").click()
    b.wait(lambda: b.path() == "/reports", "the reports link")
    b.click("preset-month")
    Select(b.el("report-format")).select_by_value("html")
    b.click("report-submit")
    b.wait(lambda: b.path() == "/api/v1/report", "the printable report")
    check("Xã Thử Nghiệm" in b.d.find_element(By.TAG_NAME, "body").text, "the officer's report")
    b.shot("printable-report", layout=False)
    b.open("/reports")
    cookie, token = b.cookie(), b.csrf()
    check(token and len(token) == 64, f"no CSRF token on the officer's page: {token}")
    frm, to = month_period()
    r = req("GET", f"/api/v1/report?from={frm}&to={to}&format=csv&download=1", cookie=cookie)
    rows = csv_rows(r.text)
    check(r.status == 200 and rows and rows[-1]["key"] == "total" and int(rows[-1]["completed"]) >= 1,
          f"the officer's CSV: {r.status} {rows[-1:] if rows else r.text[:200]}")

    # The API says no, with a valid session and token, and stores nothing.
    before = bulletin_ids(cookie)
    ctype, body = multipart([("title", "cán bộ")], [("file", "x.wav", open(min(
        glob.glob(os.path.join(WORK, "*.wav"))), "rb").read())])
    for method, path, data, hdr in (("POST", "/api/v1/bulletins", body, {"Content-Type": ctype}),
                                    ("POST", "/api/v1/stop", {}, None),
                                    ("POST", "/api/v1/play", {"id": a}, None),
                                    ("POST", "/api/v1/alert", {"id": a}, None),
                                    ("PATCH", f"/api/v1/bulletins/{a}", {"title": "x"}, None),
                                    ("POST", f"/api/v1/bulletins/{a}/retire", {}, None)):
        r = req(method, path, data, cookie=cookie, csrf=token, headers=hdr)
        check(r.status == 403 and r.json().get("error") == "forbidden",
              f"an officer's {method} {path}: {r.status} {r.text[:200]}")
    for path in ("/stop", "/alert"):
        r = req("GET", path, cookie=cookie)
        check(r.status == 403, f"an officer's GET {path}: {r.status}")
    r = req("POST", "/play", f"csrf={token}&id={a}".encode(), cookie=cookie,
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(r.status == 403, f"an officer's play form: {r.status}")
    check(bulletin_ids(cookie) == before, "an officer's requests changed the library")
    b.open("/")
    b.logout()


def xss_story(b, width):
    """A title that is markup, uploaded from the form: shown as text on every
    page it appears on, and no script runs."""
    b.begin("xss", width)
    # The hook sees a script that runs (else its silence would prove nothing).
    b.d.get("data:text/html,<img src=http://127.0.0.1:9/x onerror=alert(7)>")
    b.wait(lambda: b.d.execute_script("return window.__loaDialogs") == ["alert:7"], "the dialog hook")
    b.login("operator")
    b.open("/library")
    b.el("upload-title").send_keys(XSS)
    box = b.css('#upload-slots input[value="sang"]')
    check(box, "no slot box in the upload form")
    box[0].click()
    b.el("upload-input").send_keys(mkaudio(f"xss-{width}.mp3", "--seconds", "2", "--freq", str(700 + width), "tone"))
    b.click("upload-submit")
    (_, _, cls, text, href), = upload_results(b, 1)
    check(cls == "ok" and href, f"the upload with a markup title: {cls} {text}")
    x = int(href.rsplit("/", 1)[1])
    b.no_script_ran()
    b.open("/library")
    check(b.text(f"edit-{x}") == XSS, f"the library shows '{b.text(f'edit-{x}')}'")
    b.no_script_ran()
    b.shot("library")
    b.open(f"/library/{x}")
    check(b.d.find_element(By.TAG_NAME, "h1").text == XSS, "the bulletin's heading is not the title as text")
    check(b.d.title.startswith(XSS), f"the window title: {b.d.title}")
    check(b.el("edit-title").get_attribute("value") == XSS, "the edit form's title")
    b.no_script_ran()
    b.shot("bulletin")
    b.open("/schedule")
    check([a for a in b.css("#week-table a") if a.text == XSS], "the week does not show the title as text")
    b.no_script_ran()
    for path in ("/", "/reports", "/audit", f"/alert?id={x}"):
        b.open(path)
        b.no_script_ran()
    check(XSS in b.el("alert-bulletin").text, "the alert's list lacks the title as text")
    b.open("/")
    b.logout()


# ---- security, over HTTP ----

def slow_client(stop, errors):
    """Sends a request a byte a second until told to stop."""
    try:
        s = socket.create_connection((HOST, PORT), timeout=30)
        for ch in b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n":
            if stop.wait(1.0):
                break
            s.send(bytes([ch]))
        s.close()
    except OSError as e:
        errors.append(repr(e))


def oversize(cookie, csrf, mode, size):
    """An upload of SIZE bytes: with a length and Expect: 100-continue, with
    a length and the body sent anyway, or chunked without a length. Returns
    the status, or None when the server closed the connection instead."""
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
            f"Content-Type: audio/wav\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    c = httpc.HTTPConnection(HOST, PORT, timeout=15)
    c.putrequest("POST", "/api/v1/bulletins")
    c.putheader("Cookie", "loa_session=" + cookie)
    c.putheader("X-CSRF-Token", csrf)
    c.putheader("Content-Type", "multipart/form-data; boundary=" + boundary)
    if mode == "chunked":
        c.putheader("Transfer-Encoding", "chunked")
    else:
        c.putheader("Content-Length", str(len(head) + size + len(tail)))
    if mode == "expect":
        c.putheader("Expect", "100-continue")
    c.endheaders()
    try:
        if mode != "expect":
            block = os.urandom(65536)
            c.send(head if mode != "chunked" else b"%x\r\n%s\r\n" % (len(head), head))
            for _ in range(size // len(block)):
                c.send(block if mode != "chunked" else b"%x\r\n%s\r\n" % (len(block), block))
            c.send(tail if mode != "chunked" else b"%x\r\n%s\r\n0\r\n\r\n" % (len(tail), tail))
        r = c.getresponse()
        r.read()
        return r.status
    except (BrokenPipeError, ConnectionResetError, httpc.RemoteDisconnected):
        return None
    finally:
        c.close()


def security():
    """CSRF, roles, paths, oversize uploads, logout, a slow client, and
    the login throttle last (it holds this address for a while)."""
    op, op_csrf = api_login("operator")
    off, off_csrf = api_login("officer")

    # CSRF: missing, wrong, and (the control) right.
    r = req("POST", "/api/v1/stop", {}, cookie=op)
    check(r.status == 403 and r.json().get("error") == "csrf", f"stop without a CSRF token: {r.status} {r.text}")
    r = req("POST", "/api/v1/stop", {}, cookie=op, csrf=off_csrf)
    check(r.status == 403 and r.json().get("error") == "csrf", f"stop with another session's token: {r.status}")
    r = req("POST", "/logout", b"csrf=nope", cookie=op, headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(r.status == 403, f"a form with a wrong CSRF field: {r.status}")
    r = req("POST", "/api/v1/stop", {}, cookie=op, csrf=op_csrf)
    check(r.status == 409, f"stop with the token, nothing on air: {r.status} {r.text}")

    # The wrong role, with a valid token.
    for method, path, data, cookie, token in (
            ("POST", "/api/v1/stop", {}, off, off_csrf),
            ("POST", "/api/v1/slots", {"name": "chieu", "start": "17:00"}, off, off_csrf),
            ("GET", "/api/v1/accounts", None, op, None),
            ("POST", "/api/v1/accounts", {"name": "x1", "role": "admin", "password": "mat-khau-x1"}, op, op_csrf),
            ("GET", "/accounts", None, op, None)):
        r = req(method, path, data, cookie=cookie, csrf=token)
        check(r.status == 403, f"{method} {path} by the wrong role: {r.status}")

    # Ids that are paths: 404, whatever the trick; the real one answers.
    ids = bulletin_ids(op)
    r = req("GET", f"/api/v1/bulletins/{ids[0]}/audio", cookie=op, headers={"Range": "bytes=0-9"})
    check(r.status == 206 and len(r.body) == 10, f"the audio of #{ids[0]}: {r.status}")
    for p in ("/api/v1/bulletins/..%2f..%2fetc%2fpasswd/audio", "/api/v1/bulletins/1;rm/audio",
              "/api/v1/bulletins/1%3brm/audio", "/api/v1/bulletins/../../etc/passwd/audio",
              "/api/v1/bulletins/%2e%2e/%2e%2e/loa.db", "/api/v1/bulletins/1/../../../loa.db",
              "/api/v1/bulletins/1%00/audio", "/api/v1/bulletins/1%2f..%2f2/audio",
              "/api/v1/bulletins/01/audio", "/api/v1/bulletins/-1/audio", "/api/v1/bulletins/+1/audio",
              "/api/v1/bulletins/0x1/audio", "/api/v1/bulletins/1e3/audio",
              "/api/v1/bulletins/99999999999999999999999/audio", "/api/v1/bulletins//audio",
              "/library/..%2f..%2fetc%2fpasswd", "/library/1;rm", "/library/1%0a",
              "/static/..%2f..%2fetc%2fpasswd", "/static/../loa.conf", "/static/loa.css/..%2f..%2floa.db",
              "/..%2floa.conf", "//etc/passwd"):
        r = req("GET", p, cookie=op)
        check(r.status == 404 and b"root:" not in r.body and b"SQLite format" not in r.body,
              f"GET {p}: {r.status}, expected 404")

    # Over web.max_upload_mb (2 MB here): 413 or cut off, nothing stored,
    # no temporary file left.
    before = bulletin_ids(op)
    big = 3 * 1024 * 1024
    got = oversize(op, op_csrf, "expect", big)
    check(got == 413, f"an oversize upload announced with Expect: {got}")
    got = oversize(op, op_csrf, "length", big)
    check(got in (413, None), f"an oversize upload sent whole: {got}")
    got = oversize(op, op_csrf, "chunked", big)
    check(got in (413, None), f"an oversize upload without a length: {got}")
    for _ in range(50):
        if not upload_temps():
            break
        time.sleep(0.1)
    check(not upload_temps(), f"temporary uploads left: {upload_temps()}")
    check(bulletin_ids(op) == before, "an oversize upload changed the library")

    # A slow client (a few: a byte a second each) holds only its own
    # threads: another client's page answers meanwhile.
    stop, errors = threading.Event(), []
    slow = [threading.Thread(target=slow_client, args=(stop, errors)) for _ in range(4)]
    for t in slow:
        t.start()
    time.sleep(2.5)
    worst = 0.0
    for path in ("/library", "/api/v1/status", "/log"):
        t0 = time.monotonic()
        r = req("GET", path, cookie=op, timeout=10)
        worst = max(worst, time.monotonic() - t0)
        check(r.status == 200, f"GET {path} beside slow clients: {r.status}")
    check(all(t.is_alive() for t in slow) and not errors, f"the slow clients were cut off early: {errors}")
    stop.set()
    for t in slow:
        t.join()
    check(worst < 3.0, f"a page took {worst:.2f} s beside slow clients")

    # Logout over the API: the old cookie is dead.
    r = req("POST", "/api/v1/logout", {}, cookie=op, csrf=op_csrf)
    check(r.status == 200, f"logout: {r.status}")
    for path in ("/api/v1/session", "/api/v1/status"):
        r = req("GET", path, cookie=op)
        check(r.status == 401, f"GET {path} after logout: {r.status}")

    # The throttle (web/throttle.c): THROTTLE_FREE = 5 failures are free;
    # the 5th sets a wait of 1 s, each failure after it doubles it. While
    # it runs every attempt, the right password too, is 401 "wait" with
    # Retry-After, and is not counted; a success clears the name and the
    # address.
    name, password = ACCOUNTS["throttle"]
    login = lambda pw: req("POST", "/api/v1/login", {"username": name, "password": pw})
    for k in range(5):
        r = login("sai-mat-khau")
        check(r.status == 401 and r.json().get("error") == "login-failed", f"bad password {k + 1}: {r.status} {r.text}")
    r = login(password)
    check(r.status == 401 and r.json().get("error") == "wait" and r.headers.get("Retry-After") == "1",
          f"the 6th try, right password: {r.status} {r.text} Retry-After {r.headers.get('Retry-After')}")
    r = req("POST", "/api/v1/login", {"username": ACCOUNTS["officer"][0], "password": ACCOUNTS["officer"][1]})
    check(r.status == 401 and r.json().get("error") == "wait", f"another name from the same address: {r.status}")
    time.sleep(1.1)
    r = login("sai-mat-khau")
    check(r.status == 401 and r.json().get("error") == "login-failed", f"a bad password after the wait: {r.status}")
    r = login(password)
    check(r.status == 401 and r.headers.get("Retry-After") == "2", f"the doubled wait: {r.status} "
          f"Retry-After {r.headers.get('Retry-After')}")
    time.sleep(2.1)
    r = login(password)
    check(r.status == 200, f"the right password after the wait: {r.status} {r.text}")
    r = login("sai-mat-khau")
    check(r.status == 401 and r.json().get("error") == "login-failed", f"a success clears the count: {r.text}")
    r = login(password)
    check(r.status == 200, f"a login after a success and one failure: {r.status}")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    for old in glob.glob(os.path.join(SHOTS, "*.png")):
        os.remove(old)
    started = time.monotonic()
    b = Browser()
    failed = []

    def run(label, fn, *args):
        t0, n0 = time.monotonic(), CHECKS[0]
        try:
            out = fn(*args)
            print(f"  ok   {label}: {CHECKS[0] - n0} checks, {time.monotonic() - t0:.1f} s")
            return out
        except Exception as e:
            failed.append(label)
            print(f"FAIL {label}: {e}")
            if not isinstance(e, Failed):
                traceback.print_exc()
            try:
                b.d.save_screenshot(os.path.join(SHOTS, f"FAIL-{label.replace(' ', '-')}.png"))
                print(f"     at {b.d.current_url}; screenshot FAIL-{label.replace(' ', '-')}.png")
            except Exception:
                pass
            return None

    try:
        for w in WIDTHS:
            run(f"operator at {w} px", operator_story, b, w)
            run(f"officer at {w} px", officer_story, b, w)
            run(f"xss at {w} px", xss_story, b, w)
        run("security", security)
    finally:
        b.quit()
    shots = len(glob.glob(os.path.join(SHOTS, "*.png")))
    print(f"  browser: {CHECKS[0]} checks, {len(failed)} stories failed, {time.monotonic() - started:.0f} s; "
          f"{shots} screenshots in {SHOTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
