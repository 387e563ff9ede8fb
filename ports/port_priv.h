/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the type table and the device code of ports/; not public. */
#ifndef VSW_PORT_PRIV_H
#define VSW_PORT_PRIV_H

#include <net/if.h>
#include <stddef.h>

#include "port.h"

/* Ring names are "vsw_rx_<name>" and DPDK allows 29 characters. */
#define PORT_RING_NAME_MAX 22

/* A port spec turned into what DPDK needs. */
struct port_devargs {
	char devname[64];     /**< DPDK device name (vdev name or PCI address) */
	char devargs[512];    /**< full device string for rte_dev_probe() */
	char ifname[IF_NAMESIZE]; /**< kernel interface, if the type has one */
	unsigned int nb_queues;   /**< TX queues the device must offer (one per worker) */
};

typedef int port_build_fn(const struct port_spec *spec, struct port_devargs *out, char *err,
			  size_t errlen);

struct port_type_desc {
	const char *name;            /**< type name users type */
	const char *const *options;  /**< accepted option keys, NULL-terminated */
	port_build_fn *build;        /**< spec -> device string, with checks */
};

const struct port_type_desc *port_type_desc(enum port_type type);

#endif /* VSW_PORT_PRIV_H */
