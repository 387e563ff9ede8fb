/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lookup records, (VSID, customer IP) -> (customer MAC, provider address):
 * add, delete, look up (one, or in bulk for the routing stage) and walk.
 * Control thread, but for the bulk lookups, which are worker-safe.
 *
 * A record's value is packed into 8 bytes, as fdb.c does, so that an update
 * is one atomic store with nothing to free: the FDB key of the CA MAC in the
 * VSID's bridge domain (ovl_mac_key(): bd in 63..48, MAC in 47..0), in the
 * records' own bucket table (ovl_rec_table.h), which the routing stage
 * reads once per routed frame.  The PA lives in the encap map (ovl_tables.c),
 * where every record holds a reference on its MAC's entry.
 */
#include "ovl.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>

#include "ovl_priv.h"

static inline uint64_t
rec_key(uint32_t vsid, rte_be32_t ip)
{
	return (uint64_t)vsid << 32 | rte_be_to_cpu_32(ip);
}

static inline void
mac_unpack(const void *data, struct rte_ether_addr *mac)
{
	/* The top six bytes of a big-endian word: one copy, which a reader's wide loads can forward. */
	uint64_t v = rte_cpu_to_be_64((uint64_t)(uintptr_t)data << 16);

	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

int
ovl_record_add(struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip,
	       const struct rte_ether_addr *ca_mac, const struct ovl_ip *pa)
{
	struct ovl_vsid_cfg *cfg = nvgre_vsid_is_valid(vsid) ? ovl_vsid_find(ovl, vsid) : NULL;
	uint64_t key = rec_key(vsid, ca_ip), old_val;
	struct rte_ether_addr old_mac;
	int ret;

	if (cfg == NULL)
		return -ENOENT;
	if (!rte_is_unicast_ether_addr(ca_mac) || rte_is_zero_ether_addr(ca_mac) ||
	    !ovl_ip_usable(pa) || ca_ip == 0)
		return -EINVAL;

	if (ovl_rtab_find(&ovl->rec, key, &old_val) != OVL_RTAB_POS_NONE) {
		mac_unpack((void *)(uintptr_t)old_val, &old_mac);
		if (rte_is_same_ether_addr(&old_mac, ca_mac)) {
			/* Same MAC, maybe a new PA: the VM moved, with all its addresses. */
			ret = ovl_mac_move(ovl, vsid, cfg->bd, ca_mac, pa);
		} else {
			/* New MAC first, then release the old: no slot is reused in between. */
			ret = ovl_mac_ref_get(ovl, vsid, cfg->bd, ca_mac, pa);
			if (ret == 0) {
				/* A present key: one store, which readers see whole. */
				ovl_rtab_set(&ovl->rec, key, ovl_mac_key(cfg->bd, ca_mac), NULL);
				ovl_mac_ref_put(ovl, cfg->bd, &old_mac);
			}
		}
	} else {
		ret = ovl_mac_ref_get(ovl, vsid, cfg->bd, ca_mac, pa);
		if (ret == 0) {
			if (ovl_rtab_set(&ovl->rec, key, ovl_mac_key(cfg->bd, ca_mac), NULL) < 0) {
				ovl_mac_ref_put(ovl, cfg->bd, ca_mac);
				ret = -ENOSPC;
			} else {
				cfg->nb_records++;
			}
		}
	}
	if (ret != 0) {
		ovl_commit(ovl);
		return ret;
	}
	return ovl_commit(ovl);
}

int
ovl_record_del(struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip)
{
	struct ovl_vsid_cfg *cfg = nvgre_vsid_is_valid(vsid) ? ovl_vsid_find(ovl, vsid) : NULL;
	uint64_t key = rec_key(vsid, ca_ip), val;
	struct rte_ether_addr mac;

	if (cfg == NULL || ovl_rtab_find(&ovl->rec, key, &val) == OVL_RTAB_POS_NONE)
		return -ENOENT;
	mac_unpack((void *)(uintptr_t)val, &mac);
	ovl_shared_del(ovl, NULL, &key);
	ovl_mac_ref_put(ovl, cfg->bd, &mac);
	cfg->nb_records--;
	return ovl_commit(ovl);
}

int
ovl_record_lookup(const struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip, struct ovl_record *rec)
{
	uint64_t key = rec_key(vsid, ca_ip), val;
	struct ovl_mac_dest dest;

	if (ovl_rtab_find(&ovl->rec, key, &val) == OVL_RTAB_POS_NONE)
		return -ENOENT;
	rec->vsid = vsid;
	rec->ca_ip = ca_ip;
	mac_unpack((void *)(uintptr_t)val, &rec->ca_mac);
	memset(&rec->pa, 0, sizeof(rec->pa));
	/* The value is the MAC's encap-map key already. */
	if (ovl_mac_lookup(ovl, val, &dest) == 0)
		rec->pa = ovl_pa_of(ovl, dest.pa_id);
	return 0;
}

void
ovl_record_mac_bulk(const struct ovl *ovl, const uint32_t *vsids, const rte_be32_t *ips,
		    unsigned int n, struct rte_ether_addr *macs, bool *found)
{
	uint64_t keys[OVL_BULK_MAX], rkeys[OVL_BULK_MAX];
	ovl_record_slot slots[OVL_BULK_MAX];

	ovl_record_key_slot_bulk(ovl, vsids, ips, n, keys, rkeys, slots);
	for (unsigned int i = 0; i < n; i++) {
		found[i] = keys[i] != OVL_KEY_NONE;
		if (found[i])
			mac_unpack((void *)(uintptr_t)keys[i], &macs[i]);
	}
}

void
ovl_record_key_slot_bulk(const struct ovl *ovl, const uint32_t *vsids, const rte_be32_t *ips,
			 unsigned int n, uint64_t *keys, uint64_t *rkeys, ovl_record_slot *slots)
{
	uint32_t pos[OVL_BULK_MAX];

	_Static_assert(offsetof(struct fdb_bucket, vals) - offsetof(struct fdb_bucket, keys) ==
			       OVL_REC_SLOT_VAL_OFFSET * sizeof(uint64_t),
		       "ovl_record_slot_holds() finds a value OVL_REC_SLOT_VAL_OFFSET words after its key");
	for (unsigned int i = 0; i < n; i++)
		rkeys[i] = rec_key(vsids[i], ips[i]);
	ovl_rtab_find_pos_bulk(&ovl->rec, rkeys, n, keys, pos, OVL_KEY_NONE);
	for (unsigned int i = 0; i < n; i++)
		slots[i] = pos[i] == OVL_RTAB_POS_NONE ?
				   NULL :
				   &ovl->rec.buckets[pos[i] / OVL_RTAB_SLOTS].keys[pos[i] % OVL_RTAB_SLOTS];
}

uint32_t
ovl_record_changes(const struct ovl *ovl)
{
	return __atomic_load_n(&ovl->rec.changes, __ATOMIC_ACQUIRE);
}

unsigned int
ovl_record_walk(const struct ovl *ovl, ovl_record_fn *fn, void *arg)
{
	uint64_t k, val;
	uint32_t next = 0;
	unsigned int n = 0;

	while (ovl_rtab_next(&ovl->rec, &next, &k, &val)) {
		struct ovl_record rec;

		if (ovl_record_lookup(ovl, (uint32_t)(k >> 32), rte_cpu_to_be_32((uint32_t)k),
				      &rec) == 0) {
			fn(&rec, arg);
			n++;
		}
	}
	return n;
}

