/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay through the real pipeline on ring ports: "vm1" and "vm2" are
 * VM ports of tenant subnet VSID 5001, "up" is the uplink.  This host owns
 * PA 198.51.100.1/24; the other host's PA 192.0.2.1 is reached through the
 * gateway 198.51.100.254.  Outer headers are checked byte by byte here,
 * independently of overlay/'s own encoder.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

#define VSID     5001
#define VM_A     "02:00:00:00:00:0a" /* local, on vm1 */
#define VM_B     "02:00:00:00:00:0b" /* remote, on the other host */
#define VM_C     "02:00:00:00:00:0c" /* local, on vm2 */
#define VM_D     "02:00:00:00:00:0d" /* local, on vm3 in subnet 6002 */
#define GW_MAC   "02:00:00:00:fe:fe"
#define BCAST    "ff:ff:ff:ff:ff:ff"
#define OUR_PA   "198.51.100.1"
#define THEIR_PA "192.0.2.1"

/* An NVGRE frame from 'src_pa' to 'dst_pa' carrying 'inner' (freed). */
static struct rte_mbuf *
nvgre_frame(const char *src_pa, const char *dst_pa, uint32_t vsid, uint8_t flow,
	    struct rte_mbuf *inner)
{
	const struct test_nvgre o = {
		.src_pa = src_pa,
		.dst_pa = dst_pa,
		.vsid = vsid,
		.flow_id = flow,
		.ttl = 64,
		.df = true,
	};

	/* Our uplink's MAC does not matter to the receiver. */
	return test_nvgre_frame(dp_main.pool, "02:02:02:02:02:02", GW_MAC, &o, inner);
}

static struct rte_mbuf *
frame(const char *dst, const char *src)
{
	return test_frame(dp_main.pool, dst, src, RTE_ETHER_TYPE_IPV4, 60);
}

/* Where the MAC table has 'mac', in the tenant subnet t1. */
static struct dp_test_found
where(const char *mac)
{
	return dp_test_where("t1", mac);
}

static int
setup_host(void)
{
	const char *ports[] = { "vm1", "vm2", "up" };
	uint8_t mac[6];

	if (dp_bd_add("t1") < 0 || DP_TEST_BD_SET("t1", vsid, 5001))
		goto fail;
	for (unsigned int i = 0; i < 3; i++)
		if (dp_test_add_ring(ports[i], "t1") < 0)
			goto fail;
	test_mac(GW_MAC, mac);
	if (dp_uplink_set("up", 1500) < 0 ||
	    dp_pa_add(tpfx(OUR_PA "/24")) < 0 ||
	    dp_neigh_add(tip("198.51.100.254"), mac) < 0 ||
	    dp_route_add(tpfx("192.0.2.0/24"), tip("198.51.100.254")) < 0)
		goto fail;
	test_mac(VM_B, mac);
	if (dp_lookup_add(VSID, tca("203.0.113.2"), mac, tip(THEIR_PA)) < 0)
		goto fail;
	test_mac(VM_A, mac);
	if (dp_lookup_add(VSID, tca("203.0.113.1"), mac, tip(OUR_PA)) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", dp_test_err);
	return 1;
}

/* Check the outer headers of an encapsulated frame and return its inner bytes' offset. */
static void
check_outer(const uint8_t *p, unsigned int len, uint16_t inner_len)
{
	uint8_t gw[6];
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + 14);
	uint32_t key;

	CU_ASSERT_EQUAL_FATAL(len, 42u + inner_len);
	test_mac(GW_MAC, gw);
	CU_ASSERT(memcmp(p, gw, 6) == 0);              /* routed: to the gateway */
	CU_ASSERT(p[12] == 0x08 && p[13] == 0x00);      /* IPv4 */
	CU_ASSERT_EQUAL(ip->version_ihl, 0x45);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length), 28 + inner_len);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->fragment_offset) & 0x4000, 0x4000); /* DF */
	CU_ASSERT_EQUAL(ip->next_proto_id, 47);
	CU_ASSERT(ip->time_to_live > 1);
	CU_ASSERT_EQUAL(ip->src_addr, tca(OUR_PA));
	CU_ASSERT_EQUAL(ip->dst_addr, tca(THEIR_PA));
	struct rte_ipv4_hdr copy = *ip;

	copy.hdr_checksum = 0;
	CU_ASSERT_EQUAL(rte_ipv4_cksum(&copy), ip->hdr_checksum);
	CU_ASSERT(p[34] == 0x20 && p[35] == 0x00);      /* K set; C, S, version 0 */
	CU_ASSERT(p[36] == 0x65 && p[37] == 0x58);      /* transparent Ethernet bridging */
	key = (uint32_t)p[38] << 24 | (uint32_t)p[39] << 16 | (uint32_t)p[40] << 8 | p[41];
	CU_ASSERT_EQUAL(key >> 8, VSID);
}

static void
test_record_puts_remote_ca_in_the_fdb(void)
{
	struct dp_test_found f = where(VM_B);

	CU_ASSERT_STRING_EQUAL(f.port, "pa:" THEIR_PA);
	CU_ASSERT_STRING_EQUAL(f.cause, "record");
	/* Configuration, not learning: a flush keeps it. */
	CU_ASSERT(dp_fdb_flush("t1", NULL) >= 0);
	CU_ASSERT_STRING_EQUAL(where(VM_B).cause, "record");
	/* A CA on one of our own PAs is not the record's to place. */
	CU_ASSERT_STRING_EQUAL(where(VM_A).port, "");
}

static void
test_unicast_to_remote_mac_is_encapsulated(void)
{
	struct rte_mbuf *in = frame(VM_B, VM_A), *out;
	uint8_t orig[60], buf[256];
	unsigned int len;

	memcpy(orig, rte_pktmbuf_mtod(in, void *), 60);
	dp_test_inject("vm1", in);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 0);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	len = test_flat(out, buf, sizeof(buf));
	check_outer(buf, len, 60);
	CU_ASSERT(memcmp(buf + 42, orig, 60) == 0);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
}

static void
test_broadcast_floods_locally_and_to_each_remote_pa(void)
{
	struct rte_mbuf *out;
	uint8_t buf[256];

	dp_test_inject("vm1", frame(BCAST, VM_A));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 1);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	check_outer(buf, test_flat(out, buf, sizeof(buf)), 60);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0); /* one remote PA, one copy */
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 0);
}

static void
test_arp_for_recorded_ca_is_answered_locally(void)
{
	uint64_t before = dp_test_counter("arp_suppressed");
	struct rte_mbuf *req = test_arp_frame(dp_main.pool, VM_A, 0x0806, 1, VM_A, 1, 2), *reply;
	const uint8_t *a;
	uint8_t b[6];

	dp_test_inject("vm1", req);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 0);
	reply = dp_test_take("vm1");
	CU_ASSERT_FATAL(reply != NULL);
	a = rte_pktmbuf_mtod_offset(reply, const uint8_t *, 14);
	test_mac(VM_B, b);
	CU_ASSERT_EQUAL(a[7], 2);                 /* ARP reply */
	CU_ASSERT(memcmp(a + 8, b, 6) == 0);      /* sender = the recorded CA MAC */
	CU_ASSERT_EQUAL(a[17], 2);                /* sender IP 203.0.113.2 */
	rte_pktmbuf_free(reply);
	CU_ASSERT_EQUAL(dp_test_counter("arp_suppressed"), before + 1);
}

static void
test_decap_delivers_and_learns_the_remote_pa(void)
{
	struct dp_test_found f;

	dp_test_inject("vm1", frame(BCAST, VM_A)); /* A is local on vm1 */
	dp_test_round();
	dp_test_drain("vm2");
	dp_test_drain("up");
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 7, frame(VM_A, VM_B)));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 0);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0); /* never back to the overlay */
	f = where(VM_B);
	CU_ASSERT_STRING_EQUAL(f.port, "pa:" THEIR_PA);
}

static void
test_decap_drops_what_is_not_ours(void)
{
	uint64_t vsid = dp_test_counter("drop_nvgre_unknown_vsid"), pa = dp_test_counter("drop_nvgre_not_our_pa");

	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, 6001, 0, frame(VM_A, VM_B)));
	dp_test_inject("up", nvgre_frame(THEIR_PA, "198.51.100.9", VSID, 0, frame(VM_A, VM_B)));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1") + dp_test_drain("vm2") + dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_nvgre_unknown_vsid"), vsid + 1);
	CU_ASSERT_EQUAL(dp_test_counter("drop_nvgre_not_our_pa"), pa + 1);
}

static void
test_garp_over_the_overlay_moves_a_local_vm_away(void)
{
	struct rte_mbuf *out;
	uint8_t buf[256];
	struct dp_test_found f;

	dp_test_inject("vm1", frame(BCAST, VM_A));
	dp_test_round();
	dp_test_drain("vm2");
	dp_test_drain("up");
	CU_ASSERT_STRING_EQUAL(where(VM_A).port, "vm1");
	/* A migrated to the other host, which floods its announcement to us. */
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 1,
				 test_arp_frame(dp_main.pool, VM_A, 0x0806, 1, VM_A, 1, 1)));
	dp_test_round();
	dp_test_drain("vm1");
	dp_test_drain("vm2");
	f = where(VM_A);
	CU_ASSERT_STRING_EQUAL(f.port, "pa:" THEIR_PA);
	CU_ASSERT_STRING_EQUAL(f.cause, "garp");
	/* vm2's next frame to A leaves encapsulated, not to vm1. */
	dp_test_inject("vm2", frame(VM_A, VM_C));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 0);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	check_outer(buf, test_flat(out, buf, sizeof(buf)), 60);
	rte_pktmbuf_free(out);
}

static void
test_overlay_frame_to_remote_mac_is_not_reflected(void)
{
	uint64_t before = dp_test_counter("drop_split_horizon");

	/* B is remote (learned from the overlay); a frame from the overlay to B is dropped. */
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 2, frame(BCAST, VM_B)));
	dp_test_round();
	dp_test_drain("vm1");
	dp_test_drain("vm2");
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 2, frame(VM_B, VM_C)));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_split_horizon"), before + 1);
	dp_test_drain("vm1");
	dp_test_drain("vm2");
}

static void
test_uplink_arp_for_our_pa_is_answered(void)
{
	struct rte_mbuf *req = test_arp_frame(dp_main.pool, GW_MAC, 0x0806, 1, GW_MAC, 254, 1), *reply;
	uint8_t *a = rte_pktmbuf_mtod_offset(req, uint8_t *, 14);

	/* Re-address it: from 198.51.100.254 asking for 198.51.100.1. */
	a[14] = 198, a[15] = 51, a[16] = 100, a[17] = 254;
	a[24] = 198, a[25] = 51, a[26] = 100, a[27] = 1;
	dp_test_inject("up", req);
	dp_test_round();          /* the worker passes it up */
	dp_periodic();        /* the control thread answers */
	dp_test_round();          /* the worker sends the answer */
	reply = dp_test_take("up");
	CU_ASSERT_FATAL(reply != NULL);
	a = rte_pktmbuf_mtod_offset(reply, uint8_t *, 14);
	CU_ASSERT_EQUAL(a[7], 2);
	CU_ASSERT(a[14] == 198 && a[17] == 1);
	rte_pktmbuf_free(reply);
}

static void
test_overlay_config_errors_say_what_is_wrong(void)
{
	uint8_t mac[6];

	test_mac(VM_B, mac);
	/* Bridge-domain refusals name the setting; ctl words them (test_ctl_overlay). */
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("t1", vsid, 100), -EINVAL);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_VSID);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("default", vsid, 5001), -EEXIST);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_VSID);
	CU_ASSERT_EQUAL(dp_test_why.other, dp_bd_find("t1"));
	/* The dataplane answers with an errno; the sentences are ctl's (test_ctl_overlay). */
	CU_ASSERT_EQUAL(dp_pa_add(tpfx("198.51.100.7/0")), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(tpfx("10.0.0.0/8"), tip("2001:db8::1")), -EINVAL);
	CU_ASSERT_EQUAL(dp_route_add(tpfx("10.0.0.1/8"), tip("198.51.100.254")), -EINVAL);
	CU_ASSERT_EQUAL(dp_lookup_add(7000, tca("203.0.113.9"), mac, tip(THEIR_PA)), -ENOENT);
	CU_ASSERT_EQUAL(dp_lookup_add(100, tca("203.0.113.9"), mac, tip(THEIR_PA)), -EDOM);
	CU_ASSERT_EQUAL(dp_uplink_set("nope", 0), -ENOENT);
	/* A subnet with lookup records is not deleted from under them. */
	CU_ASSERT_FATAL(dp_bd_add("t2") > 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("t2", vsid, 7001), 0);
	CU_ASSERT_EQUAL(dp_lookup_add(7001, tca("203.0.113.9"), mac, tip(THEIR_PA)), 0);
	CU_ASSERT_EQUAL(dp_bd_del("t2"), -EBUSY); /* in words: test_ctl_bd */
	CU_ASSERT_EQUAL(dp_bd_find("t2") > 0, 1);
	CU_ASSERT_EQUAL(dp_lookup_del(7001, tca("203.0.113.9")), 0);
	CU_ASSERT_EQUAL(dp_bd_del("t2"), 0);
	CU_ASSERT_EQUAL(dp_bd_find("t2"), -ENOENT);
}

/* One burst mixing two subnets and an unknown VSID: each frame reaches its own subnet. */
/*
 * A record added before its PA is ours points at another host; adding the PA
 * makes it local (no FDB record entry: the VM is found by flooding and
 * learning), and deleting the PA makes it remote again.  Found by the soak:
 * traffic to such a VM was encapsulated to ourselves and dropped.
 */
static void
test_record_follows_its_pa_becoming_ours(void)
{
	const char *mac_text = "02:00:00:00:00:99";
	uint8_t mac[6];

	test_mac(mac_text, mac);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(VSID, tca("203.0.113.99"), mac, tip("198.51.100.9")), 0);
	CU_ASSERT_STRING_EQUAL(where(mac_text).port, "pa:198.51.100.9");
	CU_ASSERT_EQUAL_FATAL(dp_pa_add(tpfx("198.51.100.9/24")), 0);
	CU_ASSERT_STRING_EQUAL(where(mac_text).port, "");
	CU_ASSERT_EQUAL_FATAL(dp_pa_del(tip("198.51.100.9")), 0);
	CU_ASSERT_STRING_EQUAL(where(mac_text).port, "pa:198.51.100.9");
	CU_ASSERT_STRING_EQUAL(where(mac_text).cause, "record");
	CU_ASSERT_EQUAL(dp_lookup_del(VSID, tca("203.0.113.99")), 0);
	CU_ASSERT_STRING_EQUAL(where(mac_text).port, "");
}

static void
test_decap_burst_of_mixed_subnets(void)
{
	uint64_t unknown = dp_test_counter("drop_nvgre_unknown_vsid");

	CU_ASSERT_FATAL(dp_bd_add("t2") >= 0);
	CU_ASSERT_EQUAL_FATAL(DP_TEST_BD_SET("t2", vsid, 6002), 0);
	CU_ASSERT_FATAL(dp_test_add_ring("vm3", "t2") >= 0);
	dp_test_inject("vm3", frame(BCAST, VM_D)); /* D is local on vm3, in t2 */
	dp_test_inject("vm1", frame(BCAST, VM_A));
	dp_test_round();
	dp_test_drain("vm2");
	dp_test_drain("up");
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 1, frame(VM_A, VM_B)));
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, 6001, 1, frame(VM_A, VM_B)));
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, 6002, 1, frame(VM_D, VM_B)));
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 1, frame(VM_A, VM_B)));
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, 6002, 1, frame(VM_D, VM_B)));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 2);
	CU_ASSERT_EQUAL(dp_test_drain("vm3"), 2);
	CU_ASSERT_EQUAL(dp_test_drain("vm2") + dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_nvgre_unknown_vsid"), unknown + 1);
}

static void
test_macs_on_a_host_without_records_are_forgotten(void)
{
	/* B was learned against 192.0.2.1; its record is the last one naming that host. */
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 3, frame(BCAST, VM_B)));
	dp_test_round();
	dp_test_drain("vm1");
	dp_test_drain("vm2");
	CU_ASSERT_STRING_EQUAL(where(VM_B).port, "pa:" THEIR_PA);
	CU_ASSERT_EQUAL(dp_lookup_del(VSID, tca("203.0.113.2")), 0);
	/* The host's template slot is gone and may be reused: so are the MACs learned on it. */
	CU_ASSERT_STRING_EQUAL(where(VM_B).port, "");
	CU_ASSERT_STRING_EQUAL(where(VM_A).port, "");
}

/* An ICMP error from the gateway to our PA quoting 'quoted' (an IPv4 packet, freed). */
static struct rte_mbuf *
icmp_error(uint8_t type, uint8_t code, struct rte_mbuf *quoted)
{
	const struct test_ip4 ip = {
		.len = 20 + 8 + 28,
		.ttl = 64,
		.proto = IPPROTO_ICMP,
		.src = tca("198.51.100.254"),
		.dst = tca(OUR_PA),
		.cksum = true,
	};
	uint8_t p[14 + 20 + 8 + 28] = { 0 };

	test_eth_hdr(p, "02:02:02:02:02:02", GW_MAC, RTE_ETHER_TYPE_IPV4);
	test_ip4_hdr(p + 14, &ip);
	p[34] = type, p[35] = code;
	/* The quote: the outer IPv4 header and the first 8 bytes of GRE. */
	memcpy(p + 42, rte_pktmbuf_mtod_offset(quoted, uint8_t *, 14), 28);
	rte_pktmbuf_free(quoted);
	return test_mbuf_of(dp_main.pool, p, sizeof(p));
}

struct tunnel_seen {
	const char *pa;           /**< the tunnel wanted */
	unsigned int nb;          /**< tunnels listed */
	struct dp_tunnel_info t;  /**< the one to 'pa' */
};

static void
tunnel_one(const struct dp_tunnel_info *t, void *arg)
{
	struct tunnel_seen *s = arg;

	s->nb++;
	if (ovl_ip_eq(&t->pa, tip(s->pa)))
		s->t = *t;
}

/*
 * A wrong or dead PA shows in tunnel list: the ICMP error the gateway sends
 * about our tunnel names the PA and the VSID, and is not counted as broken
 * NVGRE; ordinary provider traffic is counted apart from broken NVGRE too.
 */
static void
test_icmp_error_about_a_tunnel_is_reported(void)
{
	struct tunnel_seen seen = { .pa = THEIR_PA };
	uint64_t icmp = dp_test_counter("uplink_icmp_error_rx"),
		 not_gre = dp_test_counter("uplink_not_gre"),
		 not_ip = dp_test_counter("uplink_not_ip");
	struct rte_mbuf *echo;
	uint8_t mac[6];

	test_mac(VM_B, mac);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(VSID, tca("203.0.113.2"), mac, tip(THEIR_PA)), 0);
	dp_tunnel_walk(tunnel_one, &seen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen.t.state);
	CU_ASSERT_STRING_EQUAL(seen.t.state, "resolved");
	CU_ASSERT(ovl_ip_eq(&seen.t.next_hop, tip("198.51.100.254")));
	CU_ASSERT_STRING_EQUAL(seen.t.last_error, "");
	/* Host unreachable, quoting a tunnel packet from our PA to theirs. */
	dp_test_inject("up", icmp_error(3, 1, nvgre_frame(OUR_PA, THEIR_PA, VSID, 7,
							  frame(VM_B, VM_A))));
	/* Not about a tunnel: an echo request to our PA, and an LLDP frame (not IP). */
	echo = icmp_error(8, 0, nvgre_frame(OUR_PA, THEIR_PA, VSID, 7, frame(VM_B, VM_A)));
	dp_test_inject("up", echo);
	dp_test_inject("up", test_frame(dp_main.pool, BCAST, GW_MAC, RTE_ETHER_TYPE_LLDP, 80));
	dp_test_round();
	dp_periodic(); /* the control thread reads the error */
	CU_ASSERT_EQUAL(dp_test_counter("uplink_icmp_error_rx"), icmp + 1);
	CU_ASSERT_EQUAL(dp_test_counter("uplink_not_gre"), not_gre + 1);
	CU_ASSERT_EQUAL(dp_test_counter("uplink_not_ip"), not_ip + 1);
	memset(&seen.t, 0, sizeof(seen.t));
	seen.nb = 0;
	dp_tunnel_walk(tunnel_one, &seen);
	CU_ASSERT_EQUAL(seen.nb, 1); /* our own PA's records need no tunnel */
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen.t.state);
	CU_ASSERT_STRING_EQUAL(seen.t.state, "unreachable");
	CU_ASSERT_STRING_EQUAL(seen.t.last_error, "host unreachable from 198.51.100.254 for "
						  OUR_PA " -> " THEIR_PA ", VSID 5001");
	CU_ASSERT_EQUAL(seen.t.nb_errors, 1);
	CU_ASSERT(seen.t.last_error_age_s < 5);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm1") + dp_test_drain("vm2"), 0);
}

/* Frames for a PA whose next hop does not answer ARP are counted against that tunnel. */
static void
test_unresolved_tunnel_counts_its_drops(void)
{
	struct tunnel_seen seen = { .pa = "192.0.2.140" };
	uint8_t mac[6];

	test_mac("02:00:00:00:00:0e", mac);
	CU_ASSERT_EQUAL_FATAL(dp_route_add(tpfx("192.0.2.128/25"), tip("198.51.100.253")), 0);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(VSID, tca("203.0.113.14"), mac, tip("192.0.2.140")), 0);
	for (unsigned int i = 0; i < 3; i++)
		dp_test_inject("vm1", frame("02:00:00:00:00:0e", VM_A));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
	dp_tunnel_walk(tunnel_one, &seen);
	CU_ASSERT_EQUAL(seen.nb, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen.t.state);
	CU_ASSERT_STRING_EQUAL(seen.t.state, "no_neighbour");
	CU_ASSERT(ovl_ip_eq(&seen.t.next_hop, tip("198.51.100.253")));
	CU_ASSERT(ovl_ip_eq(&seen.t.src_pa, tip(OUR_PA)));
	CU_ASSERT_EQUAL(seen.t.drops, 3);
	CU_ASSERT_EQUAL(dp_lookup_del(VSID, tca("203.0.113.14")), 0);
	CU_ASSERT_EQUAL(dp_route_del(tpfx("192.0.2.128/25")), 0);
}

/* 'm' with an 802.1Q header for 'vlan' after its MACs. */
static struct rte_mbuf *
tagged(struct rte_mbuf *m, uint16_t vlan)
{
	CU_ASSERT_FATAL(m != NULL);
	m->vlan_tci = vlan;
	CU_ASSERT_FATAL(rte_vlan_insert(&m) == 0);
	return m;
}

/* A frame on the uplink carries 802.1Q VLAN 'vlan' (100): check it and cut the tag out of 'buf'. */
static unsigned int
untag_uplink_frame(struct rte_mbuf *m, uint8_t *buf, unsigned int max)
{
	unsigned int len;

	CU_ASSERT_FATAL(m != NULL);
	len = test_flat(m, buf, max);
	rte_pktmbuf_free(m);
	CU_ASSERT_FATAL(len > 18);
	CU_ASSERT(buf[12] == 0x81 && buf[13] == 0x00 && buf[14] == 0 && buf[15] == 100);
	memmove(buf + 12, buf + 16, len - 16);
	return len - 4;
}

static void
test_uplink_vlan_tags_the_provider_network(void)
{
	uint64_t dropped = dp_test_counter("drop_uplink_vlan");
	struct rte_mbuf *in = frame(VM_B, VM_A), *m;
	uint8_t orig[60], buf[256], *a;

	CU_ASSERT_EQUAL_FATAL(dp_uplink_set_vlan(100), 0);
	/* Encapsulated: the outer Ethernet header carries the tag; the rest is as untagged. */
	memcpy(orig, rte_pktmbuf_mtod(in, void *), 60);
	dp_test_inject("vm1", in);
	dp_test_round();
	check_outer(buf, untag_uplink_frame(dp_test_take("up"), buf, sizeof(buf)), 60);
	CU_ASSERT(memcmp(buf + 42, orig, 60) == 0);
	/* A flood's copy for the remote PA too; the local copy stays untagged. */
	dp_test_inject("vm1", frame(BCAST, VM_A));
	dp_test_round();
	check_outer(buf, untag_uplink_frame(dp_test_take("up"), buf, sizeof(buf)), 60);
	m = dp_test_take("vm2");
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	rte_pktmbuf_free(m);
	/* Decapsulated only with the provider VLAN, which is gone from the inner frame. */
	dp_test_inject("up", tagged(nvgre_frame(THEIR_PA, OUR_PA, VSID, 7, frame(VM_A, VM_B)), 100));
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 7, frame(VM_A, VM_B)));
	dp_test_inject("up", tagged(nvgre_frame(THEIR_PA, OUR_PA, VSID, 7, frame(VM_A, VM_B)), 200));
	dp_test_round();
	m = dp_test_take("vm1");
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type,
			RTE_BE16(RTE_ETHER_TYPE_IPV4));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(dp_test_drain("vm1") + dp_test_drain("vm2") + dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_uplink_vlan"), dropped + 2);
	/* Provider ARP: asked on the VLAN, answered on it. */
	m = test_arp_frame(dp_main.pool, GW_MAC, 0x0806, 1, GW_MAC, 254, 1);
	CU_ASSERT_FATAL(m != NULL);
	a = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	a[14] = 198, a[15] = 51, a[16] = 100, a[17] = 254;
	a[24] = 198, a[25] = 51, a[26] = 100, a[27] = 1;
	dp_test_inject("up", tagged(m, 100));
	dp_test_round();
	dp_periodic();
	dp_test_round();
	untag_uplink_frame(dp_test_take("up"), buf, sizeof(buf));
	CU_ASSERT(buf[12] == 0x08 && buf[13] == 0x06 && buf[14 + 7] == 2); /* an ARP reply */
	CU_ASSERT(buf[14 + 14] == 198 && buf[14 + 17] == 1);
	CU_ASSERT_EQUAL(dp_uplink_set_vlan(0), 0);
}

static void
test_tenant_subnet_on_a_trunk_vlan(void)
{
	struct dp_port_settings trunk = { .fields = DP_PORT_SET_VLAN,
					  .vlan = { .mode = DP_VLAN_TRUNK } };
	struct rte_mbuf *in = frame(VM_B, VM_C), *m;
	uint8_t orig[60], buf[256];

	/* The tenant subnet is VLAN 10 of a trunk port as well. */
	CU_ASSERT_EQUAL_FATAL(DP_TEST_BD_SET("t1", vlan, 10), 0);
	CU_ASSERT_FATAL(dp_test_add_ring("tr", NULL) >= 0);
	dp_vlan_bit_set(trunk.vlan.trunks, 10);
	CU_ASSERT_EQUAL_FATAL(dp_port_set("tr", &trunk, NULL), 0);
	/* From the trunk to a remote VM: encapsulated without the tag (RFC 7637 inner frames are untagged). */
	memcpy(orig, rte_pktmbuf_mtod(in, void *), 60);
	dp_test_inject("tr", tagged(in, 10));
	dp_test_round();
	m = dp_test_take("up");
	CU_ASSERT_FATAL(m != NULL);
	check_outer(buf, test_flat(m, buf, sizeof(buf)), 60);
	CU_ASSERT(memcmp(buf + 42, orig, 60) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_STRING_EQUAL(where(VM_C).port, "tr");
	/* From the overlay to the VM behind the trunk: decapsulated, then tagged. */
	dp_test_inject("up", nvgre_frame(THEIR_PA, OUR_PA, VSID, 7, frame(VM_C, VM_B)));
	dp_test_round();
	m = dp_test_take("tr");
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type,
			RTE_BE16(RTE_ETHER_TYPE_VLAN));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *, 14)
						 ->vlan_tci) & 0xfff, 10);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(dp_test_drain("vm1") + dp_test_drain("vm2") + dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_port_del("tr", dp_test_err, sizeof(dp_test_err)), 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("t1", vlan, 0), 0);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0 || setup_host() != 0)
		return 1;
	s = CU_add_suite("nvgre_pipeline", NULL, NULL);
	CU_add_test(s, "record puts remote ca in the fdb", test_record_puts_remote_ca_in_the_fdb);
	CU_add_test(s, "unicast to remote mac is encapsulated", test_unicast_to_remote_mac_is_encapsulated);
	CU_add_test(s, "broadcast floods locally and to each remote pa", test_broadcast_floods_locally_and_to_each_remote_pa);
	CU_add_test(s, "arp for recorded ca is answered locally", test_arp_for_recorded_ca_is_answered_locally);
	CU_add_test(s, "decap delivers and learns the remote pa", test_decap_delivers_and_learns_the_remote_pa);
	CU_add_test(s, "decap drops what is not ours", test_decap_drops_what_is_not_ours);
	CU_add_test(s, "garp over the overlay moves a local vm away", test_garp_over_the_overlay_moves_a_local_vm_away);
	CU_add_test(s, "overlay frame to remote mac is not reflected", test_overlay_frame_to_remote_mac_is_not_reflected);
	CU_add_test(s, "uplink arp for our pa is answered", test_uplink_arp_for_our_pa_is_answered);
	CU_add_test(s, "overlay config errors say what is wrong", test_overlay_config_errors_say_what_is_wrong);
	CU_add_test(s, "macs on a host without records are forgotten", test_macs_on_a_host_without_records_are_forgotten);
	CU_add_test(s, "decap burst of mixed subnets", test_decap_burst_of_mixed_subnets);
	CU_add_test(s, "icmp error about a tunnel is reported", test_icmp_error_about_a_tunnel_is_reported);
	CU_add_test(s, "unresolved tunnel counts its drops", test_unresolved_tunnel_counts_its_drops);
	CU_add_test(s, "record follows its pa becoming ours", test_record_follows_its_pa_becoming_ours);
	CU_add_test(s, "uplink vlan tags the provider network", test_uplink_vlan_tags_the_provider_network);
	CU_add_test(s, "tenant subnet on a trunk vlan", test_tenant_subnet_on_a_trunk_vlan);
	return dp_test_finish();
}
