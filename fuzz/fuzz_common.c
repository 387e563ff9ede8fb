/* SPDX-License-Identifier: BSD-3-Clause */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_priv.h"
#include "dp_worker.h"
#include "test_addr.h"

#define MAX_COUNTERS 128 /* more than dp_counters() reports */

static bool started;      /* EAL and the dataplane are up */
static bool host_ready;   /* fuzz_host_setup() ran */
static char err[VSW_ERR_LEN];

/* Readings taken by fuzz_begin(), compared by fuzz_check(). */
static struct {
	unsigned int mbufs;                       /**< buffers in use */
	unsigned int nb_counters;                 /**< entries in 'counters' */
	struct dp_counter counters[MAX_COUNTERS]; /**< every named counter */
	uint64_t rx, tx;                          /**< port statistics summed over ports */
} before;

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* At exit (libFuzzer's -max_total_time, the replay's end): free it all, so LeakSanitizer sees no leak. */
static void
dp_shutdown(void)
{
	dp_stop();
	dp_fini();
	rte_eal_cleanup();
}

void
fuzz_dp_start(void)
{
	/* Writable copies: rte_eal_init() takes char **. */
	char a0[] = "vsw-fuzz", a1[] = "--no-huge", a2[] = "--no-pci", a3[] = "--no-shconf",
	     a4[] = "-m", a5[] = "256",
	     /* Two lcores on one CPU: dp_init() wants a worker lcore, which we never launch. */
	     a6[] = "--lcores=0@0,1@0", a7[] = "--log-level=*:error", a8[] = "--file-prefix",
	     a9[64];
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL };
	struct dp_options opts = { .fdb_size = 4096, .nb_mbufs = 4095 };

	if (started)
		return;
	snprintf(a9, sizeof(a9), "vswfuzz%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		fuzz_fail("rte_eal_init failed");
	if (dp_init(&opts, err, sizeof(err)) < 0)
		fuzz_fail("dp_init: %s", err);
	atexit(dp_shutdown);
	started = true;
}

static void
must(int ret, const char *what)
{
	if (ret < 0)
		fuzz_fail("setting up %s: %s", what, err);
}

static void
add_ring(const char *name, const char *bd)
{
	struct port_spec spec = { .name = name, .type = "ring" };

	must(dp_port_add(&spec, bd, err, sizeof(err)), name);
}

static void
add_record(const char *ip, const char *mac_text, const char *pa)
{
	struct rte_ether_addr mac;

	if (rte_ether_unformat_addr(mac_text, &mac) != 0)
		fuzz_fail("bad MAC %s", mac_text);
	must(dp_lookup_add(FUZZ_VSID, tca(ip), mac.addr_bytes, tip(pa)), "a lookup record");
}

void
fuzz_host_setup(void)
{
	struct rte_ether_addr gw;
	struct dp_port_settings vm5 = { .fields = DP_PORT_SET_ALLOWED, .nb_allowed = 2 };
	struct dp_port_settings trunk = { .fields = DP_PORT_SET_VLAN,
					  .vlan = { .mode = DP_VLAN_TRUNK, .native = 10 } };
	struct dp_port_settings access = { .fields = DP_PORT_SET_VLAN,
					   .vlan = { .mode = DP_VLAN_ACCESS, .vlan = 20 } };
	struct dp_bd_settings set;

	if (host_ready)
		return;
	fuzz_dp_start();
	must(dp_bd_add("t1"), "t1");
	set = dp_bd_defaults;
	set.vsid = 5001;
	must(dp_bd_apply("t1", &set, NULL), "t1 vsid");
	must(dp_bd_add("blue"), "blue");
	set = dp_bd_defaults;
	set.max_macs = 4;
	set.drop_over_limit = true;
	must(dp_bd_apply("blue", &set, NULL), "blue max-macs, limit-action");
	add_ring("vm1", "t1");
	add_ring("vm2", "t1");
	add_ring("vm3", NULL);
	add_ring("vm4", NULL);
	add_ring("vm5", "blue");
	add_ring("vm6", "blue");
	rte_ether_unformat_addr("02:00:00:00:00:05", &vm5.allowed[0]);
	rte_ether_unformat_addr("02:00:00:00:00:55", &vm5.allowed[1]);
	must(dp_port_set("vm5", &vm5, NULL), "vm5 allowed-macs");
	add_ring("up", NULL);
	rte_ether_unformat_addr(FUZZ_GW_MAC, &gw);
	must(dp_uplink_set("up", 1500), "the uplink");
	must(dp_pa_add(tpfx(FUZZ_OUR_PA "/24")), "the PA");
	must(dp_neigh_add(tip(FUZZ_GW), gw.addr_bytes), "the gateway");
	must(dp_route_add(tpfx("192.0.2.0/24"), tip(FUZZ_GW)), "the route");
	/* An IPv6 PA too, so that NVGRE over IPv6 and neighbour discovery are fuzzed. */
	must(dp_pa_add(tpfx(FUZZ_OUR_PA6 "/64")), "the IPv6 PA");
	must(dp_neigh_add(tip(FUZZ_GW6), gw.addr_bytes), "the IPv6 gateway");
	must(dp_route_add(tpfx("2001:db8:2::/64"), tip(FUZZ_GW6)), "the IPv6 route");
	add_record("203.0.113.2", "02:00:00:00:00:0b", "192.0.2.1");
	add_record("203.0.113.3", "02:00:00:00:00:0c", "192.0.2.7");
	add_record("203.0.113.1", "02:00:00:00:00:0a", FUZZ_OUR_PA);
	add_record("203.0.113.4", "02:00:00:00:00:0d", "2001:db8:2::4");
	/* VLANs: vm7 trunks 10 and 20 (native 10), vm8 is an access port of VLAN 20. */
	must(dp_bd_add("v10"), "v10");
	set = dp_bd_defaults;
	set.vlan = 10;
	must(dp_bd_apply("v10", &set, NULL), "v10 vlan");
	must(dp_bd_add("v20"), "v20");
	set.vlan = 20;
	must(dp_bd_apply("v20", &set, NULL), "v20 vlan");
	add_ring("vm7", NULL);
	add_ring("vm8", NULL);
	dp_vlan_bit_set(trunk.vlan.trunks, 10);
	dp_vlan_bit_set(trunk.vlan.trunks, 20);
	must(dp_port_set("vm7", &trunk, NULL), "vm7 trunk");
	must(dp_port_set("vm8", &access, NULL), "vm8 access");
	host_ready = true;
}

struct rte_mbuf *
fuzz_mbuf(const uint8_t *bytes, size_t len, size_t split)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	size_t off = 0;

	if (len > FUZZ_FRAME_MAX)
		len = FUZZ_FRAME_MAX;
	/* A frame longer than a buffer is a chain, as net_pcap and vhost deliver jumbo frames. */
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp_main.pool);
		size_t room, n;
		char *p;

		if (m == NULL)
			fuzz_fail("out of packet buffers while building a frame (a leak?)");
		room = rte_pktmbuf_tailroom(m);
		n = len - off < room ? len - off : room;
		if (split > off && split < len && off + n > split)
			n = split - off;
		p = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(p, bytes + off, n);
		off += n;
		if (head == NULL) {
			head = tail = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break; /* too many segments: the frame is cut */
		} else {
			tail = m;
		}
	} while (off < len);
	(void)tail;
	return head;
}

unsigned int
fuzz_frames(const uint8_t *data, size_t size, struct fuzz_frame *out, unsigned int max)
{
	unsigned int n = 0;
	size_t off = 0;

	while (n < max && off + 3 <= size) {
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

		out[n].flags = data[off];
		off += 3;
		if (len > size - off)
			len = size - off;
		out[n].bytes = data + off;
		out[n].len = len;
		off += len;
		n++;
	}
	return n;
}

static struct rte_ring *
port_ring(const char *port, const char *dir)
{
	char name[RTE_RING_NAMESIZE];

	/* open_ring_port() names them so, cut to the ring name size as it is cut there. */
	if (snprintf(name, sizeof(name), "vsw_%s_%s", dir, port) < 0)
		return NULL;
	return rte_ring_lookup(name);
}

void
fuzz_inject(struct fuzz_tally *t, const char *port, struct rte_mbuf *m)
{
	struct rte_ring *r = port_ring(port, "rx");

	if (r == NULL)
		fuzz_fail("no RX ring for port %s", port);
	/* A full ring: run the switch first, as a real one would have by then. */
	while (rte_ring_enqueue(r, m) != 0)
		fuzz_round();
	t->injected++;
}

void
fuzz_round(void)
{
	dp_poll_round(dp_main.lcores[0], atomic_load(&dp_main.snapshot));
}

/* Frames still waiting anywhere the switch will look at them again. */
static unsigned int
nb_waiting(const struct dp_port_info *ports, unsigned int nb_ports)
{
	unsigned int n = rte_ring_count(dp_main.ctl_rx) + rte_ring_count(dp_main.lcores[0]->inject);

	for (unsigned int i = 0; i < nb_ports; i++) {
		struct rte_ring *r = port_ring(ports[i].name, "rx");

		if (r != NULL && strcmp(ports[i].type, "ring") == 0)
			n += rte_ring_count(r);
	}
	return n;
}

void
fuzz_settle(struct fuzz_tally *t, fuzz_seen_fn *seen)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int nb_ports = dp_port_list(ports, VSW_MAX_PORTS);

	for (unsigned int i = 0; i < 64; i++) {
		fuzz_round();
		/* The control thread's share: uplink ARP, events, aging. */
		dp_periodic();
		if (nb_waiting(ports, nb_ports) == 0)
			break;
	}
	if (nb_waiting(ports, nb_ports) != 0)
		fuzz_fail("frames still queued after 64 poll rounds");
	for (unsigned int i = 0; i < nb_ports && i < VSW_MAX_PORTS; i++) {
		struct rte_ring *r = port_ring(ports[i].name, "tx");
		struct rte_mbuf *m;

		if (r == NULL || strcmp(ports[i].type, "ring") != 0)
			continue;
		while (rte_ring_dequeue(r, (void **)&m) == 0) {
			if (seen != NULL)
				seen(ports[i].name, m);
			rte_pktmbuf_free(m);
			t->drained++;
		}
	}
}

unsigned int
fuzz_mbufs_in_use(void)
{
	return rte_mempool_in_use_count(dp_main.pool);
}

static void
port_totals(uint64_t *rx, uint64_t *tx)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);

	*rx = *tx = 0;
	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++) {
		struct dp_port_stats st;

		if (strcmp(ports[i].type, "ring") != 0 || dp_port_get_stats(ports[i].name, &st) < 0)
			continue;
		*rx += st.rx_packets;
		*tx += st.tx_packets;
	}
}

void
fuzz_begin(struct fuzz_tally *t)
{
	memset(t, 0, sizeof(*t));
	before.mbufs = fuzz_mbufs_in_use();
	before.nb_counters = dp_counters(before.counters, MAX_COUNTERS);
	port_totals(&before.rx, &before.tx);
}

/* Gauges may go down; every other named counter only counts up. */
static bool
is_gauge(const char *name)
{
	return strcmp(name, "fdb_entries") == 0 || strcmp(name, "mbufs_in_use") == 0;
}

void
fuzz_check(const struct fuzz_tally *t)
{
	struct dp_counter now[MAX_COUNTERS];
	unsigned int n = dp_counters(now, MAX_COUNTERS), in_use = fuzz_mbufs_in_use();
	uint64_t rx, tx, accounted = 0;

	if (in_use != before.mbufs)
		fuzz_fail("packet buffers in use: %u before the input, %u after draining", before.mbufs,
			  in_use);
	if (n != before.nb_counters)
		fuzz_fail("the number of counters changed: %u -> %u", before.nb_counters, n);
	for (unsigned int i = 0; i < n && i < MAX_COUNTERS; i++) {
		uint64_t was = before.counters[i].value;

		if (strcmp(now[i].name, before.counters[i].name) != 0)
			fuzz_fail("counter %u changed name: %s -> %s", i, before.counters[i].name,
				  now[i].name);
		if (is_gauge(now[i].name))
			continue;
		if (now[i].value < was)
			fuzz_fail("counter %s went backwards: %lu -> %lu", now[i].name,
				  (unsigned long)was, (unsigned long)now[i].value);
		/* Frames the uplink hands to the control thread, or that were the provider's own. */
		if (strncmp(now[i].name, "drop_", 5) == 0 || strcmp(now[i].name, "uplink_arp_rx") == 0 ||
		    strcmp(now[i].name, "uplink_icmp_error_rx") == 0 ||
		    strcmp(now[i].name, "uplink_nd_rx") == 0 ||
		    strncmp(now[i].name, "uplink_not_", 11) == 0)
			accounted += now[i].value - was;
	}
	port_totals(&rx, &tx);
	if (rx - before.rx != t->injected)
		fuzz_fail("ports counted %lu frames received, %lu were injected",
			  (unsigned long)(rx - before.rx), (unsigned long)t->injected);
	if (tx - before.tx != t->drained)
		fuzz_fail("ports counted %lu frames sent, %lu were drained",
			  (unsigned long)(tx - before.tx), (unsigned long)t->drained);
	/* DESIGN rule 5: a frame that went nowhere was counted under a drop_* (or uplink_*) name. */
	if (t->injected > 0 && t->drained == 0 && accounted == 0)
		fuzz_fail("%lu frames came in, none went out and no drop was counted",
			  (unsigned long)t->injected);
}

/* Learned neighbours to delete (fuzz_forget_learned). */
struct neigh_list {
	unsigned int n;     /**< entries in 'ip' */
	struct ovl_ip ip[256]; /**< their addresses */
};

static void
collect_learned_neigh(const struct dp_neigh_info *ni, void *arg)
{
	struct neigh_list *l = arg;

	if (!ni->is_static && l->n < 256)
		l->ip[l->n++] = ni->ip;
}

void
fuzz_forget_learned(void)
{
	static struct neigh_list l;

	l.n = 0;
	dp_neigh_walk(collect_learned_neigh, &l);
	for (unsigned int i = 0; i < l.n; i++)
		dp_neigh_del(&l.ip[i]);
	dp_fdb_flush(NULL, NULL);
	dp_periodic();
}

/* What fuzz_reset_config() deletes, collected first: walks must not see their table change. */
struct config_list {
	unsigned int n;                /**< entries */
	char a[1024][PORT_NAME_MAX];   /**< a static MAC's domain */
	struct ovl_prefix p[1024];     /**< routes: prefix; neighbours: address */
	uint32_t ca[1024];             /**< lookup records: customer address */
	uint32_t vsid[1024];           /**< lookup records: their VSID */
	struct rte_ether_addr mac[1024]; /**< static MACs */
};

static void
collect_record(const struct dp_lookup_record *r, void *arg)
{
	struct config_list *l = arg;

	if (l->n < 1024) {
		l->vsid[l->n] = r->vsid;
		l->ca[l->n++] = r->ca_ip;
	}
}

static void
collect_route(const struct dp_route_info *r, void *arg)
{
	struct config_list *l = arg;

	if (!r->connected && l->n < 1024)
		l->p[l->n++] = r->prefix;
}

static void
collect_neigh(const struct dp_neigh_info *ni, void *arg)
{
	struct config_list *l = arg;

	if (l->n < 1024)
		l->p[l->n++].addr = ni->ip;
}

static void
collect_static(const struct dp_fdb_entry *e, void *arg)
{
	struct config_list *l = arg;

	if (e->is_static && l->n < 1024) {
		l->mac[l->n] = e->mac;
		snprintf(l->a[l->n++], sizeof(l->a[0]), "%s", e->bd);
	}
}

static void
count_record(const struct dp_lookup_record *r, void *arg)
{
	(void)r;
	(void)arg;
}

void
fuzz_reset_config(void)
{
	static struct config_list l;
	struct dp_port_info ports[VSW_MAX_PORTS];
	struct dp_bd_info bds[VSW_MAX_BDS];
	int ret;
	struct dp_overlay_info ov;
	unsigned int n;

	l.n = 0;
	dp_lookup_walk(0, collect_record, &l);
	for (unsigned int i = 0; i < l.n; i++)
		dp_lookup_del(l.vsid[i], l.ca[i]);
	l.n = 0;
	dp_route_walk(collect_route, &l);
	for (unsigned int i = 0; i < l.n; i++)
		dp_route_del(&l.p[i]);
	l.n = 0;
	dp_neigh_walk(collect_neigh, &l);
	for (unsigned int i = 0; i < l.n; i++)
		dp_neigh_del(&l.p[i].addr);
	dp_overlay_get(&ov);
	for (unsigned int i = 0; i < ov.nb_pas && i < 8; i++)
		dp_pa_del(&ov.pas[i].addr);
	l.n = 0;
	dp_fdb_walk(NULL, collect_static, &l);
	for (unsigned int i = 0; i < l.n; i++)
		dp_fdb_del(l.a[i], &l.mac[i]);
	n = dp_port_list(ports, VSW_MAX_PORTS);
	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++)
		if (dp_port_del(ports[i].name, err, sizeof(err)) < 0)
			fuzz_fail("cannot delete port %s: %s", ports[i].name, err);
	n = dp_bd_list(bds, VSW_MAX_BDS);
	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++)
		if (strcmp(bds[i].name, DP_DEFAULT_BD) != 0 && (ret = dp_bd_del(bds[i].name)) < 0)
			fuzz_fail("cannot delete bridge domain %s: %s", bds[i].name,
				  strerror(-ret));
	if (dp_bd_apply(DP_DEFAULT_BD, &dp_bd_defaults, NULL) < 0)
		fuzz_fail("cannot give the default domain its default settings");
	dp_fdb_flush(NULL, NULL);
	dp_periodic();
	/* What a harness relies on: the switch as dp_init() left it. */
	dp_overlay_get(&ov);
	if (dp_port_list(ports, VSW_MAX_PORTS) != 0 || dp_bd_list(bds, VSW_MAX_BDS) != 1 ||
	    bds[0].nb_macs != 0 || ov.nb_pas != 0 || ov.uplink[0] != '\0' ||
	    dp_lookup_walk(0, count_record, NULL) > 0)
		fuzz_fail("the reset left configuration behind");
}

void
fuzz_packets(const uint8_t *data, size_t size, const char *const *ports, unsigned int nb_ports,
	     fuzz_edit_fn *edit, fuzz_seen_fn *seen)
{
	static struct fuzz_frame frames[FUZZ_MAX_FRAMES];
	unsigned int n;
	struct fuzz_tally t;

	fuzz_host_setup();
	n = fuzz_frames(data, size, frames, FUZZ_MAX_FRAMES);
	fuzz_begin(&t);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t f = frames[i].flags;
		size_t split = (f & 0x10) ? (size_t)((f >> 5) + 1) * 8 : 0;
		struct rte_mbuf *m = fuzz_mbuf(frames[i].bytes, frames[i].len, split);

		if (edit != NULL)
			edit(m);
		fuzz_inject(&t, ports[(f & 7) % nb_ports], m);
		if (f & 0x08)
			fuzz_round();
	}
	fuzz_settle(&t, seen);
	fuzz_check(&t);
	fuzz_forget_learned();
}
