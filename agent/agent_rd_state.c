/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains in the cluster's desired state (docs/cluster.md, issue 15):
 *
 *   PREFIX/rds/NAME                   {"name": "red"}  or  {"name": "red", "mac": "02:..."}
 *   PREFIX/rdroutes/RD/A.B.C.D/LEN    {"rd": "red", "prefix": "0.0.0.0/0", "via": "198.18.20.9"}
 *   PREFIX/subnets/VSID               {"name": "s1", "vsid": 5001,
 *                                      "rd": "red", "gateway": "203.0.113.254/24"}
 *
 * A subnet's attachment lives in its own record (rd and gateway together, or
 * neither), so that one put changes it atomically.  Texts are parsed here,
 * once, into canonical form (lower-case MAC, network/length prefixes, gateway
 * host/length), so that comparing with what vswd lists is a string compare.
 * Domains and routes are few (vswd holds at most 64 of each per host): plain
 * arrays.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
agent_rd_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	/* "none" is how bd.set detaches: vswd refuses a domain of that name. */
	if (n == 0 || n >= AGENT_RD_NAME || strcmp(name, "none") == 0)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	       n;
}

/* "A.B.C.D/LEN" into host-order address and length; false if it is not that. */
static bool
prefix_split(const char *text, uint32_t *addr, unsigned int *bits)
{
	char ip[AGENT_IP_TEXT];
	const char *slash = text != NULL ? strchr(text, '/') : NULL;
	struct in_addr a;
	size_t n;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(ip))
		return false;
	memcpy(ip, text, (size_t)(slash - text));
	ip[slash - text] = '\0';
	n = strlen(slash + 1);
	if (inet_pton(AF_INET, ip, &a) != 1 || n < 1 || n > 2 ||
	    strspn(slash + 1, "0123456789") != n || (n == 2 && slash[1] == '0'))
		return false;
	*bits = (unsigned int)atoi(slash + 1);
	*addr = ntohl(a.s_addr);
	return *bits <= 32;
}

static uint32_t
mask_of(unsigned int bits)
{
	return bits == 0 ? 0 : ~0u << (32 - bits);
}

static void
prefix_text(uint32_t addr, unsigned int bits, char out[AGENT_PREFIX_TEXT])
{
	struct in_addr a = { .s_addr = htonl(addr) };
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(out, AGENT_PREFIX_TEXT, "%s/%u", ip, bits);
}

int
agent_route_prefix_parse(const char *text, char out[AGENT_PREFIX_TEXT], char *why, size_t len)
{
	uint32_t addr;
	unsigned int bits;
	char want[AGENT_PREFIX_TEXT];

	if (!prefix_split(text, &addr, &bits)) {
		snprintf(why, len,
			 "'%.40s' is not an IPv4 prefix A.B.C.D/LEN (LEN 0-32), e.g. 0.0.0.0/0",
			 text != NULL ? text : "");
		return -EINVAL;
	}
	if ((addr & ~mask_of(bits)) != 0) {
		prefix_text(addr & mask_of(bits), bits, want);
		snprintf(why, len, "prefix %.40s has host bits set; did you mean %s?", text, want);
		return -EINVAL;
	}
	prefix_text(addr, bits, out);
	return 0;
}

int
agent_gateway_parse(const char *text, char out[AGENT_PREFIX_TEXT], char *why, size_t len)
{
	uint32_t addr, host;
	unsigned int bits;

	if (!prefix_split(text, &addr, &bits) || bits < 1 || bits > 30) {
		snprintf(why, len,
			 "gateway '%.40s' is not IP/LEN with LEN 1-30, e.g. 203.0.113.254/24",
			 text != NULL ? text : "");
		return -EINVAL;
	}
	host = addr & ~mask_of(bits);
	if (host == 0 || host == ~mask_of(bits) || (addr >> 28) >= 0xe) {
		snprintf(why, len,
			 "gateway %.40s is the network, broadcast or a multicast address; "
			 "use a host address of the subnet",
			 text);
		return -EINVAL;
	}
	prefix_text(addr, bits, out);
	return 0;
}

bool
agent_prefixes_overlap(const char *p1, const char *p2)
{
	uint32_t a1, a2;
	unsigned int b1, b2, b;

	if (!prefix_split(p1, &a1, &b1) || !prefix_split(p2, &a2, &b2))
		return false;
	b = b1 < b2 ? b1 : b2;
	return ((a1 ^ a2) & mask_of(b)) == 0;
}

static char *
dump(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s;
}

char *
agent_rd_value(const struct agent_rd *rd)
{
	json_t *j = json_pack("{s:s}", "name", rd->name);

	if (j != NULL && rd->mac[0] != '\0')
		json_object_set_new(j, "mac", json_string(rd->mac));
	return dump(j);
}

char *
agent_route_value(const struct agent_rd_route *r)
{
	return dump(json_pack("{s:s, s:s, s:s}", "rd", r->rd, "prefix", r->prefix, "via", r->via));
}

char *
agent_subnet_value(const struct agent_subnet *s)
{
	json_t *j = json_pack("{s:s, s:I}", "name", s->name, "vsid", (json_int_t)s->vsid);

	if (j != NULL && s->rd[0] != '\0') {
		json_object_set_new(j, "rd", json_string(s->rd));
		json_object_set_new(j, "gateway", json_string(s->gateway));
	}
	return dump(j);
}

/* The value as a JSON object, or NULL with 'why'. */
static json_t *
load_object(const char *value, char *why, size_t len)
{
	json_error_t jerr;
	json_t *j = json_loads(value, 0, &jerr);

	if (json_is_object(j))
		return j;
	snprintf(why, len, "not a JSON object (%s)", j == NULL ? jerr.text : "other type");
	json_decref(j);
	return NULL;
}

int
agent_rd_parse(const char *value, struct agent_rd *rd, char *why, size_t len)
{
	json_t *j = load_object(value, why, len);
	const char *name, *mac;

	memset(rd, 0, sizeof(*rd));
	if (j == NULL)
		return -EINVAL;
	name = json_string_value(json_object_get(j, "name"));
	mac = json_string_value(json_object_get(j, "mac"));
	why[0] = '\0';
	if (!agent_rd_name_ok(name))
		snprintf(why, len, "name missing or not 1-31 of A-Z a-z 0-9 _ . - (not 'none')");
	else if (json_object_get(j, "mac") != NULL &&
		 (!agent_mac_ok(mac, rd->mac) || (strtoul(rd->mac, NULL, 16) & 1) != 0 ||
		  strcmp(rd->mac, "00:00:00:00:00:00") == 0))
		snprintf(why, len, "mac is not a unicast MAC like 02:76:72:00:00:01");
	else
		snprintf(rd->name, sizeof(rd->name), "%s", name);
	json_decref(j);
	return why[0] == '\0' ? 0 : -EINVAL;
}

int
agent_route_parse(const char *value, struct agent_rd_route *r, char *why, size_t len)
{
	json_t *j = load_object(value, why, len);
	const char *rd, *via;
	struct in_addr a;

	memset(r, 0, sizeof(*r));
	if (j == NULL)
		return -EINVAL;
	rd = json_string_value(json_object_get(j, "rd"));
	via = json_string_value(json_object_get(j, "via"));
	why[0] = '\0';
	if (!agent_rd_name_ok(rd))
		snprintf(why, len, "rd missing or not a routing domain name");
	else if (agent_route_prefix_parse(json_string_value(json_object_get(j, "prefix")),
					  r->prefix, why, len) < 0)
		; /* 'why' says it */
	else if (!agent_ipv4_ok(via) || inet_pton(AF_INET, via, &a) != 1 || a.s_addr == 0 ||
		 a.s_addr == UINT32_MAX || (ntohl(a.s_addr) >> 28) >= 0xe) /* as vswd */
		snprintf(why, len, "via missing or not a unicast customer address");
	else {
		snprintf(r->rd, sizeof(r->rd), "%s", rd);
		snprintf(r->via, sizeof(r->via), "%s", via);
	}
	json_decref(j);
	return why[0] == '\0' ? 0 : -EINVAL;
}

int
agent_subnet_parse(const char *value, struct agent_subnet *s, char *why, size_t len)
{
	json_t *j = load_object(value, why, len);
	const char *name, *rd, *gw;
	json_int_t vsid;

	memset(s, 0, sizeof(*s));
	if (j == NULL)
		return -EINVAL;
	name = json_string_value(json_object_get(j, "name"));
	vsid = json_integer_value(json_object_get(j, "vsid"));
	rd = json_string_value(json_object_get(j, "rd"));
	gw = json_string_value(json_object_get(j, "gateway"));
	why[0] = '\0';
	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(s->name))
		snprintf(why, len, "name missing or not 1-31 characters");
	else if (vsid < 4096 || vsid > 16777214)
		snprintf(why, len, "vsid missing or outside 4096-16777214");
	else if ((rd == NULL) != (gw == NULL))
		snprintf(why, len, "rd and gateway go together (both or neither)");
	else if (rd != NULL && !agent_rd_name_ok(rd))
		snprintf(why, len, "rd is not a routing domain name");
	else if (gw != NULL && agent_gateway_parse(gw, s->gateway, why, len) < 0)
		; /* 'why' says it */
	else {
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->vsid = (uint32_t)vsid;
		snprintf(s->rd, sizeof(s->rd), "%s", rd != NULL ? rd : "");
	}
	json_decref(j);
	return why[0] == '\0' ? 0 : -EINVAL;
}

struct agent_rd *
agent_rd_find(struct agent *a, const char *name)
{
	for (unsigned int i = 0; i < a->nb_rds; i++)
		if (strcmp(a->rds[i].name, name) == 0)
			return &a->rds[i];
	return NULL;
}

struct agent_rd_route *
agent_route_find(struct agent *a, const char *rd, const char *prefix)
{
	for (unsigned int i = 0; i < a->nb_routes; i++)
		if (strcmp(a->routes[i].rd, rd) == 0 && strcmp(a->routes[i].prefix, prefix) == 0)
			return &a->routes[i];
	return NULL;
}

/* Make room for one more of 'size' bytes in *arr (count *nb, capacity *cap). */
static int
grow(void *arr, unsigned int nb, unsigned int *cap, size_t size)
{
	void **p = arr, *n;

	if (nb < *cap)
		return 0;
	n = realloc(*p, (*cap ? *cap * 2 : 16) * size);
	if (n == NULL)
		return -ENOMEM;
	*p = n;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

bool
agent_rd_is_gone(const struct agent *a, const char *name)
{
	for (unsigned int i = 0; i < a->nb_rds_gone; i++)
		if (strcmp(a->rds_gone[i], name) == 0)
			return true;
	return false;
}

void
agent_rd_gone_forget(struct agent *a, const char *name)
{
	for (unsigned int i = 0; i < a->nb_rds_gone; i++) {
		if (strcmp(a->rds_gone[i], name) == 0) {
			memmove(a->rds_gone[i], a->rds_gone[--a->nb_rds_gone], AGENT_RD_NAME);
			return;
		}
	}
}

/* Remember that 'name' left the cluster while we ran: vswd's copy is ours to delete (agent_rd_plan). */
static void
gone_add(struct agent *a, const char *name)
{
	agent_rd_gone_forget(a, name);
	if (grow(&a->rds_gone, a->nb_rds_gone, &a->cap_rds_gone, AGENT_RD_NAME) == 0)
		snprintf(a->rds_gone[a->nb_rds_gone++], AGENT_RD_NAME, "%s", name);
	else
		agent_err(a,
			  "out of memory remembering that routing domain '%s' was deleted; "
			  "vswctl rd del %s removes it from this host",
			  name, name);
}

static int
rd_apply(struct agent *a, bool put, const char *name, const struct etcd_kv *kv)
{
	struct agent_rd *rd = agent_rd_find(a, name), parsed;
	char why[128];

	if (!put) {
		if (rd == NULL)
			return 0;
		gone_add(a, name);
		*rd = a->rds[--a->nb_rds];
		return AGENT_CHG_ROUTING;
	}
	if (agent_rd_parse(kv->value, &parsed, why, sizeof(why)) < 0 ||
	    strcmp(parsed.name, name) != 0) {
		agent_err(a, "cluster key %s: %s; ignored (fix it with vswcluster rd add)", kv->key,
			  why[0] ? why : "name differs from the key");
		a->n.bad_records++;
		return -EINVAL;
	}
	agent_rd_gone_forget(a, name);
	parsed.mod_revision = kv->mod_revision;
	if (rd != NULL && strcmp(rd->mac, parsed.mac) == 0) {
		rd->mod_revision = kv->mod_revision;
		return 0;
	}
	if (rd == NULL) {
		if (grow(&a->rds, a->nb_rds, &a->cap_rds, sizeof(*rd)) < 0)
			return -ENOMEM;
		rd = &a->rds[a->nb_rds++];
	}
	*rd = parsed;
	return AGENT_CHG_ROUTING;
}

static int
route_apply(struct agent *a, bool put, const char *rd, const char *prefix, const struct etcd_kv *kv)
{
	struct agent_rd_route *r = agent_route_find(a, rd, prefix), parsed;
	char why[128];

	if (!put) {
		if (r == NULL)
			return 0;
		*r = a->routes[--a->nb_routes];
		return AGENT_CHG_ROUTING;
	}
	if (agent_route_parse(kv->value, &parsed, why, sizeof(why)) < 0 ||
	    strcmp(parsed.rd, rd) != 0 || strcmp(parsed.prefix, prefix) != 0) {
		agent_err(a, "cluster key %s: %s; ignored (fix it with vswcluster rd route add)",
			  kv->key, why[0] ? why : "rd/prefix differ from the key");
		a->n.bad_records++;
		return -EINVAL;
	}
	parsed.mod_revision = kv->mod_revision;
	if (r != NULL && strcmp(r->via, parsed.via) == 0) {
		r->mod_revision = kv->mod_revision;
		return 0;
	}
	if (r == NULL) {
		if (grow(&a->routes, a->nb_routes, &a->cap_routes, sizeof(*r)) < 0)
			return -ENOMEM;
		r = &a->routes[a->nb_routes++];
	}
	*r = parsed;
	return AGENT_CHG_ROUTING;
}

int
agent_rd_state_apply(struct agent *a, bool put, const char *rest, const struct etcd_kv *kv)
{
	char rd[AGENT_RD_NAME], prefix[AGENT_PREFIX_TEXT], why[128];
	const char *slash;

	if (strncmp(rest, "rds/", 4) == 0) {
		if (!agent_rd_name_ok(rest + 4)) {
			agent_err(
				a,
				"cluster key %s: not PREFIX/rds/NAME (1-31 of A-Z a-z 0-9 _ . -, not "
				"'none'); "
				"ignored",
				kv->key);
			a->n.bad_records++;
			return -EINVAL;
		}
		return rd_apply(a, put, rest + 4, kv);
	}
	/* rdroutes/RD/A.B.C.D/LEN: the prefix has a slash of its own. */
	slash = strchr(rest + 9, '/');
	if (slash != NULL && (size_t)(slash - (rest + 9)) < sizeof(rd)) {
		memcpy(rd, rest + 9, (size_t)(slash - (rest + 9)));
		rd[slash - (rest + 9)] = '\0';
	}
	if (slash == NULL || (size_t)(slash - (rest + 9)) >= sizeof(rd) || !agent_rd_name_ok(rd) ||
	    agent_route_prefix_parse(slash + 1, prefix, why, sizeof(why)) < 0 ||
	    strcmp(prefix, slash + 1) != 0) {
		agent_err(a,
			  "cluster key %s: not PREFIX/rdroutes/RD/A.B.C.D/LEN with a canonical "
			  "prefix; ignored",
			  kv->key);
		a->n.bad_records++;
		return -EINVAL;
	}
	return route_apply(a, put, rd, prefix, kv);
}

struct agent_rd *
agent_rd_snapshot(const struct agent *a)
{
	struct agent_rd *copy = malloc((a->nb_rds ? a->nb_rds : 1) * sizeof(*copy));

	if (copy != NULL && a->nb_rds > 0)
		memcpy(copy, a->rds, a->nb_rds * sizeof(*copy));
	return copy;
}

void
agent_rd_relisted(struct agent *a, const struct agent_rd *before, unsigned int nb)
{
	for (unsigned int i = 0; i < nb; i++)
		if (agent_rd_find(a, before[i].name) == NULL)
			gone_add(a, before[i].name);
}

void
agent_rd_state_clear(struct agent *a)
{
	a->nb_rds = 0;
	a->nb_routes = 0;
}

void
agent_rd_state_free(struct agent *a)
{
	free(a->rds);
	free(a->routes);
	free(a->rds_gone);
	a->rds = NULL;
	a->routes = NULL;
	a->rds_gone = NULL;
	a->nb_rds = a->cap_rds = a->nb_routes = a->cap_routes = 0;
	a->nb_rds_gone = a->cap_rds_gone = 0;
}
