/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_ctl_fake_dp.h"
#include "test_ctl_fake_dp_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_methods.h"
#include "dp.h"

/* A static MAC entry. */
struct fake_static {
	bool used;		  /**< slot taken */
	char bd[PORT_NAME_MAX];	  /**< bridge domain */
	uint8_t mac[6];		  /**< MAC */
	char port[PORT_NAME_MAX]; /**< port */
};

#define FAKE_MAX_STATIC 16

struct fake_port fake_ports[VSW_MAX_PORTS];
char fake_bds[VSW_MAX_BDS][PORT_NAME_MAX];
struct dp_bd_info fake_bd_settings[VSW_MAX_BDS];
static struct fake_static fake_statics[FAKE_MAX_STATIC];
static char fake_options[512];
static char fake_log[4096];
static dp_event_cb *fake_event_cb;
char fake_uplink[PORT_NAME_MAX];
static void *fake_event_arg;

void
fake_note(const char *fmt, ...)
{
	size_t off = strlen(fake_log);
	va_list ap;

	if (off > 0 && off < sizeof(fake_log))
		off += (size_t)snprintf(fake_log + off, sizeof(fake_log) - off, "; ");
	if (off >= sizeof(fake_log))
		return;
	va_start(ap, fmt);
	vsnprintf(fake_log + off, sizeof(fake_log) - off, fmt, ap);
	va_end(ap);
}

static void
fake_bd_defaults(int id)
{
	fake_bd_settings[id] = (struct dp_bd_info){
		.aging_s = 300, .learning = true, .flap_moves = 5, .flap_window_s = 10
	};
}

/* ctl_system.c needs DPDK for rte_version(); the fake has no system methods. */
const struct ctl_method ctl_system_methods[] = {
	{ .name = NULL },
};


void
fake_dp_reset(void)
{
	memset(fake_ports, 0, sizeof(fake_ports));
	memset(fake_bds, 0, sizeof(fake_bds));
	memset(fake_statics, 0, sizeof(fake_statics));
	fake_log[0] = '\0';
	fake_overlay_reset();
	fake_rd_reset();
	snprintf(fake_bds[0], PORT_NAME_MAX, "%s", DP_DEFAULT_BD);
	fake_bd_defaults(0);
}

const char *
fake_dp_log(void)
{
	return fake_log;
}

void
dp_set_event_handler(dp_event_cb *cb, void *arg)
{
	fake_event_cb = cb;
	fake_event_arg = arg;
}

void
fake_dp_emit(const struct dp_event *ev)
{
	if (fake_event_cb != NULL)
		fake_event_cb(ev, fake_event_arg);
}

void
dp_periodic(void)
{
}

/* A non-negative decimal that fits 32 bits; @return 0 or -EINVAL. */
static int
fake_u32(const char *text, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
dp_bd_set(const char *name, const char *key, const char *value, char *err, size_t errlen)
{
	int id = dp_bd_find(name);
	struct dp_bd_info *b;
	uint32_t *field = NULL;

	if (id < 0) {
		snprintf(err, errlen, "bridge domain '%s' not found", name);
		return -ENOENT;
	}
	b = &fake_bd_settings[id];
	if (strcmp(key, "aging") == 0)
		field = &b->aging_s;
	else if (strcmp(key, "max-macs") == 0)
		field = &b->max_macs;
	else if (strcmp(key, "flap-moves") == 0)
		field = &b->flap_moves;
	else if (strcmp(key, "flap-window") == 0)
		field = &b->flap_window_s;
	else if (strcmp(key, "flap-hold") == 0)
		field = &b->flap_hold_s;
	if (field != NULL) {
		uint32_t v;

		if (fake_u32(value, &v) < 0 || (field == &b->aging_s && v > 1000000)) {
			snprintf(err, errlen,
				 "%s: expected seconds or a count from 0 to 1000000, got '%s'", key,
				 value);
			return -EINVAL;
		}
		*field = v;
	} else if (strcmp(key, "learning") == 0 &&
		   (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)) {
		b->learning = strcmp(value, "on") == 0;
	} else if (strcmp(key, "limit-action") == 0 &&
		   (strcmp(value, "forward") == 0 || strcmp(value, "drop") == 0)) {
		b->drop_over_limit = strcmp(value, "drop") == 0;
	} else if (strcmp(key, "vsid") == 0) {
		uint32_t v;

		if (fake_u32(value, &v) < 0 || (v != 0 && (v < 0x1000 || v > 0xFFFFFE))) {
			snprintf(err, errlen,
				 "vsid: expected 4096 to 16777214 (0 = none), got '%s'", value);
			return -EINVAL;
		}
		for (int i = 0; v != 0 && i < VSW_MAX_BDS; i++) {
			if (i != id && fake_bds[i][0] != '\0' && fake_bd_settings[i].vsid == v) {
				snprintf(err, errlen,
					 "VSID %u is already used by bridge domain '%s'", v,
					 fake_bds[i]);
				return -EEXIST;
			}
		}
		b->vsid = v;
	} else if (strcmp(key, "learning") == 0 || strcmp(key, "limit-action") == 0) {
		snprintf(err, errlen, "%s: bad value '%s'", key, value);
		return -EINVAL;
	} else {
		snprintf(err, errlen,
			 "unknown bridge-domain setting '%s' (known: aging, max-macs, learning, "
			 "limit-action, flap-moves, flap-window, flap-hold, vsid)",
			 key);
		return -EINVAL;
	}
	fake_note("bd.set %s %s=%s", name, key, value);
	return 0;
}

int
dp_port_set(const char *name, const char *key, const char *value, char *err, size_t errlen)
{
	int id = dp_port_find(name);

	if (id < 0) {
		snprintf(err, errlen, "port '%s' not found", name);
		return -ENOENT;
	}
	if (strcmp(key, "max-macs") == 0) {
		if (fake_u32(value, &fake_ports[id].max_macs) < 0) {
			snprintf(err, errlen, "max-macs: bad value '%s'", value);
			return -EINVAL;
		}
	} else if (strcmp(key, "allowed-macs") == 0) {
		snprintf(fake_ports[id].allowed_macs, sizeof(fake_ports[id].allowed_macs), "%s",
			 value);
	} else {
		snprintf(err, errlen, "unknown port setting '%s'", key);
		return -EINVAL;
	}
	fake_note("port.set %s %s=%s", name, key, value);
	return 0;
}

static int
fake_static_find(const char *bd, const uint8_t mac[6])
{
	for (int i = 0; i < FAKE_MAX_STATIC; i++)
		if (fake_statics[i].used && strcmp(fake_statics[i].bd, bd) == 0 &&
		    memcmp(fake_statics[i].mac, mac, 6) == 0)
			return i;
	return -1;
}

int
dp_fdb_add_static(const char *bd, const uint8_t mac[6], const char *port, char *err, size_t errlen)
{
	int p = dp_port_find(port), i;

	if (dp_bd_find(bd) < 0) {
		snprintf(err, errlen, "bridge domain '%s' not found", bd);
		return -ENOENT;
	}
	if (p < 0 || strcmp(fake_ports[p].bd, bd) != 0 || strcmp(fake_uplink, port) == 0) {
		snprintf(err, errlen, "port '%s' not found in bridge domain '%s'", port, bd);
		return -ENOENT;
	}
	if (mac[0] & 1) {
		snprintf(err, errlen, "a static MAC must be unicast");
		return -EINVAL;
	}
	i = fake_static_find(bd, mac);
	for (int j = 0; i < 0 && j < FAKE_MAX_STATIC; j++)
		if (!fake_statics[j].used)
			i = j;
	if (i < 0)
		return -ENOSPC;
	fake_statics[i].used = true;
	snprintf(fake_statics[i].bd, PORT_NAME_MAX, "%s", bd);
	snprintf(fake_statics[i].port, PORT_NAME_MAX, "%s", port);
	memcpy(fake_statics[i].mac, mac, 6);
	fake_note("fdb.add %s %02x:%02x:%02x:%02x:%02x:%02x %s", bd, mac[0], mac[1], mac[2], mac[3],
		  mac[4], mac[5], port);
	return 0;
}

int
dp_fdb_del(const char *bd, const uint8_t mac[6], char *err, size_t errlen)
{
	int i = fake_static_find(bd, mac);

	if (i < 0) {
		snprintf(err, errlen, "MAC not found in bridge domain '%s'", bd);
		return -ENOENT;
	}
	fake_statics[i].used = false;
	fake_note("fdb.del %s", bd);
	return 0;
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
			fake_bd_defaults(i);
			fake_note("bd.add %s", name);
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
			out[n] = fake_bd_settings[i];
			out[n].id = (uint16_t)i;
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
			fake_ports[i].max_macs = 0;
			fake_ports[i].allowed_macs[0] = '\0';
			fake_note("port.add %s", spec->name);
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
	if (strcmp(fake_uplink, name) == 0)
		fake_uplink[0] = '\0';
	/* Its static MACs go with it. */
	for (int i = 0; i < FAKE_MAX_STATIC; i++)
		if (fake_statics[i].used && strcmp(fake_statics[i].port, name) == 0)
			fake_statics[i].used = false;
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
			p->is_uplink = strcmp(fake_uplink, fake_ports[i].name) == 0;
			snprintf(p->mac, sizeof(p->mac), "AA:BB:CC:00:00:%02X", i);
			p->max_macs = fake_ports[i].max_macs;
			snprintf(p->allowed_macs, sizeof(p->allowed_macs), "%s",
				 fake_ports[i].allowed_macs);
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

/* Two RX queues (one polled by lcore 1, one by none) and one TX queue. */
int
dp_port_queue_stats(const char *name, struct dp_queue_stats *out, unsigned int max)
{
	int id = dp_port_find(name);

	if (id < 0)
		return -ENOENT;
	if (max > 0)
		out[0] = (struct dp_queue_stats){ .queue = 0, .has_rxq = true, .has_txq = true,
						  .lcore = 1, .rx_packets = 5, .tx_packets = 7 };
	if (max > 1)
		out[1] = (struct dp_queue_stats){ .queue = 1, .has_rxq = true, .lcore = -1,
						  .rx_packets = 3 };
	return 2;
}

int
dp_fdb_walk(const char *bd, dp_fdb_cb *cb, void *arg)
{
	struct dp_fdb_entry e = { .mac = { 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0x0F },
				  .age_s = 12,
				  .moves = 1,
				  .cause = "learned" };
	int n = 0;

	if (bd != NULL && dp_bd_find(bd) < 0)
		return -ENOENT;
	snprintf(e.bd, sizeof(e.bd), "%s", DP_DEFAULT_BD);
	snprintf(e.port, sizeof(e.port), "vm1");
	if (bd == NULL || strcmp(bd, DP_DEFAULT_BD) == 0) {
		cb(&e, arg);
		n++;
	}
	for (int i = 0; i < FAKE_MAX_STATIC; i++) {
		const struct fake_static *s = &fake_statics[i];

		if (!s->used || (bd != NULL && strcmp(bd, s->bd) != 0))
			continue;
		e = (struct dp_fdb_entry){ .is_static = true, .cause = "static" };
		snprintf(e.bd, sizeof(e.bd), "%s", s->bd);
		snprintf(e.port, sizeof(e.port), "%s", s->port);
		memcpy(e.mac, s->mac, 6);
		cb(&e, arg);
		n++;
	}
	return n;
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
