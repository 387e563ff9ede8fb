/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the two halves of the fake dataplane share: test_ctl_fake_dp.c
 * (ports, bridge domains, MAC table, counters) and test_ctl_fake_overlay.c
 * (uplink, provider addresses, routes, neighbours, lookup records).
 */
#ifndef VSW_TEST_CTL_FAKE_DP_PRIV_H
#define VSW_TEST_CTL_FAKE_DP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"

/* A port the fake dataplane "opened". */
struct fake_port {
	bool used;		  /**< slot taken */
	char name[PORT_NAME_MAX]; /**< port name */
	char type[16];		  /**< type name */
	char bd[PORT_NAME_MAX];	  /**< bridge domain */
	uint32_t max_macs;	  /**< max-macs setting */
	char allowed_macs[512];	  /**< allowed-macs setting */
};

extern struct fake_port fake_ports[VSW_MAX_PORTS];
extern char fake_bds[VSW_MAX_BDS][PORT_NAME_MAX];
extern struct dp_bd_info fake_bd_settings[VSW_MAX_BDS];
extern char fake_uplink[PORT_NAME_MAX]; /**< the uplink port's name, "" if none */

/** Append a note to the call log (fake_dp_log()). */
void fake_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Forget the overlay configuration (fake_dp_reset() calls it). */
void fake_overlay_reset(void);
/* test_ctl_fake_rd.c: forget every routing domain. */
void fake_rd_reset(void);

#endif /* VSW_TEST_CTL_FAKE_DP_PRIV_H */
