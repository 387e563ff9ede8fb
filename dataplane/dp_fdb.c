/* SPDX-License-Identifier: BSD-3-Clause */
/* The MAC table as the control plane sees it: by names, -errno results.  Control thread only. */
#include "dp_ctl.h"

#include <arpa/inet.h>

#include "ovl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

struct walk_ctx {
	uint32_t now;     /**< for ages */
	int bd;           /**< bridge domain to show, -1 = all */
	dp_fdb_cb *cb;    /**< caller's callback */
	void *arg;        /**< its argument */
	unsigned int n;   /**< entries passed on */
};

static void
walk_one(const struct fdb_entry *e, void *arg)
{
	struct walk_ctx *ctx = arg;
	struct dp_fdb_entry out;
	uint16_t bd = fdb_key_bd(e->key);

	if (ctx->bd >= 0 && bd != ctx->bd)
		return;
	memset(&out, 0, sizeof(out));
	if (bd < VSW_MAX_BDS && dp_main.bds[bd].in_use)
		snprintf(out.bd, sizeof(out.bd), "%s", dp_main.bds[bd].name);
	else
		snprintf(out.bd, sizeof(out.bd), "#%u", bd);
	fdb_key_mac(e->key, &out.mac);
	if (e->port < VSW_MAX_PORTS && dp_main.ports[e->port].in_use)
		snprintf(out.port, sizeof(out.port), "%s", dp_main.ports[e->port].name);
	else if (dp_port_is_remote(e->port))
		dp_remote_name(e->port, out.port, sizeof(out.port));
	else
		snprintf(out.port, sizeof(out.port), "#%u", e->port);
	out.is_static = (e->flags & FDB_F_STATIC) != 0;
	out.is_record = (e->flags & FDB_F_RECORD) != 0;
	out.frozen = (e->flags & FDB_F_FROZEN) != 0;
	out.moves = e->moves;
	out.cause = fdb_cause_name((enum fdb_cause)e->cause);
	out.age_s = out.is_static ? 0 : (uint32_t)RTE_MAX((int32_t)(ctx->now - e->seen), 0);
	ctx->cb(&out, ctx->arg);
	ctx->n++;
}

int
dp_fdb_walk(const char *bd, dp_fdb_cb *cb, void *arg)
{
	struct walk_ctx ctx = { .now = dp_now_s(), .bd = -1, .cb = cb, .arg = arg };

	if (bd != NULL) {
		ctx.bd = dp_bd_find(bd);
		if (ctx.bd < 0)
			return -ENOENT;
	}
	fdb_walk(dp_main.fdb, walk_one, &ctx);
	return (int)ctx.n;
}

struct flush_match {
	int bd;    /**< -1 = any */
	int port;  /**< -1 = any */
};

static bool
flush_matches(const struct fdb_entry *e, const void *arg)
{
	const struct flush_match *m = arg;

	/* Configuration, not learning: static entries and those from lookup records stay. */
	if (e->flags & (FDB_F_STATIC | FDB_F_RECORD))
		return false;
	if (m->bd >= 0 && fdb_key_bd(e->key) != m->bd)
		return false;
	return m->port < 0 || e->port == m->port;
}

int
dp_fdb_flush(const char *bd, const char *port)
{
	struct flush_match m = { .bd = -1, .port = -1 };

	if (bd != NULL) {
		m.bd = dp_bd_find(bd);
		if (m.bd < 0)
			return -ENOENT;
	}
	if (port != NULL) {
		m.port = dp_port_find(port);
		if (m.port < 0)
			return -ENOENT;
	}
	return (int)fdb_delete_if(dp_main.fdb, flush_matches, &m);
}

static void
count_in_bd(const struct fdb_entry *e, void *arg)
{
	uint32_t *per_bd = arg;
	uint16_t bd = fdb_key_bd(e->key);

	if (bd < VSW_MAX_BDS)
		per_bd[bd]++;
}

void
dp_fdb_count_per_bd(uint32_t *per_bd)
{
	memset(per_bd, 0, sizeof(uint32_t) * VSW_MAX_BDS);
	fdb_walk(dp_main.fdb, count_in_bd, per_bd);
}

static int
entry_key(const char *bd, const struct rte_ether_addr *mac, uint64_t *key)
{
	int id = dp_bd_find(bd);

	if (id < 0)
		return -ENOENT;
	if (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	*key = fdb_key((uint16_t)id, mac);
	return 0;
}

int
dp_fdb_add_static(const char *bd, const struct rte_ether_addr *mac, const char *port)
{
	int slot = dp_port_find(port);
	uint64_t key;
	int ret = entry_key(bd, mac, &key);

	if (ret < 0)
		return ret;
	if (slot < 0)
		return -ENOENT;
	if (!dp_port_member((uint16_t)slot, fdb_key_bd(key)))
		return -EINVAL;
	if (fdb_add_static(dp_main.fdb, key, (uint16_t)slot) < 0)
		return -ENOSPC;
	return 0;
}

int
dp_fdb_del(const char *bd, const struct rte_ether_addr *mac)
{
	uint64_t key;
	int ret = entry_key(bd, mac, &key);

	if (ret < 0)
		return ret;
	return fdb_delete(dp_main.fdb, key) < 0 ? -ENOENT : 0;
}

bool
dp_fdb_learned_on(const struct fdb_entry *e, const void *arg)
{
	return !(e->flags & FDB_F_STATIC) && e->port == *(const uint16_t *)arg;
}

void
dp_fdb_forget_port(uint16_t slot)
{
	fdb_delete_if(dp_main.fdb, dp_fdb_learned_on, &slot);
}

void
dp_remote_name(uint16_t port, char *out, size_t len)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	uint16_t slot = dp_remote_slot(port);
	char ip[INET6_ADDRSTRLEN] = "?";

	if (slot < os->nb_slots)
		dp_pa_text(&os->slot_pa[slot], ip, sizeof(ip));
	snprintf(out, len, "pa:%s", ip);
}
