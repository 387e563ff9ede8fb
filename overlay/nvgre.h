/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE (RFC 7637) on the wire: header constants, the precomputed outer
 * header ("template") of one tunnel destination, encapsulation of one frame,
 * the inner-flow hash that feeds the FlowID, and the classification of a
 * frame received on the uplink.
 *
 * Wire format of an encapsulated frame, as this file builds and accepts it:
 *
 *   outer Ethernet   14  dst = next hop MAC, src = uplink MAC, type 0x0800
 *   outer IPv4       20  no options, DF set, TTL 64, protocol 47 (GRE),
 *                        identification 0 (RFC 6864 allows any value in an
 *                        atomic datagram), src = our PA, dst = remote PA
 *   GRE               8  flags/version 0x2000 (K=1, C=S=0, version 0),
 *                        protocol 0x6558 (transparent Ethernet bridging),
 *                        key = VSID (24 bits) << 8 | FlowID (8 bits)
 *   inner Ethernet   14  the tenant frame, never with an 802.1Q tag
 *
 * Size arithmetic, worked out once (docs/nvgre.md repeats it):
 *   - Encapsulation prepends NVGRE_ENCAP_LEN = 14 + 20 + 8 = 42 bytes.
 *   - The outer IPv4 packet is the tenant frame plus 28 bytes (IPv4 + GRE),
 *     and the tenant frame is the tenant IP packet plus its own 14-byte
 *     Ethernet header.  So for an uplink IP MTU of U (the largest outer
 *     total_length), the largest tenant IP packet is U - 28 - 14 = U - 42:
 *     NVGRE_MTU_OVERHEAD counts outer IPv4 + GRE + inner Ethernet.  The
 *     outer Ethernet header is not part of any IP MTU.  Both numbers are 42,
 *     for different reasons.
 *   - An inner 802.1Q tag is stripped before the size check, so a tagged
 *     tenant frame is measured without its tag.
 *
 * Over an IPv6 provider network (RFC 7637 section 4 allows either family)
 * the outer IPv4 header is replaced by a 40-byte IPv6 header:
 *
 *   outer IPv6       40  version 6, traffic class 0, flow label from the
 *                        inner-flow hash (RFC 6438, so that ECMP spreads
 *                        tenant flows), next header 47 (GRE, no extension
 *                        headers), hop limit 64 (as the IPv4 TTL),
 *                        src = our PA, dst = remote PA
 *
 *   so NVGRE_ENCAP_LEN6 = 14 + 40 + 8 = 62 bytes are prepended and the
 *   largest tenant IP packet is U - 62 (NVGRE_MTU_OVERHEAD6).  IPv6 has no
 *   header checksum and no fragmentation by routers, so nothing else changes.
 *
 * Decapsulation accepts only what RFC 7637 allows: IPv4 to one of our PAs,
 * not a fragment (NVGRE senders set DF, so a fragment means something on the
 * path broke that rule, and we do not reassemble), GRE version 0 with exactly
 * the K bit set, protocol 0x6558, a VSID outside the reserved ranges
 * (0..0xFFF and 0xFFFFFF), and an untagged inner frame.  The FlowID is
 * reported but never used to demultiplex.  Over IPv6: version 6, payload
 * length inside the frame, destination one of our IPv6 PAs, next header 47
 * directly (a fragment header, 44, is FRAGMENT; any other extension header
 * is not NVGRE as we send it, NOT_GRE), then the same GRE checks.
 *
 * Reason lists: encapsulation and decapsulation each return a reason from an
 * X-macro list below; the list generates the enum here and the counter-name
 * table in nvgre_hdr.c, and the dataplane generates its per-lcore counters
 * from the same list, so every drop has exactly one named counter (DESIGN
 * rule 5).  The lists live in this header rather than in the stage files
 * (STYLE 2.1) because the dataplane needs the enum.
 *
 * Thread-safety: every function here is pure with respect to shared state:
 * it touches only its arguments.  Workers may call all of them; templates are
 * read-only once built, so any number of workers may share one.
 */
#ifndef VSW_NVGRE_H
#define VSW_NVGRE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ovl_addr.h"

struct rte_mempool;

#define NVGRE_GRE_FLAGS	   0x2000u	      /* K=1, C=R=S=0, reserved0=0, version 0 */
#define NVGRE_GRE_PROTO	   RTE_ETHER_TYPE_TEB /* 0x6558 */
#define NVGRE_GRE_HDR_LEN  8u		      /* flags/version, protocol, key */
#define NVGRE_IPV4_HDR_LEN 20u		      /* the outer header we build has no options */
#define NVGRE_ENCAP_LEN	   42u		      /* bytes prepended: outer Ethernet + IPv4 + GRE */
#define NVGRE_MTU_OVERHEAD 42u		      /* outer IPv4 + GRE + inner Ethernet (above) */
#define NVGRE_OUTER_TTL	   64u		      /* outer IPv4 time to live, IPv6 hop limit */
#define NVGRE_IPV6_HDR_LEN  40u		      /* the outer IPv6 header, no extension headers */
#define NVGRE_ENCAP_LEN6    62u		      /* bytes prepended: outer Ethernet + IPv6 + GRE */
#define NVGRE_MTU_OVERHEAD6 62u		      /* outer IPv6 + GRE + inner Ethernet */
#define NVGRE_FLOW_LABEL_MASK 0xfffffu	      /* IPv6 flow label: 20 bits */
#define NVGRE_IPPROTO_GRE  47u		      /* IPv4 protocol number of GRE */

#define NVGRE_VSID_MIN	   0x001000u /* 0..0xFFF are reserved by RFC 7637 */
#define NVGRE_VSID_MAX	   0xFFFFFEu /* 0xFFFFFF is reserved for vendor use */
#define NVGRE_VSID_MASK	   0xFFFFFFu /* a VSID is 24 bits */

#define NVGRE_MAX_LOCAL_PA 8u /* provider addresses this host can own */

/* Offsets inside the 42-byte outer header, for patching. */
#define NVGRE_OFF_IP	  14u /* outer IPv4 header */
#define NVGRE_OFF_IP_LEN  16u /* outer IPv4 total_length */
#define NVGRE_OFF_IP_CSUM 24u /* outer IPv4 header checksum */
#define NVGRE_OFF_GRE	  34u /* GRE header */
#define NVGRE_OFF_FLOW_ID 41u /* last byte of the GRE key */

/* Offsets inside the 62-byte outer header of an IPv6 tunnel. */
#define NVGRE_OFF_IP6_FLOW  14u /* version, traffic class, flow label (32 bits) */
#define NVGRE_OFF_IP6_PLEN  18u /* payload length */
#define NVGRE_OFF_GRE6	    54u /* GRE header */
#define NVGRE_OFF_FLOW_ID6  61u /* last byte of the GRE key */

_Static_assert(NVGRE_ENCAP_LEN == RTE_ETHER_HDR_LEN + NVGRE_IPV4_HDR_LEN + NVGRE_GRE_HDR_LEN,
	       "encap length is outer Ethernet + IPv4 + GRE");
_Static_assert(NVGRE_MTU_OVERHEAD == NVGRE_IPV4_HDR_LEN + NVGRE_GRE_HDR_LEN + RTE_ETHER_HDR_LEN,
	       "MTU overhead is outer IPv4 + GRE + inner Ethernet");
_Static_assert(NVGRE_ENCAP_LEN6 == RTE_ETHER_HDR_LEN + NVGRE_IPV6_HDR_LEN + NVGRE_GRE_HDR_LEN,
	       "IPv6 encap length is outer Ethernet + IPv6 + GRE");
_Static_assert(NVGRE_MTU_OVERHEAD6 == NVGRE_IPV6_HDR_LEN + NVGRE_GRE_HDR_LEN + RTE_ETHER_HDR_LEN,
	       "IPv6 MTU overhead is outer IPv6 + GRE + inner Ethernet");

/*
 * Encapsulation results.  X(enum suffix, counter name).  The last three are
 * produced by ovl_tables (no usable template for the destination) and by
 * replication, not by nvgre_encap_one(); they share the list so that the
 * dataplane has one set of encap counters.
 */
#define NVGRE_ENCAP_REASONS(X)                     \
	X(OK, "nvgre_encap_ok")                    \
	X(MALFORMED, "drop_malformed")             \
	X(TOO_BIG, "drop_nvgre_too_big")           \
	X(NO_HEADROOM, "drop_nvgre_no_headroom")   \
	X(NO_ROUTE, "drop_no_route")               \
	X(NO_NEIGHBOUR, "drop_nvgre_no_neighbour") \
	X(NO_MBUF, "drop_nvgre_no_mbuf")

/*
 * Decapsulation results, in the order nvgre_decap_check() tests them (the
 * first failing test names the drop).  UNKNOWN_VSID is decided by
 * ovl_decap_check(), which needs the configured VSIDs.  NOT_IP and
 * NOT_GRE are the provider network's own traffic (LLDP, ICMP, multicast
 * listener reports, ...), not broken NVGRE: their names say so.
 */
#define NVGRE_DECAP_REASONS(X)                       \
	X(OK, "nvgre_decap_ok")                      \
	X(MALFORMED, "drop_malformed")               \
	X(NOT_IP, "uplink_not_ip")                   \
	X(BAD_CHECKSUM, "drop_nvgre_bad_checksum")   \
	X(NOT_OUR_PA, "drop_nvgre_not_our_pa")       \
	X(NOT_GRE, "uplink_not_gre")                 \
	X(FRAGMENT, "drop_nvgre_fragment")           \
	X(BAD_VERSION, "drop_nvgre_bad_version")     \
	X(BAD_FLAGS, "drop_nvgre_bad_flags")         \
	X(BAD_PROTO, "drop_nvgre_bad_proto")         \
	X(RESERVED_VSID, "drop_nvgre_reserved_vsid") \
	X(INNER_VLAN, "drop_nvgre_inner_vlan")       \
	X(UNKNOWN_VSID, "drop_nvgre_unknown_vsid")

#define NVGRE_REASON_ENUM_ENCAP(name, str) NVGRE_ENCAP_##name,
#define NVGRE_REASON_ENUM_DECAP(name, str) NVGRE_DECAP_##name,

enum nvgre_encap_reason {
	NVGRE_ENCAP_REASONS(NVGRE_REASON_ENUM_ENCAP) NVGRE_ENCAP_MAX /* number of reasons */
};

enum nvgre_decap_reason {
	NVGRE_DECAP_REASONS(NVGRE_REASON_ENUM_DECAP) NVGRE_DECAP_MAX /* number of reasons */
};

/** Counter name of 'r' ("drop_nvgre_too_big", ...); "?" if out of range.  Any thread. */
const char *nvgre_encap_reason_name(enum nvgre_encap_reason r);
/** Counter name of 'r' ("drop_nvgre_fragment", ...); "?" if out of range.  Any thread. */
const char *nvgre_decap_reason_name(enum nvgre_decap_reason r);

/** True if 'vsid' may be configured: 24 bits and not reserved.  Any thread. */
static inline bool
nvgre_vsid_is_valid(uint32_t vsid)
{
	return vsid >= NVGRE_VSID_MIN && vsid <= NVGRE_VSID_MAX;
}

/** The GRE key of ('vsid', 'flow_id'), host order.  Any thread. */
static inline uint32_t
nvgre_key(uint32_t vsid, uint8_t flow_id)
{
	return (vsid & NVGRE_VSID_MASK) << 8 | flow_id;
}

/* What a template is built from.  Both PAs of one family, which the template takes. */
struct nvgre_template_params {
	struct ovl_ip src_pa;	       /**< our provider address (outer source) */
	struct ovl_ip dst_pa;	       /**< remote provider address (outer destination) */
	struct rte_ether_addr src_mac; /**< our uplink MAC */
	struct rte_ether_addr dst_mac; /**< next hop: the remote PA itself or the gateway */
	uint32_t vsid;		       /**< virtual subnet, must be valid */
	uint16_t mtu;		       /**< uplink IP MTU: largest outer total_length */
};

/*
 * The outer headers of one (VSID, remote PA) destination, built once on the
 * control thread, for the family of the PAs: the family is chosen here,
 * once per tunnel, never per frame.  IPv4: the header bytes hold
 * total_length = 0, checksum = 0 and FlowID = 0; encapsulation copies them
 * and patches those three fields.  IPv6: payload length = 0, flow label = 0
 * and FlowID = 0, patched the same way (no checksum).  What encapsulation
 * reads of an IPv4 template lies in its first cache line; an IPv6 one
 * spills 6 bytes into the second.
 */
struct nvgre_template {
	uint16_t mtu;		       /**< drop frames whose outer IP packet exceeds this */
	uint8_t hdr_len;	       /**< NVGRE_ENCAP_LEN (IPv4) or NVGRE_ENCAP_LEN6 (IPv6) */
	uint8_t is6;		       /**< 1 for an IPv6 outer header */
	uint32_t csum_base;	       /**< IPv4 header sum, per-frame fields zero, folded to 16 bits */
	uint8_t hdr[NVGRE_ENCAP_LEN6]; /**< outer Ethernet + IP + GRE, wire order (hdr_len used) */
	uint32_t vsid;		       /**< virtual subnet, host order */
	struct ovl_ip src_pa;	       /**< outer source */
	struct ovl_ip dst_pa;	       /**< outer destination */
} __rte_cache_aligned;

/**
 * Build the template for 'p'.  Control thread (pure, any thread in fact).
 * @return 0; -EINVAL if the VSID is reserved, a PA is zero or multicast, the
 *   PAs' families differ, or a MAC is not unicast; -ERANGE if the MTU is below
 *   68 + the family's overhead (no tenant could carry the minimum IPv4 packet).
 */
int nvgre_template_build(struct nvgre_template *t, const struct nvgre_template_params *p);

/**
 * Remove up to two stacked VLAN tags (0x8100, 0x88a8, 0x9100) from the front
 * of 'm' and clear the mbuf's VLAN offload flags, as RFC 7637 asks of the
 * sender.  Worker-safe.
 * @return 0 (also when there was no tag); -EINVAL if the frame is shorter
 *   than its headers or carries more than two tags (then 'm' is unchanged).
 */
int nvgre_strip_vlan(struct rte_mbuf *m);

/**
 * Encapsulate 'm' in place: strip an inner VLAN tag, check the size against
 * the template's MTU, prepend the outer bytes from 't' (42 or 62), patch
 * total_length and the IPv4 checksum (incrementally from t->csum_base), or
 * the IPv6 payload length and flow label (nvgre_flow_label(flow_hash)), and
 * the FlowID (nvgre_flow_id(flow_hash)).  'flow_hash' is nvgre_flow_hash() of
 * the tenant frame.  Clears the mbuf's TX offload requests, which described
 * the inner headers.  Worker-safe, lock-free.
 * @return NVGRE_ENCAP_OK, or the drop reason; on a drop the caller counts it
 *   and frees 'm' (its tag may already have been stripped).
 */
enum nvgre_encap_reason nvgre_encap_one(struct rte_mbuf *m, const struct nvgre_template *t,
					uint32_t flow_hash);

/**
 * nvgre_encap_one() of each of the 'n' frames of 'pkts', with its own
 * nvgre_flow_hash(), in one call: reasons[i] (an enum nvgre_encap_reason)
 * says how frame i fared.  The caller counts and frees the frames that were
 * refused.  Worker-safe, lock-free.
 * @return how many were encapsulated (reason NVGRE_ENCAP_OK).
 */
uint16_t nvgre_encap_bulk(struct rte_mbuf **pkts, uint16_t n, const struct nvgre_template *t,
			  uint8_t *reasons);

/**
 * Head-end replication: a new frame = a header segment from 'pool' (the
 * template's 42 or 62 bytes, patched as nvgre_encap_one() does) followed by
 * an indirect clone of 'm', so that one tenant frame goes to many
 * PAs without copying its payload.  'm' must already be untagged
 * (nvgre_strip_vlan) and is left unchanged; the caller frees it after the
 * last copy.  The uplink must accept multi-segment frames.  Worker-safe.
 * @return the new frame, or NULL with '*reason' set (TOO_BIG, MALFORMED, NO_MBUF).
 */
struct rte_mbuf *nvgre_encap_clone(struct rte_mbuf *m, struct rte_mempool *pool,
				   const struct nvgre_template *t, uint32_t flow_hash,
				   enum nvgre_encap_reason *reason);

/**
 * Hash of the inner flow of the (tenant) Ethernet frame 'm': for IPv4/IPv6
 * the addresses and protocol, plus TCP/UDP/SCTP ports when the packet is not
 * a fragment; for other frames the MAC addresses and EtherType.  VLAN tags
 * are skipped, so the hash is the same before and after nvgre_strip_vlan().  Fields that change
 * within a flow (IP id, TTL, lengths, payload) are left out, so every frame
 * of a flow gets the same value.  Worker-safe.
 */
uint32_t nvgre_flow_hash(const struct rte_mbuf *m);

/**
 * The 8-bit FlowID of a 32-bit flow hash: its low byte.  The hash is CRC32C,
 * in which every input bit moves every output bit, so no fold is needed.
 * Any thread.
 */
static inline uint8_t
nvgre_flow_id(uint32_t hash)
{
	return (uint8_t)hash;
}

/**
 * The IPv6 flow label of a frame whose nvgre_flow_hash() is 'hash': 20 bits,
 * the same for every frame of a flow (RFC 6438).  Any thread.
 */
static inline uint32_t
nvgre_flow_label(uint32_t hash)
{
	return (hash ^ hash >> 20) & NVGRE_FLOW_LABEL_MASK;
}

/* Our provider addresses, as decapsulation checks them: each family apart. */
struct nvgre_pa_set {
	uint32_t nb_pa;				      /**< entries used in 'pa' */
	rte_be32_t pa[NVGRE_MAX_LOCAL_PA];	      /**< IPv4, network order */
	uint32_t nb_pa6;			      /**< entries used in 'pa6' */
	uint8_t pa6[NVGRE_MAX_LOCAL_PA][OVL_IP6_LEN]; /**< IPv6 */
};

/** True if 'ip' is one of 'set'.  Worker-safe. */
static inline bool
nvgre_pa_set_has(const struct nvgre_pa_set *set, rte_be32_t ip)
{
	for (uint32_t i = 0; i < set->nb_pa; i++)
		if (set->pa[i] == ip)
			return true;
	return false;
}

/** True if the IPv6 address 'ip' (16 bytes) is one of 'set'.  Worker-safe. */
static inline bool
nvgre_pa_set_has6(const struct nvgre_pa_set *set, const uint8_t *ip)
{
	for (uint32_t i = 0; i < set->nb_pa6; i++)
		if (memcmp(set->pa6[i], ip, OVL_IP6_LEN) == 0)
			return true;
	return false;
}

/* nvgre_decap_check() flags. */
#define NVGRE_DECAP_F_VERIFY_CSUM \
	0x1u /* verify the outer IPv4 checksum in software when the
					  NIC did not (a NIC-reported bad checksum always drops) */

/* What nvgre_decap_check() found in an accepted frame. */
struct nvgre_decap_info {
	uint32_t vsid;	    /**< virtual subnet, host order */
	uint8_t flow_id;    /**< sender's flow entropy; informational only */
	uint16_t bd;	    /**< bridge domain of the VSID (set by ovl_decap_check only) */
	struct ovl_ip src_pa; /**< outer source: the PA of the sending host */
	struct ovl_ip dst_pa; /**< outer destination: which of our PAs */
	uint16_t inner_off; /**< offset of the inner Ethernet header in the frame */
	uint16_t inner_len; /**< inner frame length (outer padding excluded) */
};

/**
 * Classify a frame received on the uplink.  Tests, in this order: frame and
 * IPv4 header lengths (MALFORMED), EtherType (NOT_IP), outer checksum,
 * destination in 'local' (NOT_OUR_PA), protocol (NOT_GRE), fragment, GRE
 * version, flags, protocol type, reserved VSID, inner VLAN tag.  IPv6:
 * header and payload length (MALFORMED), destination, next header (NOT_GRE,
 * or FRAGMENT for a fragment header), then the same GRE checks.  Reads
 * across segments if needed.  Worker-safe.
 * @return NVGRE_DECAP_OK with 'info' filled (except 'bd'), or the first
 *   reason the frame fails; 'm' is not modified.
 */
enum nvgre_decap_reason nvgre_decap_check(const struct rte_mbuf *m,
					  const struct nvgre_pa_set *local, unsigned int flags,
					  struct nvgre_decap_info *info);

/**
 * Remove the outer headers (and outer Ethernet padding) of an accepted frame,
 * leaving the inner frame.  Worker-safe.  @return 0, -EINVAL if 'm' does not
 * match 'info'.
 */
static inline int
nvgre_decap_strip(struct rte_mbuf *m, const struct nvgre_decap_info *info)
{
	uint32_t end = (uint32_t)info->inner_off + info->inner_len;

	if (rte_pktmbuf_pkt_len(m) < end || rte_pktmbuf_data_len(m) < info->inner_off)
		return -EINVAL;
	if (likely(m->next == NULL)) {
		/* One segment, the common case: move the start, cut the outer padding. */
		m->data_off = (uint16_t)(m->data_off + info->inner_off);
		m->data_len = info->inner_len;
		m->pkt_len = info->inner_len;
		return 0;
	}
	if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - end)) != 0)
		return -EINVAL;
	if (rte_pktmbuf_adj(m, info->inner_off) == NULL)
		return -EINVAL;
	return 0;
}

#endif /* VSW_NVGRE_H */
