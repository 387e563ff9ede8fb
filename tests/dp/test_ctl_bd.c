/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bd.set against the real dataplane (test_ctl_harness.c): ctl parses every
 * key into one struct dp_bd_settings and dp_bd_apply() takes it whole or not
 * at all, so a setting the dataplane refuses (a VSID in use, a routing
 * domain that does not exist, an overlapping subnet) leaves the keys ctl had
 * already accepted in the same call unapplied and unsaved; and the
 * dataplane's refusals (bridge and routing domains, the MAC table), which
 * are errno values, reach the user as ctl's sentences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "dp.h"
#include "test_common.h"
#include "test_ctl_harness.h"

/* The bd.list row of 'name' (a new reference), NULL if absent. */
static json_t *
bd_row(const char *name)
{
	json_t *list = ok("bd.list", "{}"), *v, *row = NULL;
	size_t i;

	json_array_foreach(list, i, v)
		if (strcmp(jstr(json_object_get(v, "name")), name) == 0)
			row = json_incref(v);
	json_decref(list);
	return row;
}

/* The saved "bds" entry of 'name', as compact JSON text (static buffer), "null" if absent. */
static const char *
saved_bd(const char *name)
{
	static char text[512];
	json_t *root = on_disk(), *v, *found = NULL;
	char *dump;
	size_t i;

	json_array_foreach(json_object_get(root, "bds"), i, v)
		if (strcmp(jstr(json_object_get(v, "name")), name) == 0)
			found = v;
	dump = json_dumps(found, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	snprintf(text, sizeof(text), "%s", dump != NULL ? dump : "null");
	free(dump);
	json_decref(root);
	return text;
}

static void
expect_unchanged(const char *name, const char *before)
{
	json_t *row = bd_row(name);
	char *now = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);

	CU_ASSERT_PTR_NOT_NULL_FATAL(now);
	CU_ASSERT_STRING_EQUAL(now, before);
	free(now);
	json_decref(row);
}

static void
test_refused_by_the_dataplane_changes_nothing(void)
{
	json_t *row;
	char *before, saved_before[512];

	start();
	done("rd.add", "{\"name\": \"red\"}");
	done("bd.add", "{\"name\": \"t1\", \"vsid\": 5001}");
	done("bd.add", "{\"name\": \"t2\", \"vsid\": 5002}");
	done("bd.set", "{\"name\": \"t1\", \"rd\": \"red\", \"gateway\": \"203.0.113.254/24\"}");
	done("bd.set", "{\"name\": \"t2\", \"aging\": 60}");
	row = bd_row("t2");
	before = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(row);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	snprintf(saved_before, sizeof(saved_before), "%s", saved_bd("t2"));

	/* ctl accepts every key; the dataplane refuses the last: none of them is applied or saved. */
	fails("bd.set",
	      "{\"name\": \"t2\", \"aging\": 7, \"learning\": false, \"flap-hold\": 9, "
	      "\"vsid\": 5001}",
	      CTL_E_APP, "vsid 5001 already belongs to bridge domain 't1'");
	expect_unchanged("t2", before);
	fails("bd.set",
	      "{\"name\": \"t2\", \"max-macs\": 3, \"vsid\": 7002, \"gateway\": \"198.51.100.1/24\", "
	      "\"rd\": \"green\"}",
	      CTL_E_APP,
	      "routing domain 'green' does not exist; create it with 'vswctl rd add green'");
	expect_unchanged("t2", before);
	/* Overlap: the new VSID and routing domain would be fine, the subnet is not. */
	fails("bd.set",
	      "{\"name\": \"t2\", \"limit-action\": \"drop\", \"vsid\": 7002, \"rd\": \"red\", "
	      "\"gateway\": \"203.0.113.1/25\"}",
	      CTL_E_APP,
	      "subnet 203.0.113.0/25 overlaps 203.0.113.0/24 of bridge domain 't1' in routing "
	      "domain 'red'; give it another subnet");
	expect_unchanged("t2", before);
	CU_ASSERT_EQUAL(dp_bd_find("t2") > 0, 1);
	/* The VSID did not move: 7002 is free and 5002 still t2's. */
	fails("bd.add", "{\"name\": \"t3\", \"vsid\": 5002}", CTL_E_APP,
	      "vsid 5002 already belongs to bridge domain 't2'");
	/* t2 has a VSID: the sentence says the call would drop it, not that it has none. */
	fails("bd.set", "{\"name\": \"t2\", \"vsid\": 0, \"rd\": \"red\"}", CTL_E_INVALID_PARAMS,
	      "bridge domain 't2' needs its vsid 5002 to join routing domain 'red': routed "
	      "destinations are found through lookup records; keep it (leave out vsid=0)");
	expect_unchanged("t2", before);
	CU_ASSERT_STRING_EQUAL(saved_bd("t2"), saved_before);

	/* Positive control: the same keys without the refused one are applied together. */
	row = ok("bd.set", "{\"name\": \"t2\", \"aging\": 7, \"learning\": false, \"vsid\": 7002, "
			   "\"rd\": \"red\", \"gateway\": \"198.51.100.1/24\"}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "aging")), 7);
	CU_ASSERT_TRUE(json_is_false(json_object_get(row, "learning")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "vsid")), 7002);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "rd")), "red");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "gateway")), "198.51.100.1/24");
	json_decref(row);
	CU_ASSERT_STRING_EQUAL(saved_bd("t2"),
			       "{\"aging\":7,\"gateway\":\"198.51.100.1/24\",\"learning\":false,"
			       "\"name\":\"t2\",\"rd\":\"red\",\"vsid\":7002}");
	free(before);
	stop();
	unlink(cfg_path);
}

static void
test_settings_checked_in_ctl_words(void)
{
	json_t *methods, *m;
	const char *sig = NULL;
	size_t i;

	start();
	/* system.methods lists every setting from the table, as before it existed. */
	methods = ok("system.methods", "{}");
	json_array_foreach(methods, i, m)
		if (strcmp(jstr(json_object_get(m, "name")), "bd.set") == 0)
			sig = jstr(json_object_get(m, "params"));
	CU_ASSERT_STRING_EQUAL(sig != NULL ? sig : "(missing)",
			       "name [aging] [max-macs] [learning] [limit-action] [flap-moves] "
			       "[flap-window] [flap-hold] [vsid] [rd] [gateway] [vlan] [key=value ...]");
	json_decref(methods);
	done("bd.add", "{\"name\": \"t1\", \"vsid\": 5001}");
	fails("bd.set", "{\"name\": \"t1\", \"vsid\": 100}", CTL_E_INVALID_PARAMS,
	      "vsid must be 4096..16777214 (0..4095 and 16777215 are reserved by RFC 7637), "
	      "or 0 for none; not '100'");
	fails("bd.set", "{\"name\": \"t1\", \"gateway\": \"203.0.113.0/24\"}", CTL_E_INVALID_PARAMS,
	      "gateway '203.0.113.0/24' is the network, broadcast or a multicast address");
	fails("bd.set", "{\"name\": \"t1\", \"gateway\": \"203.0.113.1/31\"}", CTL_E_INVALID_PARAMS,
	      "gateway '203.0.113.1/31': the prefix length must be 1 to 30");
	fails("bd.set", "{\"name\": \"t1\", \"gateway\": \"203.0.113.1\"}", CTL_E_INVALID_PARAMS,
	      "gateway must be the subnet's router address with its prefix length");
	fails("bd.set", "{\"name\": \"t1\", \"agin\": 5}", CTL_E_INVALID_PARAMS,
	      "unknown bridge-domain setting 'agin'; settings: aging, max-macs, learning, "
	      "limit-action, flap-moves, flap-window, flap-hold, vsid, rd, gateway");
	stop();
	unlink(cfg_path);
}

/*
 * The refusals of a VSID change name the VSID the domain has: the one whose
 * lookup records block the change, or the one routing needs.
 */
static void
test_vsid_refusals_name_the_current_vsid(void)
{
	start();
	done("rd.add", "{\"name\": \"red\"}");
	done("bd.add", "{\"name\": \"t1\", \"vsid\": 5001}");
	done("bd.add", "{\"name\": \"t0\"}");
	done("port.add", "{\"name\": \"up\", \"type\": \"null\"}");
	done("uplink.set", "{\"port\": \"up\"}");
	done("pa.add", "{\"address\": \"198.51.100.1/24\"}");
	done("lookup.add", "{\"vsid\": 5001, \"ca_ip\": \"203.0.113.9\", "
			   "\"ca_mac\": \"02:00:00:01:00:09\", \"pa\": \"192.0.2.1\"}");
	fails("bd.set", "{\"name\": \"t1\", \"vsid\": 5003}", CTL_E_APP,
	      "bridge domain 't1': vsid 5001 still has lookup records; delete them first "
	      "(vswctl lookup del 5001 IP)");
	done("lookup.del", "{\"vsid\": 5001, \"ca_ip\": \"203.0.113.9\"}");
	done("bd.set", "{\"name\": \"t1\", \"rd\": \"red\", \"gateway\": \"203.0.113.254/24\"}");
	/* Attached: dropping the VSID is refused with what to do first. */
	fails("bd.set", "{\"name\": \"t1\", \"vsid\": 0}", CTL_E_INVALID_PARAMS,
	      "bridge domain 't1' cannot drop vsid 5001 while in routing domain 'red': routed "
	      "destinations are found through lookup records; detach it first (vswctl bd set t1 "
	      "rd=none)");
	/* A domain without a VSID is told to get one (positive control for the sentence above). */
	fails("bd.set", "{\"name\": \"t0\", \"rd\": \"red\"}", CTL_E_INVALID_PARAMS,
	      "bridge domain 't0' has no vsid: routed destinations are found through lookup "
	      "records; give it one first (vswctl bd set t0 vsid=N)");
	/* Detached, the VSID goes. */
	done("bd.set", "{\"name\": \"t1\", \"rd\": \"none\", \"vsid\": 0}");
	stop();
	unlink(cfg_path);
}

/* bd.add and bd.del: the same. */
static void
test_bd_add_and_del_refusals_in_ctl_words(void)
{
	start();
	done("bd.add", "{\"name\": \"t1\", \"vsid\": 5001}");
	fails("bd.add", "{\"name\": \"t1\"}", CTL_E_APP, "bridge domain 't1' already exists");
	fails("bd.del", "{\"name\": \"default\"}", CTL_E_APP,
	      "the default bridge domain cannot be deleted");
	fails("bd.del", "{\"name\": \"t9\"}", CTL_E_APP, "bridge domain 't9' does not exist");
	done("port.add", "{\"name\": \"n1\", \"type\": \"null\", \"bd\": \"t1\"}");
	fails("bd.del", "{\"name\": \"t1\"}", CTL_E_APP,
	      "bridge domain 't1' still has 1 port(s); delete or move them first");
	done("port.del", "{\"name\": \"n1\"}");
	done("port.add", "{\"name\": \"up\", \"type\": \"null\"}");
	done("uplink.set", "{\"port\": \"up\"}");
	done("pa.add", "{\"address\": \"198.51.100.1/24\"}");
	done("lookup.add", "{\"vsid\": 5001, \"ca_ip\": \"203.0.113.9\", "
			   "\"ca_mac\": \"02:00:00:01:00:09\", \"pa\": \"192.0.2.1\"}");
	fails("bd.del", "{\"name\": \"t1\"}", CTL_E_APP,
	      "bridge domain 't1': vsid 5001 still has lookup records; delete them first "
	      "(vswctl lookup del 5001 IP)");
	/* Positive control: without the record, it goes. */
	done("lookup.del", "{\"vsid\": 5001, \"ca_ip\": \"203.0.113.9\"}");
	done("bd.del", "{\"name\": \"t1\"}");
	stop();
	unlink(cfg_path);
}

/* rd.*: the dataplane answers with errno alone; ctl says what was wrong and what to do. */
static void
test_routing_domain_refusals_in_ctl_words(void)
{
	start();
	done("rd.add", "{\"name\": \"red\"}");
	fails("rd.add", "{\"name\": \"red\"}", CTL_E_APP, "routing domain 'red' already exists");
	fails("rd.add", "{\"name\": \"blue\", \"mac\": \"03:00:00:00:00:01\"}",
	      CTL_E_INVALID_PARAMS, "a router MAC must be unicast and non-zero");
	/* "none" is how bd.set detaches: a domain of that name could never be attached. */
	fails("rd.add", "{\"name\": \"none\"}", CTL_E_INVALID_PARAMS,
	      "'none' cannot name a routing domain: bd set NAME rd=none detaches; choose another name");
	done("bd.add", "{\"name\": \"t1\", \"vsid\": 5001}");
	done("bd.set", "{\"name\": \"t1\", \"rd\": \"red\"}");
	fails("rd.del", "{\"name\": \"red\"}", CTL_E_APP,
	      "routing domain 'red' still has 1 bridge domain(s), e.g. 't1'; detach them first "
	      "(vswctl bd set t1 rd=none)");
	fails("rd.route.add",
	      "{\"rd\": \"red\", \"prefix\": \"10.0.0.1/8\", \"via\": \"198.18.20.3\"}",
	      CTL_E_INVALID_PARAMS,
	      "prefix 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
	fails("rd.route.add",
	      "{\"rd\": \"red\", \"prefix\": \"10.0.0.0/8\", \"via\": \"224.0.0.1\"}",
	      CTL_E_INVALID_PARAMS, "the next hop must be a unicast customer address");
	fails("rd.route.add",
	      "{\"rd\": \"green\", \"prefix\": \"10.0.0.0/8\", \"via\": \"198.18.20.3\"}",
	      CTL_E_APP,
	      "routing domain 'green' does not exist; create it with 'vswctl rd add green'");
	fails("rd.route.del", "{\"rd\": \"red\", \"prefix\": \"10.0.0.0/8\"}", CTL_E_APP,
	      "routing domain 'red' has no route 10.0.0.0/8");
	fails("rd.route.del", "{\"rd\": \"green\", \"prefix\": \"10.0.0.0/8\"}", CTL_E_APP,
	      "routing domain 'green' does not exist");
	/* Positive control: detached, the domain goes. */
	done("bd.set", "{\"name\": \"t1\", \"rd\": \"none\"}");
	done("rd.del", "{\"name\": \"red\"}");
	stop();
	unlink(cfg_path);
}

/* fdb.*: the same for the MAC table. */
static void
test_mac_table_refusals_in_ctl_words(void)
{
	start();
	done("bd.add", "{\"name\": \"t1\"}");
	done("port.add", "{\"name\": \"n1\", \"type\": \"null\", \"bd\": \"t1\"}");
	fails("fdb.add", "{\"bd\": \"default\", \"mac\": \"02:00:00:00:00:01\", \"port\": \"n1\"}",
	      CTL_E_INVALID_PARAMS, "port 'n1' is in bridge domain 't1', not 'default'");
	fails("fdb.add", "{\"bd\": \"t1\", \"mac\": \"02:00:00:00:00:01\", \"port\": \"n2\"}",
	      CTL_E_APP, "port 'n2' does not exist");
	fails("fdb.add", "{\"bd\": \"t1\", \"mac\": \"00:00:00:00:00:00\", \"port\": \"n1\"}",
	      CTL_E_INVALID_PARAMS, "a MAC table entry needs a unicast, non-zero MAC");
	fails("fdb.flush", "{\"bd\": \"t1\", \"port\": \"n2\"}", CTL_E_APP,
	      "port 'n2' does not exist");
	fails("fdb.flush", "{\"bd\": \"t9\"}", CTL_E_APP, "bridge domain 't9' does not exist");
	/* Positive control: in its own domain, the entry goes in and out. */
	done("fdb.add", "{\"bd\": \"t1\", \"mac\": \"02:00:00:00:00:01\", \"port\": \"n1\"}");
	done("fdb.del", "{\"bd\": \"t1\", \"mac\": \"02:00:00:00:00:01\"}");
	fails("fdb.del", "{\"bd\": \"t1\", \"mac\": \"02:00:00:00:00:01\"}", CTL_E_APP,
	      "no entry for that MAC in bridge domain 't1'");
	stop();
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;

	if (harness_init("test_ctl_bd") < 0)
		return 1;
	suite = CU_add_suite("ctl_bd", NULL, NULL);
	CU_add_test(suite, "refused by the dataplane changes nothing",
		    test_refused_by_the_dataplane_changes_nothing);
	CU_add_test(suite, "settings checked in ctl words", test_settings_checked_in_ctl_words);
	CU_add_test(suite, "vsid refusals name the current vsid",
		    test_vsid_refusals_name_the_current_vsid);
	CU_add_test(suite, "bd.add and bd.del refusals in ctl words",
		    test_bd_add_and_del_refusals_in_ctl_words);
	CU_add_test(suite, "routing-domain refusals in ctl words",
		    test_routing_domain_refusals_in_ctl_words);
	CU_add_test(suite, "MAC table refusals in ctl words", test_mac_table_refusals_in_ctl_words);
	return harness_run();
}
