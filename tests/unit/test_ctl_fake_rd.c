/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake dataplane's routing domains: names, MACs and routes kept as
 * given, so that the ctl tests see what rd.* saves and replays.  The rules
 * (overlap, next-hop resolution) are the real dataplane's and are tested
 * through it (tests/dp/test_rd_pipeline.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "dp_rd.h"
#include "test_ctl_fake_dp_priv.h"

#define FAKE_MAX_RDS 8

static struct {
	char name[PORT_NAME_MAX];
	uint8_t mac[6];
	unsigned int nb_routes;
	struct dp_rd_route routes[8];
} fake_rds[FAKE_MAX_RDS];

void
fake_rd_reset(void)
{
	memset(fake_rds, 0, sizeof(fake_rds));
}

static int
fake_rd_find(const char *name)
{
	for (int i = 0; i < FAKE_MAX_RDS; i++)
		if (fake_rds[i].name[0] != '\0' && strcmp(fake_rds[i].name, name) == 0)
			return i;
	return -ENOENT;
}

void
dp_rd_default_mac(const char *name, uint8_t mac[6])
{
	(void)name;
	memcpy(mac, "\x02\x76\x72\x00\x00\x01", 6);
}

int
dp_rd_add(const char *name, const uint8_t *mac, char *err, size_t errlen)
{
	for (int i = 0; i < FAKE_MAX_RDS; i++) {
		if (fake_rd_find(name) >= 0) {
			snprintf(err, errlen, "routing domain '%s' already exists", name);
			return -EEXIST;
		}
		if (fake_rds[i].name[0] == '\0') {
			snprintf(fake_rds[i].name, sizeof(fake_rds[i].name), "%s", name);
			if (mac != NULL)
				memcpy(fake_rds[i].mac, mac, 6);
			else
				dp_rd_default_mac(name, fake_rds[i].mac);
			fake_rds[i].nb_routes = 0;
			return 0;
		}
	}
	snprintf(err, errlen, "full");
	return -ENOSPC;
}

int
dp_rd_del(const char *name, char *err, size_t errlen)
{
	int i = fake_rd_find(name);

	if (i < 0) {
		snprintf(err, errlen, "routing domain '%s' does not exist", name);
		return -ENOENT;
	}
	fake_rds[i].name[0] = '\0';
	return 0;
}

int
dp_rd_route_add(const char *rd, uint32_t prefix, uint8_t len, uint32_t via, char *err,
		size_t errlen)
{
	int i = fake_rd_find(rd);
	struct dp_rd_route *r;

	if (i < 0 || fake_rds[i].nb_routes == 8) {
		snprintf(err, errlen, "routing domain '%s' does not exist", rd);
		return -ENOENT;
	}
	r = &fake_rds[i].routes[fake_rds[i].nb_routes++];
	memset(r, 0, sizeof(*r));
	snprintf(r->rd, sizeof(r->rd), "%s", rd);
	r->prefix = prefix;
	r->len = len;
	r->via = via;
	return 0;
}

int
dp_rd_route_del(const char *rd, uint32_t prefix, uint8_t len, char *err, size_t errlen)
{
	int i = fake_rd_find(rd);

	for (unsigned int k = 0; i >= 0 && k < fake_rds[i].nb_routes; k++) {
		if (fake_rds[i].routes[k].prefix == prefix && fake_rds[i].routes[k].len == len) {
			fake_rds[i].routes[k] = fake_rds[i].routes[--fake_rds[i].nb_routes];
			return 0;
		}
	}
	snprintf(err, errlen, "no such route");
	return -ENOENT;
}

unsigned int
dp_rd_list(struct dp_rd_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < FAKE_MAX_RDS; i++) {
		if (fake_rds[i].name[0] == '\0')
			continue;
		if (n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(out[n].name, fake_rds[i].name, sizeof(out[n].name));
			out[n].id = (uint16_t)i;
			memcpy(out[n].mac, fake_rds[i].mac, 6);
			out[n].nb_routes = fake_rds[i].nb_routes;
		}
		n++;
	}
	return n;
}

int
dp_rd_subnet_walk(const char *rd, dp_rd_subnet_cb *cb, void *arg)
{
	(void)cb;
	(void)arg;
	return rd != NULL && fake_rd_find(rd) < 0 ? -ENOENT : 0;
}

int
dp_rd_route_walk(const char *rd, dp_rd_route_cb *cb, void *arg)
{
	int n = 0;

	for (int i = 0; i < FAKE_MAX_RDS; i++) {
		if (fake_rds[i].name[0] == '\0' || (rd != NULL && strcmp(rd, fake_rds[i].name) != 0))
			continue;
		for (unsigned int k = 0; k < fake_rds[i].nb_routes; k++, n++)
			cb(&fake_rds[i].routes[k], arg);
	}
	return rd != NULL && fake_rd_find(rd) < 0 ? -ENOENT : n;
}
