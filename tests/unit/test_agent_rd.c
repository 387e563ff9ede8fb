/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswagent's routing part without etcd or vswd: the keys and values of
 * routing domains, customer routes and subnet attachments (parsing and the
 * JSON written to etcd), and the plan of vswd calls that reconciles them,
 * checked for content and order against bd.list / rd.list / rd.route.show
 * results as vswd returns them.  cluster_rd.sh runs the same code end to end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "agent.h"

/* agent_*.c log through these; vswagent.c has the real ones. */
void
agent_log(const char *fmt, ...)
{
	(void)fmt;
}

void
agent_err(struct agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->last_error, sizeof(a->last_error), fmt, ap);
	va_end(ap);
	a->n.errors++;
}

static struct agent ag;

static void
reset(void)
{
	agent_state_free(&ag);
	memset(&ag, 0, sizeof(ag));
	ag.prefix = "/vsw/v1";
	ag.host = "A";
}

static int
apply(bool put, const char *key, const char *value)
{
	struct etcd_kv kv = { .key = (char *)(uintptr_t)key,
			      .value = (char *)(uintptr_t)value,
			      .mod_revision = 7 };
	struct agent_vm old;

	return agent_state_apply(&ag, put, &kv, &old);
}

static void
test_prefix_and_gateway_parsing(void)
{
	char out[AGENT_PREFIX_TEXT], why[160];

	CU_ASSERT_EQUAL(agent_route_prefix_parse("0.0.0.0/0", out, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "0.0.0.0/0");
	CU_ASSERT_EQUAL(agent_route_prefix_parse("198.51.100.0/24", out, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(agent_route_prefix_parse("198.51.100.1/24", out, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "did you mean 198.51.100.0/24?"));
	CU_ASSERT_EQUAL(agent_route_prefix_parse("198.51.100.0/33", out, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_EQUAL(agent_route_prefix_parse("198.51.100.0/08", out, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_EQUAL(agent_route_prefix_parse("198.51.100.0", out, why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(agent_route_prefix_parse(NULL, out, why, sizeof(why)), -EINVAL);

	CU_ASSERT_EQUAL(agent_gateway_parse("203.0.113.254/24", out, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "203.0.113.254/24");
	CU_ASSERT_EQUAL(agent_gateway_parse("203.0.113.0/24", out, why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(agent_gateway_parse("203.0.113.127/25", out, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "broadcast"));
	CU_ASSERT_EQUAL(agent_gateway_parse("203.0.113.1/31", out, why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(agent_gateway_parse("224.0.0.1/24", out, why, sizeof(why)), -EINVAL);

	CU_ASSERT(agent_prefixes_overlap("203.0.113.1/25", "203.0.113.100/24"));
	CU_ASSERT(!agent_prefixes_overlap("203.0.113.126/25", "203.0.113.254/25"));
	CU_ASSERT(agent_prefixes_overlap("203.0.113.254/25", "203.0.113.131/32"));
	CU_ASSERT(agent_rd_name_ok("red-1.a_b"));
	CU_ASSERT(!agent_rd_name_ok(""));
	CU_ASSERT(!agent_rd_name_ok("a/b"));
	/* bd.set rd=none detaches: a domain of that name could never be attached. */
	CU_ASSERT(!agent_rd_name_ok("none"));
	CU_ASSERT(agent_rd_name_ok("none2"));
	CU_ASSERT(!agent_rd_name_ok("0123456789012345678901234567890123"));
}

static void
test_values_round_trip(void)
{
	struct agent_rd rd = { .name = "red" }, rd2;
	struct agent_rd_route rt = { .rd = "red", .prefix = "0.0.0.0/0", .via = "203.0.113.131" },
			      rt2;
	struct agent_subnet s = { .vsid = 5001, .name = "s1" }, s2;
	char why[160], *v;

	v = agent_rd_value(&rd);
	CU_ASSERT_STRING_EQUAL(v, "{\"name\":\"red\"}");
	CU_ASSERT_EQUAL(agent_rd_parse(v, &rd2, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(rd2.mac, "");
	free(v);
	snprintf(rd.mac, sizeof(rd.mac), "02:76:72:0a:0b:0c");
	v = agent_rd_value(&rd);
	CU_ASSERT_STRING_EQUAL(v, "{\"mac\":\"02:76:72:0a:0b:0c\",\"name\":\"red\"}");
	free(v);
	CU_ASSERT_EQUAL(agent_rd_parse("{\"name\":\"red\",\"mac\":\"02:76:72:0A:0B:0C\"}", &rd2,
				       why, sizeof(why)),
			0);
	CU_ASSERT_STRING_EQUAL(rd2.mac, "02:76:72:0a:0b:0c"); /* lower case, as vswd lists it */
	CU_ASSERT_EQUAL(agent_rd_parse("{\"name\":\"red\",\"mac\":\"03:00:00:00:00:01\"}", &rd2,
				       why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unicast"));
	CU_ASSERT_EQUAL(agent_rd_parse("[]", &rd2, why, sizeof(why)), -EINVAL);

	v = agent_route_value(&rt);
	CU_ASSERT_STRING_EQUAL(
		v, "{\"prefix\":\"0.0.0.0/0\",\"rd\":\"red\",\"via\":\"203.0.113.131\"}");
	CU_ASSERT_EQUAL(agent_route_parse(v, &rt2, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(rt2.via, "203.0.113.131");
	free(v);
	CU_ASSERT_EQUAL(agent_route_parse("{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":"
					  "\"255.255.255.255\"}",
					  &rt2, why, sizeof(why)),
			-EINVAL);
	/* vswd refuses class E (240/4) next hops as it does multicast: so does the agent. */
	CU_ASSERT_EQUAL(agent_route_parse("{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":"
					  "\"240.0.0.1\"}",
					  &rt2, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_EQUAL(agent_route_parse("{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":"
					  "\"223.255.255.254\"}",
					  &rt2, why, sizeof(why)),
			0);

	v = agent_subnet_value(&s);
	CU_ASSERT_STRING_EQUAL(v,
			       "{\"name\":\"s1\",\"vsid\":5001}"); /* as before routing domains */
	free(v);
	snprintf(s.rd, sizeof(s.rd), "red");
	snprintf(s.gateway, sizeof(s.gateway), "203.0.113.126/25");
	v = agent_subnet_value(&s);
	CU_ASSERT_STRING_EQUAL(v,
			       "{\"gateway\":\"203.0.113.126/25\",\"name\":\"s1\",\"rd\":\"red\","
			       "\"vsid\":5001}");
	CU_ASSERT_EQUAL(agent_subnet_parse(v, &s2, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(s2.rd, "red");
	CU_ASSERT_STRING_EQUAL(s2.gateway, "203.0.113.126/25");
	free(v);
	CU_ASSERT_EQUAL(agent_subnet_parse("{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\"}", &s2,
					   why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "together"));
}

static void
test_keys_and_changes(void)
{
	reset();
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\"}"), AGENT_CHG_ROUTING);
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\"}"), 0);
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/rds/blue", "{\"name\":\"red\"}"), -EINVAL);
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/rds/a/b", "{\"name\":\"a/b\"}"), -EINVAL);
	CU_ASSERT_EQUAL(
		apply(true, "/vsw/v1/rdroutes/red/0.0.0.0/0",
		      "{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"}"),
		AGENT_CHG_ROUTING);
	CU_ASSERT_STRING_EQUAL(agent_route_find(&ag, "red", "0.0.0.0/0")->via, "203.0.113.131");
	/* The key's prefix must be canonical and match the value's. */
	CU_ASSERT_EQUAL(
		apply(true, "/vsw/v1/rdroutes/red/198.51.100.1/24",
		      "{\"rd\":\"red\",\"prefix\":\"198.51.100.0/24\",\"via\":\"203.0.113.1\"}"),
		-EINVAL);
	CU_ASSERT_EQUAL(
		apply(true, "/vsw/v1/rdroutes/red/198.51.100.0/24",
		      "{\"rd\":\"red\",\"prefix\":\"198.51.101.0/24\",\"via\":\"203.0.113.1\"}"),
		-EINVAL);
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/subnets/5001", "{\"name\":\"s1\",\"vsid\":5001}"),
			AGENT_CHG_SUBNET);
	/* Only the attachment changes: the routing pass, not a full reconciliation. */
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/subnets/5001",
			      "{\"name\":\"s1\",\"vsid\":5001,\"rd\":"
			      "\"red\",\"gateway\":\"203.0.113.126/25\"}"),
			AGENT_CHG_ROUTING);
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/subnets/5001",
			      "{\"name\":\"s9\",\"vsid\":5001,\"rd\":"
			      "\"red\",\"gateway\":\"203.0.113.126/25\"}"),
			AGENT_CHG_SUBNET);
	CU_ASSERT_EQUAL(ag.n.bad_records, 4);
	/* A deletion while running is remembered, so that vswd's copy is deleted. */
	CU_ASSERT_EQUAL(ag.nb_rds_gone, 0);
	CU_ASSERT_EQUAL(apply(false, "/vsw/v1/rds/red", ""), AGENT_CHG_ROUTING);
	CU_ASSERT_EQUAL(ag.nb_rds_gone, 1);
	CU_ASSERT_PTR_NULL(agent_rd_find(&ag, "red"));
	CU_ASSERT_EQUAL(apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\"}"), AGENT_CHG_ROUTING);
	CU_ASSERT_EQUAL(ag.nb_rds_gone, 0);
	CU_ASSERT_EQUAL(apply(false, "/vsw/v1/rdroutes/red/0.0.0.0/0", ""), AGENT_CHG_ROUTING);
	CU_ASSERT_PTR_NULL(agent_route_find(&ag, "red", "0.0.0.0/0"));
	CU_ASSERT_EQUAL(apply(false, "/vsw/v1/rdroutes/red/0.0.0.0/0", ""), 0);
}

/* The plan as "method params" lines, params as compact sorted JSON. */
static char *
plan_text(const char *bds, const char *rds, const char *routes)
{
	json_t *b = json_loads(bds, 0, NULL), *r = json_loads(rds, 0, NULL);
	json_t *rt = json_loads(routes, 0, NULL), *plan = agent_rd_plan(&ag, b, r, rt), *op;
	static char text[4096];
	size_t i;

	text[0] = '\0';
	json_array_foreach(plan, i, op) {
		char *p = json_dumps(json_object_get(op, "params"), JSON_COMPACT | JSON_SORT_KEYS);

		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s %s\n",
			 json_string_value(json_object_get(op, "method")), p);
		free(p);
	}
	json_decref(plan);
	json_decref(b);
	json_decref(r);
	json_decref(rt);
	return text;
}

#define RED "{\"name\":\"red\",\"mac\":\"02:76:72:f4:80:dc\",\"mac_default\":true}"

static void
declare_red(void)
{
	reset();
	apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\"}");
	apply(true, "/vsw/v1/subnets/5001",
	      "{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\","
	      "\"gateway\":\"203.0.113.126/25\"}");
	apply(true, "/vsw/v1/subnets/5002",
	      "{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\","
	      "\"gateway\":\"203.0.113.254/25\"}");
	apply(true, "/vsw/v1/rdroutes/red/0.0.0.0/0",
	      "{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"}");
}

static void
test_plan_from_nothing_in_order(void)
{
	declare_red();
	CU_ASSERT_STRING_EQUAL(
		plan_text("[{\"name\":\"s1\",\"vsid\":5001,\"rd\":null,\"gateway\":null},"
			  "{\"name\":\"other\",\"vsid\":5002,\"rd\":null,\"gateway\":null}]",
			  "[]", "[]"),
		"rd.add {\"name\":\"red\"}\n"
		"bd.set {\"gateway\":\"203.0.113.126/25\",\"name\":\"s1\",\"rd\":\"red\"}\n"
		"bd.set {\"gateway\":\"203.0.113.254/25\",\"name\":\"other\",\"rd\":\"red\"}\n"
		"rd.route.add {\"prefix\":\"0.0.0.0/0\",\"rd\":\"red\",\"via\":\"203.0.113.131\"}\n");
	/* In step: nothing to do. */
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"},"
			"{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\",\"gateway\":\"203.0.113.254/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"}]"),
		"");
	/* No bridge domain yet for 5002 (reconcile_bds makes it): nothing planned for it. */
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"}]"),
		"");
}

static void
test_plan_removes_only_what_is_ours_in_reverse(void)
{
	declare_red();
	apply(true, "/vsw/v1/subnets/5002", "{\"name\":\"s2\",\"vsid\":5002}"); /* detached */
	apply(false, "/vsw/v1/rdroutes/red/0.0.0.0/0", "");
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"},"
			"{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\",\"gateway\":\"203.0.113.254/25\"},"
			"{\"name\":\"hand\",\"vsid\":7001,\"rd\":\"blue\",\"gateway\":\"203.0.113.1/24\"}]",
			"[" RED
			",{\"name\":\"blue\",\"mac\":\"02:76:72:00:00:01\",\"mac_default\":true}]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"},"
			"{\"rd\":\"red\",\"prefix\":\"198.51.100.0/24\",\"via\":\"203.0.113.1\"},"
			"{\"rd\":\"blue\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.9\"}]"),
		"rd.route.del {\"prefix\":\"0.0.0.0/0\",\"rd\":\"red\"}\n"
		"rd.route.del {\"prefix\":\"198.51.100.0/24\",\"rd\":\"red\"}\n"
		"bd.set {\"gateway\":\"none\",\"name\":\"s2\",\"rd\":\"none\"}\n");
	/* The domain leaves the cluster while the agent runs: detach, then delete. */
	apply(true, "/vsw/v1/subnets/5001", "{\"name\":\"s1\",\"vsid\":5001}");
	apply(false, "/vsw/v1/rds/red", "");
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"1.2.3.4\"}]"),
		"bd.set {\"gateway\":\"none\",\"name\":\"s1\",\"rd\":\"none\"}\n"
		"rd.del {\"name\":\"red\"}\n");
	/* A domain the cluster never declared is not ours, even with a declared subnet in it. */
	reset();
	apply(true, "/vsw/v1/subnets/5001", "{\"name\":\"s1\",\"vsid\":5001}");
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"1.2.3.4\"}]"),
		"");
}

static void
test_plan_changes(void)
{
	declare_red();
	apply(true, "/vsw/v1/rdroutes/red/0.0.0.0/0",
	      "{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.132\"}");
	apply(true, "/vsw/v1/subnets/5002",
	      "{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\","
	      "\"gateway\":\"203.0.113.253/25\"}");
	/* A new next hop and a new gateway are set in place. */
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"},"
			"{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\",\"gateway\":\"203.0.113.254/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.131\"}]"),
		"bd.set {\"gateway\":\"203.0.113.253/25\",\"name\":\"s2\",\"rd\":\"red\"}\n"
		"rd.route.add {\"prefix\":\"0.0.0.0/0\",\"rd\":\"red\",\"via\":\"203.0.113.132\"}\n");
	/* A new router MAC: vswd cannot change it in place, so everything is rebuilt in order. */
	apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\",\"mac\":\"02:76:72:0a:0b:0c\"}");
	CU_ASSERT_STRING_EQUAL(
		plan_text(
			"[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\"},"
			"{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"red\",\"gateway\":\"203.0.113.253/25\"}]",
			"[" RED "]",
			"[{\"rd\":\"red\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.132\"}]"),
		"bd.set {\"gateway\":\"none\",\"name\":\"s1\",\"rd\":\"none\"}\n"
		"bd.set {\"gateway\":\"none\",\"name\":\"s2\",\"rd\":\"none\"}\n"
		"rd.del {\"name\":\"red\"}\n"
		"rd.add {\"mac\":\"02:76:72:0a:0b:0c\",\"name\":\"red\"}\n"
		"bd.set {\"gateway\":\"203.0.113.126/25\",\"name\":\"s1\",\"rd\":\"red\"}\n"
		"bd.set {\"gateway\":\"203.0.113.253/25\",\"name\":\"s2\",\"rd\":\"red\"}\n"
		"rd.route.add {\"prefix\":\"0.0.0.0/0\",\"rd\":\"red\",\"via\":\"203.0.113.132\"}\n");
	/* An attachment to a domain the cluster does not declare is refused, and said. */
	apply(true, "/vsw/v1/subnets/5002",
	      "{\"name\":\"s2\",\"vsid\":5002,\"rd\":\"green\","
	      "\"gateway\":\"203.0.113.253/25\"}");
	plan_text("[{\"name\":\"s2\",\"vsid\":5002,\"rd\":null,\"gateway\":null}]", "[]", "[]");
	CU_ASSERT_PTR_NOT_NULL(strstr(ag.last_error, "vswcluster rd add green"));
}

/*
 * A domain deleted while the agent's watch was down (the deletion compacted
 * away) is missing from the re-list: it is remembered as gone, so that the
 * plan deletes vswd's copy, and a domain still declared is not.
 */
static void
test_relist_remembers_a_deletion_it_did_not_see(void)
{
	struct agent_rd *before;
	unsigned int nb;

	declare_red();
	apply(true, "/vsw/v1/rds/blue", "{\"name\":\"blue\"}");
	before = agent_rd_snapshot(&ag);
	nb = ag.nb_rds;
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	/* What agent_relist does: forget, read the cluster again (blue is gone), compare. */
	agent_state_clear(&ag);
	apply(true, "/vsw/v1/rds/red", "{\"name\":\"red\"}");
	apply(true, "/vsw/v1/subnets/5001", "{\"name\":\"s1\",\"vsid\":5001}");
	agent_rd_relisted(&ag, before, nb);
	free(before);
	CU_ASSERT(agent_rd_is_gone(&ag, "blue"));
	CU_ASSERT(!agent_rd_is_gone(&ag, "red"));
	CU_ASSERT_STRING_EQUAL(
		plan_text("[{\"name\":\"s1\",\"vsid\":5001,\"rd\":\"blue\",\"gateway\":"
			  "\"203.0.113.126/25\"}]",
			  "[" RED ",{\"name\":\"blue\",\"mac\":\"02:76:72:00:00:01\","
			  "\"mac_default\":true}]",
			  "[{\"rd\":\"blue\",\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.9\"}]"),
		"bd.set {\"gateway\":\"none\",\"name\":\"s1\",\"rd\":\"none\"}\n"
		"rd.del {\"name\":\"blue\"}\n");
	/* Declared again later: no longer ours to delete. */
	apply(true, "/vsw/v1/rds/blue", "{\"name\":\"blue\"}");
	CU_ASSERT(!agent_rd_is_gone(&ag, "blue"));
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "prefix_and_gateway_parsing", test_prefix_and_gateway_parsing },
		{ "values_round_trip", test_values_round_trip },
		{ "keys_and_changes", test_keys_and_changes },
		{ "plan_from_nothing_in_order", test_plan_from_nothing_in_order },
		{ "plan_removes_only_what_is_ours_in_reverse",
		  test_plan_removes_only_what_is_ours_in_reverse },
		{ "plan_changes", test_plan_changes },
		{ "relist_remembers_a_deletion_it_did_not_see",
		  test_relist_remembers_a_deletion_it_did_not_see },
	};
	CU_pSuite suite;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_rd", NULL, NULL);
	for (size_t i = 0; suite != NULL && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	agent_state_free(&ag);
	return failures == 0 ? 0 : 1;
}
