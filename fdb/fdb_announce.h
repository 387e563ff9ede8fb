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

/** @return whether the frame's ethertype is one classify() must look at. Cheap pre-check. */
static inline int
fdb_announce_candidate(uint16_t ethertype_be)
{
	/* ARP 0x0806, RARP 0x8035, IPv6 0x86dd, VLAN 0x8100 and 0x88a8, all big-endian. */
	switch (ethertype_be) {
	case __builtin_bswap16(0x0806):
	case __builtin_bswap16(0x8035):
	case __builtin_bswap16(0x86dd):
	case __builtin_bswap16(0x8100):
	case __builtin_bswap16(0x88a8):
		return 1;
	default:
		return 0;
	}
}

#endif /* VSW_FDB_ANNOUNCE_H */
