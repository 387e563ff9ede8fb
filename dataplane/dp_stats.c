/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters for the control plane: per-port and per-queue device statistics,
 * switch-wide named counters and per-worker cycle accounting, summed over
 * workers.
 * Control thread only.
 */
#include "dp_ctl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

_Static_assert(VSW_MAX_QUEUE_STATS <= RTE_ETHDEV_QUEUE_STAT_CNTRS,
	       "rte_eth_stats counts fewer queues than VSW_MAX_QUEUE_STATS");

struct counter_desc {
	const char *name; /**< stable name */
	const char *help; /**< what it counts */
};

static const struct counter_desc switch_counters[DP_CNT_MAX] = {
#define DP_COUNTER_DESC(id, name, help) [DP_CNT_##id] = { name, help },
	DP_FOREACH_COUNTER(DP_COUNTER_DESC)
#undef DP_COUNTER_DESC
};

/* Learning outcomes live in struct fdb_learn_stats; these name them. */
#define LEARN_COUNTERS(_)                                                                       \
	_(learned, "fdb_learned", "MAC addresses learned")                                        \
	_(moved, "fdb_moves", "learned MAC addresses that moved to another port (also those seen on "  \
	  "another port within 30 s of their port's link-down flush, which fdb_learned counts too)") \
	_(table_full, "fdb_table_full", "new MAC addresses not learned because the table is full") \
	_(static_conflict, "fdb_static_conflict",                                                  \
	  "frames from a static MAC on a port other than its configured one")                      \
	_(limit_refused, "fdb_limit_refused",                                                      \
	  "new MAC addresses not learned, and moves not made, because of a bridge-domain or port " \
	  "limit")                                                                                 \
	_(frozen_refused, "fdb_frozen_refused", "moves refused because the MAC is frozen after flapping") \
	_(learning_off, "fdb_learning_off", "sources not learned because the domain's learning is off") \
	_(events_lost, "events_lost",                                                              \
	  "ordinary learn events dropped because the event ring was full (subscribers are told)")  \
	_(urgent_lost, "events_lost_urgent",                                                       \
	  "move and announcement events dropped because their ring was full (subscribers are told)")

uint64_t
dp_lcore_sum(size_t offset)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < dp_main.nb_workers; i++)
		sum += dp_read_counter((const uint64_t *)(const void *)((const char *)dp_main.lcores[i] +
									 offset));
	return sum;
}

static uint64_t
learn_counter(size_t offset)
{
	uint64_t sum = dp_lcore_sum(offset);

	/* Moves the workers saw as fresh learns, after the old port's link-down flush. */
	if (offset == offsetof(struct dp_lcore, learn.moved))
		sum += dp_main.departed_moves;
	return sum;
}

static uint64_t
sum_tx_full(void)
{
	uint64_t sum = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++)
		sum += dp_tx_full_sum(slot);
	return sum;
}

static uint64_t
sum_link_down(void)
{
	uint64_t sum = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++)
		sum += dp_tx_link_down_sum(slot);
	return sum;
}

static void
put(struct dp_counter *out, unsigned int max, unsigned int *n, const char *name, const char *help,
    uint64_t value)
{
	if (*n < max) {
		out[*n].name = name;
		out[*n].help = help;
		out[*n].value = value;
	}
	(*n)++;
}

static const char *
decap_help(enum nvgre_decap_reason r)
{
	if (r == NVGRE_DECAP_NOT_IP)
		return "provider-network frames on the uplink that are neither IPv4 nor IPv6 (LLDP...): not for the overlay, dropped, normal";
	if (r == NVGRE_DECAP_NOT_GRE)
		return "IP to our PA that is neither GRE nor an ICMP error about a tunnel (ICMPv6 other than neighbour discovery, multicast listener reports...): not for the overlay, dropped, normal";
	return "NVGRE decapsulation result";
}

/* NVGRE results; their "drop_malformed" is the switch's own, already counted above. */
static void
put_overlay(struct dp_counter *out, unsigned int max, unsigned int *n)
{
	for (unsigned int r = 0; r < NVGRE_ENCAP_MAX; r++)
		if (r != NVGRE_ENCAP_MALFORMED)
			put(out, max, n, nvgre_encap_reason_name((enum nvgre_encap_reason)r),
			    "NVGRE encapsulation result", dp_lcore_sum(DP_LCORE_U64(encap, r)));
	for (unsigned int r = 0; r < NVGRE_DECAP_MAX; r++)
		if (r != NVGRE_DECAP_MALFORMED)
			put(out, max, n, nvgre_decap_reason_name((enum nvgre_decap_reason)r),
			    decap_help((enum nvgre_decap_reason)r),
			    dp_lcore_sum(DP_LCORE_U64(decap, r)));
}

unsigned int
dp_counters(struct dp_counter *out, unsigned int max)
{
	uint64_t link_up, link_down;
	unsigned int n = 0;

	for (unsigned int id = 0; id < DP_CNT_MAX; id++) {
		uint64_t v = dp_lcore_sum(DP_LCORE_U64(counters, id));

		/* One counter, three sources: the L2 parser, encapsulation and decapsulation. */
		if (id == DP_CNT_DROP_MALFORMED)
			v += dp_lcore_sum(DP_LCORE_U64(encap, NVGRE_ENCAP_MALFORMED)) +
			     dp_lcore_sum(DP_LCORE_U64(decap, NVGRE_DECAP_MALFORMED));
		put(out, max, &n, switch_counters[id].name, switch_counters[id].help, v);
	}
	put(out, max, &n, "drop_tx_full", "frames a port's TX queue could not take",
	    sum_tx_full());
	put(out, max, &n, "drop_link_down",
	    "frames to a port whose link was down (e.g. a vhost-user port without a guest)",
	    sum_link_down());
	port_link_events(&link_up, &link_down);
	put(out, max, &n, "port_link_up_events", "links that came up (vhost-user guest attached)",
	    link_up);
	put(out, max, &n, "port_link_down_events",
	    "links that went down (vhost-user guest detached or migrated away)", link_down);
#define PUT_LEARN(field, name, help)                                                            \
	put(out, max, &n, name, help, learn_counter(offsetof(struct dp_lcore, learn.field)));
	LEARN_COUNTERS(PUT_LEARN)
#undef PUT_LEARN
	put(out, max, &n, "fdb_entries", "entries in the MAC table now", fdb_count(dp_main.fdb));
	put(out, max, &n, "drop_control_tx",
	    "ARP frames for the uplink the control thread built but could not queue (no uplink, no buffers, queue full)",
	    dp_main.control_tx_dropped);
	put_overlay(out, max, &n);
	/* A gauge, not a counter: idle, it is what ports hold in their RX rings. */
	put(out, max, &n, "mbufs_in_use",
	    "packet buffers taken from the pool now (ports' RX rings, queues, frames in flight); "
	    "per-lcore caches count as free",
	    rte_mempool_in_use_count(dp_main.pool));
	return n;
}

unsigned int
dp_pmd_stats(struct dp_pmd_stats *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < dp_main.nb_workers && n < max; i++, n++) {
		const struct dp_lcore *lc = dp_main.lcores[i];

		out[n].lcore = lc->lcore_id;
		out[n].busy_cycles = dp_read_counter(&lc->busy_cycles);
		out[n].idle_cycles = dp_read_counter(&lc->idle_cycles);
		out[n].packets = dp_read_counter(&lc->rx_packets);
		out[n].bursts = dp_read_counter(&lc->rx_bursts);
		out[n].nb_rxq = __atomic_load_n(&lc->nb_rxq, __ATOMIC_RELAXED);
	}
	return n;
}

static void
fill_port_info(uint16_t slot, struct dp_port_info *info)
{
	const struct dp_port *p = &dp_main.ports[slot];
	struct rte_eth_dev_info dev_info;
	struct rte_eth_link link;
	struct rte_ether_addr mac;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", p->name);
	snprintf(info->type, sizeof(info->type), "%s", port_type_name(p->handle.type));
	/* A trunk without a native VLAN has no domain of its own: it is in those it carries. */
	snprintf(info->bd, sizeof(info->bd), "%s",
		 p->is_uplink || (p->vlan.mode == DP_VLAN_TRUNK && p->vlan.native == 0) ?
			 "" :
			 dp_main.bds[p->bd].name);
	info->vlan = p->vlan;
	snprintf(info->ifname, sizeof(info->ifname), "%s", p->handle.ifname);
	info->id = slot;
	info->eth_port = p->handle.eth_port;
	if (rte_eth_macaddr_get(p->handle.eth_port, &mac) == 0)
		rte_ether_format_addr(info->mac, sizeof(info->mac), &mac);
	info->max_macs = fdb_port_max_macs(dp_main.fdb, slot);
	info->nb_macs = fdb_port_count(dp_main.fdb, slot);
	info->link_changes = p->link_changes;
	info->is_uplink = p->is_uplink;
	info->nb_rxq = p->handle.nb_rxq;
	info->nb_txq = p->handle.nb_txq;
	info->tx_shared = p->handle.nb_txq < dp_main.nb_workers;
	if (rte_eth_dev_info_get(p->handle.eth_port, &dev_info) == 0 && dev_info.driver_name != NULL)
		snprintf(info->driver, sizeof(info->driver), "%s", dev_info.driver_name);
	for (uint16_t i = 0; i < p->nb_allowed; i++) {
		struct rte_ether_addr a;
		char text[RTE_ETHER_ADDR_FMT_SIZE];
		size_t used = strlen(info->allowed_macs);

		fdb_key_mac(p->allowed[i], &a);
		rte_ether_format_addr(text, sizeof(text), &a);
		snprintf(info->allowed_macs + used, sizeof(info->allowed_macs) - used, "%s%s",
			 i ? "," : "", text);
	}
	info->link_up = dp_port_link_up(p->handle.eth_port);
	if (rte_eth_link_get_nowait(p->handle.eth_port, &link) == 0) {
		info->link_speed = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
	}
}

unsigned int
dp_port_list(struct dp_port_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		if (!dp_main.ports[slot].in_use)
			continue;
		if (n < max)
			fill_port_info(slot, &out[n]);
		n++;
	}
	return n;
}

int
dp_port_get_stats(const char *name, struct dp_port_stats *st)
{
	int slot = dp_port_find(name);
	struct rte_eth_stats es;
	const struct dp_port *p;

	if (slot < 0)
		return -ENOENT;
	p = &dp_main.ports[slot];
	memset(st, 0, sizeof(*st));
	if (rte_eth_stats_get(p->handle.eth_port, &es) == 0) {
		st->rx_packets = es.ipackets;
		st->rx_bytes = es.ibytes;
		st->rx_dropped = es.imissed + es.ierrors + es.rx_nombuf;
		st->tx_packets = es.opackets;
		st->tx_bytes = es.obytes;
		st->tx_dropped = es.oerrors;
	}
	st->tx_dropped += dp_tx_full_sum((uint16_t)slot) - p->tx_full_base;
	st->tx_dropped += dp_tx_link_down_sum((uint16_t)slot) - p->link_down_base;
	return 0;
}

/* The lcore of the worker that polls RX queue 'queue' of port 'slot' now, or -1. */
static int
rxq_lcore(uint16_t slot, uint16_t queue)
{
	/* Only this (control) thread publishes and frees snapshots. */
	const struct dp_snapshot *snap =
		atomic_load_explicit(&dp_main.snapshot, memory_order_acquire);

	if (snap == NULL)
		return -1;
	for (unsigned int w = 0; w < dp_main.nb_workers; w++)
		for (uint16_t i = 0; i < snap->nb_rxq[w]; i++)
			if (snap->rxq[w][i].slot == slot && snap->rxq[w][i].queue == queue)
				return (int)dp_main.lcores[w]->lcore_id;
	return -1;
}

int
dp_port_queue_stats(const char *name, struct dp_queue_stats *out, unsigned int max)
{
	int slot = dp_port_find(name);
	struct rte_eth_dev_info info;
	struct rte_eth_stats es;
	uint16_t eth_port, nb;

	if (slot < 0)
		return -ENOENT;
	eth_port = dp_main.ports[slot].handle.eth_port;
	if (rte_eth_dev_info_get(eth_port, &info) != 0)
		return 0;
	if (rte_eth_stats_get(eth_port, &es) != 0)
		memset(&es, 0, sizeof(es));
	nb = RTE_MIN(RTE_MAX(info.nb_rx_queues, info.nb_tx_queues), VSW_MAX_QUEUE_STATS);
	for (uint16_t q = 0; q < nb && q < max; q++) {
		out[q] = (struct dp_queue_stats){
			.queue = q,
			.has_rxq = q < info.nb_rx_queues,
			.has_txq = q < info.nb_tx_queues,
			.lcore = rxq_lcore((uint16_t)slot, q),
			.rx_packets = q < info.nb_rx_queues ? es.q_ipackets[q] : 0,
			.tx_packets = q < info.nb_tx_queues ? es.q_opackets[q] : 0,
		};
	}
	return nb;
}
