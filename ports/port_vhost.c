/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user ports: QEMU guests, over DPDK's net_vhost driver.
 *
 * net_vhost wraps the vhost library.  In client mode (the default, as in
 * OVS) the library connects to QEMU's server socket and, when the connection
 * drops or QEMU is not there yet, retries every second on its own thread; in
 * server mode it listens and QEMU (chardev reconnect=N) comes back by itself.
 * Either way a guest can come and go at any time, so a vhost-user port is
 * usually opened with its link down.
 *
 * The vhost library calls us back on its own event thread when a guest
 * attaches or detaches (net_vhost raises RTE_ETH_EVENT_INTR_LSC for both).
 * We keep the link state and the number of up/down events per ethdev port
 * in atomics: the control thread reads them for counters, and a worker reads
 * the state only when a TX burst came back unsent, to name the drop.
 *
 * Guest announcements after live migration (VHOST_USER_SEND_RARP) need
 * nothing here: the library builds the RARP into the next RX burst, and the
 * workers poll every vhost-user RX queue as long as the port exists.
 */
#include "port.h"
#include "port_priv.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_log.h>

/* Link state of one ethdev port, as the vhost callbacks last saw it. */
struct port_link {
	atomic_bool down;          /**< true while no guest is attached */
	atomic_uint_fast64_t nb_up;   /**< link up events since the port opened */
	atomic_uint_fast64_t nb_down; /**< link down events since the port opened */
};

static struct port_link links[RTE_MAX_ETHPORTS];
/* Totals survive port deletion, so that counters never go backwards. */
static atomic_uint_fast64_t total_up;   /* link up events, all ports ever */
static atomic_uint_fast64_t total_down; /* link down events, all ports ever */

bool
port_link_down(uint16_t eth_port)
{
	return eth_port < RTE_MAX_ETHPORTS &&
	       atomic_load_explicit(&links[eth_port].down, memory_order_relaxed);
}

void
port_link_events(uint64_t *nb_up, uint64_t *nb_down)
{
	*nb_up = atomic_load_explicit(&total_up, memory_order_relaxed);
	*nb_down = atomic_load_explicit(&total_down, memory_order_relaxed);
}

/* Is something accepting connections on the Unix socket 'path'? */
static bool
socket_has_listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool listening;

	if (fd < 0)
		return true; /* cannot tell: do not remove anything */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	listening = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return listening;
}

int
port_vhost_prepare(const char *path, bool server, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;

	if (path[0] != '/') {
		snprintf(err, errlen, "vhost-user path '%s' must be absolute", path);
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "vhost-user path '%s' is longer than %zu characters", path,
			 sizeof(sa.sun_path) - 1);
		return -EINVAL;
	}
	/* A client waits for QEMU's socket to appear; nothing to check yet. */
	if (!server || stat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "'%s' exists and is not a socket; choose another path=", path);
		return -EEXIST;
	}
	if (socket_has_listener(path)) {
		snprintf(err, errlen,
			 "another process listens on '%s'; choose another path=, or mode=client to connect to it",
			 path);
		return -EADDRINUSE;
	}
	/*
	 * Left behind by a vswd that was killed: the vhost library cannot bind
	 * over it, and a restart must bring the port back on its own.
	 */
	if (unlink(path) != 0) {
		snprintf(err, errlen, "cannot remove stale socket '%s': %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Called by net_vhost on the vhost event thread when a guest attaches or detaches. */
static int
vhost_link_event(uint16_t eth_port, enum rte_eth_event_type event, void *cb_arg, void *ret_param)
{
	struct port_link *l = &links[eth_port];
	struct rte_eth_link link;
	bool up;

	(void)event;
	(void)cb_arg;
	(void)ret_param;
	/* net_vhost updates dev_link before raising the event; link_get reads it back. */
	if (rte_eth_link_get_nowait(eth_port, &link) != 0)
		return 0;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (atomic_exchange_explicit(&l->down, !up, memory_order_relaxed) == up) {
		atomic_fetch_add_explicit(up ? &l->nb_up : &l->nb_down, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(up ? &total_up : &total_down, 1, memory_order_relaxed);
		RTE_LOG(NOTICE, USER1, "vhost-user port %u: link %s (guest %s)\n", eth_port,
			up ? "up" : "down", up ? "attached" : "detached");
	}
	return 0;
}

int
port_vhost_attach(struct port_handle *h)
{
	struct port_link *l = &links[h->eth_port];
	struct rte_eth_link link;
	int ret;

	atomic_store_explicit(&l->nb_up, 0, memory_order_relaxed);
	atomic_store_explicit(&l->nb_down, 0, memory_order_relaxed);
	atomic_store_explicit(&l->down, true, memory_order_relaxed);
	ret = rte_eth_dev_callback_register(h->eth_port, RTE_ETH_EVENT_INTR_LSC, vhost_link_event,
					    NULL);
	if (ret < 0)
		return ret;
	/* The library may have attached a guest between probe and registration. */
	if (rte_eth_link_get_nowait(h->eth_port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
		vhost_link_event(h->eth_port, RTE_ETH_EVENT_INTR_LSC, NULL, NULL);
	return 0;
}

void
port_vhost_detach(struct port_handle *h)
{
	/* -EAGAIN while the event thread is inside the callback; that is brief. */
	for (int i = 0; i < 1000; i++) {
		if (rte_eth_dev_callback_unregister(h->eth_port, RTE_ETH_EVENT_INTR_LSC,
						    vhost_link_event, NULL) != -EAGAIN)
			break;
		usleep(1000);
	}
	/* The ethdev id is reused by the next port of any type, which has no link tracking. */
	atomic_store_explicit(&links[h->eth_port].down, false, memory_order_relaxed);
}
