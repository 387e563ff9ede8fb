/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeping vswd in step with the cluster: a full re-read of etcd at one
 * revision, a full reconciliation (diff of vswd's bd.list / lookup.show
 * against the desired state, applying only the difference), and the
 * incremental path for watch events.  Only what agent.h says the agent owns
 * is ever changed.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* vswd went away or stalled: everything is re-checked once it is back. */
void
agent_vswd_failed(struct agent *a, int rc, const char *what)
{
	if (rc == -EREMOTEIO) {
		agent_err(a, "vswd refused %s: %s", what, vswd_error(&a->vswd));
		return;
	}
	agent_err(a, "vswd: %s: %s; will reconcile when it answers again", what,
		  vswd_error(&a->vswd));
	a->vswd_dirty = true;
	if (rc == -EPIPE || rc == -ETIMEDOUT || rc == -EPROTO)
		vswd_disconnect(&a->vswd);
}

void
agent_vswd_read_failed(struct agent *a, int rc, const char *what)
{
	int64_t in_ms = a->next_resync_ms - etcd_now_ms();

	if (rc != -EREMOTEIO) {
		agent_vswd_failed(a, rc, what);
		return;
	}
	agent_err(a, "vswd refused %s: %s; reading it again at the next resync, in %lld s", what,
		  vswd_error(&a->vswd), (long long)(in_ms > 0 ? (in_ms + 999) / 1000 : 0));
}

static int
relist_cb(const struct etcd_kv *kv, void *arg)
{
	struct agent *a = arg;
	struct agent_vm old;

	/* A bad value is logged and skipped: one broken record must not stop the others. */
	return agent_state_apply(a, true, kv, &old) == -ENOMEM ? -ENOMEM : 0;
}

/*
 * Whether the cluster still has the key PREFIX/'rest' that a re-list did not
 * take: a value the agent cannot use is refused, as on a watch, not taken for
 * a deletion (vswd keeps what was applied).  When etcd cannot tell, yes.
 */
static bool
still_there(struct agent *a, const char *rest)
{
	struct etcd_kv kv;
	char key[256];
	int rc;

	snprintf(key, sizeof(key), "%s/%s", a->prefix, rest);
	rc = etcd_get(a->etcd, key, &kv);
	if (rc == 0)
		etcd_kv_free(&kv);
	return rc != -ENOENT;
}

/*
 * The subnets of 'vsids' (the 'nb' declared before a re-list) that the
 * cluster no longer has were deleted unseen: remember them for
 * agent_reconcile(), which the re-list triggers.  @return 0 or -ENOMEM.
 */
static int
subnets_relisted(struct agent *a, const uint32_t *vsids, unsigned int nb)
{
	uint32_t *gone = realloc(a->vsids_gone, (a->nb_vsids_gone + nb + 1) * sizeof(*gone));
	char rest[64];

	if (gone == NULL)
		return -ENOMEM;
	a->vsids_gone = gone;
	for (unsigned int i = 0; i < nb; i++) {
		snprintf(rest, sizeof(rest), "subnets/%u", vsids[i]);
		if (agent_subnet_find(a, vsids[i]) == NULL && !still_there(a, rest))
			gone[a->nb_vsids_gone++] = vsids[i];
	}
	return 0;
}

/* The same for the routing domains of 'before': those still there (unusable) are left out. */
static void
rds_relisted(struct agent *a, struct agent_rd *before, unsigned int nb)
{
	char rest[64];
	unsigned int n = 0;

	for (unsigned int i = 0; i < nb; i++) {
		snprintf(rest, sizeof(rest), "rds/%s", before[i].name);
		if (agent_rd_find(a, before[i].name) == NULL && !still_there(a, rest))
			before[n++] = before[i];
	}
	agent_rd_relisted(a, before, n);
}

int
agent_relist(struct agent *a)
{
	/* What was known before: what is missing from the new list was deleted unseen. */
	struct agent_rd *before = agent_rd_snapshot(a);
	uint32_t *vsids = malloc((a->nb_subnets + 1) * sizeof(*vsids));
	unsigned int nb_before = a->nb_rds, nb_vsids = a->nb_subnets;
	char prefix[256];
	int64_t rev = 0;
	int rc;

	if (before == NULL || vsids == NULL) {
		free(before);
		free(vsids);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < nb_vsids; i++)
		vsids[i] = a->subnets[i].vsid;
	snprintf(prefix, sizeof(prefix), "%s/", a->prefix);
	agent_state_clear(a);
	rc = etcd_range_prefix(a->etcd, prefix, relist_cb, a, &rev);
	if (rc < 0) {
		agent_err(a, "reading the cluster from etcd: %s", etcd_error(a->etcd));
		free(before);
		free(vsids);
		return rc;
	}
	rds_relisted(a, before, nb_before);
	rc = subnets_relisted(a, vsids, nb_vsids);
	free(before);
	free(vsids);
	if (rc < 0)
		return rc;
	a->revision = rev;
	a->n.relists++;
	agent_log("read the cluster at revision %lld: %u subnet(s), %u VM record(s), %u routing "
		  "domain(s), %u customer route(s)",
		  (long long)rev, a->nb_subnets, a->nb_vms, a->nb_rds, a->nb_routes);
	return 0;
}

json_t *
agent_record_json(uint32_t vsid, const char *ca_ip, const struct agent_vm *vm)
{
	if (vm == NULL)
		return json_pack("{s:I, s:s}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip);
	return json_pack("{s:I, s:s, s:s, s:s}", "vsid", (json_int_t)vm->vsid, "ca_ip", vm->ca_ip,
			 "ca_mac", vm->ca_mac, "pa", vm->pa);
}

static int
lookup_del(struct agent *a, uint32_t vsid, const char *ca_ip)
{
	json_t *p = agent_record_json(vsid, ca_ip, NULL);
	char what[128];
	int rc = vswd_call(&a->vswd, "lookup.del", p, NULL, AGENT_CALL_MS);

	if (rc == 0) {
		a->n.lookups_deleted++;
		return 0;
	}
	/* Already gone is what we wanted. */
	if (rc == -EREMOTEIO && strstr(vswd_error(&a->vswd), "no ") != NULL)
		return 0;
	snprintf(what, sizeof(what), "lookup.del %u %s", vsid, ca_ip);
	agent_vswd_failed(a, rc, what);
	return rc;
}

#define APPLY_BATCH 200      /* records per lookup.apply: one save of vswd's configuration each */
#define APPLY_BUDGET_MS 1000 /* then back to the main loop: lease, watch and status go on */

/* Count and log what one lookup.apply reply says. */
static void
apply_reply(struct agent *a, json_t *r)
{
	json_t *f;
	size_t i;

	a->n.lookups_added += (uint64_t)json_integer_value(json_object_get(r, "added"));
	a->n.lookups_deleted += (uint64_t)json_integer_value(json_object_get(r, "deleted"));
	json_array_foreach(json_object_get(r, "failed"), i, f) {
		const char *err = json_string_value(json_object_get(f, "error"));

		/* Already gone is what a deletion wanted. */
		if (strcmp(json_string_value(json_object_get(f, "op")), "del") == 0 && err != NULL &&
		    strstr(err, "no ") != NULL)
			continue;
		agent_err(a, "vswd refused lookup.apply %s #%lld: %s",
			  json_string_value(json_object_get(f, "op")),
			  (long long)json_integer_value(json_object_get(f, "index")),
			  err != NULL ? err : "?");
	}
}

/* One lookup.apply of 'dels' and 'adds' (both taken), its reply counted. @return 0 or -errno. */
static int
apply_call(struct agent *a, json_t *dels, json_t *adds)
{
	json_t *r = NULL;
	int rc = vswd_call(&a->vswd, "lookup.apply",
			   json_pack("{s:o, s:o}", "del", dels != NULL ? dels : json_array(), "add",
				     adds != NULL ? adds : json_array()),
			   &r, AGENT_CALL_MS);

	if (rc < 0) {
		agent_vswd_failed(a, rc, "lookup.apply");
		return rc;
	}
	apply_reply(a, r);
	json_decref(r);
	return 0;
}

/*
 * Apply a reconciliation's difference in batches: thousands of records one
 * call each would save vswd's configuration thousands of times.  Calls to
 * vswd block the agent's one thread, so after a time budget the rest is left
 * for the next round (vswd_dirty): the lease must be kept alive meanwhile.
 */
static void
apply_diff(struct agent *a, const struct agent_diff *d)
{
	int64_t start = etcd_now_ms();
	unsigned int k_del = 0, k_add = 0;

	while (a->vswd.fd >= 0 && (k_del < d->nb_dels || k_add < d->nb_adds)) {
		if (etcd_now_ms() - start > APPLY_BUDGET_MS) {
			a->vswd_dirty = true;
			return;
		}
		json_t *dels = json_array(), *adds = json_array();
		unsigned int n = 0;

		for (; k_del < d->nb_dels && n < APPLY_BATCH; k_del++, n++)
			json_array_append_new(dels, agent_record_json(d->dels[k_del].vsid,
								      d->dels[k_del].ca_ip, NULL));
		for (; k_del == d->nb_dels && k_add < d->nb_adds && n < APPLY_BATCH; k_add++, n++)
			json_array_append_new(adds, agent_record_json(0, NULL, &a->vms[d->adds[k_add]]));
		if (apply_call(a, dels, adds) < 0)
			return;
	}
}

/* The bridge domain of 'vsid' in bd.list 'bds', or NULL. */
static json_t *
bd_of_vsid(json_t *bds, uint32_t vsid)
{
	size_t i;
	json_t *b;

	json_array_foreach(bds, i, b)
		if (json_integer_value(json_object_get(b, "vsid")) == (json_int_t)vsid)
			return b;
	return NULL;
}

static json_t *
bd_named(json_t *bds, const char *name)
{
	size_t i;
	json_t *b;

	json_array_foreach(bds, i, b) {
		const char *n = json_string_value(json_object_get(b, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return b;
	}
	return NULL;
}

/* Make every declared subnet exist as a bridge domain with its VSID. */
static int
reconcile_bds(struct agent *a)
{
	json_t *bds = NULL;
	int rc = vswd_call(&a->vswd, "bd.list", NULL, &bds, AGENT_CALL_MS);

	if (rc < 0) {
		agent_vswd_read_failed(a, rc, "bd.list");
		return rc;
	}
	for (unsigned int i = 0; i < a->nb_subnets; i++) {
		const struct agent_subnet *s = &a->subnets[i];
		json_t *same = bd_named(bds, s->name);

		if (bd_of_vsid(bds, s->vsid) != NULL)
			continue; /* whatever its name: the operator's domain serves the VSID */
		if (same != NULL) {
			agent_err(a, "bridge domain '%s' exists with another VSID; subnet %u is not "
				     "applied (rename the subnet with vswcluster subnet add, or "
				     "free the name)", s->name, s->vsid);
			continue;
		}
		rc = vswd_call(&a->vswd, "bd.add",
			       json_pack("{s:s, s:I}", "name", s->name, "vsid", (json_int_t)s->vsid),
			       NULL, AGENT_CALL_MS);
		if (rc < 0) {
			char what[96];

			snprintf(what, sizeof(what), "bd.add %s vsid=%u", s->name, s->vsid);
			agent_vswd_failed(a, rc, what);
			if (rc != -EREMOTEIO)
				break;
			continue;
		}
		a->n.bds_added++;
		agent_log("created bridge domain %s for VSID %u", s->name, s->vsid);
	}
	json_decref(bds);
	return a->vswd.fd < 0 ? -ENOTCONN : 0;
}

void
agent_diff_free(struct agent_diff *d)
{
	free(d->dels);
	free(d->adds);
	memset(d, 0, sizeof(*d));
}

int
agent_lookup_diff(struct agent *a, json_t *recs, struct agent_diff *d)
{
	bool *seen = calloc(a->nb_vms + 1, sizeof(*seen));
	json_t *r;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->dels = calloc(json_array_size(recs) + 1, sizeof(*d->dels));
	d->adds = calloc(a->nb_vms + 1, sizeof(*d->adds));
	if (seen == NULL || d->dels == NULL || d->adds == NULL) {
		free(seen);
		agent_diff_free(d);
		return -ENOMEM;
	}
	json_array_foreach(recs, i, r) {
		uint32_t vsid = (uint32_t)json_integer_value(json_object_get(r, "vsid"));
		const char *ca_ip = json_string_value(json_object_get(r, "ca_ip"));
		const char *mac = json_string_value(json_object_get(r, "ca_mac"));
		const char *pa = json_string_value(json_object_get(r, "pa"));
		struct agent_vm *vm;

		if (ca_ip == NULL || agent_subnet_find(a, vsid) == NULL)
			continue; /* not a VSID the cluster declares: not ours */
		vm = agent_vm_find(a, vsid, ca_ip);
		if (vm == NULL) {
			struct agent_vm *del = &d->dels[d->nb_dels++];

			del->vsid = vsid;
			snprintf(del->ca_ip, sizeof(del->ca_ip), "%s", ca_ip);
			continue;
		}
		seen[vm - a->vms] = true;
		if (mac == NULL || pa == NULL || strcasecmp(mac, vm->ca_mac) != 0 ||
		    strcmp(pa, vm->pa) != 0)
			d->adds[d->nb_adds++] = (unsigned int)(vm - a->vms);
	}
	for (unsigned int k = 0; k < a->nb_vms; k++)
		if (!seen[k] && agent_subnet_find(a, a->vms[k].vsid) != NULL)
			d->adds[d->nb_adds++] = k;
	free(seen);
	return 0;
}

static void subnet_removed(struct agent *a, uint32_t vsid);

int
agent_reconcile(struct agent *a)
{
	struct agent_diff d;
	json_t *recs = NULL;
	int rc;

	if (a->vswd.fd < 0)
		return -ENOTCONN;
	a->vswd_dirty = false;
	/* Subnets a re-list found deleted: what a watch event would have removed. */
	for (unsigned int i = 0; i < a->nb_vsids_gone && a->vswd.fd >= 0; i++)
		if (agent_subnet_find(a, a->vsids_gone[i]) == NULL)
			subnet_removed(a, a->vsids_gone[i]);
	if (a->vswd.fd < 0)
		return -ENOTCONN; /* vswd_dirty again: all of them on reconnect */
	a->nb_vsids_gone = 0;
	rc = reconcile_bds(a);
	if (rc < 0)
		return rc;
	rc = vswd_call(&a->vswd, "lookup.show", NULL, &recs, AGENT_CALL_MS);
	if (rc < 0) {
		agent_vswd_read_failed(a, rc, "lookup.show");
		return rc;
	}
	rc = agent_lookup_diff(a, recs, &d);
	json_decref(recs);
	if (rc < 0)
		return rc;
	apply_diff(a, &d);
	agent_diff_free(&d);
	/* After the bridge domains exist: routing domains, attachments, routes. */
	if (a->vswd.fd >= 0)
		agent_rd_reconcile(a);
	a->n.resyncs++;
	return a->vswd.fd < 0 || a->vswd_dirty ? -EAGAIN : 0;
}

/* A subnet left the cluster: its records go, and its domain if it has no ports left. */
static void
subnet_removed(struct agent *a, uint32_t vsid)
{
	json_t *recs = NULL, *bds = NULL, *r, *bd;
	size_t i;
	int rc;

	rc = vswd_call(&a->vswd, "lookup.show", json_pack("{s:I}", "vsid", (json_int_t)vsid), &recs,
		       AGENT_CALL_MS);
	if (rc < 0) {
		agent_vswd_failed(a, rc, "lookup.show");
		return;
	}
	json_array_foreach(recs, i, r)
		lookup_del(a, vsid, json_string_value(json_object_get(r, "ca_ip")));
	json_decref(recs);
	if (vswd_call(&a->vswd, "bd.list", NULL, &bds, AGENT_CALL_MS) < 0)
		return;
	bd = bd_of_vsid(bds, vsid);
	if (bd != NULL && json_integer_value(json_object_get(bd, "ports")) == 0) {
		const char *name = json_string_value(json_object_get(bd, "name"));

		rc = vswd_call(&a->vswd, "bd.del", json_pack("{s:s}", "name", name), NULL,
			       AGENT_CALL_MS);
		if (rc == 0) {
			a->n.bds_deleted++;
			agent_log("deleted bridge domain %s (VSID %u left the cluster)", name, vsid);
		} else {
			agent_vswd_failed(a, rc, "bd.del");
		}
	} else if (bd != NULL) {
		agent_log("VSID %u left the cluster; bridge domain %s kept: it still has ports", vsid,
			  json_string_value(json_object_get(bd, "name")));
		/* Not ours any more, so no later pass would detach it from our domain. */
		agent_rd_subnet_removed(a, bd);
	}
	json_decref(bds);
}

/* Forget a queued operation on (vsid, ca_ip): only the latest news about a record counts. */
static void
drop_pending(json_t *ops, uint32_t vsid, const char *ca_ip)
{
	for (size_t i = json_array_size(ops); i-- > 0;) {
		json_t *op = json_array_get(ops, i);

		if (json_integer_value(json_object_get(op, "vsid")) == (json_int_t)vsid &&
		    strcmp(json_string_value(json_object_get(op, "ca_ip")), ca_ip) == 0)
			json_array_remove(ops, i);
	}
}

/*
 * Queue one record's change for vswd.  News arrives in bursts (1,000 changes
 * a second at scale), and each call to vswd saves its whole configuration:
 * one lookup.apply per wake-up keeps up where one call per record cannot.
 */
static void
queue_op(struct agent *a, bool add, uint32_t vsid, const char *ca_ip, json_t *op)
{
	if (a->pending_adds == NULL)
		a->pending_adds = json_array();
	if (a->pending_dels == NULL)
		a->pending_dels = json_array();
	drop_pending(a->pending_adds, vsid, ca_ip);
	drop_pending(a->pending_dels, vsid, ca_ip);
	json_array_append_new(add ? a->pending_adds : a->pending_dels, op);
	if (json_array_size(a->pending_adds) + json_array_size(a->pending_dels) >= APPLY_BATCH) {
		a->next_flush_ms = 0;
		agent_flush(a);
	}
}

int64_t
agent_flush(struct agent *a)
{
	json_t *adds = a->pending_adds, *dels = a->pending_dels;
	int64_t start = etcd_now_ms();

	if (json_array_size(adds) + json_array_size(dels) == 0)
		return -1;
	if (start < a->next_flush_ms)
		return a->next_flush_ms - start;
	a->pending_adds = a->pending_dels = NULL;
	if (a->vswd.fd < 0) {
		/* Not lost: a reconciliation compares everything once vswd is back. */
		json_decref(adds);
		json_decref(dels);
		a->vswd_dirty = true;
		return -1;
	}
	if (apply_call(a, dels, adds) < 0) {
		a->vswd_dirty = true;
		return -1;
	}
	a->next_flush_ms = etcd_now_ms() + (etcd_now_ms() - start);
	return -1;
}

void
agent_watch_event(struct agent *a, const struct etcd_event *ev)
{
	bool put = ev->type == ETCD_PUT;
	struct agent_vm old, *vm;
	const char *slash;
	int rc = agent_state_apply(a, put, &ev->kv, &old);

	if (ev->kv.mod_revision > a->revision)
		a->revision = ev->kv.mod_revision;
	if (rc <= 0 || a->vswd.fd < 0) {
		if (rc > 0)
			a->vswd_dirty = true;
		return;
	}
	if (rc == AGENT_CHG_ROUTING) {
		a->rd_dirty = true; /* one pass over the routing part, after this wake-up's news */
		return;
	}
	slash = strrchr(ev->kv.key, '/');
	if (rc == AGENT_CHG_SUBNET) {
		if (!put && slash != NULL)
			subnet_removed(a, (uint32_t)strtoul(slash + 1, NULL, 10));
		else
			a->vswd_dirty = true; /* a new or renamed subnet: reconcile all of it */
		return;
	}
	if (put) {
		/* The key is PREFIX/vms/VSID/CA_IP (agent_state_apply checked it). */
		const char *v = strstr(ev->kv.key + strlen(a->prefix), "/vms/");

		vm = v != NULL && slash != NULL ?
			     agent_vm_find(a, (uint32_t)strtoul(v + 5, NULL, 10), slash + 1) :
			     NULL;
		if (vm == NULL || agent_subnet_find(a, vm->vsid) == NULL)
			return;
		if (old.vsid != 0 && strcmp(old.pa, vm->pa) == 0 &&
		    strcmp(old.ca_mac, vm->ca_mac) == 0)
			return;
		if (strcmp(old.pa, vm->pa) != 0 && old.vsid != 0)
			agent_log("VSID %u %s (%s) moved from %s to %s (host %s, revision %lld)",
				  vm->vsid, vm->ca_ip, vm->ca_mac, old.pa, vm->pa,
				  vm->host[0] ? vm->host : "?", (long long)vm->mod_revision);
		queue_op(a, true, vm->vsid, vm->ca_ip, agent_record_json(0, NULL, vm));
	} else if (old.vsid != 0 && agent_subnet_find(a, old.vsid) != NULL) {
		queue_op(a, false, old.vsid, old.ca_ip, agent_record_json(old.vsid, old.ca_ip, NULL));
	}
}
