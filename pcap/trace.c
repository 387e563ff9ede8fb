/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic trace generation (see trace.h for what the modes mean).
 *
 * All randomness comes from splitmix64 seeded from the caller's seed, and
 * every multi-byte field is written byte by byte in network order, so the
 * output does not depend on the host, the libc or the compiler.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define ETH_HDR_LEN	       14
#define IPV4_HDR_LEN	       20
#define UDP_HDR_LEN	       8
#define ARP_LEN		       28
#define ETHERTYPE_IP	       0x0800
#define ETHERTYPE_ARP	       0x0806
#define ETHERTYPE_IPV6	       0x86dd
#define ETHERTYPE_VLAN	       0x8100
#define IPV6_HDR_LEN	       40
#define L2_MIN_FRAMES	       8192 /* short l2 traces are repeated up to this many frames */
#define MIGRATE_TRAFFIC_FRAMES 1024

/* Streams of each mode; the first is the default. */
static const char *const l2_streams[] = { "fwd", "rev", NULL };
static const char *const learn_streams[] = { "fwd", NULL };
static const char *const migrate_streams[] = { "traffic", "old", "garp", NULL };
static const char *const nvgre_streams[] = { "tenant", "encap", NULL };

enum {
	NVGRE_TENANT, /* local CA -> remote CA, as the VM sends it */
	NVGRE_ENCAP,  /* remote CA -> local CA, NVGRE from the remote PA */
};

#define IPPROTO_GRE_NUM 47
#define GRE_FLAGS_KEY	0x2000
#define ETHERTYPE_TEB	0x6558

enum {
	MIGRATE_TRAFFIC, /* peer -> M, numbered */
	MIGRATE_OLD,	 /* M -> peer, on M's first port */
	MIGRATE_GARP,	 /* M's announcement from its new port */
};

struct mode_desc {
	const char *name;	    /* as given on the command line */
	const char *const *streams; /* NULL-terminated */
	const char *help;	    /* one line for --list */
};

static const struct mode_desc modes[TRACE_MODE_MAX] = {
	[TRACE_MODE_L2] = { "l2", l2_streams, "unicast between N A-MACs and N B-MACs" },
	[TRACE_MODE_LEARN] = { "learn", learn_streams, "every frame from a new source MAC" },
	[TRACE_MODE_MIGRATE] = { "migrate", migrate_streams,
				 "traffic to a MAC, its gratuitous ARP from another port" },
	[TRACE_MODE_NVGRE] = { "nvgre", nvgre_streams,
			       "tenant frames to remote CAs; NVGRE frames to local CAs" },
	[TRACE_MODE_L2_IPV6] = { "l2-ipv6", l2_streams, "as l2, IPv6/UDP (66 bytes or more)" },
	[TRACE_MODE_L2_VLAN] = { "l2-vlan", l2_streams, "as l2, 802.1Q-tagged IPv4/UDP" },
};

/* The l2 family: N A-MACs and N B-MACs, shuffled sources, uniform destinations. */
static bool
is_l2(enum trace_mode mode)
{
	return mode == TRACE_MODE_L2 || mode == TRACE_MODE_L2_IPV6 || mode == TRACE_MODE_L2_VLAN;
}

/* splitmix64 (Steele, Lea, Flood 2014): tiny, well mixed, fully specified. */
static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform draw in [0, n) by multiply-shift; the bias for n < 2^24 is far below noise. */
static uint32_t
draw(uint64_t *state, uint32_t n)
{
	return (uint32_t)(((splitmix64(state) >> 32) * (uint64_t)n) >> 32);
}

/*
 * A bijection on 32 bits keyed by 'key': every step (xor with a constant,
 * multiplication by an odd number, xor with a right shift) can be undone,
 * so distinct indexes give distinct addresses.
 */
static uint32_t
permute32(uint32_t x, uint64_t key)
{
	x ^= (uint32_t)key;
	x *= 0x9e3779b1u;
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x ^= (uint32_t)(key >> 32);
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

void
trace_mac(uint64_t seed, enum trace_mac_set set, uint32_t index, uint8_t mac[6])
{
	uint64_t key = seed ^ (0x5bd1e995ULL * ((uint64_t)set + 1));
	uint32_t v = permute32(index, splitmix64(&key));

	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = (uint8_t)set;
	mac[2] = (uint8_t)(v >> 24);
	mac[3] = (uint8_t)(v >> 16);
	mac[4] = (uint8_t)(v >> 8);
	mac[5] = (uint8_t)v;
}

void
trace_ca_mac(enum trace_mac_set set, uint32_t index, uint8_t mac[6])
{
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = (uint8_t)set;
	mac[2] = (uint8_t)(index >> 24);
	mac[3] = (uint8_t)(index >> 16);
	mac[4] = (uint8_t)(index >> 8);
	mac[5] = (uint8_t)index;
}

uint32_t
trace_ca_ip(enum trace_mac_set set, uint32_t index)
{
	return (set == TRACE_SET_CA_REMOTE ? 0x0a800000u : 0x0a000000u) + 1 + index;
}

uint8_t
trace_nvgre_flow_id(uint32_t src, uint32_t dst)
{
	return (uint8_t)permute32(src, (uint64_t)dst << 32 | 0x6e76u);
}

const char *
trace_mode_name(enum trace_mode mode)
{
	return (unsigned int)mode < TRACE_MODE_MAX ? modes[mode].name : NULL;
}

const char *
trace_mode_help(enum trace_mode mode)
{
	return (unsigned int)mode < TRACE_MODE_MAX ? modes[mode].help : NULL;
}

int
trace_mode_parse(const char *name, enum trace_mode *mode)
{
	for (unsigned int m = 0; m < TRACE_MODE_MAX; m++) {
		if (name != NULL && strcmp(name, modes[m].name) == 0) {
			*mode = (enum trace_mode)m;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
trace_stream_name(enum trace_mode mode, unsigned int i)
{
	const char *const *s;

	if ((unsigned int)mode >= TRACE_MODE_MAX)
		return NULL;
	s = modes[mode].streams;
	for (unsigned int k = 0; k < i; k++)
		if (s[k] == NULL)
			return NULL;
	return s[i];
}

static int
stream_index(enum trace_mode mode, const char *stream)
{
	const char *name;

	if (stream == NULL)
		return 0;
	for (unsigned int i = 0; (name = trace_stream_name(mode, i)) != NULL; i++)
		if (strcmp(name, stream) == 0)
			return (int)i;
	return -EINVAL;
}

uint32_t
trace_default_frames(const struct trace_params *p)
{
	switch (p->mode) {
	case TRACE_MODE_L2:
	case TRACE_MODE_L2_IPV6:
	case TRACE_MODE_L2_VLAN:
	case TRACE_MODE_NVGRE:
		/* Whole rounds, so every replay of the file is a whole number of shuffles. */
		if (p->nb_macs >= L2_MIN_FRAMES)
			return p->nb_macs;
		return p->nb_macs * ((L2_MIN_FRAMES + p->nb_macs - 1) / p->nb_macs);
	case TRACE_MODE_LEARN:
		return p->nb_macs;
	case TRACE_MODE_MIGRATE:
		switch (stream_index(p->mode, p->stream)) {
		case MIGRATE_OLD:
			return TRACE_MIGRATE_OLD_FRAMES;
		case MIGRATE_GARP:
			return 1;
		default:
			return MIGRATE_TRAFFIC_FRAMES;
		}
	default:
		return 0;
	}
}

int
trace_params_check(const struct trace_params *p, char *err, size_t errlen)
{
	if ((unsigned int)p->mode >= TRACE_MODE_MAX) {
		snprintf(err, errlen, "unknown mode %d", (int)p->mode);
		return -EINVAL;
	}
	if (stream_index(p->mode, p->stream) < 0) {
		snprintf(err, errlen, "mode %s has no stream '%s'", modes[p->mode].name, p->stream);
		return -EINVAL;
	}
	if (p->nb_macs == 0 || p->nb_macs > TRACE_MACS_MAX) {
		snprintf(err, errlen, "number of MACs must be 1..%u, not %u", TRACE_MACS_MAX,
			 p->nb_macs);
		return -EINVAL;
	}
	if (p->frame_size < TRACE_FRAME_MIN || p->frame_size > TRACE_FRAME_MAX) {
		snprintf(err, errlen, "frame size must be %d..%d bytes (FCS included), not %u",
			 TRACE_FRAME_MIN, TRACE_FRAME_MAX, p->frame_size);
		return -EINVAL;
	}
	if (p->mode == TRACE_MODE_NVGRE && p->frame_size > TRACE_NVGRE_FRAME_MAX) {
		snprintf(err, errlen,
			 "nvgre: tenant frames are at most %d bytes (FCS included; %d with the "
			 "outer headers), not %u",
			 TRACE_NVGRE_FRAME_MAX, TRACE_FRAME_MAX, p->frame_size);
		return -EINVAL;
	}
	if (p->mode == TRACE_MODE_L2_IPV6 && p->frame_size < TRACE_IPV6_FRAME_MIN) {
		snprintf(err, errlen, "l2-ipv6: an IPv6/UDP frame is at least %d bytes (FCS included), not %u",
			 TRACE_IPV6_FRAME_MIN, p->frame_size);
		return -EINVAL;
	}
	if (p->mode == TRACE_MODE_NVGRE && p->nb_macs > TRACE_NVGRE_MACS_MAX) {
		snprintf(err, errlen, "nvgre: at most %u CAs per side, not %u",
			 TRACE_NVGRE_MACS_MAX, p->nb_macs);
		return -EINVAL;
	}
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
ipv4_checksum(const uint8_t *hdr)
{
	uint32_t sum = 0;

	for (int i = 0; i < IPV4_HDR_LEN; i += 2)
		sum += (uint32_t)(hdr[i] << 8 | hdr[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* 203.0.113.x: the tenant documentation range (DESIGN "Addresses in tests"). */
static void
put_ip(uint8_t *p, uint8_t host)
{
	p[0] = 203;
	p[1] = 0;
	p[2] = 113;
	p[3] = host;
}

/* Ethernet + IPv4 + UDP, sequence number first in the payload, zero padding. */
static size_t
build_udp_ip(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6], uint32_t ip_src,
	     uint32_t ip_dst, uint32_t seq)
{
	uint8_t *ip = buf + ETH_HDR_LEN, *udp = ip + IPV4_HDR_LEN;

	memset(buf, 0, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - ETH_HDR_LEN));
	put16(ip + 4, (uint16_t)seq);
	put16(ip + 6, 0x4000); /* don't fragment */
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, ip_src);
	put32(ip + 16, ip_dst);
	put16(ip + 10, ipv4_checksum(ip));
	put16(udp, 1024);
	put16(udp + 2, 1025);
	put16(udp + 4, (uint16_t)(len - ETH_HDR_LEN - IPV4_HDR_LEN));
	/* UDP checksum 0: "not computed", legal for IPv4. */
	put32(buf + TRACE_SEQ_OFFSET, seq);
	return len;
}

/* The same between 203.0.113.x hosts. */
static size_t
build_udp(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6], uint8_t ip_src,
	  uint8_t ip_dst, uint32_t seq)
{
	return build_udp_ip(buf, len, dst, src, 0xcb007100u | ip_src, 0xcb007100u | ip_dst, seq);
}

/* The same, 802.1Q-tagged (VLAN TRACE_VLAN_ID, priority 0): the tag goes after the MACs. */
static size_t
build_udp_vlan(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6],
	       uint8_t ip_src, uint8_t ip_dst, uint32_t seq)
{
	build_udp(buf + 4, len - 4, dst, src, ip_src, ip_dst, seq);
	memmove(buf, buf + 4, 12);
	put16(buf + 12, ETHERTYPE_VLAN);
	put16(buf + 14, TRACE_VLAN_ID);
	return len;
}

/* 2001:db8::'host', the IPv6 documentation prefix (RFC 3849). */
static void
put_ip6(uint8_t *p, uint8_t host)
{
	memset(p, 0, 16);
	put32(p, 0x20010db8u);
	p[15] = host;
}

/* Ones'-complement sum of 'n' bytes (n even) added to 'sum', not folded. */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

/*
 * Ethernet + IPv6 + UDP (checksum set: IPv6 requires it), sequence number
 * first when it fits (70 bytes and more), zero padding.
 */
static size_t
build_udp6(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6], uint8_t ip_src,
	   uint8_t ip_dst, uint32_t seq)
{
	uint8_t *ip = buf + ETH_HDR_LEN, *udp = ip + IPV6_HDR_LEN;
	uint16_t udp_len = (uint16_t)(len - ETH_HDR_LEN - IPV6_HDR_LEN);
	uint32_t sum;

	memset(buf, 0, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, ETHERTYPE_IPV6);
	ip[0] = 0x60;
	put16(ip + 4, udp_len);
	ip[6] = 17;
	ip[7] = 64;
	put_ip6(ip + 8, ip_src);
	put_ip6(ip + 24, ip_dst);
	put16(udp, 1024);
	put16(udp + 2, 1025);
	put16(udp + 4, udp_len);
	if (udp_len >= UDP_HDR_LEN + 4) /* the smallest frame has no room for it */
		put32(udp + UDP_HDR_LEN, seq);
	/* RFC 8200 8.1: pseudo-header (addresses, length, next header) and the datagram. */
	sum = sum16(ip + 8, 32, (uint32_t)udp_len + 17);
	sum = sum16(udp, udp_len & ~1u, sum);
	if (udp_len & 1)
		sum += (uint32_t)udp[udp_len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(udp + 6, (uint16_t)~sum == 0 ? 0xffff : (uint16_t)~sum);
	return len;
}

/*
 * Prepend the 42 outer bytes of NVGRE to the 'inner_len' bytes at buf + 42:
 * gateway -> our host, 192.0.2.1 -> 198.51.100.1, DF, TTL 64, GRE key.
 */
static size_t
wrap_nvgre(uint8_t *buf, size_t inner_len, uint8_t flow_id)
{
	uint8_t *ip = buf + ETH_HDR_LEN, *gre = ip + IPV4_HDR_LEN;

	memcpy(buf, TRACE_NVGRE_HOST_MAC, 6);
	memcpy(buf + 6, TRACE_NVGRE_GATEWAY_MAC, 6);
	put16(buf + 12, ETHERTYPE_IP);
	memset(ip, 0, IPV4_HDR_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IPV4_HDR_LEN + 8 + inner_len));
	/* id 0: an atomic datagram (DF), as vsw itself sends them */
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_GRE_NUM;
	put32(ip + 12, TRACE_NVGRE_REMOTE_PA);
	put32(ip + 16, TRACE_NVGRE_LOCAL_PA);
	put16(ip + 10, ipv4_checksum(ip));
	put16(gre, GRE_FLAGS_KEY);
	put16(gre + 2, ETHERTYPE_TEB);
	put32(gre + 4, TRACE_NVGRE_VSID << 8 | flow_id);
	return TRACE_NVGRE_ENCAP_LEN + inner_len;
}

/* Gratuitous ARP request: sender IP = target IP, broadcast, padded. */
static size_t
build_garp(uint8_t *buf, size_t len, const uint8_t src[6], uint8_t ip_host)
{
	uint8_t *arp = buf + ETH_HDR_LEN;

	memset(buf, 0, len);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, ETHERTYPE_ARP);
	put16(arp, 1); /* Ethernet */
	put16(arp + 2, ETHERTYPE_IP);
	arp[4] = 6;
	arp[5] = 4;
	put16(arp + 6, 1);	 /* request */
	memcpy(arp + 8, src, 6); /* sender MAC */
	put_ip(arp + 14, ip_host);
	/* target MAC stays zero */
	put_ip(arp + 24, ip_host);
	return len;
}

/* A fresh Fisher-Yates shuffle of the source indexes for the next round. */
static void
shuffle(struct trace_gen *g)
{
	uint32_t n = g->p.nb_macs;

	for (uint32_t i = 0; i < n; i++)
		g->order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = draw(&g->shuffle_rng, i + 1), t = g->order[i];

		g->order[i] = g->order[j];
		g->order[j] = t;
	}
}

int
trace_gen_init(struct trace_gen *g, const struct trace_params *p)
{
	char err[128];
	uint64_t s = p->seed;

	memset(g, 0, sizeof(*g));
	if (trace_params_check(p, err, sizeof(err)) < 0)
		return -EINVAL;
	g->p = *p;
	g->stream = (unsigned int)stream_index(p->mode, p->stream);
	g->p.stream = trace_stream_name(p->mode, g->stream);
	g->nb_frames = p->nb_frames != 0 ? p->nb_frames : trace_default_frames(&g->p);
	/* Each stream has its own random sequence, so "fwd" and "rev" are not mirror images. */
	g->rng = splitmix64(&s) ^ ((uint64_t)p->mode << 56) ^ ((uint64_t)g->stream << 48);
	g->shuffle_rng = splitmix64(&s) ^ ((uint64_t)g->stream << 40);
	if (is_l2(p->mode) || p->mode == TRACE_MODE_NVGRE) {
		g->order = malloc(sizeof(*g->order) * p->nb_macs);
		if (g->order == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
trace_gen_fini(struct trace_gen *g)
{
	if (g == NULL)
		return;
	free(g->order);
	g->order = NULL;
}

static size_t
next_l2(struct trace_gen *g, uint8_t *buf, size_t len, uint32_t k)
{
	bool rev = g->stream == 1;
	enum trace_mac_set from = rev ? TRACE_SET_B : TRACE_SET_A;
	enum trace_mac_set to = rev ? TRACE_SET_A : TRACE_SET_B;
	uint32_t n = g->p.nb_macs;
	uint8_t src[6], dst[6];

	if (k % n == 0)
		shuffle(g);
	trace_mac(g->p.seed, from, g->order[k % n], src);
	trace_mac(g->p.seed, to, draw(&g->rng, n), dst);
	if (g->p.mode == TRACE_MODE_L2_IPV6)
		return build_udp6(buf, len, dst, src, rev ? 2 : 1, rev ? 1 : 2, k);
	if (g->p.mode == TRACE_MODE_L2_VLAN)
		return build_udp_vlan(buf, len, dst, src, rev ? 2 : 1, rev ? 1 : 2, k);
	return build_udp(buf, len, dst, src, rev ? 2 : 1, rev ? 1 : 2, k);
}

static size_t
next_learn(struct trace_gen *g, uint8_t *buf, size_t len, uint32_t k)
{
	uint8_t src[6], dst[6];

	/* Past nb_macs the sources repeat: the table is full by then anyway. */
	trace_mac(g->p.seed, TRACE_SET_LEARN, k % g->p.nb_macs, src);
	trace_mac(g->p.seed, TRACE_SET_MIGRATE, 2, dst);
	return build_udp(buf, len, dst, src, 3, 4, k);
}

static size_t
next_migrate(struct trace_gen *g, uint8_t *buf, size_t len, uint32_t k)
{
	uint8_t m[6], peer[6];

	trace_mac(g->p.seed, TRACE_SET_MIGRATE, 0, m);
	trace_mac(g->p.seed, TRACE_SET_MIGRATE, 1, peer);
	switch (g->stream) {
	case MIGRATE_OLD:
		return build_udp(buf, len, peer, m, 10, 11, k);
	case MIGRATE_GARP:
		return build_garp(buf, len, m, 10);
	default:
		return build_udp(buf, len, m, peer, 11, 10, k);
	}
}

static size_t
next_nvgre(struct trace_gen *g, uint8_t *buf, size_t len, uint32_t k)
{
	bool encap = g->stream == NVGRE_ENCAP;
	enum trace_mac_set from = encap ? TRACE_SET_CA_REMOTE : TRACE_SET_CA_LOCAL;
	enum trace_mac_set to = encap ? TRACE_SET_CA_LOCAL : TRACE_SET_CA_REMOTE;
	uint32_t n = g->p.nb_macs, s, d;
	uint8_t *inner = encap ? buf + TRACE_NVGRE_ENCAP_LEN : buf;
	uint8_t src[6], dst[6];

	if (k % n == 0)
		shuffle(g);
	s = g->order[k % n];
	d = draw(&g->rng, n);
	trace_ca_mac(from, s, src);
	trace_ca_mac(to, d, dst);
	build_udp_ip(inner, len, dst, src, trace_ca_ip(from, s), trace_ca_ip(to, d), k);
	return encap ? wrap_nvgre(buf, len, trace_nvgre_flow_id(s, d)) : len;
}

int
trace_gen_next(struct trace_gen *g, uint8_t *buf, size_t cap)
{
	size_t len = (size_t)g->p.frame_size - TRACE_FCS_LEN;
	uint32_t k = g->next;

	if (k >= g->nb_frames)
		return 0;
	if (cap < len + (g->p.mode == TRACE_MODE_NVGRE && g->stream == NVGRE_ENCAP ?
				 TRACE_NVGRE_ENCAP_LEN :
				 0))
		return -ENOSPC;
	switch (g->p.mode) {
	case TRACE_MODE_L2:
	case TRACE_MODE_L2_IPV6:
	case TRACE_MODE_L2_VLAN:
		len = next_l2(g, buf, len, k);
		break;
	case TRACE_MODE_LEARN:
		len = next_learn(g, buf, len, k);
		break;
	case TRACE_MODE_NVGRE:
		len = next_nvgre(g, buf, len, k);
		break;
	default:
		len = next_migrate(g, buf, len, k);
		break;
	}
	g->next++;
	return (int)len;
}

long
trace_write_pcap(const struct trace_params *p, const char *path, char *err, size_t errlen)
{
	uint8_t buf[TRACE_FRAME_MAX];
	struct trace_gen g;
	pcap_t *dead;
	pcap_dumper_t *dumper;
	long nb = 0;
	int len, rc;

	rc = trace_params_check(p, err, errlen);
	if (rc < 0)
		return rc;
	rc = trace_gen_init(&g, p);
	if (rc < 0) {
		snprintf(err, errlen, "cannot start the generator: %s", strerror(-rc));
		return rc;
	}
	dead = pcap_open_dead(DLT_EN10MB, TRACE_FRAME_MAX);
	if (dead == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		trace_gen_fini(&g);
		return -ENOMEM;
	}
	dumper = pcap_dump_open(dead, path);
	if (dumper == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(dead));
		pcap_close(dead);
		trace_gen_fini(&g);
		return -EIO;
	}
	while ((len = trace_gen_next(&g, buf, sizeof(buf))) > 0) {
		/* Fixed stamps: a file depends only on the parameters. */
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = nb / 1000000, .tv_usec = nb % 1000000 },
			.caplen = (bpf_u_int32)len,
			.len = (bpf_u_int32)len,
		};

		pcap_dump((u_char *)dumper, &h, buf);
		nb++;
	}
	rc = pcap_dump_flush(dumper) == 0 && !ferror(pcap_dump_file(dumper)) ? 0 : -EIO;
	pcap_dump_close(dumper);
	pcap_close(dead);
	trace_gen_fini(&g);
	if (rc < 0) {
		snprintf(err, errlen, "error writing %s", path);
		return rc;
	}
	return nb;
}
