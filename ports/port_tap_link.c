/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link of a tap port whose interface lives in another network namespace.
 *
 * A VM's or container's end of a tap port is usually moved into its own
 * namespace (ip link set IF netns NS).  net_tap then asks about the interface
 * by name in vswd's namespace, where it no longer is (or where another
 * interface may have taken the name), and reports the link down while
 * traffic flows.  The tap's keep-alive file descriptor still reaches the
 * device wherever it went: TUNGETIFF gives its current name and
 * TUNGETDEVNETNS (Linux 5.2) its namespace, where SIOCGIFFLAGS is asked.
 *
 * In another namespace the question is asked on a short-lived thread that
 * joins it, makes a socket, asks and closes the socket: no vswd thread stays
 * there, and vswd holds nothing that would keep a container's namespace
 * alive after the container is gone.
 *
 * The keep-alive descriptor is the one net_tap detached from the queues
 * (IFF_DETACH_QUEUE): holding a copy of it carries no traffic.
 */
#include "port_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <rte_ethdev.h>

#ifndef TUNGETDEVNETNS
#define TUNGETDEVNETNS _IO('T', 227) /* Linux 5.2; older headers lack it */
#endif

struct tap_link {
	int tun_fd;        /**< our copy of the keep-alive descriptor, or -1 */
	bool no_other_ns;  /**< joining another namespace failed once (no CAP_SYS_ADMIN) */
};

static struct tap_link tap_links[RTE_MAX_ETHPORTS];
static bool tap_links_ready;
static ino_t own_netns; /* vswd's network namespace; no vswd thread ever leaves it */

static void
tap_links_init(void)
{
	if (tap_links_ready)
		return;
	struct stat st;

	for (unsigned int i = 0; i < RTE_MAX_ETHPORTS; i++)
		tap_links[i] = (struct tap_link){ .tun_fd = -1 };
	own_netns = stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
	tap_links_ready = true;
}

/* The inode of the network namespace of tun descriptor 'fd', or 0. */
static ino_t
device_netns(int fd)
{
	int netns_fd = ioctl(fd, TUNGETDEVNETNS);
	struct stat st;
	ino_t ino = 0;

	if (netns_fd < 0)
		return 0;
	if (fstat(netns_fd, &st) == 0)
		ino = st.st_ino;
	close(netns_fd);
	return ino;
}

/*
 * Is 'fd' net_tap's detached keep-alive queue of the tun device named
 * 'ifname' in our namespace?  (A tap of an earlier port, moved away, may
 * still carry the same name in its own namespace.)
 */
static bool
is_keepalive_of(int fd, const char *ifname, ino_t own)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & IFF_DETACH_QUEUE) != 0 &&
	       strncmp(ifr.ifr_name, ifname, IFNAMSIZ) == 0 && device_netns(fd) == own;
}

/* A copy of net_tap's keep-alive descriptor for 'ifname', or -1. */
static int
find_keepalive(const char *ifname)
{
	DIR *dir = opendir("/proc/self/fd");
	ino_t own = own_netns;
	struct dirent *de;
	int found = -1;

	if (dir == NULL || own == 0) {
		if (dir != NULL)
			closedir(dir);
		return -1;
	}
	while (found < 0 && (de = readdir(dir)) != NULL) {
		char path[64], target[64];
		ssize_t len;
		int fd;

		if (sscanf(de->d_name, "%d", &fd) != 1 || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "/dev/net/tun") == 0 && is_keepalive_of(fd, ifname, own))
			found = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	}
	closedir(dir);
	return found;
}

void
port_tap_link_track(uint16_t eth_port, const char *ifname)
{
	tap_links_init();
	if (eth_port >= RTE_MAX_ETHPORTS)
		return;
	port_tap_link_untrack(eth_port);
	tap_links[eth_port].tun_fd = find_keepalive(ifname);
}

void
port_tap_link_untrack(uint16_t eth_port)
{
	tap_links_init();
	if (eth_port >= RTE_MAX_ETHPORTS)
		return;
	if (tap_links[eth_port].tun_fd >= 0)
		close(tap_links[eth_port].tun_fd);
	tap_links[eth_port] = (struct tap_link){ .tun_fd = -1 };
}

/* SIOCGIFFLAGS for 'ifr', asked in the caller's namespace. @return 0 or -errno. */
static int
ask_flags(struct ifreq *ifr)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (sock < 0)
		return -errno;
	if (ioctl(sock, SIOCGIFFLAGS, ifr) < 0)
		ret = -errno;
	close(sock);
	return ret;
}

struct ns_query {
	int netns_fd;     /**< in: the namespace to ask in */
	struct ifreq ifr; /**< in: the name; out: the flags */
	int ret;          /**< out: 0, or -errno (-EPERM: cannot join) */
};

static void *
ns_query_thread(void *arg)
{
	struct ns_query *q = arg;

	/* This thread only: it ends here, and its namespace with it. */
	if (setns(q->netns_fd, CLONE_NEWNET) < 0)
		q->ret = -errno;
	else
		q->ret = ask_flags(&q->ifr);
	return NULL;
}

/* Ask for 'ifr's flags in the namespace of the tun device 't' is a queue of. */
static int
ask_flags_where_device_is(struct tap_link *t, struct ifreq *ifr)
{
	struct ns_query q = { .ifr = *ifr };
	int netns_fd = ioctl(t->tun_fd, TUNGETDEVNETNS);
	struct stat st;
	pthread_t th;
	int ret;

	if (netns_fd < 0)
		return -errno;
	if (fstat(netns_fd, &st) == 0 && st.st_ino == own_netns) {
		close(netns_fd);
		return ask_flags(ifr);
	}
	if (t->no_other_ns) {
		close(netns_fd);
		return -EPERM;
	}
	q.netns_fd = netns_fd;
	ret = pthread_create(&th, NULL, ns_query_thread, &q);
	if (ret == 0) {
		pthread_join(th, NULL);
		ret = q.ret;
	} else {
		ret = -ret;
	}
	close(netns_fd);
	/* Without the right to join namespaces it will never work: stop trying. */
	if (ret == -EPERM)
		t->no_other_ns = true;
	*ifr = q.ifr;
	return ret;
}

int
port_tap_link_up(uint16_t eth_port)
{
	struct tap_link *t;
	struct ifreq ifr;
	int ret;

	tap_links_init();
	if (eth_port >= RTE_MAX_ETHPORTS || tap_links[eth_port].tun_fd < 0)
		return -ENOENT;
	t = &tap_links[eth_port];
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(t->tun_fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	ifr.ifr_flags = 0;
	ret = ask_flags_where_device_is(t, &ifr);
	if (ret < 0)
		return ret;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}
