/* SPDX-License-Identifier: BSD-3-Clause */
#include "fdb_announce.h"

#include <stddef.h>
#include <string.h>

#define ETH_HLEN       14
#define VLAN_HLEN      4
#define ARP_LEN        28 /* Ethernet/IPv4 ARP body */
#define IPV6_HLEN      40
#define NA_LEN         24 /* ICMPv6 NA without options */
#define ICMPV6_NA      136
#define NA_FLAG_SOLICITED 0x40

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static enum fdb_announce
classify_arp(const uint8_t *arp, uint32_t len, int is_rarp, const uint8_t **sha)
{
	uint16_t op;

	if (len < ARP_LEN || be16(arp) != 1 || be16(arp + 2) != 0x0800 || arp[4] != 6 ||
	    arp[5] != 4)
		return FDB_ANN_MALFORMED_ARP;
	op = be16(arp + 6);
	*sha = arp + 8;
	if (is_rarp)
		return op == 3 || op == 4 ? FDB_ANN_RARP : FDB_ANN_MALFORMED_ARP;
	/* Sender IP (offset 14) equal to target IP (offset 24), request or reply. */
	if ((op == 1 || op == 2) && memcmp(arp + 14, arp + 24, 4) == 0)
		return FDB_ANN_GARP;
	return FDB_ANN_NONE;
}

static enum fdb_announce
classify_ipv6(const uint8_t *ip6, uint32_t len)
{
	const uint8_t *icmp;

	/* Only ICMPv6 right after the fixed header: NDP may not use extension headers. */
	if (len < IPV6_HLEN || ip6[6] != 58)
		return FDB_ANN_NONE;
	icmp = ip6 + IPV6_HLEN;
	if (len < IPV6_HLEN + 1 || icmp[0] != ICMPV6_NA)
		return FDB_ANN_NONE;
	/* RFC 4861 7.1.2: hop limit 255, code 0, at least 24 bytes. */
	if (len < IPV6_HLEN + NA_LEN || ip6[7] != 255 || icmp[1] != 0 ||
	    be16(ip6 + 4) < NA_LEN)
		return FDB_ANN_MALFORMED_ND;
	return (icmp[4] & NA_FLAG_SOLICITED) ? FDB_ANN_NONE : FDB_ANN_UNA;
}

enum fdb_announce
fdb_announce_classify(const uint8_t *frame, uint32_t len, const uint8_t **sha)
{
	uint32_t off = ETH_HLEN - 2;
	uint16_t type;

	*sha = NULL;
	if (len < ETH_HLEN)
		return FDB_ANN_NONE;
	type = be16(frame + off);
	for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; tags++) {
		off += VLAN_HLEN;
		if (len < off + 2)
			return FDB_ANN_NONE;
		type = be16(frame + off);
	}
	off += 2;
	switch (type) {
	case 0x0806:
		return classify_arp(frame + off, len - off, 0, sha);
	case 0x8035:
		return classify_arp(frame + off, len - off, 1, sha);
	case 0x86dd:
		return classify_ipv6(frame + off, len - off);
	default:
		return FDB_ANN_NONE;
	}
}
