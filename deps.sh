#!/bin/sh
# Installs the Debian packages loa's build and tests need (Debian 12 /
# Raspberry Pi OS). As root it runs apt-get; otherwise it prints the exact
# command to run and exits 1, so `make check` never half-works.
# `deps.sh ARCH` (arm64, armhf) installs instead what `make cross-check`
# needs: the cross toolchain, the ARCH -dev packages (multiarch) and qemu-user.
# `deps.sh bench` adds what `make bench` needs beyond the tests: aplay, the
# cron-style comparison (Liquidsoap is optional and never installed here),
# and libjack's headers for the ear (bench/ear.c).
# `deps.sh deb` adds what `make deb` and `make deb-check` need.
# `deps.sh arm-check ARCH` adds what `make arm-check` needs: the package
# tools, mmdebstrap, qemu-user-static with binfmt-support (foreign
# maintainer scripts), qemu-system-arm (which boots arm64 too), and the
# cross-build packages of ARCH.
# `deps.sh fuzz` adds clang and its libFuzzer runtime for `make fuzz`.
# `deps.sh faults` adds what `make check-faults` needs: User-Mode Linux, a
# kernel with a clock of its own for the clock-step test.
set -eu

PKGS="build-essential pkg-config libasound2-dev libsndfile1-dev libconfig-dev
libsqlite3-dev libcmocka-dev libebur128-dev nettle-dev libsystemd-dev tzdata sqlite3 jq valgrind curl
libsodium-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
libavformat-dev libavcodec-dev libswresample-dev libavutil-dev ffmpeg
gettext locales openssl python3
jackd2 libasound2-plugins
chromium chromium-driver python3-selenium"

if [ "${1:-}" = bench ]; then
	# libjack's headers for the ear (bench/ear.c), a JACK client.
	PKGS="$PKGS alsa-utils libjack-jackd2-dev"
	shift
elif [ "${1:-}" = deb ]; then
	# make deb (dpkg-buildpackage, lintian) and make deb-check (debootstrap).
	PKGS="$PKGS debhelper devscripts lintian debootstrap"
	shift
elif [ "${1:-}" = arm-check ]; then
	PKGS="$PKGS debhelper devscripts lintian mmdebstrap qemu-user-static binfmt-support qemu-system-arm e2fsprogs"
	BASE=$PKGS
	shift
elif [ "${1:-}" = faults ]; then
	PKGS="$PKGS user-mode-linux"
	shift
elif [ "${1:-}" = fuzz ]; then
	PKGS="$PKGS clang libclang-rt-dev"
	shift
fi

if [ $# -gt 0 ]; then
	a=$1
	PKGS="${BASE:-} crossbuild-essential-$a qemu-user pkg-config tzdata"
	for d in libasound2-dev libsndfile1-dev libconfig-dev libsqlite3-dev libcmocka-dev \
		 libebur128-dev nettle-dev libsystemd-dev libsodium-dev libmicrohttpd-dev libjansson-dev \
		 libcurl4-openssl-dev libavformat-dev libavcodec-dev libswresample-dev libavutil-dev; do
		PKGS="$PKGS $d:$a"
	done
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "cross-building for $a needs its packages: sudo dpkg --add-architecture $a" >&2
			echo "then run this again" >&2
			exit 1
		fi
		dpkg --add-architecture "$a"
	fi
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "loa needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "installing:$missing" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive $cmd
