#!/usr/bin/python3
"""Is loa's 64-bit time_t safe on armhf? (issue #21, doc/arm.md)

Debian 12's armhf libraries are built with a 32-bit time_t; loa is built
with -D_TIME_BITS=64. glibc has both ABIs, so its calls are safe. Any other
library's function whose interface carries a time_t, a struct timespec or
timeval, an off_t or a struct stat (also through a typedef, a struct member
or a callback's parameters) would see a different layout than loa passes:
such a function must not be called. This script preprocesses the headers of
every library loa links, for armhf, finds those functions, and fails when
the binary (argument 1) imports one of them. It also fails when the sources
name a time-carrying type or option of a library that a symbol check cannot
see (a vararg option, a callback's structure).

    tests/arm/time-abi.py build-armhf/loa
"""
import re
import subprocess
import sys

TRIPLET = "arm-linux-gnueabihf"
HEADERS = ["alsa/asoundlib.h", "sndfile.h", "libconfig.h", "sqlite3.h",
           "nettle/sha2.h", "ebur128.h", "systemd/sd-daemon.h",
           "systemd/sd-journal.h", "systemd/sd-event.h", "sodium.h",
           "microhttpd.h", "jansson.h", "curl/curl.h", "libavformat/avformat.h",
           "libavcodec/avcodec.h", "libswresample/swresample.h"]
# What loa's sources must not name: carried by varargs or callbacks.
SOURCE_DENY = r"snd_htimestamp_t|curl_fileinfo|CURLOPT_CHUNK_BGN_FUNCTION|curl_getdate|snd_pcm_status_t"
# off_t and the structures glibc changes with _TIME_BITS/_FILE_OFFSET_BITS;
# not glibc's fixed-width __off64_t (FILE holds one, the same either way).
TIME_TYPES = {"time_t", "__time64_t", "off_t", "struct timespec", "struct timeval",
              "struct stat", "struct itimerspec", "struct timex"}


def preprocess():
    src = "".join(f"#include <{h}>\n" for h in HEADERS)
    cflags = subprocess.run(["pkg-config", "--cflags", "alsa", "sndfile", "libconfig", "sqlite3",
                             "nettle", "libebur128", "libsystemd", "libsodium", "libmicrohttpd",
                             "jansson", "libcurl", "libavformat", "libavcodec", "libswresample",
                             "libavutil"], capture_output=True, text=True, check=True,
                            env={"PKG_CONFIG_LIBDIR": f"/usr/lib/{TRIPLET}/pkgconfig:/usr/share/pkgconfig",
                                 "PATH": "/usr/bin:/bin"}).stdout.split()
    out = subprocess.run([f"{TRIPLET}-gcc", "-E", "-P", "-std=gnu11", "-D_GNU_SOURCE",
                          "-D_FILE_OFFSET_BITS=64", "-D_TIME_BITS=64", *cflags, "-x", "c", "-"],
                         input=src, capture_output=True, text=True, check=True).stdout
    out = re.sub(r"__attribute__\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)", " ", out)
    return re.sub(r"\s+", " ", out)


def declarations(text):
    """Top-level declarations, split on ';' outside braces."""
    depth, cur = 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == ";" and depth == 0:
            yield "".join(cur).strip()
            cur = []
        else:
            cur.append(ch)


def carries(decl, tainted):
    for t in tainted:
        if re.search(r"(?<![\w])" + re.escape(t) + r"(?![\w])", decl):
            return t
    return None


def main():
    binary = sys.argv[1]
    decls = list(declarations(preprocess()))
    tainted = set(TIME_TYPES)
    # Typedefs and structs that carry a tainted type, to a fixed point.
    changed = True
    while changed:
        changed = False
        for d in decls:
            if not carries(d, tainted):
                continue
            m = re.match(r"(?:typedef\s+)?(struct|union)\s+(\w+)\s*\{", d)
            if m and f"{m.group(1)} {m.group(2)}" not in tainted:
                tainted.add(f"{m.group(1)} {m.group(2)}")
                changed = True
            if d.startswith("typedef"):
                m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", d) or re.search(r"(\w+)\s*(?:\[[^\]]*\])?$", d)
                if m and m.group(1) not in tainted:
                    tainted.add(m.group(1))
                    changed = True
    functions = {}
    for d in decls:
        if d.startswith("typedef") or "(" not in d:
            continue
        d = re.sub(r"^(?:(?:struct|union|enum)\s+\w+\s*\{.*\}\s*)", "", d)
        m = re.search(r"(\w+)\s*\(", d)
        if not m:
            continue
        t = carries(d, tainted)
        if t:
            functions[m.group(1)] = t
    nm = subprocess.run([f"{TRIPLET}-nm", "-D", "--undefined-only", binary],
                        capture_output=True, text=True, check=True).stdout
    # glibc has both ABIs: its calls are safe. Everything else is checked.
    imported = {line.split()[-1].split("@")[0] for line in nm.splitlines()
                if line.strip() and "@GLIBC_" not in line}
    # What is loaded at first use (util/dynlib.h) is not imported: the
    # names in the tables of functions each door resolves with dlsym.
    loaded = set()
    for table in ("web/libmhd.h", "upstream/libcurl.h", "audio/stream.c"):
        loaded |= set(re.findall(r"\bX\((?:FF_\w+, )?(\w+)\)", open(table).read()))
    if len(loaded) < 40:
        print(f"time-abi: found only {len(loaded)} functions in the dlopen tables; has their form changed?")
        return 1
    imported |= loaded
    bad = sorted(s for s in imported if s in functions)
    grep = subprocess.run(["grep", "-rnE", SOURCE_DENY, "--include=*.c", "--include=*.h",
                           "util", "db", "config", "content", "auth", "ledger", "audio",
                           "scheduler", "report", "cli", "web", "upstream"],
                          capture_output=True, text=True).stdout
    examples = [f for f in ("snd_pcm_status_get_htstamp", "snd_pcm_htimestamp", "curl_getdate",
                            "snd_pcm_status_get_tstamp", "MHD_create_response_from_fd_at_offset")
                if f in functions]
    print(f"time-abi: {len(functions)} functions of loa's libraries carry a time_t, timespec, "
          f"timeval, off_t or stat on armhf (e.g. {', '.join(examples)}); loa imports "
          f"{len(imported)} non-glibc functions, {len(bad)} of them among those")
    for s in bad:
        print(f"  {s}: its interface carries {functions[s]}, 32-bit in Debian 12's armhf library")
    if grep:
        print("  the sources name what carries a time_t past a library boundary:\n" + grep)
    if bad or grep:
        print("time-abi: loa's 64-bit time_t would cross a 32-bit library interface on armhf; "
              "see doc/arm.md for the way around")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
