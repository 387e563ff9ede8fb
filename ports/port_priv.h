/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the type table and the device code of ports/; not public. */
#ifndef VSW_PORT_PRIV_H
#define VSW_PORT_PRIV_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "port.h"

/* Ring names are "vsw_rx_<name>" and DPDK allows 29 characters. */
#define PORT_RING_NAME_MAX 22

/* A port spec turned into what DPDK needs. */
struct port_devargs {
	char devname[64];     /**< DPDK device name (vdev name or PCI address) */
	char devargs[512];    /**< full device string for rte_dev_probe() */
	char ifname[IF_NAMESIZE]; /**< kernel interface, if the type has one */
	unsigned int nb_queues;   /**< TX queues the device must offer (one per worker) */
	unsigned int nb_rxq;      /**< RX queues to poll; 0 means one (if the device has RX) */
};

typedef int port_build_fn(const struct port_spec *spec, struct port_devargs *out, char *err,
			  size_t errlen);

struct port_type_desc {
	const char *name;            /**< type name users type */
	const char *const *options;  /**< accepted option keys, NULL-terminated */
	port_build_fn *build;        /**< spec -> device string, with checks */
};

const struct port_type_desc *port_type_desc(enum port_type type);

/* vhost-user (port_vhost.c). */
#define PORT_VHOST_MAX_QUEUES 16 /* queue pairs on one vhost-user port */

/**
 * Check a vhost-user socket path; in server mode, remove a stale socket that
 * nobody listens on (left by a killed vswd).  Control thread.
 * @return 0, -EINVAL (bad path), -EEXIST (not a socket), -EADDRINUSE (in use).
 */
int port_vhost_prepare(const char *path, bool server, char *err, size_t errlen);
/** Start following the link of an opened vhost-user port.  Control thread. @return 0 or -errno. */
int port_vhost_attach(struct port_handle *h);
/** Stop following it; before the device is closed.  Control thread. */
void port_vhost_detach(struct port_handle *h);

/* tap ports moved to another network namespace (port_tap_link.c). */

/** Keep a copy of net_tap's keep-alive descriptor for 'ifname' to follow it.  Control thread. */
void port_tap_link_track(uint16_t eth_port, const char *ifname);
/** Let go of it; accepts a port never tracked.  Control thread. */
void port_tap_link_untrack(uint16_t eth_port);

/* net_pcap with infinite_rx (port_pcap.c). */

/**
 * Refuse a net_pcap device with infinite_rx=1 whose rx_pcap frames would not
 * all fit in free buffers of env->mbuf_pool, or need more than one buffer
 * each: net_pcap would fail its RX queue setup, and crash on the close that
 * follows.  Reads the files; touches no device.  Control thread.
 * @return 0 (also for any other device), -ENOBUFS (too many frames, 'err'
 *   gives the --mbufs to use), -EMSGSIZE (a frame too long), -ENODEV (a file unreadable).
 */
int port_pcap_check_replay(const struct port_devargs *da, const struct port_env *env, char *err,
			   size_t errlen);
/** Is ethdev 'eth_port' served by net_pcap?  Control thread. */
bool port_pcap_is_pcap(uint16_t eth_port);
/**
 * Make a net_pcap device whose RX queue 'failed_q' failed its setup safe to
 * close: keep only the queues before it.  Control thread.
 */
void port_pcap_unwind_rxq(uint16_t eth_port, uint16_t failed_q, uint16_t nb_txq);

/* The EAL log captured while a driver probes (port_log.c). */
struct port_log_capture {
	FILE *prev;  /**< the log stream before the capture */
	FILE *mem;   /**< the memory stream that receives the log meanwhile */
	char *buf;   /**< its text */
	size_t len;  /**< its length */
};

/** Send the EAL log to 'c' until port_log_capture_end().  Control thread. */
void port_log_capture_begin(struct port_log_capture *c);
/** Restore the log stream, pass on what was captured, and put the driver's reason in 'why'. */
void port_log_capture_end(struct port_log_capture *c, char *why, size_t whylen);

#endif /* VSW_PORT_PRIV_H */
