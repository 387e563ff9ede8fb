/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay's methods against the real dataplane and overlay (null and
 * ring ports, test_ctl_harness.c): bd.add/bd.set with a VSID (nothing
 * half-made when the VSID is refused), uplink.set, pa.*, route.*, neigh.*,
 * lookup.* and system.show: validation that names the field, the
 * dataplane's own refusals passed on, what is saved, and that a saved
 * configuration is replayed in an order in which every part comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_mbuf.h>
#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_ctl_harness.h"

/* Member 'key' of the file on disk, as compact JSON text, "null" when absent (static buffer). */
static const char *
saved(const char *key)
{
	static char text[2048];
	json_t *root = json_load_file(cfg_path, 0, NULL);
	char *dump;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	dump = json_dumps(json_object_get(root, key), JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(text, sizeof(text), "%s", dump != NULL ? dump : "null");
	free(dump);
	json_decref(root);
	return text;
}

static void
expect_json(json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (!json_equal(got, want)) {
		char *text = json_dumps(got, JSON_COMPACT);

		fprintf(stderr, "\n  got  %s\n  want %s\n", text, want_text);
		free(text);
		CU_FAIL("JSON differs");
	}
	json_decref(want);
}

/* 'got' and the array 'want_text' hold the same elements, in any order (hash-table walks). */
static void
expect_json_unordered(json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, 0, NULL), *w, *g;
	size_t i, j;
	bool all = json_array_size(got) == json_array_size(want);

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	json_array_foreach(want, i, w) {
		bool found = false;

		json_array_foreach(got, j, g)
			found = found || json_equal(g, w);
		all = all && found;
	}
	if (!all) {
		char *text = json_dumps(got, JSON_COMPACT);

		fprintf(stderr, "\n  got  %s\n  want (any order) %s\n", text, want_text);
		free(text);
		CU_FAIL("JSON differs");
	}
	json_decref(want);
}

/* The MAC port.list shows for port 'name' (static buffer). */
static const char *
port_mac(const char *name)
{
	static char mac[18];
	json_t *list = ok("port.list", "{}"), *p;
	size_t i;

	mac[0] = '\0';
	json_array_foreach(list, i, p)
		if (strcmp(jstr(json_object_get(p, "name")), name) == 0)
			snprintf(mac, sizeof(mac), "%s", jstr(json_object_get(p, "mac")));
	json_decref(list);
	CU_ASSERT_EQUAL(strlen(mac), 17);
	return mac;
}

static void
test_refused_vsid_leaves_nothing_half_made(void)
{
	json_t *r;

	unlink(cfg_path);
	start();
	done("bd.add", "{\"name\":\"t1\",\"vsid\":5001}");
	r = ok("bd.list", "{}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 1), "vsid")), 5001);
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(saved("bds"), "[{\"name\":\"t1\",\"vsid\":5001}]");
	/* vsid 0 is a plain domain, as bd.add always made. */
	done("bd.add", "{\"name\":\"plain\",\"vsid\":0}");
	CU_ASSERT_STRING_EQUAL(saved("bds"),
			       "[{\"name\":\"t1\",\"vsid\":5001},{\"name\":\"plain\"}]");

	/* Refused by the dataplane: the domain is deleted again, nothing is saved. */
	fails("bd.add", "{\"name\":\"t2\",\"vsid\":5001}", CTL_E_APP,
	      "vsid 5001 already belongs to bridge domain 't1'");
	fails("bd.add", "{\"name\":\"t2\",\"vsid\":100}", CTL_E_INVALID_PARAMS,
	      "vsid must be 4096..16777214 (0..4095 and 16777215 are reserved by RFC 7637), "
	      "or 0 for none; not '100'");
	fails("bd.add", "{\"name\":\"t2\",\"vsid\":16777216}", CTL_E_INVALID_PARAMS,
	      "params.vsid: expected a VSID from 4096 to 16777214");
	fails("bd.add", "{\"name\":\"t2\",\"vsid\":\"5002\"}", CTL_E_INVALID_PARAMS,
	      "params.vsid: expected a non-negative integer, got string");
	CU_ASSERT_EQUAL(dp_bd_find("t2"), -ENOENT);
	CU_ASSERT_STRING_EQUAL(saved("bds"),
			       "[{\"name\":\"t1\",\"vsid\":5001},{\"name\":\"plain\"}]");
	done("bd.add", "{\"name\":\"t2\",\"vsid\":6001}");

	/* bd.set: the VSID is a setting like the others, all or nothing. */
	r = ok("bd.set", "{\"name\":\"plain\",\"vsid\":7001,\"aging\":60}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "vsid")), 7001);
	json_decref(r);
	fails("bd.set", "{\"name\":\"plain\",\"vsid\":6001}", CTL_E_APP,
	      "vsid 6001 already belongs to bridge domain 't2'");
	/* A refused setting after the VSID undoes the VSID. */
	fails("bd.set", "{\"name\":\"plain\",\"vsid\":8001,\"limit-action\":\"sideways\"}",
	      CTL_E_INVALID_PARAMS, "limit-action must be drop or forward, not 'sideways'");
	fails("lookup.add",
	      "{\"vsid\":8001,\"ca_ip\":\"203.0.113.1\","
	      "\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"192.0.2.1\"}",
	      CTL_E_APP, "no bridge domain has vsid 8001");
	r = ok("bd.list", "{}");
	for (size_t i = 0; i < json_array_size(r); i++) {
		json_t *b = json_array_get(r, i);
		const char *name = jstr(json_object_get(b, "name"));
		json_int_t vsid = json_integer_value(json_object_get(b, "vsid"));

		if (strcmp(name, "default") == 0)
			CU_ASSERT_TRUE(json_is_null(json_object_get(b, "vsid")));
		if (strcmp(name, "plain") == 0)
			CU_ASSERT_EQUAL(vsid, 7001);
		if (strcmp(name, "t2") == 0)
			CU_ASSERT_EQUAL(vsid, 6001);
	}
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(saved("bds"),
			       "[{\"name\":\"t1\",\"vsid\":5001},{\"name\":\"plain\",\"vsid\":7001,"
			       "\"aging\":60},{\"name\":\"t2\",\"vsid\":6001}]");
	stop();
	unlink(cfg_path);
}

static void
test_uplink_and_provider_addresses_are_set_and_saved(void)
{
	char want[256];
	json_t *r;

	unlink(cfg_path);
	start();
	done("port.add", "{\"name\":\"up\",\"type\":\"null\"}");
	done("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}");
	fails("pa.add", "{\"address\":\"198.51.100.1/24\",\"port\":\"up\"}", CTL_E_APP,
	      "params.port: there is no uplink; make 'up' the uplink first");
	fails("uplink.set", "{\"port\":\"nope\"}", CTL_E_APP,
	      "port 'nope' does not exist; add it first");
	fails("uplink.set", "{\"port\":\"up\",\"mtu\":70000}", CTL_E_INVALID_PARAMS,
	      "params.mtu: expected an IP MTU up to 65535");
	/* The floor is what NVGRE needs to carry a 68-byte IPv4 packet (RFC 791's minimum). */
	/* -ERANGE from the dataplane: an application error, not invalid params (reported). */
	fails("uplink.set", "{\"port\":\"up\",\"mtu\":109}", CTL_E_APP,
	      "MTU 109 is too small for NVGRE (at least 110)");
	CU_ASSERT_STRING_EQUAL(saved("uplink"), "null");

	r = ok("uplink.set", "{\"port\":\"up\",\"mtu\":9000}");
	/* Encapsulated frames leave from the uplink port's own MAC. */
	snprintf(want, sizeof(want),
		 "{\"uplink\":\"up\",\"uplink_mtu\":9000,\"tenant_mtu\":8958,\"tenant_mtu6\":8938,"
		 "\"uplink_mac\":\"%s\",\"pas\":[]}",
		 port_mac("up"));
	expect_json(r, want);
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(saved("uplink"), "{\"port\":\"up\",\"mtu\":9000}");
	done("uplink.set", "{\"port\":\"up\"}");
	CU_ASSERT_STRING_EQUAL(saved("uplink"), "{\"port\":\"up\"}");

	/* The uplink is flagged in port.list and has left its bridge domain. */
	r = ok("port.list", "{}");
	CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(r, 0), "uplink")));
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "bd")), "");
	CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(r, 1), "uplink")));
	json_decref(r);

	fails("pa.add", "{\"address\":\"198.51.100.1\"}", CTL_E_INVALID_PARAMS,
	      "params.address: '198.51.100.1' is not an IPv4 or IPv6 prefix (missing /LEN");
	fails("pa.add", "{\"address\":\"198.51.100.1/33\"}", CTL_E_INVALID_PARAMS,
	      "prefix length must be 0 to 32");
	fails("pa.add", "{\"address\":\"198.51.100.1/24\",\"port\":\"vm1\"}", CTL_E_INVALID_PARAMS,
	      "params.port: 'vm1' is not the uplink");
	r = ok("pa.add", "{\"address\":\"198.51.100.1/24\",\"port\":\"up\"}");
	expect_json(r, "{\"address\":\"198.51.100.1/24\",\"port\":\"up\"}");
	json_decref(r);
	done("pa.add", "{\"address\":\"198.51.100.2/24\"}");
	fails("pa.add", "{\"address\":\"198.51.100.2/25\"}", CTL_E_APP, "already exists");
	CU_ASSERT_STRING_EQUAL(saved("pas"), "[{\"address\":\"198.51.100.1/24\",\"port\":\"up\"},"
					     "{\"address\":\"198.51.100.2/24\"}]");
	/* pa.list keeps the length the user gave. */
	r = ok("pa.list", "{}");
	expect_json(r, "[{\"address\":\"198.51.100.1/24\",\"family\":\"ipv4\",\"port\":\"up\"},"
		       "{\"address\":\"198.51.100.2/24\",\"family\":\"ipv4\",\"port\":\"up\"}]");
	json_decref(r);

	/* pa.del by address, with or without the prefix length. */
	done("pa.del", "{\"address\":\"198.51.100.2\"}");
	done("pa.del", "{\"address\":\"198.51.100.1/24\"}");
	fails("pa.del", "{\"address\":\"198.51.100.1\"}", CTL_E_APP, "198.51.100.1 does not exist");
	fails("pa.del", "{\"address\":\"nope\"}", CTL_E_INVALID_PARAMS,
	      "params.address: 'nope' is not an IPv4 or IPv6 address");
	CU_ASSERT_STRING_EQUAL(saved("pas"), "[]");

	/* Deleting the uplink port forgets the uplink. */
	done("port.del", "{\"name\":\"up\"}");
	CU_ASSERT_STRING_EQUAL(saved("uplink"), "null");
	r = ok("system.show", "{}");
	CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(r, "overlay"), "uplink")));
	json_decref(r);

	/*
	 * The dataplane takes a PA before there is an uplink (the fake refused
	 * it with "no uplink"); the PA is then ours as soon as an uplink is set.
	 */
	done("pa.add", "{\"address\":\"198.51.100.3/24\"}");
	CU_ASSERT_STRING_EQUAL(saved("pas"), "[{\"address\":\"198.51.100.3/24\"}]");
	stop();
	unlink(cfg_path);
}

/* An ARP request from 198.51.100.spa (MAC 'sha') for 198.51.100.tpa, as it arrives on the uplink. */
static struct rte_mbuf *
uplink_arp_request(const char *sha, uint8_t spa, uint8_t tpa)
{
	struct rte_mbuf *m = test_arp_frame(dp_main.pool, sha, 0x0806, 1, sha, spa, tpa);
	uint8_t *arp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	arp = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	arp[14] = 198, arp[15] = 51, arp[16] = 100; /* sender IP */
	arp[24] = 198, arp[25] = 51, arp[26] = 100; /* target IP */
	return m;
}

static void
test_routes_and_static_and_learned_neighbours(void)
{
	json_t *r;

	unlink(cfg_path);
	start();
	done("port.add", "{\"name\":\"up\",\"type\":\"ring\"}");
	done("uplink.set", "{\"port\":\"up\"}");
	done("pa.add", "{\"address\":\"198.51.100.1/24\"}");

	fails("route.add", "{\"prefix\":\"0.0.0.0\",\"via\":\"198.51.100.254\"}",
	      CTL_E_INVALID_PARAMS, "params.prefix: '0.0.0.0' is not an IPv4 or IPv6 prefix");
	fails("route.add", "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.0/24\"}",
	      CTL_E_INVALID_PARAMS, "params.via: '198.51.100.0/24' is not an IPv4 or IPv6 address");
	fails("route.add", "{\"prefix\":\"0.0.0.0/0\"}", CTL_E_INVALID_PARAMS,
	      "params.via: required string is missing");
	/* Host bits in a prefix, and the PA's connected route: each refusal says why. */
	fails("route.add", "{\"prefix\":\"198.51.100.1/24\",\"via\":\"198.51.100.254\"}",
	      CTL_E_INVALID_PARAMS, "198.51.100.1/24 has host bits set; did you mean 198.51.100.0/24?");
	fails("route.add", "{\"prefix\":\"198.51.100.0/24\",\"via\":\"198.51.100.254\"}", CTL_E_APP,
	      "198.51.100.0/24 is the connected route of a provider address: it needs no gateway");
	done("route.add", "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\"}");
	done("route.add", "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.253\"}");
	done("route.add", "{\"prefix\":\"192.0.2.0/24\",\"via\":\"198.51.100.254\"}");
	CU_ASSERT_STRING_EQUAL(saved("routes"),
			       "[{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.253\"},"
			       "{\"prefix\":\"192.0.2.0/24\",\"via\":\"198.51.100.254\"}]");
	/* The connected route is the PA's network, host bits cleared. */
	r = ok("route.show", "{}");
	expect_json_unordered(
		r, "[{\"prefix\":\"198.51.100.0/24\",\"via\":null,\"type\":\"connected\"},"
		   "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.253\",\"type\":\"static\"},"
		   "{\"prefix\":\"192.0.2.0/24\",\"via\":\"198.51.100.254\",\"type\":\"static\"}]");
	json_decref(r);
	/* A connected route goes with its provider address, and the refusal says so. */
	fails("route.del", "{\"prefix\":\"198.51.100.0/24\"}", CTL_E_APP,
	      "delete the address (vswctl pa del) to remove it");
	done("route.del", "{\"prefix\":\"192.0.2.0/24\"}");
	fails("route.del", "{\"prefix\":\"192.0.2.0/24\"}", CTL_E_APP,
	      "192.0.2.0/24 does not exist");
	CU_ASSERT_STRING_EQUAL(saved("routes"),
			       "[{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.253\"}]");

	fails("neigh.add", "{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00\"}",
	      CTL_E_INVALID_PARAMS, "params.mac: invalid MAC address");
	fails("neigh.add", "{\"ip\":\"198.51.100\",\"mac\":\"02:00:00:00:00:fe\"}",
	      CTL_E_INVALID_PARAMS, "params.ip: '198.51.100' is not an IPv4 or IPv6 address");
	fails("neigh.add", "{\"ip\":\"198.51.100.254\",\"mac\":\"01:00:5e:00:00:01\"}",
	      CTL_E_INVALID_PARAMS, "a neighbour needs a unicast, non-zero MAC");
	r = ok("neigh.add", "{\"ip\":\"198.51.100.254\",\"mac\":\"02-00-00-00-00-FE\"}");
	expect_json(
		r, "{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\",\"type\":\"static\"}");
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(saved("neighbours"),
			       "[{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}]");
	/*
	 * Learned ones are listed with their age, never saved: the gateway asks
	 * for our PA on the uplink, the worker passes the ARP up and the
	 * control thread's periodic work learns it.
	 */
	dp_test_inject("up", uplink_arp_request("02:00:00:00:00:fd", 253, 1));
	dp_test_round();
	dp_periodic();
	dp_test_round(); /* our reply leaves */
	CU_ASSERT_EQUAL(dp_test_drain("up"), 1);
	r = ok("neigh.show", "{}");
	expect_json_unordered(
		r, "[{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\",\"type\":\"static\","
		   "\"state\":\"resolved\",\"age\":null},"
		   "{\"ip\":\"198.51.100.253\",\"mac\":\"02:00:00:00:00:fd\",\"type\":\"dynamic\","
		   "\"state\":\"resolved\",\"age\":0}]");
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(saved("neighbours"),
			       "[{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}]");
	done("neigh.del", "{\"ip\":\"198.51.100.253\"}");
	done("neigh.del", "{\"ip\":\"198.51.100.254\"}");
	fails("neigh.del", "{\"ip\":\"198.51.100.254\"}", CTL_E_APP,
	      "198.51.100.254 does not exist");
	CU_ASSERT_STRING_EQUAL(saved("neighbours"), "[]");
	r = ok("neigh.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 0);
	json_decref(r);
	stop();
	unlink(cfg_path);
}

/* Many records in one call: each checked like lookup.add/del, failures listed, one save. */
static void
test_lookup_apply_loads_many_records_at_once(void)
{
	json_t *r;

	unlink(cfg_path);
	start();
	done("bd.add", "{\"name\":\"t1\",\"vsid\":5001}");
	done("port.add", "{\"name\":\"up\",\"type\":\"null\"}");
	done("uplink.set", "{\"port\":\"up\"}");
	done("pa.add", "{\"address\":\"198.51.100.1/24\"}");
	done("lookup.add", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.9\",\"ca_mac\":\"02:00:00:01:00:09\","
			   "\"pa\":\"192.0.2.1\"}");
	r = ok("lookup.apply",
	       "{\"del\":[{\"vsid\":5001,\"ca_ip\":\"203.0.113.9\"},{\"vsid\":5001,\"ca_ip\":\"203.0.113.77\"}],"
	       "\"add\":[{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"192.0.2.1\"},"
	       "{\"vsid\":7777,\"ca_ip\":\"203.0.113.2\",\"ca_mac\":\"02:00:00:01:00:02\",\"pa\":\"192.0.2.1\"},"
	       "5,"
	       "{\"vsid\":5001,\"ca_ip\":\"203.0.113.3\",\"ca_mac\":\"02:00:00:01:00:03\",\"pa\":\"192.0.2.2\"}]}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "added")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "deleted")), 1);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "failed")), 3);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(json_object_get(r, "failed"), 0), "op")), "del");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(json_object_get(r, "failed"), 1), "index")), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(json_object_get(json_array_get(json_object_get(r, "failed"), 1), "error")),
				      "no bridge domain has vsid 7777"));
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(json_object_get(json_array_get(json_object_get(r, "failed"), 2), "error")),
				      "expected an object"));
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(
		saved("lookups"),
		"[{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"192.0.2.1\"},"
		"{\"vsid\":5001,\"ca_ip\":\"203.0.113.3\",\"ca_mac\":\"02:00:00:01:00:03\",\"pa\":\"192.0.2.2\"}]");
	r = ok("lookup.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	fails("lookup.apply", "{\"add\":{}}", CTL_E_INVALID_PARAMS, "expected arrays of records");
	stop();
	unlink(cfg_path);
}

static void
test_lookup_records_follow_the_vm_and_show_in_system_show(void)
{
	char want[2048];
	json_t *r;

	unlink(cfg_path);
	start();
	done("bd.add", "{\"name\":\"t1\",\"vsid\":5001}");
	done("bd.add", "{\"name\":\"t2\",\"vsid\":6001}");
	done("port.add", "{\"name\":\"up\",\"type\":\"null\"}");
	done("uplink.set", "{\"port\":\"up\"}");
	done("pa.add", "{\"address\":\"198.51.100.1/24\"}");

	fails("lookup.add",
	      "{\"vsid\":4095,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	      "\"pa\":\"192.0.2.1\"}",
	      CTL_E_INVALID_PARAMS, "params.vsid: VSID 4095 is reserved or too big (use 4096 to");
	fails("lookup.add",
	      "{\"vsid\":16777215,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	      "\"pa\":\"192.0.2.1\"}",
	      CTL_E_INVALID_PARAMS, "params.vsid: VSID 16777215 is reserved");
	fails("lookup.add",
	      "{\"vsid\":5001,\"ca_ip\":\"203.0.113.256\",\"ca_mac\":\"02:00:00:01:00:01\","
	      "\"pa\":\"192.0.2.1\"}",
	      CTL_E_INVALID_PARAMS, "params.ca_ip: '203.0.113.256' is not an IPv4 address");
	fails("lookup.add",
	      "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"03:00:00:01:00:01\","
	      "\"pa\":\"192.0.2.1\"}",
	      CTL_E_INVALID_PARAMS, "params.ca_mac: 03:00:00:01:00:01 is a multicast MAC");
	fails("lookup.add",
	      "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	      "\"pa\":\"192.0.2\"}",
	      CTL_E_INVALID_PARAMS, "params.pa: '192.0.2' is not an IPv4 or IPv6 address");
	fails("lookup.add", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"pa\":\"192.0.2.1\"}",
	      CTL_E_INVALID_PARAMS, "params.ca_mac: required string is missing");
	/* The dataplane's refusal, word for word. */
	fails("lookup.add",
	      "{\"vsid\":7001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	      "\"pa\":\"192.0.2.1\"}",
	      CTL_E_APP,
	      "no bridge domain has vsid 7001; create one with 'vswctl bd add NAME vsid=7001'");
	CU_ASSERT_STRING_EQUAL(saved("lookups"), "null");

	r = ok("lookup.add", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\","
			     "\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"198.51.100.1\"}");
	expect_json(r, "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
		       "\"pa\":\"198.51.100.1\"}");
	json_decref(r);
	/* A second address of the same VM, and the same CA in the other tenant. */
	done("lookup.add", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.11\","
			   "\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"198.51.100.1\"}");
	done("lookup.add", "{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\","
			   "\"ca_mac\":\"02:00:00:02:00:01\",\"pa\":\"192.0.2.1\"}");
	/* The VM migrates: one record updated, every address of its MAC follows. */
	done("lookup.add", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\","
			   "\"ca_mac\":\"02:00:00:01:00:01\",\"pa\":\"192.0.2.1\"}");
	CU_ASSERT_STRING_EQUAL(
		saved("lookups"),
		"[{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
		"\"pa\":\"192.0.2.1\"},"
		"{\"vsid\":5001,\"ca_ip\":\"203.0.113.11\",\"ca_mac\":\"02:00:00:01:00:01\","
		"\"pa\":\"192.0.2.1\"},"
		"{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:02:00:01\","
		"\"pa\":\"192.0.2.1\"}]");
	r = ok("lookup.show", "{\"vsid\":5001}");
	expect_json_unordered(
		r, "[{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
		   "\"pa\":\"192.0.2.1\",\"local\":false},"
		   "{\"vsid\":5001,\"ca_ip\":\"203.0.113.11\",\"ca_mac\":\"02:00:00:01:00:01\","
		   "\"pa\":\"192.0.2.1\",\"local\":false}]");
	json_decref(r);
	r = ok("lookup.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 3);
	json_decref(r);
	fails("lookup.show", "{\"vsid\":\"blue\"}", CTL_E_INVALID_PARAMS,
	      "params.vsid: expected a non-negative integer, got string");

	done("lookup.del", "{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\"}");
	fails("lookup.del", "{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\"}", CTL_E_APP,
	      "no lookup record for 203.0.113.1 in vsid 6001");
	fails("lookup.del", "{\"vsid\":6001}", CTL_E_INVALID_PARAMS,
	      "params.ca_ip: required string is missing");
	r = json_loads(saved("lookups"), 0, NULL);
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);

	/* system.show: everything on one page. */
	done("port.add", "{\"name\":\"vm1\",\"type\":\"null\",\"bd\":\"t1\"}");
	done("neigh.add", "{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}");
	r = ok("system.show", "{}");
	json_object_del(r, "version");
	/*
	 * The uplink is in no bridge domain: not counted among default's ports.
	 * t1 has vm1 and, from its two records, the remote VM's MAC.
	 */
	snprintf(
		want, sizeof(want),
		"{\"overlay\":{\"uplink\":\"up\",\"uplink_mtu\":1500,\"tenant_mtu\":1458,\"tenant_mtu6\":1438,"
		"\"uplink_mac\":\"%s\",\"pas\":[\"198.51.100.1/24\"]},"
		"\"bds\":[{\"name\":\"default\",\"vsid\":null,\"rd\":null,\"gateway\":null,"
		"\"ports\":0,\"macs\":0},"
		"{\"name\":\"t1\",\"vsid\":5001,\"rd\":null,\"gateway\":null,\"ports\":1,\"macs\":1},"
		"{\"name\":\"t2\",\"vsid\":6001,\"rd\":null,\"gateway\":null,\"ports\":0,\"macs\":0}],"
		"\"ports\":[{\"name\":\"up\",\"type\":\"null\",\"bd\":\"\",\"ifname\":\"\","
		"\"link\":\"up\",\"uplink\":true,\"state\":\"up\"},"
		"{\"name\":\"vm1\",\"type\":\"null\",\"bd\":\"t1\",\"ifname\":\"\","
		"\"link\":\"up\",\"uplink\":false,\"state\":\"up\"}],"
		"\"routes\":[{\"prefix\":\"198.51.100.0/24\",\"via\":null,\"type\":\"connected\"}],"
		"\"neighbours\":{\"total\":1,\"resolved\":1},\"lookups\":2,\"rds\":[]}",
		port_mac("up"));
	expect_json(r, want);
	json_decref(r);
	stop();
	unlink(cfg_path);
}

static void
test_system_show_without_an_uplink(void)
{
	json_t *r;

	unlink(cfg_path);
	start();
	r = ok("system.show", "{}");
	expect_json(json_object_get(r, "overlay"),
		    "{\"uplink\":null,\"uplink_mtu\":null,\"tenant_mtu\":null,\"tenant_mtu6\":null,\"uplink_mac\":null,"
		    "\"pas\":[]}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "lookups")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "routes")), 0);
	json_decref(r);
	stop();
	unlink(cfg_path);
}

static void
test_restore_replays_the_overlay_in_dependency_order(void)
{
	unsigned int nb_failed;

	json_t *r;

	/*
	 * Members in the "wrong" order on purpose: the replay order is fixed, and
	 * each part needs the one before (a record its VSID, a route its PA's
	 * subnet, a static MAC its port), so any other order fails somewhere.
	 */
	write_config(
		"{\"version\":1,"
		"\"fdb_static\":[{\"bd\":\"t1\",\"mac\":\"02:00:00:00:00:aa\",\"port\":\"vm1\"}],"
		"\"lookups\":[{\"vsid\":5001,\"ca_ip\":\"203.0.113.2\","
		"\"ca_mac\":\"02:00:00:01:00:02\",\"pa\":\"192.0.2.1\"}],"
		"\"neighbours\":[{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}],"
		"\"routes\":[{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\"}],"
		"\"pas\":[{\"address\":\"198.51.100.1/24\",\"port\":\"up\"}],"
		"\"uplink\":{\"port\":\"up\",\"mtu\":9000},"
		"\"ports\":[{\"name\":\"up\",\"type\":\"null\",\"bd\":\"default\"},"
		"{\"name\":\"vm1\",\"type\":\"null\",\"bd\":\"t1\",\"max-macs\":4}],"
		"\"bds\":[{\"name\":\"t1\",\"vsid\":5001,\"aging\":60}]}");
	start();
	nb_failed = ctl_restore(rpc, &state);
	CU_ASSERT_EQUAL(nb_failed, 0);
	r = ok("system.show", "{}");
	json_object_del(json_object_get(r, "overlay"), "uplink_mac");
	expect_json(json_object_get(r, "overlay"),
		    "{\"uplink\":\"up\",\"uplink_mtu\":9000,\"tenant_mtu\":8958,\"tenant_mtu6\":8938,"
		    "\"pas\":[\"198.51.100.1/24\"]}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "lookups")), 1);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(r, "neighbours"), "total")), 1);
	json_decref(r);
	r = ok("route.show", "{}");
	expect_json_unordered(
		r, "[{\"prefix\":\"198.51.100.0/24\",\"via\":null,\"type\":\"connected\"},"
		   "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\",\"type\":\"static\"}]");
	json_decref(r);
	r = ok("bd.list", "{}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 1), "vsid")), 5001);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 1), "aging")), 60);
	json_decref(r);
	/* The static MAC, and the record's MAC at its host's PA. */
	r = ok("fdb.show", "{\"bd\":\"t1\"}");
	expect_json_unordered(
		r,
		"[{\"bd\":\"t1\",\"mac\":\"02:00:00:00:00:aa\",\"port\":\"vm1\",\"type\":\"static\","
		"\"age\":null,\"moves\":0,\"cause\":\"static\",\"frozen\":false},"
		"{\"bd\":\"t1\",\"mac\":\"02:00:00:01:00:02\",\"port\":\"pa:192.0.2.1\","
		"\"type\":\"record\",\"age\":null,\"moves\":0,\"cause\":\"record\",\"frozen\":false}]");
	json_decref(r);
	stop();

	/* What fails to come back is logged and stays configured, and the rest follows. */
	write_config("{\"version\":1,\"bds\":[],\"ports\":[],"
		     "\"uplink\":{\"port\":\"gone\"},"
		     "\"pas\":[{\"address\":\"198.51.100.1/24\"}],"
		     "\"routes\":[{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\"}],"
		     "\"lookups\":[{\"vsid\":5001,\"ca_ip\":\"203.0.113.2\","
		     "\"ca_mac\":\"02:00:00:01:00:02\",\"pa\":\"192.0.2.1\"}]}");
	start();
	nb_failed = ctl_restore(rpc, &state);
	/* The uplink (no port) and the record (no VSID); a PA needs no uplink. */
	CU_ASSERT_EQUAL(nb_failed, 2);
	r = ok("route.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	/* Saved but not in the dataplane: still deletable. */
	done("pa.del", "{\"address\":\"198.51.100.1\"}");
	done("lookup.del", "{\"vsid\":5001,\"ca_ip\":\"203.0.113.2\"}");
	CU_ASSERT_STRING_EQUAL(saved("pas"), "[]");
	CU_ASSERT_STRING_EQUAL(saved("lookups"), "[]");
	CU_ASSERT_STRING_EQUAL(saved("uplink"), "{\"port\":\"gone\"}");
	stop();
	unlink(cfg_path);
}

/* rd.*: what is saved, replaced and removed, and the replay before the bridge domains. */
static void
test_ctl_rd_saved_and_restored(void)
{
	json_t *d, *rds, *r;

	start();
	done("rd.add", "{\"name\": \"red\"}");
	done("rd.add", "{\"name\": \"blue\", \"mac\": \"02:00:5E:10:00:01\"}");
	fails("rd.add", "{\"name\": \"green\", \"mac\": \"nope\"}", CTL_E_INVALID_PARAMS,
	      "params.mac");
	done("rd.route.add", "{\"rd\": \"red\", \"prefix\": \"0.0.0.0/0\", \"via\": \"198.18.20.9\"}");
	done("rd.route.add", "{\"rd\": \"red\", \"prefix\": \"0.0.0.0/0\", \"via\": \"198.18.20.10\"}");
	done("rd.route.add", "{\"rd\": \"red\", \"prefix\": \"10.0.0.0/8\", \"via\": \"198.18.20.9\"}");
	fails("rd.route.add", "{\"rd\": \"red\", \"prefix\": \"10.0.0.0\", \"via\": \"198.18.20.9\"}",
	      CTL_E_INVALID_PARAMS, "params.prefix");
	done("rd.route.del", "{\"rd\": \"red\", \"prefix\": \"10.0.0.0/8\"}");
	d = on_disk();
	rds = json_object_get(d, "rds");
	CU_ASSERT_EQUAL_FATAL(json_array_size(rds), 2);
	r = json_object_get(json_array_get(rds, 0), "routes");
	/* One route, its next hop replaced in place; blue keeps its MAC in canonical form. */
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "via")),
			       "198.18.20.10");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(rds, 1), "mac")),
			       "02:00:5e:10:00:01");
	CU_ASSERT_PTR_NULL(json_object_get(json_array_get(rds, 0), "mac"));
	json_decref(d);
	stop();
	/* A restart replays both domains and the route. */
	start();
	CU_ASSERT_EQUAL(ctl_restore(rpc, &state), 0);
	r = ok("rd.route.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	json_decref(r);
	r = ok("rd.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	done("rd.del", "{\"name\": \"blue\"}");
	d = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(d, "rds")), 1);
	json_decref(d);
	stop();
}

int
main(void)
{
	CU_pSuite suite;

	if (harness_init("test_ctl_overlay") < 0)
		return 1;
	suite = CU_add_suite("ctl_overlay", NULL, NULL);
	CU_add_test(suite, "a refused VSID leaves nothing half made",
		    test_refused_vsid_leaves_nothing_half_made);
	CU_add_test(suite, "uplink and provider addresses are set and saved",
		    test_uplink_and_provider_addresses_are_set_and_saved);
	CU_add_test(suite, "routes, static and learned neighbours",
		    test_routes_and_static_and_learned_neighbours);
	CU_add_test(suite, "lookup records follow the VM and show in system.show",
		    test_lookup_records_follow_the_vm_and_show_in_system_show);
	CU_add_test(suite, "system.show without an uplink", test_system_show_without_an_uplink);
	CU_add_test(suite, "lookup.apply loads many records at once",
		    test_lookup_apply_loads_many_records_at_once);
	CU_add_test(suite, "restore replays the overlay in dependency order",
		    test_restore_replays_the_overlay_in_dependency_order);
	CU_add_test(suite, "rd saved and restored", test_ctl_rd_saved_and_restored);
	return harness_run();
}
