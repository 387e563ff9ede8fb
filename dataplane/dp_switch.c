/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of the dataplane: bridge domains, port slots, worker
 * start and stop, and publishing configuration to the workers.
 * Control thread only.
 */
#include "dp_ctl.h"
#include "dp_worker.h" /* dp_worker_main, launched here */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_rd_priv.h"
#include "ovl.h"

#define NB_RXD 1024 /* RX descriptors per queue */
#define NB_TXD 1024 /* TX descriptors per queue */

struct dp_main dp_main;

int
dp_fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * Round-robin the ports' RX queues over the workers, in slot order; the
 * queues of a multi-queue port (vhost-user queues=N) go to different workers.
 */
static void
assign_rx_queues(struct dp_snapshot *snap)
{
	unsigned int next_worker = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		const struct dp_port *p = &dp_main.ports[slot];

		if (!p->in_use)
			continue;
		for (uint16_t q = 0; q < p->handle.nb_rxq; q++) {
			unsigned int w = next_worker++ % dp_main.nb_workers;
			struct dp_rxq *rxq;

			/* Cannot happen: dp_port_add refuses queues beyond what workers can hold. */
			if (snap->nb_rxq[w] == VSW_MAX_RXQ)
				continue;
			rxq = &snap->rxq[w][snap->nb_rxq[w]++];
			rxq->slot = slot;
			rxq->eth_port = p->handle.eth_port;
			rxq->queue = q;
			rxq->bd = snap->ports[slot].bd;
			rxq->is_uplink = p->is_uplink;
			rxq->vlan_mode = snap->ports[slot].vlan_mode;
		}
	}
}

/* Worker w sends on queue w, or shares queue w % n when the device has only n. */
static void
set_tx_queues(struct dp_port_rt *rt, struct dp_port *p)
{
	uint16_t nb_txq = RTE_MAX(p->handle.nb_txq, (uint16_t)1);

	for (unsigned int w = 0; w < dp_main.nb_workers; w++)
		rt->txq[w] = (uint16_t)(w % nb_txq);
	rt->tx_locks = nb_txq < dp_main.nb_workers ? p->tx_locks : NULL;
}

static struct dp_snapshot *
build_snapshot(void)
{
	struct dp_snapshot *snap = rte_zmalloc("dp_snapshot", sizeof(*snap), RTE_CACHE_LINE_SIZE);

	if (snap == NULL)
		return NULL;
	snap->gen = dp_snapshot_gen();
	snap->uplink_slot = 0xffff;
	snap->uplink_vlan = dp_main.uplink_vlan;
	for (uint16_t v = 0; v <= DP_VLAN_MAX; v++)
		snap->vlan_bd[v] = DP_BD_NONE;
	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
		snap->bd_vsid[bd] = dp_main.bds[bd].in_use ? dp_bd_vsid(bd) : 0;
		snap->bd_vlan[bd] = dp_main.bds[bd].in_use ? dp_main.bds[bd].vlan : 0;
		if (snap->bd_vlan[bd] != 0)
			snap->vlan_bd[snap->bd_vlan[bd]] = bd;
	}
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		struct dp_port *p = &dp_main.ports[slot];

		if (!p->in_use)
			continue;
		snap->ports[slot].in_use = true;
		snap->ports[slot].eth_port = p->handle.eth_port;
		set_tx_queues(&snap->ports[slot], p);
		snap->ports[slot].bd = p->bd;
		snap->ports[slot].vlan_mode = (uint8_t)p->vlan.mode;
		if (p->vlan.mode == DP_VLAN_TRUNK) {
			memcpy(snap->ports[slot].trunks, p->vlan.trunks, sizeof(p->vlan.trunks));
			if (p->vlan.native == 0)
				snap->ports[slot].bd = DP_BD_NONE;
		}
		snap->ports[slot].nb_allowed = p->nb_allowed;
		memcpy(snap->ports[slot].allowed, p->allowed, sizeof(p->allowed));
		if (p->is_uplink) {
			/* The uplink carries every tenant's frames: it is in no flood list. */
			snap->uplink_slot = slot;
			snap->ports[slot].bd = DP_BD_NONE;
			snap->ports[slot].vlan_mode = DP_VLAN_NONE;
			continue;
		}
		/* A trunk is in the flood list of every domain it carries. */
		for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
			struct dp_bd_rt *b = &snap->bds[bd];

			if (dp_main.bds[bd].in_use && dp_port_member(slot, bd))
				b->members[b->nb_members++] = slot;
		}
	}
	assign_rx_queues(snap);
	return snap;
}

int
dp_publish(void)
{
	struct dp_snapshot *snap = build_snapshot(), *old;

	if (snap == NULL)
		return -ENOMEM;
	old = atomic_exchange_explicit(&dp_main.snapshot, snap, memory_order_acq_rel);
	if (dp_main.started)
		rte_rcu_qsbr_synchronize(dp_main.qsbr, RTE_QSBR_THRID_INVALID);
	rte_free(old);
	return 0;
}

static int
create_qsbr(void)
{
	size_t size = rte_rcu_qsbr_get_memsize(dp_main.nb_workers);

	dp_main.qsbr = rte_zmalloc("dp_qsbr", size, RTE_CACHE_LINE_SIZE);
	if (dp_main.qsbr == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(dp_main.qsbr, dp_main.nb_workers);
}

static int
create_lcores(void)
{
	unsigned int lcore_id, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore_id) {
		if (i == dp_main.nb_workers)
			break;
		dp_main.lcores[i] = dp_lcore_create(i, lcore_id);
		if (dp_main.lcores[i] == NULL)
			return -ENOMEM;
		i++;
	}
	return 0;
}

static int
create_overlay(void)
{
	struct ovl_params op = {
		.name = "vsw",
		.socket_id = (int)rte_socket_id(),
		.qsbr = dp_main.qsbr,
		.nb_bds = VSW_MAX_BDS,
		.max_vsids = VSW_MAX_BDS,
		.max_records = 65536,
		.max_macs = 65536,
		.max_slots = DP_MAX_TUNNELS,
		.max_routes = 1024,
		.max_neighbours = 256,
		.neigh_timeout_ms = 300 * 1000,
	};

	dp_main.ovl = ovl_create(&op);
	if (dp_main.ovl == NULL)
		return -ENOMEM;
	/* Many workers may poll an uplink queue; one control thread reads. */
	dp_main.ctl_rx = rte_ring_create("vsw_ctl_rx", 1024, (int)rte_socket_id(), RING_F_SC_DEQ);
	return dp_main.ctl_rx == NULL ? -ENOMEM : 0;
}

int
dp_init(const struct dp_options *opts, char *err, size_t errlen)
{
	struct fdb_params fp = { .name = "vsw_fdb", .socket_id = (int)rte_socket_id() };
	int ret;

	memset(&dp_main, 0, sizeof(dp_main));
	dp_main.opts = *opts;
	dp_main.epoch_tsc = rte_rdtsc();
	dp_main.tsc_hz = rte_get_tsc_hz();
	dp_departed_reset(); /* its times count from the epoch just set */
	dp_main.nb_workers = rte_lcore_count() - 1;
	if (dp_main.nb_workers == 0)
		return dp_fail(-EINVAL, err, errlen,
			    "no worker lcore: give EAL at least two lcores, e.g. --eal -l 0,1");
	if (dp_main.nb_workers > VSW_MAX_WORKERS)
		dp_main.nb_workers = VSW_MAX_WORKERS;
	dp_main.pool = rte_pktmbuf_pool_create("vsw_mbufs", opts->nb_mbufs, 256, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp_main.pool == NULL)
		return dp_fail(-ENOMEM, err, errlen,
			    "cannot allocate %u packet buffers: %s; give EAL more memory (-m) or lower --mbufs",
			    opts->nb_mbufs, rte_strerror(rte_errno));
	ret = create_qsbr();
	if (ret < 0)
		return dp_fail(ret, err, errlen, "cannot set up RCU: %s", rte_strerror(-ret));
	fp.max_entries = opts->fdb_size;
	fp.qsbr = dp_main.qsbr;
	dp_main.fdb = fdb_create(&fp);
	if (dp_main.fdb == NULL)
		return dp_fail(-ENOMEM, err, errlen,
			    "cannot create a MAC table of %u entries: %s; lower --fdb-size or give EAL more memory",
			    opts->fdb_size, rte_strerror(rte_errno));
	if (create_overlay() < 0)
		return dp_fail(-ENOMEM, err, errlen, "cannot create the overlay tables: %s",
			    rte_strerror(rte_errno));
	if (create_lcores() < 0)
		return dp_fail(-ENOMEM, err, errlen, "cannot allocate worker state");
	if (dp_rd_reset() < 0)
		return dp_fail(-ENOMEM, err, errlen, "cannot allocate the routing tables");
	dp_main.bds[0].in_use = true;
	snprintf(dp_main.bds[0].name, sizeof(dp_main.bds[0].name), "%s", DP_DEFAULT_BD);
	return dp_publish();
}

int
dp_start(void)
{
	atomic_store_explicit(&dp_main.stop, false, memory_order_release);
	for (unsigned int i = 0; i < dp_main.nb_workers; i++) {
		struct dp_lcore *lc = dp_main.lcores[i];
		int ret = rte_eal_remote_launch(dp_worker_main, lc, lc->lcore_id);

		if (ret < 0)
			return ret;
	}
	dp_main.started = true;
	return 0;
}

void
dp_stop(void)
{
	if (dp_main.started) {
		atomic_store_explicit(&dp_main.stop, true, memory_order_release);
		rte_eal_mp_wait_lcore();
		dp_main.started = false;
	}
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		if (dp_main.ports[slot].in_use) {
			port_close(&dp_main.ports[slot].handle);
			dp_main.ports[slot].in_use = false;
		}
	}
}

void
dp_fini(void)
{
	fdb_destroy(dp_main.fdb);
	ovl_destroy(dp_main.ovl);
	dp_rd_fini();
	if (dp_main.ctl_rx != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(dp_main.ctl_rx, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp_main.ctl_rx);
	}
	for (unsigned int i = 0; i < dp_main.nb_workers; i++)
		dp_lcore_destroy(dp_main.lcores[i]);
	rte_free(atomic_load(&dp_main.snapshot));
	rte_free(dp_main.qsbr);
	rte_mempool_free(dp_main.pool);
	memset(&dp_main, 0, sizeof(dp_main));
}

unsigned int
dp_nb_workers(void)
{
	return dp_main.nb_workers;
}

/* Bridge domains. */

int
dp_bd_find(const char *name)
{
	for (int id = 0; id < VSW_MAX_BDS; id++)
		if (dp_main.bds[id].in_use && strcmp(dp_main.bds[id].name, name) == 0)
			return id;
	return -ENOENT;
}

/* The uplink left its bridge domain when it became the uplink: it is in none. */
static unsigned int
bd_nb_ports(uint16_t id)
{
	unsigned int n = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++)
		n += dp_port_member(slot, id);
	return n;
}

int
dp_bd_add(const char *name)
{
	if (strlen(name) == 0 || strlen(name) >= PORT_NAME_MAX)
		return -EINVAL;
	if (dp_bd_find(name) >= 0)
		return -EEXIST;
	for (int id = 0; id < VSW_MAX_BDS; id++) {
		if (!dp_main.bds[id].in_use) {
			dp_main.bds[id].in_use = true;
			snprintf(dp_main.bds[id].name, sizeof(dp_main.bds[id].name), "%s", name);
			dp_bd_reset_conf((uint16_t)id);
			return id;
		}
	}
	return -ENOSPC;
}

static bool
entry_in_bd(const struct fdb_entry *e, const void *arg)
{
	return fdb_key_bd(e->key) == *(const uint16_t *)arg;
}

int
dp_bd_del(const char *name)
{
	int id = dp_bd_find(name);
	uint16_t bd, unused;
	int ret;

	if (id < 0)
		return -ENOENT;
	if (id == 0)
		return -EPERM;
	if (bd_nb_ports((uint16_t)id) > 0)
		return -EBUSY;
	bd = (uint16_t)id;
	/* Its virtual subnet goes first: if the overlay refuses (lookup records), the domain stays whole. */
	ret = dp_bd_set_vsid(bd, 0, &unused);
	if (ret < 0)
		return ret;
	/* Static entries may remain; a later domain reusing the id must start empty. */
	fdb_delete_if(dp_main.fdb, entry_in_bd, &bd);
	dp_rd_bd_forget(bd);
	dp_main.bds[id].in_use = false;
	return dp_publish();
}

unsigned int
dp_bd_list(struct dp_bd_info *out, unsigned int max)
{
	uint32_t nb_macs[VSW_MAX_BDS];
	unsigned int n = 0;

	dp_fdb_count_per_bd(nb_macs);
	for (uint16_t id = 0; id < VSW_MAX_BDS; id++) {
		if (!dp_main.bds[id].in_use)
			continue;
		if (n < max) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", dp_main.bds[id].name);
			out[n].id = id;
			out[n].nb_ports = (uint16_t)bd_nb_ports(id);
			out[n].nb_macs = nb_macs[id];
			dp_bd_get(out[n].name, &out[n].set);
		}
		n++;
	}
	return n;
}

/* Ports. */

int
dp_port_find(const char *name)
{
	for (int slot = 0; slot < VSW_MAX_PORTS; slot++)
		if (dp_main.ports[slot].in_use && strcmp(dp_main.ports[slot].name, name) == 0)
			return slot;
	return -ENOENT;
}

static int
free_slot(void)
{
	for (int slot = 0; slot < VSW_MAX_PORTS; slot++)
		if (!dp_main.ports[slot].in_use)
			return slot;
	return -ENOSPC;
}

/* RX queues of all ports, which assign_rx_queues spreads over the workers. */
static unsigned int
nb_rxq_in_use(void)
{
	unsigned int n = 0;

	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++)
		if (dp_main.ports[slot].in_use)
			n += dp_main.ports[slot].handle.nb_rxq;
	return n;
}

int
dp_port_add(const struct port_spec *spec, const char *bd_name, char *err, size_t errlen)
{
	struct port_env env = {
		.mbuf_pool = dp_main.pool,
		.nb_txq = (uint16_t)dp_main.nb_workers,
		.nb_rxd = NB_RXD,
		.nb_txd = NB_TXD,
	};
	struct dp_port *p;
	int bd, slot, ret;

	if (spec->name == NULL || strlen(spec->name) == 0 || strlen(spec->name) >= PORT_NAME_MAX)
		return dp_fail(-EINVAL, err, errlen, "port name must be 1 to %d characters",
			    PORT_NAME_MAX - 1);
	if (dp_port_find(spec->name) >= 0)
		return dp_fail(-EEXIST, err, errlen, "port '%s' already exists", spec->name);
	bd = dp_bd_find(bd_name != NULL ? bd_name : DP_DEFAULT_BD);
	if (bd < 0)
		return dp_fail(-ENOENT, err, errlen,
			    "bridge domain '%s' does not exist; create it with 'vswctl bd add %s'",
			    bd_name, bd_name);
	slot = free_slot();
	if (slot < 0)
		return dp_fail(-ENOSPC, err, errlen, "all %d port slots are in use; delete a port first",
			    VSW_MAX_PORTS);
	p = &dp_main.ports[slot];
	ret = port_open(spec, &env, &p->handle, err, errlen);
	if (ret < 0)
		return ret;
	if (nb_rxq_in_use() + p->handle.nb_rxq > VSW_MAX_RXQ * dp_main.nb_workers) {
		port_close(&p->handle);
		return dp_fail(-ENOSPC, err, errlen,
			    "the workers poll at most %u RX queues in all; use fewer queues= or more workers",
			    VSW_MAX_RXQ * dp_main.nb_workers);
	}
	snprintf(p->name, sizeof(p->name), "%s", spec->name);
	p->bd = (uint16_t)bd;
	p->tx_full_base = dp_tx_full_sum((uint16_t)slot);
	p->link_down_base = dp_tx_link_down_sum((uint16_t)slot);
	for (unsigned int q = 0; q < VSW_MAX_WORKERS; q++)
		rte_spinlock_init(&p->tx_locks[q]);
	/* Before publishing: from then on a worker may count refused frames for this port. */
	for (unsigned int i = 0; i < dp_main.nb_workers; i++)
		dp_main.lcores[i]->tx_unsent[slot].eth_port = p->handle.eth_port;
	p->link_up = dp_port_link_up(p->handle.eth_port);
	fdb_port_set_max_macs(dp_main.fdb, (uint16_t)slot, 0);
	p->in_use = true;
	ret = dp_publish();
	if (ret < 0) {
		p->in_use = false;
		port_close(&p->handle);
		return dp_fail(ret, err, errlen, "out of memory while publishing the new port");
	}
	return slot;
}

static bool
entry_on_port(const struct fdb_entry *e, const void *arg)
{
	return e->port == *(const uint16_t *)arg;
}

int
dp_port_del(const char *name, char *err, size_t errlen)
{
	int found = dp_port_find(name);
	uint16_t slot;
	struct dp_port *p;

	if (found < 0)
		return dp_fail(-ENOENT, err, errlen, "port '%s' does not exist", name);
	slot = (uint16_t)found;
	p = &dp_main.ports[slot];
	/* Unpublish first: after the grace period no worker polls or sends to it. */
	p->in_use = false;
	if (dp_publish() < 0) {
		p->in_use = true;
		return dp_fail(-ENOMEM, err, errlen, "out of memory while removing port '%s'", name);
	}
	fdb_delete_if(dp_main.fdb, entry_on_port, &slot);
	dp_departed_forget_port(slot);
	port_close(&p->handle);
	memset(p, 0, sizeof(*p));
	return 0;
}

int
dp_uplink_slot(void)
{
	for (int slot = 0; slot < VSW_MAX_PORTS; slot++)
		if (dp_main.ports[slot].in_use && dp_main.ports[slot].is_uplink)
			return slot;
	return -ENOENT;
}
