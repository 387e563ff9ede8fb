/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: every way a frame enters or leaves the switch, over rte_ethdev.
 *
 * A port is named by the user and has a type.  The type table maps each type
 * to a DPDK driver and the options it accepts:
 *
 *   tap        the switch creates a kernel tap interface (net_tap)
 *   kernel     an existing kernel interface, e.g. a VM's tap or a veth end (net_af_packet)
 *   pcap       frames read from and/or written to pcap files (net_pcap)
 *   ring       a pair of rte_rings, for tests and in-process traffic (net_ring)
 *   null       a sink that drops everything it is given (net_null, no RX)
 *   dpdk       any DPDK device: a PCI address or a virtual device string
 *   vhost-user a QEMU guest's virtio-net over a vhost-user socket (net_vhost),
 *              client (reconnecting) or server; see docs/vhost.md
 *
 * Every port asks for one TX queue per worker; a device that offers fewer
 * gets as many as it has, and the dataplane shares them under a per-queue
 * lock.  RX: one queue (a vhost-user port: one per guest queue pair; a tap
 * port: as many as its TX queues, spread over the workers).
 * Ports are opened, started, stopped and closed by the control thread only.
 *
 * Link state: a vhost-user port's link is up while a guest is attached; a tap
 * port's is its interface's, in whatever namespace that interface is.  The
 * port layer counts link up and down events, and tells workers whether a
 * port's link is down so that frames it refuses are counted as such.
 */
#ifndef VSW_PORT_H
#define VSW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mempool;
struct rte_ring;

#define PORT_NAME_MAX    32 /* port and bridge-domain names, with the NUL */
#define PORT_MAX_OPTIONS 16 /* key=value options on one port */

enum port_type {
	PORT_TAP,
	PORT_KERNEL,
	PORT_PCAP,
	PORT_RING,
	PORT_NULL,
	PORT_DPDK,
	PORT_VHOST_USER,
	PORT_TYPE_MAX,
};

struct port_option {
	const char *key;   /**< option name, e.g. "iface" */
	const char *value; /**< its value, as text */
};

/* What the user asked for. */
struct port_spec {
	const char *name;                 /**< unique port name */
	const char *type;                 /**< type name, see the table above */
	unsigned int nb_options;          /**< entries used in 'options' */
	struct port_option options[PORT_MAX_OPTIONS]; /**< type-specific options */
};

/* Resources the switch lends to every port it opens. */
struct port_env {
	struct rte_mempool *mbuf_pool; /**< RX buffers */
	uint16_t nb_txq;               /**< TX queues wanted: one per worker, fewer if the device has fewer */
	uint16_t nb_rxd;               /**< RX descriptors per queue */
	uint16_t nb_txd;               /**< TX descriptors per queue */
};

/* An open port. */
struct port_handle {
	enum port_type type;             /**< its type */
	uint16_t eth_port;               /**< DPDK ethdev port id */
	char devname[64];                /**< DPDK device name, for removal */
	char ifname[PORT_NAME_MAX];      /**< kernel interface, if any */
	struct rte_ring *rings[2];       /**< RX and TX rings of a ring port */
	uint16_t nb_rxq;                /**< RX queues: 0 for a port that only sends */
	uint16_t nb_txq;                /**< TX queues; fewer than workers means shared */
};

/** @return the type name ("tap", ...), or NULL for an invalid type. Thread-safe. */
const char *port_type_name(enum port_type type);

/** Parse a type name. @return 0 or -EINVAL. Thread-safe. */
int port_type_parse(const char *name, enum port_type *type);

/** @return the value of option 'key' in 'spec', or NULL. Thread-safe. */
const char *port_spec_option(const struct port_spec *spec, const char *key);

/**
 * Check 'spec' without touching any device: known type, valid name, known
 * options with valid values.  Thread-safe.
 * @return 0, or -EINVAL with a message in 'err'.
 */
int port_spec_validate(const struct port_spec *spec, char *err, size_t errlen);

/**
 * Open, configure and start the device described by 'spec'.  Control thread.
 * @return 0, -EINVAL (bad options), -EEXIST (interface already exists),
 *   -ENODEV (interface or device missing), -ENOTSUP (type not implemented),
 *   or another -errno from DPDK; 'err' says what to do.
 */
int port_open(const struct port_spec *spec, const struct port_env *env,
	      struct port_handle *handle, char *err, size_t errlen);

/** Stop and close the device and release what port_open() took. Control thread. */
void port_close(struct port_handle *handle);

/**
 * Is the link of ethdev port 'eth_port' known to be down (a vhost-user port
 * with no guest attached)?  False for ports whose link is not followed.
 * Worker-safe, lock-free: one relaxed atomic load.
 */
bool port_link_down(uint16_t eth_port);

/**
 * The link of a tap port as its interface's own namespace sees it: 1 when
 * the interface is up and running there, 0 when not, or -errno when that is
 * unknown (-ENOENT: not a tap port).  net_tap reports down once the
 * interface is moved out of vswd's namespace; this follows it.  Control thread.
 */
int port_tap_link_up(uint16_t eth_port);

/** Link up and down events of all ports since the daemon started.  Any thread. */
void port_link_events(uint64_t *nb_up, uint64_t *nb_down);

#endif /* VSW_PORT_H */
