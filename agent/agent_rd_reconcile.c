/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeping vswd's routing domains, subnet attachments and customer routes in
 * step with the cluster (agent_rd_state.c), through the same JSON-RPC
 * methods vswctl uses: rd.add/rd.del, bd.set rd= gateway=, rd.route.add/del.
 *
 * One pass reads vswd's bd.list, rd.list and rd.route.show, plans the
 * difference (agent_rd_plan, pure) and applies it in order.  vswd refuses to
 * attach a subnet to a domain that does not exist and to delete a domain
 * that still has subnets, so the order is: what goes first, in reverse
 * (routes, attachments, domains), then what comes (domains, attachments,
 * routes).  A domain whose router MAC differs from the cluster's is deleted
 * and created again: vswd has no way to change the MAC in place.
 *
 * Routing changes are rare next to VM records, so a change of any of them
 * re-runs this whole pass (a few calls) instead of an incremental path; it
 * does not touch the lookup records, which keep their batched path.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A domain this agent may change in vswd: declared, or deleted from the cluster while it ran. */
static bool
owned(struct agent *a, const char *name)
{
	return name != NULL && (agent_rd_find(a, name) != NULL || agent_rd_is_gone(a, name));
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The same, "" when absent. */
static const char *
jstr0(const json_t *o, const char *k)
{
	const char *s = jstr(o, k);

	return s != NULL ? s : "";
}

static json_t *
row_named(json_t *rows, const char *key, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		const char *n = jstr(r, key);

		if (n != NULL && strcmp(n, name) == 0)
			return r;
	}
	return NULL;
}

/* Whether vswd's domain has the router MAC the cluster asks for. */
static bool
mac_matches(const struct agent_rd *want, const json_t *have)
{
	const char *mac = jstr(have, "mac");

	if (want->mac[0] == '\0')
		return json_is_true(json_object_get(have, "mac_default"));
	return mac != NULL && strcasecmp(mac, want->mac) == 0;
}

/* vswd's domain 'name' is deleted in this pass (and created again if declared). */
static bool
dying(struct agent *a, json_t *rds, const char *name)
{
	json_t *have = row_named(rds, "name", name);
	const struct agent_rd *want = agent_rd_find(a, name);

	if (have == NULL)
		return false;
	return want != NULL ? !mac_matches(want, have) : agent_rd_is_gone(a, name);
}

static void
plan_add(json_t *plan, const char *method, json_t *params)
{
	json_array_append_new(plan, json_pack("{s:s, s:o}", "method", method, "params", params));
}

/* The declared subnet whose bridge domain is 'bd' (by its VSID), or NULL. */
static struct agent_subnet *
subnet_of_bd(struct agent *a, const json_t *bd)
{
	json_int_t vsid = json_integer_value(json_object_get(bd, "vsid"));

	return vsid > 0 ? agent_subnet_find(a, (uint32_t)vsid) : NULL;
}

json_t *
agent_rd_plan(struct agent *a, json_t *bds, json_t *rds, json_t *routes)
{
	json_t *plan = json_array(), *detached = json_object(), *r;
	size_t i;

	if (plan == NULL || detached == NULL) {
		json_decref(plan);
		json_decref(detached);
		return NULL;
	}
	/* 1. Routes of our domains that the cluster does not have (rd.del takes a dying one's). */
	json_array_foreach(routes, i, r) {
		const char *rd = jstr(r, "rd"), *prefix = jstr(r, "prefix");

		if (rd != NULL && prefix != NULL && agent_rd_find(a, rd) != NULL &&
		    !dying(a, rds, rd) && agent_route_find(a, rd, prefix) == NULL)
			plan_add(plan, "rd.route.del",
				 json_pack("{s:s, s:s}", "rd", rd, "prefix", prefix));
	}
	/* 2. Declared subnets attached to one of our domains they should not be in. */
	json_array_foreach(bds, i, r) {
		const char *rd = jstr(r, "rd"), *name = jstr(r, "name");
		const struct agent_subnet *s = subnet_of_bd(a, r);

		if (s == NULL || name == NULL || !owned(a, rd))
			continue;
		if (strcmp(s->rd, rd) == 0 && !dying(a, rds, rd))
			continue;
		plan_add(plan, "bd.set",
			 json_pack("{s:s, s:s, s:s}", "name", name, "rd", "none", "gateway",
				   "none"));
		json_object_set_new(detached, name, json_true());
	}
	/* 3. Domains deleted from the cluster, or whose MAC must change. */
	json_array_foreach(rds, i, r) {
		const char *name = jstr(r, "name");

		if (name != NULL && dying(a, rds, name))
			plan_add(plan, "rd.del", json_pack("{s:s}", "name", name));
	}
	/* 4. Declared domains vswd lacks (or just lost to a MAC change). */
	for (unsigned int k = 0; k < a->nb_rds; k++) {
		const struct agent_rd *d = &a->rds[k];
		json_t *p;

		if (row_named(rds, "name", d->name) != NULL && !dying(a, rds, d->name))
			continue;
		p = json_pack("{s:s}", "name", d->name);
		if (d->mac[0] != '\0')
			json_object_set_new(p, "mac", json_string(d->mac));
		plan_add(plan, "rd.add", p);
	}
	/* 5. Attachments: declared subnets in the domain and with the gateway the cluster says. */
	for (unsigned int k = 0; k < a->nb_subnets; k++) {
		const struct agent_subnet *s = &a->subnets[k];
		const char *name, *rd, *gw;
		json_t *bd = NULL;

		if (s->rd[0] == '\0')
			continue;
		json_array_foreach(bds, i, r)
			if (json_integer_value(json_object_get(r, "vsid")) == (json_int_t)s->vsid)
				bd = r;
		name = jstr(bd, "name");
		if (name == NULL)
			continue; /* no bridge domain for it: reconcile_bds said why */
		if (agent_rd_find(a, s->rd) == NULL) {
			agent_err(a,
				  "subnet %u is attached to routing domain '%s', which the cluster "
				  "does not declare; not applied (vswcluster rd add %s)",
				  s->vsid, s->rd, s->rd);
			continue;
		}
		rd = jstr(bd, "rd");
		gw = jstr(bd, "gateway");
		if (json_object_get(detached, name) == NULL && rd != NULL && gw != NULL &&
		    strcmp(rd, s->rd) == 0 && strcmp(gw, s->gateway) == 0 && !dying(a, rds, rd))
			continue;
		plan_add(plan, "bd.set",
			 json_pack("{s:s, s:s, s:s}", "name", name, "rd", s->rd, "gateway",
				   s->gateway));
	}
	/* 6. Routes the cluster has and vswd lacks, or with another next hop. */
	for (unsigned int k = 0; k < a->nb_routes; k++) {
		const struct agent_rd_route *rt = &a->routes[k];
		const char *via = NULL;

		if (agent_rd_find(a, rt->rd) == NULL) {
			agent_err(a,
				  "route %s in routing domain '%s', which the cluster does not "
				  "declare; not applied (vswcluster rd add %s)",
				  rt->prefix, rt->rd, rt->rd);
			continue;
		}
		json_array_foreach(routes, i, r)
			if (strcmp(jstr0(r, "rd"), rt->rd) == 0 &&
			    strcmp(jstr0(r, "prefix"), rt->prefix) == 0)
				via = jstr(r, "via");
		if (via != NULL && strcmp(via, rt->via) == 0 && !dying(a, rds, rt->rd))
			continue;
		plan_add(plan, "rd.route.add",
			 json_pack("{s:s, s:s, s:s}", "rd", rt->rd, "prefix", rt->prefix, "via",
				   rt->via));
	}
	json_decref(detached);
	return plan;
}

static void
count(struct agent *a, const char *method, json_t *params)
{
	if (strcmp(method, "rd.add") == 0)
		a->n.rds_added++;
	else if (strcmp(method, "rd.del") == 0)
		a->n.rds_deleted++;
	else if (strcmp(method, "rd.route.add") == 0)
		a->n.routes_added++;
	else if (strcmp(method, "rd.route.del") == 0)
		a->n.routes_deleted++;
	else if (strcmp(jstr0(params, "rd"), "none") == 0)
		a->n.detachments++;
	else
		a->n.attachments_set++;
}

/* One planned call; 0, or -errno when vswd is gone (stop the pass). */
static int
apply_one(struct agent *a, json_t *op)
{
	const char *method = jstr(op, "method");
	json_t *params = json_object_get(op, "params");
	char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = vswd_call(&a->vswd, method, json_incref(params), NULL, AGENT_CALL_MS);

	if (rc == 0) {
		count(a, method, params);
		agent_log("routing: %s %s", method, text != NULL ? text : "");
		if (strcmp(method, "rd.del") == 0)
			agent_rd_gone_forget(a, jstr(params, "name"));
	} else if (rc == -EREMOTEIO) {
		agent_err(a, "vswd refused %s %s: %s", method, text != NULL ? text : "",
			  vswd_error(&a->vswd));
		rc = 0;
	} else {
		agent_vswd_failed(a, rc, method);
	}
	free(text);
	return rc;
}

int
agent_rd_reconcile(struct agent *a)
{
	json_t *bds = NULL, *rds = NULL, *routes = NULL, *plan, *op;
	const char *failed = NULL;
	size_t i;
	int rc;

	if (a->vswd.fd < 0)
		return -ENOTCONN;
	a->rd_dirty = false;
	if ((rc = vswd_call(&a->vswd, "bd.list", NULL, &bds, AGENT_CALL_MS)) < 0)
		failed = "bd.list";
	else if ((rc = vswd_call(&a->vswd, "rd.list", NULL, &rds, AGENT_CALL_MS)) < 0)
		failed = "rd.list";
	else if ((rc = vswd_call(&a->vswd, "rd.route.show", NULL, &routes, AGENT_CALL_MS)) < 0)
		failed = "rd.route.show";
	if (failed != NULL) {
		/* Refused: the next resync reads again; lost: the reconnection reconciles. */
		agent_vswd_read_failed(a, rc, failed);
		goto out;
	}
	/* A domain gone from the cluster that vswd does not have is nothing to delete. */
	for (unsigned int k = a->nb_rds_gone; k-- > 0;)
		if (row_named(rds, "name", a->rds_gone[k]) == NULL)
			agent_rd_gone_forget(a, a->rds_gone[k]);
	plan = agent_rd_plan(a, bds, rds, routes);
	if (plan == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(plan, i, op)
		if ((rc = apply_one(a, op)) < 0)
			break;
	json_decref(plan);
out:
	json_decref(bds);
	json_decref(rds);
	json_decref(routes);
	return rc;
}

void
agent_rd_subnet_removed(struct agent *a, json_t *bd)
{
	const char *rd = jstr(bd, "rd"), *name = jstr(bd, "name");
	json_t *op;

	if (name == NULL || !owned(a, rd))
		return;
	op = json_pack("{s:s, s:{s:s, s:s, s:s}}", "method", "bd.set", "params", "name", name, "rd",
		       "none", "gateway", "none");
	apply_one(a, op);
	json_decref(op);
}
