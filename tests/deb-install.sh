#!/usr/bin/env bash
# The Debian package on a fresh Debian 12, as a station would meet it:
# `make deb-check` installs build/deb/loa_*.deb with apt into a bookworm
# made by debootstrap (minbase, nothing else), then checks what issue #6
# promises: the user and group exist, /var/lib/loa belongs to them and no
# one else, /etc/loa/loa.conf is valid, the unit is enabled and
# systemd-analyze accepts it, an operator outside group loa is told to ask
# for it, `remove` keeps the evidence and `purge` says it removes it.
#
# Needs root (chroot, mounts) and debootstrap. The fresh system is made once
# into build/debian-12 (which `make deb` leaves alone) and copied for each run, so a second run
# costs seconds, not minutes. Closes with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "make deb-check needs root: it uses chroot and mounts" >&2; exit 1; }
command -v debootstrap >/dev/null || {
	echo "make deb-check needs debootstrap: apt-get install --no-install-recommends debootstrap" >&2
	exit 1
}
deb=$(ls build/deb/loa_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "no package in build/deb; run make deb first" >&2; exit 1; }

mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
base=build/debian-12
root=$PWD/build/deb/root
if [ ! -x "$base/usr/bin/apt-get" ]; then
	rm -rf "$base"
	debootstrap --variant=minbase bookworm "$base" "$mirror" >build/deb/debootstrap.log 2>&1 ||
		{ tail -20 build/deb/debootstrap.log >&2; exit 1; }
fi

mounted=()
teardown() {
	local m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[i]}
		umount -l "$m" 2>/dev/null || true
	done
}
trap teardown EXIT
rm -rf "$root"
cp -a "$base" "$root"
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m"
	mounted+=("$root/$m")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service may start inside the chroot: the host's init is not its init.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

. tests/check.sh

in_root apt-get update -qq >/dev/null
# man-db only so systemd-analyze can follow the unit's Documentation= links.
if ! in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	/tmp/$(basename "$deb") man-db" >build/deb/install.log 2>&1; then
	tail -30 build/deb/install.log >&2
	check "apt installs the package" false
	echo "deb: $passed passed, $failed failed"
	exit 1
fi
check "apt installs the package" true

check "user loa exists, in group audio" \
	in_root sh -c 'id -nG loa | tr " " "\n" | grep -qx audio'
check "/var/lib/loa is loa:loa 2770" \
	test "$(in_root stat -c '%U:%G %a' /var/lib/loa)" = "loa:loa 2770"
check "/etc/loa/loa.conf passes loa check" \
	test "$(in_root loa --config /etc/loa/loa.conf check 2>&1)" = ok
check "the service is enabled" \
	test -L "$root/etc/systemd/system/multi-user.target.wants/loa.service"
check "systemd-analyze verify accepts the installed unit" \
	in_root systemd-analyze verify /lib/systemd/system/loa.service
check "the console's service is enabled" \
	test -L "$root/etc/systemd/system/multi-user.target.wants/loa-web.service"
check "systemd-analyze verify accepts the console's unit" \
	in_root systemd-analyze verify /lib/systemd/system/loa-web.service
check "the province link's service is enabled" \
	test -L "$root/etc/systemd/system/multi-user.target.wants/loa-upstream.service"
check "systemd-analyze verify accepts the province link's unit" \
	in_root systemd-analyze verify /lib/systemd/system/loa-upstream.service
check "without an upstream group the link exits at once, and 0" \
	in_root sh -c 'timeout 5 loa --config /etc/loa/loa.conf upstream run | grep -q "no upstream group"' 
check "man loa and man loa.conf" \
	in_root sh -c 'man -P cat loa >/dev/null 2>&1 && man -P cat 5 loa.conf >/dev/null 2>&1'

# Vietnamese on a box that never generated the vi_VN locale.
printf 'station = { name = "X"; timezone = "Asia/Ho_Chi_Minh"; colour = 1; };\n' >"$root/tmp/broken.conf"
msg=$(chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin LANG=vi_VN.UTF-8 \
	loa --config /tmp/broken.conf check 2>&1 || true)
check "LANG=vi_VN.UTF-8 loa check speaks Vietnamese" grep -q "không được biết" <<<"$msg"

# An operator in group loa imports; one outside it is told what to do.
in_root useradd -m -G loa canbo
in_root useradd -m khach
check "a member of group loa can read the library" \
	in_root su canbo -s /bin/sh -c 'loa --config /etc/loa/loa.conf list >/dev/null'
msg=$(in_root su khach -s /bin/sh -c 'loa --config /etc/loa/loa.conf list' 2>&1 || true)
check "a non-member is told to ask for group loa" grep -q "group loa" <<<"$msg"

# remove keeps the evidence and the config; purge says what it removes.
echo "evidence" >"$root/var/lib/loa/marker"
in_root dpkg -r loa >build/deb/remove.log 2>&1
check "remove takes the binary away" test ! -e "$root/usr/bin/loa"
check "remove keeps /var/lib/loa" test -f "$root/var/lib/loa/marker"
check "remove keeps /etc/loa/loa.conf" test -f "$root/etc/loa/loa.conf"
in_root dpkg -P loa >build/deb/purge.log 2>&1
check "purge says it removes the evidence" grep -q "removing /var/lib/loa" build/deb/purge.log
check "purge removes /var/lib/loa" test ! -e "$root/var/lib/loa"

echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
