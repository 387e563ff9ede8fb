/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake dataplane's overlay half: uplink, provider addresses, routes, neighbours, lookup records. */
#include "test_ctl_fake_dp.h"
#include "test_ctl_fake_dp_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"

#define FAKE_MAX_ROUTES	 16
#define FAKE_MAX_NEIGH	 16
#define FAKE_MAX_RECORDS 32

static uint16_t fake_mtu;
static char fake_pas[8][20];
static unsigned int fake_nb_pas;
static struct dp_route_info fake_routes[FAKE_MAX_ROUTES];
static unsigned int fake_nb_routes;
static struct dp_neigh_info fake_neigh[FAKE_MAX_NEIGH];
static unsigned int fake_nb_neigh;
static struct dp_lookup_record fake_records[FAKE_MAX_RECORDS];
static unsigned int fake_nb_records;

void
fake_overlay_reset(void)
{
	fake_uplink[0] = '\0';
	fake_mtu = 0;
	fake_nb_pas = 0;
	fake_nb_routes = 0;
	fake_nb_neigh = 0;
	fake_nb_records = 0;
}

void
fake_dp_add_learned_neighbour(const char *ip, const uint8_t mac[6], uint32_t age_s)
{
	struct dp_neigh_info *n = &fake_neigh[fake_nb_neigh++];

	*n = (struct dp_neigh_info){ .resolved = mac != NULL, .age_s = age_s };
	snprintf(n->ip, sizeof(n->ip), "%s", ip);
	if (mac != NULL)
		memcpy(n->mac, mac, 6);
}

/* The real dataplane takes canonical text only because ctl gives it nothing else. */
static bool
fake_is_ipv4(const char *text)
{
	unsigned int a, b, c, d;
	char tail;

	return sscanf(text, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 && b < 256 &&
	       c < 256 && d < 256;
}

int
dp_uplink_set(const char *name, uint16_t mtu, char *err, size_t errlen)
{
	int id = dp_port_find(name);

	if (id < 0) {
		snprintf(err, errlen, "port '%s' not found", name);
		return -ENOENT;
	}
	if (mtu != 0 && (mtu < 576 || mtu > 9216)) {
		snprintf(err, errlen, "mtu: expected 576 to 9216, got %u", mtu);
		return -EINVAL;
	}
	snprintf(fake_uplink, sizeof(fake_uplink), "%s", name);
	fake_ports[id].bd[0] = '\0';
	fake_mtu = mtu != 0 ? mtu : 1500;
	fake_note("uplink.set %s mtu=%u", name, mtu);
	return 0;
}

int
dp_pa_add(const char *ip_prefix, char *err, size_t errlen)
{
	char ip[16];

	if (fake_uplink[0] == '\0') {
		snprintf(err, errlen, "no uplink: set one before adding provider addresses");
		return -ENOENT;
	}
	snprintf(ip, sizeof(ip), "%.*s", (int)strcspn(ip_prefix, "/"), ip_prefix);
	for (unsigned int i = 0; i < fake_nb_pas; i++) {
		if (strncmp(fake_pas[i], ip, strlen(ip)) == 0 && fake_pas[i][strlen(ip)] == '/') {
			snprintf(err, errlen, "provider address %s already exists", ip);
			return -EEXIST;
		}
	}
	if (fake_nb_pas == 8) {
		snprintf(err, errlen, "at most 8 provider addresses");
		return -ENOSPC;
	}
	snprintf(fake_pas[fake_nb_pas++], sizeof(fake_pas[0]), "%s", ip_prefix);
	/* Its connected route (the fake does not clear host bits). */
	fake_routes[fake_nb_routes] = (struct dp_route_info){ .connected = true };
	snprintf(fake_routes[fake_nb_routes++].prefix, 20, "%s", ip_prefix);
	fake_note("pa.add %s", ip_prefix);
	return 0;
}

int
dp_pa_del(const char *ip, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < fake_nb_pas; i++) {
		if (strncmp(fake_pas[i], ip, strlen(ip)) == 0 && fake_pas[i][strlen(ip)] == '/') {
			memmove(fake_pas[i], fake_pas[i + 1], (fake_nb_pas - i - 1) * 20);
			fake_nb_pas--;
			fake_note("pa.del %s", ip);
			return 0;
		}
	}
	snprintf(err, errlen, "provider address %s not found", ip);
	return -ENOENT;
}

static int
fake_route_find(const char *prefix)
{
	for (unsigned int i = 0; i < fake_nb_routes; i++)
		if (strcmp(fake_routes[i].prefix, prefix) == 0)
			return (int)i;
	return -1;
}

int
dp_route_add(const char *prefix, const char *gateway, char *err, size_t errlen)
{
	int i = fake_route_find(prefix);

	if (!fake_is_ipv4(gateway)) {
		snprintf(err, errlen, "gateway '%s' is not an IPv4 address", gateway);
		return -EINVAL;
	}
	if (i >= 0 && fake_routes[i].connected) {
		snprintf(err, errlen, "%s is a connected route", prefix);
		return -EEXIST;
	}
	if (i < 0) {
		if (fake_nb_routes == FAKE_MAX_ROUTES)
			return -ENOSPC;
		i = (int)fake_nb_routes++;
	}
	fake_routes[i] = (struct dp_route_info){ .connected = false };
	snprintf(fake_routes[i].prefix, sizeof(fake_routes[i].prefix), "%s", prefix);
	snprintf(fake_routes[i].gateway, sizeof(fake_routes[i].gateway), "%s", gateway);
	fake_note("route.add %s via %s", prefix, gateway);
	return 0;
}

int
dp_route_del(const char *prefix, char *err, size_t errlen)
{
	int i = fake_route_find(prefix);

	if (i < 0) {
		snprintf(err, errlen, "route %s not found", prefix);
		return -ENOENT;
	}
	if (fake_routes[i].connected) {
		snprintf(err, errlen, "%s is a connected route; delete its provider address",
			 prefix);
		return -EPERM;
	}
	fake_routes[i] = fake_routes[--fake_nb_routes];
	fake_note("route.del %s", prefix);
	return 0;
}

int
dp_route_walk(dp_route_cb *cb, void *arg)
{
	for (unsigned int i = 0; i < fake_nb_routes; i++)
		cb(&fake_routes[i], arg);
	return (int)fake_nb_routes;
}

static int
fake_neigh_find(const char *ip)
{
	for (unsigned int i = 0; i < fake_nb_neigh; i++)
		if (strcmp(fake_neigh[i].ip, ip) == 0)
			return (int)i;
	return -1;
}

int
dp_neigh_add(const char *ip, const uint8_t mac[6], char *err, size_t errlen)
{
	int i = fake_neigh_find(ip);

	if (mac[0] & 1) {
		snprintf(err, errlen, "a neighbour's MAC must be unicast");
		return -EINVAL;
	}
	if (i < 0) {
		if (fake_nb_neigh == FAKE_MAX_NEIGH)
			return -ENOSPC;
		i = (int)fake_nb_neigh++;
	}
	fake_neigh[i] = (struct dp_neigh_info){ .is_static = true, .resolved = true };
	snprintf(fake_neigh[i].ip, sizeof(fake_neigh[i].ip), "%s", ip);
	memcpy(fake_neigh[i].mac, mac, 6);
	fake_note("neigh.add %s", ip);
	return 0;
}

int
dp_neigh_del(const char *ip, char *err, size_t errlen)
{
	int i = fake_neigh_find(ip);

	if (i < 0) {
		snprintf(err, errlen, "neighbour %s not found", ip);
		return -ENOENT;
	}
	fake_neigh[i] = fake_neigh[--fake_nb_neigh];
	fake_note("neigh.del %s", ip);
	return 0;
}

int
dp_neigh_walk(dp_neigh_cb *cb, void *arg)
{
	for (unsigned int i = 0; i < fake_nb_neigh; i++)
		cb(&fake_neigh[i], arg);
	return (int)fake_nb_neigh;
}

static bool
fake_is_our_pa(const char *ip)
{
	for (unsigned int i = 0; i < fake_nb_pas; i++)
		if (strncmp(fake_pas[i], ip, strlen(ip)) == 0 && fake_pas[i][strlen(ip)] == '/')
			return true;
	return false;
}

int
dp_lookup_add(uint32_t vsid, const char *ca_ip, const uint8_t ca_mac[6], const char *pa, char *err,
	      size_t errlen)
{
	struct dp_lookup_record *r = NULL;
	bool known = false;

	for (int i = 0; i < VSW_MAX_BDS; i++)
		known = known || (fake_bds[i][0] != '\0' && fake_bd_settings[i].vsid == vsid);
	if (!known) {
		snprintf(err, errlen, "VSID %u is not configured on any bridge domain", vsid);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < fake_nb_records; i++) {
		struct dp_lookup_record *o = &fake_records[i];

		if (o->vsid == vsid && strcmp(o->ca_ip, ca_ip) == 0)
			r = o;
		/* One PA per MAC: the whole VM moves. */
		if (o->vsid == vsid && memcmp(o->ca_mac, ca_mac, 6) == 0) {
			snprintf(o->pa, sizeof(o->pa), "%s", pa);
			o->local = fake_is_our_pa(pa);
		}
	}
	if (r == NULL) {
		if (fake_nb_records == FAKE_MAX_RECORDS)
			return -ENOSPC;
		r = &fake_records[fake_nb_records++];
	}
	*r = (struct dp_lookup_record){ .vsid = vsid, .local = fake_is_our_pa(pa) };
	snprintf(r->ca_ip, sizeof(r->ca_ip), "%s", ca_ip);
	snprintf(r->pa, sizeof(r->pa), "%s", pa);
	memcpy(r->ca_mac, ca_mac, 6);
	fake_note("lookup.add %u %s %s", vsid, ca_ip, pa);
	return 0;
}

int
dp_lookup_del(uint32_t vsid, const char *ca_ip, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < fake_nb_records; i++) {
		if (fake_records[i].vsid == vsid && strcmp(fake_records[i].ca_ip, ca_ip) == 0) {
			fake_records[i] = fake_records[--fake_nb_records];
			fake_note("lookup.del %u %s", vsid, ca_ip);
			return 0;
		}
	}
	snprintf(err, errlen, "no lookup record for %s in VSID %u", ca_ip, vsid);
	return -ENOENT;
}

int
dp_lookup_walk(uint32_t vsid, dp_lookup_cb *cb, void *arg)
{
	int n = 0;

	for (unsigned int i = 0; i < fake_nb_records; i++) {
		if (vsid != 0 && fake_records[i].vsid != vsid)
			continue;
		cb(&fake_records[i], arg);
		n++;
	}
	return n;
}

void
dp_overlay_get(struct dp_overlay_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->uplink, sizeof(info->uplink), "%s", fake_uplink);
	if (fake_uplink[0] != '\0') {
		info->uplink_mtu = fake_mtu;
		info->tenant_mtu = (uint16_t)(fake_mtu - 42);
		snprintf(info->uplink_mac, sizeof(info->uplink_mac), "02:00:00:00:0f:01");
	}
	info->nb_pas = fake_nb_pas;
	memcpy(info->pas, fake_pas, sizeof(info->pas));
}
