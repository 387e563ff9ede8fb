#!/usr/bin/env bash
# Build (once) the tiny guest the vhost-user tests boot under QEMU:
#
#     build-guest.sh OUTDIR        # e.g. build/guest
#
# OUTDIR receives vmlinuz and initramfs.img: Debian's own kernel
# (linux-image-amd64, unpacked with apt-get download + dpkg-deb -x; nothing
# is installed) and an initramfs made of busybox-static, the virtio modules
# and guest-init.sh.  The result is cached: a second run with the same
# inputs does nothing.  Binaries are never committed, only this recipe.
#
# Exit status: 0 when OUTDIR holds a guest, 77 when the packages cannot be
# fetched (the tests then skip), 1 on any other error.
set -euo pipefail

OUT=${1:?usage: build-guest.sh OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Rebuild when the recipe or the init script changes.
STAMP=$(cat "$HERE/build-guest.sh" "$HERE/guest-init.sh" | sha256sum | cut -c1-16)

if [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initramfs.img" ] &&
	[ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	exit 0
fi

WORK=$(mktemp -d /tmp/vsw-guest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The metapackage names the current kernel package; download that one.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kpkg" ]; then
	echo "build-guest: cannot resolve linux-image-amd64 (run apt-get update?)" >&2
	exit 77
fi
# apt-get download runs as _apt when it can; a world-writable dir keeps it quiet.
chmod 0777 "$WORK"
if ! apt-get download -q "$kpkg" busybox-static >download.log 2>&1; then
	echo "build-guest: cannot download $kpkg busybox-static:" >&2
	tail -n 5 download.log >&2
	exit 77
fi
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x busybox-static_*.deb bb

root=$WORK/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp bb/bin/busybox "$root/bin/busybox"
cp "$HERE/guest-init.sh" "$root/init"
chmod 0755 "$root/init" "$root/bin/busybox"
kver=$(ls kernel/lib/modules)
# Load order matters: insmod does not resolve dependencies.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover \
	net_failover virtio_net; do
	f=$(find "kernel/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
	[ -n "$f" ] || {
		echo "build-guest: module $m not found in $kpkg" >&2
		exit 1
	}
	case $f in
	*.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	echo "$m" >>"$root/lib/modules/order"
done

# A newc cpio archive, written by Python so that the cpio tool is not needed.
python3 - "$root" "$WORK/initramfs.cpio" <<'PY'
import os, stat, sys
root, out = sys.argv[1], sys.argv[2]
ino = 1
def hdr(name, mode, size, nlink=1, rdev=(0, 0)):
    global ino
    ino += 1
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    h = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    return h + b"\0" * (-len(h) % 4)
with open(out, "wb") as f:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(d, root)
        if rel != ".":
            f.write(hdr(rel, stat.S_IFDIR | 0o755, 0, 2))
        for n in sorted(files):
            p = os.path.join(d, n)
            data = open(p, "rb").read()
            mode = os.stat(p).st_mode & 0o7777
            f.write(hdr(os.path.relpath(p, root), stat.S_IFREG | mode, len(data)))
            f.write(data + b"\0" * (-len(data) % 4))
    # The console must exist before devtmpfs is mounted, for the kernel's own stdio.
    f.write(hdr("dev/console", stat.S_IFCHR | 0o600, 0, 1, (5, 1)))
    f.write(hdr("TRAILER!!!", 0, 0))
PY
gzip -9 -n <"$WORK/initramfs.cpio" >"$OUT/initramfs.img.tmp"
cp kernel/boot/vmlinuz-* "$OUT/vmlinuz.tmp"
mv "$OUT/initramfs.img.tmp" "$OUT/initramfs.img"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$STAMP" >"$OUT/stamp"
echo "build-guest: $kpkg + busybox in $OUT"
