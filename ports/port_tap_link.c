/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link of a tap port whose interface lives in another network namespace.
 *
 * A VM's or container's end of a tap port is usually moved into its own
 * namespace (ip link set IF netns NS).  net_tap then asks about the interface
 * by name in vswd's namespace, where it no longer is, and reports the link
 * down while traffic flows.  The tap's keep-alive file descriptor still
 * reaches the device wherever it went: TUNGETIFF gives its current name and
 * TUNGETDEVNETNS (Linux 5.2) its namespace, in which a socket is made to ask
 * SIOCGIFFLAGS.  The socket is made on a short-lived thread, so that no
 * thread of vswd ever runs in another namespace.
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

struct tap_link {
	int tun_fd;      /**< our copy of the keep-alive descriptor, or -1 */
	int sock;        /**< a socket in the device's namespace, or -1 */
	ino_t netns_ino; /**< the namespace 'sock' belongs to */
};

static struct tap_link tap_links[RTE_MAX_ETHPORTS];
static bool tap_links_ready;

static void
tap_links_init(void)
{
	if (tap_links_ready)
		return;
	for (unsigned int i = 0; i < RTE_MAX_ETHPORTS; i++)
		tap_links[i] = (struct tap_link){ .tun_fd = -1, .sock = -1 };
	tap_links_ready = true;
}

/* Is 'fd' a detached queue of the tun device named 'ifname'? */
static bool
is_keepalive_of(int fd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & IFF_DETACH_QUEUE) != 0 &&
	       strncmp(ifr.ifr_name, ifname, IFNAMSIZ) == 0;
}

/* A copy of net_tap's keep-alive descriptor for 'ifname', or -1. */
static int
find_keepalive(const char *ifname)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int found = -1;

	if (dir == NULL)
		return -1;
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
		if (strcmp(target, "/dev/net/tun") == 0 && is_keepalive_of(fd, ifname))
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
	struct tap_link *t;

	tap_links_init();
	if (eth_port >= RTE_MAX_ETHPORTS)
		return;
	t = &tap_links[eth_port];
	if (t->tun_fd >= 0)
		close(t->tun_fd);
	if (t->sock >= 0)
		close(t->sock);
	*t = (struct tap_link){ .tun_fd = -1, .sock = -1 };
}

struct ns_socket_req {
	int netns_fd; /**< in: the namespace */
	int sock;     /**< out: a datagram socket in it, or -1 */
};

static void *
ns_socket_thread(void *arg)
{
	struct ns_socket_req *req = arg;

	/* This thread only: it ends here, and with it its namespace. */
	if (setns(req->netns_fd, CLONE_NEWNET) == 0)
		req->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return NULL;
}

/* A socket in the namespace of 'netns_fd', made on a thread of its own, or -1. */
static int
socket_in_netns(int netns_fd)
{
	struct ns_socket_req req = { .netns_fd = netns_fd, .sock = -1 };
	pthread_t th;

	if (pthread_create(&th, NULL, ns_socket_thread, &req) != 0)
		return -1;
	pthread_join(th, NULL);
	return req.sock;
}

/* Make sure t->sock is in the namespace the device is in now. */
static int
follow_netns(struct tap_link *t)
{
	int netns_fd = ioctl(t->tun_fd, TUNGETDEVNETNS);
	struct stat st;
	int ret = 0;

	if (netns_fd < 0)
		return -errno;
	if (fstat(netns_fd, &st) < 0) {
		ret = -errno;
	} else if (t->sock < 0 || st.st_ino != t->netns_ino) {
		if (t->sock >= 0)
			close(t->sock);
		t->sock = socket_in_netns(netns_fd);
		t->netns_ino = st.st_ino;
		ret = t->sock >= 0 ? 0 : -EPERM;
	}
	close(netns_fd);
	return ret;
}

int
port_tap_link_up(uint16_t eth_port)
{
	struct tap_link *t;
	struct ifreq ifr;

	tap_links_init();
	if (eth_port >= RTE_MAX_ETHPORTS || tap_links[eth_port].tun_fd < 0)
		return -ENOENT;
	t = &tap_links[eth_port];
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(t->tun_fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	if (follow_netns(t) < 0)
		return -EPERM;
	ifr.ifr_flags = 0;
	if (ioctl(t->sock, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}
