/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker state: made by the control thread before the workers start
 * (dp_init) or by a test that drives the pipeline itself, freed after they
 * stopped.  Only tx_unsent() runs on a worker, as its TX buffers' error
 * callback.
 */
#include "dp_ctl.h"

#include <stdio.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp_route_cache.h"

/*
 * TX buffer error callback: free what the port did not take and count it.
 * A vhost-user port without a guest refuses everything; naming that drop
 * apart from a full queue tells "guest gone" from "guest too slow".
 */
static void
tx_unsent(struct rte_mbuf **pkts, uint16_t nb_unsent, void *userdata)
{
	struct dp_tx_unsent *u = userdata;

	if (port_link_down(u->eth_port))
		*u->link_down += nb_unsent;
	else
		*u->tx_full += nb_unsent;
	rte_pktmbuf_free_bulk(pkts, nb_unsent);
}

struct dp_lcore *
dp_lcore_create(unsigned int index, unsigned int lcore_id)
{
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	struct dp_lcore *lc = rte_zmalloc_socket("dp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE,
						 socket);
	char ring_name[RTE_RING_NAMESIZE];

	if (lc == NULL)
		return NULL;
	lc->index = index;
	lc->lcore_id = lcore_id;
	snprintf(ring_name, sizeof(ring_name), "vsw_events_%u", index);
	/* One producer (this worker), one consumer (the control thread). */
	lc->events = rte_ring_create_elem(ring_name, sizeof(struct fdb_event), DP_EVENT_RING_SIZE,
					  socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(ring_name, sizeof(ring_name), "vsw_urgent_%u", index);
	lc->urgent = rte_ring_create_elem(ring_name, sizeof(struct fdb_event), DP_EVENT_RING_SIZE,
					  socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(ring_name, sizeof(ring_name), "vsw_inject_%u", index);
	lc->inject = rte_ring_create(ring_name, 512, socket, RING_F_SC_DEQ);
	lc->route_cache = rte_zmalloc_socket("dp_route_cache", sizeof(*lc->route_cache),
					     RTE_CACHE_LINE_SIZE, socket);
	lc->learn_cache = rte_zmalloc_socket("dp_learn_cache", sizeof(*lc->learn_cache),
					     RTE_CACHE_LINE_SIZE, socket);
	if (lc->events == NULL || lc->urgent == NULL || lc->inject == NULL ||
	    lc->route_cache == NULL || lc->learn_cache == NULL) {
		rte_free(lc->route_cache);
		rte_free(lc->learn_cache);
		rte_ring_free(lc->events);
		rte_ring_free(lc->urgent);
		rte_ring_free(lc->inject);
		rte_free(lc);
		return NULL;
	}
	for (unsigned int slot = 0; slot < VSW_MAX_PORTS; slot++) {
		lc->txb[slot] = rte_zmalloc_socket("dp_txb", RTE_ETH_TX_BUFFER_SIZE(VSW_BURST_SIZE),
						   0, socket);
		if (lc->txb[slot] == NULL) {
			dp_lcore_destroy(lc);
			return NULL;
		}
		rte_eth_tx_buffer_init(lc->txb[slot], VSW_BURST_SIZE);
		/* Count what a port refuses instead of freeing it silently. */
		lc->tx_unsent[slot].tx_full = &lc->tx_full[slot];
		lc->tx_unsent[slot].link_down = &lc->tx_link_down[slot];
		rte_eth_tx_buffer_set_err_callback(lc->txb[slot], tx_unsent, &lc->tx_unsent[slot]);
	}
	return lc;
}

void
dp_lcore_destroy(struct dp_lcore *lc)
{
	if (lc == NULL)
		return;
	for (unsigned int slot = 0; slot < VSW_MAX_PORTS; slot++)
		rte_free(lc->txb[slot]);
	rte_free(lc->route_cache);
	rte_free(lc->learn_cache);
	rte_ring_free(lc->events);
	rte_ring_free(lc->urgent);
	if (lc->inject != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(lc->inject, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(lc->inject);
	}
	rte_free(lc);
}
