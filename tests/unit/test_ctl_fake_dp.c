/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_ctl_fake_dp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_methods.h"
#include "dp.h"

/* A port the fake dataplane "opened". */
struct fake_port {
	bool used;		  /**< slot taken */
	char name[PORT_NAME_MAX]; /**< port name */
	char type[16];		  /**< type name */
	char bd[PORT_NAME_MAX];	  /**< bridge domain */
};

static struct fake_port fake_ports[VSW_MAX_PORTS];
static char fake_bds[VSW_MAX_BDS][PORT_NAME_MAX];
static char fake_options[512];

/* ctl_system.c needs DPDK for rte_version(); the fake has no system methods. */
const struct ctl_method ctl_system_methods[] = {
	{ .name = NULL },
};

void
fake_dp_reset(void)
{
	memset(fake_ports, 0, sizeof(fake_ports));
	memset(fake_bds, 0, sizeof(fake_bds));
	snprintf(fake_bds[0], PORT_NAME_MAX, "%s", DP_DEFAULT_BD);
}

const char *
fake_dp_last_options(void)
{
	return fake_options;
}

int
dp_bd_find(const char *name)
{
	for (int i = 0; i < VSW_MAX_BDS; i++)
		if (fake_bds[i][0] != '\0' && strcmp(fake_bds[i], name) == 0)
			return i;
	return -ENOENT;
}

int
dp_bd_add(const char *name, char *err, size_t errlen)
{
	if (dp_bd_find(name) >= 0) {
		snprintf(err, errlen, "bridge domain '%s' already exists", name);
		return -EEXIST;
	}
	for (int i = 0; i < VSW_MAX_BDS; i++) {
		if (fake_bds[i][0] == '\0') {
			snprintf(fake_bds[i], PORT_NAME_MAX, "%s", name);
			return 0;
		}
	}
	return -ENOSPC;
}

int
dp_bd_del(const char *name, char *err, size_t errlen)
{
	int id = dp_bd_find(name);

	if (id < 0) {
		snprintf(err, errlen, "bridge domain '%s' not found", name);
		return -ENOENT;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (fake_ports[i].used && strcmp(fake_ports[i].bd, name) == 0) {
			snprintf(err, errlen, "bridge domain '%s' has ports", name);
			return -EBUSY;
		}
	}
	fake_bds[id][0] = '\0';
	return 0;
}

unsigned int
dp_bd_list(struct dp_bd_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < VSW_MAX_BDS; i++) {
		if (fake_bds[i][0] == '\0')
			continue;
		if (n < max) {
			out[n] = (struct dp_bd_info){ .id = (uint16_t)i };
			memcpy(out[n].name, fake_bds[i], sizeof(out[n].name));
		}
		n++;
	}
	return n;
}

int
dp_port_find(const char *name)
{
	for (int i = 0; i < VSW_MAX_PORTS; i++)
		if (fake_ports[i].used && strcmp(fake_ports[i].name, name) == 0)
			return i;
	return -ENOENT;
}

int
dp_port_add(const struct port_spec *spec, const char *bd, char *err, size_t errlen)
{
	const char *iface = port_spec_option(spec, "iface");
	size_t off = 0;

	fake_options[0] = '\0';
	for (unsigned int i = 0; i < spec->nb_options; i++)
		off += (size_t)snprintf(fake_options + off, sizeof(fake_options) - off, "%s%s=%s",
					i > 0 ? "," : "", spec->options[i].key,
					spec->options[i].value);
	if (bd == NULL)
		bd = DP_DEFAULT_BD;
	if (dp_port_find(spec->name) >= 0) {
		snprintf(err, errlen, "port '%s' already exists", spec->name);
		return -EEXIST;
	}
	if (dp_bd_find(bd) < 0) {
		snprintf(err, errlen, "bridge domain '%s' not found", bd);
		return -ENOENT;
	}
	if (strcmp(spec->type, "kernel") == 0 && iface != NULL && strcmp(iface, "gone0") == 0) {
		snprintf(err, errlen, "kernel interface 'gone0' does not exist");
		return -ENODEV;
	}
	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		if (!fake_ports[i].used) {
			fake_ports[i].used = true;
			snprintf(fake_ports[i].name, PORT_NAME_MAX, "%s", spec->name);
			snprintf(fake_ports[i].type, sizeof(fake_ports[i].type), "%s", spec->type);
			snprintf(fake_ports[i].bd, PORT_NAME_MAX, "%s", bd);
			return 0;
		}
	}
	return -ENOSPC;
}

int
dp_port_del(const char *name, char *err, size_t errlen)
{
	int id = dp_port_find(name);

	if (id < 0) {
		snprintf(err, errlen, "port '%s' not found", name);
		return -ENOENT;
	}
	fake_ports[id].used = false;
	return 0;
}

unsigned int
dp_port_list(struct dp_port_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (int i = 0; i < VSW_MAX_PORTS; i++) {
		struct dp_port_info *p = &out[n];

		if (!fake_ports[i].used)
			continue;
		if (n < max) {
			*p = (struct dp_port_info){ .id = (uint16_t)i,
						    .eth_port = (uint16_t)(i + 10),
						    .link_up = true };
			snprintf(p->name, sizeof(p->name), "%s", fake_ports[i].name);
			snprintf(p->type, sizeof(p->type), "%s", fake_ports[i].type);
			snprintf(p->bd, sizeof(p->bd), "%s", fake_ports[i].bd);
			snprintf(p->mac, sizeof(p->mac), "AA:BB:CC:00:00:%02X", i);
		}
		n++;
	}
	return n;
}

const char *
port_spec_option(const struct port_spec *spec, const char *key)
{
	for (unsigned int i = 0; i < spec->nb_options; i++)
		if (strcmp(spec->options[i].key, key) == 0)
			return spec->options[i].value;
	return NULL;
}

int
dp_port_get_stats(const char *name, struct dp_port_stats *st)
{
	int id = dp_port_find(name);

	if (id < 0)
		return -ENOENT;
	*st = (struct dp_port_stats){ .rx_packets = (uint64_t)id + 1, .tx_bytes = 1000 };
	return 0;
}

int
dp_fdb_walk(const char *bd, dp_fdb_cb *cb, void *arg)
{
	struct dp_fdb_entry e = { .mac = { 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0x0F } };

	if (bd != NULL && dp_bd_find(bd) < 0)
		return -ENOENT;
	snprintf(e.bd, sizeof(e.bd), "%s", DP_DEFAULT_BD);
	snprintf(e.port, sizeof(e.port), "vm1");
	if (bd == NULL || strcmp(bd, DP_DEFAULT_BD) == 0) {
		cb(&e, arg);
		return 1;
	}
	return 0;
}

int
dp_fdb_flush(const char *bd, const char *port, char *err, size_t errlen)
{
	(void)port;
	if (bd != NULL && dp_bd_find(bd) < 0) {
		snprintf(err, errlen, "bridge domain '%s' not found", bd);
		return -ENOENT;
	}
	return 3;
}

unsigned int
dp_counters(struct dp_counter *out, unsigned int max)
{
	static const struct dp_counter all[] = {
		{ "drop_malformed", "frames too short to parse", 0 },
		{ "fdb_learned", "MACs learned", 7 },
	};

	for (unsigned int i = 0; i < 2 && i < max; i++)
		out[i] = all[i];
	return 2;
}

unsigned int
dp_pmd_stats(struct dp_pmd_stats *out, unsigned int max)
{
	if (max > 0)
		out[0] = (struct dp_pmd_stats){ .lcore = 1,
						.busy_cycles = 1000,
						.idle_cycles = 3000,
						.packets = 10,
						.bursts = 4,
						.nb_rxq = 2 };
	return 1;
}
