/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing tests' host (rd_fixture.c): the real pipeline on ring ports.
 * This host owns PA 198.51.100.1/24; the other host, 192.0.2.1, is reached
 * through the provider gateway 198.51.100.254.
 *
 *   tenant "red":  t1 VSID 5001 203.0.113.0/24 gw .254, vm1 = A (.1, here)
 *                  t2 VSID 5002 198.18.10.0/24 gw .254, vm2 = B (.2, here)
 *                  t3 VSID 5003 198.18.20.0/24 gw .254, C (.3, other host)
 *   tenant "blue": u1 VSID 6001 203.0.113.0/24 gw .254, vm3 = E (.1, here)
 *                  u2 VSID 6002 198.18.10.0/24 gw .254, D (.2, other host)
 *   "plain":       no VSID, no routing domain: p1, p2.
 */
#ifndef VSW_RD_FIXTURE_H
#define VSW_RD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define VM_A	   "02:00:00:00:00:0a"
#define VM_B	   "02:00:00:00:00:0b"
#define VM_C	   "02:00:00:00:00:0c"
#define VM_D	   "02:00:00:00:00:0d"
#define VM_E	   "02:00:00:00:00:0e"
#define GW_MAC	   "02:00:00:00:fe:fe"
#define OUR_PA	   "198.51.100.1"
#define THEIR_PA   "192.0.2.1"
#define TENANT_MTU 1458u /* uplink 1500 - 42 */

extern uint8_t red_mac[6], blue_mac[6];	 /**< the two domains' router MACs */
extern char red_text[18], blue_text[18]; /**< the same, as text */

/* Build the host above; says what failed.  @return 0 on success. */
int rd_setup_host(void);
/* An IPv4 ICMP echo request 'sip' -> 'dip' of 'ip_len' bytes of IP, from 'src' to 'dst'. */
struct rte_mbuf *ip_frame(const char *dst, const char *src, const char *sip, const char *dip,
			  uint8_t ttl, uint16_t ip_len, bool df);
/* Empty every port's TX ring. */
void drain_all(void);
/* What a router makes of 'in' (IP at 14): MACs rewritten, TTL - 1, checksum recomputed. */
void expect_routed(const uint8_t *in, unsigned int len, const char *dst_mac, const uint8_t *router,
		   uint8_t *want);
/* Inject 'm' on 'port', run a round; @return a copy of its bytes in 'orig'. */
unsigned int send_one(const char *port, struct rte_mbuf *m, uint8_t *orig);
/* The outer headers of a routed frame to the other host, with the destination's VSID. */
void check_outer(const uint8_t *p, uint32_t vsid);
/* Send one routed frame A -> 'dip'; @return the port it left by, its inner dst MAC in 'mac'. */
const char *routed_to(const char *dip, uint8_t *mac);
/* A frame from 'mac' on 'port' teaches the switch where 'mac' is. */
void learn_on(const char *port, const char *mac);

#endif /* VSW_RD_FIXTURE_H */
