#!/usr/bin/env bash
# `make arm-check ARCH=arm64|armhf` (issue #21): loa proven on the
# station's own architecture as a whole system, not only under qemu-user.
#   1. a minimal Debian 12 of ARCH by mmdebstrap (foreign: its maintainer
#      scripts run through Debian's qemu-user-static binfmt entries), with
#      Debian's kernel for the architecture, systemd, and the package's
#      dependencies already installed (the guest has no network);
#   2. an ext4 image of it made with mkfs.ext4 -d (no loop mount), holding
#      the cross-built package, tests/arm/guest.sh, the e2e tests that need
#      no JACK, browser or Python, and the cross-built mkaudio;
#   3. boots it with qemu-system-{aarch64,arm} -M virt, the image's own
#      kernel and initrd, root=/dev/vda, no network; guest.sh installs the
#      package with apt, airs a slot a minute ahead through loa.service on
#      an ALSA file device, stops the service, runs the e2e tests and
#      powers off;
#   4. reads what the guest wrote back out of the image with debugfs and
#      judges it here. Closes with "arm-check ARCH: N passed, N failed".
# The Debian 12 base is made once into build/arm-ARCH/base (rebuilt when
# the package's dependencies change); a second run costs the boot only.
# Needs root (mmdebstrap, binfmt). Under emulation timings mean nothing:
# the times printed are those of this machine emulating an arm, not a Pi.
set -euo pipefail
cd "$(dirname "$0")/../.."

arch=${1:?usage: tests/arm/arm-check.sh arm64|armhf}
case $arch in
arm64)
	kernel_pkg=linux-image-arm64 qemu=qemu-system-aarch64 cpu=cortex-a57 binfmt=qemu-aarch64 ;;
armhf)
	kernel_pkg=linux-image-armmp-lpae qemu=qemu-system-arm cpu=cortex-a15 binfmt=qemu-arm ;;
*)
	echo "arm-check: ARCH must be arm64 or armhf, not '$arch'" >&2
	exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "make arm-check needs root: mmdebstrap makes a system of root-owned files" >&2; exit 1; }
deb=$(ls build/deb-"$arch"/loa_*_"$arch".deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "no package in build/deb-$arch; run make deb DEBARCH=$arch first" >&2; exit 1; }
for f in build-"$arch"/mkaudio build-"$arch"/tests/test_engine build/mkaudio; do
	[ -x "$f" ] || { echo "arm-check: $f is missing; make arm-check builds it" >&2; exit 1; }
done

work=build/arm-$arch
mkdir -p "$work"
mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
began=$SECONDS

# Foreign maintainer scripts run through binfmt_misc: the entries Debian's
# qemu-user-static installs, enabled by binfmt-support's own tool (what its
# service does at boot on a machine whose init is systemd).
if [ ! -e /proc/sys/fs/binfmt_misc/$binfmt ]; then
	update-binfmts --enable $binfmt
fi

# 1. The base system: the package's dependencies (first alternative, no
# versions), the kernel and initramfs, systemd as init, and what guest.sh
# and the e2e tests use (jq, sqlite3, and locales: t_i18n builds vi_VN.UTF-8).
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$')
pkgs=$(printf '%s\n' systemd-sysv udev "$kernel_pkg" initramfs-tools jq sqlite3 locales $depends | sort -u | tr '\n' ' ')
base=$work/base
debootstrap_s=0
if [ ! -x "$base/usr/bin/apt-get" ] || [ "$(cat "$work/base.pkgs" 2>/dev/null)" != "$pkgs" ]; then
	rm -rf "$base" "$work/base.pkgs"
	t=$SECONDS
	echo "arm-check $arch: making Debian 12 with mmdebstrap (log: $work/mmdebstrap.log)"
	# The initramfs with the few modules this machine needs, not "most":
	# mkinitramfs under qemu-user takes minutes per hundred modules.
	mmdebstrap --arch="$arch" --variant=minbase --include="${pkgs// /,}" \
		--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
		--setup-hook='echo MODULES=list >"$1/etc/initramfs-tools/conf.d/loa-arm-check.conf"' \
		--setup-hook='printf "%s\n" virtio_mmio virtio_pci virtio_blk crc32c_generic ext4 >"$1/usr/share/initramfs-tools/modules.d/loa-arm-check"' \
		bookworm "$base" "$mirror" \
		>"$work/mmdebstrap.log" 2>&1 || { tail -30 "$work/mmdebstrap.log" >&2; exit 1; }
	echo "$pkgs" >"$work/base.pkgs"
	debootstrap_s=$((SECONDS - t))
fi

# 2. The image: a copy of the base with the check added.
root=$work/root
rm -rf "$root"
cp -a "$base" "$root"
d=$root/root/arm-check
mkdir -p "$d/e2e"
cp "$deb" "$d/"
cp tests/arm/guest.sh build-"$arch"/mkaudio build-"$arch"/tests/test_engine "$d/"
cp tests/e2e/lib.sh tests/e2e/run.sh "$d/e2e/"
# lib.sh names the province's folder beside its own, even when unused.
cp -r tests/upstream "$d/upstream"
# The unit test's cmocka, only for it (LD_LIBRARY_PATH): not in the base,
# which holds what a station has.
mkdir -p "$d/lib"
cp -L /usr/lib/"$(dpkg-architecture -a"$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)"/libcmocka.so.0 "$d/lib/"
skipped=""
for t in tests/e2e/t_*.sh; do
	if grep -qE 'jack_start|province_start|python3|chromium|LOA_SHARED' "$t"; then
		skipped="$skipped $(basename "$t" .sh)"
	else
		cp "$t" "$d/e2e/"
	fi
done
cat >"$root/etc/systemd/system/loa-arm-check.service" <<'UNIT'
[Unit]
Description=loa arm-check: install the package, air a slot, run the e2e tests
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/root/arm-check/guest.sh
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/loa-arm-check.service "$root/etc/systemd/system/multi-user.target.wants/loa-arm-check.service"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
echo "loa-$arch" >"$root/etc/hostname"
kernel=$(ls "$root"/boot/vmlinuz-* | head -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | head -n 1)
[ -f "$kernel" ] && [ -f "$initrd" ] || { echo "arm-check: no kernel or initrd in $root/boot" >&2; exit 1; }
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"
img=$work/disk.img
rm -f "$img"
size_mb=$(($(du -sm "$root" | cut -f1) + 768))
mkfs.ext4 -q -F -L loa-root -d "$root" "$img" "${size_mb}M"
rm -rf "$root"

# 3. Boot. panic=-1 and -no-reboot: a kernel panic ends qemu, not the check.
echo "arm-check $arch: booting (console: $work/console.log)"
t=$SECONDS
rc=0
timeout "${ARM_CHECK_TIMEOUT:-2400}" "$qemu" -M virt -cpu "$cpu" -smp 2 -m 1024 -nographic -no-reboot \
	-nic none -kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
	-append "root=/dev/vda rw console=ttyAMA0 panic=-1" \
	-drive file="$img",format=raw,if=virtio </dev/null >"$work/console.log" 2>&1 || rc=$?
boot_s=$((SECONDS - t))
[ "$rc" -eq 0 ] || echo "arm-check $arch: qemu exited $rc (124: timed out)" >&2

# 4. What the guest saw, read out of the image.
out=$work/out
rm -rf "$out"
debugfs -R "rdump /root/arm-check/out $work" "$img" >/dev/null 2>&1 || true

. tests/check.sh
fact() { sed -n "s/^$1=//p" "$out/facts" 2>/dev/null | tail -n 1; }

check "the guest booted and ran the check to its end" grep -aq 'ARM-CHECK done' "$work/console.log"
check "the guest is $arch" test "$(fact arch)" = "$arch"
check "apt installed the package offline" test "$(fact apt_rc)" = 0
check "loa.service active before the slot" test "$(fact active_before_slot)" = active
check "loa.service still active after the airing" test "$(fact active_after_airing)" = active

row=$(jq '.[0]' "$out/log.json" 2>/dev/null || echo null)
dur=$(jq ".[] | select(.id == $(fact bulletin_id || echo 0)) | .duration_ms" "$out/list.json" 2>/dev/null || true)
played=$(jq -r '.played_ms // empty' <<<"$row" 2>/dev/null || true)
check "the ledger row is completed" test "$(jq -r .outcome <<<"$row" 2>/dev/null)" = completed
check "it played the file's duration ($played of ${dur:-?} ms)" \
	test -n "$dur" -a -n "$played" -a $((${played:-0} * 100)) -ge $((${dur:-1} * 99)) -a $((${played:-0} * 100)) -le $((${dur:-0} * 101))
check "loa verify passes" test "$(fact verify_rc)" = 0
lufs="" frames=0 rate=0
if [ -f "$out/capture.wav" ]; then
	read -r lufs _ frames rate _ <<<"$(build/mkaudio measure "$out/capture.wav" 2>/dev/null || true)"
fi
want=$((${dur:-0} * ${rate:-0} / 1000))
check "the capture holds the whole item ($frames frames at $rate Hz, $want expected)" \
	test "$want" -gt 0 -a $((frames * 100)) -ge $((want * 99)) -a $((frames * 100)) -le $((want * 101))
check "the capture is not silence ($lufs LUFS)" awk -v l="${lufs:--999}" 'BEGIN { exit !(l > -30) }'
check "systemctl stop loa is clean ($(fact after_stop))" \
	test "$(fact stop_rc)" = 0 -a -n "$(fact after_stop | grep 'Result=success' | grep 'ExecMainStatus=0')"
check "the e2e tests pass in the guest ($(fact e2e_summary))" test "$(fact e2e_rc)" = 0
check "t_2038 is among them and passed" grep -q '^ok   t_2038' "$out/e2e.log"
check "the unit tests of planning (2038 included) pass in the guest" test "$(fact test_engine_rc)" = 0

# Times: this machine emulating an arm, with other work on it. Not a Pi.
slot=$(fact slot_epoch)
airing=""
if [ "$(jq -r .outcome <<<"$row" 2>/dev/null)" = completed ]; then
	airing="$(( $(date -d "$(jq -r .ended_at <<<"$row")" +%s%3N) - $(date -d "$(jq -r .started_at <<<"$row")" +%s%3N) )) ms for ${dur} ms of audio, first frame $(( $(date -d "$(jq -r .started_at <<<"$row")" +%s%3N) - ${slot:-0} * 1000 )) ms after the slot's second"
fi
echo "  (emulated, not a Pi: wall times of this machine emulating $arch)"
if [ "$debootstrap_s" -gt 0 ]; then made="mmdebstrap: ${debootstrap_s} s"; else made="mmdebstrap: not run, $base reused"; fi
echo "  whole check: $((SECONDS - began)) s; $made; qemu: ${boot_s} s"
echo "  guest: reached the check $(fact boot_s) s after kernel start; apt: $(fact apt_s) s; e2e: $(fact e2e_s) s"
echo "  slot airing: ${airing:-none}"
echo "  e2e skipped (need JACK, the province, Python or a browser):$skipped"
echo "arm-check $arch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
