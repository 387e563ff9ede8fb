/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recognising the frames a migrated VM uses to say where it now lives:
 *
 *   gratuitous ARP   ARP request or reply whose sender IP equals its target IP
 *   RARP             ethertype 0x8035, what QEMU sends after a migration
 *   unsolicited NA   ICMPv6 neighbour advertisement with the Solicited flag clear
 *
 * Up to two VLAN tags (802.1Q or 802.1ad) are skipped, as the switch carries
 * tagged frames unchanged.  A frame that claims to be ARP, RARP or a
 * neighbour advertisement but is too short or malformed is reported as such,
 * so the caller can drop it instead of letting it move a MAC.
 *
 * Thread-safety: pure functions, any thread.
 */
#ifndef VSW_FDB_ANNOUNCE_H
#define VSW_FDB_ANNOUNCE_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

enum fdb_announce {
	FDB_ANN_NONE,          /**< an ordinary frame */
	FDB_ANN_GARP,          /**< gratuitous ARP */
	FDB_ANN_RARP,          /**< RARP */
	FDB_ANN_UNA,           /**< unsolicited neighbour advertisement */
	FDB_ANN_MALFORMED_ARP, /**< ARP or RARP ethertype, but not a valid Ethernet/IPv4 ARP */
	FDB_ANN_MALFORMED_ND,  /**< ICMPv6 neighbour advertisement, truncated or invalid */
};

/**
 * Classify the Ethernet frame 'frame' of 'len' contiguous bytes.  For ARP and
 * RARP frames '*sha' is set to the sender hardware address inside the frame
 * (NULL otherwise), so port security can check it too.
 */
enum fdb_announce fdb_announce_classify(const uint8_t *frame, uint32_t len, const uint8_t **sha);

/*
 * @return whether classify() may find anything in this frame (0: it would
 * say FDB_ANN_NONE).  Inline, so that the frames switched most often (IPv4,
 * ordinary IPv6, tagged IPv4) cost a compare or two and no call: it follows
 * the tags as classify() does and looks at IPv6's next header, and only ARP,
 * RARP and ICMPv6 right after a full IPv6 header go on to classify().
 * 'len' is at least an Ethernet header (14 bytes).
 */
static inline int
fdb_announce_candidate(const uint8_t *frame, uint32_t len)
{
	const rte_be16_t arp = RTE_BE16(0x0806), rarp = RTE_BE16(0x8035), ipv6 = RTE_BE16(0x86dd);
	const rte_be16_t qtag = RTE_BE16(0x8100), adtag = RTE_BE16(0x88a8);
	uint32_t off = 12;
	rte_be16_t type;

	memcpy(&type, frame + off, sizeof(type));
	if (type == RTE_BE16(0x0800))
		return 0; /* untagged IPv4, the frame most switched: one compare */
	for (int tags = 0; (type == qtag || type == adtag) && tags < 2; tags++) {
		off += 4;
		if (len < off + 2)
			return 0;
		memcpy(&type, frame + off, sizeof(type));
	}
	if (type == arp || type == rarp)
		return 1;
	/* IPv6 next header (byte 6) ICMPv6 (58), with the 40-byte header present. */
	return type == ipv6 && len >= off + 2 + 40 && frame[off + 2 + 6] == 58;
}

#endif /* VSW_FDB_ANNOUNCE_H */
