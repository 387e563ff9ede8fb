/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 on the provider side of the overlay: neighbour discovery on the
 * uplink (RFC 4861: the solicitation we build, the advertisement we answer
 * with, what we learn), checked byte by byte with an ICMPv6 checksum
 * computed here over the pseudo-header (RFC 8200 8.1); IPv6 provider routes
 * (longest prefix, default route per family); and tunnels of both families
 * in one virtual subnet.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "ovl.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

#define VSID_A 0x5001u
#define BD_A   1
#define OUR6   "2001:db8:1::1"
#define GW6    "2001:db8:1::fe"
#define UP_MAC "02:00:00:00:00:01"
#define GW_MAC "02:00:00:00:00:fe"

static struct rte_mempool *pool;
static struct ovl *ovl;
static unsigned int table_seq;

static int
setup(void)
{
	char name[16];
	struct ovl_params p = {
		.socket_id = SOCKET_ID_ANY,
		.nb_bds = 4,
		.max_vsids = 2,
		.max_records = 16,
		.max_macs = 16,
		.max_slots = 8,
		.max_routes = 16,
		.max_neighbours = 8,
		.neigh_timeout_ms = 10000,
	};
	struct rte_ether_addr up = tmac(UP_MAC);

	snprintf(name, sizeof(name), "t_nd%u", table_seq++);
	p.name = name;
	ovl = ovl_create(&p);
	if (ovl == NULL || ovl_uplink_set(ovl, &up, 1500) != 0 ||
	    ovl_pa_add(ovl, tpfx(OUR6 "/64")) != 0 || ovl_vsid_add(ovl, VSID_A, BD_A) != 0)
		return -1;
	return 0;
}

static int
teardown(void)
{
	ovl_destroy(ovl);
	ovl = NULL;
	return 0;
}

static void
test_nd_solicitation_is_built_to_the_solicited_node_address(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const uint8_t *f;
	static const uint8_t snm[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0xfe };

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(ovl_nd_solicit_build(ovl, m, tip(GW6)), 0);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 86);
	/* Ethernet: 33:33 + the low 32 bits of ff02::1:ff00:fe, from the uplink, IPv6. */
	CU_ASSERT(f[0] == 0x33 && f[1] == 0x33 && f[2] == 0xff && f[3] == 0 && f[4] == 0 &&
		  f[5] == 0xfe);
	CU_ASSERT_EQUAL(memcmp(f + 6, tmac(UP_MAC).addr_bytes, 6), 0);
	CU_ASSERT(f[12] == 0x86 && f[13] == 0xdd);
	/* IPv6: payload 32, ICMPv6, hop limit 255, from our PA on the subnet. */
	CU_ASSERT_EQUAL(f[14] >> 4, 6);
	CU_ASSERT(f[18] == 0 && f[19] == 32);
	CU_ASSERT(f[20] == 58 && f[21] == 255);
	CU_ASSERT_EQUAL(memcmp(f + 22, tip(OUR6)->v6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(f + 38, snm, 16), 0);
	/* NS: type 135, code 0, target, source link-layer option = uplink MAC, checksum. */
	CU_ASSERT(f[54] == 135 && f[55] == 0);
	CU_ASSERT_EQUAL(memcmp(f + 62, tip(GW6)->v6, 16), 0);
	CU_ASSERT(f[78] == 1 && f[79] == 1);
	CU_ASSERT_EQUAL(memcmp(f + 80, tmac(UP_MAC).addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(test_icmp6_sum(f + 14), 0);
	rte_pktmbuf_free(m);
	/* Off our subnets there is nobody to ask. */
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_EQUAL(ovl_nd_solicit_build(ovl, m, tip("2001:db8:9::1")), -ENETUNREACH);
	rte_pktmbuf_free(m);
}

static void
test_nd_solicitation_for_our_pa_is_advertised(void)
{
	/* To the solicited-node address (we join nothing: we see every frame). */
	struct rte_mbuf *m = test_nd_frame(pool, 135, GW_MAC, GW6, "33:33:ff:00:00:01",
					   "ff02::1:ff00:1", OUR6, 1, GW_MAC, 0);
	struct ovl_neigh n;
	const uint8_t *f;

	CU_ASSERT_EQUAL_FATAL(ovl_nd_input(ovl, m, 1000), 1);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 86);
	CU_ASSERT_EQUAL(memcmp(f, tmac(GW_MAC).addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f + 6, tmac(UP_MAC).addr_bytes, 6), 0);
	CU_ASSERT(f[20] == 58 && f[21] == 255);
	CU_ASSERT_EQUAL(memcmp(f + 22, tip(OUR6)->v6, 16), 0); /* from the PA */
	CU_ASSERT_EQUAL(memcmp(f + 38, tip(GW6)->v6, 16), 0);  /* to the asker */
	CU_ASSERT(f[54] == 136 && f[55] == 0);
	CU_ASSERT_EQUAL(f[58], 0x60); /* solicited, override; not a router */
	CU_ASSERT_EQUAL(memcmp(f + 62, tip(OUR6)->v6, 16), 0);
	CU_ASSERT(f[78] == 2 && f[79] == 1); /* target link-layer address option */
	CU_ASSERT_EQUAL(memcmp(f + 80, tmac(UP_MAC).addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(test_icmp6_sum(f + 14), 0);
	rte_pktmbuf_free(m);
	/* The asker gave its address: it is a neighbour now. */
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip(GW6), &n), 0);
	CU_ASSERT_EQUAL(memcmp(n.mac.addr_bytes, tmac(GW_MAC).addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(ovl_neigh_del(ovl, tip(GW6)), 0);
}

static void
test_nd_refuses_what_rfc4861_discards(void)
{
	struct rte_mbuf *m;
	uint8_t *f;
	struct ovl_neigh n;

	/* Bad checksum. */
	m = test_nd_frame(pool, 135, GW_MAC, GW6, UP_MAC, OUR6, OUR6, 1, GW_MAC, 0);
	rte_pktmbuf_mtod(m, uint8_t *)[57] ^= 1;
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), -EINVAL);
	rte_pktmbuf_free(m);
	/* Hop limit not 255: it came through a router. */
	m = test_nd_frame(pool, 135, GW_MAC, GW6, UP_MAC, OUR6, OUR6, 1, GW_MAC, 0);
	f = rte_pktmbuf_mtod(m, uint8_t *);
	f[21] = 64;
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), -EINVAL);
	rte_pktmbuf_free(m);
	/* An option of length 0. */
	m = test_nd_frame(pool, 135, GW_MAC, GW6, UP_MAC, OUR6, OUR6, 1, GW_MAC, 0);
	f = rte_pktmbuf_mtod(m, uint8_t *);
	f[79] = 0;
	test_icmp6_fill(f + 14);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), -EINVAL);
	rte_pktmbuf_free(m);
	/* Not for one of our PAs: not answered; a duplicate-address probe teaches nothing. */
	m = test_nd_frame(pool, 135, GW_MAC, GW6, UP_MAC, "ff02::1:ff00:fd", "2001:db8:1::fd", 1,
			  GW_MAC, 0);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), 0);
	rte_pktmbuf_free(m);
	m = test_nd_frame(pool, 135, GW_MAC, "::", UP_MAC, "ff02::1:ff00:1", OUR6, 0, NULL, 0);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip(GW6), &n), -ENOENT);
}

/* Every truncation and every single-byte change of a solicitation: no crash, no reply from junk. */
static void
test_nd_survives_truncation_and_corruption(void)
{
	struct rte_mbuf *good =
		test_nd_frame(pool, 135, GW_MAC, GW6, UP_MAC, OUR6, OUR6, 1, GW_MAC, 0);
	uint8_t f[86];
	unsigned int nb_replies = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(good);
	memcpy(f, rte_pktmbuf_mtod(good, const uint8_t *), sizeof(f));
	rte_pktmbuf_free(good);
	for (unsigned int len = 0; len < sizeof(f); len++) {
		struct rte_mbuf *m = test_mbuf_of(pool, f, len);
		int ret;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		ret = ovl_nd_input(ovl, m, 1000);
		CU_ASSERT(ret == 0 || ret == -EINVAL);
		rte_pktmbuf_free(m);
	}
	for (unsigned int i = 14; i < sizeof(f); i++) {
		uint8_t g[86];
		struct rte_mbuf *m;
		int ret;

		memcpy(g, f, sizeof(g));
		g[i] ^= 0x5a;
		m = test_mbuf_of(pool, g, sizeof(g));
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		ret = ovl_nd_input(ovl, m, 1000);
		nb_replies += ret == 1;
		rte_pktmbuf_free(m);
	}
	/*
	 * Only traffic class and flow label (bytes 15..17) may change and still be
	 * answered: the version must be 6, the rest is under the checksum or must be
	 * exactly what RFC 4861 says.
	 */
	CU_ASSERT_EQUAL(nb_replies, 3);
	ovl_neigh_del(ovl, tip(GW6));
}

static void
test_nd_advertisements_teach_next_hops(void)
{
	struct rte_mbuf *m;
	struct ovl_neigh n;

	/* Unsolicited, from a stranger: not learned (RFC 826's rule, as for ARP). */
	m = test_nd_frame(pool, 136, GW_MAC, GW6, "33:33:00:00:00:01", "ff02::1", GW6, 2, GW_MAC,
			  0x20);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip(GW6), &n), -ENOENT);
	/* The answer to our solicitation: learned. */
	m = test_nd_frame(pool, 136, GW_MAC, GW6, UP_MAC, OUR6, GW6, 2, GW_MAC, 0xe0);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 1000), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL_FATAL(ovl_neigh_lookup(ovl, tip(GW6), &n), 0);
	CU_ASSERT_EQUAL(memcmp(n.mac.addr_bytes, tmac(GW_MAC).addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(n.updated_ms, 1000);
	/* Unsolicited with a new MAC (failover): a known neighbour follows it. */
	m = test_nd_frame(pool, 136, "02:00:00:00:00:fd", GW6, "33:33:00:00:00:01", "ff02::1", GW6,
			  2, "02:00:00:00:00:fd", 0x20);
	CU_ASSERT_EQUAL(ovl_nd_input(ovl, m, 2000), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip(GW6), &n), 0);
	CU_ASSERT_EQUAL(n.mac.addr_bytes[5], 0xfd);
	CU_ASSERT_EQUAL(ovl_neigh_del(ovl, tip(GW6)), 0);
}

static void
test_ipv6_routes_longest_prefix_and_default(void)
{
	struct ovl_ip nh;

	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:2::/64"), tip(GW6)), 0);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:2:0:8000::/65"), tip("2001:db8:1::fc")),
			0);
	/* Host bits, families that differ, a link-local gateway: refused. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:2::1/64"), tip(GW6)), -EINVAL);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:3::/64"), tip("198.51.100.254")),
			-EINVAL);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:3::/64"), tip("fe80::1")), -EINVAL);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx(OUR6 "/64"), tip(GW6)), -EINVAL); /* host bits */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:1::/64"), tip(GW6)), -EEXIST);

	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:2::2"), &nh), 0);
	CU_ASSERT(ovl_ip_eq(&nh, tip(GW6)));
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:2:0:8000::1"), &nh), 0);
	CU_ASSERT(ovl_ip_eq(&nh, tip("2001:db8:1::fc")));
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:1::7"), &nh), 0); /* connected */
	CU_ASSERT(ovl_ip_eq(&nh, tip("2001:db8:1::7")));
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:3::1"), &nh), -ENETUNREACH);
	/* A default route of one family is no route for the other. */
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("::/0"), tip("2001:db8:1::fd")), 0);
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:3::1"), &nh), 0);
	CU_ASSERT(ovl_ip_eq(&nh, tip("2001:db8:1::fd")));
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("192.0.2.1"), &nh), -ENETUNREACH);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx("::/0")), 0);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx("2001:db8:2:0:8000::/65")), 0);
	CU_ASSERT_EQUAL(ovl_route_lookup(ovl, tip("2001:db8:2:0:8000::1"), &nh), 0);
	CU_ASSERT(ovl_ip_eq(&nh, tip(GW6)));
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx("2001:db8:2::/64")), 0);
	CU_ASSERT_EQUAL(ovl_route_del(ovl, tpfx("2001:db8:1::/64")), -EPERM);
}

/* The template of the MAC 'vm' in BD_A. */
static const struct nvgre_template *
tmpl_of(const char *vm, enum nvgre_encap_reason *why)
{
	struct rte_ether_addr m = tmac(vm);
	struct ovl_mac_dest d;

	if (ovl_mac_lookup(ovl, ovl_mac_key(BD_A, &m), &d) != 0) {
		*why = NVGRE_ENCAP_NO_ROUTE;
		return NULL;
	}
	return ovl_tmpl_get(ovl_snapshot_get(ovl), d.slot, why);
}

static void
test_tunnels_of_both_families_in_one_subnet(void)
{
	struct rte_ether_addr vm4 = tmac("52:54:00:00:00:04"), vm6 = tmac("52:54:00:00:00:06");
	struct rte_ether_addr gw4 = tmac("02:00:00:00:04:fe"), gw6 = tmac(GW_MAC);
	const struct nvgre_template *t4, *t6;
	enum nvgre_encap_reason why;
	struct ovl_record rec;
	struct ovl_ip wanted[4];

	/* Mixed provider addresses on one host. */
	CU_ASSERT_EQUAL_FATAL(ovl_pa_add(ovl, tpfx("198.51.100.1/24")), 0);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("192.0.2.0/24"), tip("198.51.100.254")), 0);
	CU_ASSERT_EQUAL(ovl_route_add(ovl, tpfx("2001:db8:2::/64"), tip(GW6)), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, tca("203.0.113.4"), &vm4, tip("192.0.2.4")), 0);
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, tca("203.0.113.6"), &vm6, tip("2001:db8:2::6")),
			0);
	CU_ASSERT_EQUAL(ovl_record_lookup(ovl, VSID_A, tca("203.0.113.6"), &rec), 0);
	CU_ASSERT(ovl_ip_eq(&rec.pa, tip("2001:db8:2::6")));
	/* Both wait for their gateway, each in its own family's way. */
	CU_ASSERT_PTR_NULL(tmpl_of("52:54:00:00:00:06", &why));
	CU_ASSERT_EQUAL(why, NVGRE_ENCAP_NO_NEIGHBOUR);
	CU_ASSERT_EQUAL(ovl_neigh_wanted(ovl, 0, wanted, 4), 2);
	CU_ASSERT_EQUAL(ovl_neigh_add_static(ovl, tip("198.51.100.254"), &gw4), 0);
	CU_ASSERT_EQUAL(ovl_neigh_learn(ovl, tip(GW6), &gw6, true, 0), 1);
	t4 = tmpl_of("52:54:00:00:00:04", &why);
	t6 = tmpl_of("52:54:00:00:00:06", &why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t6);
	CU_ASSERT(!t4->is6 && t4->hdr_len == 42 && t4->hdr[12] == 0x08);
	CU_ASSERT(t6->is6 && t6->hdr_len == 62 && t6->hdr[12] == 0x86);
	CU_ASSERT(ovl_ip_eq(&t4->src_pa, tip("198.51.100.1")));
	CU_ASSERT(ovl_ip_eq(&t6->src_pa, tip(OUR6)));
	CU_ASSERT_EQUAL(memcmp(t6->hdr, gw6.addr_bytes, 6), 0);
	/* Tenant MTU by family, and decapsulation knows both of our PAs. */
	{
		const struct ovl_snapshot *s = ovl_snapshot_get(ovl);
		struct rte_ether_addr m6 = vm6;
		struct ovl_mac_dest d;

		CU_ASSERT_EQUAL(ovl_mac_lookup(ovl, ovl_mac_key(BD_A, &m6), &d), 0);
		CU_ASSERT_EQUAL(ovl_slot_tenant_mtu(s, d.slot), 1500 - 62);
		CU_ASSERT(ovl_is_local_pa(s, tip(OUR6)));
		CU_ASSERT(ovl_is_local_pa(s, tip("198.51.100.1")));
		CU_ASSERT(!ovl_is_local_pa(s, tip("2001:db8:2::6")));
		CU_ASSERT_EQUAL(ovl_slot_of_pa(s, BD_A, tip("2001:db8:2::6")), d.slot);
	}
	/* The VM moves to an IPv4 host: its tunnel changes family. */
	CU_ASSERT_EQUAL(ovl_record_add(ovl, VSID_A, tca("203.0.113.6"), &vm6, tip("192.0.2.4")), 0);
	t6 = tmpl_of("52:54:00:00:00:06", &why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t6);
	CU_ASSERT(!t6->is6);
	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, tca("203.0.113.6")), 0);
	CU_ASSERT_EQUAL(ovl_record_del(ovl, VSID_A, tca("203.0.113.4")), 0);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "nd_test", 512);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ovl_nd", setup, teardown);
	CU_add_test(s, "solicitation to the solicited-node address",
		    test_nd_solicitation_is_built_to_the_solicited_node_address);
	CU_add_test(s, "solicitation for our pa is advertised",
		    test_nd_solicitation_for_our_pa_is_advertised);
	CU_add_test(s, "refuses what rfc 4861 discards", test_nd_refuses_what_rfc4861_discards);
	CU_add_test(s, "advertisements teach next hops", test_nd_advertisements_teach_next_hops);
	CU_add_test(s, "survives truncation and corruption", test_nd_survives_truncation_and_corruption);
	s = CU_add_suite("ovl_ipv6_routes", setup, teardown);
	CU_add_test(s, "longest prefix and default", test_ipv6_routes_longest_prefix_and_default);
	CU_add_test(s, "tunnels of both families", test_tunnels_of_both_families_in_one_subnet);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
