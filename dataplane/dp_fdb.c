/* SPDX-License-Identifier: BSD-3-Clause */
/* The MAC table as the control plane sees it: by names.  Control thread only. */
#include "dp_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct walk_ctx {
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
	struct rte_ether_addr mac;

	if (ctx->bd >= 0 && bd != ctx->bd)
		return;
	memset(&out, 0, sizeof(out));
	if (bd < VSW_MAX_BDS && dp_main.bds[bd].in_use)
		snprintf(out.bd, sizeof(out.bd), "%s", dp_main.bds[bd].name);
	else
		snprintf(out.bd, sizeof(out.bd), "#%u", bd);
	fdb_key_mac(e->key, &mac);
	memcpy(out.mac, mac.addr_bytes, sizeof(out.mac));
	if (e->port < VSW_MAX_PORTS && dp_main.ports[e->port].in_use)
		snprintf(out.port, sizeof(out.port), "%s", dp_main.ports[e->port].name);
	else
		snprintf(out.port, sizeof(out.port), "#%u", e->port);
	out.is_static = (e->flags & FDB_F_STATIC) != 0;
	ctx->cb(&out, ctx->arg);
	ctx->n++;
}

int
dp_fdb_walk(const char *bd, dp_fdb_cb *cb, void *arg)
{
	struct walk_ctx ctx = { .bd = -1, .cb = cb, .arg = arg };

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

	if (e->flags & FDB_F_STATIC)
		return false;
	if (m->bd >= 0 && fdb_key_bd(e->key) != m->bd)
		return false;
	return m->port < 0 || e->port == m->port;
}

int
dp_fdb_flush(const char *bd, const char *port, char *err, size_t errlen)
{
	struct flush_match m = { .bd = -1, .port = -1 };

	if (bd != NULL) {
		m.bd = dp_bd_find(bd);
		if (m.bd < 0) {
			snprintf(err, errlen, "bridge domain '%s' does not exist", bd);
			return -ENOENT;
		}
	}
	if (port != NULL) {
		m.port = dp_port_find(port);
		if (m.port < 0) {
			snprintf(err, errlen, "port '%s' does not exist", port);
			return -ENOENT;
		}
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
