#!/bin/busybox sh
# /init of the vhost-user test guest (busybox + virtio-net, nothing else).
#
# Kernel command line:  vsw.ip=ADDR/PREFIX   address for eth0
# When eth0 is up it prints "VSW-GUEST-READY <mac>" on the console, then
# serves a shell there for tests/integration/vhost_lib.sh (guest_run).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko"
done
ip=
for arg in $(cat /proc/cmdline); do
	case $arg in
	vsw.ip=*) ip=${arg#vsw.ip=} ;;
	esac
done
# Only what the test sends: no IPv6 autoconfiguration chatter.
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set eth0 up
[ -n "$ip" ] && ip addr add "$ip" dev eth0
echo "VSW-GUEST-READY $(cat /sys/class/net/eth0/address 2>/dev/null)"
while :; do
	setsid cttyhack sh -l
done
