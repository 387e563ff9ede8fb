/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Switch-wide counters.  The list generates the enum and the names that
 * `vswctl stats` prints; every frame the switch frees without sending is
 * counted under a drop_* name (DESIGN rule 5).
 */
#ifndef VSW_DP_COUNTERS_H
#define VSW_DP_COUNTERS_H

#define DP_FOREACH_COUNTER(_)                                                                    \
	_(DROP_MALFORMED, "drop_malformed", "frames shorter than an Ethernet header")             \
	_(DROP_INVALID_SRC, "drop_invalid_src_mac",                                                \
	  "frames whose source MAC is multicast, broadcast or all zeros")                         \
	_(DROP_SAME_PORT, "drop_same_port",                                                        \
	  "unicast frames whose destination was learned on the port they came in on")             \
	_(DROP_NO_DESTINATION, "drop_no_destination",                                              \
	  "frames to flood with no other port in their bridge domain")                            \
	_(DROP_SPOOFED_MAC, "drop_spoofed_mac",                                                    \
	  "frames (or ARP senders) from a MAC their port's allowed-macs does not list")           \
	_(DROP_MALFORMED_ARP, "drop_malformed_arp",                                                \
	  "ARP or RARP frames too short or not Ethernet/IPv4; never learned")                    \
	_(DROP_MALFORMED_ND, "drop_malformed_nd",                                                  \
	  "IPv6 neighbour advertisements truncated or invalid; never learned")                   \
	_(DROP_LEARN_LIMIT, "drop_learn_limit",                                                    \
	  "frames from MACs refused by a limit, in a bridge domain with limit-action=drop")       \
	_(DROP_NO_UPLINK, "drop_no_uplink",                                                        \
	  "tenant frames for another host while no uplink is set (vswctl uplink set)")            \
	_(DROP_SPLIT_HORIZON, "drop_split_horizon",                                                \
	  "frames from the overlay to a MAC on another host (never sent back to the overlay)")    \
	_(DROP_CONTROL_BUSY, "drop_control_busy",                                                  \
	  "uplink ARP, neighbour discovery and ICMP error frames dropped because the control thread's queue was full") \
	_(DROP_VLAN_TAGGED_ON_ACCESS, "drop_vlan_tagged_on_access",                                \
	  "802.1Q-tagged frames received on an access port (vlan-mode=access takes untagged only)") \
	_(DROP_VLAN_NOT_ALLOWED, "drop_vlan_not_allowed",                                          \
	  "frames on a trunk port with a VLAN outside its trunks list, or untagged without native=") \
	_(DROP_VLAN_NO_DOMAIN, "drop_vlan_no_domain",                                              \
	  "frames of a VLAN a trunk allows but no bridge domain has (vswctl bd set NAME vlan=N)")  \
	_(DROP_VLAN_PUSH, "drop_vlan_push_failed",                                                 \
	  "frames for a trunk or a VLAN uplink not sent: no packet buffer for the tagged copy")    \
	_(DROP_UPLINK_VLAN, "drop_uplink_vlan",                                                    \
	  "frames on the uplink without its provider VLAN tag (vswctl uplink set PORT vlan=N)")   \
	_(ARP_SUPPRESSED, "arp_suppressed",                                                        \
	  "ARP requests from VMs answered by the switch from a lookup record")                    \
	_(UPLINK_ARP, "uplink_arp_rx", "ARP frames from the provider network passed to the control thread") \
	_(UPLINK_ND, "uplink_nd_rx",                                                               \
	  "IPv6 neighbour solicitations and advertisements from the provider network passed to the control thread") \
	_(UPLINK_ICMP_ERROR, "uplink_icmp_error_rx",                                               \
	  "ICMP and ICMPv6 errors to our PAs passed to the control thread (those about a tunnel: tunnel list)") \
	_(FDB_REMOTE_NO_RECORD, "fdb_remote_no_record",                                            \
	  "overlay sources not learned: no lookup record names their host in that VSID")          \
	_(GARP_RX, "garp_rx", "gratuitous ARP frames received")                                   \
	_(RARP_RX, "rarp_rx", "RARP frames received")                                             \
	_(UNA_RX, "una_rx", "unsolicited IPv6 neighbour advertisements received")                 \
	_(FORWARD_UNICAST, "forward_unicast", "frames sent to the one port their MAC lives on")    \
	_(FLOOD_MULTICAST, "flood_multicast", "broadcast and multicast frames flooded")           \
	_(FLOOD_UNKNOWN, "flood_unknown_unicast",                                                  \
	  "unicast frames flooded because their destination is not learned")                      \
	DP_FOREACH_RD_COUNTER(_)

/* The distributed router's (routing domains, dp_route.c). */
#define DP_FOREACH_RD_COUNTER(_)                                                                 \
	_(ROUTED_LOCAL, "routed_local", "frames routed to a VM on this host")                     \
	_(ROUTED_REMOTE, "routed_remote",                                                          \
	  "frames routed to a VM on another host, encapsulated with its subnet's VSID")           \
	_(ROUTED_FLOOD_LOCAL, "routed_flood_local",                                                \
	  "routed frames for a VM of this host not learned yet, flooded to its subnet's local ports") \
	_(RD_ARP_REPLIED, "rd_arp_replied", "ARP requests for a gateway answered with the router MAC") \
	_(RD_ECHO_REPLIED, "rd_echo_replied", "pings to a gateway address answered")              \
	_(RD_CACHE_MISS, "rd_route_cache_misses",                                                  \
	  "routed frames whose destination was not in the worker's route cache (looked up in full)") \
	_(RD_ICMP_SENT, "rd_icmp_errors_sent",                                                     \
	  "ICMP time exceeded and fragmentation needed sent back to VMs")                         \
	_(RD_ICMP_RATE_LIMITED, "drop_rd_icmp_rate_limited",                                       \
	  "ICMP errors not sent: over 100 per second per worker")                                 \
	_(DROP_RD_NOT_IPV4, "drop_rd_not_ipv4",                                                    \
	  "frames to the router MAC that are neither IPv4 nor an ARP request for the gateway")    \
	_(DROP_RD_BAD_IPV4, "drop_rd_bad_ipv4",                                                    \
	  "frames to the router MAC with a truncated or malformed IPv4 header or a bad checksum") \
	_(DROP_RD_NO_ROUTE, "drop_rd_no_route",                                                    \
	  "routed frames whose destination matches no subnet or usable route of the domain")      \
	_(DROP_RD_UNRESOLVED, "drop_rd_unresolved",                                                \
	  "routed frames whose destination (or route next hop) has no lookup record")            \
	_(DROP_RD_TTL_EXCEEDED, "drop_rd_ttl_exceeded",                                            \
	  "routed frames that arrived with TTL <= 1 (ICMP time exceeded sent back)")              \
	_(DROP_RD_TOO_BIG, "drop_rd_too_big",                                                      \
	  "routed frames over the tenant MTU for another host (with DF: ICMP frag needed sent back)") \
	_(DROP_RD_TO_ROUTER, "drop_rd_to_router", "frames for a gateway address other than pings")

enum dp_counter_id {
#define DP_COUNTER_ENUM(id, name, help) DP_CNT_##id,
	DP_FOREACH_COUNTER(DP_COUNTER_ENUM)
#undef DP_COUNTER_ENUM
	DP_CNT_MAX
};

#endif /* VSW_DP_COUNTERS_H */
