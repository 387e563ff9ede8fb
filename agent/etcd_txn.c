/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * etcd_txn(): several comparisons and several puts and deletes in one
 * /v3/kv/txn, so that a change made of several keys is applied at one
 * revision or not at all, and only if what it was decided on still holds.
 */
#include "etcd_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Set "key" and, for a prefix, "range_end" of a request or comparison; false on ENOMEM. */
static bool
set_range(json_t *obj, const char *key, bool prefix)
{
	size_t len;
	char *end;
	bool ok;

	if (json_object_set_new(obj, "key", etcd_b64_json(key, strlen(key))) < 0)
		return false;
	if (!prefix)
		return true;
	end = etcd_prefix_end(key, &len);
	ok = end != NULL && json_object_set_new(obj, "range_end", etcd_b64_json(end, len)) == 0;
	free(end);
	return ok;
}

static json_t *
cmp_json(const struct etcd_cmp *c)
{
	json_t *j = NULL;

	switch (c->kind) {
	case ETCD_CMP_MOD_EQUAL:
		j = json_pack("{s:s, s:s, s:I}", "target", "MOD", "result", "EQUAL", "mod_revision",
			      (json_int_t)c->revision);
		break;
	case ETCD_CMP_UNCHANGED_SINCE:
		/* An empty range compares as one key with mod_revision 0: it holds. */
		j = json_pack("{s:s, s:s, s:I}", "target", "MOD", "result", "LESS", "mod_revision",
			      (json_int_t)c->revision + 1);
		break;
	case ETCD_CMP_EXISTS:
		/* A missing key compares with version 0. */
		j = json_pack("{s:s, s:s, s:I}", "target", "VERSION", "result", "GREATER",
			      "version", (json_int_t)0);
		break;
	}
	if (j != NULL && !set_range(j, c->key, c->prefix)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static json_t *
op_json(const struct etcd_op *o)
{
	json_t *req = json_object();

	if (req == NULL || !set_range(req, o->key, o->prefix) ||
	    (o->kind == ETCD_OP_PUT &&
	     json_object_set_new(req, "value", etcd_b64_json(o->value, strlen(o->value))) < 0)) {
		json_decref(req);
		return NULL;
	}
	return json_pack("{s:o}", o->kind == ETCD_OP_PUT ? "request_put" : "request_delete_range",
			 req);
}

static int
count_kv(const struct etcd_kv *kv, void *arg)
{
	(void)kv;
	(*(size_t *)arg)++;
	return 0;
}

/* Does etcd show what operation 'o' does?  *revision = the key's mod_revision if it is a put. */
static bool
op_shows(struct etcd_client *c, const struct etcd_op *o, int64_t *revision)
{
	struct etcd_kv kv;
	size_t n = 0;
	bool shows;
	int rc;

	if (o->kind == ETCD_OP_DELETE && o->prefix)
		return etcd_range_prefix(c, o->key, count_kv, &n, NULL) == 0 && n == 0;
	rc = etcd_get(c, o->key, &kv);
	if (o->kind == ETCD_OP_DELETE)
		return rc == -ENOENT;
	if (rc < 0)
		return false;
	shows = strcmp(kv.value, o->value) == 0;
	if (shows && kv.mod_revision > *revision)
		*revision = kv.mod_revision;
	etcd_kv_free(&kv);
	return shows;
}

/*
 * A transaction whose first try went silent and whose second found its
 * comparisons false: if etcd shows every one of its operations done (each
 * put's value, each deleted key gone), they are the first try's, and the
 * transaction committed; it is not reported as a conflict that changed
 * nothing.  @return true so (*revision = the latest put's revision, if any).
 */
static bool
txn_took_effect(struct etcd_client *c, const struct etcd_op *ops, size_t nb_ops, int64_t *revision)
{
	int64_t rev = 0;

	for (size_t i = 0; i < nb_ops; i++)
		if (!op_shows(c, &ops[i], &rev))
			return false;
	if (revision != NULL)
		*revision = rev;
	return true;
}

int
etcd_txn(struct etcd_client *c, const struct etcd_cmp *cmps, size_t nb_cmps,
	 const struct etcd_op *ops, size_t nb_ops, int64_t *revision)
{
	json_t *compare = json_array(), *success = json_array(), *body, *reply = NULL;
	int rc = -ENOMEM;

	if (compare == NULL || success == NULL)
		goto out;
	for (size_t i = 0; i < nb_cmps; i++)
		if (json_array_append_new(compare, cmp_json(&cmps[i])) < 0)
			goto out;
	for (size_t i = 0; i < nb_ops; i++) {
		if (ops[i].prefix && ops[i].kind == ETCD_OP_PUT) {
			rc = -EINVAL; /* a put names one key */
			goto out;
		}
		if (json_array_append_new(success, op_json(&ops[i])) < 0)
			goto out;
	}
	body = json_pack("{s:O, s:O}", "compare", compare, "success", success);
	if (body == NULL)
		goto out;
	rc = etcd_request(c, "/v3/kv/txn", body, &reply);
	json_decref(body);
	if (rc < 0)
		goto out;
	if (!json_is_true(json_object_get(reply, "succeeded"))) {
		rc = etcd_resent(c) && txn_took_effect(c, ops, nb_ops, revision) ? 0 : -EAGAIN;
		goto out;
	}
	if (revision != NULL)
		*revision = etcd_json_int(
			json_object_get(json_object_get(reply, "header"), "revision"));
out:
	json_decref(reply);
	json_decref(compare);
	json_decref(success);
	return rc;
}
