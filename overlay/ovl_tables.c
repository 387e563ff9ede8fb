/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overlay tables: creation, the published snapshot, virtual subnets, the
 * encap map and template slots.  Lookup records, which hold references on
 * the encap map's entries, are in ovl_records.c; routes, neighbours and ARP
 * on the uplink in ovl_route.c.
 *
 * The encap map's values are packed into 8 bytes, as fdb.c does, so that
 * an update is one atomic store with nothing to free:
 *   mac_hash:  PA id in 31..0 (the address interned in pa_hash, which has
 *              room for 128 bits that the value has not), slot in 47..32,
 *              number of records using the MAC in 63..48
 */
#include "ovl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ovl_priv.h"

#define MAC_REFCNT_MAX 0xffffu /* records per MAC: 16 bits of the packed value */

/* slot_hash key: every byte defined (ovl_ip values are built zeroed). */
struct slot_key {
	uint32_t vsid;	  /**< virtual subnet */
	struct ovl_ip pa; /**< remote provider address */
};

static inline struct slot_key
slot_key(uint32_t vsid, const struct ovl_ip *pa)
{
	struct slot_key k;

	memset(&k, 0, sizeof(k));
	k.vsid = vsid;
	k.pa = ovl_ip_is6(pa) ? ovl_ip6(pa->v6) : ovl_ip4(pa->v4);
	return k;
}

static inline void *
dest_pack(uint32_t pa_id, uint16_t slot, uint16_t refcnt)
{
	return (void *)(uintptr_t)((uint64_t)pa_id | (uint64_t)slot << 32 | (uint64_t)refcnt << 48);
}

static inline void
dest_unpack(const void *data, struct ovl_mac_dest *d, uint16_t *refcnt)
{
	uint64_t v = (uintptr_t)data;

	d->pa_id = (uint32_t)v;
	d->slot = (uint16_t)(v >> 32);
	if (refcnt != NULL)
		*refcnt = (uint16_t)(v >> 48);
}

/*
 * Key compares for 8- and 4-byte keys: rte_hash has its own compares only
 * for 16 bytes and more and calls libc's memcmp for anything shorter, once
 * per candidate key of every lookup.  0 when equal, as memcmp.
 */
static int
key8_cmp(const void *a, const void *b, size_t len __rte_unused)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

static int
key4_cmp(const void *a, const void *b, size_t len __rte_unused)
{
	uint32_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

static struct rte_hash *
hash_create(const struct ovl *ovl, const char *what, uint32_t entries, uint32_t key_len,
	    bool shared)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(entries, 8u),
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = ovl->params.socket_id,
		/* Readers on workers need lock-free lookups; one writer, the control thread. */
		.extra_flag = shared ? RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF : 0,
	};

	struct rte_hash *h;

	snprintf(name, sizeof(name), "%s_%s", ovl->name, what);
	h = rte_hash_create(&hp);
	if (h != NULL && key_len == sizeof(uint64_t))
		rte_hash_set_cmp_func(h, key8_cmp);
	else if (h != NULL && key_len == sizeof(uint32_t))
		rte_hash_set_cmp_func(h, key4_cmp);
	return h;
}

static int
params_check(const struct ovl_params *p)
{
	if (p->name == NULL || strlen(p->name) == 0 || strlen(p->name) > OVL_NAME_MAX)
		return -EINVAL;
	if (p->nb_bds == 0 || p->max_vsids == 0 || p->max_records == 0 || p->max_macs == 0 ||
	    p->max_slots == 0 || p->max_slots > OVL_MAX_SLOTS || p->max_routes == 0 ||
	    p->max_routes >= 1u << 21 || /* rte_lpm6 next hops are 21 bits (rte_lpm's 24) */
	    p->max_neighbours == 0 || p->neigh_timeout_ms == 0)
		return -EINVAL;
	return 0;
}

struct ovl *
ovl_create(const struct ovl_params *params)
{
	struct rte_lpm_config lc = { 0 };
	char lpm_name[RTE_LPM_NAMESIZE];
	struct ovl *ovl;
	int ret;

	if (params_check(params) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	ovl = rte_zmalloc_socket("ovl", sizeof(*ovl), 0, params->socket_id);
	if (ovl == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(ovl->name, sizeof(ovl->name), "%s", params->name);
	ovl->params = *params;
	ovl->params.name = NULL;
	ovl->mtu = OVL_DEFAULT_MTU;

	ovl->vsid_hash = hash_create(ovl, "vsid", params->max_vsids, sizeof(uint32_t), true);
	ovl->mac_hash = hash_create(ovl, "mac", params->max_macs, sizeof(uint64_t), true);
	ovl->slot_hash = hash_create(ovl, "slot", params->max_slots, sizeof(struct slot_key), false);
	/* Distinct PAs of MAC entries: one per remote slot at most, plus ours; twice for the cuckoo. */
	ovl->pa_hash = hash_create(ovl, "pa", 2u * (params->max_slots + NVGRE_MAX_LOCAL_PA),
				   sizeof(struct ovl_ip), false);
	if (ovl->vsid_hash == NULL || ovl->mac_hash == NULL || ovl->slot_hash == NULL ||
	    ovl->pa_hash == NULL)
		goto fail;
	if (ovl_rtab_init(&ovl->rec, params->max_records, params->socket_id) != 0) {
		rte_errno = ENOMEM;
		goto fail;
	}
	ovl->pa_refs = calloc((size_t)rte_hash_max_key_id(ovl->pa_hash) + 2, sizeof(uint32_t));
	if (ovl->pa_refs == NULL)
		goto fail;

	snprintf(lpm_name, sizeof(lpm_name), "%s_lpm", ovl->name);
	lc.max_rules = params->max_routes;
	lc.number_tbl8s = RTE_MAX(params->max_routes, 16u);
	ovl->lpm = rte_lpm_create(lpm_name, params->socket_id, &lc);
	{
		struct rte_lpm6_config lc6 = { .max_rules = params->max_routes,
					       /* a /64 takes 5 groups below the first 3 bytes */
					       .number_tbl8s = RTE_MAX(params->max_routes, 16u) * 4u };

		snprintf(lpm_name, sizeof(lpm_name), "%s_lpm6", ovl->name);
		ovl->lpm6 = rte_lpm6_create(lpm_name, params->socket_id, &lc6);
	}

	ovl->vsids = calloc(params->max_vsids, sizeof(*ovl->vsids));
	ovl->slots = calloc(params->max_slots, sizeof(*ovl->slots));
	ovl->routes = calloc(params->max_routes, sizeof(*ovl->routes));
	ovl->neighs = calloc(params->max_neighbours, sizeof(*ovl->neighs));
	if (ovl->lpm == NULL || ovl->lpm6 == NULL || ovl->vsids == NULL || ovl->slots == NULL || ovl->routes == NULL ||
	    ovl->neighs == NULL)
		goto fail;

	/* Publish an empty snapshot so that workers never see NULL. */
	ovl->dirty = true;
	ret = ovl_commit(ovl);
	if (ret != 0)
		goto fail;
	return ovl;

fail:
	ret = rte_errno;
	ovl_destroy(ovl);
	rte_errno = ret == EEXIST ? EEXIST : ENOMEM;
	return NULL;
}

void
ovl_destroy(struct ovl *ovl)
{
	if (ovl == NULL)
		return;
	rte_hash_free(ovl->vsid_hash);
	ovl_rtab_fini(&ovl->rec);
	rte_hash_free(ovl->mac_hash);
	rte_hash_free(ovl->slot_hash);
	rte_hash_free(ovl->pa_hash);
	free(ovl->pa_refs);
	rte_lpm_free(ovl->lpm);
	rte_lpm6_free(ovl->lpm6);
	rte_free(ovl->snap);
	free(ovl->vsids);
	free(ovl->slots);
	free(ovl->routes);
	free(ovl->neighs);
	rte_free(ovl);
}

const struct ovl_snapshot *
ovl_snapshot_get(const struct ovl *ovl)
{
	return __atomic_load_n(&ovl->snap, __ATOMIC_ACQUIRE);
}

/* Lay the snapshot and its arrays out in one allocation and fill it from the control state. */
static struct ovl_snapshot *
snapshot_build(const struct ovl *ovl)
{
	const struct ovl_params *p = &ovl->params;
	uint16_t nb_slots = 0;
	uint32_t nb_flood = 0;
	size_t off_tmpl, off_state, off_vsid, off_first, off_flood, off_pa, size;
	struct ovl_snapshot *s;
	struct nvgre_template *tmpl;
	uint8_t *state;
	uint32_t *bd_vsid, *first;
	uint16_t *flood;
	struct ovl_ip *slot_pa;
	char *base;

	for (uint16_t i = 0; i < p->max_slots; i++)
		if (ovl->slots[i].vsid != 0) {
			nb_slots = (uint16_t)(i + 1);
			nb_flood++;
		}
	off_tmpl = RTE_ALIGN_CEIL(sizeof(*s), RTE_CACHE_LINE_SIZE);
	off_state = off_tmpl + (size_t)nb_slots * sizeof(*tmpl);
	off_vsid = RTE_ALIGN_CEIL(off_state + nb_slots, sizeof(uint32_t));
	off_first = off_vsid + (size_t)p->nb_bds * sizeof(uint32_t);
	off_flood = off_first + ((size_t)p->nb_bds + 1) * sizeof(uint32_t);
	off_pa = RTE_ALIGN_CEIL(off_flood + (size_t)nb_flood * sizeof(uint16_t), sizeof(uint32_t));
	size = off_pa + (size_t)nb_slots * sizeof(struct ovl_ip);

	base = rte_zmalloc_socket("ovl_snapshot", size, RTE_CACHE_LINE_SIZE, p->socket_id);
	if (base == NULL)
		return NULL;
	s = (struct ovl_snapshot *)base;
	tmpl = (struct nvgre_template *)(base + off_tmpl);
	state = (uint8_t *)(base + off_state);
	bd_vsid = (uint32_t *)(base + off_vsid);
	first = (uint32_t *)(base + off_first);
	flood = (uint16_t *)(base + off_flood);
	slot_pa = (struct ovl_ip *)(base + off_pa);

	for (uint32_t i = 0; i < ovl->nb_pas; i++) {
		const struct ovl_ip *a = &ovl->pas[i].addr;

		if (ovl_ip_is6(a))
			memcpy(s->local.pa6[s->local.nb_pa6++], a->v6, OVL_IP6_LEN);
		else
			s->local.pa[s->local.nb_pa++] = a->v4;
	}
	s->mtu = ovl->mtu;
	s->nb_slots = nb_slots;
	s->nb_bds = p->nb_bds;

	for (uint16_t i = 0; i < nb_slots; i++) {
		struct ovl_ip nh;

		slot_pa[i] = ovl->slots[i].pa;
		state[i] = ovl->slots[i].vsid == 0 ?
				   NVGRE_ENCAP_NO_ROUTE :
				   (uint8_t)ovl_slot_resolve(ovl, &ovl->slots[i], &tmpl[i], &nh);
	}
	for (uint16_t i = 0; i < p->max_vsids; i++)
		if (ovl->vsids[i].vsid != 0)
			bd_vsid[ovl->vsids[i].bd] = ovl->vsids[i].vsid;

	/* Flood lists as CSR: count per bridge domain, prefix-sum, then fill. */
	for (uint16_t i = 0; i < nb_slots; i++)
		if (ovl->slots[i].vsid != 0)
			first[ovl->slots[i].bd + 1]++;
	for (uint16_t bd = 0; bd < p->nb_bds; bd++)
		first[bd + 1] += first[bd];
	/* Fill with first[bd] as the cursor of bd, which leaves it where bd + 1 starts... */
	for (uint16_t i = 0; i < nb_slots; i++)
		if (ovl->slots[i].vsid != 0)
			flood[first[ovl->slots[i].bd]++] = i;
	/* ...so shift back by one: first[bd] is again where bd starts. */
	memmove(&first[1], &first[0], (size_t)p->nb_bds * sizeof(*first));
	first[0] = 0;

	s->tmpl = tmpl;
	s->tmpl_state = state;
	s->bd_vsid = bd_vsid;
	s->flood_first = first;
	s->flood_slots = flood;
	s->slot_pa = slot_pa;
	return s;
}

static void
grace_period(const struct ovl *ovl)
{
	if (ovl->params.qsbr != NULL)
		rte_rcu_qsbr_synchronize(ovl->params.qsbr, RTE_QSBR_THRID_INVALID);
}

int
ovl_commit(struct ovl *ovl)
{
	struct ovl_snapshot *old = NULL;
	int ret = 0;

	if (ovl->dirty) {
		struct ovl_snapshot *s = snapshot_build(ovl);

		if (s != NULL) {
			old = ovl->snap;
			__atomic_store_n(&ovl->snap, s, __ATOMIC_RELEASE);
			ovl->dirty = false;
		} else {
			/* Kept dirty: the next successful change publishes this one too. */
			ret = -ENOMEM;
		}
	}
	if (old != NULL || ovl->nb_pending > 0)
		grace_period(ovl);
	rte_free(old);
	for (unsigned int i = 0; i < ovl->nb_pending; i++) {
		if (ovl->pending[i].hash == NULL)
			ovl_rtab_reclaim(&ovl->rec, (uint32_t)ovl->pending[i].pos);
		else
			rte_hash_free_key_with_position(ovl->pending[i].hash, ovl->pending[i].pos);
	}
	ovl->nb_pending = 0;
	return ret;
}

/*
 * Delete 'key' from a worker-read table (a hash, or the records table when
 * 'h' is NULL); its position is reused after the next grace period.
 */
void
ovl_shared_del(struct ovl *ovl, struct rte_hash *h, const void *key)
{
	int32_t pos;

	if (h == NULL) {
		uint32_t p = ovl_rtab_hide(&ovl->rec, *(const uint64_t *)key);

		pos = p == OVL_RTAB_POS_NONE ? -1 : (int32_t)p;
	} else {
		pos = rte_hash_del_key(h, key);
	}
	if (pos < 0)
		return;
	if (ovl->nb_pending == OVL_PENDING_MAX)
		ovl_commit(ovl);
	ovl->pending[ovl->nb_pending].hash = h;
	ovl->pending[ovl->nb_pending].pos = pos;
	ovl->nb_pending++;
}

/* Virtual subnets. */

struct ovl_vsid_cfg *
ovl_vsid_find(const struct ovl *ovl, uint32_t vsid)
{
	for (uint16_t i = 0; i < ovl->params.max_vsids; i++)
		if (ovl->vsids[i].vsid == vsid)
			return &ovl->vsids[i];
	return NULL;
}

int
ovl_vsid_to_bd(const struct ovl *ovl, uint32_t vsid, uint16_t *bd)
{
	void *data;

	if (rte_hash_lookup_data(ovl->vsid_hash, &vsid, &data) < 0)
		return -ENOENT;
	*bd = (uint16_t)(uintptr_t)data;
	return 0;
}

int
ovl_vsid_add(struct ovl *ovl, uint32_t vsid, uint16_t bd)
{
	struct ovl_vsid_cfg *free_cfg;

	if (!nvgre_vsid_is_valid(vsid))
		return -EINVAL;
	if (bd >= ovl->params.nb_bds)
		return -ERANGE;
	if (ovl_vsid_find(ovl, vsid) != NULL)
		return -EEXIST;
	for (uint16_t i = 0; i < ovl->params.max_vsids; i++)
		if (ovl->vsids[i].vsid != 0 && ovl->vsids[i].bd == bd)
			return -EEXIST;
	free_cfg = ovl_vsid_find(ovl, 0);
	if (free_cfg == NULL)
		return -ENOSPC;
	if (rte_hash_add_key_data(ovl->vsid_hash, &vsid, (void *)(uintptr_t)bd) < 0)
		return -ENOSPC;
	free_cfg->vsid = vsid;
	free_cfg->bd = bd;
	free_cfg->nb_records = 0;
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_vsid_del(struct ovl *ovl, uint32_t vsid)
{
	struct ovl_vsid_cfg *cfg = nvgre_vsid_is_valid(vsid) ? ovl_vsid_find(ovl, vsid) : NULL;

	if (cfg == NULL)
		return -ENOENT;
	if (cfg->nb_records > 0)
		return -EBUSY;
	ovl_shared_del(ovl, ovl->vsid_hash, &vsid);
	memset(cfg, 0, sizeof(*cfg));
	ovl->dirty = true;
	return ovl_commit(ovl);
}

/* Template slots. */

/*
 * Take a reference on the slot of (vsid, pa), creating it if needed; a PA of
 * ours needs no slot.  A new slot is published before this returns, so the
 * caller may point an encap-map entry at it at once.
 */
static int
slot_get(struct ovl *ovl, uint32_t vsid, uint16_t bd, const struct ovl_ip *pa, uint16_t *slot)
{
	struct slot_key key = slot_key(vsid, pa);
	void *data;
	int ret;

	if (ovl_pa_is_ours(ovl, pa)) {
		*slot = OVL_SLOT_LOCAL;
		return 0;
	}
	if (rte_hash_lookup_data(ovl->slot_hash, &key, &data) >= 0) {
		*slot = (uint16_t)(uintptr_t)data;
		ovl->slots[*slot].refcnt++;
		return 0;
	}
	for (uint16_t i = 0; i < ovl->params.max_slots; i++) {
		struct ovl_slot *s = &ovl->slots[i];

		if (s->vsid != 0)
			continue;
		if (rte_hash_add_key_data(ovl->slot_hash, &key, (void *)(uintptr_t)i) < 0)
			return -ENOSPC;
		s->vsid = vsid;
		s->bd = bd;
		s->pa = key.pa;
		s->refcnt = 1;
		ovl->dirty = true;
		ret = ovl_commit(ovl);
		if (ret != 0) {
			rte_hash_del_key(ovl->slot_hash, &key);
			memset(s, 0, sizeof(*s));
			return ret;
		}
		*slot = i;
		return 0;
	}
	return -ENOSPC;
}

/* Drop a reference; the last one frees the slot (reusable after the next publish). */
static void
slot_put(struct ovl *ovl, uint16_t slot)
{
	struct ovl_slot *s;
	struct slot_key key;

	if (slot >= ovl->params.max_slots)
		return;
	s = &ovl->slots[slot];
	if (--s->refcnt > 0)
		return;
	key = slot_key(s->vsid, &s->pa);
	rte_hash_del_key(ovl->slot_hash, &key); /* control-only table: no grace period needed */
	memset(s, 0, sizeof(*s));
	ovl->nb_slots_freed++;
	ovl->dirty = true;
}

/* The encap map. */

int
ovl_mac_lookup(const struct ovl *ovl, uint64_t key, struct ovl_mac_dest *dest)
{
	void *data;

	if (rte_hash_lookup_data(ovl->mac_hash, &key, &data) < 0) {
		dest->pa_id = 0;
		dest->slot = OVL_SLOT_NONE;
		return -ENOENT;
	}
	dest_unpack(data, dest, NULL);
	return 0;
}

void
ovl_mac_lookup_bulk(const struct ovl *ovl, const uint64_t *keys, unsigned int n,
		    struct ovl_mac_dest *dests)
{
	const void *key_ptrs[OVL_BULK_MAX];
	void *data[OVL_BULK_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++)
		key_ptrs[i] = &keys[i];
	rte_hash_lookup_bulk_data(ovl->mac_hash, key_ptrs, n, &hits, data);
	for (unsigned int i = 0; i < n; i++) {
		if (hits & (1ULL << i)) {
			dest_unpack(data[i], &dests[i], NULL);
		} else {
			dests[i].pa_id = 0;
			dests[i].slot = OVL_SLOT_NONE;
		}
	}
}

/*
 * Set the existing MAC entry 'key' (now 'cur') to 'pa' with 'refcnt' records.
 * A new PA takes its slot before the old slot is released, so the entry
 * never points at a freed slot.
 */
static int
mac_set(struct ovl *ovl, uint64_t key, const struct ovl_mac_dest *cur, uint16_t refcnt,
	uint32_t vsid, uint16_t bd, const struct ovl_ip *pa)
{
	uint16_t slot = cur->slot;
	struct ovl_ip cur_pa = ovl_pa_of(ovl, cur->pa_id);
	/* A new PA, or the same PA that has since become ours or stopped being ours. */
	bool moved = !ovl_ip_eq(&cur_pa, pa) ||
		     (cur->slot == OVL_SLOT_LOCAL) != ovl_pa_is_ours(ovl, pa);
	uint32_t id = cur->pa_id;
	int ret;

	if (moved) {
		id = ovl_pa_id_get(ovl, pa);
		if (id == 0)
			return -ENOSPC;
		ret = slot_get(ovl, vsid, bd, pa, &slot);
		if (ret != 0) {
			ovl_pa_id_put(ovl, id);
			return ret;
		}
	}
	/* An existing key: rte_hash swaps the data atomically for lock-free readers. */
	rte_hash_add_key_data(ovl->mac_hash, &key, dest_pack(id, slot, refcnt));
	if (moved) {
		slot_put(ovl, cur->slot);
		ovl_pa_id_put(ovl, cur->pa_id);
	}
	return 0;
}

int
ovl_mac_ref_get(struct ovl *ovl, uint32_t vsid, uint16_t bd, const struct rte_ether_addr *mac,
	    const struct ovl_ip *pa)
{
	uint64_t key = ovl_mac_key(bd, mac);
	struct ovl_mac_dest cur;
	uint16_t refcnt, slot;
	uint32_t id;
	void *data;
	int ret;

	if (rte_hash_lookup_data(ovl->mac_hash, &key, &data) >= 0) {
		dest_unpack(data, &cur, &refcnt);
		if (refcnt == MAC_REFCNT_MAX)
			return -ENOSPC;
		return mac_set(ovl, key, &cur, (uint16_t)(refcnt + 1), vsid, bd, pa);
	}
	id = ovl_pa_id_get(ovl, pa);
	if (id == 0)
		return -ENOSPC;
	ret = slot_get(ovl, vsid, bd, pa, &slot);
	if (ret != 0) {
		ovl_pa_id_put(ovl, id);
		return ret;
	}
	if (rte_hash_add_key_data(ovl->mac_hash, &key, dest_pack(id, slot, 1)) < 0) {
		slot_put(ovl, slot);
		ovl_pa_id_put(ovl, id);
		return -ENOSPC;
	}
	return 0;
}

void
ovl_mac_ref_put(struct ovl *ovl, uint16_t bd, const struct rte_ether_addr *mac)
{
	uint64_t key = ovl_mac_key(bd, mac);
	struct ovl_mac_dest cur;
	uint16_t refcnt;
	void *data;

	if (rte_hash_lookup_data(ovl->mac_hash, &key, &data) < 0)
		return;
	dest_unpack(data, &cur, &refcnt);
	if (refcnt > 1) {
		rte_hash_add_key_data(ovl->mac_hash, &key,
				      dest_pack(cur.pa_id, cur.slot, refcnt - 1));
		return;
	}
	ovl_shared_del(ovl, ovl->mac_hash, &key);
	slot_put(ovl, cur.slot);
	ovl_pa_id_put(ovl, cur.pa_id);
}

int
ovl_mac_move(struct ovl *ovl, uint32_t vsid, uint16_t bd, const struct rte_ether_addr *mac,
	     const struct ovl_ip *pa)
{
	uint64_t key = ovl_mac_key(bd, mac);
	struct ovl_mac_dest cur;
	uint16_t refcnt;
	void *data;

	if (rte_hash_lookup_data(ovl->mac_hash, &key, &data) < 0)
		return -EIO; /* a record without its MAC entry: cannot happen */
	dest_unpack(data, &cur, &refcnt);
	return mac_set(ovl, key, &cur, refcnt, vsid, bd, pa);
}

void
ovl_counts_get(const struct ovl *ovl, struct ovl_counts *c)
{
	const struct ovl_snapshot *s = ovl_snapshot_get(ovl);

	memset(c, 0, sizeof(*c));
	for (uint16_t i = 0; i < ovl->params.max_vsids; i++)
		c->nb_vsids += ovl->vsids[i].vsid != 0;
	c->nb_records = ovl_rtab_count(&ovl->rec);
	c->nb_macs = (uint32_t)RTE_MAX(rte_hash_count(ovl->mac_hash), 0);
	for (uint16_t i = 0; i < ovl->params.max_slots; i++)
		c->nb_slots += ovl->slots[i].vsid != 0;
	for (uint16_t i = 0; i < s->nb_slots; i++)
		c->nb_unresolved += ovl->slots[i].vsid != 0 && s->tmpl_state[i] != NVGRE_ENCAP_OK;
	for (uint32_t i = 0; i < ovl->params.max_routes; i++)
		c->nb_routes += ovl->routes[i].in_use;
	c->nb_routes += ovl->has_default[0] + ovl->has_default[1];
	c->nb_neighbours = ovl->nb_neighs;
	c->nb_pas = ovl->nb_pas;
}

uint64_t
ovl_slots_freed(const struct ovl *ovl)
{
	return ovl->nb_slots_freed;
}
