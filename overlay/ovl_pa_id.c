/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interned provider addresses.  The encap map packs its value into rte_hash's
 * data pointer (one atomic store per update), which leaves 32 bits for a PA
 * of up to 128: the value holds the PA's id instead, the position of the
 * address in a control-only rte_hash, counted by the MAC entries that use
 * it.  Workers never read it (they need the slot, not the PA).  Control
 * thread only.
 */
#include <string.h>

#include <rte_hash.h>

#include "ovl_priv.h"

uint32_t
ovl_pa_id_get(struct ovl *ovl, const struct ovl_ip *pa)
{
	struct ovl_ip key = ovl_ip_is6(pa) ? ovl_ip6(pa->v6) : ovl_ip4(pa->v4);
	int32_t pos = rte_hash_add_key(ovl->pa_hash, &key); /* finds it if present */

	if (pos < 0)
		return 0;
	ovl->pa_refs[pos + 1]++;
	return (uint32_t)pos + 1;
}

void
ovl_pa_id_put(struct ovl *ovl, uint32_t id)
{
	struct ovl_ip copy;
	void *key;

	if (id == 0 || --ovl->pa_refs[id] > 0)
		return;
	/* A copy: the key must not live in the slot that the delete frees. */
	if (rte_hash_get_key_with_position(ovl->pa_hash, (int32_t)id - 1, &key) == 0) {
		memcpy(&copy, key, sizeof(copy));
		rte_hash_del_key(ovl->pa_hash, &copy);
	}
}

struct ovl_ip
ovl_pa_of(const struct ovl *ovl, uint32_t id)
{
	struct ovl_ip none;
	void *key;

	if (id != 0 && rte_hash_get_key_with_position(ovl->pa_hash, (int32_t)id - 1, &key) == 0)
		return *(const struct ovl_ip *)key;
	memset(&none, 0, sizeof(none));
	return none;
}
