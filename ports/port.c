/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening and closing ports: probe the DPDK device, give it one RX queue and
 * one TX queue per worker, start it, and undo all of it on close.
 */
#include "port.h"
#include "port_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#define PORT_RING_SIZE 1024 /* slots in each ring of a ring port */

static int
open_ring_port(const struct port_spec *spec, struct port_handle *h, char *err, size_t errlen)
{
	char rx_name[RTE_RING_NAMESIZE], tx_name[RTE_RING_NAMESIZE];
	int ret;

	snprintf(rx_name, sizeof(rx_name), "vsw_rx_%s", spec->name);
	snprintf(tx_name, sizeof(tx_name), "vsw_tx_%s", spec->name);
	/* Many injectors and one poller on RX; many workers and one reader on TX. */
	h->rings[0] = rte_ring_create(rx_name, PORT_RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	h->rings[1] = rte_ring_create(tx_name, PORT_RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (h->rings[0] == NULL || h->rings[1] == NULL) {
		snprintf(err, errlen, "cannot create rings for ring port '%s': %s", spec->name,
			 rte_strerror(rte_errno));
		ret = -rte_errno;
		goto fail;
	}
	ret = rte_eth_from_rings(h->devname, &h->rings[0], 1, &h->rings[1], 1,
				 (unsigned int)rte_socket_id());
	if (ret < 0) {
		snprintf(err, errlen, "cannot create ring port '%s': %s", spec->name,
			 rte_strerror(rte_errno));
		ret = -rte_errno;
		goto fail;
	}
	h->eth_port = (uint16_t)ret;
	return 0;
fail:
	rte_ring_free(h->rings[0]);
	rte_ring_free(h->rings[1]);
	h->rings[0] = h->rings[1] = NULL;
	return ret ? ret : -ENOMEM;
}

/* The ethdev of a device: usually the same name, but some drivers name ports differently. */
static int
find_port_of_device(const char *devname, uint16_t *eth_port)
{
	uint16_t pid;

	if (rte_eth_dev_get_port_by_name(devname, eth_port) == 0)
		return 0;
	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(pid, &info) == 0 && info.device != NULL &&
		    strcmp(rte_dev_name(info.device), devname) == 0) {
			*eth_port = pid;
			return 0;
		}
	}
	return -ENODEV;
}

static void
remove_device_by_name(const char *devname)
{
	/* Only PCI addresses contain ':'; everything else we open is a virtual device. */
	rte_eal_hotplug_remove(strchr(devname, ':') != NULL ? "pci" : "vdev", devname);
}

/*
 * Probe 'da'.  A driver that fails says why only in the log: the reply
 * carries that line ('why' keeps it for the caller) instead of the errno of
 * a bare -1, which would read "Operation not permitted".
 */
static int
probe_device(const struct port_devargs *da, struct port_handle *h, char *why, size_t whylen,
	     char *err, size_t errlen)
{
	struct port_log_capture cap;
	int ret;

	port_log_capture_begin(&cap);
	ret = rte_dev_probe(da->devargs);
	port_log_capture_end(&cap, why, whylen);
	if (ret == -EEXIST) {
		snprintf(err, errlen, "DPDK device '%s' is already in use", da->devname);
		return ret;
	}
	if (ret < 0) {
		if (why[0] != '\0')
			snprintf(err, errlen, "cannot open DPDK device '%s': %s", da->devargs, why);
		else
			snprintf(err, errlen, "cannot open DPDK device '%s': %s (see vswd's log)",
				 da->devargs, rte_strerror(-ret));
		return -ENODEV;
	}
	if (find_port_of_device(da->devname, &h->eth_port) == 0)
		return 0;
	snprintf(err, errlen, "device '%s' was opened but is not an Ethernet device", da->devname);
	remove_device_by_name(da->devname);
	return -ENODEV;
}

/*
 * Several RX queues: ask the device to hash flows over them (RSS) where it
 * can, so each flow stays on one queue, hence one worker, and in order.
 * Devices without RSS (vhost-user, af_packet, tap) choose a queue per flow
 * themselves: the guest's virtio-net, the kernel's fanout or tap queue hash.
 */
static void
spread_rx(const struct port_handle *h, const struct rte_eth_dev_info *info, struct rte_eth_conf *conf)
{
	uint64_t hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;

	if (h->nb_rxq < 2 || (info->flow_type_rss_offloads & hf) == 0)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = info->flow_type_rss_offloads & hf;
}

/* On failure, '*failed_rxq' is the RX queue whose setup failed, or -1. */
static int
configure_device(struct port_handle *h, const struct port_env *env, unsigned int nb_rxq,
		 int *failed_rxq, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = env->nb_rxd, nb_txd = env->nb_txd;
	int socket = rte_eth_dev_socket_id(h->eth_port);
	int ret;

	*failed_rxq = -1;
	memset(&conf, 0, sizeof(conf));
	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = rte_eth_dev_info_get(h->eth_port, &info);
	if (ret < 0)
		goto fail;
	if (info.max_tx_queues == 0) {
		snprintf(err, errlen, "device offers no TX queue; a switch port must be able to send");
		return -ENOTSUP;
	}
	/* Workers share the queues of a device that has fewer than one each (dataplane locks them). */
	h->nb_txq = RTE_MIN(env->nb_txq, info.max_tx_queues);
	if (nb_rxq == 0)
		nb_rxq = 1;
	h->nb_rxq = (uint16_t)RTE_MIN(nb_rxq, info.max_rx_queues);
	/* net_tap makes queue pairs: as many RX queues as TX queues, spread over the workers. */
	if (h->type == PORT_TAP)
		h->nb_rxq = h->nb_txq = RTE_MIN(h->nb_txq, info.max_rx_queues);
	spread_rx(h, &info, &conf);
	ret = rte_eth_dev_configure(h->eth_port, h->nb_rxq, h->nb_txq, &conf);
	if (ret < 0)
		goto fail;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(h->eth_port, &nb_rxd, &nb_txd);
	if (ret < 0)
		goto fail;
	for (uint16_t q = 0; q < h->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(h->eth_port, q, nb_rxd, (unsigned int)socket, NULL,
					     env->mbuf_pool);
		if (ret < 0) {
			*failed_rxq = q;
			goto fail;
		}
	}
	for (uint16_t q = 0; q < h->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(h->eth_port, q, nb_txd, (unsigned int)socket, NULL);
		if (ret < 0)
			goto fail;
	}
	ret = rte_eth_dev_start(h->eth_port);
	if (ret < 0)
		goto fail;
	/* A switch port must see frames for every MAC; drivers without the knob already do. */
	ret = rte_eth_promiscuous_enable(h->eth_port);
	if (ret < 0 && ret != -ENOTSUP)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set up DPDK port %u: %s", h->eth_port, rte_strerror(-ret));
	return ret;
}

static void
release_device(struct port_handle *h)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (h->type == PORT_VHOST_USER)
		port_vhost_detach(h);
	if (h->type == PORT_TAP)
		port_tap_link_untrack(h->eth_port);
	if (rte_eth_dev_info_get(h->eth_port, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(h->eth_port);
	rte_eth_dev_close(h->eth_port);
	/* Closing releases the ethdev; removing the device frees the vdev name for reuse. */
	if (dev != NULL)
		rte_dev_remove(dev);
	rte_ring_free(h->rings[0]);
	rte_ring_free(h->rings[1]);
	h->rings[0] = h->rings[1] = NULL;
}

/*
 * net_af_packet names its PACKET_FANOUT group (getpid() ^ ifindex) & 0xffff,
 * and a group of that number on another interface (another process in this
 * network namespace, e.g. a second vswd) makes the kernel refuse it.  The
 * driver offers no other number, so such an interface is attached through
 * libpcap instead: incoming frames only, one queue, slower, but working.
 */
static int
open_kernel_by_pcap(const struct port_spec *spec, struct port_devargs *da, struct port_handle *h,
		    char *err, size_t errlen)
{
	char why[256] = "", fanout_err[256];
	int ret;

	snprintf(fanout_err, sizeof(fanout_err), "%s", err);
	snprintf(da->devname, sizeof(da->devname), "net_pcap_k_%s", spec->name);
	snprintf(da->devargs, sizeof(da->devargs), "%s,rx_iface_in=%s,tx_iface=%s", da->devname,
		 da->ifname, da->ifname);
	da->nb_rxq = 1;
	snprintf(h->devname, sizeof(h->devname), "%s", da->devname);
	ret = probe_device(da, h, why, sizeof(why), err, errlen);
	if (ret < 0) {
		snprintf(err, errlen,
			 "cannot attach kernel interface '%s': af_packet's fanout group is taken by another process in this network namespace, and libpcap failed too (%s)",
			 da->ifname, why);
		return ret;
	}
	RTE_LOG(WARNING, USER1,
		"port %s: %s; attached %s through libpcap instead (one queue, slower; run each vswd in its own network namespace to avoid this)\n",
		spec->name, fanout_err, da->ifname);
	return 0;
}

int
port_open(const struct port_spec *spec, const struct port_env *env, struct port_handle *h,
	  char *err, size_t errlen)
{
	struct port_devargs da;
	char why[256] = "";
	enum port_type type;
	int failed_rxq, ret;

	memset(h, 0, sizeof(*h));
	memset(&da, 0, sizeof(da));
	ret = port_spec_validate(spec, err, errlen);
	if (ret < 0)
		return ret;
	port_type_parse(spec->type, &type);
	da.nb_queues = env->nb_txq;
	ret = port_type_desc(type)->build(spec, &da, err, errlen);
	if (ret < 0)
		return ret;
	ret = port_pcap_check_replay(&da, env, err, errlen);
	if (ret < 0)
		return ret;
	h->type = type;
	snprintf(h->devname, sizeof(h->devname), "%s", da.devname);
	snprintf(h->ifname, sizeof(h->ifname), "%s", da.ifname);

	if (type == PORT_RING)
		ret = open_ring_port(spec, h, err, errlen);
	else
		ret = probe_device(&da, h, why, sizeof(why), err, errlen);
	if (ret == -ENODEV && type == PORT_KERNEL && strstr(why, "PACKET_FANOUT") != NULL)
		ret = open_kernel_by_pcap(spec, &da, h, err, errlen);
	if (ret < 0)
		return ret;
	if (type == PORT_VHOST_USER) {
		ret = port_vhost_attach(h);
		if (ret < 0) {
			snprintf(err, errlen, "cannot follow the link of vhost-user port '%s': %s",
				 spec->name, rte_strerror(-ret));
			release_device(h);
			return ret;
		}
	}
	ret = configure_device(h, env, da.nb_rxq, &failed_rxq, err, errlen);
	if (ret < 0) {
		/* net_pcap's close would free the failed queue's replay ring a second time. */
		if (failed_rxq >= 0 && port_pcap_is_pcap(h->eth_port)) {
			port_pcap_unwind_rxq(h->eth_port, (uint16_t)failed_rxq, h->nb_txq);
			snprintf(err, errlen,
				 "net_pcap could not load the rx_pcap frames into packet buffers (vswd's log says how many it needs): restart vswd with a larger --mbufs, or drop infinite_rx=1");
		}
		release_device(h);
		return ret;
	}
	if (type == PORT_TAP)
		port_tap_link_track(h->eth_port, h->ifname);
	return 0;
}

void
port_close(struct port_handle *h)
{
	release_device(h);
}
