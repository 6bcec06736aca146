#!/bin/sh
# Runs as the first process of fresh PID, mount, UTS, IPC and cgroup
# namespaces (see tests/run/container.rs): assembles the container's root
# from ROOT (the read-only lower layer) and DIR (its upper layer and its
# /run, which the test reaches from outside), binds the directory holding
# the mgmt binary at /opt/mgmt, and becomes systemd.
# Usage: boot.sh ROOT DIR BINDIR
set -eu
root=$1 dir=$2 bin=$3
merged=$dir/merged
mkdir -p "$dir/upper" "$dir/work" "$dir/run" "$merged"
# Nothing mounted here may reach the machine's own mount table.
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$root,upperdir=$dir/upper,workdir=$dir/work" "$merged"
mount -t proc proc "$merged/proc"
mount --bind "$merged/proc/sys" "$merged/proc/sys"
mount -o remount,bind,ro "$merged/proc/sys"
mount -t sysfs -o ro sysfs "$merged/sys"
# Every v1 controller read-only, so systemd makes no slices at the
# machine's cgroup roots; its own hierarchies writable, rooted at the
# cgroups the test made for this container.
cgroups=$merged/sys/fs/cgroup
mount -t tmpfs -o mode=755 tmpfs "$cgroups"
for controller in $(awk '$4 == 1 && $1 !~ /^#/ { print $1 }' /proc/cgroups); do
	[ -d "/sys/fs/cgroup/$controller" ] || continue
	mkdir "$cgroups/$controller"
	mount -t cgroup -o "ro,$controller" cgroup "$cgroups/$controller" || rmdir "$cgroups/$controller"
done
mkdir "$cgroups/systemd" "$cgroups/unified"
mount -t cgroup -o none,name=systemd cgroup "$cgroups/systemd"
mount -t cgroup2 cgroup2 "$cgroups/unified"
mount -o remount,ro "$cgroups"
# A /dev of its own.
mount -t tmpfs -o mode=755,nosuid tmpfs "$merged/dev"
for node in null zero full random urandom tty; do
	touch "$merged/dev/$node"
	mount --bind "/dev/$node" "$merged/dev/$node"
done
mkdir "$merged/dev/pts" "$merged/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$merged/dev/pts"
ln -s pts/ptmx "$merged/dev/ptmx"
ln -s /proc/self/fd "$merged/dev/fd"
mount -t tmpfs tmpfs "$merged/dev/shm"
mount --bind "$dir/run" "$merged/run"
mount --bind "$bin" "$merged/opt/mgmt"
mount -o remount,bind,ro "$merged/opt/mgmt"
cd "$merged"
mkdir -p .old-root
pivot_root . .old-root
cd /
umount -l /.old-root
rmdir /.old-root
exec env -i container=other NOTIFY_SOCKET=/run/host-notify \
	/lib/systemd/systemd --unit=mgmt-test.target
