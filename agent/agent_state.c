/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster's desired state as the agent last read it, and the key
 * schema (docs/cluster.md):
 *
 *   PREFIX/subnets/VSID          {"name": "t1", "vsid": 5001}  (+ "rd", "gateway":
 *                                agent_rd_state.c, with the routing domains and routes)
 *   PREFIX/vms/VSID/CA_IP        {"vsid": 5001, "ca_ip": "203.0.113.1",
 *                                 "ca_mac": "02:00:00:01:00:01",
 *                                 "pa": "198.51.100.1", "host": "a"}
 *   PREFIX/hosts/NAME            {"name": "a", "pas": [...], "started": T}   durable
 *   PREFIX/alive/NAME            same, attached to the host's lease
 *
 * VM records are found through hash chains over (VSID, CA IP): a cluster of
 * 10,000 records is reconciled against vswd's lookup.show, record by record,
 * and a linear search made that quadratic (docs/bench.md has the figures).
 * Subnets are few (hundreds) and stay a plain array.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VSID_MIN 4096u
#define VSID_MAX 16777214u

void
agent_state_clear(struct agent *a)
{
	a->nb_subnets = 0;
	a->nb_vms = 0;
	agent_rd_state_clear(a);
	if (a->vm_heads != NULL)
		memset(a->vm_heads, 0, a->nb_vm_heads * sizeof(*a->vm_heads));
}

void
agent_state_free(struct agent *a)
{
	free(a->vms);
	free(a->subnets);
	free(a->vm_heads);
	free(a->vsids_gone);
	agent_rd_state_free(a);
	a->vsids_gone = NULL;
	a->nb_vsids_gone = 0;
	a->vms = NULL;
	a->subnets = NULL;
	a->vm_heads = NULL;
	a->nb_vms = a->cap_vms = a->nb_subnets = a->cap_subnets = a->nb_vm_heads = 0;
	json_decref(a->pending_adds);
	json_decref(a->pending_dels);
	a->pending_adds = a->pending_dels = NULL;
}

struct agent_subnet *
agent_subnet_find(struct agent *a, uint32_t vsid)
{
	for (unsigned int i = 0; i < a->nb_subnets; i++)
		if (a->subnets[i].vsid == vsid)
			return &a->subnets[i];
	return NULL;
}

/* FNV-1a over the VSID and the CA text: cheap, and good enough for chains. */
static uint32_t
vm_hash(uint32_t vsid, const char *ca_ip)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 4; i++)
		h = (h ^ ((vsid >> (8 * i)) & 0xff)) * 16777619u;
	for (const unsigned char *p = (const unsigned char *)ca_ip; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static uint32_t *
vm_head(struct agent *a, const struct agent_vm *vm)
{
	return &a->vm_heads[vm_hash(vm->vsid, vm->ca_ip) & (a->nb_vm_heads - 1)];
}

/* Rebuild every chain with 'nb' heads (a power of two); -ENOMEM leaves the old ones. */
static int
vm_rehash(struct agent *a, unsigned int nb)
{
	uint32_t *heads = calloc(nb, sizeof(*heads));

	if (heads == NULL)
		return -ENOMEM;
	free(a->vm_heads);
	a->vm_heads = heads;
	a->nb_vm_heads = nb;
	for (unsigned int i = 0; i < a->nb_vms; i++) {
		uint32_t *h = vm_head(a, &a->vms[i]);

		a->vms[i].hnext = *h;
		*h = i + 1;
	}
	return 0;
}

/* The link (a head or a VM's hnext) that points at VM 'i'. */
static uint32_t *
vm_link(struct agent *a, unsigned int i)
{
	uint32_t *l = vm_head(a, &a->vms[i]);

	while (*l != i + 1)
		l = &a->vms[*l - 1].hnext;
	return l;
}

/* Remove VM 'i': the last VM takes its place, and the chain that led to the last follows. */
static void
vm_remove(struct agent *a, unsigned int i)
{
	unsigned int last = a->nb_vms - 1;

	*vm_link(a, i) = a->vms[i].hnext;
	if (i != last) {
		*vm_link(a, last) = i + 1;
		a->vms[i] = a->vms[last];
	}
	a->nb_vms--;
}

struct agent_vm *
agent_vm_find(struct agent *a, uint32_t vsid, const char *ca_ip)
{
	if (a->nb_vm_heads == 0)
		return NULL;
	for (uint32_t i = a->vm_heads[vm_hash(vsid, ca_ip) & (a->nb_vm_heads - 1)]; i != 0;
	     i = a->vms[i - 1].hnext)
		if (a->vms[i - 1].vsid == vsid && strcmp(a->vms[i - 1].ca_ip, ca_ip) == 0)
			return &a->vms[i - 1];
	return NULL;
}

bool
agent_pa_is_local(const struct agent *a, const char *ip)
{
	for (unsigned int i = 0; i < a->nb_pas; i++)
		if (strcmp(a->pas[i], ip) == 0)
			return true;
	return false;
}

void
agent_vm_key(const struct agent *a, uint32_t vsid, const char *ca_ip, char *key, size_t len)
{
	snprintf(key, len, "%s/vms/%u/%s", a->prefix, vsid, ca_ip);
}

char *
agent_vm_value(const struct agent_vm *vm)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "vsid", (json_int_t)vm->vsid, "ca_ip",
			      vm->ca_ip, "ca_mac", vm->ca_mac, "pa", vm->pa, "host", vm->host);
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s;
}

bool
agent_ipv4_ok(const char *s)
{
	struct in_addr a;

	return s != NULL && strlen(s) < AGENT_IP_TEXT && inet_pton(AF_INET, s, &a) == 1;
}

/* A provider address may be IPv4 or IPv6; vswd checks the rest. */
static bool
pa_ok(const char *s)
{
	struct in6_addr a6;

	return agent_ipv4_ok(s) ||
	       (s != NULL && strlen(s) < AGENT_PA_TEXT && inet_pton(AF_INET6, s, &a6) == 1);
}

/* Parse "aa:bb:cc:dd:ee:ff" (any case) into lower case 'out'. */
bool
agent_mac_ok(const char *s, char out[AGENT_MAC_TEXT])
{
	if (s == NULL || strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[17] = '\0';
	return true;
}

static bool
vsid_parse(const char *s, uint32_t *vsid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || (*end != '\0' && *end != '/') || v < VSID_MIN || v > VSID_MAX)
		return false;
	*vsid = (uint32_t)v;
	return true;
}

int
agent_vm_parse(const char *value, struct agent_vm *vm, char *why, size_t len)
{
	json_error_t jerr;
	json_t *j = json_loads(value, 0, &jerr);
	const char *ca_ip, *mac, *pa, *host;
	json_int_t vsid;

	memset(vm, 0, sizeof(*vm));
	if (!json_is_object(j)) {
		snprintf(why, len, "not a JSON object (%s)", j == NULL ? jerr.text : "other type");
		json_decref(j);
		return -EINVAL;
	}
	vsid = json_integer_value(json_object_get(j, "vsid"));
	ca_ip = json_string_value(json_object_get(j, "ca_ip"));
	mac = json_string_value(json_object_get(j, "ca_mac"));
	pa = json_string_value(json_object_get(j, "pa"));
	host = json_string_value(json_object_get(j, "host"));
	if (vsid < VSID_MIN || vsid > VSID_MAX)
		snprintf(why, len, "vsid missing or outside %u-%u", VSID_MIN, VSID_MAX);
	else if (!agent_ipv4_ok(ca_ip))
		snprintf(why, len, "ca_ip missing or not an IPv4 address");
	else if (!agent_mac_ok(mac, vm->ca_mac))
		snprintf(why, len, "ca_mac missing or not a MAC like 02:00:00:00:00:01");
	else if (!pa_ok(pa))
		snprintf(why, len, "pa missing or not an IPv4 or IPv6 address");
	else
		why[0] = '\0';
	if (why[0] == '\0') {
		vm->vsid = (uint32_t)vsid;
		snprintf(vm->ca_ip, sizeof(vm->ca_ip), "%s", ca_ip);
		snprintf(vm->pa, sizeof(vm->pa), "%s", pa);
		snprintf(vm->host, sizeof(vm->host), "%s", host != NULL ? host : "");
	}
	json_decref(j);
	return why[0] == '\0' ? 0 : -EINVAL;
}

static int
subnet_apply(struct agent *a, bool put, uint32_t vsid, const struct etcd_kv *kv)
{
	struct agent_subnet *s = agent_subnet_find(a, vsid), parsed;
	char why[128];
	int chg;

	if (!put) {
		if (s == NULL)
			return 0;
		*s = a->subnets[--a->nb_subnets];
		return AGENT_CHG_SUBNET;
	}
	if (agent_subnet_parse(kv->value, &parsed, why, sizeof(why)) < 0 || parsed.vsid != vsid) {
		agent_err(a, "cluster key %s: %s; expected {\"name\": NAME (1-31 characters), "
			     "\"vsid\": %u} with \"rd\" and \"gateway\" or neither; ignored (fix it "
			     "with vswcluster subnet add)", kv->key, why[0] ? why : "vsid differs from the key",
			  vsid);
		a->n.bad_records++;
		return -EINVAL;
	}
	parsed.mod_revision = kv->mod_revision;
	if (s == NULL) {
		if (a->nb_subnets == a->cap_subnets) {
			unsigned int cap = a->cap_subnets ? a->cap_subnets * 2 : 16;
			struct agent_subnet *p = realloc(a->subnets, cap * sizeof(*p));

			if (p == NULL)
				return -ENOMEM;
			a->subnets = p;
			a->cap_subnets = cap;
		}
		s = &a->subnets[a->nb_subnets++];
		chg = AGENT_CHG_SUBNET;
	} else if (strcmp(s->name, parsed.name) != 0) {
		chg = AGENT_CHG_SUBNET;
	} else if (strcmp(s->rd, parsed.rd) != 0 || strcmp(s->gateway, parsed.gateway) != 0) {
		chg = AGENT_CHG_ROUTING; /* only its attachment: no need to compare every record */
	} else {
		chg = 0;
	}
	*s = parsed;
	return chg;
}

static int
vm_apply(struct agent *a, bool put, uint32_t vsid, const char *ca_ip, const struct etcd_kv *kv,
	 struct agent_vm *old)
{
	struct agent_vm *vm = agent_vm_find(a, vsid, ca_ip), parsed;
	char why[128];

	if (vm != NULL)
		*old = *vm;
	if (!put) {
		if (vm == NULL)
			return 0;
		vm_remove(a, (unsigned int)(vm - a->vms));
		return AGENT_CHG_VM;
	}
	if (agent_vm_parse(kv->value, &parsed, why, sizeof(why)) < 0 || parsed.vsid != vsid ||
	    strcmp(parsed.ca_ip, ca_ip) != 0) {
		agent_err(a, "cluster key %s: %s; ignored (fix it with vswcluster vm add)", kv->key,
			  why[0] ? why : "vsid/ca_ip differ from the key");
		a->n.bad_records++;
		return -EINVAL;
	}
	parsed.mod_revision = kv->mod_revision;
	if (vm == NULL) {
		if (a->nb_vms == a->cap_vms) {
			unsigned int cap = a->cap_vms ? a->cap_vms * 2 : 64;
			struct agent_vm *p = realloc(a->vms, cap * sizeof(*p));

			if (p == NULL)
				return -ENOMEM;
			a->vms = p;
			a->cap_vms = cap;
		}
		/* Chains stay short: as many heads as records, at least. */
		if (a->nb_vms + 1 > a->nb_vm_heads &&
		    vm_rehash(a, a->nb_vm_heads ? a->nb_vm_heads * 2 : 64) < 0)
			return -ENOMEM;
		vm = &a->vms[a->nb_vms++];
		*vm = parsed;
		vm->hnext = *vm_head(a, vm);
		*vm_head(a, vm) = a->nb_vms;
		return AGENT_CHG_VM;
	}
	parsed.lost_ms = vm->lost_ms; /* the hold-down outlives the record's changes */
	parsed.hnext = vm->hnext;     /* same key, same place in its chain */
	*vm = parsed;
	return AGENT_CHG_VM;
}

int
agent_state_apply(struct agent *a, bool put, const struct etcd_kv *kv, struct agent_vm *old)
{
	size_t plen = strlen(a->prefix);
	const char *rest;
	uint32_t vsid;

	memset(old, 0, sizeof(*old));
	if (strncmp(kv->key, a->prefix, plen) != 0 || kv->key[plen] != '/')
		return 0;
	rest = kv->key + plen + 1;
	if (strncmp(rest, "subnets/", 8) == 0) {
		if (!vsid_parse(rest + 8, &vsid) || strchr(rest + 8, '/') != NULL) {
			agent_err(a, "cluster key %s: not PREFIX/subnets/VSID (4096-16777214); ignored",
				  kv->key);
			a->n.bad_records++;
			return -EINVAL;
		}
		return subnet_apply(a, put, vsid, kv);
	}
	if (strncmp(rest, "vms/", 4) == 0) {
		const char *slash = strchr(rest + 4, '/');

		if (slash == NULL || !vsid_parse(rest + 4, &vsid) || !agent_ipv4_ok(slash + 1)) {
			agent_err(a, "cluster key %s: not PREFIX/vms/VSID/CA_IP; ignored", kv->key);
			a->n.bad_records++;
			return -EINVAL;
		}
		return vm_apply(a, put, vsid, slash + 1, kv, old);
	}
	if (strncmp(rest, "rds/", 4) == 0 || strncmp(rest, "rdroutes/", 9) == 0)
		return agent_rd_state_apply(a, put, rest, kv);
	return 0; /* hosts/, alive/ and keys of later schema additions */
}
