/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overlay tables: VSID validation, lookup records and the encap map, flood
 * lists refcounted from records, migration of a MAC to a new PA, our PA set,
 * provider routes (longest prefix wins), neighbour timeouts, and the
 * templates rebuilt from all of them.  Addresses: 192.0.2.0/24 is our
 * provider subnet, 198.51.100.0/24 a remote one behind a gateway,
 * 203.0.113.0/24 the tenants (DESIGN, addresses in tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ovl.h"
#include "test_common.h"
#include "test_addr.h"

#define VSID_A	   0x5001u
#define VSID_B	   0x5002u
#define BD_A	   1
#define BD_B	   2
#define TIMEOUT_MS 10000u

static struct ovl *ovl;
static struct rte_rcu_qsbr *qsbr;
static unsigned int table_seq;

static int
setup(void)
{
	char name[16];
	struct ovl_params p = {
		.socket_id = SOCKET_ID_ANY,
		.qsbr = qsbr,
		.nb_bds = 8,
		.max_vsids = 4,
		.max_records = 64,
		.max_macs = 64,
		.max_slots = 8,
		.max_routes = 16,
		.max_neighbours = 8,
		.neigh_timeout_ms = TIMEOUT_MS,
	};

	snprintf(name, sizeof(name), "t_ovl%u", table_seq++);
	p.name = name;
	ovl = ovl_create(&p);
	return ovl == NULL;
}

static int
teardown(void)
{
	ovl_destroy(ovl);
	ovl = NULL;
	return 0;
}

/* Uplink MAC, PA 192.0.2.1/24, 198.51.100.0/24 via 192.0.2.254. */
static void
provider_setup(void)
{
	struct rte_ether_addr up = tmac("02:00:00:00:00:01");

	CU_ASSERT_EQUAL_FATAL(ovl_uplink_set(ovl, &up, 1500), 0);
	CU_ASSERT_EQUAL_FATAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 1), 24)), 0);
	CU_ASSERT_EQUAL_FATAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24), tip4(test_ip4(192, 0, 2, 254))), 0);
}

static uint16_t
slot_of(uint16_t bd, const char *m)
{
	struct rte_ether_addr a = tmac(m);
	struct ovl_mac_dest d;

	ovl_mac_lookup(ovl, ovl_mac_key(bd, &a), &d);
	return d.slot;
}

static uint16_t
flood_len(uint16_t bd)
{
	uint16_t n;

	ovl_flood_slots(ovl_snapshot_get(ovl), bd, &n);
	return n;
}

static void
test_ovl_vsid_validation_and_mapping(void)
{
	uint16_t bd;

	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0, BD_A), -EINVAL);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0xfff, BD_A), -EINVAL);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0xffffff, BD_A), -EINVAL);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x1000000, BD_A), -EINVAL);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, VSID_A, 8), -ERANGE);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x1000, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x1000, BD_B), -EEXIST);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, VSID_B, BD_A), -EEXIST);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0xfffffe, BD_B), 0);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, VSID_A, 3), 0);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, VSID_B, 4), 0);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x5003, 5), -ENOSPC);
	CU_ASSERT_EQUAL(ovl_vsid_to_bd(ovl, VSID_A, &bd), 0);
	CU_ASSERT_EQUAL(bd, 3);
	CU_ASSERT_EQUAL(ovl_vsid_to_bd(ovl, 0x5003, &bd), -ENOENT);
	CU_ASSERT_EQUAL(ovl_bd_to_vsid(ovl_snapshot_get(ovl), 3), VSID_A);
	CU_ASSERT_EQUAL(ovl_bd_to_vsid(ovl_snapshot_get(ovl), 0), 0);
	CU_ASSERT_EQUAL(ovl_bd_to_vsid(ovl_snapshot_get(ovl), 200), 0);
	CU_ASSERT_EQUAL(ovl_vsid_del(ovl, 0x5003), -ENOENT);
	CU_ASSERT_EQUAL(ovl_vsid_del(ovl, 0x1000), 0);
	CU_ASSERT_EQUAL(ovl_vsid_to_bd(ovl, 0x1000, &bd), -ENOENT);
	CU_ASSERT_EQUAL(ovl_bd_to_vsid(ovl_snapshot_get(ovl), BD_A), 0);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x5003, BD_A), 0); /* the freed entry is reused */
}

static void
test_ovl_records_refcount_flood_list(void)
{
	struct rte_ether_addr m1 = tmac("52:54:00:00:00:01"), m2 = tmac("52:54:00:00:00:02"),
			      m3 = tmac("52:54:00:00:00:03");
	rte_be32_t pa1 = test_ip4(198, 51, 100, 2), pa2 = test_ip4(198, 51, 100, 3);
	struct ovl_record rec;
	struct ovl_counts c;
	const uint16_t *fl;
	uint16_t n;

	provider_setup();
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &m1, tip4(pa1)), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_B, BD_B), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &m1, tip4(pa1)), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 2), &m2, tip4(pa1)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_A), 1); /* two VMs, one host: one copy */
	CU_ASSERT_EQUAL(slot_of(BD_A, "52:54:00:00:00:01"), slot_of(BD_A, "52:54:00:00:00:02"));
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 3), &m3, tip4(pa2)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_A), 2);
	CU_ASSERT_EQUAL(flood_len(BD_B), 0);
	/* The same tenant addresses in another virtual subnet are other records. */
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_B, test_ip4(203, 0, 113, 1), &m1, tip4(pa2)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_B), 1);
	fl = ovl_flood_slots(ovl_snapshot_get(ovl), BD_B, &n);
	CU_ASSERT_EQUAL(fl[0], slot_of(BD_B, "52:54:00:00:00:01"));
	CU_ASSERT_NOT_EQUAL(slot_of(BD_A, "52:54:00:00:00:03"),
			    fl[0]); /* VSID differs: another template */

	CU_ASSERT_EQUAL(ovl_record_lookup(ovl, VSID_A, test_ip4(203, 0, 113, 3), &rec), 0);
	CU_ASSERT(rte_is_same_ether_addr(&rec.ca_mac, &m3));
	CU_ASSERT(ovl_ip_eq(&rec.pa, tip4(pa2)));
	CU_ASSERT_EQUAL(ovl_record_lookup(ovl, VSID_B, test_ip4(203, 0, 113, 3), &rec), -ENOENT);
	CU_ASSERT_EQUAL(ovl_vsid_del(ovl, VSID_A), -EBUSY);

	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, test_ip4(203, 0, 113, 1)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_A), 2); /* m2 still lives at pa1 */
	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, test_ip4(203, 0, 113, 2)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_A), 1);
	CU_ASSERT_EQUAL(slot_of(BD_A, "52:54:00:00:00:01"), OVL_SLOT_NONE);
	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, test_ip4(203, 0, 113, 2)), -ENOENT);
	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, test_ip4(203, 0, 113, 3)), 0);
	CU_ASSERT_EQUAL(flood_len(BD_A), 0);
	ovl_counts_get(ovl, &c);
	CU_ASSERT_EQUAL(c.nb_records, 1);
	CU_ASSERT_EQUAL(c.nb_macs, 1);
	CU_ASSERT_EQUAL(c.nb_slots, 1);
	CU_ASSERT_EQUAL(ovl_vsid_del(ovl, VSID_A), 0);
}

static void
test_ovl_record_refuses_bad_input(void)
{
	struct rte_ether_addr m1 = tmac("52:54:00:00:00:01"), mc = tmac("01:00:5e:00:00:01"),
			      zero = tmac("00:00:00:00:00:00");

	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &mc, tip4(test_ip4(198, 51, 100, 2))),
			-EINVAL);
	CU_ASSERT_EQUAL(
		ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &zero, tip4(test_ip4(198, 51, 100, 2))),
		-EINVAL);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &m1, tip4(test_ip4(224, 0, 0, 5))),
			-EINVAL);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &m1, tip4(0)), -EINVAL);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, 0xfff, test_ip4(203, 0, 113, 1), &m1, tip4(test_ip4(198, 51, 100, 2))),
			-ENOENT);
}

static void
test_ovl_record_new_pa_moves_every_address_of_the_mac(void)
{
	struct rte_ether_addr vm = tmac("52:54:00:00:00:01"), other = tmac("52:54:00:00:00:09");
	rte_be32_t old_pa = test_ip4(198, 51, 100, 2), new_pa = test_ip4(198, 51, 100, 3);
	struct ovl_record rec;
	struct ovl_mac_dest d;
	const uint16_t *fl;
	uint16_t n;

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(old_pa)), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 2), &vm, tip4(old_pa)), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(old_pa)),
			0); /* again: no-op */
	/* Live migration: the control plane re-announces one address at the new host. */
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(new_pa)), 0);
	CU_ASSERT_EQUAL(ovl_mac_lookup(ovl, ovl_mac_key(BD_A, &vm), &d), 0);
	CU_ASSERT_NOT_EQUAL(d.pa_id, 0); /* the PA itself: rec.pa below */
	CU_ASSERT_EQUAL(ovl_record_lookup(ovl, VSID_A, test_ip4(203, 0, 113, 2), &rec), 0);
	CU_ASSERT(ovl_ip_eq(&rec.pa, tip4(new_pa)));
	fl = ovl_flood_slots(ovl_snapshot_get(ovl), BD_A, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1); /* nobody lives at the old host any more */
	CU_ASSERT_EQUAL(fl[0], d.slot);
	/* Re-adding an address with another MAC releases the old MAC. */
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 2), &other, tip4(old_pa)), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &other, tip4(old_pa)), 0);
	CU_ASSERT_EQUAL(ovl_mac_lookup(ovl, ovl_mac_key(BD_A, &vm), &d), -ENOENT);
	fl = ovl_flood_slots(ovl_snapshot_get(ovl), BD_A, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(fl[0], slot_of(BD_A, "52:54:00:00:00:09"));
}

static void
test_ovl_record_on_our_pa_is_local_and_not_flooded(void)
{
	struct rte_ether_addr vm = tmac("52:54:00:00:00:01");
	struct ovl_mac_dest d;

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(test_ip4(192, 0, 2, 1))),
			0);
	CU_ASSERT_EQUAL(ovl_mac_lookup(ovl, ovl_mac_key(BD_A, &vm), &d), 0);
	CU_ASSERT_EQUAL(d.slot, OVL_SLOT_LOCAL);
	CU_ASSERT_EQUAL(flood_len(BD_A), 0);
}

static void
test_ovl_mac_lookup_bulk_mixes_hits_and_misses(void)
{
	struct rte_ether_addr a = tmac("52:54:00:00:00:01"), b = tmac("52:54:00:00:00:02");
	uint64_t keys[3] = { ovl_mac_key(BD_A, &a), ovl_mac_key(BD_A, &b), ovl_mac_key(BD_B, &a) };
	struct ovl_mac_dest d[3];

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &a, tip4(test_ip4(198, 51, 100, 2))),
			0);
	ovl_mac_lookup_bulk(ovl, keys, 3, d);
	CU_ASSERT_NOT_EQUAL(d[0].pa_id, 0);
	CU_ASSERT(d[0].slot < OVL_MAX_SLOTS);
	CU_ASSERT_EQUAL(d[1].slot, OVL_SLOT_NONE);
	CU_ASSERT_EQUAL(d[2].slot, OVL_SLOT_NONE); /* same MAC, other bridge domain */
	/* The key layout is the FDB's: bd in the top 16 bits, MAC below. */
	CU_ASSERT_EQUAL(keys[0], (uint64_t)BD_A << 48 | 0x525400000001ULL);
}

static void
test_ovl_pa_set(void)
{
	const struct ovl_snapshot *s;
	struct ovl_counts c;

	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 1), 24)), 0);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 1), 24)), -EEXIST);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 2), 24)), 0); /* a second PA on the subnet */
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(198, 51, 100, 1), 25)), 0);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(0, 24)), -EINVAL);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 9), 0)), -EINVAL);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 9), 33)), -EINVAL);
	s = ovl_snapshot_get(ovl);
	CU_ASSERT_TRUE(ovl_is_local_pa(s, tip4(test_ip4(192, 0, 2, 1))));
	CU_ASSERT_TRUE(ovl_is_local_pa(s, tip4(test_ip4(192, 0, 2, 2))));
	CU_ASSERT_TRUE(ovl_is_local_pa(s, tip4(test_ip4(198, 51, 100, 1))));
	CU_ASSERT_FALSE(ovl_is_local_pa(s, tip4(test_ip4(192, 0, 2, 3))));
	ovl_counts_get(ovl, &c);
	CU_ASSERT_EQUAL(c.nb_pas, 3);
	CU_ASSERT_EQUAL(c.nb_routes, 2); /* one connected route per subnet */
	CU_ASSERT_EQUAL(ovl_pa_del(ovl, tip4(test_ip4(192, 0, 2, 1))), 0);
	CU_ASSERT_EQUAL(ovl_pa_del(ovl, tip4(test_ip4(192, 0, 2, 1))), -ENOENT);
	s = ovl_snapshot_get(ovl);
	CU_ASSERT_FALSE(ovl_is_local_pa(s, tip4(test_ip4(192, 0, 2, 1))));
	ovl_counts_get(ovl, &c);
	CU_ASSERT_EQUAL(c.nb_routes, 2); /* 192.0.2.2 still holds the subnet */
	CU_ASSERT_EQUAL(ovl_pa_del(ovl, tip4(test_ip4(192, 0, 2, 2))), 0);
	ovl_counts_get(ovl, &c);
	CU_ASSERT_EQUAL(c.nb_routes, 1);
	for (uint8_t i = 0; i < NVGRE_MAX_LOCAL_PA - 1; i++)
		CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, (uint8_t)(10 + i)), 24)), 0);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 99), 24)), -ENOSPC);
}

static rte_be32_t
next_hop(rte_be32_t dst)
{
	struct ovl_ip nh;

	if (ovl_route_lookup(ovl, tip4(dst), &nh) != 0)
		return 0;
	return nh.v4;
}

static void
test_ovl_route_longest_prefix_wins(void)
{
	provider_setup();
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 128), 25), tip4(test_ip4(192, 0, 2, 252))), 0);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(0, 0), tip4(test_ip4(192, 0, 2, 253))), 0);
	CU_ASSERT_EQUAL(next_hop(test_ip4(198, 51, 100, 2)), test_ip4(192, 0, 2, 254));
	CU_ASSERT_EQUAL(next_hop(test_ip4(198, 51, 100, 200)), test_ip4(192, 0, 2, 252));
	CU_ASSERT_EQUAL(next_hop(test_ip4(192, 0, 2, 7)), test_ip4(192, 0, 2, 7));  /* connected: direct */
	CU_ASSERT_EQUAL(next_hop(test_ip4(10, 1, 1, 1)), test_ip4(192, 0, 2, 253)); /* default */
	/* A host route beats the connected subnet. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(192, 0, 2, 77), 32), tip4(test_ip4(192, 0, 2, 254))), 0);
	CU_ASSERT_EQUAL(next_hop(test_ip4(192, 0, 2, 77)), test_ip4(192, 0, 2, 254));
	/* Replacing a gateway. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24), tip4(test_ip4(192, 0, 2, 250))), 0);
	CU_ASSERT_EQUAL(next_hop(test_ip4(198, 51, 100, 2)), test_ip4(192, 0, 2, 250));
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(test_ip4(198, 51, 100, 128), 25)), 0);
	CU_ASSERT_EQUAL(next_hop(test_ip4(198, 51, 100, 200)), test_ip4(192, 0, 2, 250));
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(0, 0)), 0);
	CU_ASSERT_EQUAL(next_hop(test_ip4(10, 1, 1, 1)), 0);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(0, 0)), -ENOENT);
	/* Refusals. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(192, 0, 2, 0), 24), tip4(test_ip4(192, 0, 2, 9))), -EEXIST);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(test_ip4(192, 0, 2, 0), 24)), -EPERM);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 1), 24), tip4(test_ip4(192, 0, 2, 9))), -EINVAL);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 33), tip4(test_ip4(192, 0, 2, 9))), -EINVAL);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24), tip4(0)), -EINVAL);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(test_ip4(203, 0, 113, 0), 24)), -ENOENT);
}

/* The template state and template of the one slot that 'vm' uses in BD_A. */
static enum nvgre_encap_reason
tmpl_of(const struct rte_ether_addr *vm, const struct nvgre_template **t)
{
	struct ovl_mac_dest d;
	enum nvgre_encap_reason why;

	if (ovl_mac_lookup(ovl, ovl_mac_key(BD_A, vm), &d) != 0)
		return NVGRE_ENCAP_MAX;
	*t = ovl_tmpl_get(ovl_snapshot_get(ovl), d.slot, &why);
	return why;
}

static void
test_ovl_template_follows_route_and_neighbour(void)
{
	struct rte_ether_addr vm = tmac("52:54:00:00:00:01"), near = tmac("52:54:00:00:00:02"),
			      gw = tmac("02:00:00:00:00:fe"), gw2 = tmac("02:00:00:00:00:fd"),
			      host7 = tmac("02:00:00:00:00:07"), up = tmac("02:00:00:00:00:01");
	const struct nvgre_template *t = NULL;
	struct ovl_ip wanted[4];

	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(test_ip4(198, 51, 100, 2))),
			0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_NO_ROUTE); /* nothing configured yet */
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(ovl_uplink_set(ovl, &up, 9000), 0);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 1), 24)), 0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t),
			NVGRE_ENCAP_NO_ROUTE); /* 198.51.100.2 is not on our subnet */
	/* A gateway that is not on a connected subnet is no route either. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24), tip4(test_ip4(10, 9, 9, 9))), 0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_NO_ROUTE);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24), tip4(test_ip4(192, 0, 2, 254))), 0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_NO_NEIGHBOUR);
	CU_ASSERT_EQUAL(ovl_neigh_wanted(ovl, 0, wanted, 4), 1);
	CU_ASSERT(ovl_ip_eq(&wanted[0], tip4(test_ip4(192, 0, 2, 254))));
	/* The gateway answers: the template becomes usable. */
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw, true, 1000), 1);
	CU_ASSERT_EQUAL_FATAL(tmpl_of(&vm, &t), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(memcmp(t->hdr, gw.addr_bytes, 6), 0);	  /* to the gateway */
	CU_ASSERT_EQUAL(memcmp(t->hdr + 6, up.addr_bytes, 6), 0); /* from the uplink */
	CU_ASSERT(ovl_ip_eq(&t->src_pa, tip4(test_ip4(192, 0, 2, 1))));
	CU_ASSERT(ovl_ip_eq(&t->dst_pa, tip4(test_ip4(198, 51, 100, 2))));
	CU_ASSERT_EQUAL(t->vsid, VSID_A);
	CU_ASSERT_EQUAL(t->mtu, 9000);
	CU_ASSERT_EQUAL(t->hdr[38], 0x00); /* VSID 0x005001 in the GRE key */
	CU_ASSERT_EQUAL(t->hdr[39], 0x50);
	CU_ASSERT_EQUAL(t->hdr[40], 0x01);
	CU_ASSERT_EQUAL(ovl_neigh_wanted(ovl, 1000, wanted, 4), 0);
	/* The gateway's MAC changes (failover): the template is rebuilt. */
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw2, false, 2000), 1);
	CU_ASSERT_EQUAL_FATAL(tmpl_of(&vm, &t), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(memcmp(t->hdr, gw2.addr_bytes, 6), 0);
	/* A PA on our own subnet is reached directly, through its own neighbour entry. */
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 2), &near, tip4(test_ip4(192, 0, 2, 7))),
			0);
	CU_ASSERT_EQUAL(tmpl_of(&near, &t), NVGRE_ENCAP_NO_NEIGHBOUR);
	CU_ASSERT_EQUAL(ovl_neigh_add_static(ovl, tip4(test_ip4(192, 0, 2, 7)), &host7), 0);
	CU_ASSERT_EQUAL_FATAL(tmpl_of(&near, &t), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(memcmp(t->hdr, host7.addr_bytes, 6), 0);
	/* Losing the route takes the remote template down again. */
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx4(test_ip4(198, 51, 100, 0), 24)), 0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_NO_ROUTE);
	{
		struct ovl_counts c;

		ovl_counts_get(ovl, &c);
		CU_ASSERT_EQUAL(c.nb_slots, 2);
		CU_ASSERT_EQUAL(c.nb_unresolved, 1);
	}
}

static void
test_ovl_neighbour_timeout(void)
{
	struct rte_ether_addr gw = tmac("02:00:00:00:00:fe"), st = tmac("02:00:00:00:00:fd"),
			      vm = tmac("52:54:00:00:00:01");
	const struct nvgre_template *t;
	struct ovl_neigh n;
	struct ovl_ip wanted[4];

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(test_ip4(198, 51, 100, 2))),
			0);
	/* Off-subnet senders are never neighbours; unknown ones only when 'create'. */
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(10, 0, 0, 1)), &gw, true, 0), -ENETUNREACH);
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw, false, 0), 0);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 254)), &n), -ENOENT);
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw, true, 0), 1);
	CU_ASSERT_EQUAL(ovl_neigh_add_static(ovl, tip4(test_ip4(192, 0, 2, 253)), &st), 0);
	CU_ASSERT_EQUAL(ovl_neigh_age(ovl, 5000), 0);
	CU_ASSERT_EQUAL(ovl_neigh_wanted(ovl, 5000, wanted, 4), 0);
	/* Past half the timeout: ask again before it expires. */
	CU_ASSERT_EQUAL(ovl_neigh_wanted(ovl, 6000, wanted, 4), 1);
	CU_ASSERT(ovl_ip_eq(&wanted[0], tip4(test_ip4(192, 0, 2, 254))));
	/* The answer refreshes the entry (same MAC: no template rebuild). */
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw, false, 6000), 0);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 254)), &n), 0);
	CU_ASSERT_EQUAL(n.updated_ms, 6000);
	CU_ASSERT_EQUAL(ovl_neigh_age(ovl, 6000 + TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_OK);
	/* No more answers: it expires, the template goes with it, the static one stays. */
	CU_ASSERT_EQUAL(ovl_neigh_age(ovl, 6000 + TIMEOUT_MS + 1), 1);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 254)), &n), -ENOENT);
	CU_ASSERT_EQUAL(tmpl_of(&vm, &t), NVGRE_ENCAP_NO_NEIGHBOUR);
	CU_ASSERT_EQUAL(ovl_neigh_age(ovl, UINT64_C(1) << 40), 0);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 253)), &n), 0);
	CU_ASSERT_EQUAL(n.flags, OVL_NEIGH_F_STATIC);
	/* Learning never overrides a static entry. */
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip4(test_ip4(192, 0, 2, 253)), &gw, true, 0), 0);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 253)), &n), 0);
	CU_ASSERT(rte_is_same_ether_addr(&n.mac, &st));
	CU_ASSERT_EQUAL(ovl_neigh_del(ovl, tip4(test_ip4(192, 0, 2, 253))), 0);
	CU_ASSERT_EQUAL(ovl_neigh_del(ovl, tip4(test_ip4(192, 0, 2, 253))), -ENOENT);
}

static void
test_ovl_slots_and_tables_have_limits(void)
{
	struct ovl_counts c;

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	/* max_slots = 8: eight remote hosts, the ninth is refused and leaves nothing behind. */
	for (uint8_t i = 0; i < 9; i++) {
		struct rte_ether_addr m = tmac("52:54:00:00:01:00");

		m.addr_bytes[5] = i;
		CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, (uint8_t)(i + 1)), &m, tip4(test_ip4(198, 51, 100, (uint8_t)(i + 10)))),
				i < 8 ? 0 : -ENOSPC);
	}
	ovl_counts_get(ovl, &c);
	CU_ASSERT_EQUAL(c.nb_slots, 8);
	CU_ASSERT_EQUAL(c.nb_records, 8);
	CU_ASSERT_EQUAL(c.nb_macs, 8);
	CU_ASSERT_EQUAL(flood_len(BD_A), 8);
}

static void
count_record(const struct ovl_record *rec, void *arg)
{
	unsigned int *n = arg;

	CU_ASSERT_EQUAL(rec->vsid, VSID_A);
	CU_ASSERT(ovl_ip_eq(&rec->pa, tip4(test_ip4(198, 51, 100, 2))));
	(*n)++;
}

static void
count_route(const struct ovl_route *r, void *arg)
{
	unsigned int *n = arg;

	/* Connected routes show no gateway; the default route is 0/0. */
	if (r->prefix.len == 24)
		CU_ASSERT_EQUAL(r->gateway.v4, r->prefix.addr.v4 == test_ip4(192, 0, 2, 0) ?
						       0 :
						       test_ip4(192, 0, 2, 254));
	if (r->prefix.len == 0)
		CU_ASSERT_EQUAL(r->gateway.v4, test_ip4(192, 0, 2, 253));
	(*n)++;
}

static void
count_neigh(const struct ovl_neigh *nb, void *arg)
{
	unsigned int *n = arg;

	CU_ASSERT(ovl_ip_eq(&nb->ip, tip4(test_ip4(192, 0, 2, 254))));
	(*n)++;
}

static void
test_ovl_walks(void)
{
	struct rte_ether_addr vm = tmac("52:54:00:00:00:01"), gw = tmac("02:00:00:00:00:fe");
	unsigned int n = 0;

	provider_setup();
	CU_ASSERT_EQUAL_FATAL(ovl_vsid_add(ovl, VSID_A, BD_A), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 1), &vm, tip4(test_ip4(198, 51, 100, 2))),
			0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 2), &vm, tip4(test_ip4(198, 51, 100, 2))),
			0);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx4(0, 0), tip4(test_ip4(192, 0, 2, 253))), 0);
	CU_ASSERT_EQUAL(ovl_neigh_add_static(ovl, tip4(test_ip4(192, 0, 2, 254)), &gw), 0);
	CU_ASSERT_EQUAL(ovl_record_walk(ovl, count_record, &n), 2);
	CU_ASSERT_EQUAL(n, 2);
	n = 0;
	CU_ASSERT_EQUAL(ovl_route_walk(ovl, count_route, &n), 3);
	CU_ASSERT_EQUAL(n, 3);
	n = 0;
	CU_ASSERT_EQUAL(ovl_neigh_walk(ovl, count_neigh, &n), 1);
	CU_ASSERT_EQUAL(n, 1);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	size_t sz;
	int ret;

	(void)argc;
	if (test_eal_init(argv[0], 1) < 0)
		return 1;
	/* A real RCU variable with no reader registered: every grace period ends at once. */
	sz = rte_rcu_qsbr_get_memsize(1);
	qsbr = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ovl_vsid", setup, teardown);
	CU_add_test(s, "vsid validation and mapping", test_ovl_vsid_validation_and_mapping);
	s = CU_add_suite("ovl_records", setup, teardown);
	CU_add_test(s, "records refcount flood list", test_ovl_records_refcount_flood_list);
	s = CU_add_suite("ovl_records_bad", setup, teardown);
	CU_add_test(s, "record refuses bad input", test_ovl_record_refuses_bad_input);
	s = CU_add_suite("ovl_move", setup, teardown);
	CU_add_test(s, "new pa moves every address of the mac",
		    test_ovl_record_new_pa_moves_every_address_of_the_mac);
	s = CU_add_suite("ovl_local", setup, teardown);
	CU_add_test(s, "record on our pa is local",
		    test_ovl_record_on_our_pa_is_local_and_not_flooded);
	s = CU_add_suite("ovl_bulk", setup, teardown);
	CU_add_test(s, "mac lookup bulk", test_ovl_mac_lookup_bulk_mixes_hits_and_misses);
	s = CU_add_suite("ovl_pa", setup, teardown);
	CU_add_test(s, "pa set", test_ovl_pa_set);
	s = CU_add_suite("ovl_route", setup, teardown);
	CU_add_test(s, "longest prefix wins", test_ovl_route_longest_prefix_wins);
	s = CU_add_suite("ovl_template", setup, teardown);
	CU_add_test(s, "template follows route and neighbour",
		    test_ovl_template_follows_route_and_neighbour);
	s = CU_add_suite("ovl_neigh", setup, teardown);
	CU_add_test(s, "neighbour timeout", test_ovl_neighbour_timeout);
	s = CU_add_suite("ovl_limits", setup, teardown);
	CU_add_test(s, "slot limit", test_ovl_slots_and_tables_have_limits);
	s = CU_add_suite("ovl_walk", setup, teardown);
	CU_add_test(s, "walks", test_ovl_walks);
	ret = test_run_suites();
	rte_free(qsbr);
	rte_eal_cleanup();
	return ret;
}
