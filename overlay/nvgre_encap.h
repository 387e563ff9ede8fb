/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encapsulation of one frame, inline: the steps nvgre_encap_bulk() loops
 * over (nvgre_hdr.c), for a caller that encapsulates frame by frame where it
 * already holds the frame: the routing stage's runs to a remote host.
 * Worker-safe, lock-free, reads no table.
 */
#ifndef VSW_NVGRE_ENCAP_H
#define VSW_NVGRE_ENCAP_H

#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "crc32c.h"
#include "nvgre.h"

_Static_assert(NVGRE_ENCAP_LEN >= 32 && NVGRE_ENCAP_LEN <= 48, "three 16-byte moves copy it");

/* A tag the NIC stripped (RX) or would insert (TX) must not reappear on the inner frame. */
#define NVGRE_VLAN_OFFLOAD_FLAGS                                                 \
	(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ | \
	 RTE_MBUF_F_RX_QINQ_STRIPPED | RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ)

#define NVGRE_IPV4_MF_OFFSET \
	0x3fffu /* MF flag and fragment offset: both zero in an unfragmented packet */
#define NVGRE_PORTS_SEED 0x9e3779b9u /* the ports' own chain starts apart from the addresses' */

/* The outer IPv6 header's per-frame fields: payload length, flow label, FlowID; no checksum. */
void nvgre_write_outer6(uint8_t *hdr, const struct nvgre_template *t, uint16_t total,
			uint32_t flow_hash);

/*
 * The hash of the L4 ports of 'proto' at 'l4' if they are in the 'avail'
 * bytes that were read, else 0.  A chain of its own, independent of the
 * addresses', so that the two overlap.
 */
static inline uint32_t
nvgre_hash_ports(uint8_t proto, const uint8_t *l4, uint32_t avail)
{
	uint32_t ports;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
		return 0;
	if (avail < sizeof(ports))
		return 0;
	memcpy(&ports, l4, sizeof(ports));
	return vsw_crc32c_u32(ports, NVGRE_PORTS_SEED);
}

/*
 * An IPv4 flow: addresses and protocol, and the ports of a datagram that is
 * not a fragment (only then does every frame of the flow carry them).  The
 * MACs and tags add nothing that tells one flow of a tunnel from another.
 */
static __rte_always_inline uint32_t
nvgre_hash_ipv4(const struct rte_ipv4_hdr *ip, const uint8_t *l4, uint32_t avail)
{
	uint64_t addrs;
	uint32_t h;

	memcpy(&addrs, &ip->src_addr, sizeof(addrs)); /* source and destination, adjacent */
	h = vsw_crc32c_u64(addrs, ip->next_proto_id);
	if ((rte_be_to_cpu_16(ip->fragment_offset) & NVGRE_IPV4_MF_OFFSET) == 0)
		h ^= nvgre_hash_ports(ip->next_proto_id, l4, avail);
	return h;
}

/*
 * nvgre_flow_hash() of a frame the caller has checked: untagged IPv4 whose
 * header is in the first segment (so data_len >= 34).  Only options move
 * the ports.
 */
static __rte_always_inline uint32_t
nvgre_flow_hash_checked_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	if (unlikely(ip->version_ihl != 0x45))
		return nvgre_flow_hash(m); /* options: the general path */
	return nvgre_hash_ipv4(ip, (const uint8_t *)(ip + 1),
			       rte_pktmbuf_data_len(m) -
				       (uint32_t)(RTE_ETHER_HDR_LEN + sizeof(*ip)));
}

/*
 * Copy an IPv4 template into 'hdr' and patch the per-frame fields for an
 * outer packet of 'total' bytes: total length, header checksum, FlowID.
 */
static inline void
nvgre_write_outer4(uint8_t *hdr, const struct nvgre_template *t, uint16_t total, uint32_t flow_hash)
{
	uint16_t be_total = rte_cpu_to_be_16(total);
	uint32_t sum;
	uint16_t csum;

	/*
	 * Three 16-byte moves, the last overlapping the second: a plain memcpy()
	 * of 42 bytes inlined into a large caller became a microcoded rep movsb.
	 */
	rte_mov16(hdr, t->hdr);
	rte_mov16(hdr + 16, t->hdr + 16);
	rte_mov16(hdr + NVGRE_ENCAP_LEN - 16, t->hdr + NVGRE_ENCAP_LEN - 16);
	memcpy(hdr + NVGRE_OFF_IP_LEN, &be_total, sizeof(be_total));
	/*
	 * RFC 1624: the header sum is the template's plus the one field that
	 * changed; csum_base is folded already, so one end-around carry is enough.
	 */
	sum = t->csum_base + be_total;
	csum = (uint16_t) ~((sum & 0xffff) + (sum >> 16));
	memcpy(hdr + NVGRE_OFF_IP_CSUM, &csum, sizeof(csum));
	hdr[NVGRE_OFF_FLOW_ID] = nvgre_flow_id(flow_hash);
}

/*
 * nvgre_encap_one() of a frame without a tag, for a template of the family
 * 'is6' (a constant at each call, so that the header's length is one too).
 */
static __rte_always_inline enum nvgre_encap_reason
nvgre_encap_untagged(struct rte_mbuf *m, const struct nvgre_template *t, uint32_t flow_hash,
		     const bool is6)
{
	const uint16_t hdr_len = is6 ? NVGRE_ENCAP_LEN6 : NVGRE_ENCAP_LEN; /* t->hdr_len */
	uint32_t total = rte_pktmbuf_pkt_len(m) + hdr_len - RTE_ETHER_HDR_LEN;
	uint8_t *hdr;

	if (unlikely(total > t->mtu))
		return NVGRE_ENCAP_TOO_BIG;
	/* rte_pktmbuf_prepend(), without its second test of the pointer it returns. */
	if (unlikely(rte_pktmbuf_headroom(m) < hdr_len))
		return NVGRE_ENCAP_NO_HEADROOM;
	m->data_off = (uint16_t)(m->data_off - hdr_len);
	m->data_len = (uint16_t)(m->data_len + hdr_len);
	m->pkt_len += hdr_len;
	hdr = rte_pktmbuf_mtod(m, uint8_t *);
	if (is6)
		nvgre_write_outer6(hdr, t, (uint16_t)total, flow_hash);
	else
		nvgre_write_outer4(hdr, t, (uint16_t)total, flow_hash);
	/*
	 * Offload requests described the inner headers, and a tag the NIC
	 * stripped or would insert must not come back on the inner frame; the
	 * outer headers are complete.  With no request left, only the outer
	 * lengths matter.
	 */
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK | NVGRE_VLAN_OFFLOAD_FLAGS);
	m->tx_offload = rte_mbuf_tx_offload(
		RTE_ETHER_HDR_LEN, hdr_len - RTE_ETHER_HDR_LEN - NVGRE_GRE_HDR_LEN, 0, 0, 0, 0, 0);
	return NVGRE_ENCAP_OK;
}

#endif /* VSW_NVGRE_ENCAP_H */
