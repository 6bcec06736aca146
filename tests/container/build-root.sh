#!/bin/sh
# Builds the container root the system-resource tests boot: a minimal Debian
# with systemd, dbus, PackageKit and polkit, and every unit masked that would
# touch the machine's shared kernel or disk. Built once into ROOT.partial and
# renamed to ROOT when complete, so an interrupted build is never used.
# Usage: build-root.sh ROOT   (as root; needs debootstrap)
set -eu
root=$1
partial=$root.partial
[ -d "$root" ] && exit 0
rm -rf "$partial"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase --include=systemd,dbus,passwd,apt-utils \
	bookworm "$partial" http://deb.debian.org/debian >"$partial.log" 2>&1 ||
	{ tail -20 "$partial.log" >&2; exit 1; }
# PackageKit's apt backend reads the package lists, so they are fetched now.
chroot "$partial" sh -c 'apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends packagekit polkitd dbus-user-session' \
	>>"$partial.log" 2>&1 || { tail -20 "$partial.log" >&2; exit 1; }
units="systemd-remount-fs.service systemd-sysctl.service systemd-modules-load.service
	systemd-binfmt.service systemd-pstore.service systemd-random-seed.service
	sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount
	sys-kernel-config.mount dev-hugepages.mount dev-mqueue.mount getty@.service
	systemd-udevd.service systemd-udev-trigger.service systemd-firstboot.service
	systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer
	packagekit-offline-update.service"
for unit in $units; do
	ln -sf /dev/null "$partial/etc/systemd/system/$unit"
done
# The target the container boots: the bus and nothing else.
cat >"$partial/etc/systemd/system/mgmt-test.target" <<'UNIT'
[Unit]
Description=The system-resource tests' container
Requires=dbus.socket
Wants=dbus.service
After=dbus.socket
AllowIsolate=yes
UNIT
echo mgmt-test >"$partial/etc/hostname"
mkdir -p "$partial/opt/mgmt"
mv "$partial" "$root"
