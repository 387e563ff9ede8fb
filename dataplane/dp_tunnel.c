/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnels as an operator needs to see them: every remote PA that a
 * lookup record of a VSID points at, whether it resolves (route, next hop,
 * neighbour), how many frames for it were dropped, and the last ICMP error
 * the provider network sent about it.  A wrong PA in a record otherwise looks
 * healthy on the sending host (nvgre_encap_ok counts, the router drops).
 *
 * ICMP errors reach the control thread from the uplink path beside ARP; the
 * errors table is small and control-thread only, like the rest of this file.
 */
#include "dp_ctl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ovl.h"

#define TUNNEL_ERRORS 64            /* remote PAs whose last ICMP error is remembered */
#define TUNNEL_ERROR_RECENT_MS 60000 /* a PA reported unreachable this recently is 'unreachable' */
#define TUNNEL_LOG_EVERY_MS 10000   /* at most one log line per PA this often */

struct tunnel_error {
	struct ovl_ip pa;      /**< remote PA the error was about; family 0 = free */
	uint64_t when_ms;      /**< when the last one arrived */
	uint64_t logged_ms;    /**< when one was last logged */
	uint64_t count;        /**< errors about it so far */
	char text[192];         /**< the last one, in words */
};

/* Drops of a slot's frames count from when the slot took its (VSID, PA). */
struct tunnel_base {
	uint32_t vsid;     /**< the slot's VSID when based */
	struct ovl_ip pa;  /**< its PA then */
	uint64_t drops;    /**< the workers' sum then */
};

static struct tunnel_error errors[TUNNEL_ERRORS];
static struct tunnel_base bases[DP_MAX_TUNNELS];

static struct tunnel_error *
error_of(const struct ovl_ip *pa, bool create)
{
	struct tunnel_error *oldest = &errors[0];

	for (unsigned int i = 0; i < TUNNEL_ERRORS; i++) {
		if (ovl_ip_eq(&errors[i].pa, pa))
			return &errors[i];
		if (errors[i].when_ms < oldest->when_ms)
			oldest = &errors[i];
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->pa = *pa;
	return oldest;
}

static const char *
icmp_words(uint8_t type, uint8_t code)
{
	if (type == DP_ICMP_TIME_EXCEEDED)
		return "time exceeded";
	switch (code) {
	case 0:
		return "network unreachable";
	case 1:
		return "host unreachable";
	case 3:
		return "port unreachable";
	case 4:
		return "fragmentation needed";
	case 9:
	case 10:
	case 13:
		return "administratively prohibited";
	default:
		return "destination unreachable";
	}
}

/* The ICMP error in 'm', if it quotes a GRE packet from one of our PAs; fills 'text'. */
static bool
parse_tunnel_error(const struct rte_mbuf *m, rte_be32_t *remote, char *text, size_t len)
{
	struct {
		struct rte_ipv4_hdr ip;
		struct rte_icmp_hdr icmp;
		struct rte_ipv4_hdr quoted;
		uint32_t gre[2];
	} __rte_packed buf;
	const uint8_t *p;
	uint32_t ihl, qihl;
	const struct rte_ipv4_hdr *ip, *q;
	const struct rte_icmp_hdr *icmp;
	char from[16], src[16], dst[16], extra[40] = "";

	if (rte_pktmbuf_pkt_len(m) < RTE_ETHER_HDR_LEN + sizeof(buf))
		return false;
	p = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN, sizeof(struct rte_ipv4_hdr), &buf.ip);
	ip = (const struct rte_ipv4_hdr *)p;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_ICMP || ihl < sizeof(*ip))
		return false;
	icmp = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN + ihl, sizeof(buf.icmp), &buf.icmp);
	if (icmp == NULL || (icmp->icmp_type != DP_ICMP_DEST_UNREACH &&
			     icmp->icmp_type != DP_ICMP_TIME_EXCEEDED))
		return false;
	q = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN + ihl + sizeof(buf.icmp), sizeof(buf.quoted),
			     &buf.quoted);
	if (q == NULL || q->next_proto_id != NVGRE_IPPROTO_GRE ||
	    !nvgre_pa_set_has(&ovl_snapshot_get(dp_main.ovl)->local, q->src_addr))
		return false;
	qihl = (uint32_t)(q->version_ihl & 0xf) * 4;
	*remote = q->dst_addr;
	dp_ip_text(ip->src_addr, from, sizeof(from));
	dp_ip_text(q->src_addr, src, sizeof(src));
	dp_ip_text(q->dst_addr, dst, sizeof(dst));
	if (icmp->icmp_type == DP_ICMP_DEST_UNREACH && icmp->icmp_code == DP_ICMP_FRAG_NEEDED)
		snprintf(extra, sizeof(extra), ", next-hop MTU %u",
			 rte_be_to_cpu_16(icmp->icmp_seq_nb));
	/* The quoted GRE header's key carries the VSID, when the quote is long enough. */
	const uint8_t *gre = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN + ihl + sizeof(buf.icmp) + qihl,
					      sizeof(buf.gre), buf.gre);
	if (gre != NULL) {
		uint32_t key;

		/* Packet data is not aligned for a 4-byte load. */
		memcpy(&key, gre + 4, sizeof(key));
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", VSID %u",
			 rte_be_to_cpu_32(key) >> 8);
	}
	snprintf(text, len, "%s from %s for %s -> %s%s", icmp_words(icmp->icmp_type,
								    icmp->icmp_code),
		 from, src, dst, extra);
	return true;
}

static const char *
icmp6_words(uint8_t type, uint8_t code)
{
	if (type == DP_ICMP6_PACKET_TOO_BIG)
		return "packet too big";
	if (type == DP_ICMP6_TIME_EXCEEDED)
		return "time exceeded";
	switch (code) {
	case 0:
		return "no route to destination";
	case 1:
		return "administratively prohibited";
	case 3:
		return "address unreachable";
	case 4:
		return "port unreachable";
	default:
		return "destination unreachable";
	}
}

/* The ICMPv6 error in 'm', if it quotes a GRE packet from one of our IPv6 PAs; fills 'text'. */
static bool
parse_tunnel_error6(const struct rte_mbuf *m, struct ovl_ip *remote, char *text, size_t len)
{
	struct {
		struct rte_ipv6_hdr ip;
		uint8_t icmp[8];
		struct rte_ipv6_hdr quoted;
	} __rte_packed buf;
	const struct rte_ipv6_hdr *ip, *q;
	const uint8_t *p, *icmp, *gre;
	uint32_t gre_words[2];
	char from[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], extra[40] = "";

	if (rte_pktmbuf_pkt_len(m) < RTE_ETHER_HDR_LEN + sizeof(buf))
		return false;
	p = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN, sizeof(buf), &buf);
	if (p == NULL)
		return false;
	ip = (const struct rte_ipv6_hdr *)p;
	icmp = p + sizeof(*ip);
	q = (const struct rte_ipv6_hdr *)(icmp + 8);
	if (ip->proto != DP_IPPROTO_ICMPV6 || icmp[0] < DP_ICMP6_DEST_UNREACH ||
	    icmp[0] > DP_ICMP6_TIME_EXCEEDED || q->proto != NVGRE_IPPROTO_GRE ||
	    !nvgre_pa_set_has6(&ovl_snapshot_get(dp_main.ovl)->local, q->src_addr))
		return false;
	*remote = ovl_ip6(q->dst_addr);
	inet_ntop(AF_INET6, ip->src_addr, from, sizeof(from));
	inet_ntop(AF_INET6, q->src_addr, src, sizeof(src));
	inet_ntop(AF_INET6, q->dst_addr, dst, sizeof(dst));
	if (icmp[0] == DP_ICMP6_PACKET_TOO_BIG)
		snprintf(extra, sizeof(extra), ", next-hop MTU %u",
			 (unsigned int)icmp[4] << 24 | (unsigned int)icmp[5] << 16 |
				 (unsigned int)icmp[6] << 8 | icmp[7]);
	/* The quoted GRE header's key carries the VSID, when the quote is long enough. */
	gre = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN + sizeof(buf), sizeof(gre_words), gre_words);
	if (gre != NULL)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", VSID %u",
			 (unsigned int)gre[4] << 16 | (unsigned int)gre[5] << 8 | gre[6]);
	snprintf(text, len, "%s from %s for %s -> %s%s", icmp6_words(icmp[0], icmp[1]), from,
		 src, dst, extra);
	return true;
}

bool
dp_tunnel_icmp_input(const struct rte_mbuf *m, uint64_t now_ms)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct tunnel_error *e;
	rte_be32_t remote;
	struct ovl_ip pa;
	char text[192];

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		if (!parse_tunnel_error6(m, &pa, text, sizeof(text)))
			return false;
	} else {
		if (!parse_tunnel_error(m, &remote, text, sizeof(text)))
			return false;
		pa = ovl_ip4(remote);
	}
	e = error_of(&pa, true);
	e->when_ms = now_ms;
	e->count++;
	snprintf(e->text, sizeof(e->text), "%s", text);
	if (e->logged_ms == 0 || now_ms - e->logged_ms >= TUNNEL_LOG_EVERY_MS) {
		char pa_text[INET6_ADDRSTRLEN];

		dp_pa_text(&pa, pa_text, sizeof(pa_text));
		RTE_LOG(WARNING, USER1, "tunnel to PA %s: %s (%" PRIu64 " so far)\n", pa_text, text,
			e->count);
		e->logged_ms = now_ms;
	}
	return true;
}

static uint64_t
slot_drops(uint16_t slot)
{
	return dp_lcore_sum(DP_LCORE_U64(tunnel_drops, slot));
}

static void
rebase_one(const struct ovl_tunnel *t, void *arg)
{
	struct tunnel_base *b = &bases[t->slot % DP_MAX_TUNNELS];

	(void)arg;
	if (b->vsid != t->vsid || !ovl_ip_eq(&b->pa, &t->pa)) {
		b->vsid = t->vsid;
		b->pa = t->pa;
		b->drops = slot_drops(t->slot);
	}
}

void
dp_tunnel_sync(void)
{
	ovl_tunnel_walk(dp_main.ovl, rebase_one, NULL);
}

struct tunnel_walk {
	dp_tunnel_cb *cb;  /**< caller's */
	void *arg;         /**< its argument */
	uint64_t now_ms;   /**< for error ages */
};

static const char *
state_name(const struct ovl_tunnel *t, const struct tunnel_error *e, uint64_t now_ms)
{
	if (t->state == NVGRE_ENCAP_NO_ROUTE)
		return "no_route";
	if (t->state == NVGRE_ENCAP_NO_NEIGHBOUR)
		return "no_neighbour";
	if (e != NULL && now_ms - e->when_ms < TUNNEL_ERROR_RECENT_MS)
		return "unreachable";
	return "resolved";
}

static void
tunnel_one(const struct ovl_tunnel *t, void *arg)
{
	struct tunnel_walk *w = arg;
	const struct tunnel_error *e = error_of(&t->pa, false);
	struct dp_tunnel_info out;
	uint16_t overhead, mtu;

	rebase_one(t, NULL);
	memset(&out, 0, sizeof(out));
	out.vsid = t->vsid;
	if (t->bd < VSW_MAX_BDS && dp_main.bds[t->bd].in_use)
		snprintf(out.bd, sizeof(out.bd), "%s", dp_main.bds[t->bd].name);
	out.pa = t->pa;
	out.src_pa = t->src_pa;
	out.next_hop = t->next_hop;
	/* What its tenants can carry: the outer header of its family comes off the uplink MTU. */
	overhead = ovl_ip_is6(&t->pa) ? NVGRE_MTU_OVERHEAD6 : NVGRE_MTU_OVERHEAD;
	mtu = ovl_snapshot_get(dp_main.ovl)->mtu;
	out.tenant_mtu = mtu > overhead ? (uint16_t)(mtu - overhead) : 0;
	out.state = state_name(t, e, w->now_ms);
	out.drops = slot_drops(t->slot) - bases[t->slot % DP_MAX_TUNNELS].drops;
	out.last_error_age_s = UINT32_MAX;
	if (e != NULL) {
		snprintf(out.last_error, sizeof(out.last_error), "%s", e->text);
		out.last_error_age_s = (uint32_t)((w->now_ms - e->when_ms) / 1000);
		out.nb_errors = e->count;
	}
	w->cb(&out, w->arg);
}

unsigned int
dp_tunnel_walk(dp_tunnel_cb *cb, void *arg)
{
	struct tunnel_walk w = { .cb = cb, .arg = arg, .now_ms = dp_now_ms() };

	return ovl_tunnel_walk(dp_main.ovl, tunnel_one, &w);
}
